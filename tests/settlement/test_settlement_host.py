"""A plugin charges through ``ctx.host.payments`` over HTTP; the ledger records the split."""

from __future__ import annotations

from linli.settlement import store
from settlement_helpers import SHOP, cny, gateway_calls, order, per_currency, settlement

SETTLEMENT = "/v1/communities/home/settlement"


async def test_a_captured_charge_is_split_in_the_ledger_after_commit(start_shop):
    async with start_shop() as running:
        client, resident = running.client, running.auth("resident")
        answer = await client.post(f"{SHOP}/buy", json=order(running, "o-1"), headers=resident)
        assert answer.status_code == 200, answer.text
        assert answer.json()["status"] == "pending"  # the gateway is called after commit
        await settlement(running).idle()

        charge = await client.get(
            f"{SETTLEMENT}/charges/{answer.json()['id']}", headers=running.auth("operator")
        )
        assert charge.json()["status"] == "captured"
        assert charge.json()["parts"] == {
            "platform": cny(500),
            "leader": cny(1000),
            "pickup_host": cny(50),
            "community_fund": cny(100),
            "supplier": cny(8350),
        }
        assert await per_currency(running.home.id) == {"CNY": 0}
        balances = await store.balances(running.home.id)
        assert balances[("gateway_clearing", "CNY")] == 10_000 - 60  # the sandbox keeps 0.6 %
        supplier = f"payable:supplier:{running.people['operator'].id}"
        assert balances[(supplier, "CNY")] == -(8350 - 60)  # the supplier bears the fee
        ledger = await client.get(f"{SETTLEMENT}/ledger", headers=running.auth("operator"))
        assert ledger.json()["balanced"] and ledger.json()["test_money"]


async def test_charging_an_order_twice_returns_the_first_charge(start_shop):
    async with start_shop() as running:
        auth = running.auth("resident")
        first = await running.client.post(f"{SHOP}/buy", json=order(running, "o"), headers=auth)
        again = await running.client.post(f"{SHOP}/buy", json=order(running, "o"), headers=auth)
        await settlement(running).idle()
        assert first.json()["id"] == again.json()["id"]
        assert await gateway_calls(running) == 1


async def test_authorize_then_capture_or_void(start_shop):
    async with start_shop() as running:
        client, leader = running.client, running.auth("leader")
        held = await client.post(
            f"{SHOP}/buy",
            json=order(running, "g-1", capture=False),
            headers=running.auth("resident"),
        )
        dropped = await client.post(
            f"{SHOP}/buy",
            json=order(running, "g-2", capture=False),
            headers=running.auth("resident"),
        )
        await settlement(running).idle()
        taken = await client.post(
            f"{SHOP}/capture", json={"charge_id": held.json()["id"]}, headers=leader
        )
        voided = await client.post(
            f"{SHOP}/void", json={"charge_id": dropped.json()["id"]}, headers=leader
        )
        assert taken.status_code == voided.status_code == 200
        await settlement(running).idle()
        view = settlement(running).get
        assert (await view(running.home, int(held.json()["id"][3:]))).status == "captured"
        assert (await view(running.home, int(dropped.json()["id"][3:]))).status == "voided"
        # a voided charge cannot be captured, a captured one cannot be voided
        again = await client.post(
            f"{SHOP}/capture", json={"charge_id": dropped.json()["id"]}, headers=leader
        )
        undo = await client.post(
            f"{SHOP}/void", json={"charge_id": held.json()["id"]}, headers=leader
        )
        assert again.status_code == undo.status_code == 409
        balances = await store.balances(running.home.id)
        assert balances[("authorizations_held", "CNY")] == 0
        assert await per_currency(running.home.id) == {"CNY": 0}


