"""Next-day demand of one item at one pickup point, by a method a supplier can check by hand.

The method is exponential smoothing with a damped trend and multiplicative weekday effects
(Holt-Winters with a season of seven days). It keeps three numbers of state and updates them
day by day over the history:

- the **level**: what an average day sells lately (units a day, weekday effects taken out);
- the **trend**: how much the level grows or shrinks a day, damped so it fades out
  (``PHI`` = 0.9: a day's trend counts 0.9 the next day, 0.81 the day after...);
- the seven **weekday factors**: how much a Monday, a Tuesday... sells against an average day
  (x1.3 on Saturdays). They average 1.

The forecast for a day ``h`` days after the last day of history is::

    max(0, (level + trend * (PHI + PHI^2 + ... + PHI^h)) * factor[weekday of the day])

The state starts from the first two weeks (level: their mean; factors: each weekday's mean over
the level; trend: the second week's mean less the first's, over seven) and is updated each day
``y`` after that with the smoothing parameters alpha (level), beta (trend), gamma (weekday)::

    level' = alpha * y / factor + (1 - alpha) * (level + PHI * trend)
    trend' = beta * (level' - level) + (1 - beta) * PHI * trend
    factor' = gamma * y / level' + (1 - gamma) * factor

The parameters are chosen on the history itself: of a small grid (`GRID`), the set whose
one-day-ahead forecasts over the history after its first two weeks missed by the least in
total (absolute error), the first in grid order on a tie. Nothing is fitted to the future.

With less than two weeks of history there are no weekday effects to learn: the forecast is the
mean of the days there are (and zero with no history). A day without a sale counts as zero.

The naive baseline the method is measured against (``bench/forecast.py``) is
`same_weekday_last_week`: the day's forecast is what the same weekday sold a week before.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import product

import numpy as np

__all__ = [
    "GRID",
    "HISTORY",
    "PHI",
    "WARM_UP",
    "Forecast",
    "Smoothing",
    "forecast",
    "same_weekday_last_week",
]

PHI = 0.9
"""The trend's damping: a day's trend counts ``PHI`` as much the next day."""

WARM_UP = 14
"""Days of history that start the state (two weeks); the fit is judged on the days after."""

HISTORY = 84
"""Days of history a forecast reads (twelve weeks): enough to learn weekday effects, recent
enough to follow a season."""


@dataclass(frozen=True, slots=True)
class Smoothing:
    """The smoothing parameters: how fast the level, the trend and the weekday factors move.

    Each is between 0 (never moves) and 1 (only the latest day counts).
    """

    alpha: float
    beta: float
    gamma: float


GRID: tuple[Smoothing, ...] = tuple(
    Smoothing(a, b, g)
    for a, b, g in product((0.05, 0.1, 0.2, 0.35, 0.5), (0.0, 0.05, 0.15), (0.02, 0.05, 0.1, 0.2))
)
"""The parameter sets tried on each history (60): a slow to a fast level, no trend to a quick
one, steady to moving weekday effects. Faster weekday effects (gamma 0.3) were tried on
``bench/forecast.py`` and only chased noise."""

_FACTOR_FLOOR = 0.05  # a weekday that never sold still divides by something


@dataclass(frozen=True, slots=True)
class Forecast:
    """One day's forecast and the state it came from.

    Attributes:
        day: The day forecast.
        quantity: The units expected that day (never negative).
        level: Units an average day sells lately, weekday effects taken out.
        trend: Units a day the level grows (negative: shrinks) lately, before damping.
        weekday_factor: The forecast day's weekday against an average day (1.0: average).
        smoothing: The parameters chosen on the history; ``None`` when there was too little
            history to learn weekday effects (the forecast is then the mean).
        history_days: How many days of history the forecast saw.
        fit_mae: The mean absolute error of the chosen parameters' one-day-ahead forecasts over
            the history (after the warm-up), ``None`` when nothing could be judged.
    """

    day: date
    quantity: float
    level: float
    trend: float
    weekday_factor: float
    smoothing: Smoothing | None
    history_days: int
    fit_mae: float | None

    def explanation(self) -> str:
        """The forecast in words: the numbers it multiplied and where they came from."""
        weekday = calendar.day_name[self.day.weekday()]
        if self.history_days == 0:
            return f"No sales history: {weekday} {self.day} is forecast at 0."
        if self.smoothing is None:
            return (
                f"Only {self.history_days} days of history, too few for weekday effects: "
                f"{weekday} {self.day} is forecast at their mean, {self.quantity:.1f}."
            )
        s = self.smoothing
        trend = (
            f", {'rising' if self.trend > 0 else 'falling'} {abs(self.trend):.2f} a day"
            if abs(self.trend) >= 0.005
            else ""
        )
        fit = f"; they missed by {self.fit_mae:.1f} a day on average" if self.fit_mae else ""
        return (
            f"An average day sells {self.level:.1f} lately{trend}; {weekday}s sell "
            f"x{self.weekday_factor:.2f} an average day: {self.quantity:.1f} for {self.day}. "
            f"Smoothing alpha={s.alpha} (level), beta={s.beta} (trend), gamma={s.gamma} "
            f"(weekday) gave the best one-day-ahead forecasts over the {self.history_days} "
            f"days of history{fit}."
        )


@dataclass(slots=True)
class _State:
    level: float
    trend: float
    factors: list[float]  # by date.weekday(): Monday is 0


def _start(history: Sequence[float], first_day: date) -> _State:
    """The state after the first two weeks: their mean, weekday ratios and week-on-week trend."""
    first, second = history[:7], history[7:WARM_UP]
    level = (sum(first) + sum(second)) / WARM_UP
    factors = [1.0] * 7
    if level > 0:
        for offset in range(7):
            weekday = (first_day + timedelta(days=offset)).weekday()
            mean = (history[offset] + history[offset + 7]) / 2
            factors[weekday] = max(mean / level, _FACTOR_FLOOR)
    return _State(level, (sum(second) - sum(first)) / 49, factors)


def _run(
    history: Sequence[float], first_weekday: int, grid: Sequence[Smoothing], start: _State
) -> tuple[list[_State], list[float]]:
    """Each parameter set's final state and total one-day-ahead error over the history.

    ``start`` is updated over the days after the warm-up with every set of ``grid`` at once
    (NumPy arrays, one lane per set).
    """
    alpha, beta, gamma = (
        np.array([getattr(s, k) for s in grid]) for k in ("alpha", "beta", "gamma")
    )
    level = np.full(len(grid), start.level)
    trend = np.full(len(grid), start.trend)
    factors = np.tile(np.array(start.factors), (len(grid), 1))
    error = np.zeros(len(grid))
    weekday = (first_weekday + WARM_UP) % 7
    for y in history[WARM_UP:]:
        factor = factors[:, weekday]
        expected = level + PHI * trend
        error += np.abs(y - np.maximum(expected * factor, 0.0))
        new_level = np.maximum(alpha * y / factor + (1 - alpha) * expected, 0.0)
        trend = beta * (new_level - level) + (1 - beta) * PHI * trend
        moved = gamma * y / np.where(new_level > 0, new_level, 1.0) + (1 - gamma) * factor
        factors[:, weekday] = np.where(new_level > 0, np.maximum(moved, _FACTOR_FLOOR), factor)
        level = new_level
        weekday = (weekday + 1) % 7
    states = [
        _State(float(level[g]), float(trend[g]), [float(f) for f in factors[g]])
        for g in range(len(grid))
    ]
    return states, [float(e) for e in error]


def forecast(
    history: Sequence[float],
    first_day: date,
    day: date,
    *,
    grid: Sequence[Smoothing] = GRID,
) -> Forecast:
    """Forecast ``day`` from the daily quantities ``history`` (its first entry is ``first_day``).

    Args:
        history: Units sold each day, consecutive days, zero for a day without a sale.
        first_day: The day of ``history[0]``.
        day: The day to forecast: after the last day of history (tomorrow, when the history
            ends yesterday, is two days ahead).
        grid: The parameter sets to choose from (`GRID` unless a test narrows it).

    Raises:
        ValueError: ``day`` is not after the history, or ``grid`` is empty.
    """
    last = first_day + timedelta(days=len(history) - 1)
    horizon = (day - last).days
    if horizon < 1:
        raise ValueError(f"{day} is not after the history's last day {last}")
    if not grid:
        raise ValueError("no smoothing parameters to choose from")
    n = len(history)
    if n < WARM_UP:
        mean = sum(history) / n if n else 0.0
        return Forecast(day, mean, mean, 0.0, 1.0, None, n, None)
    start = _start(history, first_day)
    states, errors = _run(history, first_day.weekday(), grid, start)
    chosen = errors.index(min(errors))  # the first in grid order on a tie
    error, smoothing, state = errors[chosen], grid[chosen], states[chosen]
    # Report the factors averaging 1 and the level in the same units (the forecast is unchanged).
    mean_factor = sum(state.factors) / 7
    level, trend = state.level * mean_factor, state.trend * mean_factor
    factor = state.factors[day.weekday()] / mean_factor
    damped = sum(PHI**i for i in range(1, horizon + 1))
    quantity = max((level + trend * damped) * factor, 0.0)
    judged = n - WARM_UP
    return Forecast(
        day, quantity, level, trend, factor, smoothing, n, error / judged if judged else None
    )


def same_weekday_last_week(history: Sequence[float], first_day: date, day: date) -> float:
    """The naive baseline: what ``day``'s weekday sold a week before (zero before the history).

    Raises:
        ValueError: The day a week before ``day`` is after the history's last day.
    """
    index = (day - timedelta(days=7) - first_day).days
    if index >= len(history):
        raise ValueError(f"the history ends before {day - timedelta(days=7)}")
    return float(history[index]) if index >= 0 else 0.0
