"""Emergency supply on the SDK's test kit: packs, quotas, consent, dispatch order, the account."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from linli_emergency_supply import plugin as emergency_supply
from linli_emergency_supply.models import (
    DeliveryList,
    Dispatched,
    HouseholdList,
    HouseholdOut,
    MyHousehold,
    PackList,
    PackView,
    PublicAccount,
    SupplyOrder,
)
from linli_emergency_supply.rules import CONSENT_TEXT
from linli_emergency_supply.tables import HouseholdRow
from linli_sdk import ChargeStatus, Conflict, Forbidden, InvalidInput, Role
from linli_sdk.testing import PluginKit

START = datetime(2026, 2, 1, 8, 0, tzinfo=UTC)
pytestmark = pytest.mark.usefixtures("supply_db")


def kit_of(linli_kit) -> PluginKit:
    return linli_kit(emergency_supply, now=START)


async def test_packs_are_ordered_within_quotas_and_vulnerable_households_dispatched_first(
    linli_kit,
):
    kit = kit_of(linli_kit)
    operator = kit.add_member("Op", Role.OPERATOR)
    supplier = kit.add_member("Grain co", Role.PROVIDER_STAFF)
    volunteer = kit.add_member("Volunteer Wu", Role.PROVIDER_STAFF)
    wang, li, zhao = (kit.add_member(n, Role.RESIDENT) for n in ("Wang", "Li", "Zhao"))
    await kit.enable()

    with pytest.raises(Conflict) as none:
        await kit.call("add-pack", _pack(), as_=operator)
    assert none.value.extensions["reason"] == "no_emergency"
    lockdown = await kit.declare_emergency("epidemic", notes="封控")

    free = await kit.call("add-pack", _pack(), as_=operator)
    assert isinstance(free, PackView) and free.emergency_id == lockdown.id
    with pytest.raises(InvalidInput):  # a priced pack names its supplier
        await kit.call("add-pack", _pack(name="Rice", price=3990), as_=operator)
    rice = await kit.call(
        "add-pack", _pack(name="Rice", price=3990, quota=1, supplier_id=supplier.id), as_=operator
    )
    homes = {}
    for who, room in ((wang, "101"), (li, "102"), (zhao, "201")):
        home = await kit.call("register-household", {"building": "3", "room": room}, as_=who)
        assert isinstance(home, HouseholdOut)
        homes[who.id] = home
    with pytest.raises(Conflict):  # one unit, one registering resident
        await kit.call("register-household", {"building": "3", "room": "101"}, as_=li)

    with pytest.raises(InvalidInput) as refused:
        await kit.call(
            "set-care-needs",
            {"vulnerability": "elderly_alone", "consent": False, "consent_text": CONSENT_TEXT},
            as_=zhao,
        )
    assert refused.value.extensions["field"] == "consent"
    consent = {"vulnerability": "elderly_alone", "consent": True, "consent_text": CONSENT_TEXT}
    recorded = await kit.call("set-care-needs", consent, as_=zhao)
    assert "elderly" not in recorded.model_dump_json()  # a command never repeats the fact
    mine = await kit.call("my-household", as_=zhao)
    assert isinstance(mine, MyHousehold) and mine.vulnerability == "elderly_alone"
    sealed = [row["sealed"] for row in await HouseholdRow.select(HouseholdRow.sealed)]
    assert len(sealed) == 3 and not any("elderly" in s or "vulnerab" in s for s in sealed)

    first = await kit.call("order-pack", {"pack_id": free.id, "quantity": 2}, as_=wang)
    assert isinstance(first, SupplyOrder) and first.charge_id is None  # free: nothing charged
    await kit.advance(timedelta(minutes=1))
    await kit.call("order-pack", {"pack_id": free.id, "quantity": 1}, as_=wang)
    with pytest.raises(Conflict) as over:
        await kit.call("order-pack", {"pack_id": free.id, "quantity": 1}, as_=wang)
    assert over.value.extensions == {"reason": "over_quota", "left": 0}
    paid = await kit.call("order-pack", {"pack_id": rice.id}, as_=li)
    charge = kit.host.payments.charges[paid.charge_id]
    assert charge.parts["platform"].amount == 0 and charge.parts["supplier"].amount == 3990
    await kit.advance(timedelta(minutes=1))
    late = await kit.call("order-pack", {"pack_id": free.id}, as_=zhao)  # ordered last
    listed = await kit.call("list-packs", as_=wang)
    assert isinstance(listed, PackList)
    assert [p.left_for_my_household for p in listed.items] == [0, 1]

    with pytest.raises(Forbidden):
        await kit.call("households", as_=li)
    with pytest.raises(Forbidden):
        await kit.call("dispatch-deliveries", as_=volunteer)
    dispatcher = kit.add_member("Dispatcher Sun", Role.RESIDENT)
    await kit.call("appoint-dispatcher", {"member_id": dispatcher.id}, as_=operator)
    seen = await kit.call("households", as_=dispatcher)
    assert isinstance(seen, HouseholdList)
    assert [(h.room, h.vulnerability) for h in seen.items] == [
        ("101", None),
        ("102", None),
        ("201", "elderly_alone"),
    ]
    order = await kit.call("dispatch-deliveries", as_=dispatcher)
    assert isinstance(order, Dispatched)
    assert order.order_ids[0] == late.id  # the vulnerable household first, though last to order
    assert [ref for ref in kit.host.dispatch.jobs] == [f"delivery-{i}" for i in order.order_ids]

    assert (await kit.call("deliveries", as_=volunteer)).items == []  # nothing offered yet
    for order_id in order.order_ids:
        await kit.offer_job(f"delivery-{order_id}", volunteer)
    route = await kit.call("deliveries", as_=volunteer)
    assert isinstance(route, DeliveryList)
    assert [d.order_id for d in route.items] == order.order_ids
    assert "elderly" not in route.model_dump_json() and "vulnerab" not in route.model_dump_json()
    job = await kit.accept_job(f"delivery-{late.id}", volunteer)
    with pytest.raises(Forbidden):
        await kit.call("confirm-delivery", {"order_id": late.id, "code": "0000000"}, as_=volunteer)
    code = homes[zhao.id].delivery_code
    done = await kit.call("confirm-delivery", {"order_id": late.id, "code": code}, as_=volunteer)
    assert done.status == "delivered"
    finished = await kit.host.dispatch.get(job.id)
    assert (finished.status, finished.on_time, finished.worker_member_id) == (
        "completed", True, volunteer.id,
    )  # fmt: skip
    with pytest.raises(Conflict):
        await kit.call("confirm-delivery", {"order_id": late.id, "code": code}, as_=volunteer)
    await kit.call(
        "confirm-delivery", {"order_id": paid.id, "code": homes[li.id].delivery_code}, as_=volunteer
    )

    account = await kit.call("public-account", as_=wang)
    assert isinstance(account, PublicAccount)
    assert account.model_dump(exclude={"emergency_id"}) == {
        "buildings": [
            {
                "building": "3",
                "households_served": 2,
                "orders_delivered": 2,
                "packs": {"Rice": 1, "Vegetables": 1},
            }
        ],
        "households_served": 2,
        "orders_delivered": 2,
        "packs_delivered": {"Rice": 1, "Vegetables": 1},
        "orders_waiting": 2,
    }
    await kit.end_emergency(lockdown.id)
    with pytest.raises(Conflict):
        await kit.call("order-pack", {"pack_id": rice.id}, as_=zhao)
    assert (await kit.call("public-account", as_=wang)).orders_delivered == 2  # still readable
    assert charge.status in (ChargeStatus.PENDING, ChargeStatus.CAPTURED)


async def test_withdrawing_consent_removes_the_mark_and_the_priority(linli_kit):
    kit = kit_of(linli_kit)
    operator = kit.add_member("Op", Role.OPERATOR)
    early, elder = kit.add_member("Early", Role.RESIDENT), kit.add_member("Elder", Role.RESIDENT)
    await kit.declare_emergency("flood")
    pack = await kit.call("add-pack", _pack(), as_=operator)
    for who, room in ((early, "1"), (elder, "2")):
        await kit.call("register-household", {"building": "A", "room": room}, as_=who)
    consent = {"vulnerability": "disability", "consent": True, "consent_text": CONSENT_TEXT}
    await kit.call("set-care-needs", consent, as_=elder)
    with pytest.raises(InvalidInput):  # consent to another text is no consent
        await kit.call("set-care-needs", {**consent, "consent_text": "ok"}, as_=early)
    await kit.call("set-care-needs", {"vulnerability": None}, as_=elder)
    assert (await kit.call("my-household", as_=elder)).vulnerability is None
    first = await kit.call("order-pack", {"pack_id": pack.id}, as_=early)
    await kit.advance(timedelta(seconds=1))
    await kit.call("order-pack", {"pack_id": pack.id}, as_=elder)
    order = await kit.call("dispatch-deliveries", as_=operator)
    assert order.order_ids[0] == first.id  # first come, first served once the mark is gone


def _pack(name: str = "Vegetables", price: int = 0, quota: int = 3, **extra):
    return {
        "name": name,
        "contents": "5 kg of seasonal vegetables",
        "price": {"amount": price, "currency": "CNY"},
        "quota": quota,
        **extra,
    }


async def test_with_the_unit_register_granted_a_household_registers_only_its_own_unit(linli_kit):
    kit = linli_kit(emergency_supply, now=START, granted_scopes={"members.unit"})
    resident = kit.add_member("Wang", Role.RESIDENT, unit="3-1202")
    with pytest.raises(InvalidInput) as elsewhere:
        await kit.call("register-household", {"building": "3", "room": "1203"}, as_=resident)
    assert elsewhere.value.extensions["field"] == "room"
    home = await kit.call("register-household", {"building": "3", "room": "1202"}, as_=resident)
    assert (home.building, home.room) == ("3", "1202")


async def test_each_volunteer_sees_and_delivers_only_their_own_jobs(linli_kit):
    kit = kit_of(linli_kit)
    operator = kit.add_member("Op", Role.OPERATOR)
    wu, xu = (kit.add_member(n, Role.PROVIDER_STAFF) for n in ("Volunteer Wu", "Volunteer Xu"))
    await kit.declare_emergency("flood")
    pack = await kit.call("add-pack", _pack(), as_=operator)
    homes = {}
    for room in ("1", "2"):
        who = kit.add_member(f"Household {room}", Role.RESIDENT)
        homes[room] = await kit.call("register-household", {"building": "A", "room": room}, as_=who)
        await kit.call("order-pack", {"pack_id": pack.id}, as_=who)
        await kit.advance(timedelta(seconds=1))
    first, second = (await kit.call("dispatch-deliveries", as_=operator)).order_ids
    await kit.accept_job(f"delivery-{first}", wu)
    await kit.offer_job(f"delivery-{second}", xu)

    seen = {
        v.id: [d.order_id for d in (await kit.call("deliveries", as_=v)).items] for v in (wu, xu)
    }
    assert seen == {wu.id: [first], xu.id: [second]}
    everything = await kit.call("deliveries", as_=operator)
    assert [d.order_id for d in everything.items] == [first, second]
    code = {"order_id": first, "code": homes["1"].delivery_code}
    with pytest.raises(Forbidden, match="another volunteer"):
        await kit.call("confirm-delivery", code, as_=xu)
    await kit.advance(timedelta(hours=5))  # past the delivery window (4 hours by default)
    await kit.call("confirm-delivery", code, as_=wu)
    late = await kit.host.dispatch.get(kit.host.dispatch.jobs[f"delivery-{first}"][1].id)
    assert (late.status, late.on_time) == ("completed", False)
    assert [d.order_id for d in (await kit.call("deliveries", as_=wu)).items] == []
