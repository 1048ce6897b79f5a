"""Notifications: a module tells a member something ("your order is ready for pickup").

A module declares the kinds of notification it sends in its manifest
(:attr:`~linli_sdk.Manifest.notification_kinds`, each with a description), so a member can
opt out of each kind and an operator can list them. It sends one through
``host.notifications.send(member_id, kind, data)``: the notification is recorded in the
call's transaction (undone with the call, like an event) and sent after the call commits to
the channels the operator configured for the community (a signed webhook to the community's
frontend, SMS).

The platform decides, by the same rules in the kit and on the platform:

- a member who opted out of the kind gets nothing (``opted_out``);
- a member who already had the community's limit of this kind within its window gets
  nothing more (``rate_limited``);
- during the community's quiet hours (in its time zone) the notification is held and sent
  when they end (``held``, with :attr:`Notification.deliver_at`), never dropped;
- otherwise it is sent now (``queued``).

Keep ``data`` to what the member needs to act (an order number, a pickup point's name): it is
sent to the channels and then forgotten; the send log keeps only the kind, the member's id,
the channel, the status and the time.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Notification", "NotificationKind", "NotificationStatus", "Notifications"]


class NotificationKind(BaseModel):
    """A kind of notification a module sends, declared in its manifest.

    Attributes:
        name: The kind's name within the module, e.g. ``ready_for_pickup``.
        description: What it tells the member and why, shown when they choose what to receive.
        text: The short text a text channel (SMS) sends, with ``{field}`` placeholders filled
            from the notification's ``data`` (e.g. ``"Order {order_id} is at {point}"``);
            empty sends the description.

    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(pattern=r"^[a-z][a-z0-9_]{1,59}$")
    description: str = Field(min_length=1)
    text: str = ""

    def render(self, data: Mapping[str, Any]) -> str:
        """The text a text channel sends for ``data``; a missing field renders empty."""
        if not self.text:
            return self.description

        class _Blank(dict[str, Any]):
            def __missing__(self, key: str) -> str:
                return ""

        return self.text.format_map(_Blank({k: v for k, v in data.items()}))


class NotificationStatus(StrEnum):
    """What became of a notification when it was sent."""

    QUEUED = "queued"
    """It goes to the community's channels as soon as the call commits."""
    HELD = "held"
    """It is quiet hours in the community: it goes out at :attr:`Notification.deliver_at`."""
    OPTED_OUT = "opted_out"
    """The member opted out of this kind: nothing is sent."""
    RATE_LIMITED = "rate_limited"
    """The member already had as many of this kind as the community allows: nothing is sent."""


class Notification(BaseModel):
    """A notification as the platform recorded it.

    Attributes:
        id: Its id; channels carry it (the webhook's ``webhook-id``), so a receiver that sees
            the same id twice knows it is a repeat.
        member_id: Whom it is for.
        kind: Its kind, as the module declared it (without the module's name).
        status: What became of it (see :class:`NotificationStatus`).
        deliver_at: When it is sent: now for ``queued``, the end of quiet hours for ``held``;
            ``None`` when nothing is sent.

    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    member_id: int
    kind: str
    status: NotificationStatus
    deliver_at: datetime | None = None


class Notifications(Protocol):
    """Notifications to the community's members, through the channels the operator set up."""

    async def send(
        self,
        member_id: int,
        kind: str,
        data: Mapping[str, Any],
        *,
        ref: str | None = None,
    ) -> Notification:
        """Notify ``member_id`` of ``kind`` with ``data`` (JSON), once the call commits.

        Opt-outs, rate limits and quiet hours decide its :attr:`~Notification.status`. With a
        ``ref`` (e.g. ``"ready:order-42"``) it is sent once: sending the same ``ref`` again
        returns the first notification, whatever ``data`` says.

        Raises:
            InvalidInput: ``kind`` is not one of the manifest's ``notification_kinds``.
            NotFound: ``member_id`` is not a member of this community.

        """
        ...
