"""The charge path hands what it wrote to the carrying out after commit, never stale rows."""

from __future__ import annotations

from linli_sdk import ChargeStatus, Money


async def test_a_capture_asked_later_is_carried_out_after_its_commit(start_platform) -> None:
    """A charge authorised by a sweep, then captured: the capture's own task must see the
    capture intent, not the charge's rows as its call wrote them."""
    async with start_platform(plugins_allow=["group_buying"]) as running:
        settlement = running.platform.settlement
        home, leader = running.home, running.people["leader"].id
        payees = {"leader": leader, "pickup_host": leader, "supplier": leader}
        async with running.platform.engine.transaction():
            charge = await settlement.charge(
                home,
                "group_buying",
                order_ref="order-1",
                amount=Money(amount=1000, currency="CNY"),
                payer_id=running.people["resident"].id,
                payees=payees,
                capture=False,
            )
        await settlement.sweep(home.id)  # authorised by a sweep, not by the call's own task
        number = int(charge.id.removeprefix("ch_"))
        async with running.platform.engine.transaction():
            await settlement.capture(home, number)
        settlement.carry_out_later(home.id, number)
        await settlement.idle()
        assert (await settlement.get(home, number)).status is ChargeStatus.CAPTURED
