"""Parcels driven by the SDK's test kit: couriers, codes, verification (核销), fees and shares."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from linli_parcels import plugin as parcels
from linli_parcels.models import Courier, CourierList, CourierStatement, Parcel, ParcelList
from linli_sdk import (
    Caller,
    ChargeStatus,
    Conflict,
    Forbidden,
    InvalidInput,
    Money,
    NotFound,
    Role,
)
from linli_sdk.testing import PluginKit

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
SF = Caller(member_id=None, roles=frozenset({Role.PROVIDER_STAFF}), client_id="sf-backend")
"""The courier's back end, calling with client credentials."""


def cny(fen: int) -> Money:
    return Money(amount=fen, currency="CNY")


class Station:
    """The kit's community: an operator, a courier's payer, two points and their hosts,
    two residents of unit 3-701 and one of 5-202."""

    def __init__(self, kit: PluginKit) -> None:
        self.kit = kit
        self.operator = kit.add_member("Office", Role.OPERATOR)
        self.sf_payer = kit.add_member("SF Express account", Role.PROVIDER_STAFF)
        self.host = kit.add_member("Host Li", Role.PICKUP_HOST, Role.RESIDENT, unit="1-101")
        self.other_host = kit.add_member("Host Wu", Role.PICKUP_HOST)
        self.point = kit.add_pickup_point("3号楼快递柜旁", host=self.host)
        self.other_point = kit.add_pickup_point("北门驿站", host=self.other_host)
        self.chen = kit.add_member("Chen", Role.RESIDENT, unit="3-701")
        self.chen_wife = kit.add_member("Chen Wang", Role.RESIDENT, unit="3-701")
        self.neighbour = kit.add_member("Liu", Role.RESIDENT, unit="5-202")

    async def admit_sf(self) -> None:
        await self.kit.call(
            "add-courier",
            {"name": "顺丰 SF", "client_id": "sf-backend", "payer_id": self.sf_payer.id},
            as_=self.operator,
        )

    async def register(
        self, tracking: str = "SF100", unit: str = "3-701", point: int = 0
    ) -> Parcel:
        data = {"tracking_number": tracking, "point_id": point or self.point.id, "unit": unit}
        parcel = await self.kit.call("register-parcel", data, as_=SF)
        assert isinstance(parcel, Parcel)
        return parcel

    async def mine(self, who: object) -> ParcelList:
        listed = await self.kit.call("my-parcels", as_=who)  # type: ignore[arg-type]
        assert isinstance(listed, ParcelList)
        return listed


@pytest.fixture
def kit(parcels_db: None, linli_kit: Callable[..., PluginKit]) -> PluginKit:
    return linli_kit(parcels, now=NOW, granted_scopes={"members.unit"})


@pytest.fixture
async def station(kit: PluginKit) -> Station:
    station = Station(kit)
    await station.admit_sf()
    return station


async def test_a_registered_parcel_charges_the_courier_once_for_the_station(
    kit: PluginKit, station: Station
) -> None:
    parcel = await station.register()
    again = await station.register()
    assert again == parcel  # the same tracking number twice is one parcel
    assert parcel.status == "waiting" and parcel.commission == cny(50)
    (charge,) = kit.host.payments.charges.values()
    assert charge.order_ref == f"parcel-{parcel.id}-commission"
    assert charge.status is ChargeStatus.CAPTURED
    assert charge.parts == {"platform": cny(5), "station": cny(45)}
    assert kit.host.payments.payees[charge.id] == {"station": station.host.id}
    with pytest.raises(Conflict, match="another unit"):
        await station.register(unit="5-202")
    published = [e.type for e in kit.host.events.published]
    assert published.count("parcels.parcel_registered") == 1


async def test_only_an_admitted_couriers_back_end_registers(
    kit: PluginKit, station: Station
) -> None:
    stranger = Caller(member_id=None, roles=frozenset({Role.PROVIDER_STAFF}), client_id="other")
    data = {"tracking_number": "YT0001", "point_id": station.point.id, "unit": "3-701"}
    with pytest.raises(Forbidden, match="courier admitted"):
        await kit.call("register-parcel", data, as_=stranger)
    staff_member = kit.add_member("Someone's staff", Role.PROVIDER_STAFF)
    with pytest.raises(Forbidden):
        await kit.call("register-parcel", data, as_=staff_member)
    with pytest.raises(NotFound):
        await kit.call("register-parcel", {**data, "point_id": 99}, as_=SF)
    hostless = kit.add_pickup_point("No one's shelf")
    with pytest.raises(Conflict, match="no host"):
        await kit.call("register-parcel", {**data, "point_id": hostless.id}, as_=SF)
    with pytest.raises(InvalidInput):
        await kit.call("register-parcel", {**data, "unit": "3 701"}, as_=SF)
    assert not kit.host.payments.charges


