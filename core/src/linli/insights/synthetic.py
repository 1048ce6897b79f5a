"""Synthetic daily demand, for measuring forecasts where no real history may be used.

The model of one item at one pickup point: the expected units on day ``t`` (0 for the first
day) are::

    mean(t) = base * max(0, 1 + growth * t) * weekday[weekday of day t] * holiday(day t)

``base`` is an average day's units at the start, ``growth`` the relative change a day (0.003:
+0.3 % a day, about +30 % over a hundred days), ``weekday`` seven factors from Monday, and
``holiday`` a factor for the days named in ``holidays`` (1 on every other day). The day's units
are drawn from a gamma-Poisson (negative binomial) distribution: the day's rate is ``mean(t)``
times a gamma variable of mean 1 and coefficient of variation ``noise`` (weather, a neighbour's
party), and the units a Poisson draw of that rate (which customers happen to come). So even
with ``noise`` = 0 the days scatter like real small counts do.

`catalogue` draws a whole community's worth of such series from one seed: bases log-normal
around a few units a day, growth between -0.2 % and +0.4 % a day, each series' weekday pattern
the shared pattern `WEEKDAY` perturbed by +-15 %. `purchases` splits a series into purchases
by residents, for tests that need who bought what. Everything is drawn from a
``random.Random`` the caller seeds: the same seed gives the same data.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

__all__ = [
    "WEEKDAY",
    "DemandModel",
    "Purchase",
    "catalogue",
    "demand",
    "festival",
    "poisson",
    "purchases",
]

WEEKDAY = (0.85, 0.8, 0.9, 0.95, 1.1, 1.35, 1.05)
"""The shared weekday pattern, Monday first: weekends sell more at a community pickup point."""


@dataclass(frozen=True, slots=True)
class DemandModel:
    """The demand of one item at one pickup point (see the module's description).

    Attributes:
        base: Expected units on an average day at the start.
        growth: Relative change of the expected units a day (0.003 = +0.3 % a day).
        weekday: Seven factors, Monday first.
        noise: Coefficient of variation of the day's rate around its expectation.
        holidays: A factor for some days (1 on the others).
    """

    base: float
    growth: float = 0.0
    weekday: Sequence[float] = WEEKDAY
    noise: float = 0.25
    holidays: Mapping[date, float] = field(default_factory=dict)

    def mean(self, first_day: date, t: int) -> float:
        """The expected units on day ``t`` counted from ``first_day`` (0 for it)."""
        day = first_day + timedelta(days=t)
        trend = max(0.0, 1 + self.growth * t)
        return self.base * trend * self.weekday[day.weekday()] * self.holidays.get(day, 1.0)


def poisson(rng: random.Random, rate: float) -> int:
    """A Poisson draw: by multiplying uniforms under 30, rounded normal above (close enough)."""
    if rate <= 0:
        return 0
    if rate >= 30:
        return max(0, round(rng.gauss(rate, math.sqrt(rate))))
    limit, count, product = math.exp(-rate), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def demand(model: DemandModel, first_day: date, days: int, rng: random.Random) -> list[int]:
    """``days`` consecutive days of units sold, from ``first_day``."""
    shape = 1 / model.noise**2 if model.noise > 0 else 0.0
    series = []
    for t in range(days):
        rate = model.mean(first_day, t)
        if shape:
            rate *= rng.gammavariate(shape, 1 / shape)
        series.append(poisson(rng, rate))
    return series


def festival(first: date, days: int, factor: float = 1.8) -> dict[date, float]:
    """A holiday of ``days`` days from ``first`` selling ``factor`` times, and the eve 1.4 times."""
    spike = {first + timedelta(days=i): factor for i in range(days)}
    return {first - timedelta(days=1): 1.4, **spike}


def catalogue(
    rng: random.Random,
    items: int,
    points: int,
    *,
    holidays: Mapping[date, float] | None = None,
    noise: float = 0.25,
) -> dict[tuple[str, int], DemandModel]:
    """The demand model of each of ``items`` items at each of ``points`` pickup points.

    Keys are ``("item-<n>", point)``, points numbered from 1.
    """
    models = {}
    for i in range(items):
        item_base = rng.lognormvariate(math.log(4.0), 0.8)
        growth = rng.uniform(-0.002, 0.004)
        pattern = tuple(f * rng.uniform(0.85, 1.15) for f in WEEKDAY)
        for point in range(1, points + 1):
            models[(f"item-{i + 1}", point)] = DemandModel(
                base=item_base * rng.uniform(0.5, 1.5),
                growth=growth,
                weekday=pattern,
                noise=noise,
                holidays=dict(holidays or {}),
            )
    return models


@dataclass(frozen=True, slots=True)
class Purchase:
    """One resident's purchase of some units of an item at a pickup point on a day."""

    member: int
    item: str
    point: int
    day: date
    quantity: int


def purchases(
    rng: random.Random,
    series: Sequence[int],
    first_day: date,
    item: str,
    point: int,
    residents: Sequence[int],
) -> list[Purchase]:
    """Split a day-by-day series into purchases of one to three units by ``residents``.

    A resident is drawn for each purchase, the first residents more often (weights ``1/rank``):
    regular customers and occasional ones. The purchases add up to the series day by day.
    """
    if not residents:
        raise ValueError("no residents to buy anything")
    weights = [1 / (rank + 1) for rank in range(len(residents))]
    bought = []
    for t, units in enumerate(series):
        left = units
        while left > 0:
            quantity = min(left, rng.randint(1, 3))
            (member,) = rng.choices(residents, weights)
            bought.append(Purchase(member, item, point, first_day + timedelta(days=t), quantity))
            left -= quantity
    return bought
