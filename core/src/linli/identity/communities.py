"""Communities: creating, finding, listing, renaming and archiving them.

A community has a slug (its URL name), a display name, an IANA time zone (local dates are
counted in it) and a currency (ISO 4217). Archiving keeps every row but closes the community to
its members: their tokens are refused there (the platform operator still reads it).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from linli_sdk import Community, Conflict, InvalidInput, Money, NotFound

from linli.tables import Community as CommunityRow

__all__ = [
    "CommunityRecord",
    "archive_community",
    "checked_currency",
    "checked_timezone",
    "community_of",
    "create_community",
    "find_community",
    "get_community",
    "get_record",
    "list_communities",
    "update_community",
]

_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")

CommunityRecord = dict[str, Any]
"""A community as operators list it: ``id``, ``slug``, ``name``, ``timezone``, ``currency``,
``created_at`` and ``archived_at`` (``None`` while open)."""


def community_of(row: dict[str, Any]) -> Community:
    """The SDK's view of a ``linli_community`` row."""
    return Community(
        id=row["id"],
        slug=row["slug"],
        name=row["name"],
        timezone=row.get("timezone") or "UTC",
        currency=row.get("currency") or "CNY",
    )


def checked_timezone(name: str) -> str:
    """``name`` if it is an IANA time zone (``Asia/Shanghai``); :class:`InvalidInput` if not."""
    try:
        Community(id=0, slug="x", name="x", timezone=name)
    except ValueError as exc:
        raise InvalidInput(str(exc), field="timezone") from exc
    return name


def checked_currency(code: str) -> str:
    """``code`` if it is an active ISO 4217 code; :class:`InvalidInput` if not."""
    try:
        Money(amount=0, currency=code)
    except ValueError as exc:
        message = f"{code!r} is not an active ISO 4217 currency code"
        raise InvalidInput(message, field="currency") from exc
    return code


async def find_community(slug: str) -> Community | None:
    """The community with this slug (archived or not), or ``None``."""
    row = await CommunityRow.select().where(CommunityRow.slug == slug).first().run()
    return None if row is None else community_of(row)


async def get_community(slug: str) -> Community:
    """The community with this slug; :class:`~linli_sdk.NotFound` if there is none."""
    community = await find_community(slug)
    if community is None:
        raise NotFound(f"there is no community {slug!r}")
    return community


async def create_community(
    slug: str, name: str, *, timezone: str = "UTC", currency: str = "CNY"
) -> Community:
    """Create a community and return it.

    Raises:
        Conflict: The slug is taken.
        InvalidInput: The slug is not lower-case letters, digits and dashes, or the time zone
            or the currency is not known.
    """
    if not _SLUG.match(slug):
        raise InvalidInput(
            "a slug is 1-64 lower-case letters, digits and dashes, e.g. 'river-view'",
            field="slug",
        )
    checked_timezone(timezone)
    checked_currency(currency)
    if await CommunityRow.exists().where(CommunityRow.slug == slug):
        raise Conflict(f"community {slug!r} already exists")
    (row,) = await CommunityRow.insert(
        CommunityRow(
            slug=slug,
            name=name,
            timezone=timezone,
            currency=currency,
            created_at=datetime.now(UTC),
        )
    ).returning(CommunityRow.id)
    return Community(id=row["id"], slug=slug, name=name, timezone=timezone, currency=currency)


_LISTED = (
    CommunityRow.id,
    CommunityRow.slug,
    CommunityRow.name,
    CommunityRow.timezone,
    CommunityRow.currency,
    CommunityRow.created_at,
    CommunityRow.archived_at,
)


async def list_communities(*, archived: bool = False) -> list[CommunityRecord]:
    """Every open community by slug (and the archived ones too when ``archived``)."""
    query = CommunityRow.select(*_LISTED).order_by(CommunityRow.slug)
    if not archived:
        query = query.where(CommunityRow.archived_at.is_null())
    rows: list[CommunityRecord] = await query
    return rows


async def get_record(slug: str) -> CommunityRecord:
    """The community with this slug as operators list it; :class:`NotFound` if none."""
    row: CommunityRecord | None = (
        await CommunityRow.select(*_LISTED).where(CommunityRow.slug == slug).first()
    )
    if row is None:
        raise NotFound(f"there is no community {slug!r}")
    return row


async def update_community(
    slug: str, *, name: str | None = None, timezone: str | None = None
) -> CommunityRecord:
    """Rename a community or move it to another time zone; the updated record."""
    changes: dict[Any, Any] = {}
    if name is not None:
        if not name.strip():
            raise InvalidInput("a community's name is not empty", field="name")
        changes[CommunityRow.name] = name.strip()
    if timezone is not None:
        changes[CommunityRow.timezone] = checked_timezone(timezone)
    record = await get_record(slug)
    if changes:
        await CommunityRow.update(changes).where(CommunityRow.id == record["id"])
        _forget_communities()
    return await get_record(slug)


async def archive_community(slug: str) -> CommunityRecord:
    """Archive a community (idempotent): its members are refused from now on."""
    record = await get_record(slug)
    if record["archived_at"] is None:
        await CommunityRow.update({CommunityRow.archived_at: datetime.now(UTC)}).where(
            CommunityRow.id == record["id"]
        )
        _forget_communities()
    return await get_record(slug)


def _forget_communities() -> None:
    """Forget cached callers: they carry their community's name, zone and archived state."""
    from linli.identity.auth import forget_callers

    forget_callers()
