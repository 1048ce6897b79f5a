"""Bill payment end to end over HTTP: the demo community, refunds, a zero fee, 50 racing payers."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from linli.demo import DEMO_SLUG, seed_demo
from linli.dispatch.tables import EventDelivery, OutboxEvent
from linli.modules.enablement import set_module
from linli.settings import Settings
from linli.settlement import store
from linli.settlement.gateways import SandboxGateway
from linli.settlement.tables import GatewayIntent, LedgerTxn, SettlementCharge
from linli.testing import Running
from linli_bill_payment.tables import BillPaymentRow
from linli_sdk import CHARGE_FAILED, Money

HOME = "/v1/communities/home/modules/bill_payment"


def auth(token: str, key: str | None = None) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {token}"}
    return headers | ({"Idempotency-Key": key} if key else {})


async def settle(running: Running) -> None:
    """Let the gateway capture, run the confirmation deadlines, then carry out any refund."""
    await running.platform.settlement.idle()
    await running.platform.worker.run_once()
    await running.platform.settlement.idle()


async def look_up(
    running: Running, base: str, token: str, account: str, biller: str = "sandbox_water"
) -> dict[str, Any]:
    answer = await running.client.get(
        f"{base}/look-up-bill",
        params={"biller": biller, "account_number": account},
        headers=auth(token),
    )
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


def pay_body(found: dict[str, Any], leader_id: int) -> dict[str, Any]:
    bill = found["bill"]
    return {
        "biller": bill["biller"],
        "account_number": bill["account_number"],
        "bill_ref": bill["bill_ref"],
        "amount": bill["amount"],
        "leader_id": leader_id,
        "period": bill["period"],
    }


def sandbox_fee(fen: int) -> int:
    return SandboxGateway(fee_basis_points=Settings().settlement_sandbox_fee_bp).fee(
        Money(amount=fen, currency="CNY")
    )


async def test_a_resident_of_the_demo_community_pays_a_water_bill(start_platform):
    async with start_platform() as running:
        community, members = await seed_demo(running.platform)
        chen = next(m for m in members if m.display_name == "Resident Chen")
        wang = next(m for m in members if m.display_name.startswith("Leader Wang"))
        base = f"/v1/communities/{DEMO_SLUG}/modules/bill_payment"
        client = running.client

        accounts = await client.get(f"{base}/list-accounts", headers=auth(chen.token))
        water = next(a for a in accounts.json()["items"] if a["biller"] == "sandbox_water")
        found = await look_up(running, base, chen.token, water["account_number"])
        bill = found["bill"]["amount"]["amount"]
        assert found["fee"] == {"amount": 100, "currency": "CNY"}
        paid = await client.post(
            f"{base}/pay-bill", json=pay_body(found, wang.id), headers=auth(chen.token, "pay-1")
        )
        assert paid.status_code == 200, paid.text
        assert paid.json()["status"] == "pending"
        payment_id = paid.json()["id"]
        await settle(running)

        shown = await client.get(
            f"{base}/get-payment", params={"payment_id": payment_id}, headers=auth(chen.token)
        )
        assert shown.json()["status"] == "paid" and shown.json()["confirmation"]
        receipt = await client.get(
            f"{base}/receipt", params={"payment_id": payment_id}, headers=auth(chen.token)
        )
        assert receipt.status_code == 200 and receipt.headers["content-type"].startswith(
            "application/json"
        )
        assert receipt.json()["total_paid"] == {"amount": bill + 100, "currency": "CNY"}

        balances = await store.balances(community.id)
        assert balances[("payable:biller:0", "CNY")] == -bill  # the bill in full
        assert balances[(f"payable:leader:{wang.id}", "CNY")] == -50
        assert balances[("platform_revenue", "CNY")] == -50 + sandbox_fee(bill + 100)
        assert sum(total for (_, currency), total in balances.items() if currency == "CNY") == 0


async def test_a_refused_payment_is_refunded_automatically(start_bills):
    async with start_bills() as running:
        people = running.people
        token = people["resident"].token
        found = await look_up(running, HOME, token, "9120000", biller="sandbox_gas")
        paid = await running.client.post(
            f"{HOME}/pay-bill",
            json=pay_body(found, people["leader"].id),
            headers=auth(token, "gas-1"),
        )
        assert paid.status_code == 200, paid.text
        await settle(running)
        shown = await running.client.get(
            f"{HOME}/get-payment", params={"payment_id": paid.json()["id"]}, headers=auth(token)
        )
        assert shown.json()["status"] == "refunded" and "closed" in shown.json()["failure"]
        charge = await running.platform.settlement.get(
            running.home, int(paid.json()["charge_id"][3:])
        )
        assert charge.status == "refunded" and all(p.is_zero for p in charge.parts.values())
        balances = await store.balances(running.home.id)
        assert balances[("refunds_payable", "CNY")] == 0  # the refund was paid back
        total = found["total"]["amount"]
        assert balances[("gateway_clearing", "CNY")] == -sandbox_fee(total)
        assert balances[("platform_revenue", "CNY")] == sandbox_fee(total)  # it bore the fee
        receipt = await running.client.get(
            f"{HOME}/receipt", params={"payment_id": paid.json()["id"]}, headers=auth(token)
        )
        assert receipt.status_code == 409


async def test_a_declined_card_fails_the_payment_and_frees_the_bill(start_bills):
    async with start_bills() as running:
        await set_module(running.platform, running.home, "charity", enabled=True)  # listens too
        people = running.people
        token = people["resident"].token
        found = await look_up(running, HOME, token, "3101001234")
        running.platform.settlement.gateway.decline_next()  # type: ignore[attr-defined]
        body = pay_body(found, people["leader"].id)
        paid = await running.client.post(f"{HOME}/pay-bill", json=body, headers=auth(token))
        assert paid.status_code == 200, paid.text
        await settle(running)  # the refusal's event reaches the module; its deadline is cancelled
        shown = await running.client.get(
            f"{HOME}/get-payment", params={"payment_id": paid.json()["id"]}, headers=auth(token)
        )
        assert shown.json()["status"] == "failed"
        charge = await running.platform.settlement.get(
            running.home, int(paid.json()["charge_id"][3:])
        )
        assert charge.status == "failed"
        [event] = await OutboxEvent.select(OutboxEvent.event_id).where(
            OutboxEvent.type == CHARGE_FAILED
        )
        delivered = await EventDelivery.select(EventDelivery.target, EventDelivery.status).where(
            EventDelivery.event_id == event["event_id"]
        )
        assert delivered == [{"target": "module:bill_payment", "status": "delivered"}]
        row = await BillPaymentRow.select(BillPaymentRow.waits).where(
            BillPaymentRow.id == paid.json()["id"]
        )
        assert row[0]["waits"] == 0  # nobody looked at the refused charge again
        assert await store.balances(running.home.id) == {}  # nothing posted at all
        again = await running.client.post(f"{HOME}/pay-bill", json=body, headers=auth(token))
        assert again.status_code == 200 and again.json()["id"] != paid.json()["id"]
        await settle(running)
        shown = await running.client.get(
            f"{HOME}/get-payment", params={"payment_id": again.json()["id"]}, headers=auth(token)
        )
        assert shown.json()["status"] == "paid"


async def test_a_zero_convenience_fee_gives_the_biller_everything(start_bills):
    async with start_bills(settings={"convenience_fee": 0}) as running:
        people, client = running.people, running.client
        zero = {"amount": 0, "currency": "CNY"}
        overrides = await client.put(
            "/v1/communities/home/settlement/revenue-share/bill_payment",
            json={"overrides": {"platform": zero, "leader": zero}},
            headers=running.auth("operator"),
        )
        assert overrides.status_code == 200, overrides.text
        token = people["resident"].token
        found = await look_up(running, HOME, token, "88001122", biller="sandbox_power")
        assert found["total"] == found["bill"]["amount"]
        paid = await client.post(
            f"{HOME}/pay-bill", json=pay_body(found, people["leader"].id), headers=auth(token)
        )
        await settle(running)
        charge = await running.platform.settlement.get(
            running.home, int(paid.json()["charge_id"][3:])
        )
        assert charge.parts["biller"] == Money.model_validate(found["bill"]["amount"])
        assert charge.parts["platform"].is_zero and charge.parts["leader"].is_zero


async def test_the_fee_setting_is_money_within_its_bounds(start_bills):
    async with start_bills() as running:
        url = "/v1/communities/home/modules/bill_payment"
        operator = running.auth("operator")
        for too_much in (1001, {"amount": 100, "currency": "USD"}):
            answer = await running.client.put(
                url,
                json={"enabled": True, "settings": {"convenience_fee": too_much}},
                headers=operator,
            )
            assert answer.status_code == 422, answer.text
            assert [e["field"] for e in answer.json()["errors"]] == ["settings.convenience_fee"]
        fee = {"amount": 100, "currency": "CNY"}
        answer = await running.client.put(
            url, json={"enabled": True, "settings": {"convenience_fee": fee}}, headers=operator
        )
        assert answer.status_code == 200, answer.text
        token = running.people["resident"].token
        found = await look_up(running, HOME, token, "88001122", biller="sandbox_power")
        assert found["fee"] == fee


async def test_a_fee_setting_that_disagrees_with_the_split_is_refunded_not_underpaid(start_bills):
    async with start_bills(settings={"convenience_fee": 0}) as running:  # shares still 0.50+0.50
        token = running.people["resident"].token
        found = await look_up(running, HOME, token, "3101001234")
        paid = await running.client.post(
            f"{HOME}/pay-bill",
            json=pay_body(found, running.people["leader"].id),
            headers=auth(token),
        )
        await settle(running)
        shown = await running.client.get(
            f"{HOME}/get-payment", params={"payment_id": paid.json()["id"]}, headers=auth(token)
        )
        assert shown.json()["status"] == "refunded"
        assert "disagree" in shown.json()["failure"]


async def test_only_residents_pay_and_only_their_own_payments_show(start_bills):
    async with start_bills() as running:
        people, client = running.people, running.client
        found = await look_up(running, HOME, people["resident"].token, "3101001234")
        body = pay_body(found, people["leader"].id)
        newcomer = await client.post(
            f"{HOME}/pay-bill", json=body, headers=auth(people["newcomer"].token)
        )
        assert newcomer.status_code == 403
        paid = await client.post(f"{HOME}/pay-bill", json=body, headers=running.auth("resident"))
        leader = await client.post(f"{HOME}/pay-bill", json=body, headers=running.auth("leader"))
        assert leader.status_code == 409  # someone else's bill payment holds the claim
        hidden = await client.get(
            f"{HOME}/get-payment",
            params={"payment_id": paid.json()["id"]},
            headers=running.auth("leader"),
        )
        assert hidden.status_code == 404
        stranger = await client.get(
            f"{HOME}/get-payment",
            params={"payment_id": paid.json()["id"]},
            headers=running.auth("stranger"),
        )
        assert stranger.status_code in (403, 404)


PAYERS = 50


async def _fifty_payments_of_one_bill(running: Running) -> None:
    people, client = running.people, running.client
    token = people["resident"].token
    found = await look_up(running, HOME, token, "3101001234")
    body = pay_body(found, people["leader"].id)
    answers = await asyncio.gather(
        *(
            client.post(f"{HOME}/pay-bill", json=body, headers=auth(token, f"tap-{n}"))
            for n in range(PAYERS)
        )
    )
    assert [a.status_code for a in answers] == [200] * PAYERS, answers[0].text
    assert len({a.json()["id"] for a in answers}) == 1
    assert len({a.json()["charge_id"] for a in answers}) == 1
    await settle(running)

    assert await BillPaymentRow.count() == 1
    charges = await SettlementCharge.select(SettlementCharge.id).where(
        SettlementCharge.module == "bill_payment"
    )
    assert len(charges) == 1
    charge_id = charges[0]["id"]
    kinds = await LedgerTxn.select(LedgerTxn.kind).where(LedgerTxn.charge == charge_id)
    assert sorted(row["kind"] for row in kinds) == ["authorize", "capture"]
    assert await LedgerTxn.count().where(LedgerTxn.kind == "capture") == 1
    assert await GatewayIntent.count().where(GatewayIntent.charge == charge_id) == 1
    row = await BillPaymentRow.select().first()
    assert row is not None and row["status"] == "paid"
    balances = await store.balances(running.home.id)
    assert balances[("payable:biller:0", "CNY")] == -found["bill"]["amount"]["amount"]


@pytest.mark.slow
async def test_fifty_concurrent_payments_of_one_bill_make_one_payment_on_sqlite(start_bills):
    async with start_bills() as running:
        await _fifty_payments_of_one_bill(running)


@pytest.mark.slow
async def test_fifty_concurrent_payments_of_one_bill_make_one_payment_on_postgres(
    start_bills, postgres_url
):
    async with start_bills(database_url=postgres_url) as running:
        await _fifty_payments_of_one_bill(running)
