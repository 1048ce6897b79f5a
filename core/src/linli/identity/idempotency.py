"""``Idempotency-Key`` on the identity service's commands, the same way operations have it.

The first successful answer to a key is recorded with the command's own writes, in one
transaction; the same key with the same request replays it (``Idempotent-Replayed: true``),
with a different request is refused (422). Keys are per caller and community, shared with the
plugin operations' keys (the core's ``linli_idempotency`` table).

Routes that answer a secret shown once (invitation codes, client secrets) take no key: a
recorded answer would keep the secret in clear.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

from linli_sdk import Caller, Community
from litestar import Request, Response
from litestar.params import HeaderParameter
from pydantic import BaseModel

from ..calls import Outcome
from ..calls import _is_unique_violation as is_unique_violation
from ..calls import _record as record
from ..calls import _recorded as recorded
from ..tables import IdempotencyRecord

__all__ = ["IdempotencyKey", "once"]

T = TypeVar("T", bound=BaseModel)

IdempotencyKey = Annotated[
    str | None,
    HeaderParameter(
        name="Idempotency-Key",
        required=False,
        max_length=200,
        description="Repeat a command safely: the same key and body replays the first answer.",
    ),
]


def _answer(output: type[T], outcome: Outcome) -> Response[T]:
    return Response(
        output.model_validate_json(outcome.body),
        status_code=outcome.status,
        headers=outcome.headers,
    )


async def once(
    request: Request[Any, Any, Any],
    key: str | None,
    command: str,
    given: str,
    output: type[T],
    run: Callable[[], Awaitable[T]],
    status: int = 200,
) -> Response[T]:
    """Run ``run`` once per ``key``: the first answer again for a repeat, 422 for a mismatch.

    ``command`` and ``given`` (the request's path parameters and body as text) make up the
    request a key is bound to.
    """
    if not key:
        return Response(await run(), status_code=status)
    where: Community
    caller: Caller
    where, caller = request.state.identity
    scope_key = f"{where.id}:{caller.member_id or 'platform'}:{key}"
    request_hash = hashlib.sha256(f"identity.{command}:{given}".encode()).hexdigest()
    try:
        async with IdempotencyRecord._meta.db.transaction():
            if replay := await recorded(scope_key, request_hash):
                return _answer(output, replay)
            result = await run()
            outcome = Outcome(status, "application/json", result.model_dump_json().encode(), {})
            await record(where, scope_key, request_hash, outcome)
    except Exception as exc:
        # Two concurrent first uses of one key: the loser's writes rolled back; answer the winner's.
        if is_unique_violation(exc) and (replay := await recorded(scope_key, request_hash)):
            return _answer(output, replay)
        raise
    return Response(result, status_code=status)
