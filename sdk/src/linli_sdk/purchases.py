"""Purchase facts: what a resident bought or booked, as a module reports it to the platform.

A module that sells or books something tells the host so through ``host.purchases.record``
when the order is placed. The platform keeps the fact (who, which household, which item, how
many, for how much, at which pickup point, on which day) with no other personal data, and
uses it for what the resident agreed to: their own repurchase reminders (only with their
separate consent to personalisation) and supplier insights in aggregates over many
households, never a person. A resident's facts go with their data export and are erased with
the rest of their personal data.

The fact is written in the call's transaction: if the call (or the ``host.transaction()``
block around it) fails, the fact is undone with it. Its time is the host's clock.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .context import Community
from .errors import InvalidInput
from .money import Money

__all__ = ["PurchaseFact", "Purchases"]


class PurchaseFact(BaseModel):
    """One thing a resident bought or booked, as the platform keeps it.

    Attributes:
        module: The module that reported it.
        ref: The module's reference for the order or booking (e.g. ``order-42``); one fact per
            ``ref`` and ``item`` in a module.
        member_id: The member who bought or booked.
        item: The module's stable key for what was bought (e.g. ``campaign-7`` or a SKU);
            repurchase cycles are counted per item.
        item_name: What residents call it (e.g. ``婴儿奶粉 900g``).
        category: A coarse category (e.g. ``groceries``, ``cleaning``).
        quantity: How many units.
        amount: What it cost in total.
        pickup_point_id: The pickup point it is collected at, if any.
        day: The day of the purchase in the community's time zone.
        recorded_at: When the platform recorded it (the host's clock).

    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    module: str
    ref: str = Field(min_length=1, max_length=120)
    member_id: int
    item: str = Field(min_length=1, max_length=64)
    item_name: str = Field(min_length=1, max_length=120)
    category: str = Field(min_length=1, max_length=64)
    quantity: int = Field(gt=0)
    amount: Money
    pickup_point_id: int | None = None
    day: date
    recorded_at: datetime

    @field_validator("amount")
    @classmethod
    def _not_negative(cls, amount: Money) -> Money:
        if amount.amount < 0:
            raise ValueError("a purchase's amount cannot be negative")
        return amount

    @classmethod
    def stamp(
        cls, *, module: str, community: Community, at: datetime, **reported: Any
    ) -> PurchaseFact:
        """The fact a module reported at ``at``: its ``day`` in the community's time zone.

        Raises:
            InvalidInput: A reported field does not fit (``errors`` names each field).

        """
        try:
            return cls(module=module, day=community.local(at).date(), recorded_at=at, **reported)
        except ValidationError as exc:
            raise InvalidInput.from_validation(exc, "purchase fact") from exc


class Purchases(Protocol):
    """Report what residents bought or booked (facts for reminders and supplier insights)."""

    async def record(
        self,
        *,
        ref: str,
        member_id: int,
        item: str,
        item_name: str,
        category: str,
        quantity: int,
        amount: Money,
        pickup_point_id: int | None = None,
    ) -> PurchaseFact:
        """Record that ``member_id`` bought ``quantity`` of ``item`` for ``amount``.

        Written in the current transaction and undone with it; stamped with the host's clock.
        Recording the same ``ref`` and ``item`` again returns the first fact unchanged.

        Raises:
            InvalidInput: ``quantity`` is not positive, ``amount`` is negative, or a name is
                empty or too long (``item`` and ``category`` at most 64 characters,
                ``ref`` and ``item_name`` at most 120); ``errors`` names each field.
            NotFound: No such member in this community.

        """
        ...
