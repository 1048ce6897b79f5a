"""A core route's command as one unit of work: ``command(request, key, what, work)``.

The route's community and caller are the ones `linli.identity.auth.access_guard` authenticated; the
unit (`linli.unit_of_work.UnitOfWork`) runs the work in one transaction, records and replays the
``Idempotency-Key`` and delivers what the command caused once it has committed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Request, Response
from pydantic import BaseModel

from ..unit_of_work import UnitOfWork

__all__ = ["command", "unit_of"]


def unit_of(request: Request[Any, Any, Any], key: str | None, *what: Any) -> UnitOfWork:
    """The unit of work of one guarded request; ``what`` names the command and its input."""
    where, caller = request.state.identity
    return UnitOfWork(request.app.state.platform, where, caller, key, what)


async def command(
    request: Request[Any, Any, Any],
    key: str | None,
    what: tuple[Any, ...],
    work: Callable[[], Awaitable[BaseModel]],
    *,
    status: int = 200,
) -> Response[Any]:
    """Run ``work`` as the request's unit of work; its JSON answer, first or replayed."""
    return await unit_of(request, key, *what).answer(work, status)
