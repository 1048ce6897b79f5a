"""Bounded money in a module's settings: a tool-lending deposit an operator sets per community.

Run it: ``uv run python docs/examples/money_settings.py``.
"""

from __future__ import annotations

from typing import Annotated

from linli_sdk import Money, MoneyBounds
from pydantic import BaseModel, Field, ValidationError

DEPOSIT_BOUNDS = MoneyBounds(min=Money.zero("CNY"), max=Money(amount=50000, currency="CNY"))
"""A deposit is CNY 0 to CNY 500."""


class ToolboxSettings(BaseModel):
    """What an operator may set per community."""

    deposit: Annotated[Money, DEPOSIT_BOUNDS] = Field(
        default=Money(amount=20000, currency="CNY"),
        description="Held on a drill or a ladder while it is lent out.",
    )


# An operator sends money, or minor units of the community's currency:
assert ToolboxSettings.model_validate(
    {"deposit": {"amount": 30000, "currency": "CNY"}}
).deposit == (Money(amount=30000, currency="CNY"))
assert ToolboxSettings.model_validate({"deposit": 15000}).deposit == Money(
    amount=15000, currency="CNY"
)

# Past the bounds, or in another currency: a validation error naming the field (a 422 problem
# with "field": "settings.deposit" on the platform).
for bad in (60000, {"amount": 100, "currency": "USD"}):
    try:
        ToolboxSettings.model_validate({"deposit": bad})
    except ValidationError as error:
        (problem,) = error.errors()
        print(problem["loc"][0], "->", problem["msg"])
    else:
        raise AssertionError(f"{bad} was accepted")

# The settings schema (GET /v1/modules) shows the bounds to operators:
amount = ToolboxSettings.model_json_schema()["properties"]["deposit"]["properties"]["amount"]
assert (amount["minimum"], amount["maximum"]) == (0, 50000)
