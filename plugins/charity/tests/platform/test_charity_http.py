"""Charity purchases end to end over HTTP on the demo community: the public ledger adds up."""

from __future__ import annotations

from typing import Any

from linli.demo import DEMO_SLUG, seed_demo
from linli.settlement import store
from linli.testing import Running

BASE = f"/v1/communities/{DEMO_SLUG}/modules/charity"


def auth(token: str, key: str | None = None) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {token}"}
    return headers | ({"Idempotency-Key": key} if key else {})


async def settle(running: Running) -> None:
    """Let the gateway capture, run the donation deadlines, then carry out any refund."""
    await running.platform.settlement.idle()
    await running.platform.worker.run_once()
    await running.platform.settlement.idle()


def cny(fen: int) -> dict[str, Any]:
    return {"amount": fen, "currency": "CNY"}


async def test_the_public_ledger_adds_up_to_the_cent_against_the_purchases(start_platform):
    async with start_platform() as running:
        community, members = await seed_demo(running.platform)
        people = {m.display_name.split(" (")[0]: m for m in members}
        chen, liu = people["Resident Chen"], people["Resident Liu"]
        leader, operator = people["Leader Wang"], people["Operator Zhou"]
        newcomer = people["Newcomer Zhao"]
        client = running.client

        zero_fee = await client.put(  # a zero platform fee for this community's campaigns
            f"/v1/communities/{DEMO_SLUG}/settlement/revenue-share/charity",
            json={"overrides": {"platform": 0}},
            headers=auth(operator.token),
        )
        assert zero_fee.status_code == 200, zero_fee.text
        (campaign,) = (await client.get(f"{BASE}/list-campaigns", headers=auth(chen.token))).json()[
            "items"
        ]
        purchases = []
        for who, quantity, key in ((chen, 2, "c-1"), (liu, 3, "l-1"), (chen, 1, "c-2")):
            bought = await client.post(
                f"{BASE}/buy",
                json={"campaign_id": campaign["id"], "quantity": quantity},
                headers=auth(who.token, key),
            )
            assert bought.status_code == 200, bought.text
            purchases.append(bought.json())
        await settle(running)

        refund = await client.post(
            f"{BASE}/refund-purchase",
            json={
                "purchase_id": purchases[1]["id"],
                "amount": cny(4_990),
                "reason": "one box bruised",
                "ref": "bruised",
            },
            headers=auth(leader.token, "refund-1"),
        )
        assert refund.status_code == 200, refund.text
        grant = await client.post(
            f"{BASE}/disburse",
            json={"fund_id": campaign["fund_id"], "amount": cny(1_000), "purpose": "lunches"},
            headers=auth(operator.token, "grant-1"),
        )
        assert grant.status_code == 200, grant.text
        too_much = await client.post(
            f"{BASE}/disburse",
            json={"fund_id": campaign["fund_id"], "amount": cny(99_999), "purpose": "all of it"},
            headers=auth(operator.token, "grant-2"),
        )
        assert too_much.status_code == 409
        await settle(running)

        shown = await client.get(  # any member of the community reads the public ledger
            f"{BASE}/fund-ledger",
            params={"fund_id": campaign["fund_id"]},
            headers=auth(newcomer.token),
        )
        assert shown.status_code == 200, shown.text
        fund_ledger = shown.json()
        assert [e["kind"] for e in fund_ledger["entries"]] == [
            "donation",
            "donation",
            "donation",
            "refund",
            "disbursement",
        ]
        assert fund_ledger["totals"] == {
            "donated": 998 + 1_497 + 499,
            "refunded": 499,
            "disbursed": 1_000,
            "balance": 998 + 1_497 + 499 - 499 - 1_000,
        }
        # against settlement: what the charges' fund party holds, and the ledger's account
        charges = [
            await running.platform.settlement.get(
                community, int(p["charge_id"].removeprefix("ch_"))
            )
            for p in purchases
        ]
        held = sum(c.parts["community_fund"].amount for c in charges)
        assert held == fund_ledger["totals"]["donated"] - fund_ledger["totals"]["refunded"]
        assert all(c.parts["platform"].amount == 0 for c in charges)  # the zero platform fee
        balances = await store.balances(community.id)
        assert balances[("community_fund", "CNY")] == -held
        assert sum(total for (_, cur), total in balances.items() if cur == "CNY") == 0

        receipt = await client.get(
            f"{BASE}/donation-receipt",
            params={"purchase_id": purchases[0]["id"]},
            headers=auth(chen.token),
        )
        assert receipt.status_code == 200 and receipt.json()["donated"] == cny(998)
        others = await client.get(
            f"{BASE}/donation-receipt",
            params={"purchase_id": purchases[0]["id"]},
            headers=auth(liu.token),
        )
        assert others.status_code == 404
        outsider = await client.get(
            f"{BASE}/fund-ledger",
            params={"fund_id": campaign["fund_id"]},
            headers=running.auth("stranger"),
        )
        assert outsider.status_code in (403, 404)


async def test_a_declined_card_fails_the_purchase_and_gives_nothing(start_platform):
    async with start_platform() as running:
        community, members = await seed_demo(running.platform)
        chen = next(m for m in members if m.display_name.startswith("Resident Chen"))
        client = running.client
        (campaign,) = (await client.get(f"{BASE}/list-campaigns", headers=auth(chen.token))).json()[
            "items"
        ]
        running.platform.settlement.gateway.decline_next()  # type: ignore[attr-defined]
        bought = await client.post(
            f"{BASE}/buy", json={"campaign_id": campaign["id"]}, headers=auth(chen.token, "d-1")
        )
        assert bought.status_code == 200, bought.text
        assert bought.json()["failed"] is False
        await settle(running)
        await running.platform.worker.run_once()  # the event, after the deadline
        mine = (await client.get(f"{BASE}/my-purchases", headers=auth(chen.token))).json()
        [shown] = [p for p in mine["items"] if p["id"] == bought.json()["id"]]
        assert shown["failed"] is True and shown["donated"] is None
        fund = await client.get(
            f"{BASE}/fund-ledger", params={"fund_id": campaign["fund_id"]}, headers=auth(chen.token)
        )
        assert fund.json()["entries"] == []
        assert await store.balances(community.id) == {}  # nothing posted
