"""The elder meals rules: price split, eligibility, order lifecycle, kitchen counts.

Pure functions only (no database, no host): the operations apply them.
"""

from __future__ import annotations

import hmac
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from enum import StrEnum

from linli_sdk import Conflict, Money

__all__ = [
    "Status",
    "SubsidyStatus",
    "Tally",
    "age_on",
    "building_of",
    "code_matches",
    "is_eligible",
    "require",
    "split_price",
    "tally",
]


class Status(StrEnum):
    """Where an order is: placed, dispatched with its delivery round, then delivered."""

    PLACED = "placed"
    """Ordered before the cut-off; the orderer's share is held, not taken."""
    DISPATCHED = "dispatched"
    """Orders closed; the order's delivery round was handed to dispatch."""
    DELIVERED = "delivered"
    """The worker handed the meal over at the door (with the diner's code); paid."""
    CANCELLED = "cancelled"
    """Cancelled before the cut-off; the hold was released in full."""


ALLOWED: dict[str, frozenset[Status]] = {
    "cancel": frozenset({Status.PLACED}),
    "dispatch": frozenset({Status.PLACED}),
    "deliver": frozenset({Status.DISPATCHED}),
}
"""Which statuses each action may be taken from."""


def require(status: str, action: str) -> None:
    """Refuse ``action`` on an order in ``status`` unless the lifecycle allows it.

    Raises:
        Conflict: The order is in a status the action cannot follow.

    """
    if Status(status) not in ALLOWED[action]:
        raise Conflict(f"cannot {action} an order that is {status}", current=status)


class SubsidyStatus(StrEnum):
    """Where an order's government subsidy is."""

    NONE = "none"
    """The diner is not eligible (or the subsidy is set to zero): nothing is due."""
    PENDING = "pending"
    """Due once the meal is delivered."""
    RECORDED = "recorded"
    """Delivered; waiting for the operator to name the government payer."""
    CHARGED = "charged"
    """Charged to the government payer."""
    VOID = "void"
    """The order was cancelled: nothing is due."""


def split_price(price: Money, subsidy_per_meal: Money, *, eligible: bool) -> tuple[Money, Money]:
    """The government's subsidy and the orderer's share of a meal of ``price``.

    An eligible diner's meal is subsidised by ``subsidy_per_meal``, never by more than the
    price; the orderer pays the rest. Both parts are never negative and add up to the price.
    A subsidy in another currency than the price subsidises nothing.
    """
    if not eligible or subsidy_per_meal.currency != price.currency or price.is_negative:
        return Money.zero(price.currency), price
    subsidy = min(max(subsidy_per_meal, Money.zero(price.currency)), price)
    return subsidy, price - subsidy


def age_on(day: date, birth_year: int) -> int:
    """The age a person born in ``birth_year`` reaches in the year of ``day``.

    Only the year is kept (data minimisation), so the age is counted by calendar year: an elder
    born in 1966 counts as 60 throughout 2026.
    """
    return day.year - birth_year


def is_eligible(flag: bool | None, birth_year: int, day: date, *, min_age: int) -> bool:
    """Whether a registered elder's meal on ``day`` is subsidised.

    The operator's flag decides when set (e.g. a disabled resident under the age, or an
    entitlement withdrawn); otherwise the age rule does.
    """
    if flag is not None:
        return flag
    return age_on(day, birth_year) >= min_age


def building_of(unit: str) -> str:
    """The building of a unit written ``building-room`` (the whole text if it has no room)."""
    building, _, _room = unit.rpartition("-")
    return building or unit


def code_matches(given: str, expected: str) -> bool:
    """Whether the code the worker typed is the diner's code (compared in constant time)."""
    return hmac.compare_digest(given.strip().encode(), expected.encode())


class Tally:
    """The counts of one day's meals: per menu, per dish and per building."""

    def __init__(self) -> None:
        self.menus: Counter[int] = Counter()
        self.dishes: Counter[str] = Counter()
        self.buildings: dict[str, Counter[int]] = {}

    @property
    def meals(self) -> int:
        """How many meals in all."""
        return sum(self.menus.values())


def tally(orders: Iterable[tuple[int, str]], dishes: Mapping[int, Sequence[str]]) -> Tally:
    """Count the meals ``(menu id, building)`` ordered: by menu, dish and building.

    Each meal counts once for each dish of its menu (``dishes``: menu id -> its dishes), so a
    dish served in two menus is counted across both.
    """
    counts = Tally()
    for menu_id, building in orders:
        counts.menus[menu_id] += 1
        counts.dishes.update(dishes.get(menu_id, ()))
        counts.buildings.setdefault(building, Counter())[menu_id] += 1
    return counts
