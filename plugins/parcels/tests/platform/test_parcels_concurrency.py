"""Retries and races: a parcel registered by many requests at once, a code verified at once.

A courier's back end that retries (new ``Idempotency-Key`` each time, as after a timeout) makes
one parcel and pays one commission; a code verified by several requests at once collects the
parcel once and charges its storage fee once. On SQLite and on PostgreSQL.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

from linli.identity.members import add_member
from linli.network.service import add_pickup_point
from linli.settlement.tables import SettlementCharge
from linli_parcels.tables import ParcelRow
from linli_sdk import Role
from test_parcels_http import MODULE, C, back_end_token, key, ok, unit_resident

AT_ONCE = 8


async def test_one_parcel_one_commission_one_collection_whatever_the_races(
    start_platform, any_database
):
    async with start_platform(database_url=any_database) as running:
        http, home, op = running.client, running.home, running.auth("operator")
        host = await add_member(home, "Host Li", Role.PICKUP_HOST, Role.RESIDENT)
        as_host = {"Authorization": f"Bearer {host.token}"}
        point = await add_pickup_point(home, "3号楼快递柜旁", host_id=host.id)
        payer = await add_member(home, "YTO account", Role.PROVIDER_STAFF)
        await ok(await http.put(MODULE, json={"enabled": True}, headers=op))
        await ok(await http.put(f"{C}/member-scopes/parcels/members.unit", headers={**op, **key()}))
        client_id, as_courier = await back_end_token(running, "YTO back end")
        courier = {"name": "圆通 YTO", "client_id": client_id, "payer_id": payer.id}
        await ok(await http.post(f"{MODULE}/add-courier", json=courier, headers={**op, **key()}))

        parcel_in = {"tracking_number": "YT9876543210", "point_id": point.id, "unit": "3-701"}
        answers = await asyncio.gather(
            *(
                http.post(
                    f"{MODULE}/register-parcel", json=parcel_in, headers={**as_courier, **key()}
                )
                for _ in range(AT_ONCE)
            )
        )
        assert [a.status_code for a in answers] == [200] * AT_ONCE, [a.text for a in answers]
        assert len({a.json()["id"] for a in answers}) == 1
        assert await ParcelRow.count() == 1

        me = await unit_resident(running, "13912345670", "3", "701")
        (mine,) = (await ok(await http.get(f"{MODULE}/my-parcels", headers=me)))["items"]
        await ParcelRow.update(
            {ParcelRow.registered_at: ParcelRow.registered_at - timedelta(days=5)}
        ).where(ParcelRow.id == mine["id"])
        answers = await asyncio.gather(
            *(
                http.post(
                    f"{MODULE}/verify-pickup",
                    json={"code": mine["pickup_code"]},
                    headers={**as_host, **key()},
                )
                for _ in range(AT_ONCE)
            )
        )
        statuses = Counter(a.status_code for a in answers)
        assert statuses[200] == 1, [a.text for a in answers]
        assert set(statuses) <= {200, 409, 422}  # the rest: collected meanwhile, or spent

        charges = await SettlementCharge.select(
            SettlementCharge.order_ref, SettlementCharge.amount
        ).where(SettlementCharge.module == "parcels")
        assert sorted((c["order_ref"], c["amount"]) for c in charges) == [
            (f"parcel-{mine['id']}-commission", 50),  # the default commission
            (f"parcel-{mine['id']}-storage", 300),  # 3 started days past the 3 free ones
        ]
