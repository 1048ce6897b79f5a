"""The housekeeping rules: prices, the cancellation policy, ratings and the booking lifecycle.

Pure functions only (no database, no host): the operations in :mod:`.bookings` apply them.
"""

from __future__ import annotations

import hmac
from datetime import datetime, timedelta
from enum import StrEnum

from linli_sdk import Conflict, InvalidInput, Money

__all__ = [
    "BASIS_POINTS_WHOLE",
    "Status",
    "after_voucher",
    "cancellation_fee",
    "code_matches",
    "percent_of",
    "price",
    "rating_weight",
    "require",
    "slot_problem",
]

BASIS_POINTS_WHOLE = 10_000
"""100 % in basis points."""


class Status(StrEnum):
    """Where a booking is in its life: requested → dispatched → accepted → in progress → done."""

    REQUESTED = "requested"
    """Booked and paid for (or to be paid after service); dispatch looks for a worker."""
    DISPATCHED = "dispatched"
    """Offered to a worker, who has not answered yet."""
    ACCEPTED = "accepted"
    """A worker accepted the job."""
    IN_PROGRESS = "in_progress"
    """The worker started, with the resident's start code."""
    COMPLETED = "completed"
    """The worker finished, with the resident's completion code; the money was taken."""
    CANCELLED = "cancelled"
    """The resident cancelled (free, or keeping the late fee)."""
    RESIDENT_NO_SHOW = "resident_no_show"
    """The worker came and the resident was not there; the no-show fee was kept."""
    PROVIDER_NO_SHOW = "provider_no_show"
    """Nobody came by the grace period's end; the resident pays nothing and is compensated."""


OPEN = frozenset({Status.REQUESTED, Status.DISPATCHED, Status.ACCEPTED})
"""Booked and not started: may be started, cancelled or end in a no-show."""

ALLOWED: dict[str, frozenset[Status]] = {
    "start": OPEN,
    "cancel": OPEN,
    "report resident no-show": OPEN,
    "record provider no-show": OPEN,
    "complete": frozenset({Status.IN_PROGRESS}),
    "rate": frozenset({Status.COMPLETED}),
}
"""Which statuses each action may be taken from (the lifecycle's transition table)."""


def require(status: str, action: str) -> None:
    """Refuse ``action`` on a booking in ``status`` unless the lifecycle allows it.

    Raises:
        Conflict: The booking is in a status the action cannot follow.

    """
    if Status(status) not in ALLOWED[action]:
        raise Conflict(f"cannot {action} a booking that is {status}", current=status)


def price(unit_price: Money, units: int) -> Money:
    """The price of ``units`` units (hours, or one visit) at ``unit_price``."""
    if units < 1:
        raise InvalidInput(f"book at least one unit, not {units}", field="units")
    return unit_price * units


def after_voucher(amount: Money, voucher: Money | None) -> tuple[Money, Money]:
    """What is left to pay after a compensation voucher, and what the voucher took off.

    The voucher takes off at most the whole amount; a voucher in another currency takes nothing.
    """
    if voucher is None or voucher.currency != amount.currency:
        return amount, Money.zero(amount.currency)
    discount = min(voucher, amount)
    return amount - discount, discount


def percent_of(amount: Money, basis_points: int) -> Money:
    """``floor(amount * basis_points / 10000)``: the floored percentage of an amount."""
    if not 0 <= basis_points <= BASIS_POINTS_WHOLE:
        raise InvalidInput(f"{basis_points} bp is not between 0 and {BASIS_POINTS_WHOLE}")
    return Money(
        amount=amount.amount * basis_points // BASIS_POINTS_WHOLE, currency=amount.currency
    )


def cancellation_fee(
    paid: Money, starts_at: datetime, now: datetime, *, free_hours: int, fee_bp: int
) -> Money:
    """The fee a resident's cancellation keeps: nothing until ``free_hours`` before the start.

    From then on (and after the start) the fee is ``fee_bp`` of what the resident pays; the
    rest is refunded (or never taken).
    """
    if now < starts_at - timedelta(hours=free_hours):
        return Money.zero(paid.currency)
    return percent_of(paid, fee_bp)


RATING_WEIGHTS = {1: -20, 2: -10, 3: 0, 4: 5, 5: 10}
"""The credit weight a rating of 1-5 stars gives the provider (declared bounds -20..10)."""


def rating_weight(stars: int) -> int:
    """The credit weight of a rating of ``stars`` (1-5)."""
    if stars not in RATING_WEIGHTS:
        raise InvalidInput(f"a rating is 1 to 5 stars, not {stars}", field="stars")
    return RATING_WEIGHTS[stars]


def code_matches(given: str, expected: str) -> bool:
    """Whether the code the worker typed is the resident's code (compared in constant time)."""
    return hmac.compare_digest(given.strip().encode(), expected.encode())


def slot_problem(
    starts_at: datetime, now: datetime, *, min_lead_hours: int, horizon_days: int
) -> str | None:
    """Why a slot starting at ``starts_at`` cannot be booked now, or ``None`` if it can.

    A slot starts on the hour or half hour, at least ``min_lead_hours`` ahead and at most
    ``horizon_days`` ahead.
    """
    if starts_at.tzinfo is None:
        return "give the start with its time zone"
    if starts_at.minute % 30 or starts_at.second or starts_at.microsecond:
        return "slots start on the hour or the half hour"
    if starts_at < now + timedelta(hours=min_lead_hours):
        return f"book at least {min_lead_hours} hours ahead"
    if starts_at > now + timedelta(days=horizon_days):
        return f"book at most {horizon_days} days ahead"
    return None
