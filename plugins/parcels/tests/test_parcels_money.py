"""Money properties of the parcel station over generated days (Hypothesis, on the kit).

However many times each parcel is registered, whichever resident of the unit collects it, after
however long, and whatever the operator set (free days, fees, cap, commission, the platform's
share): each parcel charges the courier its commission once and its collector the storage fee
the rule gives once, each split exactly — the platform its percentage, floored, the host of the
parcel's point the rest — and the courier's statement is the sum of its commissions.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from linli_parcels import plugin as parcels
from linli_parcels.models import CourierStatement, Parcel, ParcelList
from linli_parcels.rules import storage_fee
from linli_sdk import Caller, ChargeStatus, Community, InvalidInput, MemberView, Role
from linli_sdk.testing import PluginKit, module_database

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
COURIER = Caller(member_id=None, roles=frozenset({Role.PROVIDER_STAFF}), client_id="zto")
_communities = itertools.count(1)


@pytest.fixture(scope="module")
def money_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """One SQLite database for the test module; each example is a community of its own."""
    with module_database(parcels, tmp_path_factory.mktemp("parcels") / "parcels.sqlite"):
        yield


parcel_days = st.lists(
    st.tuples(
        st.integers(0, 1),  # which point
        st.integers(0, 1),  # which resident of the unit collects
        st.integers(0, 15 * 24),  # hours held
        st.integers(1, 3),  # times the courier registers it
    ),
    min_size=1,
    max_size=5,
)
station_settings = st.fixed_dictionaries(
    {
        "free_days": st.integers(0, 5),
        "storage_fee_per_day": st.integers(0, 300),
        "storage_fee_cap": st.integers(0, 1000),
        "commission": st.integers(0, 300),
    }
)


async def day(
    parcel_list: list[tuple[int, int, int, int]], chosen: dict[str, int], platform_bp: int
) -> None:
    community_id = next(_communities)
    kit = PluginKit(
        parcels,
        community=Community(id=community_id, slug=f"p{community_id}", name="P"),
        now=NOW,
        granted_scopes={"members.unit"},
    )
    await kit.enable(chosen)
    kit.host.payments.set_overrides({"platform": platform_bp})
    operator = kit.add_member("Office", Role.OPERATOR)
    payer = kit.add_member("ZTO account", Role.PROVIDER_STAFF)
    hosts = [kit.add_member(f"Host {n}", Role.PICKUP_HOST) for n in range(2)]
    points = [kit.add_pickup_point(f"Point {n}", host=hosts[n]) for n in range(2)]
    courier = {"name": "中通 ZTO", "client_id": "zto", "payer_id": payer.id}
    await kit.call("add-courier", courier, as_=operator)

    registered: list[tuple[Parcel, MemberView, int, int]] = []
    for n, (point, who, hours, times) in enumerate(parcel_list):
        unit = f"{n + 1}-101"
        residents = [kit.add_member(f"R{n}{m}", Role.RESIDENT, unit=unit) for m in range(2)]
        data = {"tracking_number": f"ZT{n:06d}", "point_id": points[point].id, "unit": unit}
        for _ in range(times):
            parcel = await kit.call("register-parcel", data, as_=COURIER)
            assert isinstance(parcel, Parcel)
        registered.append((parcel, residents[who], hours, point))

    expected: dict[str, tuple[int, int]] = {}  # order ref -> (amount, host)
    for parcel, _, _, point in registered:
        if chosen["commission"]:
            expected[f"parcel-{parcel.id}-commission"] = (chosen["commission"], hosts[point].id)
    for parcel, collector, hours, point in sorted(registered, key=lambda r: r[2]):
        if kit.clock < NOW + timedelta(hours=hours):
            await kit.advance(NOW + timedelta(hours=hours) - kit.clock)
        mine = await kit.call("my-parcels", as_=collector)
        assert isinstance(mine, ParcelList)
        (waiting,) = [p for p in mine.items if p.id == parcel.id]
        code = {"code": waiting.pickup_code}
        done = await kit.call("verify-pickup", code, as_=hosts[point])
        with pytest.raises(InvalidInput):  # the code is spent
            await kit.call("verify-pickup", code, as_=hosts[point])
        fee = storage_fee(
            timedelta(hours=hours),
            free_days=chosen["free_days"],
            per_day=chosen["storage_fee_per_day"],
            cap=chosen["storage_fee_cap"],
        )
        assert (
            isinstance(done, Parcel)
            and done.storage_fee.amount == fee == waiting.storage_fee.amount
        )
        if fee:
            expected[f"parcel-{parcel.id}-storage"] = (fee, hosts[point].id)

    charges = kit.host.payments.charges.values()
    assert {c.order_ref: c.amount.amount for c in charges} == {
        ref: amount for ref, (amount, _) in expected.items()
    }
    earned: dict[int, int] = defaultdict(int)
    for charge in charges:
        amount, host_id = expected[charge.order_ref]
        assert charge.status is ChargeStatus.CAPTURED
        platform = amount * platform_bp // 10_000
        assert charge.parts["platform"].amount == platform
        assert charge.parts["station"].amount == amount - platform
        assert kit.host.payments.payees[charge.id] == {"station": host_id}
        earned[host_id] += charge.parts["station"].amount
    assert sum(earned.values()) + sum(c.parts["platform"].amount for c in charges) == sum(
        amount for amount, _ in expected.values()
    )
    statement = await kit.call("courier-statement", as_=COURIER)
    assert isinstance(statement, CourierStatement)
    assert statement.total.amount == chosen["commission"] * len(parcel_list)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(parcel_list=parcel_days, chosen=station_settings, platform_bp=st.integers(0, 3000))
def test_every_parcel_charges_once_and_splits_to_the_fen(
    money_db: None,
    parcel_list: list[tuple[int, int, int, int]],
    chosen: dict[str, int],
    platform_bp: int,
) -> None:
    asyncio.run(day(parcel_list, chosen, platform_bp))
