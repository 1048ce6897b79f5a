"""The pure rules deciding what becomes of a notification: opt-outs, rate limits, quiet hours.

Shared by the kit and the platform (the core's ``linli.notifications.rules``), so both decide
alike. No clock and no storage here: the caller passes the moment, the zone and the counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo

from .notifications import NotificationStatus

__all__ = [
    "Decision",
    "NotificationPolicy",
    "QuietHours",
    "decide",
    "in_quiet_hours",
    "quiet_hours_end",
]


@dataclass(frozen=True, slots=True)
class QuietHours:
    """Local wall-clock hours in which nothing is sent: ``[start, end)``.

    ``start`` after ``end`` spans midnight (22:00-07:00); ``start == end`` means none.
    """

    start: time
    end: time

    def __contains__(self, moment: time) -> bool:
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end


@dataclass(frozen=True, slots=True)
class NotificationPolicy:
    """A community's notification rules: quiet hours and a rate limit per member and kind.

    At most ``rate_limit`` notifications of one kind reach one member within ``rate_window``.
    """

    quiet_hours: QuietHours = QuietHours(time(22), time(7))
    rate_limit: int = 10
    rate_window: timedelta = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class Decision:
    """What becomes of one notification, and when it is sent (``None``: never)."""

    status: NotificationStatus
    deliver_at: datetime | None


def _wall(moment: datetime, zone: tzinfo) -> time:
    return moment.astimezone(zone).time().replace(tzinfo=None)


def in_quiet_hours(moment: datetime, zone: tzinfo, quiet: QuietHours) -> bool:
    """Whether the (aware) ``moment`` falls in ``quiet`` on the wall clock of ``zone``."""
    return _wall(moment, zone) in quiet


def quiet_hours_end(now: datetime, zone: tzinfo, quiet: QuietHours) -> datetime | None:
    """The first moment (UTC) after ``now`` outside ``quiet``; ``None`` if ``now`` is outside.

    The end is the next time the wall clock of ``zone`` reads ``quiet.end``. When a
    daylight-saving change skips that wall time, quiet hours end at the change; when it
    repeats it, at the first reading after ``now``.
    """
    if not in_quiet_hours(now, zone, quiet):
        return None
    local = now.astimezone(zone).date()
    for days in range(-1, 3):
        day = local + timedelta(days=days)
        first = datetime.combine(day, quiet.end, tzinfo=zone).replace(fold=0).astimezone(UTC)
        second = datetime.combine(day, quiet.end, tzinfo=zone).replace(fold=1).astimezone(UTC)
        for candidate in sorted({first, second}):
            if candidate <= now or in_quiet_hours(candidate, zone, quiet):
                continue
            if second < first:  # the end's wall time was skipped: quiet ends at the change
                return _first_outside(max(now, second), candidate, zone, quiet)
            return candidate
    raise AssertionError("quiet hours never end")  # pragma: no cover - start == end is no quiet


def _first_outside(
    quiet_at: datetime, outside_at: datetime, zone: tzinfo, q: QuietHours
) -> datetime:
    """Bisect to the second the wall clock leaves ``q`` between two moments either side."""
    low, high = quiet_at, outside_at
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if in_quiet_hours(middle, zone, q):
            low = middle
        else:
            high = middle
    return high


def decide(
    *,
    now: datetime,
    zone: tzinfo,
    policy: NotificationPolicy,
    opted_out: bool,
    recent: int,
) -> Decision:
    """Decide one notification sent at ``now``.

    ``recent`` counts the notifications of this kind to this member that were queued or held
    within ``policy.rate_window`` before ``now``.
    """
    if opted_out:
        return Decision(NotificationStatus.OPTED_OUT, None)
    if recent >= policy.rate_limit:
        return Decision(NotificationStatus.RATE_LIMITED, None)
    end = quiet_hours_end(now, zone, policy.quiet_hours)
    if end is not None:
        return Decision(NotificationStatus.HELD, end)
    return Decision(NotificationStatus.QUEUED, now.astimezone(UTC))
