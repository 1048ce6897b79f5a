"""The bill payment module's money rules: pure functions, no database, no host.

One charge per payment: the bill amount plus the convenience fee (便民服务费). The module's
revenue-share rules make the fee two fixed shares (``platform`` and ``leader``, the station)
and the biller the remainder party, so the biller's part is ``charge - fee`` = the bill, to the
cent, as long as the fee the module adds equals the two fixed shares. The module checks that
on the captured charge before it pays the biller (`biller_shortfall`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from linli_sdk import Money, RevenueShareRules, fixed, remainder

__all__ = ["RULES", "biller_shortfall", "next_wait", "total_due"]

_CNY = "CNY"

RULES = RevenueShareRules(
    shares=(
        fixed(
            "platform",
            Money(amount=50, currency=_CNY),
            min=Money.zero(_CNY),
            max=Money(amount=500, currency=_CNY),
        ),
        fixed(
            "leader",
            Money(amount=50, currency=_CNY),
            min=Money.zero(_CNY),
            max=Money(amount=500, currency=_CNY),
        ),
        remainder("biller"),
    ),
    gateway_fee_bearer="platform",
)
"""Platform and station (leader) each a fixed part of the fee; the biller takes the rest (the
bill in full). The platform bears the gateway's fee, so the biller is never short of it."""

_LONGEST_WAIT = timedelta(hours=1)


def total_due(bill: Money, fee: Money) -> Money:
    """What the payer is charged: the bill in full plus the convenience fee."""
    return bill + fee


def biller_shortfall(parts: Mapping[str, Money], bill: Money) -> str | None:
    """Why the captured split does not give the biller exactly the bill, or ``None`` if it does.

    The split differs only when an operator moved the fixed shares without setting the same
    total as the module's ``convenience_fee``.
    """
    part = parts.get("biller")
    if part == bill:
        return None
    return (
        f"the biller's part ({part}) is not the bill ({bill}): the convenience fee setting "
        "and the revenue-share fixed shares disagree"
    )


def next_wait(waits: int) -> timedelta:
    """How long to wait before looking at a not yet captured charge again (doubling, capped)."""
    return min(timedelta(seconds=2 ** min(waits, 12)), _LONGEST_WAIT)
