"""The conformance module (``conformance``): an order row, then a charge, per purchase.

Made for the conformance suite: each operation asks the host for one thing the kit and the
platform must answer alike (a charge and its payees, a capture, a void, a refund by ref), after
writing a row of its own, so a call that raises shows whether its row was rolled back; a
refused charge is noted as a row too, when ``settlement.charge_failed`` reaches the module.
"""

from __future__ import annotations

from linli_sdk import (
    CHARGE_FAILED,
    Charge,
    Conflict,
    Context,
    Empty,
    Event,
    Host,
    Manifest,
    Money,
    Refund,
    RevenueShareRules,
    Role,
    command,
    hookimpl,
    percent,
    query,
    remainder,
)
from pydantic import BaseModel, Field

from .tables import OrderRow


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


class ChargeRef(BaseModel):
    """A charge, by id."""

    charge_id: str


class RefundIn(BaseModel):
    """A refund of part of a charge, idempotent by ``ref``."""

    charge_id: str
    amount: Money
    ref: str = Field(min_length=1)


class Orders(BaseModel):
    """The community's order refs, oldest first."""

    order_refs: list[str]


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
    """The community's order refs."""
    rows = (
        await OrderRow.select(OrderRow.order_ref)
        .where(OrderRow.community_id == ctx.community.id)
        .order_by(OrderRow.id)
    )
    return Orders(order_refs=[row["order_ref"] for row in rows])


@hookimpl
async def linli_event(host: Host, event: Event) -> None:
    """Note each refused charge as an order row ``failed:<order ref>``."""
    if event.type == CHARGE_FAILED:
        refused = f"failed:{event.payload['order_ref']}"
        await OrderRow.insert(OrderRow(community_id=host.community.id, order_ref=refused))


manifest = Manifest(
    name="conformance",
    version="1.0.0",
    sdk=">=1.0,<2",
    title="Conformance shop",
    settings=Settings,
    operations=(buy, capture, void, refund, orders),
    revenue_share=RevenueShareRules(
        shares=(
            percent("platform", 500, min=0, max=1000),
            percent("leader", 1000, min=500, max=1500),
            percent("community_fund", 100),
            remainder("supplier"),
        )
    ),
    piccolo_app="conformance_module.piccolo_app",
)
