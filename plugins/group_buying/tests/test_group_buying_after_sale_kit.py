"""After-sale claims on the SDK's test kit: the price they pay, the cap, and credit per order."""

from __future__ import annotations

from datetime import timedelta

import pytest
from group_buying_kit_helpers import Community
from linli_group_buying.after_sale import Claim
from linli_group_buying.models import Order, OrderList
from linli_sdk import InvalidInput, MemberView, Money


def cny(amount: int) -> Money:
    return Money(amount=amount, currency="CNY")


async def collected(gb: Community, quantity: int = 1, **fields: object) -> Order:
    """Chen's order of ``quantity`` in a formed campaign (Liu buys 1 too), collected in full."""
    opened = await gb.open(**fields)
    await gb.join(gb.residents[0], opened, quantity)
    await gb.join(gb.residents[1], opened, 1)
    await gb.kit.advance(timedelta(days=1))
    listed = await gb.kit.call("my-orders", as_=gb.residents[0])
    assert isinstance(listed, OrderList)
    (order,) = listed.items
    assert order.pickup_code is not None
    await gb.kit.call("verify-pickup", {"code": order.pickup_code}, as_=gb.host)
    return order


async def claim(gb: Community, order: Order, damaged: int, who: MemberView | None = None) -> Claim:
    photo = await gb.kit.upload(b"\xff\xd8 bruised strawberries")
    data = {"order_id": order.id, "damaged": damaged, "photo": photo}
    made = await gb.kit.call("claim-damage", data, as_=who or gb.residents[0])
    assert isinstance(made, Claim)
    return made


def credit_events(gb: Community, event: str) -> list[str]:
    return [key for key, (_, name, _) in gb.kit.host.credit.events.items() if name == event]


async def test_a_claim_after_a_tier_refund_pays_the_final_price(gb: Community) -> None:
    tiers = [{"at_least": 2, "unit_price": {"amount": 1690, "currency": "CNY"}}]
    order = await collected(gb, unit_price={"amount": 1990, "currency": "CNY"}, tiers=tiers)
    charge = gb.kit.host.payments.charges[order.charge_id]
    assert charge.refunded == cny(300)  # the tier difference, back at close
    made = await claim(gb, order, 1)
    assert made.status == "compensated" and made.compensation == cny(1690)
    assert gb.kit.host.payments.charges[order.charge_id].refunded == cny(1990)


async def test_a_claim_is_capped_to_what_the_parties_still_hold(gb: Community) -> None:
    order = await collected(gb, quantity=3)
    payments = gb.kit.host.payments
    await payments.refund(order.charge_id, cny(2500), reason="goodwill", ref="operator-1")
    made = await claim(gb, order, 1)  # 1000 asked, 500 held
    assert made.status == "compensated" and made.compensation == cny(500)
    assert payments.charges[order.charge_id].refunded == cny(3000)
    assert credit_events(gb, "damage_claim") == [f"claim-{made.id}"]


async def test_retries_cost_no_credit_and_abuse_counts_once_per_order(gb: Community) -> None:
    await gb.kit.enable({"claim_monthly_limit": 1000})
    order = await collected(gb, quantity=2)
    first = await claim(gb, order, 2)  # 2000 asked, the monthly limit pays 1000
    assert first.compensation == cny(1000)
    refused = [await claim(gb, order, 1) for _ in range(3)]
    assert {(c.status, c.reason) for c in refused} == {("refused", "the monthly limit is used up")}
    assert credit_events(gb, "claim_abuse") == [f"claim-abuse-order-{order.id}"]
    assert credit_events(gb, "damage_claim") == [f"claim-{first.id}"]


async def test_a_retry_of_a_full_claim_is_refused_without_credit(gb: Community) -> None:
    order = await collected(gb, quantity=2)
    first = await claim(gb, order, 2)
    assert first.compensation == cny(2000)
    retries = [await claim(gb, order, 2) for _ in range(3)]
    assert {(c.status, c.compensation) for c in retries} == {("refused", cny(0))}
    assert credit_events(gb, "claim_abuse") == []
    assert credit_events(gb, "damage_claim") == [f"claim-{first.id}"]
    assert gb.kit.host.payments.charges[order.charge_id].refunded == cny(2000)


async def test_the_monthly_limit_is_money_within_its_bounds(gb: Community) -> None:
    settings = await gb.kit.enable({"claim_monthly_limit": {"amount": 1200, "currency": "CNY"}})
    assert settings.claim_monthly_limit == cny(1200)
    order = await collected(gb, quantity=2)
    assert (await claim(gb, order, 2)).compensation == cny(1200)
    for too_much in (1_000_001, {"amount": 500, "currency": "USD"}):
        with pytest.raises(InvalidInput) as refused:
            await gb.kit.enable({"claim_monthly_limit": too_much})
        fields = [e["field"] for e in refused.value.extensions["errors"]]
        assert fields == ["settings.claim_monthly_limit"]
    assert gb.kit.settings.claim_monthly_limit == cny(1200)  # the settings in force stay
