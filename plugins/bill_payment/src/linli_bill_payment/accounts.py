"""Saved biller accounts (户号): the caller's own and the community's shared ones."""

from __future__ import annotations

from linli_sdk import Empty, Forbidden, Role, command, query

from .models import Account, AccountList, Ctx, NewAccount
from .store import enabled_biller
from .tables import BillAccountRow


@command(Role.MEMBER)
async def save_account(ctx: Ctx, data: NewAccount) -> Account:
    """Remember a biller account; ``shared`` saves it for the whole community (staff only)."""
    enabled_biller(ctx, data.biller)
    if data.shared and not ctx.caller.has_role(Role.OPERATOR, Role.LEADER):
        raise Forbidden("only operators and leaders save accounts for the whole community")
    row = BillAccountRow(
        community_id=ctx.community.id,
        member_id=None if data.shared else ctx.caller.member_id,
        biller=data.biller,
        account_number=data.account_number,
        label=data.label,
    )
    await row.save()
    return Account(
        id=row.id,
        biller=data.biller,
        account_number=data.account_number,
        label=data.label,
        shared=data.shared,
    )


@query(Role.MEMBER)
async def list_accounts(ctx: Ctx, data: Empty) -> AccountList:
    """List the caller's saved accounts and the community's shared ones."""
    rows = (
        await BillAccountRow.select()
        .where(
            (BillAccountRow.community_id == ctx.community.id)
            & (
                BillAccountRow.member_id.is_null()
                | (BillAccountRow.member_id == (ctx.caller.member_id or 0))
            )
        )
        .order_by(BillAccountRow.id)
    )
    return AccountList(
        items=[
            Account(
                id=r["id"],
                biller=r["biller"],
                account_number=r["account_number"],
                label=r["label"],
                shared=r["member_id"] is None,
            )
            for r in rows
        ]
    )
