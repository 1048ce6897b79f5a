"""A core route's command as one unit of work: ``command.answer(what, work)``.

A handler that changes something declares ``command: AsCommand`` (`linli.http.community`) and
receives the request's `Command`: the community and caller `linli.identity.auth.access_guard`
authenticated and the request's ``Idempotency-Key`` (a header the provider declares, so the
OpenAPI document shows it on every such route). Its unit (`linli.unit_of_work.UnitOfWork`) runs
the work in one transaction, records and replays the key and delivers what the command caused
once it has committed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from litestar import Request, Response
from pydantic import BaseModel

from ..idempotency import IdempotencyKey
from ..unit_of_work import UnitOfWork

if TYPE_CHECKING:  # the platform holds the services whose routes use this module
    from ..platform import Platform

__all__ = ["Command", "provide_command"]


@dataclass(frozen=True, slots=True)
class Command:
    """One guarded request's command, under the request's ``Idempotency-Key`` (if sent)."""

    request: Request[Any, Any, Any]
    key: str | None

    @property
    def platform(self) -> Platform:
        """The platform serving the request."""
        platform: Platform = self.request.app.state.platform
        return platform

    def unit(self, *what: Any) -> UnitOfWork:
        """The command's unit of work; ``what`` names the command and its input."""
        where, caller = self.request.state.identity
        return UnitOfWork(self.platform, where, caller, self.key, what)

    async def answer(
        self,
        what: tuple[Any, ...],
        work: Callable[[], Awaitable[BaseModel]],
        *,
        status: int = 200,
    ) -> Response[Any]:
        """Run ``work`` as the command's unit of work; its JSON answer, first or replayed."""
        return await self.unit(*what).answer(work, status)

    async def answer_row(
        self,
        what: tuple[Any, ...],
        model: type[BaseModel],
        work: Callable[[], Awaitable[Mapping[str, Any]]],
        *,
        status: int = 200,
    ) -> Response[Any]:
        """`answer` for work that returns a row: the answer is ``model`` made from it."""

        async def answered() -> BaseModel:
            return model(**await work())

        return await self.answer(what, answered, status=status)


def provide_command(
    request: Request[Any, Any, Any], idempotency_key: IdempotencyKey = None
) -> Command:
    """The ``command`` dependency: the request and its optional ``Idempotency-Key``."""
    return Command(request, idempotency_key)
