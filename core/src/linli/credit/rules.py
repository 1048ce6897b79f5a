"""Credit gates and provider governance rules (pure: no database, no clock).

- The core's own credit events and their bounds (:data:`CORE_EVENTS`), checked like a plugin's.
- Where a bound is broken: :func:`out_of_bounds` names it.
- Gates: the tier a score falls in, and what it opens (:func:`standing`).
- Providers (准入、评价、淘汰): a rating's weight (:data:`RATING_WEIGHTS`), the status a
  provider reads as (probation ends by itself), and when a provider is suspended
  (:func:`should_suspend`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from linli_sdk import CreditEventSpec, CreditStanding

__all__ = [
    "CORE",
    "CORE_EVENTS",
    "RATING_WEIGHTS",
    "ProviderStatus",
    "Thresholds",
    "core_event",
    "current_status",
    "out_of_bounds",
    "should_suspend",
    "standing",
    "suspend_threshold",
    "tier",
]

CORE = "core"
"""The module name the core's own credit events are recorded under."""

CORE_EVENTS: tuple[CreditEventSpec, ...] = (
    CreditEventSpec(
        name="picked_up_on_time",
        min_weight=1,
        max_weight=10,
        description="Collected an order at the pickup point in time",
    ),
    CreditEventSpec(
        name="no_show",
        min_weight=-50,
        max_weight=-10,
        description="Did not turn up for a booking or a pickup",
    ),
    CreditEventSpec(
        name="payment_failed",
        min_weight=-30,
        max_weight=-5,
        description="A payment for an order or a booking failed",
    ),
    CreditEventSpec(
        name="dispute_lost",
        min_weight=-60,
        max_weight=-10,
        description="Lost a dispute an operator decided",
    ),
    CreditEventSpec(
        name="volunteering",
        min_weight=5,
        max_weight=30,
        description="Volunteered for the community (recorded by an operator)",
    ),
    CreditEventSpec(
        name="job_rated",
        min_weight=-40,
        max_weight=10,
        description="A resident rated a completed job of the provider",
    ),
)
"""The credit events the core itself records, with their bounds."""

RATING_WEIGHTS = {5: 10, 4: 5, 3: 0, 2: -20, 1: -40}
"""Stars given to a completed job → the weight of the provider's ``job_rated`` event."""


def core_event(name: str) -> CreditEventSpec | None:
    """The core's credit event called ``name``, or ``None``."""
    return next((spec for spec in CORE_EVENTS if spec.name == name), None)


def out_of_bounds(module: str, spec: CreditEventSpec | None, name: str, weight: int) -> str | None:
    """Why ``weight`` for ``name`` may not be recorded for ``module``, or ``None`` if it may."""
    if spec is None:
        return f"module {module} did not declare the credit event {name!r}"
    if not spec.min_weight <= weight <= spec.max_weight:
        return (
            f"{module}.{name}: weight {weight} is outside the declared bounds "
            f"min_weight={spec.min_weight}..max_weight={spec.max_weight}"
        )
    return None


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Where the gates open (the ``credit_*`` settings)."""

    pay_after_service: int = 700
    deposits_waived: int = 650
    restricted_below: int = 400
    provider_suspend_below: int = 450
    provider_probation_suspend_below: int = 500


def tier(score: int, thresholds: Thresholds) -> str:
    """``trusted`` (pay after service), ``standard``, or ``restricted`` (below the floor)."""
    if score >= thresholds.pay_after_service:
        return "trusted"
    if score >= thresholds.restricted_below:
        return "standard"
    return "restricted"


def standing(score: int, thresholds: Thresholds, *, suspended: bool = False) -> CreditStanding:
    """What a score opens; a suspended member (or provider's staff) opens nothing."""
    return CreditStanding(
        score=score,
        tier=tier(score, thresholds),
        pay_after_service=not suspended and score >= thresholds.pay_after_service,
        deposits_waived=not suspended and score >= thresholds.deposits_waived,
        suspended=suspended,
    )


class ProviderStatus(StrEnum):
    """Where an admitted provider stands in a community."""

    PROBATION = "probation"
    """Newly admitted (or reinstated): a stricter suspension threshold until it ends."""
    ACTIVE = "active"
    """Admitted and past probation."""
    SUSPENDED = "suspended"
    """Below the threshold: dispatch offers its workers no jobs until reinstated."""


def current_status(stored: str, probation_until: datetime | None, now: datetime) -> ProviderStatus:
    """The status a provider reads as now: probation ends by itself when its time is up."""
    status = ProviderStatus(stored)
    ended = probation_until is not None and now >= probation_until
    if status is ProviderStatus.PROBATION and ended:
        return ProviderStatus.ACTIVE
    return status


def should_suspend(status: ProviderStatus, score: int, weight: int, thresholds: Thresholds) -> bool:
    """Whether a new event of ``weight`` that left the provider at ``score`` suspends it.

    Only a negative event suspends, so a reinstated provider starts afresh even if its score is
    still low: the next event that lowers it below the threshold suspends it again.
    """
    if status is ProviderStatus.SUSPENDED or weight >= 0:
        return False
    return score < suspend_threshold(status, thresholds)


def suspend_threshold(status: ProviderStatus, thresholds: Thresholds) -> int:
    """The score under which a provider in ``status`` is suspended (stricter on probation)."""
    if status is ProviderStatus.PROBATION:
        return thresholds.provider_probation_suspend_below
    return thresholds.provider_suspend_below
