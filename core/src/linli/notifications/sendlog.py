"""The send log: what happened to each notification on each channel, and nothing it said.

Each line holds the notification's id, module, kind, the member's id, the channel
(``webhook:<id>``, ``sms:<id>`` or empty for the decision), the status and the time: no
phone number, no name, no ``data`` (PIPL: the minimum needed to answer "was I notified?").
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from .tables import NotificationLog

__all__ = ["log_send"]


async def log_send(message: Mapping[str, Any], status: str, channel: str = "") -> None:
    """Append one line for the notification ``message`` (its row) to the send log."""
    await NotificationLog.insert(
        NotificationLog(
            community=message["community"],
            notification_id=message["notification_id"],
            module=message["module"],
            kind=message["kind"],
            member_id=message["member"],
            channel=channel,
            status=status,
            at=datetime.now(UTC),
        )
    ).run()
