"""The sandbox gateway keeps its records in the database: reconciliation holds after a restart."""

from __future__ import annotations

import asyncio

from linli.settlement.gateways import GatewayStatus, SandboxGateway
from linli.settlement.payments import gateway_for
from linli.settlement.service import Settlement, intent_key
from linli.settlement.tables import SandboxCall
from linli.testing import sqlite_statements
from linli_sdk import Money
from settlement_helpers import SHOP, cny, order, settlement

PAYOUTS = "/v1/communities/home/settlement/payouts"


def restarted(running) -> Settlement:
    """The settlement service a restarted process builds from the same settings."""
    return Settlement(running.platform.registry, gateway_for(running.platform.settings))


async def test_reconciliation_is_clean_after_a_restart(start_shop):
    async with start_shop() as running:
        auth = running.auth("resident")
        kept = await running.client.post(f"{SHOP}/buy", json=order(running, "s-1"), headers=auth)
        held = [
            await running.client.post(
                f"{SHOP}/buy", json=order(running, f"s-{n}", capture=False), headers=auth
            )
            for n in (2, 3)
        ]
        await settlement(running).idle()
        leader = running.auth("leader")
        refund = {"charge_id": kept.json()["id"], "amount": cny(1_000), "ref": "r"}
        await running.client.post(f"{SHOP}/compensate", json=refund, headers=leader)
        for verb, charge in zip(("capture", "void"), held, strict=True):
            done = await running.client.post(
                f"{SHOP}/{verb}", json={"charge_id": charge.json()["id"]}, headers=leader
            )
            assert done.status_code == 200, done.text
        await settlement(running).idle()
        paid = await running.client.post(
            PAYOUTS, headers={**running.auth("operator"), "Idempotency-Key": "b"}
        )
        assert paid.json()["payouts"], paid.text
        await settlement(running).idle()

        after = restarted(running)
        assert await after.reconcile(running.home.id) == []
        theirs = await after.gateway.records(f"linli-c{running.home.id}-")
        assert sorted((r.kind, r.status) for r in theirs) == [
            ("payment", "captured"),
            ("payment", "captured"),
            ("payment", "voided"),
            ("refund", "refunded"),
            *[("transfer", "transferred")] * len(paid.json()["payouts"]),
        ]


async def test_an_answer_is_the_same_from_another_process_and_after_a_restart(start_shop):
    async with start_shop() as running:
        key = intent_key(running.home.id, 999, "charge")
        amount = Money(amount=2_000, currency="CNY")
        first, second = SandboxGateway(), SandboxGateway()  # two processes, one database
        first.decline_next("insufficient_funds")
        answers = await asyncio.gather(
            first.authorize(key=key, amount=amount, capture=True),
            second.authorize(key=key, amount=amount, capture=True),
        )
        assert answers[0] == answers[1]  # one effect: whoever came second got the first answer
        assert await SandboxCall.count().where(SandboxCall.key == key) == 1
        later = await SandboxGateway().authorize(key=key, amount=amount, capture=True)
        assert later == answers[0]
        if later.status is GatewayStatus.FAILED:  # the refusal is kept under its key
            assert later.reason == "insufficient_funds"


async def test_a_reversal_needs_what_the_connected_account_still_holds(start_shop):
    async with start_shop() as running:
        gateway, community = SandboxGateway(), running.home.id
        cny_ = Money(amount=700, currency="CNY")
        sent = await gateway.transfer(
            key=f"linli-c{community}-payout-a-1", destination="sbx_acct_m7", amount=cny_, group="g"
        )
        assert await gateway.balance(community, "sbx_acct_m7") == 700
        await gateway.spend(community, "sbx_acct_m7", 500)
        refused = await gateway.reverse(
            key=f"linli-c{community}-reversal-a-1", transfer_ref=sent.ref, amount=cny_
        )
        assert refused.status is GatewayStatus.INSUFFICIENT_BALANCE
        taken = await SandboxGateway().reverse(
            key=f"linli-c{community}-reversal-a-2",
            transfer_ref=sent.ref,
            amount=Money(amount=200, currency="CNY"),
        )
        assert taken.status is GatewayStatus.REVERSED
        assert await gateway.balance(community, "sbx_acct_m7") == 0
        assert [r.kind for r in await gateway.records(f"linli-c{community}-")] == [
            "transfer",
            "reversal",
        ]


async def test_calls_arriving_together_are_kept_in_one_insert_each_answered_once(start_shop):
    async with start_shop() as running:
        gateway, amount = SandboxGateway(), Money(amount=2_000, currency="CNY")
        keys = [intent_key(running.home.id, 900 + n, "charge") for n in range(12)]
        gateway.decline_next("card_declined")  # the first new payment is refused
        async with sqlite_statements(running.platform.engine) as statements:
            # the same key twice among them: one effect, the first answer for both
            answers = await asyncio.gather(
                *(gateway.authorize(key=key, amount=amount, capture=True) for key in keys),
                gateway.authorize(key=keys[3], amount=amount, capture=True),
            )
        inserts = [s for s in statements if s.startswith("INSERT INTO linli_settlement_sandbox")]
        assert len(inserts) == 1  # twelve calls, one statement
        assert answers[-1] == answers[3]
        assert [a.status for a in answers[:12]] == [GatewayStatus.FAILED] + [
            GatewayStatus.CAPTURED
        ] * 11
        kept = await SandboxCall.select(SandboxCall.key, SandboxCall.status).where(
            SandboxCall.key.is_in(keys)
        )
        assert sorted(row["key"] for row in kept) == sorted(keys)
        again = await SandboxGateway().authorize(key=keys[0], amount=amount, capture=True)
        assert again == answers[0]  # the refusal was kept under its key
