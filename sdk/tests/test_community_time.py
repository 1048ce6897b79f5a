"""A community's local calendar: its IANA time zone, ``today`` and the start of a local day."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from hypothesis import given
from hypothesis import strategies as st
from linli_sdk import Community, Context


def test_an_unknown_time_zone_is_refused_when_the_community_is_made():
    with pytest.raises(ValueError, match="not an IANA time zone"):
        Community(id=1, slug="c", name="C", timezone="China/Beijing")
    assert Community(id=1, slug="c", name="C").timezone == "UTC"  # the default


def test_local_dates_in_shanghai_are_eight_hours_ahead_of_utc():
    shanghai = Community(id=1, slug="c", name="C", timezone="Asia/Shanghai")
    evening = datetime(2026, 3, 1, 16, 30, tzinfo=UTC)
    assert shanghai.today(evening) == date(2026, 3, 2)
    assert Community(id=1, slug="c", name="C").today(evening) == date(2026, 3, 1)
    assert shanghai.local(evening).hour == 0
    assert shanghai.start_of(date(2026, 3, 2), time(9)) == datetime(2026, 3, 2, 1, tzinfo=UTC)
    with pytest.raises(ValueError, match="timezone-aware"):
        shanghai.local(datetime(2026, 3, 1, 16, 30))
    context = Context(
        community=shanghai,
        module="m",
        caller=None,
        settings=None,
        host=None,
        now=evening,  # type: ignore[arg-type]
    )
    assert context.today == date(2026, 3, 2)


@given(
    st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    ),
    st.sampled_from(
        ["Asia/Shanghai", "America/New_York", "Europe/London", "UTC", "Pacific/Chatham"]
    ),
)
def test_every_moment_falls_on_or_after_the_start_of_its_local_day(moment, zone):
    community = Community(id=1, slug="c", name="C", timezone=zone)
    day = community.today(moment)
    assert community.start_of(day) <= moment
    assert community.today(community.start_of(day)) == day
