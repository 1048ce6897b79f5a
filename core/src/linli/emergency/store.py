"""The emergency channel's SQL: every query names its community."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from linli_sdk import Community, Emergency

from .tables import EmergencyRow

__all__ = ["emergency_of", "find", "insert", "list_in", "set_end"]


def _moment(value: Any) -> datetime:
    moment: datetime = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def emergency_of(row: dict[str, Any]) -> Emergency:
    """The SDK's view of a stored row."""
    ends = row["ends_at"]
    return Emergency(
        id=row["reference"],
        kind=row["kind"],
        starts_at=_moment(row["starts_at"]),
        ends_at=None if ends is None else _moment(ends),
        notes=row["notes"],
    )


async def find(community: Community, reference: str) -> dict[str, Any] | None:
    """The row of declaration ``reference`` in ``community``, or ``None``."""
    row: dict[str, Any] | None = (
        await EmergencyRow.select()
        .where((EmergencyRow.community == community.id) & (EmergencyRow.reference == reference))
        .first()
    )
    return row


async def list_in(community: Community) -> list[dict[str, Any]]:
    """Every emergency declared for ``community``, newest start first."""
    rows: list[dict[str, Any]] = await (
        EmergencyRow.select()
        .where(EmergencyRow.community == community.id)
        .order_by(EmergencyRow.starts_at, ascending=False)
        .order_by(EmergencyRow.id, ascending=False)
    )
    return rows


async def insert(
    community: Community,
    reference: str,
    emergency: Emergency,
    *,
    declared_by: str,
    at: datetime,
) -> None:
    """Store a declaration for one community (its ``scope_key`` makes it once per reference)."""
    await EmergencyRow.insert(
        EmergencyRow(
            community=community.id,
            reference=reference,
            scope_key=f"{community.id}:{reference}",
            kind=emergency.kind,
            starts_at=emergency.starts_at,
            ends_at=emergency.ends_at,
            notes=emergency.notes,
            declared_by=declared_by,
            declared_at=at,
        )
    )


async def set_end(
    community: Community, reference: str, ends_at: datetime | None, ended_at: datetime | None
) -> None:
    """Move the planned end (and record the moment it was ended, if it was)."""
    await EmergencyRow.update(
        {EmergencyRow.ends_at: ends_at, EmergencyRow.ended_at: ended_at}
    ).where((EmergencyRow.community == community.id) & (EmergencyRow.reference == reference))
