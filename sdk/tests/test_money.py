from __future__ import annotations

import operator
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from linli_sdk._iso4217 import MINOR_UNIT_DIGITS
from linli_sdk.errors import InvalidInput
from linli_sdk.money import (
    MAX_AMOUNT,
    AmountOutOfRange,
    CurrencyMismatch,
    Money,
    UnknownCurrency,
    sum_money,
)
from pydantic import BaseModel, ValidationError


def cny(amount: int) -> Money:
    return Money(amount=amount, currency="CNY")


def usd(amount: int) -> Money:
    return Money(amount=amount, currency="USD")


currencies = st.sampled_from(sorted(MINOR_UNIT_DIGITS))
# small enough that a sum of two, or a product by 1000, stays within MAX_AMOUNT
amounts = st.integers(min_value=-(10**9), max_value=10**9)
moneys = st.builds(Money, amount=amounts, currency=currencies)


# --- construction ---------------------------------------------------------------------------


@pytest.mark.parametrize("amount", [12.0, 12.5, Decimal("12"), True, False, "12", None])
def test_construction_refuses_anything_but_an_int_amount(amount: Any) -> None:
    with pytest.raises(ValidationError):
        Money(amount=amount, currency="CNY")


@pytest.mark.parametrize("currency", ["XYZ", "cny", "", "CNH", "XAU", "XXX", "HRK", 156])
def test_construction_refuses_codes_that_are_not_active_iso_4217(currency: Any) -> None:
    with pytest.raises(ValidationError) as info:
        Money(amount=1, currency=currency)
    assert "currency" in str(info.value)


def test_unknown_currency_message_reaches_the_validation_error() -> None:
    with pytest.raises(ValidationError, match="'XYZ' is not an active ISO 4217 currency code"):
        Money(amount=1, currency="XYZ")
    assert issubclass(UnknownCurrency, InvalidInput)


def test_the_currency_table_holds_the_active_codes_with_their_minor_units() -> None:
    assert len(MINOR_UNIT_DIGITS) > 150
    assert MINOR_UNIT_DIGITS["CNY"] == 2
    assert MINOR_UNIT_DIGITS["JPY"] == 0
    assert MINOR_UNIT_DIGITS["KWD"] == 3
    assert MINOR_UNIT_DIGITS["CLF"] == 4
    assert all(len(code) == 3 and code.isupper() for code in MINOR_UNIT_DIGITS)


def test_money_is_frozen() -> None:
    with pytest.raises(ValidationError):
        cny(1).amount = 2  # type: ignore[misc]


def test_zero_and_predicates() -> None:
    assert Money.zero("JPY") == Money(amount=0, currency="JPY")
    assert Money.zero("CNY").is_zero
    assert cny(-1).is_negative
    assert not cny(0).is_negative
    assert not cny(1).is_zero
    assert cny(1).exponent == 2
    assert Money.zero("JPY").exponent == 0


# --- JSON -------------------------------------------------------------------------------------


def test_renders_as_json_amount_and_currency() -> None:
    assert cny(1234).model_dump_json() == '{"amount":1234,"currency":"CNY"}'
    assert cny(1234).model_dump() == {"amount": 1234, "currency": "CNY"}


@given(moneys)
def test_json_round_trip(money: Money) -> None:
    assert Money.model_validate_json(money.model_dump_json()) == money


@given(moneys)
def test_json_round_trip_inside_an_operation_model(money: Money) -> None:
    class Charge(BaseModel):
        price: Money

    charge = Charge(price=money)
    assert Charge.model_validate_json(charge.model_dump_json()) == charge


@pytest.mark.parametrize(
    "payload",
    [
        '{"amount": 12.0, "currency": "CNY"}',
        '{"amount": "12", "currency": "CNY"}',
        '{"amount": true, "currency": "CNY"}',
        '{"amount": 12, "currency": "CNY", "extra": 1}',
    ],
)
def test_json_refuses_non_integer_amounts_and_extra_fields(payload: str) -> None:
    with pytest.raises(ValidationError):
        Money.model_validate_json(payload)


# --- rendering --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("money", "text"),
    [
        (cny(1234), "CNY 12.34"),
        (cny(-5), "CNY -0.05"),
        (cny(0), "CNY 0.00"),
        (cny(-1234), "CNY -12.34"),
        (Money(amount=500, currency="JPY"), "JPY 500"),
        (Money(amount=-500, currency="JPY"), "JPY -500"),
        (Money(amount=1005, currency="KWD"), "KWD 1.005"),
    ],
)
def test_str(money: Money, text: str) -> None:
    assert str(money) == text


# --- arithmetic -------------------------------------------------------------------------------


@given(amounts, amounts, currencies)
def test_add_and_subtract_same_currency(a: int, b: int, currency: str) -> None:
    x, y = Money(amount=a, currency=currency), Money(amount=b, currency=currency)
    assert x + y == Money(amount=a + b, currency=currency)
    assert x - y == Money(amount=a - b, currency=currency)
    assert -x == Money(amount=-a, currency=currency)
    assert (x + y) - y == x


@pytest.mark.parametrize("op", [operator.add, operator.sub])
def test_mixing_currencies_is_refused_for_add_and_subtract(op: Any) -> None:
    with pytest.raises(CurrencyMismatch, match="currencies differ"):
        op(cny(100), usd(100))


