"""Properties of the pure group-buying rules: tiers, refunds and compensation add up exactly."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from linli_group_buying.plugin import REVENUE_SHARE
from linli_group_buying.pricing import (
    Measure,
    Tier,
    claim_compensation,
    final_unit_price,
    formed,
    order_amount,
    tier_refund,
)
from linli_sdk import Money, refund, split


def cny(amount: int) -> Money:
    return Money(amount=amount, currency="CNY")


tiers = st.lists(st.builds(Tier, st.integers(2, 50), st.integers(1, 5000).map(cny)), max_size=5)


@given(
    base=st.integers(1, 5000),
    tiers=tiers,
    measure=st.sampled_from(Measure),
    buyers=st.integers(0, 60),
    quantity=st.integers(0, 200),
)
def test_the_final_price_is_the_lowest_reached(
    base: int, tiers: list[Tier], measure: Measure, buyers: int, quantity: int
) -> None:
    final = final_unit_price(cny(base), tiers, measure, buyers, quantity)
    count = buyers if measure is Measure.BUYERS else quantity
    reached = [t.unit_price.amount for t in tiers if count >= t.at_least]
    assert final.amount == min([base, *reached])


@given(paid=st.integers(1, 10_000), final=st.integers(1, 10_000), quantity=st.integers(1, 50))
def test_the_tier_refund_leaves_exactly_the_final_price(
    paid: int, final: int, quantity: int
) -> None:
    back = tier_refund(cny(paid), cny(final), quantity)
    assert not back.is_negative
    kept = order_amount(cny(paid), quantity) - back
    assert kept == cny(min(paid, final) * quantity)


@given(paid=st.integers(200, 10_000), cut=st.integers(0, 100), quantity=st.integers(1, 20))
def test_the_parties_keep_their_pro_rata_share_after_a_tier_refund(
    paid: int, cut: int, quantity: int
) -> None:
    final = paid - paid * cut // 100
    amount = order_amount(cny(paid), quantity)
    back = tier_refund(cny(paid), cny(final), quantity)
    parts = split(REVENUE_SHARE, amount)
    if back.is_zero:
        return
    taken = refund(parts, back)
    assert sum(p.amount for p in taken.values()) == back.amount
    assert all(taken[p] <= parts[p] for p in parts)
    assert sum(parts[p].amount - taken[p].amount for p in parts) == final * quantity


@given(
    unit=st.integers(1, 5000),
    quantity=st.integers(1, 10),
    damaged=st.integers(1, 10),
    before=st.integers(0, 20_000),
    refunded=st.integers(0, 20_000),
    month=st.integers(0, 20_000),
    limit=st.integers(0, 20_000),
)
def test_compensation_never_passes_the_price_or_the_monthly_limit(
    unit: int, quantity: int, damaged: int, before: int, refunded: int, month: int, limit: int
) -> None:
    claim = {
        "unit_price": cny(unit),
        "damaged": damaged,
        "quantity": quantity,
        "paid": cny(unit * quantity),
        "already_compensated": cny(before),
        "order_refunded": cny(refunded),
        "compensated_this_month": cny(month),
        "monthly_limit": cny(limit),
    }
    if damaged > quantity:
        with pytest.raises(ValueError):
            claim_compensation(**claim)  # type: ignore[arg-type]
        return
    paid = claim_compensation(**claim).amount  # type: ignore[arg-type]
    assert 0 <= paid <= unit * damaged
    assert paid <= max(0, unit * quantity - before - refunded)
    assert paid <= max(0, limit - month)
    assert paid == max(0, min(unit * damaged, unit * quantity - before - refunded, limit - month))


def test_a_claim_after_a_tier_refund_pays_the_final_price() -> None:
    """1 unit authorised at 19.90, 3.00 back at close: a damaged unit is worth 16.90."""
    paid = order_amount(cny(1990), 1)
    back = tier_refund(cny(1990), cny(1690), 1)
    assert back == cny(300)
    compensation = claim_compensation(
        unit_price=cny(1690),
        damaged=1,
        quantity=1,
        paid=paid,
        already_compensated=cny(0),
        order_refunded=back,
        compensated_this_month=cny(0),
        monthly_limit=cny(5000),
    )
    assert compensation == cny(1690)


@given(
    base=st.integers(1, 5000),
    cut=st.integers(0, 100),
    quantity=st.integers(1, 10),
    claims=st.lists(st.integers(1, 10), min_size=1, max_size=4),
)
def test_claims_never_pay_back_more_than_the_resident_finally_paid(
    base: int, cut: int, quantity: int, claims: list[int]
) -> None:
    """After the tier refund, claims pay at most the final price per claimed unit, in all at
    most what the resident finally paid, and exactly that for a full claim."""
    final = base - base * cut // 100
    paid = order_amount(cny(base), quantity)
    back = tier_refund(cny(base), cny(final), quantity)
    finally_paid = paid - back
    compensated = cny(0)
    for damaged in (min(d, quantity) for d in claims):
        compensation = claim_compensation(
            unit_price=cny(final),
            damaged=damaged,
            quantity=quantity,
            paid=paid,
            already_compensated=compensated,
            order_refunded=back,
            compensated_this_month=cny(0),
            monthly_limit=cny(10**9),
        )
        assert cny(0) <= compensation <= cny(final * damaged)
        compensated += compensation
        assert compensated <= finally_paid
    full = claim_compensation(
        unit_price=cny(final),
        damaged=quantity,
        quantity=quantity,
        paid=paid,
        already_compensated=cny(0),
        order_refunded=back,
        compensated_this_month=cny(0),
        monthly_limit=cny(10**9),
    )
    assert full == finally_paid == cny(final * quantity)


@given(minimum=st.integers(1, 20), buyers=st.integers(0, 30), quantity=st.integers(0, 30))
def test_a_campaign_forms_at_its_minimum_and_never_empty(
    minimum: int, buyers: int, quantity: int
) -> None:
    assert formed(Measure.BUYERS, minimum, buyers, quantity) == (quantity > 0 and buyers >= minimum)
    assert formed(Measure.QUANTITY, minimum, buyers, quantity) == (
        quantity > 0 and quantity >= minimum
    )
