"""Buying live (抢购): one conditional write per row decides each purchase; handing it over.

See :mod:`.live` for why two conditional writes are enough under any number of buyers. Each
buy is reported as a purchase fact (``host.purchases``) under the item's name as product, in
the buy's transaction, so a refused buy leaves none.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from linli_sdk import Money, NotFound, RateLimit, Role, command, query, sql

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
from .pricing import product_key

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

# The purchase's other statements, written out: a buy runs them under a hot row's lock, where
# building them with Piccolo's query builder costs more than running them.
_ITEM = "SELECT * FROM group_buying_live_item WHERE id = {} AND community_id = {}"
_PLACE_ORDER = (
    "INSERT INTO group_buying_live_order (community_id, session_id, item_id, buyer_id, quantity,"
    " amount, currency, charge_id, ordered_at) VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {})"
    " RETURNING id"
)
_TAKE_STOCK = (
    "UPDATE group_buying_live_item SET stock_left = stock_left - {}, orders = orders + 1"
    " WHERE id = {} AND community_id = {} AND stock_left >= {} AND on_sale = {}"
    " AND on_sale_until > {} RETURNING stock_left"
)


@command(Role.RESIDENT, rate_limit=BUY_RATE_LIMIT)
async def buy_live_item(ctx: Ctx, data: LivePurchase) -> LiveOrderPlaced:
    """Buy an item on sale now; the payment is captured at once.

    Refused (409, with ``reason`` and ``stock_left``) when the item is sold out, off sale or
    past its time limit, or when the buyer would pass the per-person limit.
    """
    buyer, community, n = ctx.caller.member_id, ctx.community.id, data.quantity
    assert buyer is not None
    # No savepoint: a refusal raises, and the call's unit of work undoes the allowance counted.
    rows = await sql.fetch(LiveItem, _ITEM, data.item_id, community)
    if not rows:
        raise NotFound(f"there is no live item {data.item_id} in this community")
    item = rows[0]
    state = item_state(item)
    if reason := refusal(state, n, 0, ctx.now):  # the cheap refusals, before any write
        raise refused(reason, state)
    counted = await sql.fetch(
        LiveAllowance,
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
    order: dict[str, Any] = {
        "community_id": community,
        "session_id": item["session_id"],
        "item_id": item["id"],
        "buyer_id": buyer,
        "quantity": n,
        "amount": charge.amount.amount,
        "currency": charge.amount.currency,
        "charge_id": charge.id,
        "ordered_at": ctx.now,
    }
    placed = await sql.fetch(LiveOrder, _PLACE_ORDER, *order.values())
    await ctx.host.purchases.record(
        ref=f"live-order-{placed[0]['id']}",
        member_id=buyer,
        item=product_key(item["name"]),
        item_name=item["name"],
        category="groceries",
        quantity=n,
        amount=charge.amount,
    )
    # Last, so the hot row stays locked only until the commit that follows.
    left = await sql.fetch(LiveItem, _TAKE_STOCK, n, item["id"], community, n, True, ctx.now)
    if not left:  # sold out (or taken off) since the first read
        fresh = (await sql.fetch(LiveItem, _ITEM, data.item_id, community)) or [item]
        state = item_state(fresh[0])
        raise refused(refusal(state, n, 0, ctx.now) or "sold-out", state)
    view = _order_view({**order, "id": placed[0]["id"], "collected_at": None})
    return LiveOrderPlaced(**dict(view), stock_left=left[0]["stock_left"])


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
