"""A crash between the gateway call and the ledger commit: after restart and a sweep, once."""

from __future__ import annotations

from linli.settlement.gateways import SandboxGateway
from linli.settlement.service import Settlement, intent_key
from linli.settlement.tables import GatewayIntent
from linli_sdk import Money
from settlement_helpers import charge_directly, per_currency, txn_count


async def test_a_crash_after_the_gateway_call_is_recovered_by_the_sweep(start_shop):
    async with start_shop() as running:
        gateway = SandboxGateway()  # the outside system: its records outlive our process
        before = Settlement(running.platform.registry, gateway, eager=False)
        amount = Money(amount=10_000, currency="CNY")
        charge_id = await charge_directly(before, running, "crash-1", 10_000)
        key = intent_key(running.home.id, charge_id, "charge")
        # The gateway took the money; the process died before the outcome was committed.
        await gateway.authorize(key=key, amount=amount, capture=True)
        assert await txn_count("capture") == 0
        assert await GatewayIntent.count().where(GatewayIntent.state == "pending") == 1

        after = Settlement(running.platform.registry, gateway, eager=False)  # the restart
        assert await after.sweep(running.home.id) == 1
        assert await after.sweep(running.home.id) == 0  # nothing left to do
        prefix = f"linli-c{running.home.id}-"
        assert len(await gateway.outcomes(prefix)) == 1  # the gateway saw one payment, not two
        assert await txn_count("capture") == 1
        assert (await after.get(running.home, charge_id)).status == "captured"
        assert await per_currency(running.home.id) == {"CNY": 0}


async def test_a_batch_of_postings_replayed_after_a_crash_posts_nothing_twice(start_shop):
    from linli.settlement import ledger, store
    from linli_sdk.revenue_share import RevenueShareRules, fixed, percent, remainder

    rules = RevenueShareRules(
        shares=(
            percent("platform", 500),
            fixed("pickup_host", Money(amount=50, currency="CNY")),
            remainder("supplier"),
        )
    )
    async with start_shop() as running:
        plans = [
            (
                None,
                ledger.plan_capture(
                    n,
                    Money(amount=1_000, currency="CNY"),
                    rules,
                    {"pickup_host": 1, "supplier": 2},
                    Money(amount=6, currency="CNY"),
                ),
                {},
            )
            for n in range(1, 2_501)  # more than one multi-row insert
        ]
        assert len(await store.append_many(running.home.id, plans[:1_200])) == 1_200
        assert len(await store.append_many(running.home.id, plans)) == 1_300  # the rest only
        assert await txn_count("capture") == 2_500
        assert await per_currency(running.home.id) == {"CNY": 0}
