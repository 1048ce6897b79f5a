"""The community's funds: their balances, their public ledgers, and disbursements out of them."""

from __future__ import annotations

import uuid

from linli_sdk import Conflict, Empty, InvalidInput, Role, command, query

from .models import STAFF, Ctx, Disbursement, FundEntry, FundLedger, FundList, FundRef
from .rules import EntryKind, totals
from .store import money_of, one_row, record_entry, to_entry, to_fund
from .tables import FundEntryRow, FundRow


@command(*STAFF)
async def disburse(ctx: Ctx, data: Disbursement) -> FundEntry:
    """Record money paid out of a fund and its purpose; never more than the fund holds."""
    community = ctx.community.id
    fund = await one_row(FundRow, community, data.fund_id, "fund")
    if data.amount.currency != fund["currency"] or data.amount.amount <= 0:
        raise InvalidInput(f"a disbursement is a positive amount in {fund['currency']}")
    entry = await record_entry(
        community,
        fund["id"],
        f"{community}:out:{uuid.uuid4()}",
        EntryKind.DISBURSEMENT,
        -data.amount,
        data.purpose,
        recorded_by=ctx.caller.member_id,
    )
    if entry is None:
        balance = money_of(fund["balance"], fund["currency"])
        raise Conflict(f"the fund holds {balance}, less than {data.amount}", fund_id=fund["id"])
    return to_entry(entry)


@query(Role.MEMBER)
async def list_funds(ctx: Ctx, data: Empty) -> FundList:
    """List the community's funds and their balances."""
    rows = (
        await FundRow.select().where(FundRow.community_id == ctx.community.id).order_by(FundRow.id)
    )
    return FundList(items=[to_fund(r) for r in rows])


@query(Role.MEMBER)
async def fund_ledger(ctx: Ctx, data: FundRef) -> FundLedger:
    """Read a fund's public ledger: every donation, refund and disbursement, with purposes."""
    fund = await one_row(FundRow, ctx.community.id, data.fund_id, "fund")
    rows = (
        await FundEntryRow.select()
        .where(
            (FundEntryRow.community_id == ctx.community.id) & (FundEntryRow.fund_id == fund["id"])
        )
        .order_by(FundEntryRow.id)
    )
    entries = [to_entry(r) for r in rows]
    return FundLedger(
        fund=to_fund(fund),
        entries=entries,
        totals=totals((e.kind, e.amount.amount) for e in entries),
    )
