"""Live sessions: a leader opens one, puts items on and takes them off; everyone watches.

The board (each item's stock left and orders) is read on request (``live-session``) or
streamed while it changes (``live-board``, Server-Sent Events), read at most once per poll
however many residents watch.
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
    Role,
    command,
    query,
    stream,
)

from .live_models import (
    ItemState,
    LiveBoard,
    LiveItemRef,
    LiveItemView,
    LiveSessionOpening,
    LiveSessionRef,
    NewLiveItem,
)
from .live_tables import LiveItem, LiveSession

__all__ = [
    "BOARD_HEARTBEAT_SECONDS",
    "BOARD_POLL_SECONDS",
    "Ctx",
    "board_of",
    "close_live_session",
    "item_state",
    "item_view",
    "live_board",
    "live_session",
    "may_run",
    "open_live_session",
    "put_on_live_item",
    "session_row",
    "take_off_live_item",
]

BOARD_POLL_SECONDS = 0.5
"""How often the live board reads the stock while someone watches."""

BOARD_HEARTBEAT_SECONDS = 15.0
"""The board is sent again after this long without a change, so idle connections stay open."""


Ctx = Context[Any]
"""The context of a live operation."""


def item_state(row: Mapping[str, Any]) -> ItemState:
    """An item row as the rules see it."""
    return ItemState.model_validate(row, from_attributes=False)


def item_view(row: Mapping[str, Any], now: datetime) -> LiveItemView:
    """An item row as its model at ``now``."""
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


async def session_row(ctx: Ctx, session_id: int) -> dict[str, Any]:
    """The live session row, or :class:`NotFound`."""
    row: dict[str, Any] | None = (
        await LiveSession.select()
        .where((LiveSession.id == session_id) & (LiveSession.community_id == ctx.community.id))
        .first()
    )
    if row is None:
        raise NotFound(f"there is no live session {session_id} in this community")
    return row


def may_run(ctx: Ctx, session: Mapping[str, Any]) -> None:
    """Refuse anyone but the session's leader and the operators."""
    if session["leader_id"] != ctx.caller.member_id and not ctx.caller.has_role(Role.OPERATOR):
        raise Forbidden("only the session's leader (or an operator) may run it")


async def board_of(ctx: Ctx, session: Mapping[str, Any], now: datetime) -> LiveBoard:
    """The session's board at ``now``: each item's stock left and orders."""
    rows = (
        await LiveItem.select()
        .where((LiveItem.session_id == session["id"]) & (LiveItem.community_id == ctx.community.id))
        .order_by(LiveItem.id)
    )
    items = [item_view(row, now) for row in rows]
    return LiveBoard(
        session_id=session["id"],
        title=session["title"],
        leader_id=session["leader_id"],
        open=session["closed_at"] is None,
        items=items,
        sold=sum(item.sold for item in items),
        orders=sum(item.orders for item in items),
    )


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
    return await board_of(ctx, row.to_dict(), ctx.now)


@command(Role.LEADER, Role.OPERATOR)
async def put_on_live_item(ctx: Ctx, data: NewLiveItem) -> LiveItemView:
    """Put an item on sale in an open session at once, with its stock and time limit."""
    session = await session_row(ctx, data.session_id)
    may_run(ctx, session)
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
    return item_view(row.to_dict(), ctx.now)


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
    may_run(ctx, await session_row(ctx, row["session_id"]))
    await _stop(ctx, LiveItem.id == data.item_id)
    return item_view({**row, "on_sale": False}, ctx.now)


@command(Role.LEADER, Role.OPERATOR)
async def close_live_session(ctx: Ctx, data: LiveSessionRef) -> LiveBoard:
    """Close a live session: every item goes off sale; the board shows the final counts."""
    session = await session_row(ctx, data.session_id)
    may_run(ctx, session)
    if session["closed_at"] is None:
        await LiveSession.update({LiveSession.closed_at: ctx.now}).where(
            LiveSession.id == session["id"]
        )
        await _stop(ctx, LiveItem.session_id == session["id"])
        session = {**session, "closed_at": ctx.now}
        await ctx.host.events.publish("live_session_closed", {"session_id": session["id"]})
    return await board_of(ctx, session, ctx.now)


@query(Role.MEMBER)
async def live_session(ctx: Ctx, data: LiveSessionRef) -> LiveBoard:
    """A live session's board now: each item's stock left and orders."""
    return await board_of(ctx, await session_row(ctx, data.session_id), ctx.now)


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
    board = await board_of(ctx, await session_row(ctx, session_id), now)
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
