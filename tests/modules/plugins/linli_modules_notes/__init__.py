"""A test plugin for the module host: notes in its own table, tried in nested transactions.

Its table is not a Piccolo app's (no migration): the tests bind it to the platform's engine
and create it. ``HEARD`` records the events its ``linli_event`` hook received, ``REMINDED``
what its ``remind:{note_id}`` deadline handler was given.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from linli_sdk import (
    Conflict,
    Context,
    Deadline,
    Empty,
    Event,
    Host,
    Manifest,
    Money,
    MoneyBounds,
    RateLimit,
    RevenueShareRules,
    Role,
    command,
    hookimpl,
    on_deadline,
    remainder,
)
from piccolo.columns import Integer, Varchar
from piccolo.table import Table
from pydantic import BaseModel

HEARD: list[str] = []
REMINDED: list[tuple[int, dict[str, Any]]] = []


class NoteRow(Table, tablename="notes_note"):
    """A note kept by the test plugin."""

    community_id = Integer()
    text = Varchar(length=50)


class NotesSettings(BaseModel):
    deposit: Annotated[
        Money, MoneyBounds(min=Money.zero("CNY"), max=Money(amount=50000, currency="CNY"))
    ] = Money(amount=20000, currency="CNY")


class Try(BaseModel):
    text: str
    fail_inside: bool = False


class Notes(BaseModel):
    texts: list[str]


@command(Role.RESIDENT)
async def note(ctx: Context[BaseModel], data: Try) -> Notes:
    """Keep one note; try a second, with an event and a deadline, in a nested transaction."""
    community = ctx.community.id
    await NoteRow.insert(NoteRow(community_id=community, text=f"{data.text}-kept"))
    await ctx.host.events.publish("kept", {"text": data.text})
    try:
        async with ctx.host.transaction():
            await NoteRow.insert(NoteRow(community_id=community, text=f"{data.text}-tried"))
            await ctx.host.events.publish("tried", {"text": data.text})
            await ctx.host.deadlines.schedule(
                remind.key(note_id=1), ctx.now + timedelta(hours=1), {}
            )
            if data.fail_inside:
                raise Conflict("the second note is refused")
    except Conflict:
        pass
    rows = await NoteRow.select(NoteRow.text).where(NoteRow.community_id == community)
    return Notes(texts=sorted(row["text"] for row in rows))


class Pay(BaseModel):
    order_ref: str
    fail_inside: bool = False


class Paid(BaseModel):
    charge_id: str | None


@command(Role.RESIDENT)
async def pay(ctx: Context[BaseModel], data: Pay) -> Paid:
    """Charge the caller CNY 10.00 in a nested transaction that may be refused."""
    assert ctx.caller.member_id is not None
    try:
        async with ctx.host.transaction():
            charge = await ctx.host.payments.charge(
                order_ref=data.order_ref,
                amount=Money(amount=1000, currency="CNY"),
                payer_id=ctx.caller.member_id,
                payees={"provider": ctx.caller.member_id},
            )
            if data.fail_inside:
                raise Conflict("the order is refused after charging")
    except Conflict:
        return Paid(charge_id=None)
    return Paid(charge_id=charge.id)


class Arm(BaseModel):
    key: str


@command(Role.RESIDENT)
async def arm(ctx: Context[BaseModel], data: Arm) -> Arm:
    """Schedule the deadline ``key``, due at once."""
    await ctx.host.deadlines.schedule(data.key, ctx.now, {"why": "test"})
    return data


@on_deadline("remind:{note_id}")
async def remind(host: Host, deadline: Deadline, note_id: int) -> None:
    REMINDED.append((note_id, dict(deadline.payload)))
    await host.events.publish("reminded", {"note_id": note_id})


@command(Role.PROVIDER_STAFF, rate_limit=RateLimit(per_second=0.01, burst=2))
async def ring(ctx: Context[BaseModel], data: Empty) -> Empty:
    """A provider's back end rings: at most two calls in hand per caller."""
    return data


@hookimpl
async def linli_event(host: Host, event: Event) -> None:
    HEARD.append(event.type)


manifest = Manifest(
    name="notes",
    version="1.0.0",
    sdk=">=1.0,<2",
    title="Notes",
    description="Module host test plugin.",
    settings=NotesSettings,
    operations=(note, arm, pay, ring),
    revenue_share=RevenueShareRules(shares=(remainder("provider"),)),
    deadline_handlers=(remind,),
)
