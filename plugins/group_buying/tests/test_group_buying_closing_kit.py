"""Closing a campaign now on the SDK's test kit, and listing one's orders by their status."""

from __future__ import annotations

from datetime import timedelta

import pytest
from group_buying_kit_helpers import Community
from linli_group_buying.models import Campaign, OrderList, OrderStatus
from linli_sdk import ChargeStatus, Forbidden, Money, Role


def cny(amount: int) -> Money:
    return Money(amount=amount, currency="CNY")


async def close_now(gb: Community, campaign_id: int, who: object) -> Campaign:
    closed = await gb.kit.call("close-campaign-now", {"campaign_id": campaign_id}, as_=who)  # type: ignore[arg-type]
    assert isinstance(closed, Campaign)
    return closed


def published(gb: Community, suffix: str) -> int:
    return sum(1 for e in gb.kit.host.events.published if e.type.endswith(suffix))


async def test_the_leader_closes_now_and_a_second_close_changes_nothing(gb: Community) -> None:
    tiers = [{"at_least": 2, "unit_price": {"amount": 900, "currency": "CNY"}}]
    opened = await gb.open(tiers=tiers)
    orders = [await gb.join(r, opened, 2) for r in gb.residents[:2]]
    closed = await close_now(gb, opened.id, gb.leader)
    assert closed.status == "confirmed" and closed.final_unit_price == cny(900)
    assert f"close:{opened.id}" not in gb.kit.host.deadlines.pending
    await gb.kit.advance(timedelta(0))  # the tier refunds, due at once
    payments = gb.kit.host.payments
    for order in orders:
        charge = payments.charges[order.charge_id]
        assert charge.status is ChargeStatus.CAPTURED and charge.refunded == cny(200)
    again = await close_now(gb, opened.id, gb.leader)
    assert again == (await close_now(gb, opened.id, gb.leader))
    assert again.status == "confirmed" and again.final_unit_price == cny(900)
    await gb.kit.advance(timedelta(days=2))  # past the old deadline: nothing closes twice
    assert published(gb, "campaign_confirmed") == 1
    for order in orders:
        assert payments.charges[order.charge_id].refunded == cny(200)
    codes = [(await gb.kit.call("my-orders", as_=r)).items[0].pickup_code for r in gb.residents[:2]]  # type: ignore[attr-defined]
    assert all(codes) and len(set(codes)) == 2


async def test_an_operator_closes_now_and_a_missed_minimum_cancels(gb: Community) -> None:
    opened = await gb.open(minimum=3)
    order = await gb.join(gb.residents[0], opened, 1)
    operator = gb.kit.add_member("Operator Zhou", Role.OPERATOR)
    closed = await close_now(gb, opened.id, operator)
    assert closed.status == "cancelled"
    assert gb.kit.host.payments.charges[order.charge_id].status is ChargeStatus.VOIDED


async def test_only_its_leader_or_an_operator_closes_a_campaign(gb: Community) -> None:
    opened = await gb.open()
    other_leader = gb.kit.add_member("Leader Ma", Role.LEADER, Role.RESIDENT)
    for who in (gb.residents[0], gb.supplier, other_leader):
        with pytest.raises(Forbidden):
            await close_now(gb, opened.id, who)
    assert (
        await gb.kit.call("get-campaign", {"campaign_id": opened.id}, as_=gb.leader)
    ).status == "open"  # type: ignore[attr-defined]


async def test_my_orders_filter_by_each_order_status(gb: Community) -> None:
    chen, liu = gb.residents[:2]
    cancelled = await gb.open(title="Durian", minimum=4)
    await gb.join(chen, cancelled, 1)
    await close_now(gb, cancelled.id, gb.leader)
    collected, partial, confirmed = [await gb.open(title=t) for t in ("Apples", "Pears", "Figs")]
    for campaign in (collected, partial, confirmed):
        await gb.join(chen, campaign, 2)
        await gb.join(liu, campaign, 1)
        await close_now(gb, campaign.id, gb.leader)
    await gb.join(chen, await gb.open(title="Kiwis"), 1)

    async def mine(status: OrderStatus | None = None) -> list[tuple[int, OrderStatus]]:
        data = {} if status is None else {"status": status.value}
        listed = await gb.kit.call("my-orders", data, as_=chen)
        assert isinstance(listed, OrderList)
        return [(o.id, o.status) for o in listed.items]

    async def each_status_filters(present: set[OrderStatus]) -> None:
        every = await mine()
        assert {status for _, status in every} == present
        for status in OrderStatus:
            assert await mine(status) == [o for o in every if o[1] is status], status

    code = {o.campaign_id: o.pickup_code for o in (await gb.kit.call("my-orders", as_=chen)).items}  # type: ignore[attr-defined]
    await gb.kit.call("verify-pickup", {"code": code[collected.id]}, as_=gb.host)
    await gb.kit.call("verify-pickup", {"code": code[partial.id], "quantity": 1}, as_=gb.host)
    await each_status_filters(set(OrderStatus) - {OrderStatus.UNCOLLECTED})
    # Kiwis miss their minimum; the rest is uncollected once the local pickup days are over
    await gb.kit.advance(timedelta(days=4))
    await each_status_filters(
        {OrderStatus.CANCELLED, OrderStatus.COLLECTED, OrderStatus.UNCOLLECTED}
    )
