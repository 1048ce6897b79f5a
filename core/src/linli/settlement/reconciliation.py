"""Reconciliation rules: compare what the ledger says with what the gateway says, record by record.

Pure functions only. Each side is a list of `Record`s keyed by the idempotency key the ledger
sent with the gateway call that created the object (a payment, or a refund); `compare` lists
every difference. Totals are never compared — only each object's own amount and status — so a
gateway that miscounts its totals cannot hide or invent a difference.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel

__all__ = ["Difference", "DifferenceKind", "Record", "compare"]


class DifferenceKind(StrEnum):
    """How the two sides disagree about one object."""

    MISSING_AT_GATEWAY = "missing_at_gateway"
    """The ledger applied an outcome the gateway has no record of."""
    NOT_APPLIED = "not_applied"
    """The gateway did it but the ledger has not applied it yet (a sweep applies it)."""
    UNKNOWN_TO_LEDGER = "unknown_to_ledger"
    """The gateway has an object with one of our keys that the ledger never asked for."""
    STATUS_DIFFERS = "status_differs"
    AMOUNT_DIFFERS = "amount_differs"


@dataclass(frozen=True, slots=True)
class Record:
    """One payment or refund as one side sees it.

    ``status`` is ``authorized``, ``captured``, ``voided`` or ``refunded``, or ``pending``
    on the ledger's side when the intent was recorded but its outcome not applied.
    """

    key: str
    kind: str
    amount: int
    currency: str
    status: str


class Difference(BaseModel):
    """One disagreement, with both sides' view (``None`` where a side has no record)."""

    key: str
    kind: DifferenceKind
    ledger: str | None
    gateway: str | None


def _describe(record: Record | None) -> str | None:
    if record is None:
        return None
    return f"{record.kind} {record.status} {record.amount} {record.currency}"


def compare(ledger: Iterable[Record], gateway: Iterable[Record]) -> list[Difference]:
    """Every difference between the ledger's and the gateway's records, sorted by key."""
    ours = {record.key: record for record in ledger}
    theirs = {record.key: record for record in gateway}
    differences = []
    for key in sorted(ours.keys() | theirs.keys()):
        mine, other = ours.get(key), theirs.get(key)
        kind: DifferenceKind | None = None
        if other is None:
            kind = (
                None
                if mine is None or mine.status == "pending"
                else (DifferenceKind.MISSING_AT_GATEWAY)
            )
        elif mine is None:
            kind = DifferenceKind.UNKNOWN_TO_LEDGER
        elif mine.status == "pending":
            kind = DifferenceKind.NOT_APPLIED
        elif (mine.amount, mine.currency) != (other.amount, other.currency):
            kind = DifferenceKind.AMOUNT_DIFFERS
        elif mine.status != other.status:
            kind = DifferenceKind.STATUS_DIFFERS
        if kind is not None:
            differences.append(
                Difference(key=key, kind=kind, ledger=_describe(mine), gateway=_describe(other))
            )
    return differences
