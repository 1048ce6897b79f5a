"""The credit score model (a pure rule module: no database, no clock).

A score is a pure function of a subject's credit events and the moment it is read at::

    score = clamp(base + round(Σ_i w_i · c_i · d_i), 0, 1000)

- ``w_i`` the event's weight (an integer inside the bounds its emitter declared);
- ``c_i`` the **cap factor**: per subject, per source module and per period of
  ``cap_period_days`` (windows counted from the epoch), the positive weights together count for
  at most ``cap`` points and the negative ones for at most ``cap`` points; when a bucket's sum is
  over the cap, each of its events is scaled by ``cap / sum`` (so no single module dominates);
- ``d_i = 0.5 ** (age_i / half_life)`` the **time decay** (an event from the future counts
  fully).

Each event's contribution is rounded to a thousandth of a point and summed as an integer, so
the score never depends on the order the events are given in (a replay or a shuffle of the
same events gives the same score, bit for bit), and an explanation's lines add up to it.

One vectorised implementation (NumPy) serves both one member's explanation and a whole
community's (or a benchmark's) recompute, so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt

__all__ = [
    "MAX_SCORE",
    "MIN_SCORE",
    "Columns",
    "CreditEvent",
    "CreditModel",
    "Explanation",
    "Line",
    "columns",
    "contributions",
    "epoch_ms",
    "explain",
    "history",
    "score",
    "scores",
]

MIN_SCORE = 0
"""The lowest score."""
MAX_SCORE = 1000
"""The highest score (the dispatch engine's top standing)."""

_DAY_MS = 86_400_000

Int64s = npt.NDArray[np.int64]


def epoch_ms(moment: datetime) -> int:
    """``moment`` as integer milliseconds since the epoch (naive means UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


@dataclass(frozen=True, slots=True)
class CreditModel:
    """The model's parameters (the ``credit_*`` settings).

    Attributes:
        base: The score of a subject with no events.
        half_life_days: After this many days an event counts half.
        cap: Points one module's positive (and, apart, negative) weights may move a subject's
            score per period, before decay.
        cap_period_days: The length of a cap period.

    """

    base: int = 600
    half_life_days: float = 180.0
    cap: int = 200
    cap_period_days: int = 30


@dataclass(frozen=True, slots=True)
class CreditEvent:
    """One credit event as the model sees it.

    Attributes:
        event_id: The emitter's id for it (idempotency key within its module).
        subject: The member or provider id it is about.
        module: The module that emitted it, or ``core``.
        name: The event's name, e.g. ``picked_up_on_time``.
        weight: Its weight, inside its declared bounds.
        occurred_ms: When it happened (ms since the epoch).
        ref: The ledger row it was read from (0 if none); not used by the score.

    """

    event_id: str
    subject: int
    module: str
    name: str
    weight: int
    occurred_ms: int
    ref: int = 0


@dataclass(frozen=True, slots=True)
class Columns:
    """Events as parallel arrays: the shape the recompute works on."""

    subject: Int64s
    source: Int64s
    """A code per module: equal codes, equal modules."""
    weight: Int64s
    occurred_ms: Int64s


def columns(events: Sequence[CreditEvent]) -> Columns:
    """Events as :class:`Columns` (modules coded by their sorted names)."""
    names = sorted({e.module for e in events})
    code = {name: i for i, name in enumerate(names)}
    return Columns(
        subject=np.fromiter((e.subject for e in events), np.int64, len(events)),
        source=np.fromiter((code[e.module] for e in events), np.int64, len(events)),
        weight=np.fromiter((e.weight for e in events), np.int64, len(events)),
        occurred_ms=np.fromiter((e.occurred_ms for e in events), np.int64, len(events)),
    )


Floats = npt.NDArray[np.float64]


def _bins(values: Int64s) -> tuple[Int64s, Int64s | None, int]:
    """Bin numbers for ``values`` (equal values, equal bins), for ``np.bincount``.

    Dense values (ids, codes) are their own bins, offset by the smallest: ``(bins, None, low)``,
    no sort. Sparse ones are numbered by ``np.unique``: ``(bins, distinct values, 0)``.
    """
    low = int(values.min())
    if int(values.max()) - low + 1 <= 4 * len(values) + 1024:
        return values - low, None, low
    uniques, inverse = np.unique(values, return_inverse=True)
    return inverse.astype(np.int64).reshape(-1), uniques, 0


def _parts(cols: Columns, at_ms: int, model: CreditModel) -> tuple[Int64s, Floats, Floats]:
    """Each event's contribution (thousandths of a point), cap factor and decay."""
    if not len(cols.weight):
        return np.zeros(0, np.int64), np.zeros(0), np.zeros(0)
    period = cols.occurred_ms // (model.cap_period_days * _DAY_MS)
    period = period - period.min()
    subject = _bins(cols.subject)[0]
    n_source = int(cols.source.max()) + 1
    n_period = int(period.max()) + 1
    bucket = _bins((subject * n_source + cols.source) * n_period + period)[0]
    weight = cols.weight.astype(np.float64)
    ups = np.bincount(bucket, weights=np.where(weight > 0, weight, 0.0))
    downs = np.bincount(bucket, weights=np.where(weight < 0, -weight, 0.0))
    over = np.where(weight > 0, ups[bucket], downs[bucket])
    factor = np.where(over > model.cap, model.cap / np.maximum(over, 1.0), 1.0)
    age = np.maximum(at_ms - cols.occurred_ms, 0).astype(np.float64)
    decay = np.exp2(-age / (model.half_life_days * _DAY_MS))
    return np.rint(weight * factor * decay * 1000.0).astype(np.int64), factor, decay


def contributions(cols: Columns, at_ms: int, model: CreditModel) -> Int64s:
    """Each event's contribution to its subject's score at ``at_ms``, in thousandths of a point.

    Depends only on the event itself and the events in its cap bucket (same subject, module and
    period), never on the order of ``cols``.
    """
    return _parts(cols, at_ms, model)[0]


def _final(base: int, milli: Int64s) -> Int64s:
    points = (milli + 500) // 1000  # round half up, in integers
    return np.clip(base + points, MIN_SCORE, MAX_SCORE).astype(np.int64)


def scores(cols: Columns, at_ms: int, model: CreditModel) -> tuple[Int64s, Int64s]:
    """Every subject's score at ``at_ms``: ``(subjects, scores)``, subjects ascending."""
    if not len(cols.subject):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    bins, subjects, low = _bins(cols.subject)
    milli = contributions(cols, at_ms, model)
    sums = np.bincount(bins, weights=milli.astype(np.float64))
    if subjects is None:  # dense ids: keep the bins some event fell in
        used = np.flatnonzero(np.bincount(bins))
        subjects, sums = used + low, sums[used]
    return subjects, _final(model.base, np.rint(sums).astype(np.int64))


def score(events: Sequence[CreditEvent], at: datetime, model: CreditModel) -> int:
    """One subject's score at ``at`` from its (non-annulled) events."""
    return explain(events, at, model).score


@dataclass(frozen=True, slots=True)
class Line:
    """One event's part in a score.

    Attributes:
        event: The event.
        cap_factor: How much of its weight its cap bucket let count (1.0 = all).
        decay: How much of that is left with age (1.0 = all).
        points: What it adds to the score now (points, to a thousandth).

    """

    event: CreditEvent
    cap_factor: float
    decay: float
    points: float


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why a score is what it is: the base plus each event's decayed, capped weight.

    ``score == clamp(base + round(sum(line.points)), 0, 1000)``; ``lines`` are ordered by how
    much they move the score, largest first.
    """

    score: int
    base: int
    at: datetime
    lines: tuple[Line, ...]


def explain(events: Sequence[CreditEvent], at: datetime, model: CreditModel) -> Explanation:
    """The score at ``at`` of one subject's events, with each event's contribution."""
    at_ms = epoch_ms(at)
    milli, factor, decay = _parts(columns(events), at_ms, model)
    lines = [
        Line(event, round(cap, 4), round(fade, 4), part / 1000)
        for event, part, cap, fade in zip(
            events, milli.tolist(), factor.tolist(), decay.tolist(), strict=True
        )
    ]
    lines.sort(key=lambda line: (-abs(line.points), line.event.occurred_ms, line.event.event_id))
    total = int(_final(model.base, np.array([int(milli.sum())], np.int64))[0])
    return Explanation(score=total, base=model.base, at=at, lines=tuple(lines))


def history(
    events: Sequence[CreditEvent], moments: Sequence[datetime], model: CreditModel
) -> list[int]:
    """One subject's score at each of ``moments``, counting only events that had happened."""
    result = []
    for moment in moments:
        at_ms = epoch_ms(moment)
        result.append(score([e for e in events if e.occurred_ms <= at_ms], moment, model))
    return result
