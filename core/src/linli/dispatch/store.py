"""SQL shared by the dispatch service: the clock in milliseconds and claiming due rows.

A claim is one conditional ``UPDATE ... RETURNING``: on PostgreSQL the candidate row is picked
with ``FOR UPDATE SKIP LOCKED`` so several worker processes never take the same row; on SQLite
the write transaction (``BEGIN IMMEDIATE``) already serialises writers.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from linli_sdk import Community
from piccolo.engine.postgres import PostgresEngine

from linli.db.raw import fetch

from ..identity.communities import community_of
from ..tables import Community as CommunityRow
from .tables import ScheduledDeadline

__all__ = [
    "as_datetime",
    "claim",
    "community_by_id",
    "engine",
    "epoch_ms",
    "json_value",
    "postpone",
]


def engine() -> Any:
    """The engine the dispatch tables are bound to."""
    return ScheduledDeadline._meta.db


def epoch_ms(moment: datetime) -> int:
    """``moment`` as integer milliseconds since the epoch."""
    return int(moment.timestamp() * 1000)


def json_value(value: Any) -> Any:
    """A JSON column as read by raw SQL (text on some drivers) as Python data."""
    return json.loads(value) if isinstance(value, str) else value


def as_datetime(value: Any) -> datetime:
    """A timestamp column as read by raw SQL, as an aware UTC datetime."""
    moment: datetime = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def claim(
    table: str,
    set_sql: str,
    set_args: list[Any],
    where: str,
    where_args: list[Any],
    order: str = "run_at, id",
) -> dict[str, Any] | None:
    """Take the first row of ``table`` matching ``where`` with one conditional UPDATE.

    ``set_sql`` is the ``SET`` list and ``where`` the condition, with ``{}`` placeholders for
    ``set_args`` and ``where_args``. Rows are taken in ``order``. The condition is
    checked again on the row itself, so a row another process changed meanwhile is not taken.
    Returns the updated row, or ``None``.
    """
    lock = " FOR UPDATE SKIP LOCKED" if isinstance(engine(), PostgresEngine) else ""
    sql = (
        f"UPDATE {table} SET {set_sql} WHERE id = (SELECT id FROM {table} WHERE {where}"
        f" ORDER BY {order} LIMIT 1{lock}) AND {where} RETURNING *"
    )
    rows = await fetch(engine(), sql, *set_args, *where_args, *where_args)
    return rows[0] if rows else None


async def postpone(table: str, row: dict[str, Any], delay_ms: int, error: str, limit: int) -> None:
    """Record a failed attempt of a claimed ``row``: try again after ``delay_ms``, or give up.

    The row is ``failed`` once it has had ``limit`` attempts.
    """
    attempts = int(row["attempts"])
    await fetch(
        engine(),
        f"UPDATE {table} SET attempts = {{}}, run_at = {{}}, last_error = {{}},"
        " status = {} WHERE id = {} AND status = 'pending'",
        attempts,
        epoch_ms(datetime.now(UTC)) + delay_ms,
        error[:2000],
        "failed" if attempts >= limit else "pending",
        row["id"],
    )


async def community_by_id(community_id: int) -> Community:
    """The community with this id."""
    row = await CommunityRow.select().where(CommunityRow.id == community_id).first().run()
    if row is None:
        raise LookupError(f"no community {community_id}")
    return community_of(row)
