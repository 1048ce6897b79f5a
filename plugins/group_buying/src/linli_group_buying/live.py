"""Live flash sales (社区团播): a leader sells items live and residents buy at once.

A leader (团长) opens a live session and puts items on, each with its stock, a price and a time
limit. Residents buy while the item is on sale; everyone watching sees the stock left and the
orders as they change (the ``live-board`` stream, served as Server-Sent Events).

Two rows decide every purchase, each by one conditional write in the call's transaction, so
thousands of concurrent buyers can never oversell nor pass their limit:

- the buyer's allowance row for the item (one per buyer and item): ``bought + n <= limit``;
- the item's row, last: ``UPDATE ... SET stock_left = stock_left - n WHERE stock_left >= n``.

If either write finds nothing to change, the call fails and nothing it did is kept. Payment is
captured at once (``capture=True``): a flash sale is a sale of stock in hand, final when the
stock row agrees, with no threshold to wait for — so there is no burst of captures at the
close and no authorisation to expire; a refund is the after-sale's business. The parties'
shares stay held until the leader hands the order over (``hand-over-live-order``, 核销).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Mapping
from datetime import datetime, timedelta
from typing import Any

from linli_sdk import (
    Conflict,
    Context,
    Forbidden,
    InvalidInput,
    Money,
    NotFound,
    Operation,
    RateLimit,
    Role,
    command,
    query,
    stream,
)
from pydantic import BaseModel, Field

from .live_tables import LiveAllowance, LiveItem, LiveOrder, LiveSession

__all__ = [
    "BOARD_HEARTBEAT_SECONDS",
    "BOARD_POLL_SECONDS",
    "BUY_RATE_LIMIT",
    "OPERATIONS",
    "ItemState",
    "LiveBoard",
    "LiveItemView",
    "LiveOrderList",
    "LiveOrderPlaced",
    "LiveOrderView",
    "order_ref",
    "payees",
    "refusal",
]

BUY_RATE_LIMIT = RateLimit(per_second=2, burst=5)
"""How often one account may try to buy: a person taps a few times, a bot is held back."""

BOARD_POLL_SECONDS = 0.5
"""How often the live board reads the stock while someone watches."""

BOARD_HEARTBEAT_SECONDS = 15.0
"""The board is sent again after this long without a change, so idle connections stay open."""


# --- models ----------------------------------------------------------------------------------


class LiveSessionOpening(BaseModel):
    """A live session to open."""

    title: str = Field(min_length=1, max_length=120)


class NewLiveItem(BaseModel):
    """An item to put on sale in a live session."""

    session_id: int
    name: str = Field(min_length=1, max_length=120)
    price: Money = Field(description="The unit price.")
    stock: int = Field(ge=1, le=1_000_000, description="Units on sale.")
    per_person_limit: int = Field(default=1, ge=1, le=1000, description="Units one buyer may buy.")
    minutes: int = Field(default=10, ge=1, le=24 * 60, description="How long it stays on sale.")
    supplier_id: int | None = Field(
        default=None, description="Who supplies it (paid the supplier's share); the leader if none."
    )


class LiveSessionRef(BaseModel):
    """One live session, by id."""

    session_id: int


class LiveItemRef(BaseModel):
    """One item of a live session, by id."""

    item_id: int


class LivePurchase(BaseModel):
    """What a resident buys."""

    item_id: int
    quantity: int = Field(default=1, ge=1, le=1000)


class LiveItemView(BaseModel):
    """An item of a live session, as the board shows it."""

    id: int
    name: str
    price: Money
    stock: int
    stock_left: int
    sold: int
    orders: int
    per_person_limit: int
    on_sale: bool
    on_sale_until: datetime


class LiveBoard(BaseModel):
    """A live session's counter: each item's stock left and orders, and the totals."""

    session_id: int
    title: str
    leader_id: int
    open: bool
    items: list[LiveItemView]
    sold: int
    orders: int


class LiveOrderView(BaseModel):
    """A flash-sale purchase: its captured charge, and when it was collected (核销)."""

    id: int
    session_id: int
    item_id: int
    buyer_id: int
    quantity: int
    amount: Money
    charge_id: str
    ordered_at: datetime
    collected_at: datetime | None = None


class LiveOrderPlaced(LiveOrderView):
    """A purchase that just went through, with the stock it left."""

    stock_left: int


class LiveOrderRef(BaseModel):
    """One live order, by id."""

    order_id: int


class LiveOrderQuery(BaseModel):
    """Which of the caller's live orders to list."""

    session_id: int | None = None
    limit: int = Field(default=50, ge=1, le=200)


