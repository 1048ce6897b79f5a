"""``linli emergency``: declare, list and end emergencies from the command line.

The platform operator's reach (any community): the same service ``/v1/emergencies`` calls, one
community per transaction, the events delivered to each community's modules. Each command
prints one line per community: the declaration's id, the community, the kind, start and end.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import click
from linli_sdk import Community, Emergency

from ..cli_support import run_on_platform

if TYPE_CHECKING:
    from ..platform import Platform

__all__ = ["emergency"]


def _line(community: Community, found: Emergency, ended: bool = False) -> str:
    end = "-" if found.ends_at is None else f"{found.ends_at:%Y-%m-%dT%H:%MZ}"
    state = (
        "in force" if found.in_force(datetime.now(UTC)) else "ended" if ended else "not in force"
    )
    return (
        f"{found.id}\t{community.slug}\t{found.kind}\t"
        f"{found.starts_at:%Y-%m-%dT%H:%MZ}\t{end}\t{state}"
    )


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@click.group()
def emergency() -> None:
    """Declare, list and end emergencies (应急响应) for communities."""


@emergency.command("declare")
@click.option("--community", "communities", multiple=True, required=True, help="A slug; repeat.")
@click.option("--kind", required=True, help="e.g. epidemic, flood.")
@click.option("--starts", type=click.DateTime(), default=None, help="UTC; now if omitted.")
@click.option("--ends", type=click.DateTime(), default=None, help="UTC; open-ended if omitted.")
@click.option("--notes", default="", help="What residents and modules should know.")
@click.option("--reference", default=None, help="Your id for it (declaring it again is a no-op).")
def declare(
    communities: tuple[str, ...],
    kind: str,
    starts: datetime | None,
    ends: datetime | None,
    notes: str,
    reference: str | None,
) -> None:
    """Declare an emergency for every --community given."""
    from .service import declare as declare_all

    async def work(platform: Platform) -> list[tuple[Community, Emergency]]:
        return await declare_all(
            platform,
            communities,
            kind=kind,
            starts_at=_utc(starts),
            ends_at=_utc(ends),
            notes=notes,
            reference=reference,
        )

    for community, made in run_on_platform(work):
        click.echo(_line(community, made))


@emergency.command("list")
@click.argument("community")
def list_here(community: str) -> None:
    """List the emergencies of COMMUNITY, newest start first."""
    from ..identity.communities import get_community
    from .service import Declared, listed

    async def work(platform: Platform) -> tuple[Community, list[Declared]]:
        where = await get_community(community)
        return where, await listed(where)

    where, found = run_on_platform(work)
    for declared in found:
        click.echo(_line(where, declared.emergency, declared.ended))


@emergency.command("end")
@click.argument("reference")
def end(reference: str) -> None:
    """End the emergency REFERENCE now, in every community it was declared for."""
    from .service import end as end_all

    async def work(platform: Platform) -> list[tuple[Community, Emergency]]:
        return await end_all(platform, reference)

    for community, ended in run_on_platform(work):
        click.echo(_line(community, ended, True))
