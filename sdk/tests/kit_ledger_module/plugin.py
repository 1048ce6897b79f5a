"""The module: write a line (and maybe raise after), count the lines, and a hook that writes."""

from __future__ import annotations

from linli_sdk import (
    Conflict,
    Context,
    Empty,
    Event,
    Host,
    Manifest,
    Role,
    command,
    hookimpl,
    query,
)
from pydantic import BaseModel

from .tables import LineRow


class Write(BaseModel):
    note: str
    fail_after: bool = False


class Count(BaseModel):
    lines: int


@command(Role.MEMBER)
async def write(ctx: Context[BaseModel], data: Write) -> Count:
    """Write a line; raise after writing it if asked."""
    await LineRow.insert(LineRow(community_id=ctx.community.id, note=data.note))
    await ctx.host.events.publish("written", {"note": data.note})
    if data.fail_after:
        raise Conflict("changed my mind")
    return Count(lines=await LineRow.count())


@query(Role.MEMBER)
async def lines(ctx: Context[BaseModel], data: Empty) -> Count:
    """How many lines the community has."""
    return Count(lines=await LineRow.count().where(LineRow.community_id == ctx.community.id))


@hookimpl
async def linli_event(host: Host, event: Event) -> None:
    """An echo line for each line written; an event whose note is "boom" fails after it."""
    if event.type == "kit_ledger.written":
        await LineRow.insert(LineRow(community_id=host.community.id, note="echo"))
        if event.payload["note"] == "boom":
            raise RuntimeError("the hook failed after writing")


manifest = Manifest(
    name="kit_ledger",
    version="1.0.0",
    sdk=">=0.1,<2",
    title="Kit ledger",
    operations=(write, lines),
    piccolo_app="kit_ledger_module.piccolo_app",
)
