"""The station's rules: the appointment lifecycle, cancelling, and when a subsidy can be charged.

Pure functions only; the operations in :mod:`.appointments` apply them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from linli_sdk import Conflict

__all__ = ["ClaimStatus", "Status", "cancel_problem", "claim_status", "require", "subsidy_payable"]


class Status(StrEnum):
    """Where an appointment is: booked, then completed or cancelled."""

    BOOKED = "booked"
    """A place in the slot is held for the resident."""
    COMPLETED = "completed"
    """The station handled the errand; the subsidy is claimed."""
    CANCELLED = "cancelled"
    """The resident cancelled; the place is free again."""


ALLOWED: dict[str, frozenset[Status]] = {
    "assign": frozenset({Status.BOOKED}),
    "see the ID number of": frozenset({Status.BOOKED}),
    "complete": frozenset({Status.BOOKED}),
    "cancel": frozenset({Status.BOOKED}),
}
"""Which statuses each action may be taken from."""


def require(status: str, action: str) -> None:
    """Refuse ``action`` on an appointment in ``status`` unless the lifecycle allows it.

    Raises:
        Conflict: The appointment is in a status the action cannot follow.

    """
    if Status(status) not in ALLOWED[action]:
        raise Conflict(f"cannot {action} an appointment that is {status}", current=status)


def cancel_problem(starts_at: datetime, now: datetime, *, until_minutes: int) -> str | None:
    """Why the resident can no longer cancel, or ``None`` while they can."""
    if now > starts_at - timedelta(minutes=until_minutes):
        return f"appointments can be cancelled until {until_minutes} minutes before they start"
    return None


def subsidy_payable(payer_id: int | None, station_id: int | None) -> bool:
    """Whether a recorded subsidy claim can be charged: the payer and the station are set."""
    return payer_id is not None and station_id is not None


class ClaimStatus(StrEnum):
    """Where a subsidy claim is."""

    RECORDED = "recorded"
    """Earned, waiting for the operator to set the government payer and the station's payee."""
    CHARGED = "charged"
    """Charged to the government payer; the ledger holds the station's share."""
    NOTHING_DUE = "nothing_due"
    """The errand carries no subsidy."""


def claim_status(amount: int, charge_id: str | None) -> ClaimStatus:
    """The status of a claim of ``amount`` minor units, charged as ``charge_id`` (if at all)."""
    if charge_id is not None:
        return ClaimStatus.CHARGED
    return ClaimStatus.NOTHING_DUE if amount <= 0 else ClaimStatus.RECORDED
