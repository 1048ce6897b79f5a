"""Settings forms generated from a module's settings JSON schema, and read back."""

from __future__ import annotations

from enum import StrEnum

from linli.console.forms import settings_fields, settings_from_form
from linli_sdk import Money
from pydantic import BaseModel, Field


class Policy(StrEnum):
    REFUND = "refund"
    KEEP = "keep"


class Example(BaseModel):
    days: int = Field(default=3, ge=1, le=30, description="Days to collect.")
    limit: Money = Field(default=Money(amount=5000, currency="CNY"))
    policy: Policy = Policy.REFUND
    open_late: bool = False
    greeting: str = "你好"
    billers: list[str] = Field(default_factory=list)
    payer_id: int | None = None


def test_every_kind_of_setting_becomes_its_input_with_bounds_and_current_value():
    schema = Example.model_json_schema()
    fields = {f.name: f for f in settings_fields(schema, Example().model_dump(mode="json"))}
    assert (fields["days"].kind, fields["days"].minimum, fields["days"].maximum) == (
        "integer",
        1,
        30,
    )
    assert fields["days"].value == 3 and fields["days"].help == "Days to collect."
    money = fields["limit.amount"]
    assert (money.kind, money.value, money.currency) == ("money", 5000, "CNY")
    assert (fields["policy"].kind, fields["policy"].choices) == ("choice", ("refund", "keep"))
    assert fields["open_late"].kind == "boolean" and fields["open_late"].value is False
    assert fields["greeting"].kind == "text" and fields["billers"].kind == "lines"
    assert fields["payer_id"].kind == "integer" and fields["payer_id"].optional


def test_a_filled_form_reads_back_into_settings_the_model_accepts():
    schema = Example.model_json_schema()
    fields = settings_fields(schema, Example().model_dump(mode="json"))
    form = {
        "days": "7",
        "limit.amount": "1200",
        "policy": "keep",
        "open_late": "on",
        "greeting": "早",
        "billers": "State Grid\n\n Water Co ",
        "payer_id": "",
    }
    settings = settings_from_form(fields, form)
    assert settings == {
        "days": 7,
        "limit": {"amount": 1200, "currency": "CNY"},
        "policy": "keep",
        "open_late": True,
        "greeting": "早",
        "billers": ["State Grid", "Water Co"],
        "payer_id": None,
    }
    assert Example.model_validate(settings).limit == Money(amount=1200, currency="CNY")
    unticked = settings_from_form(fields, {**form, "days": "x"})
    assert unticked["days"] == "x"  # left for the model to refuse, naming the field