async def test_each_resident_of_the_unit_holds_a_code_of_their_own(
    kit: PluginKit, station: Station
) -> None:
    parcel = await station.register()
    (seen_by_chen,) = (await station.mine(station.chen)).items
    (seen_by_wife,) = (await station.mine(station.chen_wife)).items
    assert seen_by_chen.id == seen_by_wife.id == parcel.id
    assert seen_by_chen.pickup_code and seen_by_wife.pickup_code
    assert seen_by_chen.pickup_code.startswith(f"{station.chen.id}-")
    assert seen_by_chen.pickup_code != seen_by_wife.pickup_code
    assert seen_by_chen.commission is None  # the courier's business
    assert (await station.mine(station.neighbour)).items == []
    listed = await kit.call("station-parcels", as_=station.host)
    assert isinstance(listed, ParcelList)
    assert [p.id for p in listed.items] == [parcel.id]
    assert all(p.pickup_code is None for p in listed.items)  # the host never sees codes
    other = await kit.call("station-parcels", as_=station.other_host)
    assert isinstance(other, ParcelList) and other.items == []


async def test_without_the_unit_scope_residents_are_told_why(
    kit: PluginKit, station: Station
) -> None:
    kit.revoke("members.unit")
    with pytest.raises(Conflict, match=r"members\.unit"):
        await station.mine(station.chen)


async def test_verified_within_the_free_days_costs_nothing(
    kit: PluginKit, station: Station
) -> None:
    parcel = await station.register()
    (mine,) = (await station.mine(station.chen)).items
    assert mine.free_until == NOW + timedelta(days=3) and mine.storage_fee == cny(0)
    await kit.advance(timedelta(days=2, hours=23))
    done = await kit.call("verify-pickup", {"code": mine.pickup_code}, as_=station.host)
    assert isinstance(done, Parcel)
    assert done.status == "collected" and done.storage_fee == cny(0)
    assert done.storage_charge_id is None
    assert [c.order_ref for c in kit.host.payments.charges.values()] == [
        f"parcel-{parcel.id}-commission"
    ]
    (collected,) = (await station.mine(station.chen_wife)).items
    assert collected.status == "collected" and collected.pickup_code is None


async def test_two_days_past_the_free_days_charges_the_collecting_resident(
    kit: PluginKit, station: Station
) -> None:
    await kit.enable({"free_days": 3, "storage_fee_per_day": 150, "storage_fee_cap": 1000})
    parcel = await station.register()
    await kit.advance(timedelta(days=5))
    (mine,) = (await station.mine(station.chen_wife)).items
    assert mine.storage_fee == cny(300)  # what collecting costs now, shown beforehand
    done = await kit.call("verify-pickup", {"code": mine.pickup_code}, as_=station.host)
    assert isinstance(done, Parcel) and done.storage_fee == cny(300)
    storage = kit.host.payments.charges[str(done.storage_charge_id)]
    assert storage.order_ref == f"parcel-{parcel.id}-storage"
    assert storage.parts == {"platform": cny(30), "station": cny(270)}
    assert kit.host.payments.payees[storage.id] == {"station": station.host.id}
    with pytest.raises(InvalidInput, match="matches no parcel"):  # collected: the code is spent
        await kit.call("verify-pickup", {"code": mine.pickup_code}, as_=station.host)
    assert len(kit.host.payments.charges) == 2


async def test_the_fee_stops_at_the_cap(kit: PluginKit, station: Station) -> None:
    await station.register()
    await kit.advance(timedelta(days=60))
    (mine,) = (await station.mine(station.chen)).items
    done = await kit.call("verify-pickup", {"code": mine.pickup_code}, as_=station.host)
    assert isinstance(done, Parcel) and done.storage_fee == cny(500)  # the default cap


async def test_a_wrong_code_opens_nothing_and_says_nothing_more(
    kit: PluginKit, station: Station
) -> None:
    await station.register()
    (mine,) = (await station.mine(station.chen)).items
    assert mine.pickup_code is not None
    member, digits = mine.pickup_code.split("-")
    wrong_digits = f"{member}-{(int(digits) + 1) % 1_000_000:06d}"
    wife_with_chens_digits = f"{station.chen_wife.id}-{digits}"
    neighbour = f"{station.neighbour.id}-{digits}"
    for code in (wrong_digits, wife_with_chens_digits, neighbour, "999-123456", "hello"):
        with pytest.raises(InvalidInput) as refused:
            await kit.call("verify-pickup", {"code": code}, as_=station.host)
        assert str(refused.value) == "this code matches no parcel waiting at your pickup point"
    with pytest.raises(InvalidInput):  # the right code, at another point's counter
        await kit.call("verify-pickup", {"code": mine.pickup_code}, as_=station.other_host)
    with pytest.raises(Forbidden):  # a resident is no host
        await kit.call("verify-pickup", {"code": mine.pickup_code}, as_=station.chen)
    still = await kit.call("station-parcels", as_=station.host)
    assert isinstance(still, ParcelList) and [p.status for p in still.items] == ["waiting"]
    assert parcels.pickup.verify_pickup.rate_limit is not None  # the platform limits tries


