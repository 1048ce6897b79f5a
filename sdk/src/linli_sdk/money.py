"""Exact money: an integer amount of minor units (fen, cents) and an ISO 4217 currency.

`Money` never meets a float: the amount is a strict ``int``, it multiplies only by an ``int``,
and it adds, subtracts and compares only with money of the same currency. No amount exceeds
:data:`MAX_AMOUNT` minor units either way, so sums of amounts stay far inside a 64-bit column.
It is a frozen pydantic model, so it sits inside operation inputs and outputs and renders as
``{"amount": 1234, "currency": "CNY"}``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    StrictInt,
    StrictStr,
    field_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

from linli_sdk._iso4217 import MINOR_UNIT_DIGITS
from linli_sdk.errors import InvalidInput

__all__ = [
    "MAX_AMOUNT",
    "AmountOutOfRange",
    "CurrencyMismatch",
    "Money",
    "MoneyBounds",
    "UnknownCurrency",
    "sum_money",
]

MAX_AMOUNT = 10**12
"""The largest amount of money, in minor units, either way (CNY 10,000,000,000.00).

An amount beyond it is refused (HTTP 422 naming the field), whether sent or computed, so a
ledger column summing amounts would need more than nine million postings at the maximum
before it could overflow a signed 64-bit integer.
"""


class CurrencyMismatch(InvalidInput):
    """Money of two different currencies met in one sum, difference or comparison."""

    title = "Currency mismatch"
    slug = "currency-mismatch"


class AmountOutOfRange(InvalidInput, ValueError):
    """An amount of money beyond :data:`MAX_AMOUNT` minor units, either way.

    It is also a `ValueError`, so constructing `Money` with such an amount raises a pydantic
    `ValidationError` naming the field, like any other invalid field.
    """

    title = "Amount out of range"
    slug = "amount-out-of-range"


class UnknownCurrency(InvalidInput, ValueError):
    """A currency code is not an active ISO 4217 code.

    It is also a `ValueError`, so constructing `Money` with such a code raises a pydantic
    `ValidationError` that carries this message, like any other invalid field.
    """

    title = "Unknown currency"
    slug = "unknown-currency"


class Money(BaseModel):
    """An exact amount of one currency, counted in its minor unit (CNY 12.34 is 1234 fen).

    Example:
        >>> Money(amount=1234, currency="CNY") + Money(amount=66, currency="CNY")
        Money(amount=1300, currency='CNY')
        >>> str(Money(amount=-5, currency="CNY"))
        'CNY -0.05'

    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    amount: StrictInt = Field(
        description="The amount in minor units, e.g. fen for CNY; at most 10^12 either way.",
        ge=-MAX_AMOUNT,
        le=MAX_AMOUNT,
    )
    currency: Annotated[StrictStr, Field(description="An active ISO 4217 code, e.g. CNY.")]

    @field_validator("currency")
    @classmethod
    def _active_iso_4217(cls, code: str) -> str:
        if code not in MINOR_UNIT_DIGITS:
            raise UnknownCurrency(
                f"{code!r} is not an active ISO 4217 currency code", currency=code
            )
        return code

    @classmethod
    def zero(cls, currency: str) -> Money:
        """Return no money of ``currency``."""
        return cls(amount=0, currency=currency)

    @property
    def exponent(self) -> int:
        """The number of digits of the currency's minor unit (CNY 2, JPY 0, KWD 3)."""
        return MINOR_UNIT_DIGITS[self.currency]

    @property
    def is_zero(self) -> bool:
        """Whether the amount is zero."""
        return self.amount == 0

    @property
    def is_negative(self) -> bool:
        """Whether the amount is below zero."""
        return self.amount < 0

    def _same_currency(self, other: Money, verb: str) -> None:
        if not isinstance(other, Money):
            raise TypeError(f"cannot {verb} Money and {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatch(
                f"cannot {verb} {self} and {other}: the currencies differ",
                currencies=[self.currency, other.currency],
            )

    def _with(self, amount: int) -> Money:
        if not -MAX_AMOUNT <= amount <= MAX_AMOUNT:
            raise AmountOutOfRange(
                f"{self.currency} amount {amount} is beyond the maximum of "
                f"{MAX_AMOUNT} minor units",
                maximum=MAX_AMOUNT,
            )
        return Money(amount=amount, currency=self.currency)

    def __add__(self, other: Money) -> Money:
        self._same_currency(other, "add")
        return self._with(self.amount + other.amount)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other, "subtract")
        return self._with(self.amount - other.amount)

    def __neg__(self) -> Money:
        return self._with(-self.amount)

    def __mul__(self, factor: int) -> Money:
        if isinstance(factor, bool) or not isinstance(factor, int):
            raise TypeError(f"Money can only be multiplied by an int, not {type(factor).__name__}")
        return self._with(self.amount * factor)

    __rmul__ = __mul__

    def __lt__(self, other: Money) -> bool:
        self._same_currency(other, "compare")
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same_currency(other, "compare")
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._same_currency(other, "compare")
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        self._same_currency(other, "compare")
        return self.amount >= other.amount

    def __str__(self) -> str:
        sign = "-" if self.amount < 0 else ""
        if self.exponent == 0:
            return f"{self.currency} {sign}{abs(self.amount)}"
        units, minor = divmod(abs(self.amount), 10**self.exponent)
        return f"{self.currency} {sign}{units}.{minor:0{self.exponent}d}"


