"""After-sale claims over HTTP: capped to what is still held, and retries cost credit once."""

from __future__ import annotations

import asyncio
from typing import Any

from group_buying_helpers import GB, SETTLEMENT, GroupBuy, group_buying

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"bruised strawberry" * 10


async def collected_order(gb: GroupBuy, quantity: int) -> dict[str, Any]:
    """The resident's order of ``quantity`` in a campaign closed now, collected in full."""
    campaign = await gb.open(seconds=3600)
    await gb.join("resident", campaign, quantity)
    await gb.join("neighbour", campaign, 1)
    await gb.post("close-campaign-now", {"campaign_id": campaign["id"]}, "leader")
    await gb.settle()
    (order,) = (await gb.get("my-orders", "resident"))["items"]
    await gb.post("verify-pickup", {"code": order["pickup_code"]}, "host")
    return dict(order)


async def claim(gb: GroupBuy, order: dict[str, Any], damaged: int) -> Any:
    return await gb.running.client.post(
        f"{GB}/claim-damage",
        data={"order_id": str(order["id"]), "damaged": str(damaged)},
        files={"photo": ("berry.jpg", JPEG, "image/jpeg")},
        headers=gb.auth("resident"),
    )


async def charge(gb: GroupBuy, charge_id: str) -> Any:
    answer = await gb.running.client.get(
        f"{SETTLEMENT}/charges/{charge_id}", headers=gb.auth("operator")
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


async def balanced(gb: GroupBuy) -> bool:
    ledger = await gb.running.client.get(f"{SETTLEMENT}/ledger", headers=gb.auth("operator"))
    return bool(ledger.json()["balanced"])


async def test_a_claim_after_an_operator_refund_is_capped_to_what_is_held(
    start_platform, any_database
):
    async with group_buying(start_platform, database_url=any_database) as gb:
        order = await collected_order(gb, quantity=2)
        refunded = await gb.running.client.post(
            f"{SETTLEMENT}/charges/{order['charge_id']}/refunds",
            json={"amount": {"amount": 1500, "currency": "CNY"}, "reason": "goodwill"},
            headers=gb.auth("operator") | {"Idempotency-Key": "goodwill-1"},
        )
        assert refunded.status_code == 200, refunded.text
        first = await claim(gb, order, 1)  # 1000 asked, 500 still held
        assert first.status_code == 200, first.text
        assert first.json()["status"] == "compensated"
        assert first.json()["compensation"] == {"amount": 500, "currency": "CNY"}
        again = await claim(gb, order, 1)  # nothing is held any more
        assert again.status_code == 200, again.text
        assert again.json()["status"] == "refused" and again.json()["compensation"]["amount"] == 0
        await gb.settle()
        after = await charge(gb, order["charge_id"])
        assert after["refunded"] == {"amount": 2000, "currency": "CNY"}
        assert sum(part["amount"] for part in after["parts"].values()) == 0
        assert await balanced(gb)
        (mine,) = (await gb.get("my-orders", "resident"))["items"]
        assert mine["compensated"] == {"amount": 500, "currency": "CNY"}


async def test_concurrent_retries_of_a_claim_pay_once_and_cost_credit_once(
    start_platform, any_database
):
    async with group_buying(start_platform, database_url=any_database) as gb:
        order = await collected_order(gb, quantity=2)
        before = await gb.running.client.get(
            "/v1/communities/home/credit/me", headers=gb.auth("resident")
        )
        answers = await asyncio.gather(*(claim(gb, order, 2) for _ in range(10)))
        assert [a.status_code for a in answers] == [200] * 10, [a.text for a in answers]
        outcomes = sorted((a.json()["status"], a.json()["compensation"]["amount"]) for a in answers)
        assert outcomes == [("compensated", 2000)] + [("refused", 0)] * 9
        await gb.settle()
        assert (await charge(gb, order["charge_id"]))["refunded"]["amount"] == 2000
        assert await balanced(gb)
        after = await gb.running.client.get(
            "/v1/communities/home/credit/me", headers=gb.auth("resident")
        )
        events = [c["event"] for c in after.json()["explanation"]["contributions"]]
        assert events.count("damage_claim") == 1 and "claim_abuse" not in events, events
        drop = before.json()["standing"]["score"] - after.json()["standing"]["score"]
        assert 0 <= drop <= 1
