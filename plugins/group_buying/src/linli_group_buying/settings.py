"""What an operator may set per community for group buying."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from linli_sdk import Money, MoneyBounds
from pydantic import BaseModel, Field

__all__ = ["GroupBuyingSettings", "UncollectedPolicy"]


class UncollectedPolicy(StrEnum):
    """What happens to units nobody collected within the campaign's pickup days."""

    REFUND = "refund"
    """Refund the uncollected units at the final price, then release the rest for payout."""
    KEEP = "keep"
    """The goods were delivered: keep the money and release it for payout."""


class GroupBuyingSettings(BaseModel):
    """Per-community policy of the group buying module."""

    claim_window_hours: int = Field(
        default=48, ge=1, le=720, description="Hours after pickup a damaged item may be claimed."
    )
    claim_monthly_limit: Annotated[
        Money,
        MoneyBounds(min=Money.zero("CNY"), max=Money(amount=1_000_000, currency="CNY")),
    ] = Field(
        default=Money(amount=5000, currency="CNY"),
        description="The most one resident is compensated per calendar month (CNY 0-10,000).",
    )
    uncollected_days: int = Field(
        default=3, ge=1, le=30, description="Days after confirmation an order may be collected."
    )
    uncollected_policy: UncollectedPolicy = Field(
        default=UncollectedPolicy.REFUND, description="What happens to uncollected units."
    )
    max_campaign_days: int = Field(
        default=30, ge=1, le=90, description="The furthest a campaign's deadline may be."
    )
