"""The emergency channel's pure rules: valid windows, and which emergency is in force."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from linli.emergency.rules import check_window, in_force_first
from linli_sdk import Emergency, InvalidInput

T0 = datetime(2026, 1, 1, tzinfo=UTC)
moments = st.integers(0, 1000).map(lambda h: T0 + timedelta(hours=h))


def test_a_window_needs_a_word_for_a_kind_and_an_end_after_its_start():
    check_window("epidemic", T0, None)
    check_window("flood", T0, T0 + timedelta(days=1))
    for kind, end in (("Epidemic!", None), ("flood", T0), ("flood", T0 - timedelta(hours=1))):
        with pytest.raises(InvalidInput):
            check_window(kind, T0, end)
    with pytest.raises(InvalidInput):
        check_window("flood", datetime(2026, 1, 1), None)  # no time zone


emergencies = st.lists(
    st.builds(
        lambda i, start, hours: Emergency(
            id=f"e{i}",
            kind="flood",
            starts_at=start,
            ends_at=None if hours is None else start + timedelta(hours=hours),
        ),
        st.integers(0, 99),
        moments,
        st.none() | st.integers(1, 200),
    ),
    unique_by=lambda e: e.id,
    max_size=8,
)


@given(emergencies, moments)
def test_the_emergency_in_force_is_one_in_force_that_started_first(found, now):
    chosen = in_force_first(found, now)
    live = [e for e in found if e.starts_at <= now and (e.ends_at is None or now < e.ends_at)]
    if not live:
        assert chosen is None
    else:
        assert chosen in live and all(chosen.starts_at <= e.starts_at for e in live)
