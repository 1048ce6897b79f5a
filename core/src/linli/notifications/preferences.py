"""What operators and members set: channels, quiet hours and rate limits, and opt-outs.

Operators add a community's channels (a webhook to its frontend, an SMS gateway) and set its
quiet hours and rate limit; members list the kinds of notification the community's enabled
modules send and opt out of (or back in to) each. The send log is read here too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from linli_sdk import Community, InvalidInput, NotFound

from ..dispatch.events.destinations import Network, resolve_destination
from ..dispatch.events.webhooks import new_secret
from ..modules.enablement import module_state
from .channels import SmsGateway
from .rules import parse_wall_time, policy_of, wall_time_text
from .tables import (
    NotificationChannel,
    NotificationLog,
    NotificationOptOut,
    NotificationPolicyRow,
)

if TYPE_CHECKING:
    from ..modules.registry import ModuleRegistry

__all__ = [
    "add_sms_channel",
    "add_webhook_channel",
    "channels",
    "kinds_for",
    "opt_in",
    "opt_out",
    "opt_out_key",
    "policy",
    "send_log",
    "set_channel_status",
    "set_policy",
]

_CHANNEL_FIELDS = (
    NotificationChannel.id,
    NotificationChannel.kind,
    NotificationChannel.url,
    NotificationChannel.gateway,
    NotificationChannel.status,
)


def opt_out_key(community_id: int, member_id: int, kind: str) -> str:
    """The unique key of one member's opt-out of one ``<module>.<kind>``."""
    return f"{community_id}:{member_id}:{kind}"


async def add_webhook_channel(
    community: Community, url: str, allow: Sequence[Network] = ()
) -> dict[str, Any]:
    """Add a webhook channel after the SSRF checks; returns it with its signing secret."""
    await resolve_destination(url, allow)
    row = NotificationChannel(
        community=community.id,
        kind="webhook",
        url=url,
        secret=new_secret(),
        status="active",
        created_at=datetime.now(UTC),
    )
    await NotificationChannel.insert(row).run()
    return {
        "id": row.id,
        "kind": "webhook",
        "url": url,
        "gateway": "",
        "status": "active",
        "secret": row.secret,
    }


async def add_sms_channel(
    community: Community, gateway: str, gateways: Mapping[str, SmsGateway]
) -> dict[str, Any]:
    """Add an SMS channel through one of the platform's gateways (``sandbox`` built in)."""
    if gateway not in gateways:
        known = ", ".join(sorted(gateways))
        raise InvalidInput(f"no SMS gateway {gateway!r}: use one of {known}", field="gateway")
    row = NotificationChannel(
        community=community.id,
        kind="sms",
        gateway=gateway,
        status="active",
        created_at=datetime.now(UTC),
    )
    await NotificationChannel.insert(row).run()
    return {"id": row.id, "kind": "sms", "url": "", "gateway": gateway, "status": "active"}


async def channels(community: Community) -> list[dict[str, Any]]:
    """The community's channels by id (without their secrets)."""
    return list(
        await NotificationChannel.select(*_CHANNEL_FIELDS)
        .where(NotificationChannel.community == community.id)
        .order_by(NotificationChannel.id)
    )


async def set_channel_status(community: Community, channel_id: int, status: str) -> dict[str, Any]:
    """Pause (``paused``) or resume (``active``) a channel.

    Raises:
        NotFound: No such channel in this community.

    """
    changed = (
        await NotificationChannel.update({NotificationChannel.status: status})
        .where(
            (NotificationChannel.community == community.id) & (NotificationChannel.id == channel_id)
        )
        .returning(*_CHANNEL_FIELDS)
        .run()
    )
    if not changed:
        raise NotFound(f"no notification channel {channel_id} in this community")
    return dict(changed[0])