async def test_the_courier_statement_adds_up_to_the_fen(kit: PluginKit, station: Station) -> None:
    await kit.enable({"commission": 37})
    registered = [await station.register(f"SF00{n}") for n in range(3)]
    await station.register("SF000")  # again: nothing more
    await station.register("SF009", point=station.other_point.id)
    statement = await kit.call("courier-statement", as_=SF)
    assert isinstance(statement, CourierStatement)
    assert statement.courier.client_id == "sf-backend"
    assert [line.commission for line in statement.lines] == [cny(37)] * 4
    assert statement.total == cny(148)
    charges = kit.host.payments.charges
    assert sum(charges[str(line.charge_id)].amount.amount for line in statement.lines) == 148
    by_payee: dict[int, int] = {}
    for charge in charges.values():
        station_id = kit.host.payments.payees[charge.id]["station"]
        by_payee[station_id] = by_payee.get(station_id, 0) + charge.parts["station"].amount
        assert charge.parts["platform"] == cny(3)  # floor(37 * 1000 / 10000)
    assert by_payee == {station.host.id: 3 * 34, station.other_host.id: 34}
    as_operator = await kit.call(
        "courier-statement", {"courier_id": statement.courier.id}, as_=station.operator
    )
    assert as_operator == statement
    assert [p.id for p in registered] == [line.parcel_id for line in statement.lines[:3]]


async def test_no_commission_charges_nothing(kit: PluginKit, station: Station) -> None:
    await kit.enable({"commission": 0})
    parcel = await station.register()
    assert parcel.commission == cny(0) and not kit.host.payments.charges
    statement = await kit.call("courier-statement", as_=SF)
    assert isinstance(statement, CourierStatement) and statement.total == cny(0)


async def test_settings_have_bounds(kit: PluginKit) -> None:
    for bad in ({"free_days": 31}, {"storage_fee_cap": 10001}, {"commission": -1}):
        with pytest.raises(InvalidInput):
            await kit.enable(bad)


async def test_a_parcel_nobody_collects_goes_back_to_the_courier_free_of_storage(
    kit: PluginKit, station: Station
) -> None:
    parcel = await station.register()
    (mine,) = (await station.mine(station.chen)).items
    await kit.advance(timedelta(days=20))
    with pytest.raises(Conflict):  # not the other point's host to hand back
        await kit.call("return-parcel", {"parcel_id": parcel.id}, as_=station.other_host)
    back = await kit.call("return-parcel", {"parcel_id": parcel.id}, as_=station.host)
    assert isinstance(back, Parcel)
    assert back.status == "returned" and back.returned_at == kit.clock
    assert back.storage_fee == cny(0)
    with pytest.raises(InvalidInput):  # its codes are void
        await kit.call("verify-pickup", {"code": mine.pickup_code}, as_=station.host)
    with pytest.raises(Conflict):  # once
        await kit.call("return-parcel", {"parcel_id": parcel.id}, as_=station.host)
    assert [c.order_ref for c in kit.host.payments.charges.values()] == [
        f"parcel-{parcel.id}-commission"  # the commission stays paid; nobody pays storage
    ]
    (seen,) = (await station.mine(station.chen)).items
    assert seen.status == "returned" and seen.pickup_code is None


async def test_residents_see_what_left_the_point_for_thirty_days(
    kit: PluginKit, station: Station
) -> None:
    collected = await station.register("SF0001")
    still = await station.register("SF0002")
    (first, _) = (await station.mine(station.chen)).items
    await kit.call("verify-pickup", {"code": first.pickup_code}, as_=station.host)
    await kit.advance(timedelta(days=30))
    assert [p.id for p in (await station.mine(station.chen)).items] == [collected.id, still.id]
    await kit.advance(timedelta(seconds=1))
    (waiting,) = (await station.mine(station.chen)).items  # the collected one is history
    assert waiting.status == "waiting"


async def test_a_retired_courier_registers_no_more_but_reads_its_statement(
    kit: PluginKit, station: Station
) -> None:
    await station.register()
    listed = await kit.call("list-couriers", as_=station.operator)
    assert isinstance(listed, CourierList)
    (courier,) = listed.items
    retired = await kit.call("retire-courier", {"courier_id": courier.id}, as_=station.operator)
    assert isinstance(retired, Courier) and retired.active is False
    with pytest.raises(Forbidden):
        await station.register("SF0101")
    statement = await kit.call("courier-statement", as_=SF)
    assert isinstance(statement, CourierStatement) and statement.total == cny(50)
    assert statement.courier.active is False