async def test_partial_refunds_reverse_the_split_and_never_exceed_what_is_left(start_shop):
    async with start_shop() as running:
        client, leader = running.client, running.auth("leader")
        bought = await client.post(
            f"{SHOP}/buy", json=order(running, "r"), headers=running.auth("resident")
        )
        await settlement(running).idle()
        charge_id = bought.json()["id"]

        def compensate(ref: str, fen: int) -> dict[str, object]:
            return {"charge_id": charge_id, "amount": cny(fen), "ref": ref}

        first = await client.post(f"{SHOP}/compensate", json=compensate("a", 3_000), headers=leader)
        assert first.status_code == 200, first.text
        assert first.json()["parts"]["supplier"] == cny(2505)
        repeat = await client.post(
            f"{SHOP}/compensate", json=compensate("a", 3_000), headers=leader
        )
        assert repeat.json() == first.json()
        too_much = await client.post(
            f"{SHOP}/compensate", json=compensate("b", 7_001), headers=leader
        )
        assert too_much.status_code == 422
        assert too_much.json()["type"].endswith("refund-exceeds-held")
        rest = await client.post(f"{SHOP}/compensate", json=compensate("c", 7_000), headers=leader)
        assert rest.status_code == 200
        await settlement(running).idle()
        charge = await settlement(running).get(running.home, int(charge_id[3:]))
        assert charge.status == "refunded"
        assert all(part.amount == 0 for part in charge.parts.values())
        balances = await store.balances(running.home.id)
        assert balances[("gateway_clearing", "CNY")] == -60  # only the kept fee is gone
        assert balances[("refunds_payable", "CNY")] == 0  # every refund paid out
        assert await per_currency(running.home.id) == {"CNY": 0}


async def test_operator_overrides_apply_inside_the_declared_bounds(start_shop):
    async with start_shop() as running:
        client, operator = running.client, running.auth("operator")
        url = f"{SETTLEMENT}/revenue-share/shop"
        outside = await client.put(url, json={"overrides": {"leader": 1600}}, headers=operator)
        assert outside.status_code == 422
        assert "500\N{EN DASH}1500 bp" in outside.json()["detail"]
        unknown = await client.put(url, json={"overrides": {"mayor": 5}}, headers=operator)
        assert unknown.status_code == 422
        fee = await client.put(url, json={"overrides": {"pickup_host": cny(300)}}, headers=operator)
        assert fee.status_code == 422 and "CNY 0.00\N{EN DASH}CNY 2.00" in fee.json()["detail"]
        ok = await client.put(
            url, json={"overrides": {"leader": 1500, "pickup_host": cny(0)}}, headers=operator
        )
        assert ok.status_code == 200, ok.text
        resident = await client.put(url, json={"overrides": {}}, headers=running.auth("resident"))
        assert resident.status_code == 403
        shown = await client.get(url, headers=operator)
        assert shown.json()["overrides"] == {"leader": 1500, "pickup_host": cny(0)}

        bought = await client.post(
            f"{SHOP}/buy", json=order(running, "x"), headers=running.auth("resident")
        )
        await settlement(running).idle()
        charge = await settlement(running).get(running.home, int(bought.json()["id"][3:]))
        assert charge.parts["leader"].amount == 1500 and charge.parts["pickup_host"].amount == 0


async def test_settlement_routes_keep_to_their_community(start_shop):
    async with start_shop() as running:
        bought = await running.client.post(
            f"{SHOP}/buy", json=order(running, "t"), headers=running.auth("resident")
        )
        await settlement(running).idle()
        charge_id = bought.json()["id"]
        stranger = running.auth("stranger")  # an operator, but of the other community
        here = await running.client.get(f"{SETTLEMENT}/charges/{charge_id}", headers=stranger)
        assert here.status_code == 403
        there = await running.client.get(
            f"/v1/communities/other/settlement/charges/{charge_id}", headers=stranger
        )
        assert there.status_code == 404
        no_key = await running.client.post(
            f"{SETTLEMENT}/charges/{charge_id}/refunds",
            json={"amount": cny(1), "reason": "x"},
            headers=running.auth("operator"),
        )
        assert no_key.status_code in (400, 422)
