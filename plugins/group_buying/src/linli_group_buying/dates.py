"""Pickup days counted in the community's local calendar (its time zone, not UTC)."""

from __future__ import annotations

from datetime import datetime, timedelta

from linli_sdk import Community

__all__ = ["collect_by"]


def collect_by(community: Community, closed_at: datetime, days: int) -> datetime:
    """When the pickup days of a campaign closed at ``closed_at`` end.

    The goods are collected on the ``days`` local days after the closing date (the closing day
    itself is the delivery day): the pickup days end at the community's midnight that closes
    the last of them. A pickup before then is on time; the uncollected policy runs then. In
    Shanghai, a campaign closed at 07:00 local time (23:00 UTC the day before) with one pickup
    day may be collected until midnight local time the next day, not only until 08:00 local
    time as UTC dates would have it.
    """
    return community.start_of(community.today(closed_at) + timedelta(days=days + 1))
