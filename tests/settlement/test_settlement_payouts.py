"""Payout batches per payee: past the hold, netted against clawbacks, never paid twice."""

from __future__ import annotations

from linli.settlement import store
from linli.settlement.tables import Transfer
from settlement_helpers import SHOP, cny, order, per_currency, settlement

PAYOUTS = "/v1/communities/home/settlement/payouts"


async def _buy(running, ref: str, fen: int = 10_000) -> str:
    bought = await running.client.post(
        f"{SHOP}/buy", json=order(running, ref, fen), headers=running.auth("resident")
    )
    await settlement(running).idle()
    return str(bought.json()["id"])


async def _refund(running, charge_id: str, ref: str, fen: int) -> None:
    body = {"charge_id": charge_id, "amount": cny(fen), "ref": ref}
    answer = await running.client.post(
        f"{SHOP}/compensate", json=body, headers=running.auth("leader")
    )
    assert answer.status_code == 200, answer.text
    await settlement(running).idle()


async def test_a_batch_pays_each_payee_once_and_nets_clawbacks(start_shop):
    async with start_shop() as running:
        operator = {**running.auth("operator"), "Idempotency-Key": "batch"}
        first = await _buy(running, "p-1")
        await _buy(running, "p-2")
        await _refund(running, first, "r1", 2_000)
        leader = f"payable:leader:{running.people['leader'].id}"
        supplier = f"payable:supplier:{running.people['operator'].id}"
        owed = {
            account: -balance
            for (account, _), balance in (await store.balances(running.home.id)).items()
            if account.startswith("payable:")
        }

        batch = await running.client.post(PAYOUTS, json=None, headers=operator)
        assert batch.status_code == 200, batch.text
        assert batch.json()["test_money"] is True
        paid = {line["account"]: line["amount"]["amount"] for line in batch.json()["payouts"]}
        assert paid == owed and paid[leader] == 2 * 1000 - 200
        replayed = await running.client.post(PAYOUTS, headers=operator)
        assert replayed.content == batch.content  # the same key: the first answer again
        operator = {**running.auth("operator"), "Idempotency-Key": "batch-2"}
        again = await running.client.post(PAYOUTS, headers=operator)
        assert again.json()["payouts"] == []  # a new batch (or one resumed) pays nothing twice

        await _refund(running, first, "r2", 8_000)  # after the payout: a clawback
        balances = await store.balances(running.home.id)
        assert balances[(leader, "CNY")] > 0  # the leader owes it back
        clawback = balances[(leader, "CNY")]
        operator = {**running.auth("operator"), "Idempotency-Key": "batch-3"}
        during = await running.client.post(PAYOUTS, headers=operator)
        assert leader not in {line["account"] for line in during.json()["payouts"]}
        taken = {line["account"]: line["amount"]["amount"] for line in during.json()["clawbacks"]}
        assert taken[leader] == clawback  # a transfer reversal took it back
        assert (await store.balances(running.home.id))[(leader, "CNY")] == 0
        await _buy(running, "p-3")
        operator = {**running.auth("operator"), "Idempotency-Key": "batch-4"}
        third = await running.client.post(PAYOUTS, headers=operator)
        paid = {line["account"]: line["amount"]["amount"] for line in third.json()["payouts"]}
        assert paid[leader] == 1000
        assert supplier in paid
        assert await per_currency(running.home.id) == {"CNY": 0}


async def test_a_clawback_the_payee_cannot_cover_stays_pending_then_nets(start_shop):
    async with start_shop() as running:
        gateway = settlement(running).gateway
        first = await _buy(running, "n-1")
        await _paid(running, "n-b1")
        leader_id = running.people["leader"].id
        leader = f"payable:leader:{leader_id}"
        await gateway.spend(running.home.id, f"sbx_acct_m{leader_id}", 10**9)  # type: ignore[attr-defined]
        await _refund(running, first, "n-r1", 5_000)
        batch = await _batch(running, "n-b2")
        pending = {line["account"]: line["amount"]["amount"] for line in batch["clawbacks_pending"]}
        assert pending[leader] == 500  # the supplier, who kept its money, is reversed
        assert [line["account"] for line in batch["clawbacks"]] == [supplier_of(running)]
        rows = await Transfer.select(Transfer.state).where(Transfer.account == leader)
        assert [r["state"] for r in rows] == ["done", "clawback_pending"]
        again = await _batch(running, "n-b3")  # retried under a new key: still refused
        assert leader in [line["account"] for line in again["clawbacks_pending"]]
        await _buy(running, "n-2")  # later earnings cover the debt first
        later = await _batch(running, "n-b4")
        paid = {line["account"]: line["amount"]["amount"] for line in later["payouts"]}
        assert paid[leader] == 1000 - 500
        rows = await Transfer.select(Transfer.state, Transfer.attempts).where(
            Transfer.account == leader
        )
        assert [(r["state"], r["attempts"]) for r in rows] == [
            ("done", 1),
            ("netted", 2),
            ("done", 1),
        ]
        assert await per_currency(running.home.id) == {"CNY": 0}
        assert await settlement(running).reconcile(running.home.id) == []


def supplier_of(running) -> str:
    return f"payable:supplier:{running.people['operator'].id}"


async def _batch(running, key: str) -> dict:
    answer = await running.client.post(
        PAYOUTS, headers={**running.auth("operator"), "Idempotency-Key": key}
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


async def _paid(running, key: str) -> dict[str, int]:
    return {
        line["account"]: line["amount"]["amount"]
        for line in (await _batch(running, key))["payouts"]
    }


async def test_earnings_inside_the_hold_are_not_paid(start_shop):
    async with start_shop(settlement_payout_hold_seconds=3600) as running:
        await _buy(running, "h-1")
        batch = await running.client.post(
            PAYOUTS, headers={**running.auth("operator"), "Idempotency-Key": "b"}
        )
        assert batch.json()["payouts"] == []
