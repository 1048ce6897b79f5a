"""Buying live (抢购): one conditional write per row decides each purchase; handing it over.

See :mod:`.live` for why two conditional writes are enough under any number of buyers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from linli_sdk import Money, NotFound, RateLimit, Role, command, query

from .live_models import (
    LiveOrderList,
    LiveOrderPlaced,
    LiveOrderQuery,
    LiveOrderRef,
    LiveOrderView,
    LivePurchase,
    order_ref,
    payees,
    refusal,
    refused,
)
from .live_sessions import Ctx, item_state, may_run, session_row
from .live_tables import LiveAllowance, LiveItem, LiveOrder

__all__ = ["BUY_RATE_LIMIT", "buy_live_item", "hand_over_live_order", "my_live_orders"]

BUY_RATE_LIMIT = RateLimit(per_second=2, burst=5)
"""How often one account may try to buy: a person taps a few times, a bot is held back."""


_TAKE_ALLOWANCE = (
    "INSERT INTO group_buying_live_allowance (community_id, item_id, buyer_id, buyer_item, bought)"
    " VALUES ({}, {}, {}, {}, {})"
    " ON CONFLICT (buyer_item) DO UPDATE"
    " SET bought = group_buying_live_allowance.bought + excluded.bought"
    " WHERE group_buying_live_allowance.bought + excluded.bought <= {}"
    " RETURNING bought"
)
"""One statement: count the units against the buyer's allowance row, only within the limit."""


@command(Role.RESIDENT, rate_limit=BUY_RATE_LIMIT)
async def buy_live_item(ctx: Ctx, data: LivePurchase) -> LiveOrderPlaced:
    """Buy an item on sale now; the payment is captured at once.

    Refused (409, with ``reason`` and ``stock_left``) when the item is sold out, off sale or
    past its time limit, or when the buyer would pass the per-person limit.
    """
    buyer, community, n = ctx.caller.member_id, ctx.community.id, data.quantity
    assert buyer is not None
    where_item = (LiveItem.id == data.item_id) & (LiveItem.community_id == community)
    # One savepoint: a refusal after the allowance was counted leaves no count behind.
    async with ctx.host.transaction():
        item = await LiveItem.select().where(where_item).first()
        if item is None:
            raise NotFound(f"there is no live item {data.item_id} in this community")
        state = item_state(item)
        if reason := refusal(state, n, 0, ctx.now):  # the cheap refusals, before any write
            raise refused(reason, state)
        counted = await LiveAllowance.raw(
            _TAKE_ALLOWANCE,
            community,
            item["id"],
            buyer,
            f"{item['id']}:{buyer}",
            n,
            item["per_person_limit"],
        )
        if not counted:
            raise refused("over-limit", state)
        price = Money(amount=item["price"], currency=item["currency"])
        charge = await ctx.host.payments.charge(
            order_ref=order_ref(item["id"], buyer, counted[0]["bought"]),
            amount=price * n,
            payer_id=buyer,
            payees=payees(item["leader_id"], item["supplier_id"]),
            capture=True,
        )
        order = LiveOrder(
            community_id=community,
            session_id=item["session_id"],
            item_id=item["id"],
            buyer_id=buyer,
            quantity=n,
            amount=charge.amount.amount,
            currency=charge.amount.currency,
            charge_id=charge.id,
            ordered_at=ctx.now,
        )
        await order.save()
        # Last, so the hot row stays locked only until the commit that follows.
        left = await (
            LiveItem.update(
                {LiveItem.stock_left: LiveItem.stock_left - n, LiveItem.orders: LiveItem.orders + 1}
            )
            .where(
                where_item
                & (LiveItem.stock_left >= n)
                & (LiveItem.on_sale == True)  # noqa: E712
                & (LiveItem.on_sale_until > ctx.now)
            )
            .returning(LiveItem.stock_left)
        )
        if not left:  # sold out (or taken off) since the first read
            fresh = item_state(await LiveItem.select().where(where_item).first() or item)
            raise refused(refusal(fresh, n, 0, ctx.now) or "sold-out", fresh)
    placed = _order_view(order.to_dict())
    return LiveOrderPlaced(**dict(placed), stock_left=left[0]["stock_left"])


def _order_view(row: Mapping[str, Any]) -> LiveOrderView:
    return LiveOrderView(
        **{k: row[k] for k in LiveOrderView.model_fields if k != "amount"},
        amount=Money(amount=row["amount"], currency=row["currency"]),
    )


@command(Role.LEADER, Role.OPERATOR)
async def hand_over_live_order(ctx: Ctx, data: LiveOrderRef) -> LiveOrderView:
    """Hand a live order to its buyer at the leader's point (核销); releases its shares for payout.

    Handing over again changes nothing.
    """
    where = (LiveOrder.id == data.order_id) & (LiveOrder.community_id == ctx.community.id)
    row = await LiveOrder.select().where(where).first()
    if row is None:
        raise NotFound(f"there is no live order {data.order_id} in this community")
    may_run(ctx, await session_row(ctx, row["session_id"]))
    if row["collected_at"] is None:
        await LiveOrder.update({LiveOrder.collected_at: ctx.now}).where(
            where & LiveOrder.collected_at.is_null()
        )
        row = {**row, "collected_at": ctx.now}
    await ctx.host.payments.release(row["charge_id"])
    return _order_view(row)


@query(Role.MEMBER)
async def my_live_orders(ctx: Ctx, data: LiveOrderQuery) -> LiveOrderList:
    """The caller's own live orders, newest first."""
    where = (LiveOrder.community_id == ctx.community.id) & (
        LiveOrder.buyer_id == ctx.caller.member_id
    )
    if data.session_id is not None:
        where &= LiveOrder.session_id == data.session_id
    rows = (
        await LiveOrder.select()
        .where(where)
        .order_by(LiveOrder.id, ascending=False)
        .limit(data.limit)
    )
    return LiveOrderList(items=[_order_view(row) for row in rows])
