"""The government subsidy, charged to the government payer; the payer's statement.

Each delivered meal of an eligible elder is charged to the payer, split like the orderer's
share.
"""

from __future__ import annotations

from typing import Any

from linli_sdk import Conflict, Empty, Forbidden, Host, Money, Role, command, query

from .elders import Ctx
from .models import ElderMealsSettings, SubsidyLine, SubsidyStatement
from .rules import SubsidyStatus
from .tables import OrderRow

__all__ = ["charge_subsidies", "charge_subsidy", "subsidy_statement"]


async def charge_subsidy(
    host: Host, settings: ElderMealsSettings, row: dict[str, Any]
) -> tuple[SubsidyStatus, str | None]:
    """Charge a delivered meal's subsidy to the government payer; its status and charge id.

    Split by the revenue-share rules, the delivering worker (``row["worker_id"]``) named. A
    meal without subsidy stays ``none``; while no payer is set the subsidy is ``recorded``.
    Idempotent: the charge's order ref is the order's.
    """
    amount = Money(amount=row["subsidy_amount"], currency=row["currency"])
    if amount.amount <= 0:
        return SubsidyStatus.NONE, None
    if settings.subsidy_payer_id is None:
        return SubsidyStatus.RECORDED, None
    charge = await host.payments.charge(
        order_ref=f"meal-{row['id']}-subsidy",
        amount=amount,
        payer_id=settings.subsidy_payer_id,
        payees={"kitchen": row["kitchen_id"], "delivery": row["worker_id"]},
        capture=True,
    )
    return SubsidyStatus.CHARGED, charge.id


@command(Role.OPERATOR)
async def charge_subsidies(ctx: Ctx, data: Empty) -> SubsidyStatement:
    """Charge every recorded subsidy to the government payer (once one is set)."""
    if ctx.settings.subsidy_payer_id is None:
        raise Conflict("set subsidy_payer_id in the module's settings first")
    rows = await OrderRow.select().where(
        (OrderRow.community_id == ctx.community.id)
        & (OrderRow.subsidy_status == SubsidyStatus.RECORDED)
    )
    for row in rows:
        status, charge_id = await charge_subsidy(ctx.host, ctx.settings, row)
        await OrderRow.update(
            {OrderRow.subsidy_status: status, OrderRow.subsidy_charge_id: charge_id}
        ).where((OrderRow.id == row["id"]) & (OrderRow.community_id == ctx.community.id))
    return await _statement(ctx)


async def _statement(ctx: Ctx) -> SubsidyStatement:
    rows = (
        await OrderRow.select()
        .where(
            (OrderRow.community_id == ctx.community.id)
            & OrderRow.subsidy_status.is_in([SubsidyStatus.RECORDED, SubsidyStatus.CHARGED])
        )
        .order_by(OrderRow.day)
        .order_by(OrderRow.id)
    )
    currency = ctx.settings.subsidy_per_meal.currency
    totals = {SubsidyStatus.CHARGED: 0, SubsidyStatus.RECORDED: 0}
    for row in rows:
        totals[SubsidyStatus(row["subsidy_status"])] += row["subsidy_amount"]
    return SubsidyStatement(
        items=[
            SubsidyLine(
                order_id=r["id"],
                day=r["day"],
                amount=Money(amount=r["subsidy_amount"], currency=r["currency"]),
                status=r["subsidy_status"],
                charge_id=r["subsidy_charge_id"],
            )
            for r in rows
        ],
        charged=Money(amount=totals[SubsidyStatus.CHARGED], currency=currency),
        recorded=Money(amount=totals[SubsidyStatus.RECORDED], currency=currency),
    )


@query(Role.MEMBER)
async def subsidy_statement(ctx: Ctx, data: Empty) -> SubsidyStatement:
    """The subsidy of every delivered meal: for the government payer, operators and auditors.

    Lines carry order ids and days only, never a name.
    """
    payer = ctx.settings.subsidy_payer_id
    if not ctx.caller.has_role(Role.OPERATOR, Role.AUDITOR) and ctx.caller.member_id != payer:
        raise Forbidden("only the government payer, operators and auditors see this statement")
    return await _statement(ctx)
