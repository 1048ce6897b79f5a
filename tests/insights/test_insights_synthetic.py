"""The synthetic demand generator: seeded, shaped as documented, split into purchases exactly."""

from __future__ import annotations

import random
import statistics
from datetime import date, timedelta

from linli.insights.synthetic import (
    WEEKDAY,
    DemandModel,
    catalogue,
    demand,
    festival,
    poisson,
    purchases,
)

MONDAY = date(2026, 11, 2)


def test_the_same_seed_draws_the_same_demand() -> None:
    model = DemandModel(base=5, growth=0.002)
    first = demand(model, MONDAY, 60, random.Random(1))
    assert first == demand(model, MONDAY, 60, random.Random(1))
    assert first != demand(model, MONDAY, 60, random.Random(2))


def test_days_average_the_model_weekday_by_weekday() -> None:
    model = DemandModel(base=20, noise=0.2)
    series = demand(model, MONDAY, 7 * 400, random.Random(4))
    for weekday in range(7):
        mean = statistics.fmean(series[weekday::7])
        assert abs(mean - 20 * WEEKDAY[weekday]) < 0.08 * 20 * WEEKDAY[weekday]


def test_growth_and_a_festival_raise_the_expectation() -> None:
    holidays = festival(MONDAY + timedelta(days=30), 3, factor=2.0)
    model = DemandModel(base=10, growth=0.01, weekday=(1,) * 7, holidays=holidays)
    assert model.mean(MONDAY, 0) == 10
    assert model.mean(MONDAY, 10) == 10 * 1.1
    assert model.mean(MONDAY, 29) == 10 * 1.29 * 1.4  # the eve
    assert model.mean(MONDAY, 31) == 10 * 1.31 * 2.0
    assert model.mean(MONDAY, 33) == 10 * 1.33


def test_poisson_draws_have_the_rate_as_mean() -> None:
    rng = random.Random(9)
    for rate in (0.5, 4.0, 50.0):
        draws = [poisson(rng, rate) for _ in range(20_000)]
        assert abs(statistics.fmean(draws) - rate) < 0.05 * rate + 0.02
    assert poisson(rng, 0) == 0


def test_a_catalogue_names_every_item_at_every_point() -> None:
    models = catalogue(random.Random(2), items=3, points=2)
    assert sorted(models) == [(f"item-{i}", p) for i in (1, 2, 3) for p in (1, 2)]


def test_purchases_add_up_to_the_series_day_by_day() -> None:
    rng = random.Random(6)
    series = demand(DemandModel(base=6), MONDAY, 30, rng)
    bought = purchases(rng, series, MONDAY, "milk", 3, residents=[11, 12, 13])
    for t, units in enumerate(series):
        day = MONDAY + timedelta(days=t)
        assert sum(p.quantity for p in bought if p.day == day) == units
    assert {p.member for p in bought} <= {11, 12, 13}
    assert all(1 <= p.quantity <= 3 and p.item == "milk" and p.point == 3 for p in bought)
