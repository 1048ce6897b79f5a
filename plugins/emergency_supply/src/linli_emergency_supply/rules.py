"""The emergency supply module's pure rules: money, the sealed record, dispatch order, the account.

Nothing here touches a database or the host, so each rule is tested on its own.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from linli_sdk import RevenueShareRules, percent, remainder
from pydantic import BaseModel

__all__ = [
    "CONSENT_TEXT",
    "PURPOSE",
    "RULES",
    "BuildingTally",
    "Delivered",
    "Sensitive",
    "Vulnerability",
    "Waiting",
    "dispatch_order",
    "open_record",
    "record",
    "tally",
]

RULES = RevenueShareRules(shares=(percent("platform", 0, min=0, max=300), remainder("supplier")))
"""The platform takes nothing by default (an operator may set at most 3 %); the supplier of
the pack takes the rest and bears the gateway's fee. No minimum threshold: every order in
quota is served."""

PURPOSE = "vulnerability"
"""The purpose a household's sensitive record is sealed for (bound into the ciphertext)."""

CONSENT_TEXT = (
    "I agree that this community's emergency supply service records that my household is "
    "vulnerable (an elder living alone, or a person with a disability), solely so that our "
    "supplies are delivered first during this emergency. The fact is kept encrypted, shown "
    "only to the community's operator and the emergency's dispatcher, never to volunteers or "
    "neighbours, and I can withdraw it at any time."
)
"""The separate consent (单独同意, PIPL art. 29) a household gives to be marked vulnerable."""


class Vulnerability(StrEnum):
    """Why a household is served first (sensitive personal information, PIPL art. 28)."""

    ELDERLY_ALONE = "elderly_alone"
    """An elder living alone (独居老人)."""
    DISABILITY = "disability"
    """A member of the household lives with a disability (残障)."""


class Sensitive(BaseModel):
    """What a household's sealed record holds: the vulnerability and when consent was given."""

    vulnerability: Vulnerability | None = None
    consented_at: datetime | None = None


def record(sensitive: Sensitive) -> str:
    """The record as the text the vault seals (every household has one, vulnerable or not)."""
    return sensitive.model_dump_json()


def open_record(text: str) -> Sensitive:
    """The record back from the text the vault opened."""
    return Sensitive.model_validate(json.loads(text))


@dataclass(frozen=True, slots=True)
class Waiting:
    """An order waiting for a volunteer: its id, when it was placed, whether to serve it first."""

    order_id: int
    placed: datetime
    first: bool


def dispatch_order(orders: Iterable[Waiting]) -> list[int]:
    """The order ids in the order they are dispatched: vulnerable households first.

    Then the rest; each group by the time the order was placed (ties: by id).
    """
    return [o.order_id for o in sorted(orders, key=lambda o: (not o.first, o.placed, o.order_id))]


@dataclass(frozen=True, slots=True)
class Delivered:
    """One delivered order, as the public account counts it: no household, no person."""

    building: str
    household_id: int
    pack: str
    quantity: int


class BuildingTally(BaseModel):
    """What was delivered to one building: counts only."""

    building: str
    households_served: int
    orders_delivered: int
    packs: dict[str, int]


def tally(delivered: Iterable[Delivered]) -> list[BuildingTally]:
    """Sum delivered orders per building (buildings by name): households, orders, packs."""
    households: dict[str, set[int]] = {}
    orders: dict[str, int] = {}
    packs: dict[str, dict[str, int]] = {}
    for item in delivered:
        households.setdefault(item.building, set()).add(item.household_id)
        orders[item.building] = orders.get(item.building, 0) + 1
        by_pack = packs.setdefault(item.building, {})
        by_pack[item.pack] = by_pack.get(item.pack, 0) + item.quantity
    return [
        BuildingTally(
            building=building,
            households_served=len(households[building]),
            orders_delivered=orders[building],
            packs=dict(sorted(packs[building].items())),
        )
        for building in sorted(households)
    ]
