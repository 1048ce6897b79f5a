"""The rules deciding a notification: opt-outs, rate limits and quiet hours in any time zone.

Hypothesis draws moments, time zones (daylight-saving ones among them) and quiet hours, those
spanning midnight included: a notification in quiet hours is held to the first moment after
them, never dropped, and one outside them goes now.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import example, given
from hypothesis import strategies as st
from linli_sdk import NotificationStatus
from linli_sdk._notification_rules import (
    NotificationPolicy,
    QuietHours,
    decide,
    in_quiet_hours,
    quiet_hours_end,
)

ZONES = [
    "UTC",
    "Asia/Shanghai",
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",  # a half-hour daylight-saving shift
    "Pacific/Chatham",
    "America/Santiago",  # the change at midnight
    "Asia/Kathmandu",
]

CHANGES = [  # around daylight-saving changes in the zones above, 2026
    datetime(2026, 3, 29, 1, tzinfo=UTC),  # Europe: spring forward
    datetime(2026, 10, 25, 1, tzinfo=UTC),  # Europe: fall back
    datetime(2026, 3, 8, 7, tzinfo=UTC),  # New York
    datetime(2026, 11, 1, 6, tzinfo=UTC),
    datetime(2026, 4, 4, 15, tzinfo=UTC),  # Lord Howe
    datetime(2026, 10, 3, 15, tzinfo=UTC),
    datetime(2026, 4, 5, 3, tzinfo=UTC),  # Santiago
    datetime(2026, 9, 6, 4, tzinfo=UTC),
    datetime(2026, 4, 4, 14, tzinfo=UTC),  # Chatham
    datetime(2026, 9, 26, 14, tzinfo=UTC),
]
moments = st.one_of(
    st.datetimes(
        min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC)
    ),
    st.builds(
        lambda change, seconds: change + timedelta(seconds=seconds),
        st.sampled_from(CHANGES),
        st.integers(-36 * 3600, 36 * 3600),
    ),
)
wall_times = st.times().map(lambda t: t.replace(microsecond=0))
quiet_hours = st.builds(QuietHours, wall_times, wall_times).filter(lambda q: q.start != q.end)


def test_quiet_hours_spanning_midnight_hold_late_evening_and_early_morning():
    quiet = QuietHours(time(22), time(7))
    assert time(23, 30) in quiet and time(6, 59) in quiet and time(22) in quiet
    assert time(7) not in quiet and time(12) not in quiet and time(21, 59) not in quiet
    assert time(3) not in QuietHours(time(5), time(5))  # start == end: no quiet hours


def test_in_shanghai_a_send_at_23h_local_is_held_until_7h_local():
    shanghai = ZoneInfo("Asia/Shanghai")
    now = datetime(2026, 5, 1, 15, tzinfo=UTC)  # 23:00 in Shanghai
    decision = decide(
        now=now, zone=shanghai, policy=NotificationPolicy(), opted_out=False, recent=0
    )
    assert decision.status is NotificationStatus.HELD
    assert decision.deliver_at == datetime(2026, 5, 1, 23, tzinfo=UTC)  # 07:00 on 2 May


def test_a_quiet_end_skipped_by_daylight_saving_ends_at_the_change():
    berlin = ZoneInfo("Europe/Berlin")  # 29 March 2026: 02:00 CET becomes 03:00 CEST
    quiet = QuietHours(time(22), time(2, 30))
    now = datetime(2026, 3, 28, 23, tzinfo=UTC)  # 00:00 CET
    assert quiet_hours_end(now, berlin, quiet) == datetime(2026, 3, 29, 1, tzinfo=UTC)


@given(moments, st.sampled_from(ZONES), quiet_hours)
@example(
    datetime(2026, 10, 25, 1, 10, tzinfo=UTC), "Europe/Berlin", QuietHours(time(1), time(2, 15))
)
def test_a_send_in_quiet_hours_is_held_to_the_first_moment_after_them(now, zone_name, quiet):
    zone = ZoneInfo(zone_name)
    end = quiet_hours_end(now, zone, quiet)
    if not in_quiet_hours(now, zone, quiet):
        assert end is None
        return
    assert end is not None and end > now
    assert not in_quiet_hours(end, zone, quiet)  # sent when quiet hours are over...
    assert end - now <= timedelta(hours=26)  # ...within a day, never dropped...
    before = end - timedelta(seconds=1)
    assert before <= now or in_quiet_hours(before, zone, quiet)  # ...and not a second later
    # Quiet all along: no moment between now and the end is outside quiet hours.
    step = (end - now) / 7
    assert all(in_quiet_hours(now + step * i, zone, quiet) for i in range(7))


@given(moments, st.sampled_from(ZONES), quiet_hours, st.booleans(), st.integers(0, 20))
def test_an_opted_out_member_never_gets_one_and_nothing_is_dropped_for_quiet_hours(
    now, zone_name, quiet, opted_out, recent
):
    policy = NotificationPolicy(quiet_hours=quiet, rate_limit=5)
    decision = decide(
        now=now, zone=ZoneInfo(zone_name), policy=policy, opted_out=opted_out, recent=recent
    )
    if opted_out:
        assert (decision.status, decision.deliver_at) == (NotificationStatus.OPTED_OUT, None)
    elif recent >= 5:
        assert (decision.status, decision.deliver_at) == (NotificationStatus.RATE_LIMITED, None)
    else:
        assert decision.deliver_at is not None and decision.deliver_at >= now
        held = in_quiet_hours(now, ZoneInfo(zone_name), quiet)
        assert decision.status is (NotificationStatus.HELD if held else NotificationStatus.QUEUED)
