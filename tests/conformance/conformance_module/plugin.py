"""The conformance module (``conformance``): an order row, then a charge, per purchase.

Made for the conformance suite: each operation asks the host for one thing the kit and the
platform must answer alike (a charge and its payees, a deposit, a capture, a void, a refund by
ref, a charge read back), after writing a row of its own, so a call that raises shows whether
its row was rolled back; a refused charge is noted as a row too, when
``settlement.charge_failed`` reaches the module, and each captured or refunded charge as a
``heard:`` row when settlement says so. A visit is booked as a dispatch job, read back and
finished by its worker.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from linli_sdk import (
    CHARGE_CAPTURED,
    CHARGE_FAILED,
    CHARGE_REFUNDED,
    Charge,
    Conflict,
    Context,
    Empty,
    Event,
    Host,
    JobRequest,
    JobTicket,
    Manifest,
    Money,
    Notification,
    NotificationKind,
    Refund,
    RevenueShareRules,
    Role,
    command,
    hookimpl,
    percent,
    query,
    remainder,
    sql,
)
from pydantic import BaseModel, Field

from .tables import OrderRow

HEARD = "heard:"
"""The prefix of a row noting a settlement event: ``heard:captured:<order ref>``..."""


class Settings(BaseModel):
    """How many orders a resident may place at once (bounded, as every setting should be)."""

    limit: int = Field(default=5, ge=1, le=10)


class Buy(BaseModel):
    """An order to pay for; ``fail_after`` makes the call raise once it has charged."""

    order_ref: str = Field(min_length=1, max_length=100)
    amount: Money
    payees: dict[str, int]
    capture: bool = True
    fail_after: bool = False


class Hold(BaseModel):
    """A deposit to hold for ``days``, its kept part paid to ``payees`` (``owner``)."""

    order_ref: str = Field(min_length=1, max_length=100)
    amount: Money
    payees: dict[str, int]
    days: int = Field(default=3, ge=1, le=30)


class ChargeRef(BaseModel):
    """A charge, by id."""

    charge_id: str


class RefundIn(BaseModel):
    """A refund of part of a charge, idempotent by ``ref``."""

    charge_id: str
    amount: Money
    ref: str = Field(min_length=1)


class Orders(BaseModel):
    """The community's order refs, oldest first, and what settlement told the module."""

    order_refs: list[str]
    heard: list[str]


@command(Role.RESIDENT)
async def buy(ctx: Context[Settings], data: Buy) -> Charge:
    """Write the order, then charge it."""
    assert ctx.caller.member_id is not None
    await OrderRow.insert(OrderRow(community_id=ctx.community.id, order_ref=data.order_ref))
    charge = await ctx.host.payments.charge(
        order_ref=data.order_ref,
        amount=data.amount,
        payer_id=ctx.caller.member_id,
        payees=data.payees,
        capture=data.capture,
    )
    if data.fail_after:
        raise Conflict(f"order {data.order_ref} changed its mind after charging")
    return charge


@command(Role.RESIDENT)
async def hold(ctx: Context[Settings], data: Hold) -> Charge:
    """Write the order, then hold a deposit for it until ``days`` from now."""
    assert ctx.caller.member_id is not None
    await OrderRow.insert(OrderRow(community_id=ctx.community.id, order_ref=data.order_ref))
    return await ctx.host.payments.hold_deposit(
        order_ref=data.order_ref,
        amount=data.amount,
        payer_id=ctx.caller.member_id,
        payees=data.payees,
        expires_at=ctx.now + timedelta(days=data.days),
    )


@query(Role.MEMBER)
async def charge(ctx: Context[Settings], data: ChargeRef) -> Charge:
    """Read one of the module's charges back."""
    return await ctx.host.payments.get(data.charge_id)


@command(Role.LEADER)
async def capture(ctx: Context[Settings], data: ChargeRef) -> Charge:
    """Capture an authorised charge."""
    return await ctx.host.payments.capture(data.charge_id)


@command(Role.LEADER)
async def void(ctx: Context[Settings], data: ChargeRef) -> Charge:
    """Release an authorised charge."""
    return await ctx.host.payments.void(data.charge_id)


@command(Role.LEADER)
async def refund(ctx: Context[Settings], data: RefundIn) -> Refund:
    """Refund part of a captured charge."""
    return await ctx.host.payments.refund(
        data.charge_id, data.amount, reason="conformance", ref=data.ref
    )


@query(Role.MEMBER)
async def orders(ctx: Context[Settings], data: Empty) -> Orders:
    """The community's order refs, and the ``heard:`` rows apart (without the prefix)."""
    rows = (
        await OrderRow.select(OrderRow.order_ref)
        .where(OrderRow.community_id == ctx.community.id)
        .order_by(OrderRow.id)
    )
    refs = [row["order_ref"] for row in rows]
    heard = [ref.removeprefix(HEARD) for ref in refs if ref.startswith(HEARD)]
    return Orders(order_refs=[ref for ref in refs if not ref.startswith(HEARD)], heard=heard)


