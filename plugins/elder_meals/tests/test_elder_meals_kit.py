"""Elderly meals driven by the SDK's test kit: menus, elders, orders, delivery, money, lists."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from linli_elder_meals import plugin as elder_meals
from linli_elder_meals.models import KitchenList, Menu, Order, SubsidyStatement
from linli_sdk import (
    ChargeStatus,
    Community,
    Conflict,
    Document,
    Forbidden,
    InvalidInput,
    MemberView,
    NotFound,
    Role,
)
from linli_sdk.testing import PluginKit

SHANGHAI = Community(id=1, slug="sunny", name="阳光花园", timezone="Asia/Shanghai")
NOW = datetime(2026, 3, 1, 0, 0, tzinfo=UTC)
"""08:00 on Sunday 1 March in Shanghai."""
DAY = date(2026, 3, 2)
CUTOFF = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
"""09:30 on 2 March in Shanghai, the default cut-off."""


def cny(amount: int) -> dict[str, Any]:
    return {"amount": amount, "currency": "CNY"}


class People:
    def __init__(self, kit: PluginKit) -> None:
        self.kitchen = kit.add_member("Kitchen", Role.PROVIDER_STAFF)
        self.courier = kit.add_member("Courier Sun", Role.PROVIDER_STAFF)
        self.operator = kit.add_member("Office", Role.OPERATOR)
        self.payer = kit.add_member("Street office", Role.OPERATOR)
        self.wang = kit.add_member("Grandpa Wang", Role.RESIDENT, unit="3-701")
        self.daughter = kit.add_member("Wang Li", Role.RESIDENT, unit="5-202")
        self.young = kit.add_member("Chen", Role.RESIDENT, unit="5-101")


@pytest.fixture
def kit(elder_meals_db: None, linli_kit: Callable[..., PluginKit]) -> PluginKit:
    return linli_kit(elder_meals, community=SHANGHAI, now=NOW, granted_scopes={"members.unit"})


@pytest.fixture
async def people(kit: PluginKit) -> People:
    who = People(kit)
    await kit.enable({"subsidy_payer_id": who.payer.id})
    return who


async def publish(kit: PluginKit, who: MemberView, **changes: Any) -> Menu:
    menu = {
        "day": DAY.isoformat(),
        "name": "套餐A 红烧肉",
        "dishes": ["红烧肉", "清炒时蔬", "米饭"],
        "price": cny(1500),
        "capacity": 2,
        **changes,
    }
    answer = await kit.call("publish-menu", menu, as_=who)
    assert isinstance(answer, Menu)
    return answer


async def order(
    kit: PluginKit, menu: Menu, by: MemberView, for_: MemberView | None = None
) -> Order:
    data = {"menu_id": menu.id, **({"for_member_id": for_.id} if for_ else {})}
    answer = await kit.call("place-order", data, as_=by)
    assert isinstance(answer, Order)
    return answer


async def register_wang(kit: PluginKit, people: People) -> None:
    await kit.call("register-elder", {"birth_year": 1950, "consent": True}, as_=people.wang)
    await kit.call("add-family", {"family_member_id": people.daughter.id}, as_=people.wang)


def parts(kit: PluginKit, charge_id: str | None) -> dict[str, int]:
    assert charge_id is not None
    charge = kit.host.payments.charges[charge_id]
    assert charge.status is ChargeStatus.CAPTURED
    return {party: money.amount for party, money in charge.parts.items()}


async def test_family_orders_for_an_elder_and_the_meal_is_paid_on_delivery(
    kit: PluginKit, people: People
) -> None:
    menu = await publish(kit, people.kitchen)
    assert menu.cutoff_at == CUTOFF and menu.left == 2
    await register_wang(kit, people)

    for_wang = await order(kit, menu, people.daughter, people.wang)
    assert (for_wang.subsidy.amount, for_wang.to_pay.amount) == (500, 1000)
    assert for_wang.unit == "3-701" and for_wang.status == "placed"
    hold = kit.host.payments.charges[for_wang.hold_id or ""]
    assert hold.deposit and hold.amount.amount == 1000  # held on the daughter's method, not taken
    chen = await order(kit, menu, people.young)
    assert (chen.subsidy.amount, chen.to_pay.amount) == (0, 1500)  # not a registered elder

    closed = await kit.call("close-orders", {"menu_id": menu.id}, as_=people.kitchen)
    assert isinstance(closed, Menu) and closed.status == "closed"
    rounds = sorted(kit.host.dispatch.jobs)
    assert rounds == [
        "meals-2026-03-02-kitchen-1-building-3",
        "meals-2026-03-02-kitchen-1-building-5",
    ]
    job, _ = kit.host.dispatch.jobs[rounds[0]]
    assert job.skills == frozenset({"meal_delivery"})
    assert job.window_start == datetime(2026, 3, 2, 3, 0, tzinfo=UTC)  # 11:00 in Shanghai

    kit.clock = datetime(2026, 3, 2, 3, 20, tzinfo=UTC)
    with pytest.raises(Forbidden):
        await kit.call(
            "confirm-delivery", {"order_id": for_wang.id, "code": "x"}, as_=people.courier
        )
    code = {"order_id": for_wang.id, "code": for_wang.delivery_code}
    done = await kit.call("confirm-delivery", code, as_=people.courier)
    assert isinstance(done, Order) and done.status == "delivered"
    assert done.delivery_code is None  # the worker never sees the code back
    assert parts(kit, done.charge_id) == {"platform": 30, "delivery": 100, "kitchen": 870}
    assert parts(kit, done.subsidy_charge_id) == {"platform": 15, "delivery": 50, "kitchen": 435}
    assert kit.host.payments.payees[done.subsidy_charge_id or ""] == {
        "kitchen": people.kitchen.id,
        "delivery": people.courier.id,
    }
    assert kit.host.payments.charges[for_wang.hold_id or ""].status is ChargeStatus.VOIDED
    with pytest.raises(Conflict):
        await kit.call("confirm-delivery", code, as_=people.courier)

    statement = await kit.call("subsidy-statement", {}, as_=people.payer)
    assert isinstance(statement, SubsidyStatement)
    assert statement.charged.amount == 500 and [i.order_id for i in statement.items] == [
        for_wang.id
    ]
    with pytest.raises(Forbidden):
        await kit.call("subsidy-statement", {}, as_=people.daughter)


async def test_a_menu_is_never_oversold_and_a_diner_eats_once_a_day(
    kit: PluginKit, people: People
) -> None:
    menu = await publish(kit, people.kitchen, capacity=1)
    other = await publish(kit, people.kitchen, name="软食 Soft meal", dishes=["南瓜粥"])
    await order(kit, menu, people.young)
    with pytest.raises(Conflict, match="full"):
        await order(kit, menu, people.daughter)
    with pytest.raises(Conflict, match="already has a meal"):
        await order(kit, other, people.young)
    assert len(kit.host.payments.charges) == 1  # only the first order's hold: nothing else held
    menus = await kit.call("list-menus", {}, as_=people.young)
    assert [m.left for m in menus.items] == [0, 2]  # type: ignore[attr-defined]


async def test_only_family_orders_for_an_elder(kit: PluginKit, people: People) -> None:
    menu = await publish(kit, people.kitchen)
    await register_wang(kit, people)
    with pytest.raises(Forbidden):
        await order(kit, menu, people.young, people.wang)
    with pytest.raises(Forbidden):  # the daughter is not registered: nobody orders for her
        await order(kit, menu, people.wang, people.daughter)
    with pytest.raises(Forbidden):
        await kit.call(
            "add-family",
            {"family_member_id": people.young.id, "elder_id": people.wang.id},
            as_=people.daughter,
        )


async def test_the_subsidy_follows_the_age_rule_and_the_operators_flag(
    kit: PluginKit, people: People
) -> None:
    menu = await publish(kit, people.kitchen, capacity=10)
    await kit.call("register-elder", {"birth_year": 1967, "consent": True}, as_=people.young)
    assert (await order(kit, menu, people.young)).subsidy.amount == 0  # 59 in 2026
    flagged = await kit.call(
        "set-eligibility", {"member_id": people.young.id, "eligible": True}, as_=people.operator
    )
    assert flagged.eligible  # type: ignore[attr-defined]
    later = await publish(kit, people.kitchen, day="2026-03-03")
    assert (await order(kit, later, people.young)).subsidy.amount == 500
    with pytest.raises(Forbidden):
        await kit.call(
            "set-eligibility", {"member_id": people.young.id, "eligible": True}, as_=people.young
        )
    with pytest.raises(InvalidInput):
        await kit.enable({"subsidy_per_meal": 5000})  # above the ¥30 bound


async def test_a_subsidy_never_exceeds_the_price(kit: PluginKit, people: People) -> None:
    await kit.enable({"subsidy_payer_id": people.payer.id, "subsidy_per_meal": 2000})
    menu = await publish(kit, people.kitchen, price=cny(1200))
    await register_wang(kit, people)
    free = await order(kit, menu, people.wang)
    assert (free.subsidy.amount, free.to_pay.amount, free.hold_id) == (1200, 0, None)


async def test_cancelling_before_the_cut_off_releases_the_hold_in_full_once(
    kit: PluginKit, people: People
) -> None:
    menu = await publish(kit, people.kitchen, capacity=1)
    mine = await order(kit, menu, people.young)
    with pytest.raises(NotFound):  # not hers
        await kit.call("cancel-order", {"order_id": mine.id}, as_=people.daughter)
    cancelled = await kit.call("cancel-order", {"order_id": mine.id}, as_=people.young)
    again = await kit.call("cancel-order", {"order_id": mine.id}, as_=people.young)
    assert cancelled == again and isinstance(again, Order) and again.status == "cancelled"
    hold = kit.host.payments.charges[mine.hold_id or ""]
    assert hold.status is ChargeStatus.VOIDED  # released in full: nothing was ever taken
    assert kit.host.payments.actions[mine.hold_id or ""].count("void") == 1
    replaced = await order(kit, menu, people.young)  # the place and the day are free again
    kit.clock = CUTOFF - timedelta(seconds=1)
    await kit.advance(timedelta(seconds=1))  # the cut-off: orders close by themselves
    with pytest.raises(Conflict):
        await kit.call("cancel-order", {"order_id": replaced.id}, as_=people.young)
    assert replaced.id != mine.id


async def test_an_unknown_menu_or_order_is_not_found_by_name(
    kit: PluginKit, people: People
) -> None:
    with pytest.raises(NotFound, match="there is no menu 999 in this community"):
        await kit.call("place-order", {"menu_id": 999}, as_=people.young)
    with pytest.raises(NotFound, match="there is no order 999 in this community"):
        await kit.call("cancel-order", {"order_id": 999}, as_=people.young)


async def test_orders_close_at_the_cut_off_in_the_community_time_zone(
    kit: PluginKit, people: People
) -> None:
    menu = await publish(kit, people.kitchen, cutoff="20:00", cutoff_days_before=1)
    assert menu.cutoff_at == datetime(2026, 3, 1, 12, 0, tzinfo=UTC)  # 20:00 the day before
    placed = await order(kit, menu, people.young)
    fired = await kit.advance(timedelta(hours=12))
    assert [d.key for d in fired] == [f"cutoff:{menu.id}"]
    (mine,) = (await kit.call("my-orders", {}, as_=people.young)).items  # type: ignore[attr-defined]
    assert mine.id == placed.id and mine.status == "dispatched" and mine.job_id
    with pytest.raises(Conflict, match="closed"):
        await order(kit, menu, people.daughter)


async def test_an_order_needs_the_diners_unit(kit: PluginKit, people: People) -> None:
    menu = await publish(kit, people.kitchen)
    kit.revoke("members.unit")
    with pytest.raises(Conflict, match=r"members\.unit"):
        await order(kit, menu, people.young)


async def test_the_kitchen_list_counts_menus_dishes_and_buildings(
    kit: PluginKit, people: People
) -> None:
    pork = await publish(kit, people.kitchen, capacity=5)
    soft = await publish(kit, people.kitchen, name="软食", dishes=["南瓜粥", "米饭"], capacity=5)
    await register_wang(kit, people)
    await order(kit, pork, people.daughter, people.wang)
    await order(kit, pork, people.young)
    gone = await order(kit, soft, people.daughter)
    await kit.call("cancel-order", {"order_id": gone.id}, as_=people.daughter)
    await order(kit, soft, people.daughter)
    day = {"day": DAY.isoformat()}
    with pytest.raises(Forbidden):
        await kit.call("kitchen-list", day, as_=people.young)
    listed = await kit.call("kitchen-list", day, as_=people.kitchen)
    assert isinstance(listed, KitchenList) and listed.meals == 3
    assert {m.name: m.count for m in listed.menus} == {"套餐A 红烧肉": 2, "软食": 1}
    assert {d.dish: d.count for d in listed.dishes} == {
        "红烧肉": 2,
        "清炒时蔬": 2,
        "米饭": 3,
        "南瓜粥": 1,
    }
    assert [(b.building, b.count, b.menus) for b in listed.buildings] == [
        ("3", 1, {"套餐A 红烧肉": 1}),
        ("5", 2, {"套餐A 红烧肉": 1, "软食": 1}),
    ]
    document = await kit.call("kitchen-list-csv", day, as_=people.operator)
    assert isinstance(document, Document) and document.media_type == "text/csv"
    rows = list(csv.reader(io.StringIO(document.content.decode("utf-8-sig"))))
    assert rows[0] == ["day", "section", "building", "item", "count"]
    assert ["2026-03-02", "building", "5", "软食", "1"] in rows
    assert rows[-1] == ["2026-03-02", "total", "", "meals", "3"]
    other_kitchen = kit.add_member("Other kitchen", Role.PROVIDER_STAFF)
    theirs = await publish(kit, other_kitchen, name="饺子", dishes=["饺子"])
    await order(kit, theirs, kit.add_member("Liu", Role.RESIDENT, unit="8-1"))
    mine_only = await kit.call("kitchen-list", day, as_=people.kitchen)
    assert mine_only == listed  # a kitchen sees its own menus only
    everyone = await kit.call("kitchen-list", day, as_=people.operator)
    assert isinstance(everyone, KitchenList) and everyone.meals == 4
    stops = await kit.call("delivery-list", day, as_=people.courier)
    assert [s.unit for s in stops.items] == ["3-701", "5-101", "5-202", "8-1"]  # type: ignore[attr-defined]
    assert "Wang" not in stops.model_dump_json()


async def test_a_refused_share_charge_keeps_the_hold_for_the_kitchen(
    kit: PluginKit, people: People
) -> None:
    menu = await publish(kit, people.kitchen)
    mine = await order(kit, menu, people.young)
    await kit.call("close-orders", {"menu_id": menu.id}, as_=people.kitchen)
    kit.host.payments.decline_next()
    code = {"order_id": mine.id, "code": mine.delivery_code}
    done = await kit.call("confirm-delivery", code, as_=people.courier)
    assert isinstance(done, Order)
    assert kit.host.payments.charges[done.charge_id or ""].status is ChargeStatus.FAILED
    assert parts(kit, mine.hold_id) == {"kitchen": 1500}


async def test_without_a_payer_subsidies_are_recorded_then_charged(
    kit: PluginKit, people: People
) -> None:
    await kit.enable({})
    menu = await publish(kit, people.kitchen)
    await register_wang(kit, people)
    placed = await order(kit, menu, people.wang)
    await kit.call("close-orders", {"menu_id": menu.id}, as_=people.operator)
    code = {"order_id": placed.id, "code": placed.delivery_code}
    done = await kit.call("confirm-delivery", code, as_=people.courier)
    assert isinstance(done, Order) and done.subsidy_status == "recorded"
    with pytest.raises(Conflict):
        await kit.call("charge-subsidies", {}, as_=people.operator)
    await kit.enable({"subsidy_payer_id": people.payer.id})
    charged = await kit.call("charge-subsidies", {}, as_=people.operator)
    assert isinstance(charged, SubsidyStatement)
    assert (charged.charged.amount, charged.recorded.amount) == (500, 0)
    again = await kit.call("charge-subsidies", {}, as_=people.operator)
    assert again == charged
    (line,) = charged.items
    assert parts(kit, line.charge_id) == {"platform": 15, "delivery": 50, "kitchen": 435}


async def test_an_elder_leaves_and_the_registration_is_erased(
    kit: PluginKit, people: People
) -> None:
    await register_wang(kit, people)
    await kit.call("leave-programme", {}, as_=people.wang)
    assert (await kit.call("elders", {}, as_=people.operator)).items == []  # type: ignore[attr-defined]
    menu = await publish(kit, people.kitchen)
    with pytest.raises(Forbidden):
        await order(kit, menu, people.daughter, people.wang)
    assert (await order(kit, menu, people.wang)).subsidy.amount == 0


async def test_a_menu_is_refused_outside_its_bounds(kit: PluginKit, people: People) -> None:
    for changes in (
        {"day": "2026-02-28"},  # yesterday in Shanghai
        {"day": "2026-06-01"},  # more than 60 days ahead
        {"price": cny(0)},
        {"price": cny(100_001)},  # above ¥1,000
        {"deliver_from": "13:00", "deliver_until": "12:00"},
        {"day": "2026-03-01", "cutoff": "07:00"},  # the cut-off passed this morning
    ):
        with pytest.raises(InvalidInput):
            await publish(kit, people.kitchen, **changes)
    assert (await kit.call("list-menus", {}, as_=people.young)).items == []  # type: ignore[attr-defined]


async def test_an_operator_registers_an_elder_in_person(kit: PluginKit, people: People) -> None:
    with pytest.raises(Forbidden):  # a resident registers only themselves
        await kit.call(
            "register-elder",
            {"member_id": people.wang.id, "birth_year": 1950, "consent": True},
            as_=people.daughter,
        )
    with pytest.raises(InvalidInput):  # consent is not optional
        await kit.call("register-elder", {"birth_year": 1950, "consent": False}, as_=people.wang)
    unverified = kit.add_member("Visitor", verified=False)
    with pytest.raises(InvalidInput):
        await kit.call(
            "register-elder",
            {"member_id": unverified.id, "birth_year": 1950, "consent": True},
            as_=people.operator,
        )
    at_station = {"member_id": people.wang.id, "birth_year": 1950, "consent": True}
    await kit.call("register-elder", at_station, as_=people.operator)
    link = {"family_member_id": people.daughter.id, "elder_id": people.wang.id}
    await kit.call("add-family", link, as_=people.operator)
    mine = await kit.call("my-elders", {}, as_=people.daughter)
    assert [(e.member_id, e.eligible) for e in mine.items] == [(people.wang.id, True)]  # type: ignore[attr-defined]
    assert (await kit.call("my-elders", {}, as_=people.young)).items == []  # type: ignore[attr-defined]
    menu = await publish(kit, people.kitchen)
    placed = await order(kit, menu, people.daughter, people.wang)
    with pytest.raises(Conflict, match="open orders"):
        await kit.call("leave-programme", {}, as_=people.wang)
    await kit.call("cancel-order", {"order_id": placed.id}, as_=people.wang)  # the diner may
    await kit.call("leave-programme", {}, as_=people.wang)


async def test_the_demo_offers_tomorrows_menus(kit: PluginKit, people: People) -> None:
    await kit.seed_demo()  # on the real clock, as ``linli demo`` runs it
    tomorrow = SHANGHAI.today(datetime.now(UTC)) + timedelta(days=1)
    menus = (await kit.call("list-menus", {}, as_=people.young)).items  # type: ignore[attr-defined]
    assert [(m.day, m.kitchen_id, m.status) for m in menus] == [
        (tomorrow, people.kitchen.id, "open")
    ] * 2
    assert sorted(kit.host.deadlines.pending) == sorted(f"cutoff:{m.id}" for m in menus)
    assert (await order(kit, menus[1], people.young)).to_pay.amount == 1200


async def test_the_last_door_of_a_round_completes_its_dispatch_job(
    kit: PluginKit, people: People
) -> None:
    menu = await publish(kit, people.kitchen)
    doors = [await order(kit, menu, people.young), await order(kit, menu, people.daughter)]
    await kit.call("close-orders", {"menu_id": menu.id}, as_=people.kitchen)
    ticket = await kit.accept_job("meals-2026-03-02-kitchen-1-building-5", people.courier)
    stops = await kit.call("delivery-list", {"day": DAY.isoformat()}, as_=people.courier)
    assert [(s.order_id, s.job_id) for s in stops.items] == [(d.id, ticket.id) for d in doors]  # type: ignore[attr-defined]

    kit.clock = datetime(2026, 3, 2, 3, 20, tzinfo=UTC)  # 11:20 in Shanghai, in the window
    first, last = doors
    for door, left in ((first, "accepted"), (last, "completed")):
        code = {"order_id": door.id, "code": door.delivery_code}
        await kit.call("confirm-delivery", code, as_=people.courier)
        assert (await kit.host.dispatch.get(ticket.id)).status == left  # done at the last door
    done = await kit.host.dispatch.get(ticket.id)
    assert (done.status, done.on_time, done.completed_at) == ("completed", True, kit.clock)
    assert done.worker_member_id == people.courier.id


async def test_a_round_nobody_accepted_is_delivered_and_left_to_dispatch(
    kit: PluginKit, people: People
) -> None:
    menu = await publish(kit, people.kitchen)
    meal = await order(kit, menu, people.young)
    await kit.call("close-orders", {"menu_id": menu.id}, as_=people.kitchen)
    kit.clock = datetime(2026, 3, 2, 3, 20, tzinfo=UTC)
    code = {"order_id": meal.id, "code": meal.delivery_code}
    done = await kit.call("confirm-delivery", code, as_=people.courier)
    assert isinstance(done, Order) and done.status == "delivered"
    assert (await kit.host.dispatch.get(done.job_id or "")).status == "pending"