def sum_money(items: Iterable[Money], currency: str) -> Money:
    """Add up ``items``, all in ``currency``; an empty iterable gives zero of ``currency``.

    The same as adding them one by one with ``+``, errors included.

    Raises:
        CurrencyMismatch: An item is in another currency.
        AmountOutOfRange: A running total passes the maximum amount.

    """
    total = 0  # in minor units: one Money at the end, not one per item
    for item in items:
        if (
            not isinstance(item, Money)
            or item.currency != currency
            or not -MAX_AMOUNT <= total + item.amount <= MAX_AMOUNT
        ):
            Money(amount=total, currency=currency) + item  # raises what adding it would raise
        total += item.amount
    return Money(amount=total, currency=currency)


@dataclass(frozen=True, slots=True)
class MoneyBounds:
    """Limits for an amount of money in a settings model: ``Annotated[Money, MoneyBounds(...)]``.

    An amount in the community's currency (the currency of ``min`` and ``max``: CNY for every
    community today) between ``min`` and ``max`` inclusive. An operator sends it as money
    (``{"amount": 3000, "currency": "CNY"}``) or as a bare integer of minor units in that
    currency; anything else is refused with a validation error naming the field, which the
    platform answers as a 422 problem (``settings.<field>``). The settings' JSON Schema shows
    the bounds (``minimum`` and ``maximum`` of ``amount``, the ``currency``).

    Example:
        >>> from pydantic import BaseModel
        >>> CNY_0_TO_500 = MoneyBounds(
        ...     min=Money.zero("CNY"), max=Money(amount=50000, currency="CNY")
        ... )
        >>> class Settings(BaseModel):
        ...     deposit: Annotated[Money, CNY_0_TO_500] = Money(amount=20000, currency="CNY")
        >>> Settings.model_validate({"deposit": 30000}).deposit
        Money(amount=30000, currency='CNY')

    Attributes:
        min: The smallest amount allowed.
        max: The largest amount allowed (same currency as ``min``).

    """

    min: Money
    max: Money

    def __post_init__(self) -> None:
        if self.min > self.max:  # also refuses two currencies (CurrencyMismatch)
            raise ValueError(f"MoneyBounds: min {self.min} exceeds max {self.max}")

    @property
    def currency(self) -> str:
        """The currency every amount within these bounds is in."""
        return self.min.currency

    def _coerce(self, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            return {"amount": value, "currency": self.currency}
        return value

    def _check(self, value: Money) -> Money:
        if value.currency != self.currency:
            raise PydanticCustomError(
                "money_currency",
                "must be in {currency}, not {given}",
                {"currency": self.currency, "given": value.currency},
            )
        if not self.min.amount <= value.amount <= self.max.amount:
            raise PydanticCustomError(
                "money_bounds",
                "must be between {min} and {max}, not {value}",
                {"min": str(self.min), "max": str(self.max), "value": str(value)},
            )
        return value

    def __get_pydantic_core_schema__(
        self, source: type[Any], handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        checked = core_schema.no_info_after_validator_function(self._check, handler(source))
        return core_schema.no_info_before_validator_function(self._coerce, checked)

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {
            "type": "object",
            "title": "Money",
            "properties": {
                "amount": {
                    "type": "integer",
                    "minimum": self.min.amount,
                    "maximum": self.max.amount,
                    "description": f"The amount in minor units of {self.currency}.",
                },
                "currency": {"type": "string", "const": self.currency},
            },
            "required": ["amount", "currency"],
            "additionalProperties": False,
        }
