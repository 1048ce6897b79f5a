"""Deadlines routed by a declared pattern: a tool-lending module's due dates.

A resident borrows a tool for some days; when they are up, the ``due:{loan_id}`` handler is
called with the loan's id already parsed to an ``int``. The key is built by the handler
itself, so the module never formats nor parses keys by hand, and a key no handler takes is
refused when it is scheduled.
"""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from linli_sdk import (
    Context,
    Deadline,
    DeadlineKeyError,
    Host,
    Manifest,
    Role,
    command,
    on_deadline,
)
from pydantic import BaseModel, Field

OVERDUE: list[int] = []  # a real module would write its own table


class Lend(BaseModel):
    loan_id: int = Field(ge=1)
    days: int = Field(default=3, ge=1, le=14)


class Lent(BaseModel):
    loan_id: int
    reminder: str


@on_deadline("due:{loan_id}")
async def loan_due(host: Host, deadline: Deadline, loan_id: int) -> None:
    """The loan's days are up: note it overdue and tell whoever listens."""
    OVERDUE.append(loan_id)
    await host.events.publish("loan_overdue", {"loan_id": loan_id})


@command(Role.RESIDENT)
async def lend(ctx: Context[BaseModel], data: Lend) -> Lent:
    """Lend a tool; the loan falls due after ``days``."""
    key = loan_due.key(loan_id=data.loan_id)  # "due:7"
    await ctx.host.deadlines.schedule(key, ctx.now + timedelta(days=data.days), {})
    return Lent(loan_id=data.loan_id, reminder=key)


toolbox = SimpleNamespace(
    manifest=Manifest(
        name="toolbox",
        version="1.0.0",
        sdk=">=0.1",
        title="Shared toolbox (共享工具箱)",
        operations=(lend,),
        deadline_handlers=(loan_due,),
    )
)


async def test_the_handler_gets_the_loan_id_when_the_loan_is_due(linli_kit):
    OVERDUE.clear()
    kit = linli_kit(toolbox)
    chen = kit.add_member("Chen", Role.RESIDENT)

    lent = await kit.call("lend", {"loan_id": 7, "days": 2}, as_=chen)
    assert lent.reminder == "due:7"
    await kit.advance(timedelta(days=1))
    assert OVERDUE == []
    await kit.advance(timedelta(days=1))

    assert OVERDUE == [7]
    assert [e.type for e in kit.host.events.published] == ["toolbox.loan_overdue"]


async def test_a_key_no_handler_takes_is_refused_when_scheduled(linli_kit):
    kit = linli_kit(toolbox)
    with pytest.raises(DeadlineKeyError, match="matches none"):
        await kit.host.deadlines.schedule("returned:7", kit.clock, {})