class LiveOrderList(BaseModel):
    """Live orders, newest first."""

    items: list[LiveOrderView]


# --- rules (pure) ----------------------------------------------------------------------------


class ItemState(BaseModel):
    """What the rules need to know of an item at one moment."""

    stock_left: int
    per_person_limit: int
    on_sale: bool
    on_sale_from: datetime
    on_sale_until: datetime


def refusal(item: ItemState, quantity: int, bought: int, now: datetime) -> str | None:
    """Why ``quantity`` more units cannot be sold to a buyer who has ``bought``, or ``None``.

    The reasons, in the order they are checked: ``not-on-sale`` (taken off or the session
    closed), ``not-started``, ``ended`` (past the time limit), ``sold-out`` (fewer units left
    than asked), ``over-limit`` (the buyer would pass the per-person limit).
    """
    if not item.on_sale:
        return "not-on-sale"
    if now < item.on_sale_from:
        return "not-started"
    if now >= item.on_sale_until:
        return "ended"
    if quantity > item.stock_left:
        return "sold-out"
    if bought + quantity > item.per_person_limit:
        return "over-limit"
    return None


def order_ref(item_id: int, buyer_id: int, bought: int) -> str:
    """The charge's order reference: the buyer's purchase that brought their count to ``bought``.

    Unique per purchase (the allowance row counts each buyer's units of an item), so a retried
    charge finds the first.
    """
    return f"live-{item_id}-{buyer_id}-{bought}"


def payees(leader_id: int, supplier_id: int) -> dict[str, int]:
    """Who is paid each revenue-share party of a live order (collected at the leader's point)."""
    return {"leader": leader_id, "pickup_host": leader_id, "supplier": supplier_id}


_MESSAGES = {
    "not-on-sale": "this item is not on sale",
    "not-started": "this item is not on sale yet",
    "ended": "this item's sale has ended",
    "over-limit": "this would pass the per-person limit of {limit}",
    "sold-out": "sold out: {left} left",
}


def _refuse(reason: str, item: ItemState) -> Conflict:
    detail = _MESSAGES[reason].format(limit=item.per_person_limit, left=item.stock_left)
    return Conflict(detail, reason=reason, stock_left=item.stock_left)


# --- rows ------------------------------------------------------------------------------------

Ctx = Context[Any]


def _state(row: Mapping[str, Any]) -> ItemState:
    return ItemState.model_validate(row, from_attributes=False)


def _item_view(row: Mapping[str, Any], now: datetime) -> LiveItemView:
    return LiveItemView(
        id=row["id"],
        name=row["name"],
        price=Money(amount=row["price"], currency=row["currency"]),
        stock=row["stock"],
        stock_left=row["stock_left"],
        sold=row["stock"] - row["stock_left"],
        orders=row["orders"],
        per_person_limit=row["per_person_limit"],
        on_sale=row["on_sale"] and row["on_sale_from"] <= now < row["on_sale_until"],
        on_sale_until=row["on_sale_until"],
    )


