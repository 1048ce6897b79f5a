"""Live flash sales on the SDK's test kit alone: no platform, the live tables on a SQLite file.

The fixtures live here (the plugin's tests directory is shared with the campaign tests): each
test binds the live tables to a fresh SQLite file and puts back the engines they had.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from linli_group_buying import plugin as group_buying
from linli_group_buying.live import (
    ItemState,
    LiveBoard,
    LiveItemView,
    LiveOrderList,
    LiveOrderPlaced,
    LiveOrderView,
    order_ref,
    refusal,
)
from linli_sdk import ChargeStatus, Conflict, Forbidden, MemberView, Money, NotFound, Role
from linli_sdk.testing import ModuleDatabase, PluginKit
from piccolo.engine.sqlite import SQLiteEngine

START = datetime(2026, 6, 1, 20, 0, tzinfo=UTC)


def cny(fen: int) -> dict[str, Any]:
    return {"amount": fen, "currency": "CNY"}


@pytest.fixture
def live_db(linli_module_db: Callable[[object], ModuleDatabase]) -> SQLiteEngine:
    """The module's tables (the live sale's among them) on a fresh, migrated SQLite file."""
    return linli_module_db(group_buying).engine


@pytest.fixture
def kit(live_db: SQLiteEngine, linli_kit: Callable[..., PluginKit]) -> PluginKit:
    """The group buying module on the fresh database, its clock at ``START``."""
    return linli_kit(group_buying, now=START)


async def open_sale(
    kit: PluginKit, leader: MemberView, stock: int = 3, limit: int = 1, minutes: int = 10
) -> tuple[LiveBoard, LiveItemView]:
    board = await kit.call("open-live-session", {"title": "Fruit night"}, as_=leader)
    assert isinstance(board, LiveBoard)
    item = await kit.call(
        "put-on-live-item",
        {
            "session_id": board.session_id,
            "name": "Lychees 1 kg",
            "price": cny(1990),
            "stock": stock,
            "per_person_limit": limit,
            "minutes": minutes,
        },
        as_=leader,
    )
    assert isinstance(item, LiveItemView)
    return board, item


async def buy(kit: PluginKit, who: MemberView, item: LiveItemView, n: int = 1) -> LiveOrderPlaced:
    order = await kit.call("buy-live-item", {"item_id": item.id, "quantity": n}, as_=who)
    assert isinstance(order, LiveOrderPlaced)
    return order


async def refused(kit: PluginKit, who: MemberView, item: LiveItemView, n: int = 1) -> str:
    with pytest.raises(Conflict) as caught:
        await buy(kit, who, item, n)
    reason: str = caught.value.extensions["reason"]
    return reason


def test_the_manifest_serves_the_live_operations() -> None:
    names = {op.name for op in group_buying.manifest.operations}
    assert {
        "open-live-session",
        "put-on-live-item",
        "take-off-live-item",
        "close-live-session",
        "buy-live-item",
        "hand-over-live-order",
        "my-live-orders",
        "live-session",
        "live-board",
    } <= names
    buy_op = group_buying.manifest.operation("buy-live-item")
    assert buy_op is not None and buy_op.rate_limit is not None


async def test_residents_buy_and_the_board_counts(kit: PluginKit) -> None:
    leader = kit.add_member("Wang", Role.LEADER, Role.RESIDENT)
    chen, li = kit.add_member("Chen", Role.RESIDENT), kit.add_member("Li", Role.RESIDENT)
    board, item = await open_sale(kit, leader, stock=5, limit=3)
    assert item.stock_left == 5 and item.on_sale
    first = await buy(kit, chen, item, 2)
    assert first.amount == Money(amount=3980, currency="CNY")
    assert first.stock_left == 3
    await buy(kit, li, item)
    charge = kit.host.payments.charges[first.charge_id]
    assert charge.status is ChargeStatus.CAPTURED  # captured at once
    assert charge.order_ref == order_ref(item.id, chen.id, 2)
    now = await kit.call("live-session", {"session_id": board.session_id}, as_=li)
    assert isinstance(now, LiveBoard)
    assert (now.sold, now.orders, now.items[0].stock_left) == (3, 2, 2)
    facts = sorted(kit.host.purchases.facts.values(), key=lambda f: f.recorded_at)
    assert [(f.member_id, f.quantity, f.amount.amount) for f in facts] == [
        (chen.id, 2, 3980),
        (li.id, 1, 1990),
    ]
    assert facts[0].item == facts[1].item and facts[0].ref.startswith("live-order-")


async def test_every_refusal_is_clear_and_changes_nothing(kit: PluginKit) -> None:
    leader = kit.add_member("Wang", Role.LEADER)
    chen, li = kit.add_member("Chen", Role.RESIDENT), kit.add_member("Li", Role.RESIDENT)
    board, item = await open_sale(kit, leader, stock=2, limit=1)
    assert await refused(kit, chen, item, 2) == "over-limit"
    await buy(kit, chen, item)
    assert await refused(kit, chen, item) == "over-limit"
    assert await refused(kit, li, item, 2) == "sold-out"  # checked before the limit
    await buy(kit, li, item)
    zhao = kit.add_member("Zhao", Role.RESIDENT)
    assert await refused(kit, zhao, item) == "sold-out"
    assert len(kit.host.payments.charges) == 2
    assert len(kit.host.purchases.facts) == 2  # a refused buy leaves no purchase fact
    newcomer = kit.add_member("New")  # not a verified resident
    with pytest.raises(Forbidden):
        await buy(kit, newcomer, item)
    with pytest.raises(NotFound):
        await kit.call("buy-live-item", {"item_id": 999}, as_=chen)
    final = await kit.call("live-session", {"session_id": board.session_id}, as_=chen)
    assert isinstance(final, LiveBoard) and final.sold == 2 and final.orders == 2


async def test_the_time_limit_taking_off_and_closing_stop_sales(kit: PluginKit) -> None:
    leader = kit.add_member("Wang", Role.LEADER)
    chen = kit.add_member("Chen", Role.RESIDENT)
    _, item = await open_sale(kit, leader, minutes=5)
    await kit.advance(timedelta(minutes=5))
    assert await refused(kit, chen, item) == "ended"
    _, second = await open_sale(kit, leader)
    off = await kit.call("take-off-live-item", {"item_id": second.id}, as_=leader)
    assert isinstance(off, LiveItemView) and not off.on_sale
    assert await refused(kit, chen, second) == "not-on-sale"
    third_board, third = await open_sale(kit, leader)
    closed = await kit.call(
        "close-live-session", {"session_id": third_board.session_id}, as_=leader
    )
    assert isinstance(closed, LiveBoard) and not closed.open
    assert await refused(kit, chen, third) == "not-on-sale"
    with pytest.raises(Conflict):
        await kit.call(
            "put-on-live-item",
            {"session_id": third_board.session_id, "name": "x", "price": cny(1), "stock": 1},
            as_=leader,
        )
    assert kit.host.payments.charges == {}


async def test_only_the_sessions_leader_runs_it(kit: PluginKit) -> None:
    leader, other = kit.add_member("Wang", Role.LEADER), kit.add_member("Sun", Role.LEADER)
    operator = kit.add_member("Op", Role.OPERATOR)
    board, item = await open_sale(kit, leader)
    with pytest.raises(Forbidden):
        await kit.call("take-off-live-item", {"item_id": item.id}, as_=other)
    with pytest.raises(Forbidden):
        await kit.call("close-live-session", {"session_id": board.session_id}, as_=other)
    closed = await kit.call("close-live-session", {"session_id": board.session_id}, as_=operator)
    assert isinstance(closed, LiveBoard) and not closed.open


async def test_handing_over_releases_the_shares_once(kit: PluginKit) -> None:
    leader, other = kit.add_member("Wang", Role.LEADER), kit.add_member("Sun", Role.LEADER)
    chen = kit.add_member("Chen", Role.RESIDENT)
    board, item = await open_sale(kit, leader)
    order = await buy(kit, chen, item)
    assert not kit.host.payments.payable(order.charge_id)  # held until handed over
    with pytest.raises(Forbidden):
        await kit.call("hand-over-live-order", {"order_id": order.id}, as_=other)
    handed = await kit.call("hand-over-live-order", {"order_id": order.id}, as_=leader)
    assert isinstance(handed, LiveOrderView) and handed.collected_at == kit.clock
    assert kit.host.payments.payable(order.charge_id)
    await kit.advance(timedelta(hours=1))
    again = await kit.call("hand-over-live-order", {"order_id": order.id}, as_=leader)
    assert isinstance(again, LiveOrderView) and again.collected_at == handed.collected_at
    mine = await kit.call("my-live-orders", {"session_id": board.session_id}, as_=chen)
    assert isinstance(mine, LiveOrderList)
    assert [(o.id, o.buyer_id, o.collected_at) for o in mine.items] == [
        (order.id, chen.id, handed.collected_at)
    ]
    theirs = await kit.call("my-live-orders", as_=leader)
    assert isinstance(theirs, LiveOrderList) and theirs.items == []


async def test_the_board_streams_until_the_session_closes(kit: PluginKit) -> None:
    leader = kit.add_member("Wang", Role.LEADER)
    chen = kit.add_member("Chen", Role.RESIDENT)
    board, item = await open_sale(kit, leader)
    (first,) = await kit.stream("live-board", {"session_id": board.session_id}, as_=chen, limit=1)
    assert isinstance(first, LiveBoard) and first.items[0].stock_left == 3
    await buy(kit, chen, item)
    await kit.call("close-live-session", {"session_id": board.session_id}, as_=leader)
    (final,) = await kit.stream("live-board", {"session_id": board.session_id}, as_=chen)
    assert isinstance(final, LiveBoard)
    assert (final.open, final.sold, final.orders) == (False, 1, 1)


def _item(**fields: Any) -> ItemState:
    base: dict[str, Any] = {
        "stock_left": 5,
        "per_person_limit": 2,
        "on_sale": True,
        "on_sale_from": START,
        "on_sale_until": START + timedelta(minutes=10),
    }
    return ItemState(**{**base, **fields})


def test_refusal_reasons_in_order() -> None:
    assert refusal(_item(), 2, 0, START) is None
    assert refusal(_item(on_sale=False, stock_left=0), 1, 0, START) == "not-on-sale"
    assert refusal(_item(), 1, 0, START - timedelta(seconds=1)) == "not-started"
    assert refusal(_item(), 1, 0, START + timedelta(minutes=10)) == "ended"
    assert refusal(_item(stock_left=1), 2, 2, START) == "sold-out"
    assert refusal(_item(stock_left=1), 1, 2, START) == "over-limit"


purchases = st.lists(
    st.tuples(st.integers(0, 4), st.integers(1, 4)),  # (which buyer, how many)
    max_size=25,
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(stock=st.integers(1, 12), limit=st.integers(1, 5), wanted=purchases)
async def test_stock_and_limits_hold_for_any_sequence(
    kit: PluginKit, stock: int, limit: int, wanted: list[tuple[int, int]]
) -> None:
    """Against a plain model: never oversold, nobody past the limit, one charge per purchase."""
    leader = kit.add_member("Wang", Role.LEADER)
    buyers = [kit.add_member(f"Buyer {n}", Role.RESIDENT) for n in range(5)]
    charges_before = len(kit.host.payments.charges)
    board, item = await open_sale(kit, leader, stock=stock, limit=limit)
    left, bought = stock, [0] * len(buyers)
    for who, n in wanted:
        expected = "sold-out" if n > left else "over-limit" if bought[who] + n > limit else None
        if expected is None:
            order = await buy(kit, buyers[who], item, n)
            left, bought[who] = left - n, bought[who] + n
            assert order.stock_left == left
            assert order.amount == Money(amount=1990 * n, currency="CNY")
        else:
            assert await refused(kit, buyers[who], item, n) == expected
    final = await kit.call("live-session", {"session_id": board.session_id}, as_=leader)
    assert isinstance(final, LiveBoard)
    (shown,) = final.items
    assert shown.stock_left == left >= 0
    assert shown.sold == sum(bought) == stock - left
    assert max(bought) <= limit
    charges = list(kit.host.payments.charges.values())[charges_before:]
    assert len(charges) == shown.orders
    assert sum(c.amount.amount for c in charges) == 1990 * sum(bought)
    assert all(c.status is ChargeStatus.CAPTURED for c in charges)


async def test_live_session_reports_count_gmv_sell_through_and_pickups(kit: PluginKit) -> None:
    leader, other = kit.add_member("Wang", Role.LEADER), kit.add_member("Sun", Role.LEADER)
    chen, li = kit.add_member("Chen", Role.RESIDENT), kit.add_member("Li", Role.RESIDENT)
    board, item = await open_sale(kit, leader, stock=4, limit=2)
    first = await buy(kit, chen, item, 2)
    await buy(kit, li, item)
    await kit.call("hand-over-live-order", {"order_id": first.id}, as_=leader)

    report = await kit.call("live-session-reports", {}, as_=leader)
    (session,) = report.sessions
    assert session.session_id == board.session_id
    assert session.gmv == Money(amount=3 * 1990, currency="CNY")
    assert (session.buyers, session.orders, session.orders_collected) == (2, 2, 1)
    assert (session.units_offered, session.units_sold) == (4, 3)
    assert (session.sell_through_bp, session.pickup_bp) == (7500, 5000)
    # Another leader's report does not include this session.
    assert (await kit.call("live-session-reports", {}, as_=other)).sessions == []
