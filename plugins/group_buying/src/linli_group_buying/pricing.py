"""The pure rules of a group buy: tiered prices, forming, refunds and after-sale compensation.

No I/O here: the services in :mod:`.campaigns`, :mod:`.pickup` and :mod:`.after_sale` read the
rows, ask these functions what the rules say, and write the outcome.

- A campaign *forms* when its measure (buyers or quantity, the campaign says which) reaches
  its minimum by the deadline; otherwise every authorisation is voided.
- Tiered prices (阶梯价): the more buyers (or units), the lower the unit price. Residents
  authorise the base price; at close each order is captured and the difference between what it
  authorised and the final tier's price times its quantity is refunded.
- A damaged-item claim is compensated at the final unit price per damaged unit, never more
  than what the resident still has paid for the order (its charge less every refund and
  earlier claim), and never past the resident's monthly limit.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from linli_sdk import Money

__all__ = [
    "Measure",
    "Tier",
    "claim_compensation",
    "final_unit_price",
    "formed",
    "measured",
    "order_amount",
    "order_left",
    "product_key",
    "tier_refund",
]


class Measure(StrEnum):
    """What a campaign's minimum and its tiers count."""

    BUYERS = "buyers"
    """Distinct residents who joined (成团人数)."""
    QUANTITY = "quantity"
    """Units ordered in all (成团件数)."""


@dataclass(frozen=True, slots=True)
class Tier:
    """From ``at_least`` buyers (or units) on, each unit costs ``unit_price``."""

    at_least: int
    unit_price: Money


def measured(measure: Measure, buyers: int, quantity: int) -> int:
    """The campaign's count in its own measure."""
    return buyers if measure is Measure.BUYERS else quantity


def formed(measure: Measure, minimum: int, buyers: int, quantity: int) -> bool:
    """Whether a campaign with ``buyers`` and ``quantity`` ordered reached its minimum."""
    return quantity > 0 and measured(measure, buyers, quantity) >= minimum


def final_unit_price(
    base: Money, tiers: Sequence[Tier], measure: Measure, buyers: int, quantity: int
) -> Money:
    """The unit price at close: the lowest price among the base and the tiers reached."""
    count = measured(measure, buyers, quantity)
    reached = [tier.unit_price for tier in tiers if count >= tier.at_least]
    return min([base, *reached], key=lambda money: money.amount)


def order_amount(unit_price: Money, quantity: int) -> Money:
    """What ``quantity`` units cost at ``unit_price``."""
    if quantity <= 0:
        raise ValueError(f"an order is for at least one unit, not {quantity}")
    return unit_price * quantity


def tier_refund(paid_unit: Money, final_unit: Money, quantity: int) -> Money:
    """What an order gets back at close: the unit difference times its quantity (never < 0)."""
    difference = paid_unit - final_unit
    if difference.is_negative:
        return Money.zero(paid_unit.currency)
    return difference * quantity


def order_left(paid: Money, refunded: Money, compensated: Money) -> Money:
    """What is left of what a resident paid for an order, after refunds and claims."""
    return paid - refunded - compensated


def claim_compensation(
    *,
    unit_price: Money,
    damaged: int,
    quantity: int,
    paid: Money,
    already_compensated: Money,
    order_refunded: Money,
    compensated_this_month: Money,
    monthly_limit: Money,
) -> Money:
    """What a damaged-item claim pays back, within the module's policy.

    Args:
        unit_price: The final price of one unit of the order (after any tier refund).
        damaged: Units claimed as damaged (at most the order's quantity).
        quantity: Units the order was for.
        paid: What the order was charged (its quantity at the price authorised at join).
        already_compensated: Earlier claims paid on this order.
        order_refunded: Everything else refunded on the order (tier difference, uncollected
            units).
        compensated_this_month: Claims paid to this resident this calendar month.
        monthly_limit: The most one resident may be compensated per month.

    Returns:
        The refund: ``unit_price * damaged``, cut to what is left of what the resident paid
        (``paid - order_refunded - already_compensated``) and of the resident's monthly
        allowance (zero when nothing is left).

    """
    if not 0 < damaged <= quantity:
        raise ValueError(f"claim {damaged} of an order of {quantity}")
    zero = Money.zero(unit_price.currency)
    asked = unit_price * damaged
    left_of_order = order_left(paid, order_refunded, already_compensated)
    left_this_month = monthly_limit - compensated_this_month
    return max(zero, min(asked, left_of_order, left_this_month, key=_amount), key=_amount)


def _amount(money: Money) -> int:
    return money.amount


def product_key(product: str) -> str:
    """The item key a campaign's product is reported under (``host.purchases``).

    Campaigns selling the same product (the same text, ignoring surrounding space and case)
    share one key, so a resident's repurchases of it across campaigns form one cycle.
    """
    digest = hashlib.sha256(product.strip().casefold().encode()).hexdigest()
    return f"product-{digest[:16]}"
