"""Declaring, amending and ending emergencies, one community per transaction.

An operator declares an emergency (kind, start, planned end, notes) for one or more
communities. Each community gets its own row, written with an ``emergency.declared`` event
in that community's transaction, so no transaction spans two communities; the rows share the
declaration's reference, which also makes a repeated declaration with the same reference
change nothing. Moving the end publishes ``emergency.amended``, ending it ``emergency.ended``;
every module enabled in the community receives them on ``linli_event`` and can read the
state at any time through ``host.emergency``.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from linli_sdk import (
    EMERGENCY_AMENDED,
    EMERGENCY_DECLARED,
    EMERGENCY_ENDED,
    Community,
    Conflict,
    Emergency,
    NotFound,
)

from ..db.runtime import current_engine
from ..dispatch.ports import record_event
from ..identity.communities import get_community, list_communities
from ..unit_of_work import UnitOfWork
from . import store
from .rules import check_window, in_force_first

if TYPE_CHECKING:
    from ..platform import Platform

__all__ = [
    "Declared",
    "amend",
    "current",
    "declare",
    "declare_in",
    "end",
    "end_in",
    "get",
    "in_each",
    "listed",
]

T = TypeVar("T")


class Declared:
    """An emergency as one community has it, and whether an operator ended it."""

    def __init__(self, emergency: Emergency, ended: bool) -> None:
        self.emergency, self.ended = emergency, ended


async def _announce(community: Community, unit: UnitOfWork, type: str, e: Emergency) -> None:
    payload = {"emergency": e.model_dump(mode="json")}
    unit.events.append(await record_event(community, None, type, payload))


async def declare_in(
    community: Community,
    unit: UnitOfWork,
    emergency: Emergency,
    *,
    declared_by: str,
) -> Emergency:
    """Declare ``emergency`` here (once per its id) and tell the community's modules.

    Raises:
        InvalidInput: A kind that is not a word, or an end not after the start.

    """
    check_window(emergency.kind, emergency.starts_at, emergency.ends_at)
    existing = await store.find(community, emergency.id)
    if existing is not None:
        return store.emergency_of(existing)
    await store.insert(
        community, emergency.id, emergency, declared_by=declared_by, at=datetime.now(UTC)
    )
    await _announce(community, unit, EMERGENCY_DECLARED, emergency)
    return emergency


async def _required(community: Community, reference: str) -> dict[str, Any]:
    row = await store.find(community, reference)
    if row is None:
        raise NotFound(f"there is no emergency {reference} in {community.slug}")
    return row


async def amend_in(
    community: Community, unit: UnitOfWork, reference: str, ends_at: datetime | None
) -> Emergency:
    """Move the planned end of an emergency here (``None``: until further notice).

    Raises:
        NotFound: No such emergency here.
        Conflict: It was ended already.
        InvalidInput: The end is not after the start.

    """
    row = await _required(community, reference)
    if row["ended_at"] is not None:
        raise Conflict(f"emergency {reference} was ended already", reason="ended")
    before = store.emergency_of(row)
    check_window(before.kind, before.starts_at, ends_at)
    await store.set_end(community, reference, ends_at, None)
    changed = before.model_copy(update={"ends_at": ends_at})
    await _announce(community, unit, EMERGENCY_AMENDED, changed)
    return changed


async def end_in(community: Community, unit: UnitOfWork, reference: str) -> Emergency:
    """End an emergency here now (one not started yet never comes into force); once."""
    row = await _required(community, reference)
    before = store.emergency_of(row)
    if row["ended_at"] is not None:
        return before
    now = datetime.now(UTC)
    ends_at = max(now, before.starts_at)
    if before.ends_at is not None and before.ends_at < ends_at:
        ends_at = before.ends_at  # over already: its end stays as it was
    await store.set_end(community, reference, ends_at, now)
    ended = before.model_copy(update={"ends_at": ends_at})
    await _announce(community, unit, EMERGENCY_ENDED, ended)
    return ended


async def listed(community: Community) -> list[Declared]:
    """Every emergency declared here, newest start first, with whether it was ended."""
    rows = await store.list_in(community)
    return [Declared(store.emergency_of(r), r["ended_at"] is not None) for r in rows]


async def current(community: Community, now: datetime | None = None) -> Emergency | None:
    """The emergency in force here at ``now`` (the earliest started), or ``None``."""
    found = [d.emergency for d in await listed(community)]
    return in_force_first(found, now or datetime.now(UTC))


async def get(community: Community, reference: str) -> Emergency | None:
    """One emergency declared here, or ``None``."""
    row = await store.find(community, reference)
    return None if row is None else store.emergency_of(row)


async def in_each(
    platform: Platform,
    slugs: Sequence[str],
    work: Callable[[Community, UnitOfWork], Awaitable[T]],
) -> list[tuple[Community, T]]:
    """Run ``work`` in each named community, each in its own transaction, events delivered.

    Every community is looked up first, so an unknown slug changes nothing anywhere.

    Raises:
        NotFound: A slug names no community.

    """
    communities = [await get_community(slug) for slug in dict.fromkeys(slugs)]
    done = []
    for community in communities:
        unit = UnitOfWork(platform, community)
        async with current_engine().transaction():
            result = await work(community, unit)
        await unit.deliver()
        done.append((community, result))
    return done


async def declare(
    platform: Platform,
    slugs: Sequence[str],
    *,
    kind: str,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    notes: str = "",
    reference: str | None = None,
    declared_by: str = "platform",
) -> list[tuple[Community, Emergency]]:
    """Declare one emergency for every community in ``slugs`` (the platform operator, the CLI)."""
    emergency = Emergency(
        id=reference or str(uuid.uuid4()),
        kind=kind,
        starts_at=starts_at or datetime.now(UTC),
        ends_at=ends_at,
        notes=notes,
    )
    check_window(emergency.kind, emergency.starts_at, emergency.ends_at)

    async def work(community: Community, unit: UnitOfWork) -> Emergency:
        return await declare_in(community, unit, emergency, declared_by=declared_by)

    return await in_each(platform, slugs, work)


async def _declared_in(reference: str) -> list[str]:
    """The slugs of the communities declaration ``reference`` was made for (asked of each)."""
    slugs = [
        record["slug"]
        for record in await list_communities(archived=True)
        if await store.find(await get_community(record["slug"]), reference) is not None
    ]
    if not slugs:
        raise NotFound(f"there is no emergency {reference}")
    return slugs


async def amend(
    platform: Platform, reference: str, ends_at: datetime | None
) -> list[tuple[Community, Emergency]]:
    """Move the planned end of declaration ``reference`` in every community it covers."""

    async def work(community: Community, unit: UnitOfWork) -> Emergency:
        return await amend_in(community, unit, reference, ends_at)

    return await in_each(platform, await _declared_in(reference), work)


async def end(platform: Platform, reference: str) -> list[tuple[Community, Emergency]]:
    """End declaration ``reference`` now in every community it covers."""

    async def work(community: Community, unit: UnitOfWork) -> Emergency:
        return await end_in(community, unit, reference)

    return await in_each(platform, await _declared_in(reference), work)