@pytest.mark.parametrize("op", [operator.lt, operator.le, operator.gt, operator.ge])
def test_mixing_currencies_is_refused_for_comparisons(op: Any) -> None:
    with pytest.raises(CurrencyMismatch):
        op(cny(100), usd(100))


def test_currency_mismatch_is_invalid_input_with_both_currencies() -> None:
    with pytest.raises(InvalidInput) as info:
        cny(1) + usd(1)
    assert isinstance(info.value, CurrencyMismatch)
    assert info.value.extensions == {"currencies": ["CNY", "USD"]}


@pytest.mark.parametrize("other", [1, 1.0, Decimal(1), "1", None])
def test_add_and_compare_with_non_money_is_a_type_error(other: Any) -> None:
    with pytest.raises(TypeError):
        cny(1) + other
    with pytest.raises(TypeError):
        other + cny(1)
    with pytest.raises(TypeError):
        _ = cny(1) < other


@given(amounts, amounts)
def test_comparisons_follow_the_amount(a: int, b: int) -> None:
    assert (cny(a) < cny(b)) is (a < b)
    assert (cny(a) <= cny(b)) is (a <= b)
    assert (cny(a) > cny(b)) is (a > b)
    assert (cny(a) >= cny(b)) is (a >= b)


@given(amounts, st.integers(min_value=-1000, max_value=1000))
def test_multiply_by_int_either_side(a: int, factor: int) -> None:
    assert cny(a) * factor == cny(a * factor)
    assert factor * cny(a) == cny(a * factor)


@pytest.mark.parametrize("factor", [1.5, 2.0, Decimal("2"), True, False, cny(2), "2"])
def test_multiply_refuses_anything_but_an_int(factor: Any) -> None:
    with pytest.raises(TypeError):
        cny(100) * factor
    with pytest.raises(TypeError):
        factor * cny(100)


def test_equality_and_hash_by_value() -> None:
    assert cny(100) == cny(100)
    assert hash(cny(100)) == hash(cny(100))
    assert cny(100) != usd(100)
    assert cny(100) != cny(101)
    assert cny(0) != 0  # type: ignore[comparison-overlap]
    assert len({cny(1), cny(1), usd(1)}) == 2


@given(st.lists(amounts, max_size=20))
def test_sum_money_adds_up(values: list[int]) -> None:
    assert sum_money((cny(v) for v in values), "CNY") == cny(sum(values))


@given(st.lists(st.integers(min_value=-MAX_AMOUNT, max_value=MAX_AMOUNT), max_size=6))
def test_sum_money_answers_and_refuses_as_adding_one_by_one(values: list[int]) -> None:
    def one_by_one() -> Money:
        total = cny(0)
        for value in values:
            total += cny(value)
        return total

    try:
        expected: Money | type[Exception] = one_by_one()
    except AmountOutOfRange:
        expected = AmountOutOfRange
    if expected is AmountOutOfRange:
        with pytest.raises(AmountOutOfRange):
            sum_money(map(cny, values), "CNY")
    else:
        assert sum_money(map(cny, values), "CNY") == expected


def test_sum_money_of_nothing_is_zero_and_refuses_other_currencies() -> None:
    assert sum_money([], "JPY") == Money.zero("JPY")
    with pytest.raises(CurrencyMismatch):
        sum_money([cny(1), usd(1)], "CNY")
    with pytest.raises(CurrencyMismatch):
        sum_money([usd(1)], "CNY")
    with pytest.raises(TypeError):
        sum_money([cny(1), 1], "CNY")  # type: ignore[list-item]
    with pytest.raises(ValidationError, match="XXY"):
        sum_money([], "XXY")


# --- the largest amount -------------------------------------------------------------------------


@pytest.mark.parametrize("amount", [MAX_AMOUNT, -MAX_AMOUNT, 0])
def test_amounts_up_to_the_maximum_either_way_are_money(amount: int) -> None:
    assert cny(amount).amount == amount


@pytest.mark.parametrize("amount", [MAX_AMOUNT + 1, -MAX_AMOUNT - 1, 2**62, 2**63, -(2**70)])
def test_an_amount_beyond_the_maximum_is_refused_naming_the_field(amount: int) -> None:
    class Order(BaseModel):
        price: Money

    with pytest.raises(ValidationError) as info:
        Order.model_validate({"price": {"amount": amount, "currency": "CNY"}})
    assert [e["loc"] for e in info.value.errors()] == [("price", "amount")]


@given(st.integers(min_value=1, max_value=MAX_AMOUNT), st.integers(min_value=2, max_value=10**6))
def test_arithmetic_beyond_the_maximum_raises_amount_out_of_range(unit: int, times: int) -> None:
    if unit * times <= MAX_AMOUNT:
        assert (cny(unit) * times).amount == unit * times
        return
    with pytest.raises(AmountOutOfRange) as info:
        cny(unit) * times
    assert info.value.status == 422
    with pytest.raises(AmountOutOfRange):
        cny(MAX_AMOUNT) + cny(unit)
    with pytest.raises(AmountOutOfRange):
        cny(-MAX_AMOUNT) - cny(unit)
