"""``Idempotency-Key`` records: a command runs once per key; a repeat gets the first answer again.

The first successful answer to a key is recorded in the same transaction as the command's own
writes. The same key with the same request replays it (``Idempotent-Replayed: true``); with a
different request it is refused (422) and nothing changes. Keys belong to one caller in one
community; the request hash names the command, so reusing a key for another command is a
different request. Failed commands record nothing and may be retried with the same key.

`linli.unit_of_work.UnitOfWork` is the one place that uses these records: every command,
module operation or core route, runs as a unit of work.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any

from linli_sdk import Community, InvalidInput
from litestar import Response
from litestar.params import HeaderParameter

from .tables import IdempotencyRecord

__all__ = [
    "IdempotencyKey",
    "Outcome",
    "purge_records",
    "record",
    "recorded",
    "request_hash",
    "respond",
    "unique_violation",
]

IdempotencyKey = Annotated[
    str | None,
    HeaderParameter(
        name="Idempotency-Key",
        required=False,
        max_length=200,
        description="Repeat a command safely: the same key and body replays the first response.",
    ),
]
"""The ``Idempotency-Key`` header parameter, as route handlers declare it."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a command answered, ready to send (and to replay)."""

    status: int
    media_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def request_hash(*parts: Any) -> str:
    """The hash a key is bound to: the command's name and its input, canonically serialised."""
    canonical = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


async def recorded(scope_key: str, hashed: str) -> Outcome | None:
    """The outcome recorded for ``scope_key``, marked replayed; none if the key is new.

    Raises:
        InvalidInput: The key was recorded for a different request.

    """
    row = await IdempotencyRecord.select().where(IdempotencyRecord.scope_key == scope_key).first()
    if row is None:
        return None
    if row["request_hash"] != hashed:
        raise InvalidInput(
            "this Idempotency-Key was already used with a different request; nothing was changed",
            field="Idempotency-Key",
        )
    body = base64.b64decode(row["body"])
    return Outcome(row["status_code"], row["media_type"], body, {"Idempotent-Replayed": "true"})


async def record(community: Community, scope_key: str, hashed: str, outcome: Outcome) -> None:
    """Record ``outcome`` as the answer to ``scope_key`` (in the caller's transaction)."""
    await IdempotencyRecord.insert(
        IdempotencyRecord(
            community=community.id,
            scope_key=scope_key,
            request_hash=hashed,
            status_code=outcome.status,
            media_type=outcome.media_type,
            body=base64.b64encode(outcome.body).decode(),
            created_at=datetime.now(UTC),
        )
    )


async def purge_records(community_id: int, before: datetime) -> int:
    """Delete a community's records made before ``before``; how many.

    A key older than the retention is then new again: a repeat runs the command once more.
    """
    gone = await (
        IdempotencyRecord.delete()
        .where(
            (IdempotencyRecord.community == community_id) & (IdempotencyRecord.created_at < before)
        )
        .returning(IdempotencyRecord.id)
    )
    return len(gone)


def unique_violation(exc: BaseException) -> bool:
    """Whether ``exc`` is a unique constraint's violation (SQLite or PostgreSQL)."""
    name = type(exc).__name__
    return name in ("UniqueViolationError", "IntegrityError") and "unique" in str(exc).lower()


def respond(outcome: Outcome) -> Response[bytes]:
    """The HTTP response for an outcome, first or replayed (byte for byte)."""
    return Response(
        outcome.body,
        status_code=outcome.status,
        media_type=outcome.media_type,
        headers=outcome.headers,
    )
