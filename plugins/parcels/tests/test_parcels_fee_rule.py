"""The storage fee rule, over generated holding times and settings (Hypothesis).

Zero within the free days, never negative, never above the cap, one ``per_day`` for each
started day past the free days, and never less for a parcel held longer.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from linli_parcels.rules import DAY, chargeable_days, storage_fee

held_times = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=400))
free_days = st.integers(0, 30)
per_day = st.integers(0, 2000)
caps = st.integers(0, 10000)


@given(held=held_times, later=held_times, free=free_days, fee=per_day, cap=caps)
def test_the_fee_is_capped_never_negative_and_grows_with_time(
    held: timedelta, later: timedelta, free: int, fee: int, cap: int
) -> None:
    charged = storage_fee(held, free_days=free, per_day=fee, cap=cap)
    assert 0 <= charged <= cap
    if held <= free * DAY:
        assert charged == 0
    assert storage_fee(held + later, free_days=free, per_day=fee, cap=cap) >= charged
    days = chargeable_days(held, free)
    assert charged == min(cap, fee * days)
    # every started day past the free ones counts, and only those
    assert (days - 1) * DAY < held - free * DAY <= days * DAY or days == 0


@given(free=free_days, fee=per_day, cap=caps, extra=st.integers(1, 60))
def test_each_started_day_past_the_free_days_costs_one_day(
    free: int, fee: int, cap: int, extra: int
) -> None:
    start_of_day = free * DAY + (extra - 1) * DAY
    assert storage_fee(start_of_day, free_days=free, per_day=fee, cap=cap) == min(
        cap, fee * (extra - 1)
    )
    just_after = start_of_day + timedelta(seconds=1)
    assert storage_fee(just_after, free_days=free, per_day=fee, cap=cap) == min(cap, fee * extra)


def test_examples_a_resident_would_check() -> None:
    settings = {"free_days": 3, "per_day": 100, "cap": 500}
    assert storage_fee(timedelta(days=3), **settings) == 0
    assert storage_fee(timedelta(days=3, minutes=1), **settings) == 100
    assert storage_fee(timedelta(days=5), **settings) == 200
    assert storage_fee(timedelta(days=5, hours=1), **settings) == 300
    assert storage_fee(timedelta(days=40), **settings) == 500


def test_negative_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="never negative"):
        storage_fee(timedelta(days=9), free_days=0, per_day=-1, cap=100)
