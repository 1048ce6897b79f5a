"""Stripe Connect payouts through the real ``stripe`` SDK: PaymentIntents against localstripe,
connected accounts, account links, transfers and reversals against the project's Connect fake.

Both fakes listen on 127.0.0.1 only and are started by the tests.
"""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from linli.settlement.payments import gateway_for
from linli.settlement.service import Settlement
from linli.settlement.tables import LedgerTxn, Transfer
from settlement_helpers import SHOP, cny, order, per_currency, settlement
from test_settlement_stripe import _payment_method

SETTLEMENT = "/v1/communities/home/settlement"


async def _stripe_options(localstripe: str, connect: str) -> dict[str, str]:
    return {
        "settlement_gateway": "stripe",
        "settlement_stripe_api_key": "sk_test_linli",
        "settlement_stripe_api_base": localstripe,
        "settlement_stripe_connect_api_base": connect,
        "settlement_stripe_webhook_secret": "whsec_linli_test",
        "settlement_stripe_payment_method": await _payment_method(localstripe),
    }


async def _onboard(running, who: str) -> str:
    answer = await running.client.post(
        f"{SETTLEMENT}/connected-account",
        json={"refresh_url": "https://app.test/again", "return_url": "https://app.test/done"},
        headers={**running.auth(who), "Idempotency-Key": f"onboard-{who}"},
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["onboarding_url"].startswith("https://connect.stripe.test/setup/")
    assert body["test_money"] is True
    return str(body["account"])


async def _buy(running, ref: str, fen: int = 10_000) -> str:
    bought = await running.client.post(
        f"{SHOP}/buy", json=order(running, ref, fen), headers=running.auth("resident")
    )
    assert bought.status_code == 200, bought.text
    await settlement(running).idle()
    return str(bought.json()["id"])


async def _batch(running, key: str) -> dict:
    answer = await running.client.post(
        f"{SETTLEMENT}/payouts", headers={**running.auth("operator"), "Idempotency-Key": key}
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def _lines(batch: dict, kind: str) -> dict[str, int]:
    return {line["account"]: line["amount"]["amount"] for line in batch[kind]}


@pytest.mark.slow
async def test_payouts_transfers_and_clawbacks_through_connect(
    start_shop, localstripe, connect_fake
):
    url, fake = connect_fake
    async with start_shop(**await _stripe_options(localstripe, url)) as running:
        leader_id = running.people["leader"].id
        leader, supplier = f"payable:leader:{leader_id}", "payable:supplier:"
        leader_acct = await _onboard(running, "leader")
        assert await _onboard(running, "leader") == leader_acct  # one account per payee
        supplier_acct = await _onboard(running, "operator")  # the supplier in these orders
        assert set(fake.accounts) == {leader_acct, supplier_acct}

        charge_id = await _buy(running, "c-1")
        first = await _batch(running, "b1")
        paid = _lines(first, "payouts")
        assert paid[leader] == 1_000 and paid[f"payable:pickup_host:{leader_id}"] == 50
        transfers = list(fake.transfers.values())
        assert sorted(t["amount"] for t in transfers) == sorted(paid.values())
        for transfer in transfers:  # separate charges and transfers, grouped by the ledger
            key = transfer["metadata"]["linli_key"]
            assert key.startswith(f"linli-c{running.home.id}-payout-payable:")
            assert transfer["transfer_group"].startswith(f"c{running.home.id}:payout:payable:")
        assert {t["destination"] for t in transfers} == {leader_acct, supplier_acct}
        assert await settlement(running).reconcile(running.home.id) == []  # transfers compared too

        refund = {"charge_id": charge_id, "amount": cny(4_000), "ref": "after-sale"}
        refunded = await running.client.post(
            f"{SHOP}/compensate", json=refund, headers=running.auth("leader")
        )
        assert refunded.status_code == 200, refunded.text
        await settlement(running).idle()
        second = await _batch(running, "b2")
        clawed = _lines(second, "clawbacks")
        assert clawed[leader] == 400  # reversed from the leader's connected account
        reversal = fake.transfers[
            next(t["id"] for t in transfers if t["metadata"]["linli_key"].endswith(f"{leader}-1"))
        ]["reversals"]["_all"][0]
        assert reversal["amount"] == 400 and reversal["metadata"]["linli_key"].startswith(
            f"linli-c{running.home.id}-reversal-{leader}-1"
        )
        assert fake.balances[leader_acct] == 1_000 + 50 - 400 - 20

        async with httpx.AsyncClient() as http:  # the leader moves everything to the bank
            await http.post(
                f"{url}/_test/accounts/{leader_acct}/payout",
                data={"amount": fake.balances[leader_acct]},
                headers={"Authorization": "Bearer sk_test_linli"},
            )
        refund = {"charge_id": charge_id, "amount": cny(6_000), "ref": "after-sale-2"}
        await running.client.post(f"{SHOP}/compensate", json=refund, headers=running.auth("leader"))
        await settlement(running).idle()
        third = await _batch(running, "b3")
        assert _lines(third, "clawbacks_pending")[leader] == 600  # an explicit state
        states = await Transfer.select(Transfer.kind, Transfer.state).where(
            Transfer.account == leader
        )
        assert [(r["kind"], r["state"]) for r in states] == [
            ("payout", "done"),
            ("reversal", "done"),
            ("reversal", "clawback_pending"),
        ]
        assert any(a.startswith(supplier) for a in _lines(third, "clawbacks"))
        assert await settlement(running).reconcile(running.home.id) == []
        assert await per_currency(running.home.id) == {"CNY": 0}


@pytest.mark.slow
async def test_a_crash_between_a_transfer_and_its_record(start_shop, localstripe, connect_fake):
    """The process dies after Stripe made the transfers and before the ledger recorded them."""
    url, fake = connect_fake
    async with start_shop(**await _stripe_options(localstripe, url)) as running:
        await _crash_between_a_transfer_and_its_record(running, fake)


@pytest.mark.slow
async def test_a_crash_between_a_transfer_and_its_record_on_postgres(
    start_shop, localstripe, connect_fake, postgres_url
):
    url, fake = connect_fake
    options = await _stripe_options(localstripe, url)
    async with start_shop(database_url=postgres_url, **options) as running:
        await _crash_between_a_transfer_and_its_record(running, fake)


async def _crash_between_a_transfer_and_its_record(running, fake) -> None:
    await _onboard(running, "leader")
    await _onboard(running, "operator")
    await _buy(running, "x-1")
    await _buy(running, "x-2", 20_000)
    before = settlement(running)
    assert await before.pay_out(running.home, hold=timedelta(0), carry_out=False) == []
    pending = await Transfer.select().where(Transfer.state == "pending")
    assert len(pending) == 3  # leader, pickup host (the leader again), supplier
    for row in pending:  # Stripe's answers return; the process dies before applying them
        await before.gateway.transfer(
            key=row["key"],
            destination=row["destination"],
            amount=cny_money(row["amount"]),
            group=row["transfer_group"],
        )
    assert len(fake.transfers) == 3
    assert await LedgerTxn.count().where(LedgerTxn.kind == "payout") == 0
    assert await settlement(running).reconcile(running.home.id) != []  # not applied yet

    after = Settlement(running.platform.registry, gateway_for(running.platform.settings))  # restart
    resumed = await after.pay_out(running.home, hold=timedelta(0))
    assert len(resumed) == 3
    assert len(fake.transfers) == 3  # the same keys answered the same transfers
    posts = [call for call in fake.calls if call == ("POST", "/v1/transfers")]
    assert len(posts) == 6  # each sent twice, made once
    assert await LedgerTxn.count().where(LedgerTxn.kind == "payout") == 3  # recorded once
    refs = {row["gateway_ref"] for row in await Transfer.select(Transfer.gateway_ref)}
    assert refs == set(fake.transfers)
    assert await after.pay_out(running.home, hold=timedelta(0)) == []  # nothing twice
    assert await after.reconcile(running.home.id) == []  # nothing lost
    assert await per_currency(running.home.id) == {"CNY": 0}


def cny_money(fen: int):
    from linli_sdk import Money

    return Money(amount=fen, currency="CNY")


@pytest.mark.slow
async def test_reconciliation_reads_reversals_past_the_ten_embedded(localstripe, connect_fake):
    from linli.settlement.gateways.stripe import StripeGateway

    url, fake = connect_fake
    gateway = StripeGateway(
        api_key="sk_test_linli",
        api_base=localstripe,
        webhook_secret="whsec_x",
        payment_method="pm_card_visa",
        connect_api_base=url,
    )
    account = await gateway.open_account(key="linli-c9-account-m1", member_id=1, email=None)
    assert await gateway.open_account(key="linli-c9-account-m1", member_id=1, email=None) == account
    made = await gateway.transfer(
        key="linli-c9-payout-a-1", destination=account, amount=cny_money(100), group="g"
    )
    for n in range(12):
        key = f"linli-c9-reversal-a-{n}"
        reversed_ = await gateway.reverse(key=key, transfer_ref=made.ref, amount=cny_money(1))
        again = await gateway.reverse(key=key, transfer_ref=made.ref, amount=cny_money(1))
        assert reversed_ == again  # the same key: the same reversal, taken once
    assert fake.balances[account] == 100 - 12
    records = await gateway.records("linli-c9-")
    assert sorted(r.kind for r in records) == ["reversal"] * 12 + ["transfer"]
    async with httpx.AsyncClient() as http:  # the payee moves 1 to its bank
        await http.post(
            f"{url}/_test/accounts/{account}/payout",
            data={"amount": 1},
            headers={"Authorization": "Bearer sk_test_linli"},
        )
    refused = await gateway.reverse(
        key="linli-c9-reversal-a-rest", transfer_ref=made.ref, amount=cny_money(88)
    )
    assert refused.status == "insufficient_balance"  # 88 left on the transfer, 87 held
