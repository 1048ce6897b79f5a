"""``Idempotency-Key`` on the identity service's commands, the same way operations have it.

The first successful answer to a key is recorded with the command's own writes, in one
transaction; the same key with the same request replays it (``Idempotent-Replayed: true``),
with a different request is refused (422). Keys are per caller and community, shared with the
plugin operations' keys (the core's ``linli_idempotency`` table).

Routes that answer a secret shown once (invitation codes, client secrets) take no key: a
recorded answer would keep the secret in clear.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from linli_sdk import Caller, Community
from litestar import Request, Response
from pydantic import BaseModel

from ..idempotency import IdempotencyKey, Outcome, request_hash, run_once

__all__ = ["IdempotencyKey", "once"]

T = TypeVar("T", bound=BaseModel)


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

    async def work() -> Outcome:
        result = await run()
        return Outcome(status, "application/json", result.model_dump_json().encode())

    outcome = await run_once(where, caller, key, request_hash(f"identity.{command}", given), work)
    return _answer(output, outcome)
