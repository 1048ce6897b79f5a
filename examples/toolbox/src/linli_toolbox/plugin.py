"""Shared toolbox (共享工具箱): neighbours lend each other tools.

A resident borrows a drill from a neighbour: the lending fee is charged (the platform keeps
its share, the lender the rest), a deposit is held on the borrower's payment method, and the
tool is due back after the community's loan period. When the lender confirms the return, the
deposit is released in full, and a return on time earns the borrower community credit. A
borrower whose credit waives deposits (``CreditStanding.deposits_waived``) leaves none.

The entry point ``linli.plugins: toolbox`` names this module.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from linli_sdk import (
    Conflict,
    Context,
    CreditEventSpec,
    Empty,
    Forbidden,
    InvalidInput,
    Manifest,
    Money,
    NotFound,
    RevenueShareRules,
    Role,
    command,
    percent,
    query,
    remainder,
)
from pydantic import BaseModel, Field

from .deposits import hold_deposit, release_deposit
from .tables import LoanRow

__all__ = ["manifest"]

ON_TIME = "returned_on_time"
"""The credit event a borrower earns by returning a tool by its due time."""


class Settings(BaseModel):
    """What an operator may set per community."""

    deposit: int = Field(
        default=20_000, ge=0, le=1_000_000, description="The deposit held per loan, in fen."
    )
    loan_days: int = Field(default=3, ge=1, le=30, description="Days until a tool is due back.")
    on_time_credit: int = Field(
        default=5, ge=1, le=10, description="Credit a borrower earns for returning on time."
    )


class Borrow(BaseModel):
    """Borrow a tool from a neighbour for a fee (zero for a favour)."""

    tool: str = Field(min_length=1, max_length=120)
    lender_id: int
    fee: Money


class LoanRef(BaseModel):
    """One loan, by id."""

    loan_id: int


class Loan(BaseModel):
    """A loan: who lent what to whom, what it cost, and whether it came back on time."""

    id: int
    tool: str
    lender_id: int
    borrower_id: int
    fee: Money
    deposit: Money
    fee_charge_id: str
    deposit_charge_id: str
    lent_at: datetime
    due_at: datetime
    returned_at: datetime | None
    on_time: bool | None


class LoanList(BaseModel):
    """Loans, newest first."""

    items: list[Loan]


Ctx = Context[Settings]

RULES = RevenueShareRules(shares=(percent("platform", 500, min=0, max=1000), remainder("lender")))
DEPOSIT_RULES = RevenueShareRules(shares=(remainder("lender"),))
"""A deposit kept for damage goes to the lender whole: the platform takes no share of it."""
"""The platform takes 5 % of a lending fee (0-10 % per community); the lender the rest."""


def _loan(row: dict[str, object]) -> Loan:
    currency = str(row["currency"])
    fields = {k: v for k, v in row.items() if k not in ("community_id", "currency")}
    fields["fee"] = Money(amount=row["fee"], currency=currency)  # type: ignore[arg-type]
    fields["deposit"] = Money(amount=row["deposit"], currency=currency)  # type: ignore[arg-type]
    return Loan.model_validate(fields)


async def _one(ctx: Ctx, loan_id: int) -> dict[str, object]:
    row = (
        await LoanRow.select()
        .where((LoanRow.id == loan_id) & (LoanRow.community_id == ctx.community.id))
        .first()
    )
    if row is None:
        raise NotFound(f"there is no loan {loan_id} in this community")
    return row


@command(Role.RESIDENT)
async def borrow_tool(ctx: Ctx, data: Borrow) -> Loan:
    """Borrow a neighbour's tool: the fee is charged and the deposit held until the return.

    A borrower whose community credit waives deposits leaves none.
    """
    borrower = ctx.caller.member_id
    assert borrower is not None  # residents are members
    if data.fee.is_negative:
        raise InvalidInput("the fee cannot be negative", field="fee")
    if data.lender_id == borrower:
        raise InvalidInput("you cannot borrow your own tool", field="lender_id")
    if await ctx.host.members.get(data.lender_id) is None:
        raise InvalidInput(f"member {data.lender_id} is not in this community", field="lender_id")
    waived = (await ctx.host.credit.standing(borrower)).deposits_waived
    deposit = Money(amount=0 if waived else ctx.settings.deposit, currency=data.fee.currency)
    row = LoanRow(
        community_id=ctx.community.id,
        tool=data.tool,
        lender_id=data.lender_id,
        borrower_id=borrower,
        fee=data.fee.amount,
        deposit=deposit.amount,
        currency=data.fee.currency,
        fee_charge_id="",
        deposit_charge_id="",
        lent_at=ctx.now,
        due_at=ctx.now + timedelta(days=ctx.settings.loan_days),
    )
    await row.save()
    fee_charge = ""
    if data.fee.amount:
        charge = await ctx.host.payments.charge(
            order_ref=f"toolbox-fee-{row.id}",
            amount=data.fee,
            payer_id=borrower,
            payees={"lender": data.lender_id},
        )
        fee_charge = charge.id
    hold = ""
    if deposit.amount:
        hold = await hold_deposit(
            ctx.host,
            loan_id=row.id,
            borrower_id=borrower,
            lender_id=data.lender_id,
            amount=deposit,
            due_at=row.due_at,
        )
    await LoanRow.update(
        {LoanRow.fee_charge_id: fee_charge, LoanRow.deposit_charge_id: hold}
    ).where(LoanRow.id == row.id)
    return _loan(await _one(ctx, row.id))


@command(Role.RESIDENT, Role.OPERATOR)
async def return_tool(ctx: Ctx, data: LoanRef) -> Loan:
    """The lender (or an operator) confirms the tool is back: the deposit is released.

    A return by the due time earns the borrower the ``returned_on_time`` credit event.
    """
    row = await _one(ctx, data.loan_id)
    if ctx.caller.member_id != row["lender_id"] and not ctx.caller.has_role(Role.OPERATOR):
        raise Forbidden("only the lender or an operator confirms a return")
    if row["returned_at"] is not None:
        raise Conflict(f"loan {data.loan_id} was already returned")
    due = row["due_at"]
    assert isinstance(due, datetime)
    on_time = ctx.now <= due
    if row["deposit_charge_id"]:
        await release_deposit(ctx.host, str(row["deposit_charge_id"]))
    if on_time:
        await ctx.host.credit.emit(
            member_id=int(str(row["borrower_id"])),
            event=ON_TIME,
            weight=ctx.settings.on_time_credit,
            event_id=f"toolbox-on-time-{data.loan_id}",
        )
    await LoanRow.update({LoanRow.returned_at: ctx.now, LoanRow.on_time: on_time}).where(
        (LoanRow.id == data.loan_id) & (LoanRow.community_id == ctx.community.id)
    )
    return _loan(await _one(ctx, data.loan_id))


@query(Role.MEMBER)
async def my_loans(ctx: Ctx, data: Empty) -> LoanList:
    """The loans the caller borrowed or lent in this community, newest first."""
    me = ctx.caller.member_id or 0
    rows = (
        await LoanRow.select()
        .where(
            (LoanRow.community_id == ctx.community.id)
            & ((LoanRow.borrower_id == me) | (LoanRow.lender_id == me))
        )
        .order_by(LoanRow.id, ascending=False)
        .limit(100)
    )
    return LoanList(items=[_loan(row) for row in rows])


manifest = Manifest(
    name="toolbox",
    version="0.1.0",
    sdk=">=1.0,<2",
    title="Shared toolbox (共享工具箱)",
    description=(
        "Neighbours lend tools: a small fee, a deposit held until the tool comes back, "
        "credit for returning on time."
    ),
    settings=Settings,
    operations=(borrow_tool, return_tool, my_loans),
    credit_events=(
        CreditEventSpec(
            name=ON_TIME,
            min_weight=1,
            max_weight=10,
            description="Returned a borrowed tool by its due time.",
        ),
    ),
    revenue_share=RULES,
    deposit_rules=DEPOSIT_RULES,
    piccolo_app="linli_toolbox.piccolo_app",
)
