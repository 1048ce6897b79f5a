"""The demand forecast: what it says on series whose answer is known, and the naive baseline."""

from __future__ import annotations

import math
import random
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from linli.insights.forecast import (
    PHI,
    WARM_UP,
    Smoothing,
    forecast,
    same_weekday_last_week,
)
from linli.insights.synthetic import DemandModel, demand

MONDAY = date(2026, 11, 2)
PATTERN = (4, 4, 5, 5, 6, 10, 8)  # Monday first


def weeks(n: int) -> list[int]:
    return list(PATTERN) * n


def after(history: list[int], days: int = 1) -> date:
    return MONDAY + timedelta(days=len(history) - 1 + days)


def test_a_steady_series_is_forecast_at_its_value() -> None:
    history = [7] * 56
    found = forecast(history, MONDAY, after(history))
    assert found.quantity == pytest.approx(7)
    assert found.weekday_factor == pytest.approx(1)
    assert found.trend == pytest.approx(0)


def test_a_weekly_pattern_is_forecast_weekday_by_weekday() -> None:
    history = weeks(8)  # ends on a Sunday
    for ahead in range(1, 8):
        day = after(history, ahead)
        assert forecast(history, MONDAY, day).quantity == pytest.approx(
            PATTERN[day.weekday()], rel=1e-6
        )


def test_saturday_is_explained_as_its_share_of_an_average_day() -> None:
    history = weeks(8)
    saturday = after(history, 6)
    found = forecast(history, MONDAY, saturday)
    average = sum(PATTERN) / 7
    assert found.level == pytest.approx(average)
    assert found.weekday_factor == pytest.approx(10 / average)
    words = found.explanation()
    assert "Saturdays sell x1.67" in words and "sells 6.0 lately" in words
    assert f"the {len(history)} days of history" in words


def test_the_forecast_is_the_level_and_damped_trend_times_the_weekday_factor() -> None:
    rng = random.Random(3)
    history = demand(DemandModel(base=10, growth=0.01), MONDAY, 70, rng)
    for ahead in (1, 2, 5):
        found = forecast(history, MONDAY, after(history, ahead))
        damped = sum(PHI**i for i in range(1, ahead + 1))
        expected = (found.level + found.trend * damped) * found.weekday_factor
        assert found.quantity == pytest.approx(max(expected, 0))


def test_a_growing_series_is_forecast_above_its_past_mean() -> None:
    history = [10 + day for day in range(42)]  # +1 a day, no weekday effect
    found = forecast(history, MONDAY, after(history))
    assert found.trend > 0.3
    assert found.quantity > 45
    assert "rising" in found.explanation()


def test_two_weeks_are_needed_for_weekday_effects() -> None:
    history = [2, 4, 6]
    found = forecast(history, MONDAY, after(history))
    assert found.quantity == 4 and found.smoothing is None and found.weekday_factor == 1
    assert "Only 3 days of history" in found.explanation()
    empty = forecast([], MONDAY, MONDAY)
    assert empty.quantity == 0 and "No sales history" in empty.explanation()
    assert forecast([1] * (WARM_UP - 1), MONDAY, after([1] * 13)).smoothing is None
    assert forecast([1] * WARM_UP, MONDAY, after([1] * 14)).smoothing is not None


def test_the_parameters_are_chosen_for_the_least_error_on_the_history() -> None:
    rng = random.Random(5)
    history = demand(DemandModel(base=8, growth=0.004), MONDAY, 84, rng)
    grid = (Smoothing(0.05, 0.0, 0.05), Smoothing(0.5, 0.15, 0.3))
    chosen = forecast(history, MONDAY, after(history), grid=grid)
    each = [forecast(history, MONDAY, after(history), grid=(s,)) for s in grid]
    assert chosen.fit_mae == min(f.fit_mae for f in each if f.fit_mae is not None)
    assert chosen.smoothing == min(each, key=lambda f: f.fit_mae or 0).smoothing


def test_only_the_future_is_forecast() -> None:
    with pytest.raises(ValueError, match="not after"):
        forecast([1] * 20, MONDAY, MONDAY + timedelta(days=19))
    with pytest.raises(ValueError, match="no smoothing"):
        forecast([1] * 20, MONDAY, MONDAY + timedelta(days=20), grid=())


@settings(max_examples=150, deadline=None)
@given(
    history=st.lists(st.integers(0, 500), max_size=60),
    ahead=st.integers(1, 7),
)
def test_a_forecast_is_never_negative_nor_undefined(history: list[int], ahead: int) -> None:
    found = forecast(history, MONDAY, after(history, ahead))
    for value in (found.quantity, found.level, found.trend, found.weekday_factor):
        assert math.isfinite(value)
    assert found.quantity >= 0
    assert found.explanation()


def test_the_naive_baseline_is_the_same_weekday_a_week_before() -> None:
    history = list(range(1, 22))  # 1 on Monday the 2nd ... 21 on Sunday the 22nd
    assert same_weekday_last_week(history, MONDAY, MONDAY + timedelta(days=21)) == 15
    assert same_weekday_last_week(history, MONDAY, MONDAY + timedelta(days=22)) == 16
    assert same_weekday_last_week(history, MONDAY + timedelta(days=3), MONDAY + timedelta(5)) == 0
    with pytest.raises(ValueError, match="ends before"):
        same_weekday_last_week(history, MONDAY, MONDAY + timedelta(days=29))
