"""``linli communities`` and ``linli network``: communities, units, invitations, pickup network.

The same services the operator API calls, from the command line (the platform operator's
reach: every community). Each command prints what it made or found, one line per thing, ids
first.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click
from linli_sdk import PickupPointView, Role

if TYPE_CHECKING:
    from .platform import Platform

__all__ = ["communities", "network"]

T = TypeVar("T")


def _run(work: Callable[[Platform], Awaitable[T]]) -> T:
    from .cli import _run as run

    return run(work)


def _community_line(row: dict[str, Any]) -> str:
    archived = f"  archived {row['archived_at']:%Y-%m-%d}" if row.get("archived_at") else ""
    return f"{row['slug']}\t{row['name']}\t{row['timezone']}\t{row['currency']}{archived}"


@click.group()
def communities() -> None:
    """Create, list, rename and archive communities; their units and role invitations."""


@communities.command("create")
@click.argument("slug")
@click.argument("name")
@click.option("--timezone", default="Asia/Shanghai", show_default=True, help="IANA time zone.")
@click.option("--currency", default="CNY", show_default=True, help="ISO 4217 code.")
def create(slug: str, name: str, timezone: str, currency: str) -> None:
    """Create a community SLUG called NAME."""
    from .identity.communities import create_community, get_record

    async def work(platform: Platform) -> dict[str, Any]:
        made = await create_community(slug, name, timezone=timezone, currency=currency)
        return await get_record(made.slug)

    click.echo(_community_line(_run(work)))


@communities.command("list")
@click.option("--archived", is_flag=True, help="List the archived communities too.")
def list_all(archived: bool) -> None:
    """List the communities: slug, name, time zone, currency."""
    from .identity.communities import list_communities

    for row in _run(lambda platform: list_communities(archived=archived)):
        click.echo(_community_line(row))


@communities.command("rename")
@click.argument("slug")
@click.argument("name")
def rename(slug: str, name: str) -> None:
    """Give community SLUG the display name NAME."""
    from .identity.communities import update_community

    click.echo(_community_line(_run(lambda platform: update_community(slug, name=name))))


@communities.command("set-timezone")
@click.argument("slug")
@click.argument("zone")
def set_timezone(slug: str, zone: str) -> None:
    """Count community SLUG's local dates in the IANA time zone ZONE."""
    from .identity.communities import update_community

    click.echo(_community_line(_run(lambda platform: update_community(slug, timezone=zone))))


@communities.command("archive")
@click.argument("slug")
def archive(slug: str) -> None:
    """Archive community SLUG: its data stays, its members are refused."""
    from .identity.communities import archive_community

    click.echo(_community_line(_run(lambda platform: archive_community(slug))))


@communities.command("add-unit")
@click.argument("slug")
@click.argument("building")
@click.argument("room")
def add_unit(slug: str, building: str, room: str) -> None:
    """Add the unit BUILDING-ROOM (楼栋、房号) to community SLUG."""
    from .identity.communities import get_community
    from .identity.verification import add_unit as add

    async def work(platform: Platform) -> dict[str, Any]:
        return await add(await get_community(slug), building, room)

    unit = _run(work)
    click.echo(f"unit {unit['id']}\t{unit['building']}-{unit['room']}")


@communities.command("units")
@click.argument("slug")
def units(slug: str) -> None:
    """List community SLUG's units."""
    from .identity.communities import get_community
    from .identity.verification import list_units

    async def work(platform: Platform) -> list[dict[str, Any]]:
        return await list_units(await get_community(slug))

    for unit in _run(work):
        click.echo(f"unit {unit['id']}\t{unit['building']}-{unit['room']}")


@communities.command("invite-resident")
@click.argument("slug")
@click.argument("unit_id", type=int)
@click.option("--uses", default=1, show_default=True, help="How many people may redeem it.")
@click.option("--days", default=14, show_default=True, help="How long it stays valid.")
def invite_resident(slug: str, unit_id: int, uses: int, days: int) -> None:
    """Print an invitation code that verifies its redeemer as a resident of UNIT_ID."""
    from .identity.communities import get_community
    from .identity.verification import issue_invitation

    async def work(platform: Platform) -> str:
        return await issue_invitation(await get_community(slug), unit_id, None, uses, days)

    click.echo(_run(work))