async def _session(ctx: Ctx, session_id: int) -> dict[str, Any]:
    row: dict[str, Any] | None = (
        await LiveSession.select()
        .where((LiveSession.id == session_id) & (LiveSession.community_id == ctx.community.id))
        .first()
    )
    if row is None:
        raise NotFound(f"there is no live session {session_id} in this community")
    return row


def _may_run(ctx: Ctx, session: Mapping[str, Any]) -> None:
    if session["leader_id"] != ctx.caller.member_id and not ctx.caller.has_role(Role.OPERATOR):
        raise Forbidden("only the session's leader (or an operator) may run it")


async def _board(ctx: Ctx, session: Mapping[str, Any], now: datetime) -> LiveBoard:
    rows = (
        await LiveItem.select()
        .where((LiveItem.session_id == session["id"]) & (LiveItem.community_id == ctx.community.id))
        .order_by(LiveItem.id)
    )
    items = [_item_view(row, now) for row in rows]
    return LiveBoard(
        session_id=session["id"],
        title=session["title"],
        leader_id=session["leader_id"],
        open=session["closed_at"] is None,
        items=items,
        sold=sum(item.sold for item in items),
        orders=sum(item.orders for item in items),
    )


def _transaction() -> Any:
    # Inside the platform's call this joins its transaction; alone (the test kit) it is one.
    return LiveItem._meta.db.transaction()


# --- operations ------------------------------------------------------------------------------


@command(Role.LEADER)
async def open_live_session(ctx: Ctx, data: LiveSessionOpening) -> LiveBoard:
    """Open a live session (直播间); put items on with ``put-on-live-item``."""
    assert ctx.caller.member_id is not None
    row = LiveSession(
        community_id=ctx.community.id,
        leader_id=ctx.caller.member_id,
        title=data.title,
        opened_at=ctx.now,
    )
    await row.save()
    return await _board(ctx, row.to_dict(), ctx.now)


@command(Role.LEADER, Role.OPERATOR)
async def put_on_live_item(ctx: Ctx, data: NewLiveItem) -> LiveItemView:
    """Put an item on sale in an open session at once, with its stock and time limit."""
    session = await _session(ctx, data.session_id)
    _may_run(ctx, session)
    if session["closed_at"] is not None:
        raise Conflict(f"live session {data.session_id} is closed")
    if data.price.amount <= 0:
        raise InvalidInput("the price must be positive", field="price")
    row = LiveItem(
        community_id=ctx.community.id,
        session_id=session["id"],
        leader_id=session["leader_id"],
        name=data.name,
        price=data.price.amount,
        currency=data.price.currency,
        stock=data.stock,
        stock_left=data.stock,
        orders=0,
        per_person_limit=data.per_person_limit,
        supplier_id=data.supplier_id or session["leader_id"],
        on_sale=True,
        on_sale_from=ctx.now,
        on_sale_until=ctx.now + timedelta(minutes=data.minutes),
    )
    await row.save()
    await ctx.host.events.publish("live_item_on", {"session_id": session["id"], "item_id": row.id})
    return _item_view(row.to_dict(), ctx.now)


async def _stop(ctx: Ctx, where: Any) -> None:
    await LiveItem.update({LiveItem.on_sale: False}).where(
        where & (LiveItem.community_id == ctx.community.id)
    )


@command(Role.LEADER, Role.OPERATOR)
async def take_off_live_item(ctx: Ctx, data: LiveItemRef) -> LiveItemView:
    """Take an item off sale now; purchases already made stand."""
    row = (
        await LiveItem.select()
        .where((LiveItem.id == data.item_id) & (LiveItem.community_id == ctx.community.id))
        .first()
    )
    if row is None:
        raise NotFound(f"there is no live item {data.item_id} in this community")
    _may_run(ctx, await _session(ctx, row["session_id"]))
    await _stop(ctx, LiveItem.id == data.item_id)
    return _item_view({**row, "on_sale": False}, ctx.now)


