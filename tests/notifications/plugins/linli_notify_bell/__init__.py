"""The ``bell`` test module: a leader rings a member (one notification kind, ``ring``)."""

from __future__ import annotations

from linli_sdk import (
    Conflict,
    Context,
    Empty,
    Manifest,
    Notification,
    NotificationKind,
    Role,
    command,
)
from pydantic import BaseModel


class Ring(BaseModel):
    """Ring ``member_id`` about ``order`` at ``point``; ``fail_after`` raises after sending."""

    member_id: int
    order: str
    point: str = "3号楼快递柜"
    ref: str | None = None
    fail_after: bool = False


@command(Role.LEADER)
async def ring(ctx: Context[Empty], data: Ring) -> Notification:
    """Notify the member that the order is ready at the point."""
    sent = await ctx.host.notifications.send(
        data.member_id, "ready", {"order": data.order, "point": data.point}, ref=data.ref
    )
    if data.fail_after:
        raise Conflict("rang, then changed my mind")
    return sent


manifest = Manifest(
    name="bell",
    version="1.0.0",
    sdk=">=1.0,<2",
    title="Bell",
    operations=(ring,),
    notification_kinds=(
        NotificationKind(
            name="ready",
            description="Your order is ready for pickup",
            text="Order {order} is ready at {point}",
        ),
    ),
)
