"""A person's notifications on export and erasure (PIPL): what they chose, what was sent.

Export lists the member's opt-outs and their lines of the send log. Erasure stops what is
still pending for them and forgets its content; the send log (ids, kinds, statuses, times)
and their opt-outs stay, pointing at a member id that no longer leads to a person — an
opt-out keeps honouring the choice.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .tables import NotificationDelivery, NotificationLog, NotificationMessage, NotificationOptOut

__all__ = ["export_member", "forget_member"]


async def export_member(member_id: int) -> dict[str, Any]:
    """The member's opt-outs (``module.kind``) and their send log, oldest first."""
    opted = await NotificationOptOut.select(NotificationOptOut.kind).where(
        NotificationOptOut.member == member_id
    )
    lines = (
        await NotificationLog.select(
            NotificationLog.module,
            NotificationLog.kind,
            NotificationLog.channel,
            NotificationLog.status,
            NotificationLog.at,
        )
        .where(NotificationLog.member_id == member_id)
        .order_by(NotificationLog.id)
    )
    return {"opted_out": sorted(row["kind"] for row in opted), "sent": lines}


async def forget_member(member_ids: Sequence[int]) -> int:
    """Give up what is pending for these members and erase its content; returns how many."""
    if not member_ids:
        return 0
    messages = await NotificationMessage.select(NotificationMessage.id).where(
        NotificationMessage.member.is_in(list(member_ids))
    )
    ids = [row["id"] for row in messages]
    if not ids:
        return 0
    stopped = (
        await NotificationDelivery.update(
            {NotificationDelivery.status: "failed", NotificationDelivery.last_error: "erased"}
        )
        .where(NotificationDelivery.message.is_in(ids) & (NotificationDelivery.status == "pending"))
        .returning(NotificationDelivery.id)
        .run()
    )
    await NotificationMessage.update({NotificationMessage.data: {}}).where(
        NotificationMessage.id.is_in(ids)
    )
    return len(stopped)
