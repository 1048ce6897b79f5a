"""The channels a notification goes out on: a signed webhook, or SMS through a gateway.

A **webhook** channel posts to the community's frontend, signed exactly as dispatch's webhooks
are (Standard Webhooks: ``webhook-id`` is the notification's id, the same on every retry, so a
receiver that saw it already drops the repeat), after the same SSRF checks.

An **SMS** channel hands a short text to an :class:`SmsGateway` with an idempotency key: the
gateway accepts each key once. :class:`SandboxSms` is the built-in gateway: it keeps what it
accepted in ``linli_notifications_sms_sandbox`` (the number masked) and sends nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

import httpx
from linli_sdk import Event, InvalidInput

from ..dispatch.events.destinations import Network
from ..dispatch.events.webhooks import send as send_webhook
from ..identity.personal_data import mask_phone
from ..identity.tables import Membership
from .rules import webhook_body
from .tables import SmsSandboxMessage

if TYPE_CHECKING:
    from ..platform import Platform

__all__ = ["ChannelFailed", "SandboxSms", "SmsGateway", "member_phone", "send_on"]


class ChannelFailed(Exception):
    """A channel did not take the notification: tried again later, unless ``final``."""

    def __init__(self, reason: str, *, final: bool = False) -> None:
        super().__init__(reason)
        self.final = final


class SmsGateway(Protocol):
    """An SMS provider's adapter: one method, idempotent by key."""

    name: str
    """The name an operator gives an SMS channel (``--gateway``)."""

    async def send(self, *, community_id: int, key: str, phone: str, text: str) -> str:
        """Send ``text`` to ``phone`` once per ``key``; returns the provider's message id.

        Raises:
            ChannelFailed: The provider refused or could not be reached (tried again later).

        """
        ...


class SandboxSms:
    """The sandbox SMS gateway: records each text once (test messages, nothing is sent)."""

    name = "sandbox"

    async def send(self, *, community_id: int, key: str, phone: str, text: str) -> str:
        """Keep the text with the number masked; the same ``key`` again changes nothing."""
        existing = await SmsSandboxMessage.select(SmsSandboxMessage.id).where(
            SmsSandboxMessage.idempotency_key == key
        )
        if not existing:
            await (
                SmsSandboxMessage.insert(
                    SmsSandboxMessage(
                        community=community_id,
                        idempotency_key=key,
                        to_masked=mask_phone(phone),
                        text=text,
                        received_at=datetime.now(UTC),
                    )
                )
                .on_conflict(action="DO NOTHING")
                .run()
            )
        return f"sandbox:{key}"


async def member_phone(platform: Platform, member_id: int) -> str | None:
    """The member's phone number, unsealed only to hand to an SMS gateway."""
    row = (
        await Membership.select(Membership.account.phone_sealed)
        .where(Membership.member == member_id)
        .first()
    )
    sealed = row and row.get("account.phone_sealed")
    if not sealed:
        return None
    return (await platform.identity.keys()).data.open(sealed, "phone")


async def send_on(
    platform: Platform,
    client: httpx.AsyncClient,
    channel: Mapping[str, Any],
    message: Mapping[str, Any],
    community_slug: str,
    *,
    text: str,
    gateways: Mapping[str, SmsGateway],
    allow: Sequence[Network] = (),
) -> None:
    """Send one notification on one channel.

    Raises:
        ChannelFailed: The channel did not take it.

    """
    if channel["kind"] == "webhook":
        event = Event(
            id=message["notification_id"],
            type=f"notification.{message['module']}.{message['kind']}",
            community=community_slug,
            module=message["module"],
            occurred=message["created_at"],
            payload=webhook_body(
                notification_id=message["notification_id"],
                module=message["module"],
                kind=message["kind"],
                member_id=message["member"],
                data=message["data"],
            ),
        )
        try:
            answer = await send_webhook(client, channel["url"], channel["secret"], event, 1, allow)
        except (httpx.HTTPError, OSError, InvalidInput) as exc:
            raise ChannelFailed(type(exc).__name__) from exc
        if not answer.is_success:
            raise ChannelFailed(f"HTTP {answer.status_code}")
        return
    gateway = gateways.get(channel["gateway"])
    if gateway is None:
        raise ChannelFailed(f"no SMS gateway {channel['gateway']!r} here", final=True)
    phone = await member_phone(platform, message["member"])
    if phone is None:
        raise ChannelFailed("the member has no phone number", final=True)
    key = f"{message['notification_id']}:{channel['id']}"
    await gateway.send(community_id=message["community"], key=key, phone=phone, text=text)
