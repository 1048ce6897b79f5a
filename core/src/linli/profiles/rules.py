"""The pure rules of profiles: a repurchase cycle from purchase days, and when to remind.

**Cycle.** From one resident's purchases of one item, the distinct purchase days in order
give the gaps between them. The cycle is the *median* gap, estimated only from at least
:data:`MIN_PURCHASES` purchases (two gaps): the median ignores one odd gap (a skipped cycle,
a stock-up) that a mean would follow. Confidence (0-1) grows with the number of gaps and
shrinks with their spread: ``(1 - min(1, MAD / median)) * min(1, gaps / 4)``, where MAD is the
median absolute deviation of the gaps from the cycle.

**Reminder.** A tag with a cycle is due for a reminder :data:`LEAD_DAYS` before the cycle
ends (``last purchase + cycle - lead``, never before the day after the purchase); a reminder
belongs to the cycle that started on the last purchase day, and at most one is sent per item
and cycle. A cycle long overdue (more than one whole cycle past its end) gets none: the
resident has evidently stopped, and a late nudge is noise.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

__all__ = [
    "LEAD_DAYS",
    "MIN_PURCHASES",
    "Cycle",
    "estimate_cycle",
    "explain",
    "reminder_day",
    "reminder_due",
]

MIN_PURCHASES = 3
"""Purchases (on distinct days) needed before a cycle is estimated."""

LEAD_DAYS = 2
"""How many days before the estimated end of a cycle its reminder is due."""


@dataclass(frozen=True, slots=True)
class Cycle:
    """An estimated repurchase cycle.

    Attributes:
        days: The cycle in whole days (the median gap, rounded).
        confidence: How much to trust it, 0-1.
        gaps: The gaps it came from, in days, in order.
        last: The last purchase day.

    """

    days: int
    confidence: float
    gaps: tuple[int, ...]
    last: date


def estimate_cycle(days: Collection[date]) -> Cycle | None:
    """The cycle of purchases made on ``days``, or ``None`` with fewer than three distinct days."""
    ordered = sorted(set(days))
    if len(ordered) < MIN_PURCHASES:
        return None
    gaps = tuple((b - a).days for a, b in itertools.pairwise(ordered))
    median = statistics.median(gaps)
    spread = statistics.median(abs(g - median) for g in gaps)
    confidence = (1 - min(1.0, spread / median)) * min(1.0, len(gaps) / 4)
    return Cycle(
        days=max(1, round(median)),
        confidence=round(confidence, 2),
        gaps=gaps,
        last=ordered[-1],
    )


def explain(item_name: str, cycle: Cycle, refs: Sequence[str]) -> str:
    """The tag's explanation in words, naming the orders it came from."""
    gaps = ", ".join(str(g) for g in cycle.gaps)
    return (
        f"You bought {item_name} {len(refs)} times ({', '.join(refs)}); the days between "
        f"purchases were {gaps}, so the usual gap (the median) is about {cycle.days} days. "
        f"Last bought on {cycle.last.isoformat()}. Confidence {cycle.confidence:.0%}."
    )


def reminder_day(last: date, cycle_days: int, lead_days: int = LEAD_DAYS) -> date:
    """The day a cycle that started on ``last`` is due for its reminder."""
    return last + timedelta(days=max(1, cycle_days - lead_days))


def reminder_due(
    today: date,
    last: date,
    cycle_days: int | None,
    *,
    sent_cycles: Collection[date],
    not_for_me: bool = False,
    lead_days: int = LEAD_DAYS,
) -> bool:
    """Whether a reminder for the cycle that started on ``last`` is due ``today``.

    Not for an item the resident declined (``not_for_me``), one without a cycle, one whose
    cycle already had its reminder (``last`` in ``sent_cycles``), before its reminder day, or
    once the cycle is more than a whole cycle overdue.
    """
    if not_for_me or cycle_days is None or last in sent_cycles:
        return False
    stale = last + timedelta(days=2 * cycle_days)
    return reminder_day(last, cycle_days, lead_days) <= today <= stale
