"""A core route's command as one unit of work: ``command.answer(work)``.

A handler that changes something declares ``command: AsCommand`` (`linli.http.community`) and
receives the request's `Command`: the community and caller `linli.identity.auth.access_guard`
authenticated and the request's ``Idempotency-Key`` (a header the provider declares, so the
OpenAPI document shows it on every such route). Its unit (`linli.unit_of_work.UnitOfWork`) runs
the work in one transaction, records and replays the key and delivers what the command caused
once it has committed.

What a key is bound to is the request itself (`request_identity`): the route, its path and query
parameters and its body. A key sent again to another route, another resource or with another
body is a different request and is refused; no handler names its command by hand.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from litestar import Request, Response
from pydantic import BaseModel, ValidationError

from ..idempotency import IdempotencyKey
from ..unit_of_work import UnitOfWork

if TYPE_CHECKING:  # the platform holds the services whose routes use this module
    from ..platform import Platform

__all__ = ["Command", "provide_command", "request_identity"]


@dataclass(frozen=True, slots=True)
class Command:
    """One guarded request's command, under the request's ``Idempotency-Key`` (if sent)."""

    request: Request[Any, Any, Any]
    key: str | None
    what: tuple[Any, ...] = ()
    """What the key is bound to (`request_identity`); empty without a key."""

    @classmethod
    async def of(cls, request: Request[Any, Any, Any], key: str | None) -> Command:
        """The request's command under ``key``, bound to the request's identity if there is one."""
        return cls(request, key, await request_identity(request) if key else ())

    @property
    def platform(self) -> Platform:
        """The platform serving the request."""
        platform: Platform = self.request.app.state.platform
        return platform

    def unit(self) -> UnitOfWork:
        """The command's unit of work, in the guarded request's community for its caller."""
        where, caller = self.request.state.identity
        return UnitOfWork(self.platform, where, caller, self.key, self.what)

    async def answer(
        self, work: Callable[[], Awaitable[BaseModel]], *, status: int = 200
    ) -> Response[Any]:
        """Run ``work`` as the command's unit of work; its JSON answer, first or replayed."""
        return await self.unit().answer(work, status)

    async def answer_row(
        self,
        model: type[BaseModel],
        work: Callable[[], Awaitable[Mapping[str, Any]]],
        *,
        status: int = 200,
    ) -> Response[Any]:
        """`answer` for work that returns a row: the answer is ``model`` made from it."""

        async def answered() -> BaseModel:
            return model(**await work())

        return await self.answer(answered, status=status)


async def request_identity(request: Request[Any, Any, Any]) -> tuple[Any, ...]:
    """What an ``Idempotency-Key`` sent with ``request`` is bound to.

    The method and route, the path and query parameters, and the body. A JSON body counts as
    the handler's input model reads it, as a module operation's input does: white space, the
    order of keys and a default spelled out make no difference. Any other body counts by its
    SHA-256.
    """
    scope = request.scope
    body = await request.body()
    content: Any = None
    if body.strip():
        media = request.content_type[0]
        json_body = media == "application/json" or media.endswith("+json")
        content = _as_input(request, await request.json()) if json_body else _digest(body)
    query = sorted(request.query_params.multi_items())
    return (scope["method"], scope["path_template"], scope["path_params"], query, content)


def _as_input(request: Request[Any, Any, Any], value: Any) -> Any:
    """``value`` as the handler's input model dumps it, or as sent if it is not one."""
    field = request.route_handler.parsed_data_field
    model = field.annotation if field is not None else None
    if isinstance(model, type) and issubclass(model, BaseModel):
        try:
            return model.model_validate(value).model_dump(mode="json")
        except ValidationError:
            pass  # the handler's own validation refuses the request
    return value


def _digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


async def provide_command(
    request: Request[Any, Any, Any], idempotency_key: IdempotencyKey = None
) -> Command:
    """The ``command`` dependency: the request and its optional ``Idempotency-Key``."""
    return await Command.of(request, idempotency_key)