@command(Role.LEADER, Role.OPERATOR)
async def close_live_session(ctx: Ctx, data: LiveSessionRef) -> LiveBoard:
    """Close a live session: every item goes off sale; the board shows the final counts."""
    session = await _session(ctx, data.session_id)
    _may_run(ctx, session)
    if session["closed_at"] is None:
        await LiveSession.update({LiveSession.closed_at: ctx.now}).where(
            LiveSession.id == session["id"]
        )
        await _stop(ctx, LiveItem.session_id == session["id"])
        session = {**session, "closed_at": ctx.now}
        await ctx.host.events.publish("live_session_closed", {"session_id": session["id"]})
    return await _board(ctx, session, ctx.now)


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
    async with _transaction():
        item = await LiveItem.select().where(where_item).first()
        if item is None:
            raise NotFound(f"there is no live item {data.item_id} in this community")
        state = _state(item)
        if reason := refusal(state, n, 0, ctx.now):  # the cheap refusals, before any write
            raise _refuse(reason, state)
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
            raise _refuse("over-limit", state)
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
            fresh = _state(await LiveItem.select().where(where_item).first() or item)
            raise _refuse(refusal(fresh, n, 0, ctx.now) or "sold-out", fresh)
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
    _may_run(ctx, await _session(ctx, row["session_id"]))
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


@query(Role.MEMBER)
async def live_session(ctx: Ctx, data: LiveSessionRef) -> LiveBoard:
    """A live session's board now: each item's stock left and orders."""
    return await _board(ctx, await _session(ctx, data.session_id), ctx.now)


_WATCHED: dict[tuple[int, int, int], tuple[float, LiveBoard]] = {}
"""The latest board read per (engine, community, session), shared by this process's watchers."""


async def _watched_board(ctx: Ctx, session_id: int, now: datetime, *, fresh: bool) -> LiveBoard:
    """The session's board, read at most once per poll however many residents watch it.

    A watcher's first board is always read afresh (and errors then are the caller's); later
    ones come from the last read if it is recent. The first watcher to find it stale claims the
    refresh, so the others keep the last board until the new one is in.
    """
    key = (id(LiveItem._meta.db), ctx.community.id, session_id)
    stamp, cached = time.monotonic(), _WATCHED.get(key)
    if cached and not fresh:
        if stamp - cached[0] < BOARD_POLL_SECONDS:
            return cached[1]
        _WATCHED[key] = (stamp, cached[1])
    board = await _board(ctx, await _session(ctx, session_id), now)
    if len(_WATCHED) > 1000:  # forget sessions nobody has read for a while
        for old in [k for k, (at, _) in _WATCHED.items() if stamp - at > BOARD_HEARTBEAT_SECONDS]:
            del _WATCHED[old]
    _WATCHED[key] = (time.monotonic(), board)
    return board


@stream(Role.MEMBER)
async def live_board(ctx: Ctx, data: LiveSessionRef) -> AsyncIterator[LiveBoard]:
    """Watch a live session: its board now, then again whenever stock or orders change.

    Ends with the final board once the session is closed or every item's sale has ended.
    """
    started = time.monotonic()
    last: LiveBoard | None = None
    sent = started
    while True:
        now = ctx.now + timedelta(seconds=time.monotonic() - started)
        board = await _watched_board(ctx, data.session_id, now, fresh=last is None)
        if board != last or time.monotonic() - sent >= BOARD_HEARTBEAT_SECONDS:
            yield board
            last, sent = board, time.monotonic()
        if not board.open or (board.items and not any(i.on_sale for i in board.items)):
            return
        await asyncio.sleep(BOARD_POLL_SECONDS)


OPERATIONS: tuple[Operation, ...] = (
    open_live_session,
    put_on_live_item,
    take_off_live_item,
    close_live_session,
    buy_live_item,
    hand_over_live_order,
    my_live_orders,
    live_session,
    live_board,
)
"""The live sale's operations, for the module's manifest."""
