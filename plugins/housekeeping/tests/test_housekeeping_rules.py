"""The housekeeping rules, exhaustively: prices, vouchers, the cancellation policy, ratings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from linli_housekeeping import rules
from linli_sdk import Conflict, InvalidInput, Money

START = datetime(2026, 3, 5, 8, 0, tzinfo=UTC)
amounts = st.integers(min_value=0, max_value=10**9).map(lambda a: Money(amount=a, currency="CNY"))
basis_points = st.integers(min_value=0, max_value=10_000)


@given(amounts, st.integers(min_value=-200, max_value=200), st.integers(0, 168), basis_points)
def test_a_cancellation_fee_is_nothing_early_and_never_more_than_paid(
    paid: Money, hours_before: int, free_hours: int, fee_bp: int
) -> None:
    now = START - timedelta(hours=hours_before)
    fee = rules.cancellation_fee(paid, START, now, free_hours=free_hours, fee_bp=fee_bp)
    assert Money.zero("CNY") <= fee <= paid
    if hours_before > free_hours:
        assert fee.is_zero
    else:
        assert fee.amount == paid.amount * fee_bp // 10_000
    refund = paid - fee
    assert refund + fee == paid and not refund.is_negative


@given(amounts, st.one_of(st.none(), amounts))
def test_a_voucher_takes_off_at_most_the_price(amount: Money, voucher: Money | None) -> None:
    to_pay, discount = rules.after_voucher(amount, voucher)
    assert to_pay + discount == amount
    assert not to_pay.is_negative and not discount.is_negative
    assert discount == (min(voucher, amount) if voucher else Money.zero("CNY"))


def test_a_voucher_in_another_currency_takes_nothing() -> None:
    price = Money(amount=100, currency="CNY")
    assert rules.after_voucher(price, Money(amount=50, currency="HKD")) == (
        price,
        Money.zero("CNY"),
    )


@given(st.integers(0, 10**7), st.integers(1, 12))
def test_the_price_is_the_unit_price_times_the_units(unit: int, units: int) -> None:
    assert rules.price(Money(amount=unit, currency="CNY"), units).amount == unit * units


def test_nothing_is_booked_for_no_units() -> None:
    with pytest.raises(InvalidInput):
        rules.price(Money(amount=1, currency="CNY"), 0)


def test_ratings_weigh_from_minus_twenty_to_ten() -> None:
    assert [rules.rating_weight(s) for s in range(1, 6)] == [-20, -10, 0, 5, 10]
    with pytest.raises(InvalidInput):
        rules.rating_weight(6)


def test_the_lifecycle_refuses_steps_out_of_order() -> None:
    rules.require("accepted", "start")
    rules.require("in_progress", "complete")
    for status, action in [
        ("requested", "complete"),
        ("completed", "cancel"),
        ("cancelled", "start"),
        ("in_progress", "rate"),
        ("provider_no_show", "report resident no-show"),
    ]:
        with pytest.raises(Conflict):
            rules.require(status, action)


def test_codes_compare_exactly() -> None:
    assert rules.code_matches(" 123456 ", "123456")
    assert not rules.code_matches("123457", "123456")


def test_slots() -> None:
    now = START - timedelta(days=1)
    ok = {"min_lead_hours": 2, "horizon_days": 30}
    assert rules.slot_problem(START, now, **ok) is None
    assert rules.slot_problem(START.replace(tzinfo=None), now, **ok)
    assert rules.slot_problem(START + timedelta(minutes=30), now, **ok) is None
    assert "half hour" in str(rules.slot_problem(START + timedelta(minutes=5), now, **ok))
