"""Closing a campaign now over HTTP, the demo's group buy forming, and my orders by status."""

from __future__ import annotations

import asyncio
from typing import Any

from group_buying_helpers import GB, SETTLEMENT, GroupBuy, group_buying
from linli.demo import DEMO_SLUG, seed_demo
from linli_group_buying.models import OrderStatus
from linli_sdk import Role


async def close_now(gb: GroupBuy, campaign: dict[str, Any], who: str) -> Any:
    return await gb.running.client.post(
        f"{GB}/close-campaign-now", json={"campaign_id": campaign["id"]}, headers=gb.auth(who)
    )


async def captured(gb: GroupBuy) -> list[str]:
    """The charges whose capture credited the supplier, once per capture, as its statement says."""
    answer = await gb.running.client.get(
        f"{SETTLEMENT}/statements/payable:supplier:{gb.supplier.id}", headers=gb.auth("operator")
    )
    assert answer.status_code == 200, answer.text
    lines = answer.json()["lines"]
    return sorted(
        x["charge_id"] for x in lines if (x["kind"], x["party"]) == ("capture", "supplier")
    )


async def test_close_now_confirms_and_captures_once(start_platform, any_database):
    async with group_buying(start_platform, database_url=any_database) as gb:
        campaign = await gb.open(seconds=3600)
        orders = [await gb.join(who, campaign, 1) for who in ("resident", "neighbour")]
        refused = await close_now(gb, campaign, "resident")
        assert refused.status_code == 403, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
        first, second = await asyncio.gather(
            close_now(gb, campaign, "leader"), close_now(gb, campaign, "operator")
        )
        assert first.status_code == second.status_code == 200, (first.text, second.text)
        assert first.json()["status"] == second.json()["status"] == "confirmed"
        await gb.settle()
        again = await close_now(gb, campaign, "leader")
        assert again.status_code == 200 and again.json() == second.json()
        await gb.settle()
        assert await captured(gb) == sorted(o["charge_id"] for o in orders)
        for order in orders:
            answer = await gb.running.client.get(
                f"{SETTLEMENT}/charges/{order['charge_id']}", headers=gb.auth("operator")
            )
            assert answer.json()["status"] == "captured"
        for who in ("resident", "neighbour"):
            (mine,) = (await gb.get("my-orders", who))["items"]
            assert mine["status"] == "confirmed" and mine["pickup_code"]


async def test_my_orders_filter_by_order_status_and_refuse_an_unknown_one(
    start_platform, any_database
):
    async with group_buying(start_platform, database_url=any_database) as gb:
        cancelled = await gb.open(seconds=3600, title="Durian", minimum=3)
        await gb.join("resident", cancelled, 1)
        collected, partial, confirmed = [
            await gb.open(seconds=3600, title=title) for title in ("Apples", "Pears", "Figs")
        ]
        for campaign in (cancelled, collected, partial, confirmed):
            if campaign is not cancelled:
                await gb.join("resident", campaign, 2)
                await gb.join("neighbour", campaign, 1)
            assert (await close_now(gb, campaign, "leader")).status_code == 200
        await gb.settle()
        authorized = await gb.open(seconds=3600, title="Kiwis")
        await gb.join("resident", authorized, 1)
        every = (await gb.get("my-orders", "resident"))["items"]
        code = {o["campaign_id"]: o["pickup_code"] for o in every}
        await gb.post("verify-pickup", {"code": code[collected["id"]]}, "host")
        await gb.post("verify-pickup", {"code": code[partial["id"]], "quantity": 1}, "host")
        every = (await gb.get("my-orders", "resident"))["items"]
        assert {o["status"] for o in every} == set(OrderStatus) - {OrderStatus.UNCOLLECTED}
        for status in OrderStatus:
            listed = (await gb.get("my-orders", "resident", status=status.value))["items"]
            assert listed == [o for o in every if o["status"] == status.value], status
        unknown = await gb.running.client.get(
            f"{GB}/my-orders", params={"status": "shipped"}, headers=gb.auth("resident")
        )
        assert unknown.status_code == 422, unknown.text
        problem = unknown.json()
        assert unknown.headers["content-type"].startswith("application/problem+json")
        assert [e["field"] for e in problem["errors"]] == ["status"], problem


async def test_the_demo_group_buy_forms_with_the_demo_residents(start_platform):
    async with start_platform(dispatch_worker=False) as running:
        _, members = await seed_demo(running.platform)
        gb = f"/v1/communities/{DEMO_SLUG}/modules/group_buying"

        def auth(member: Any) -> dict[str, str]:
            return {"Authorization": f"Bearer {member.token}"}

        residents = [m for m in members if Role.RESIDENT in m.roles]
        leader = next(m for m in members if Role.LEADER in m.roles)
        listed = await running.client.get(
            f"{gb}/list-campaigns", params={"status": "open"}, headers=auth(residents[0])
        )
        (campaign,) = listed.json()["items"]
        assert campaign["minimum"] <= len(residents)
        point = campaign["pickup_points"][0]["id"]
        for resident in residents:
            joined = await running.client.post(
                f"{gb}/join-campaign",
                json={"campaign_id": campaign["id"], "quantity": 1, "pickup_point_id": point},
                headers=auth(resident),
            )
            assert joined.status_code == 200, joined.text
        closed = await running.client.post(
            f"{gb}/close-campaign-now", json={"campaign_id": campaign["id"]}, headers=auth(leader)
        )
        assert closed.status_code == 200, closed.text
        assert closed.json()["status"] == "confirmed"
        assert closed.json()["final_unit_price"] == {"amount": 1690, "currency": "CNY"}
