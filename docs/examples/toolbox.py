"""A shared toolbox (共享工具箱): lend a drill against a deposit (押金), returned or kept.

Lending holds a deposit on the borrower's method for the loan's days; nothing is taken. A tool
returned intact voids the deposit; a damaged one captures it, and the kept deposit is split by
the manifest's ``deposit_rules`` (the owner, less a tenth for the community fund), not by any
sale rules: the toolbox sells nothing. A deposit left alone past its expiry is voided by the
platform. ``loan`` reads the deposit back; ``linli_event`` hears that a kept deposit was taken.
"""

from __future__ import annotations

from datetime import timedelta

from linli_sdk import (
    CHARGE_CAPTURED,
    Charge,
    Context,
    Event,
    Host,
    Manifest,
    Money,
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


@query(Role.RESIDENT)
async def loan(ctx: Context[BaseModel], data: LoanRef) -> Charge:
    """Read the loan's deposit back: held (authorized), returned (voided) or kept (captured)."""
    return await ctx.host.payments.get(data.charge_id)


KEPT: list[str] = []
"""Deposits this module heard were taken (a real module would mark its loan row)."""


@hookimpl
async def linli_event(host: Host, event: Event) -> None:
    """A kept deposit was taken: the platform's event, addressed to this module only."""
    if event.type == CHARGE_CAPTURED and event.payload["module"] == host.module:
        KEPT.append(event.payload["charge_id"])


manifest = Manifest(
    name="toolbox",
    version="0.1.0",
    sdk=">=0.1,<0.2",
    title="Shared toolbox (共享工具箱)",
    operations=(lend, give_back, loan),
    deposit_rules=RevenueShareRules(
        shares=(percent("community_fund", 1000), remainder("owner")),
        gateway_fee_bearer="owner",
    ),
)
