"""The pure rules of notifications: the SDK's decision rules and the values they read.

The decision itself (opt-out, rate limit, quiet hours in the community's time zone) is the
SDK's, so the kit and the platform decide alike; here are the conversions from what an
operator stores (``HH:MM`` wall times, a window in minutes) and what a channel may see.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import time, timedelta
from typing import Any

from linli_sdk import InvalidInput
from linli_sdk._notification_rules import (
    Decision,
    NotificationPolicy,
    QuietHours,
    decide,
    in_quiet_hours,
    quiet_hours_end,
)

__all__ = [
    "COUNTED",
    "Decision",
    "NotificationPolicy",
    "QuietHours",
    "decide",
    "in_quiet_hours",
    "parse_wall_time",
    "policy_of",
    "quiet_hours_end",
    "wall_time_text",
    "webhook_body",
]

COUNTED = ("queued", "held")
"""The statuses a rate limit counts: notifications that are (or will be) sent."""

_WALL = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def parse_wall_time(text: str, field: str) -> time:
    """``"22:30"`` as a wall time.

    Raises:
        InvalidInput: Not ``HH:MM`` on a 24-hour clock.

    """
    match = _WALL.match(text)
    if match is None:
        raise InvalidInput(f"{field} must be a 24-hour HH:MM time, got {text!r}", field=field)
    return time(int(match[1]), int(match[2]))


def wall_time_text(moment: time) -> str:
    """A wall time as ``HH:MM``."""
    return f"{moment.hour:02d}:{moment.minute:02d}"


def policy_of(row: Mapping[str, Any] | None) -> NotificationPolicy:
    """The policy a community's stored row describes (the default without one)."""
    if row is None:
        return NotificationPolicy()
    return NotificationPolicy(
        quiet_hours=QuietHours(
            parse_wall_time(row["quiet_start"], "quiet_start"),
            parse_wall_time(row["quiet_end"], "quiet_end"),
        ),
        rate_limit=int(row["rate_limit"]),
        rate_window=timedelta(minutes=int(row["rate_window_minutes"])),
    )


def webhook_body(
    *, notification_id: str, module: str, kind: str, member_id: int, data: Mapping[str, Any]
) -> dict[str, Any]:
    """What the community's frontend receives: the member, the kind and the module's data."""
    return {
        "notification_id": notification_id,
        "module": module,
        "kind": kind,
        "member_id": member_id,
        "data": dict(data),
    }