async def policy(community: Community) -> dict[str, Any]:
    """The community's quiet hours (local ``HH:MM``, in its time zone) and rate limit."""
    current = policy_of(
        await NotificationPolicyRow.select()
        .where(NotificationPolicyRow.community == community.id)
        .first()
    )
    return {
        "timezone": community.timezone,
        "quiet_start": wall_time_text(current.quiet_hours.start),
        "quiet_end": wall_time_text(current.quiet_hours.end),
        "rate_limit": current.rate_limit,
        "rate_window_minutes": int(current.rate_window.total_seconds() // 60),
    }


async def set_policy(
    community: Community,
    *,
    quiet_start: str,
    quiet_end: str,
    rate_limit: int,
    rate_window_minutes: int,
) -> dict[str, Any]:
    """Set the community's quiet hours and rate limit; returns the policy now in force.

    Raises:
        InvalidInput: A time not ``HH:MM``, a negative limit or a window under one minute.

    """
    parse_wall_time(quiet_start, "quiet_start")
    parse_wall_time(quiet_end, "quiet_end")
    if rate_limit < 0:
        raise InvalidInput("rate_limit may not be negative", field="rate_limit")
    if rate_window_minutes < 1:
        raise InvalidInput("rate_window_minutes must be at least 1", field="rate_window_minutes")
    values: dict[str, Any] = {
        "quiet_start": quiet_start,
        "quiet_end": quiet_end,
        "rate_limit": rate_limit,
        "rate_window_minutes": rate_window_minutes,
        "updated_at": datetime.now(UTC),
    }
    changed = (
        await NotificationPolicyRow.update(
            {getattr(NotificationPolicyRow, name): value for name, value in values.items()}
        )
        .where(NotificationPolicyRow.community == community.id)
        .returning(NotificationPolicyRow.id)
        .run()
    )
    if not changed:
        await NotificationPolicyRow.insert(
            NotificationPolicyRow(community=community.id, **values)
        ).run()
    return await policy(community)


async def kinds_for(
    registry: ModuleRegistry, community: Community, member_id: int
) -> list[dict[str, Any]]:
    """Every kind the community's enabled modules send, with whether the member opted out."""
    opted = {
        row["kind"]
        for row in await NotificationOptOut.select(NotificationOptOut.kind).where(
            (NotificationOptOut.community == community.id)
            & (NotificationOptOut.member == member_id)
        )
    }
    kinds = []
    for name in sorted(registry.modules):
        loaded = registry.modules[name]
        if not loaded.manifest.notification_kinds:
            continue
        if not (await module_state(community, loaded)).enabled:
            continue
        for kind in loaded.manifest.notification_kinds:
            full = f"{name}.{kind.name}"
            kinds.append(
                {
                    "kind": full,
                    "module": name,
                    "description": kind.description,
                    "opted_out": full in opted,
                }
            )
    return kinds


async def _known_kind(registry: ModuleRegistry, kind: str) -> None:
    module, _, name = kind.partition(".")
    loaded = registry.modules.get(module)
    if loaded is None or loaded.manifest.notification_kind(name) is None:
        raise NotFound(f"no notification kind {kind!r}: list them with GET .../notifications/kinds")


async def opt_out(
    registry: ModuleRegistry, community: Community, member_id: int, kind: str
) -> None:
    """The member receives no more ``kind`` (``<module>.<kind>``); repeating it changes nothing.

    Raises:
        NotFound: No module declares that kind.

    """
    await _known_kind(registry, kind)
    await (
        NotificationOptOut.insert(
            NotificationOptOut(
                community=community.id,
                member=member_id,
                kind=kind,
                scope_key=opt_out_key(community.id, member_id, kind),
                created_at=datetime.now(UTC),
            )
        )
        .on_conflict(action="DO NOTHING")
        .run()
    )


async def opt_in(registry: ModuleRegistry, community: Community, member_id: int, kind: str) -> None:
    """The member receives ``kind`` again.

    Raises:
        NotFound: No module declares that kind.

    """
    await _known_kind(registry, kind)
    await NotificationOptOut.delete().where(
        NotificationOptOut.scope_key == opt_out_key(community.id, member_id, kind)
    )


async def send_log(
    community: Community, *, member_id: int | None = None, limit: int = 100
) -> list[dict[str, Any]]:
    """The newest lines of the send log (of one member if given), newest first."""
    condition: Any = NotificationLog.community == community.id
    if member_id is not None:
        condition &= NotificationLog.member_id == member_id
    return list(
        await NotificationLog.select(
            NotificationLog.notification_id,
            NotificationLog.module,
            NotificationLog.kind,
            NotificationLog.member_id,
            NotificationLog.channel,
            NotificationLog.status,
            NotificationLog.at,
        )
        .where(condition)
        .order_by(NotificationLog.id, ascending=False)
        .limit(limit)
    )
