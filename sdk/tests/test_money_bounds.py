"""MoneyBounds: an amount in the community's currency, within declared limits, in settings."""

from __future__ import annotations

from typing import Annotated

import pytest
from hypothesis import given
from hypothesis import strategies as st
from linli_sdk import CurrencyMismatch, Manifest, Money, MoneyBounds
from pydantic import BaseModel, Field, ValidationError

FEE = MoneyBounds(min=Money(amount=50, currency="CNY"), max=Money(amount=1000, currency="CNY"))


class Settings(BaseModel):
    fee: Annotated[Money, FEE] = Field(
        default=Money(amount=100, currency="CNY"), description="The fee per order."
    )


def errors(value: object) -> list[tuple[tuple[str | int, ...], str]]:
    with pytest.raises(ValidationError) as caught:
        Settings.model_validate({"fee": value})
    return [(e["loc"], e["msg"]) for e in caught.value.errors(include_url=False)]


@given(st.integers(min_value=50, max_value=1000))
def test_every_amount_within_the_bounds_is_taken_as_money_or_minor_units(amount):
    money = Money(amount=amount, currency="CNY")
    assert Settings.model_validate({"fee": amount}).fee == money
    assert Settings.model_validate({"fee": money.model_dump()}).fee == money


@given(st.integers(min_value=-(10**12), max_value=10**12).filter(lambda a: not 50 <= a <= 1000))
def test_every_amount_outside_the_bounds_is_refused_naming_the_field(amount):
    ((loc, message),) = errors(amount)
    assert loc == ("fee",)
    assert message.startswith("must be between CNY 0.50 and CNY 10.00")


def test_another_currency_is_refused_naming_the_field():
    assert errors({"amount": 100, "currency": "USD"}) == [(("fee",), "must be in CNY, not USD")]


@pytest.mark.parametrize("value", [True, 1.5, "100", None])
def test_what_is_neither_money_nor_minor_units_is_refused(value):
    ((loc, _),) = errors(value)
    assert loc == ("fee",)


def test_stored_settings_read_back_as_money():
    stored = Settings.model_validate({"fee": 300}).model_dump_json()
    assert stored == '{"fee":{"amount":300,"currency":"CNY"}}'
    assert Settings.model_validate_json(stored).fee == Money(amount=300, currency="CNY")


def test_the_json_schema_shows_the_bounds_and_the_currency():
    fee = Settings.model_json_schema()["properties"]["fee"]
    assert fee["properties"]["amount"]["minimum"] == 50
    assert fee["properties"]["amount"]["maximum"] == 1000
    assert fee["properties"]["currency"] == {"type": "string", "const": "CNY"}
    assert fee["default"] == {"amount": 100, "currency": "CNY"}
    assert fee["description"] == "The fee per order."


def test_bounds_must_be_ordered_and_in_one_currency():
    with pytest.raises(ValueError, match="exceeds"):
        MoneyBounds(min=Money(amount=2, currency="CNY"), max=Money(amount=1, currency="CNY"))
    with pytest.raises(CurrencyMismatch):
        MoneyBounds(min=Money.zero("CNY"), max=Money(amount=1, currency="USD"))


def test_a_manifest_refuses_a_default_outside_its_bounds():
    class Broken(BaseModel):
        fee: Annotated[Money, FEE] = Money(amount=5000, currency="CNY")

    with pytest.raises(ValidationError, match="a default does not fit its field"):
        Manifest(name="broken", version="1", sdk=">=0.1", title="Broken", settings=Broken)
