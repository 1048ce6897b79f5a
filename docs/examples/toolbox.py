"""A shared toolbox (共享工具箱): lend a drill against a deposit (押金), returned or kept.

Lending holds a deposit on the borrower's method for the loan's days; nothing is taken. A tool
returned intact voids the deposit; a damaged one captures it, and the kept deposit is split by
the manifest's ``deposit_rules`` (the owner, less a tenth for the community fund), not by any
sale rules: the toolbox sells nothing. A deposit left alone past its expiry is voided by the
platform. ``repaired`` gives back what a kept deposit did not cost (read back first, so never
more than is left); ``loan`` reads the deposit back; ``linli_event`` hears from settlement what
happened to the money: taken, given back, paid to the owner.
"""

from __future__ import annotations

from datetime import timedelta

from linli_sdk import (
    CHARGE_CAPTURED,
    CHARGE_PAID_OUT,
    CHARGE_REFUNDED,
    Charge,
    Context,
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


class Lend(BaseModel):
    """Borrow a tool: its owner, the deposit and for how many days."""

    loan_ref: str = Field(min_length=1, max_length=100)
    owner_id: int
    deposit: Money
    days: int = Field(default=3, ge=1, le=30)


class Return(BaseModel):
    """The tool came back; ``damaged`` keeps the deposit."""

    charge_id: str
    damaged: bool = False


class Repaired(BaseModel):
    """A kept deposit's tool was repaired for ``cost``: the rest goes back to the borrower."""

    charge_id: str
    cost: Money


class LoanRef(BaseModel):
    """A loan, by its deposit's charge id."""

    charge_id: str


@command(Role.RESIDENT)
async def lend(ctx: Context[BaseModel], data: Lend) -> Charge:
    """Lend a tool: hold the deposit until the loan's last day."""
    assert ctx.caller.member_id is not None
    return await ctx.host.payments.hold_deposit(
        order_ref=data.loan_ref,
        amount=data.deposit,
        payer_id=ctx.caller.member_id,
        payees={"owner": data.owner_id},
        expires_at=ctx.now + timedelta(days=data.days),
    )


@command(Role.RESIDENT, name="return")
async def give_back(ctx: Context[BaseModel], data: Return) -> Charge:
    """Return the tool: void the deposit, or capture it if the tool came back damaged."""
    if data.damaged:
        return await ctx.host.payments.capture(data.charge_id)
    return await ctx.host.payments.void(data.charge_id)


@command(Role.RESIDENT)
async def repaired(ctx: Context[BaseModel], data: Repaired) -> Refund:
    """Refund the kept deposit less the repair's cost (at most what is left of it)."""
    left = (await ctx.host.payments.get(data.charge_id)).remaining
    back = Money(amount=max(left.amount - data.cost.amount, 0), currency=left.currency)
    return await ctx.host.payments.refund(
        data.charge_id, back, reason="repair cost less than the deposit", ref="repair"
    )


@query(Role.RESIDENT)
async def loan(ctx: Context[BaseModel], data: LoanRef) -> Charge:
    """Read the loan's deposit back: held (authorized), returned (voided) or kept (captured)."""
    return await ctx.host.payments.get(data.charge_id)


HEARD: list[tuple[str, str]] = []
"""``(event type, charge id)`` heard from settlement (a real module would mark its loan row)."""


@hookimpl
async def linli_event(host: Host, event: Event) -> None:
    """Settlement's news about this module's deposits: taken, given back, paid to the owner."""
    if event.type in (CHARGE_CAPTURED, CHARGE_REFUNDED, CHARGE_PAID_OUT):
        HEARD.append((event.type, event.payload["charge_id"]))  # only ours reach us


manifest = Manifest(
    name="toolbox",
    version="0.1.0",
    sdk=">=1.0,<2",
    title="Shared toolbox (共享工具箱)",
    operations=(lend, give_back, repaired, loan),
    deposit_rules=RevenueShareRules(
        shares=(percent("community_fund", 1000), remainder("owner")),
        gateway_fee_bearer="owner",
    ),
)