@communities.command("invite")
@click.argument("slug")
@click.argument("phone")
@click.argument("role", type=click.Choice(["leader", "pickup_host", "provider_staff"]))
@click.argument("name")
@click.option("--point", "point_id", type=int, help="The pickup point they keep or lead.")
@click.option("--provider", "provider_id", type=int, help="The provider staff work for.")
@click.option("--days", default=14, show_default=True, help="How long it stays open.")
def invite(
    slug: str,
    phone: str,
    role: str,
    name: str,
    point_id: int | None,
    provider_id: int | None,
    days: int,
) -> None:
    """Invite PHONE to be ROLE in SLUG: they accept by signing in there with that number."""
    from .identity.communities import get_community
    from .identity.role_invitations import invite as make

    async def work(platform: Platform) -> dict[str, Any]:
        return await make(
            platform.identity,
            await get_community(slug),
            phone=phone,
            role=Role(role),
            display_name=name,
            pickup_point_id=point_id,
            provider_id=provider_id,
            days=days,
        )

    made = _run(work)
    click.echo(f"invitation {made['id']}\t{made['role']}\t{made['phone_masked']}\t{name}")


@click.group()
def network() -> None:
    """A community's pickup network: warehouses (中心仓, 网格仓) and pickup points (自提点)."""


@network.command("add-warehouse")
@click.argument("slug")
@click.argument("kind", type=click.Choice(["central", "grid"]))
@click.argument("name")
@click.option("--address", default="")
@click.option("--central", "central_id", type=int, help="A grid warehouse's central one.")
def add_warehouse(slug: str, kind: Any, name: str, address: str, central_id: int | None) -> None:
    """Add the central warehouse or a grid warehouse to community SLUG."""
    from .identity.communities import get_community
    from .network.service import add_warehouse as add

    async def work(platform: Platform) -> dict[str, Any]:
        where = await get_community(slug)
        return await add(where, kind, name, address=address, central_id=central_id)

    made = _run(work)
    click.echo(f"warehouse {made['id']}\t{made['kind']}\t{made['name']}")


@network.command("warehouses")
@click.argument("slug")
def warehouses(slug: str) -> None:
    """List community SLUG's warehouses."""
    from .identity.communities import get_community
    from .network.service import list_warehouses

    async def work(platform: Platform) -> list[dict[str, Any]]:
        return await list_warehouses(await get_community(slug))

    for row in _run(work):
        click.echo(f"warehouse {row['id']}\t{row['kind']}\t{row['name']}")


def _point_line(point: PickupPointView) -> str:
    return (
        f"pickup point {point.id}\t{point.name}\tgrid: {point.grid_warehouse or '-'}\t"
        f"host: {point.host_id or '-'}\tleader: {point.leader_id or '-'}"
    )


@network.command("add-point")
@click.argument("slug")
@click.argument("name")
@click.option("--address", default="")
@click.option("--grid", "grid_id", type=int, help="The grid warehouse that supplies it.")
@click.option("--host", "host_id", type=int, help="The member who keeps it.")
@click.option("--leader", "leader_id", type=int, help="The member who leads it (团长).")
def add_point(
    slug: str,
    name: str,
    address: str,
    grid_id: int | None,
    host_id: int | None,
    leader_id: int | None,
) -> None:
    """Add a pickup point NAME to community SLUG."""
    from .identity.communities import get_community
    from .network.service import add_pickup_point

    async def work(platform: Platform) -> PickupPointView:
        return await add_pickup_point(
            await get_community(slug),
            name,
            address=address,
            grid_warehouse_id=grid_id,
            host_id=host_id,
            leader_id=leader_id,
        )

    click.echo(_point_line(_run(work)))


@network.command("points")
@click.argument("slug")
def points(slug: str) -> None:
    """List community SLUG's open pickup points, with their hosts and leaders."""
    from .identity.communities import get_community
    from .network.service import pickup_points

    async def work(platform: Platform) -> list[PickupPointView]:
        return await pickup_points(await get_community(slug))

    for point in _run(work):
        click.echo(_point_line(point))
