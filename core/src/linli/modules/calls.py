"""Running one plugin operation: in one transaction, idempotent by key, with failures contained.

The steps around the plugin's handler are those of every command (`linli.unit_of_work`): the
transaction that makes the plugin's writes and the idempotency record commit together, the
replay of a key already used, the refusal of a key reused for another request, and delivery of
the events the call published once it has committed.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from linli_sdk import Caller, Community, Context, Document, LinliError, Operation
from pydantic import BaseModel

from linli.idempotency import Outcome
from linli.modules.host import CoreHost
from linli.modules.registry import LoadedModule
from linli.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from linli.platform import Platform

__all__ = ["OperationFailed", "Outcome", "invoke", "open_stream"]

log = logging.getLogger(__name__)


class OperationFailed(LinliError):
    """A plugin raised something unexpected; the call failed, the platform did not (HTTP 500)."""

    status = 500
    title = "The module failed"
    slug = "module-failed"


def _render(result: BaseModel) -> Outcome:
    if isinstance(result, Document):
        disposition = f'attachment; filename="{result.filename}"'
        return Outcome(200, result.media_type, result.content, {"Content-Disposition": disposition})
    return Outcome(200, "application/json", result.model_dump_json().encode())


async def _run(op: Operation, ctx: Context[Any], data: BaseModel) -> BaseModel:
    try:
        return await op(ctx, data)
    except LinliError:
        raise
    except Exception as exc:
        log.exception("operation %s.%s failed in %s", ctx.module, op.name, ctx.community.slug)
        raise OperationFailed(
            f"{ctx.module}.{op.name} failed unexpectedly; nothing was changed",
            module=ctx.module,
        ) from exc


async def invoke(
    platform: Platform,
    community: Community,
    loaded: LoadedModule,
    op: Operation,
    caller: Caller,
    data: BaseModel,
    settings: BaseModel,
    idempotency_key: str | None = None,
) -> Outcome:
    """Run ``op`` for ``caller`` in one transaction and return what to answer.

    A command with an ``idempotency_key`` already used with the same request returns the first
    outcome again without running; with a different request it is refused and changes nothing.
    """
    # What a key is bound to; without a key nothing is recorded, so nothing is dumped.
    request = (loaded.name, op.name, data.model_dump(mode="json")) if idempotency_key else ()
    unit = UnitOfWork(platform, community, caller, idempotency_key, request)
    ctx: Context[Any] = Context(
        community=community,
        module=loaded.name,
        caller=caller,
        settings=settings,
        host=CoreHost(platform, community, loaded.name, unit),
        now=datetime.now(UTC),
        idempotency_key=idempotency_key,
    )

    async def work() -> Outcome:
        return _render(await _run(op, ctx, data))

    return await unit.run(work)


async def open_stream(
    platform: Platform,
    community: Community,
    loaded: LoadedModule,
    op: Operation,
    caller: Caller,
    data: BaseModel,
    settings: BaseModel,
) -> AsyncIterator[BaseModel]:
    """Run a stream outside any transaction, yielding its items; an unexpected error ends it.

    An error raised before the first item propagates (the caller answers a problem); one raised
    later is logged and ends the stream, since the response has begun.
    """
    host = CoreHost(platform, community, loaded.name)
    ctx: Context[Any] = Context(
        community=community,
        module=loaded.name,
        caller=caller,
        settings=settings,
        host=host,
        now=datetime.now(UTC),
    )
    started = False
    try:
        async for item in op.stream(ctx, data):
            started = True
            await host.unit.deliver()
            yield item
    except LinliError:
        if not started:
            raise
        log.warning("stream %s.%s ended by an error", loaded.name, op.name, exc_info=True)
    except Exception as exc:
        log.exception("stream %s.%s failed in %s", loaded.name, op.name, community.slug)
        if not started:
            raise OperationFailed(f"{loaded.name}.{op.name} failed unexpectedly") from exc