class Notify(BaseModel):
    """Tell a member their order is ready; ``fail_after`` makes the call raise after it."""

    member_id: int
    order_ref: str = Field(min_length=1, max_length=100)
    ref: str | None = None
    fail_after: bool = False


@command(Role.LEADER)
async def notify(ctx: Context[Settings], data: Notify) -> Notification:
    """Write the order row, then notify the member that the order is ready."""
    await OrderRow.insert(OrderRow(community_id=ctx.community.id, order_ref=data.order_ref))
    sent = await ctx.host.notifications.send(
        data.member_id, "order_ready", {"order_ref": data.order_ref}, ref=data.ref
    )
    if data.fail_after:
        raise Conflict(f"order {data.order_ref} changed its mind after notifying")
    return sent


class JobIn(BaseModel):
    """A visit to book: its window opened four hours ago and ends ``ends_in_minutes`` from now."""

    ref: str = Field(min_length=1, max_length=100)
    ends_in_minutes: int = Field(default=120, ge=-180, le=600)


class JobRef(BaseModel):
    """A dispatch job, by id."""

    job_id: str


@command(Role.RESIDENT)
async def book_job(ctx: Context[Settings], data: JobIn) -> JobTicket:
    """Ask dispatch for a worker for a visit."""
    return await ctx.host.dispatch.submit(
        JobRequest(
            ref=data.ref,
            skills=frozenset({"visiting"}),
            window_start=ctx.now - timedelta(hours=4),
            window_end=ctx.now + timedelta(minutes=data.ends_in_minutes),
            duration=timedelta(minutes=30),
        )
    )


@query(Role.MEMBER)
async def job(ctx: Context[Settings], data: JobRef) -> JobTicket:
    """Read one of the module's jobs back."""
    return await ctx.host.dispatch.get(data.job_id)


@command(Role.PROVIDER_STAFF)
async def finish_job(ctx: Context[Settings], data: JobRef) -> JobTicket:
    """The worker finished the visit now."""
    return await ctx.host.dispatch.complete(data.job_id)


class Written(BaseModel):
    """An order row to write with written SQL; ``fail_after`` raises once it is written."""

    order_ref: str = Field(min_length=1, max_length=100)
    fail_after: bool = False


class SqlRows(BaseModel):
    """What ``linli_sdk.sql.fetch`` answered: the insert's ``RETURNING`` and a read back."""

    returned: list[dict[str, Any]]
    found: list[dict[str, Any]]


@command(Role.RESIDENT)
async def write_sql(ctx: Context[Settings], data: Written) -> SqlRows:
    """Write the order row and read it back with ``linli_sdk.sql``, in the call's transaction."""
    returned = await sql.fetch(
        OrderRow,
        "INSERT INTO conformance_order (community_id, order_ref) VALUES ({}, {}) "
        "RETURNING id, order_ref",
        ctx.community.id,
        data.order_ref,
    )
    found = await sql.fetch(
        OrderRow,
        "SELECT id, order_ref FROM conformance_order WHERE community_id = {} ORDER BY id",
        ctx.community.id,
    )
    if data.fail_after:
        raise Conflict(f"order {data.order_ref} changed its mind after writing")
    return SqlRows(returned=returned, found=found)


@hookimpl
async def linli_event(host: Host, event: Event) -> None:
    """Note a refused charge as ``failed:<order ref>``, a captured or refunded one as heard."""
    ref = event.payload.get("order_ref")
    if event.type == CHARGE_FAILED:
        note = f"failed:{ref}"
    elif event.type == CHARGE_CAPTURED:
        note = f"{HEARD}captured:{ref}"
    elif event.type == CHARGE_REFUNDED:
        note = f"{HEARD}refunded:{ref}:{event.payload['ref']}"
    else:
        return
    await OrderRow.insert(OrderRow(community_id=host.community.id, order_ref=note))


manifest = Manifest(
    name="conformance",
    version="1.0.0",
    sdk=">=1.0,<2",
    title="Conformance shop",
    settings=Settings,
    operations=(
        buy,
        hold,
        charge,
        capture,
        void,
        refund,
        orders,
        notify,
        book_job,
        job,
        finish_job,
        write_sql,
    ),
    revenue_share=RevenueShareRules(
        shares=(
            percent("platform", 500, min=0, max=1000),
            percent("leader", 1000, min=500, max=1500),
            percent("community_fund", 100),
            remainder("supplier"),
        )
    ),
    deposit_rules=RevenueShareRules(shares=(percent("community_fund", 1000), remainder("owner"))),
    piccolo_app="conformance_module.piccolo_app",
    notification_kinds=(
        NotificationKind(
            name="order_ready",
            description="Your order is ready at the pickup point",
            text="Order {order_ref} is ready for pickup",
        ),
    ),
)
