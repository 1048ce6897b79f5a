"""Group buying on the platform: a missed minimum refunds everyone, stock is never oversold."""

from __future__ import annotations

import asyncio

from group_buying_helpers import GB, group_buying
from linli.identity.members import add_member
from linli_sdk import Role


async def test_a_missed_minimum_voids_every_authorisation_in_full(start_platform, any_database):
    async with group_buying(start_platform, database_url=any_database) as gb:
        campaign = await gb.open(minimum=3, seconds=1.5)
        orders = [
            await gb.join("resident", campaign, 2),
            await gb.join("neighbour", campaign, 1),
        ]
        closed = await gb.until_closed(campaign)
        assert closed["status"] == "cancelled"
        for order in orders:
            charge = await gb.running.platform.settlement.get(
                gb.running.home, int(order["charge_id"][3:])
            )
            assert charge.status == "voided" and charge.parts == {}
        for who in ("resident", "neighbour"):
            (mine,) = (await gb.get("my-orders", who))["items"]
            assert mine["status"] == "cancelled" and mine["pickup_code"] is None
        ledger = await gb.running.client.get(
            "/v1/communities/home/settlement/ledger", headers=gb.auth("operator")
        )
        assert ledger.json()["balanced"]
        answer = await gb.running.client.post(
            f"{GB}/join-campaign",
            json={"campaign_id": campaign["id"], "quantity": 1, "pickup_point_id": gb.point_id},
            headers=gb.auth("leader"),
        )
        assert answer.status_code == 409
        assert answer.json()["type"] == "urn:linli:problem:conflict"


async def test_concurrent_joins_never_oversell(start_platform, any_database):
    async with group_buying(start_platform, database_url=any_database) as gb:
        campaign = await gb.open(stock_cap=10, per_person_limit=2, seconds=60)
        buyers = [await add_member(gb.running.home, f"Buyer {n}", Role.RESIDENT) for n in range(12)]
        body = {"campaign_id": campaign["id"], "quantity": 1, "pickup_point_id": gb.point_id}

        async def buy(token: str) -> int:
            answer = await gb.running.client.post(
                f"{GB}/join-campaign", json=body, headers={"Authorization": f"Bearer {token}"}
            )
            return answer.status_code

        codes = await asyncio.gather(*(buy(b.token) for b in buyers for _ in range(3)))
        await gb.running.platform.settlement.idle()
        assert codes.count(200) == 10 and set(codes) == {200, 409}
        after = await gb.get("get-campaign", "leader", campaign_id=campaign["id"])
        assert (after["sold"], after["left"]) == (10, 0)
        report = (await gb.get("campaign-reports", "leader"))["campaigns"][0]
        assert report["units_sold"] == 10 and report["orders_placed"] == 10
