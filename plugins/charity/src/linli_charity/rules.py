"""The charity module's money rules and its public ledger's arithmetic: pure, no database.

Each purchase is one charge split by `RULES`: the ``community_fund`` party takes the declared
part (10 %, an operator may set 5-50 %), the platform 3 % (an operator may set 0 %, a
zero-fee campaign), the seller (the farmer, the social enterprise) the remainder. The module
records in a fund's public ledger exactly what the captured charge gave the ``community_fund``
party, and exactly what each refund took back from it, so the ledger adds up to the cent
against the settlement ledger.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from enum import StrEnum

from linli_sdk import RevenueShareRules, percent, remainder
from pydantic import BaseModel

__all__ = ["FUND_PARTY", "RULES", "EntryKind", "FundTotals", "retry_after", "totals"]

FUND_PARTY = "community_fund"
"""The revenue-share party whose part of each purchase is the donation."""

RULES = RevenueShareRules(
    shares=(
        percent("platform", 300, min=0, max=500),
        percent(FUND_PARTY, 1_000, min=500, max=5_000),
        remainder("seller"),
    ),
)
"""Platform 3 % (0-5 %), the fund 10 % (5-50 %), the seller the rest; the seller bears the
gateway's fee."""


class EntryKind(StrEnum):
    """What a line of a fund's public ledger records."""

    DONATION = "donation"
    """Money in: the fund's part of a captured purchase."""
    REFUND = "refund"
    """Money out: the fund's part of a purchase refunded to the buyer."""
    DISBURSEMENT = "disbursement"
    """Money out: a grant an operator or leader recorded, with its purpose."""


class FundTotals(BaseModel):
    """A fund's ledger summed up, in minor units of the fund's currency.

    ``balance == donated - refunded - disbursed`` always; it is negative only if refunds came
    after the money was disbursed.
    """

    donated: int
    refunded: int
    disbursed: int
    balance: int


def totals(entries: Iterable[tuple[EntryKind, int]]) -> FundTotals:
    """Sum a fund's ledger lines ``(kind, signed amount)`` by kind."""
    by_kind = dict.fromkeys(EntryKind, 0)
    for kind, amount in entries:
        by_kind[kind] += amount
    donated = by_kind[EntryKind.DONATION]
    refunded = -by_kind[EntryKind.REFUND]
    disbursed = -by_kind[EntryKind.DISBURSEMENT]
    return FundTotals(
        donated=donated,
        refunded=refunded,
        disbursed=disbursed,
        balance=donated - refunded - disbursed,
    )


def retry_after(waits: int) -> timedelta:
    """When to look again at a purchase whose charge is not captured yet (5 s more each time)."""
    return timedelta(seconds=min(5 * waits, 600))
