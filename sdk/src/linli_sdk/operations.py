"""Operations: the typed commands and queries a plugin offers, served by the core over HTTP.

A plugin writes an ``async`` handler taking a :class:`~linli_sdk.Context` and a pydantic input
model and returning a pydantic output model, and marks it with :func:`command` or
:func:`query`. The core serves it at
``/v1/communities/{community}/modules/{module}/{operation}``: commands as ``POST`` with a JSON
body (and ``Idempotency-Key`` replay), queries as ``GET`` with the input's fields as query
parameters. Authentication, tenancy, the role and scope checks, validation, OpenAPI and errors
are the core's job; the handler only sees calls that passed them.

A handler whose output model is :class:`Document` serves a file (a pick list as PDF, a QR code
as PNG) instead of JSON. A :func:`stream` is an ``async`` generator served as Server-Sent Events:
one event per model it yields (a flash sale's live stock counter).

Any operation may declare a :class:`RateLimit`: the core admits each caller's calls of it at
that rate (a token bucket per caller and operation) and answers the rest 429 with
``Retry-After`` before the handler runs — a flash sale's defence against bots.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, get_args, get_origin, get_type_hints

from pydantic import BaseModel, ConfigDict

from .context import Context
from .roles import Role

__all__ = [
    "Document",
    "Empty",
    "Handler",
    "Operation",
    "OperationKind",
    "RateLimit",
    "command",
    "query",
    "stream",
]

Handler = Callable[[Context[Any], Any], Awaitable[Any] | AsyncIterator[Any]]
"""An operation handler: ``async def handler(ctx, data) -> Output``, or a stream that yields."""

_NAME = re.compile(r"^[a-z][a-z0-9-]{0,62}$")


class OperationKind(StrEnum):
    """Whether an operation changes state (command) or only reads (query)."""

    COMMAND = "command"
    """Changes state; served as ``POST``, replayed by ``Idempotency-Key``."""
    QUERY = "query"
    """Reads only; served as ``GET`` with the input as query parameters."""
    STREAM = "stream"
    """Reads as things happen; served as ``GET`` answering Server-Sent Events."""


class Empty(BaseModel):
    """The input of an operation that takes none."""

    model_config = ConfigDict(extra="forbid")


class Document(BaseModel):
    """A file an operation returns instead of JSON (PDF, CSV, PNG...).

    Attributes:
        content: The file's bytes.
        media_type: Its media type, e.g. ``application/pdf``.
        filename: The name a browser saves it under.

    """

    content: bytes
    media_type: str
    filename: str


@dataclass(frozen=True, slots=True)
class RateLimit:
    """How often one caller may call an operation: a token bucket per caller and operation.

    Each caller starts with ``burst`` calls in hand; one is used per call and they come back at
    ``per_second``. A call with none in hand is refused (HTTP 429 with ``Retry-After``) before
    the handler runs. Limits are kept per platform process.

    Attributes:
        per_second: Calls regained per second (may be below 1, e.g. ``0.2`` = one per 5 s).
        burst: The most calls in hand at once (at least 1).

    Example:
        ```python
        @command(Role.RESIDENT, rate_limit=RateLimit(per_second=2, burst=5))
        async def buy(ctx: Context[Settings], data: Purchase) -> Order: ...
        ```

    """

    per_second: float
    burst: int

    def __post_init__(self) -> None:
        if not self.per_second > 0:
            raise ValueError(f"RateLimit.per_second must be positive, not {self.per_second}")
        if self.burst < 1:
            raise ValueError(f"RateLimit.burst must be at least 1, not {self.burst}")


@dataclass(frozen=True, slots=True)
class Operation:
    """One command or query of a module, as declared by :func:`command` or :func:`query`.

    Attributes:
        name: The URL name, lower-case with hyphens (``post-notice``).
        kind: Command or query.
        input: The pydantic model the request is validated against.
        output: The pydantic model the handler returns.
        handler: The ``async`` function that does the work.
        roles: The caller must hold at least one of these roles in the community.
        scope: The scope the caller's token must carry.
        summary: One line for the API reference; the handler's docstring by default.
        description: The rest of the handler's docstring.
        rate_limit: How often one caller may call it, or ``None`` for no limit.

    """

    name: str
    kind: OperationKind
    input: type[BaseModel]
    output: type[BaseModel]
    handler: Handler
    roles: frozenset[Role]
    scope: str
    summary: str
    description: str
    rate_limit: RateLimit | None = None

    def _checked(self, result: Any) -> BaseModel:
        if not isinstance(result, self.output):
            raise TypeError(
                f"operation {self.name!r} returned {type(result).__name__}, "
                f"declared {self.output.__name__}"
            )
        return result

    async def __call__(self, ctx: Context[Any], data: BaseModel) -> BaseModel:
        """Run a command or query (the test kit and the core both call operations this way)."""
        if self.kind is OperationKind.STREAM:
            raise TypeError(f"{self.name!r} is a stream: iterate over op.stream(ctx, data)")
        result = self.handler(ctx, data)
        assert inspect.isawaitable(result)
        return self._checked(await result)

    async def stream(self, ctx: Context[Any], data: BaseModel) -> AsyncIterator[BaseModel]:
        """Run a stream, yielding each model its handler yields."""
        if self.kind is not OperationKind.STREAM:
            raise TypeError(f"{self.name!r} is a {self.kind}, not a stream: await op(ctx, data)")
        items = self.handler(ctx, data)
        assert isinstance(items, AsyncIterator)
        async for item in items:
            yield self._checked(item)


def _declare(
    kind: OperationKind,
    roles: Iterable[Role],
    scope: str | None,
    name: str | None,
    rate_limit: RateLimit | None = None,
) -> Callable[[Handler], Operation]:
    required = frozenset(roles)
    if not required:
        raise ValueError("an operation must require at least one role (Role.MEMBER for any)")

    def decorate(handler: Handler) -> Operation:
        if kind is OperationKind.STREAM and not inspect.isasyncgenfunction(handler):
            raise TypeError(f"stream handler {handler.__name__!r} must be 'async def' with 'yield'")
        if kind is not OperationKind.STREAM and not inspect.iscoroutinefunction(handler):
            raise TypeError(f"operation handler {handler.__name__!r} must be 'async def'")
        try:
            hints = get_type_hints(handler)
        except NameError as exc:
            raise TypeError(
                f"{handler.__name__}: cannot resolve its annotations ({exc}); "
                "define the input and output models at module level"
            ) from exc
        params = [p for p in inspect.signature(handler).parameters if p != "return"]
        if len(params) != 2:
            raise TypeError(f"{handler.__name__}: expected (ctx, data), got {params}")
        model_in, model_out = hints.get(params[1]), hints.get("return")
        if kind is OperationKind.STREAM:  # AsyncIterator[Model] -> Model
            is_iterator = get_origin(model_out) in (AsyncIterator, AsyncGenerator)
            model_out = get_args(model_out)[0] if is_iterator else None
        for label, model in (("input", model_in), ("return", model_out)):
            if not (isinstance(model, type) and issubclass(model, BaseModel)):
                raise TypeError(f"{handler.__name__}: the {label} type must be a pydantic model")
        op_name = name or handler.__name__.replace("_", "-")
        if not _NAME.match(op_name):
            raise ValueError(f"invalid operation name {op_name!r}: use lower-case and hyphens")
        doc = inspect.getdoc(handler) or op_name
        summary, _, description = doc.partition("\n")
        assert model_in is not None and model_out is not None
        return Operation(
            name=op_name,
            kind=kind,
            input=model_in,
            output=model_out,
            handler=handler,
            roles=required,
            scope=scope or ("write" if kind is OperationKind.COMMAND else "read"),
            summary=summary.strip(),
            description=description.strip(),
            rate_limit=rate_limit,
        )

    return decorate


def command(
    *roles: Role,
    scope: str | None = None,
    name: str | None = None,
    rate_limit: RateLimit | None = None,
) -> Callable[[Handler], Operation]:
    """Declare a command: an operation that changes state.

    Args:
        *roles: The caller must hold at least one of these roles.
        scope: The token scope required; ``write`` by default.
        name: The URL name; the function's name with hyphens by default.
        rate_limit: How often one caller may call it (:class:`RateLimit`); no limit by default.

    Example:
        ```python
        @command(Role.LEADER)
        async def post_notice(ctx: Context[Settings], data: NewNotice) -> Notice: ...
        ```

    """
    return _declare(OperationKind.COMMAND, roles, scope, name, rate_limit)


def query(
    *roles: Role,
    scope: str | None = None,
    name: str | None = None,
    rate_limit: RateLimit | None = None,
) -> Callable[[Handler], Operation]:
    """Declare a query: an operation that only reads.

    Args:
        *roles: The caller must hold at least one of these roles.
        scope: The token scope required; ``read`` by default.
        name: The URL name; the function's name with hyphens by default.
        rate_limit: How often one caller may call it (:class:`RateLimit`); no limit by default.

    """
    return _declare(OperationKind.QUERY, roles, scope, name, rate_limit)


def stream(
    *roles: Role,
    scope: str | None = None,
    name: str | None = None,
    rate_limit: RateLimit | None = None,
) -> Callable[[Handler], Operation]:
    """Declare a stream: an ``async`` generator whose every ``yield`` reaches the caller live.

    The core serves it as Server-Sent Events (one ``data:`` line of JSON per model) until the
    generator ends or the caller goes away. Streams run outside any transaction.

    Args:
        *roles: The caller must hold at least one of these roles.
        scope: The token scope required; ``read`` by default.
        name: The URL name; the function's name with hyphens by default.
        rate_limit: How often one caller may call it (:class:`RateLimit`); no limit by default.

    Example:
        ```python
        @stream(Role.MEMBER)
        async def stock(ctx: Context[Settings], data: Item) -> AsyncIterator[Stock]:
            while True:
                yield await current_stock(data.item_id)
                await asyncio.sleep(1)
        ```

    """
    return _declare(OperationKind.STREAM, roles, scope, name, rate_limit)
