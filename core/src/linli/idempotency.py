"""``Idempotency-Key``: a command runs once per key; a repeat gets the first answer again.

The first successful answer to a key is recorded in the same transaction as the command's own
writes. The same key with the same request replays it (``Idempotent-Replayed: true``); with a
different request it is refused (422) and nothing changes. Keys belong to one caller in one
community; the request hash names the command, so reusing a key for another command is a
different request. Failed commands record nothing and may be retried with the same key.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any

from linli_sdk import Caller, Community, InvalidInput
from litestar import Response
from litestar.params import HeaderParameter
from pydantic import BaseModel

from .tables import IdempotencyRecord

__all__ = ["IdempotencyKey", "Outcome", "json_once", "request_hash", "respond", "run_once"]

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


async def _recorded(scope_key: str, hashed: str) -> Outcome | None:
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


async def _record(community: Community, scope_key: str, hashed: str, outcome: Outcome) -> None:
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


def _is_unique_violation(exc: BaseException) -> bool:
    name = type(exc).__name__
    return name in ("UniqueViolationError", "IntegrityError") and "unique" in str(exc).lower()


async def run_once(
    community: Community,
    caller: Caller,
    key: str | None,
    hashed: str,
    work: Callable[[], Awaitable[Outcome]],
) -> Outcome:
    """Run ``work`` in one transaction, once per ``key`` (no key: simply run it once).

    Two concurrent first uses of one key: the loser's insert of the record fails on its unique
    constraint, its writes roll back, and it answers the winner's recorded outcome.
    """
    scope_key = f"{community.id}:{caller.member_id or 'platform'}:{key}"
    try:
        async with IdempotencyRecord._meta.db.transaction():
            if key and (replay := await _recorded(scope_key, hashed)):
                return replay
            outcome = await work()
            if key:
                await _record(community, scope_key, hashed, outcome)
    except Exception as exc:
        if key and _is_unique_violation(exc) and (replay := await _recorded(scope_key, hashed)):
            return replay
        raise
    return outcome


def respond(outcome: Outcome) -> Response[bytes]:
    """The HTTP response for an outcome, first or replayed (byte for byte)."""
    return Response(
        outcome.body,
        status_code=outcome.status,
        media_type=outcome.media_type,
        headers=outcome.headers,
    )


async def json_once(
    community: Community,
    caller: Caller,
    key: str | None,
    hashed: str,
    work: Callable[[], Awaitable[BaseModel]],
) -> Response[bytes]:
    """:func:`run_once` for a command answering one model as JSON (200); its HTTP response."""

    async def run() -> Outcome:
        return Outcome(200, "application/json", (await work()).model_dump_json().encode())

    return respond(await run_once(community, caller, key, hashed, run))
