"""``linli notifications``: a community's channels, quiet hours and rate limit, and its send log.

The same services the operator API calls (``/v1/communities/{community}/notifications``), from
the command line. Each command prints one line per thing, ids first.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, Any

import click

from .cli_support import run_on_platform

if TYPE_CHECKING:
    from .platform import Platform

__all__ = ["notifications"]


def _channel_line(row: dict[str, Any]) -> str:
    where = row["url"] or row["gateway"]
    return f"{row['id']}\t{row['kind']}\t{where}\t{row['status']}"


@click.group()
def notifications() -> None:
    """A community's notification channels, quiet hours, rate limit and send log."""


@notifications.command("add-webhook")
@click.argument("community")
@click.argument("url")
def add_webhook(community: str, url: str) -> None:
    """Send COMMUNITY's notifications to its frontend at URL, signed; prints the secret."""
    from .identity.communities import get_community
    from .notifications.preferences import add_webhook_channel

    async def work(platform: Platform) -> dict[str, Any]:
        allow = [
            ipaddress.ip_network(net, strict=False)
            for net in platform.settings.dispatch_webhook_allow
        ]
        return await add_webhook_channel(await get_community(community), url, allow)

    made = run_on_platform(work)
    click.echo(f"{_channel_line(made)}\t{made['secret']}")


@notifications.command("add-sms")
@click.argument("community")
@click.option("--gateway", default="sandbox", show_default=True, help="The SMS gateway.")
def add_sms(community: str, gateway: str) -> None:
    """Send COMMUNITY's notifications as SMS through GATEWAY."""
    from .identity.communities import get_community
    from .notifications.preferences import add_sms_channel

    async def work(platform: Platform) -> dict[str, Any]:
        where = await get_community(community)
        return await add_sms_channel(where, gateway, platform.notifications.gateways)

    click.echo(_channel_line(run_on_platform(work)))


@notifications.command("channels")
@click.argument("community")
def list_channels(community: str) -> None:
    """List COMMUNITY's channels: id, kind, URL or gateway, status."""
    from .identity.communities import get_community
    from .notifications.preferences import channels

    async def work(platform: Platform) -> list[dict[str, Any]]:
        return await channels(await get_community(community))

    for row in run_on_platform(work):
        click.echo(_channel_line(row))


@notifications.command("set-channel")
@click.argument("community")
@click.argument("channel_id", type=int)
@click.argument("status", type=click.Choice(["active", "paused"]))
def set_channel(community: str, channel_id: int, status: str) -> None:
    """Pause or resume channel CHANNEL_ID of COMMUNITY."""
    from .identity.communities import get_community
    from .notifications.preferences import set_channel_status

    async def work(platform: Platform) -> dict[str, Any]:
        return await set_channel_status(await get_community(community), channel_id, status)

    click.echo(_channel_line(run_on_platform(work)))


@notifications.command("policy")
@click.argument("community")
@click.option("--quiet-start", help="Local HH:MM quiet hours begin (held, not dropped).")
@click.option("--quiet-end", help="Local HH:MM quiet hours end (equal to start: none).")
@click.option("--rate-limit", type=int, help="At most this many of a kind per member...")
@click.option("--rate-window-minutes", type=int, help="...within this many minutes.")
def set_policy(
    community: str,
    quiet_start: str | None,
    quiet_end: str | None,
    rate_limit: int | None,
    rate_window_minutes: int | None,
) -> None:
    """Show COMMUNITY's quiet hours and rate limit, or change the ones given."""
    from .identity.communities import get_community
    from .notifications import preferences

    async def work(platform: Platform) -> dict[str, Any]:
        where = await get_community(community)
        current = await preferences.policy(where)
        given = {
            "quiet_start": quiet_start,
            "quiet_end": quiet_end,
            "rate_limit": rate_limit,
            "rate_window_minutes": rate_window_minutes,
        }
        if all(value is None for value in given.values()):
            return current
        changes = {k: v for k, v in given.items() if v is not None}
        fields = {k: current[k] for k in given} | changes
        return await preferences.set_policy(where, **fields)

    now = run_on_platform(work)
    click.echo(
        f"quiet {now['quiet_start']}-{now['quiet_end']} {now['timezone']}\t"
        f"at most {now['rate_limit']} per kind per member in {now['rate_window_minutes']} min"
    )


@notifications.command("log")
@click.argument("community")
@click.option("--member", type=int, help="Only this member's lines.")
@click.option("--limit", type=int, default=50, show_default=True)
def send_log(community: str, member: int | None, limit: int) -> None:
    """COMMUNITY's send log, newest first: time, module.kind, member id, channel, status."""
    from .identity.communities import get_community
    from .notifications.preferences import send_log as lines

    async def work(platform: Platform) -> list[dict[str, Any]]:
        return await lines(await get_community(community), member_id=member, limit=limit)

    for row in run_on_platform(work):
        channel = row["channel"] or "-"
        click.echo(
            f"{row['at']:%Y-%m-%dT%H:%M:%S}\t{row['module']}.{row['kind']}\t"
            f"{row['member_id']}\t{channel}\t{row['status']}"
        )
