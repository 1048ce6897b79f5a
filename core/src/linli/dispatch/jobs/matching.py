"""Matching jobs to workers (a pure rule module: no database, no clock).

Hard constraints, never broken: a worker has every skill the job needs, covers the job's
community, is available for the whole job inside the job's window, and holds no more jobs than
its capacity (jobs it can carry at once: a rider's basket, a team's crews). Among the feasible
workers the cost of a pairing is travel (metres) + lateness (minutes after the window opens,
weighted) + inverse standing (credit below the top score, weighted): integers, so costs add up
exactly.

- :func:`best_worker` (online): one job, the cheapest feasible worker now, with a fairness
  surcharge per job a worker already holds so work spreads out.
- :func:`assign_batch` (batch): a set of jobs, the assignment that first places as many jobs
  as possible and then minimises the total cost, solved by SciPy's ``linear_sum_assignment``
  on jobs by worker capacity slots.
- :func:`assign_greedy`: the baseline the batch is measured against (each job in turn takes
  its cheapest feasible worker).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment  # type: ignore[import-untyped]

__all__ = [
    "MAX_STANDING",
    "Assignment",
    "CostWeights",
    "Job",
    "Worker",
    "assign_batch",
    "assign_greedy",
    "best_worker",
    "pair_cost",
    "start_time",
]

MAX_STANDING = 1000
"""The top community-credit score; standing below it costs ``weights.standing`` a point."""


@dataclass(frozen=True, slots=True)
class Job:
    """A job to place: skills, where (community and point in metres), window and duration.

    Times are minutes on one clock (e.g. since midnight of the planning day).
    """

    id: str
    skills: frozenset[str]
    community: int
    location: tuple[int, int]
    window_start: int
    window_end: int
    duration: int


@dataclass(frozen=True, slots=True)
class Worker:
    """A provider's worker: skills, communities covered, home point, availability, capacity.

    ``available`` is a sequence of ``(start, end)`` minutes; ``standing`` the community-credit
    score (0..``MAX_STANDING``); ``load`` the jobs it already holds.
    """

    id: str
    skills: frozenset[str]
    coverage: frozenset[int]
    location: tuple[int, int]
    available: tuple[tuple[int, int], ...]
    capacity: int = 1
    standing: int = MAX_STANDING
    load: int = 0


@dataclass(frozen=True, slots=True)
class CostWeights:
    """How the parts of a pairing's cost weigh: per metre, per minute late, per credit point."""

    travel: int = 1
    lateness: int = 10
    standing: int = 2
    fairness: int = 500
    """Online only: added per job a worker already holds."""


@dataclass(frozen=True, slots=True)
class Assignment:
    """Which worker each placed job went to (and when it starts), and what stayed unplaced."""

    placed: dict[str, str] = field(default_factory=dict)
    starts: dict[str, int] = field(default_factory=dict)
    unplaced: tuple[str, ...] = ()
    cost: int = 0


def start_time(job: Job, worker: Worker) -> int | None:
    """The earliest start at which ``worker`` can do all of ``job`` inside its window."""
    best: int | None = None
    for begin, end in worker.available:
        start = max(job.window_start, begin)
        if start + job.duration <= min(end, job.window_end) and (best is None or start < best):
            best = start
    return best


def pair_cost(job: Job, worker: Worker, weights: CostWeights = CostWeights()) -> int | None:
    """The cost of ``worker`` doing ``job``, or ``None`` if a hard constraint forbids it.

    Capacity is not checked here (it depends on the other jobs placed).
    """
    if not job.skills <= worker.skills or job.community not in worker.coverage:
        return None
    start = start_time(job, worker)
    if start is None:
        return None
    travel = round(math.dist(job.location, worker.location))
    return (
        weights.travel * travel
        + weights.lateness * (start - job.window_start)
        + weights.standing * (MAX_STANDING - worker.standing)
    )


def best_worker(
    job: Job,
    workers: Sequence[Worker],
    weights: CostWeights = CostWeights(),
    exclude: frozenset[str] = frozenset(),
) -> Worker | None:
    """The worker to offer ``job`` to now: feasible, with room, cheapest after fairness.

    ``exclude`` names workers that already declined or let the offer lapse. Ties go to the
    smaller id, so the answer never depends on the order of ``workers``.
    """
    best: tuple[int, str] | None = None
    chosen: Worker | None = None
    for worker in workers:
        if worker.load >= worker.capacity or worker.id in exclude:
            continue
        cost = pair_cost(job, worker, weights)
        if cost is None:
            continue
        key = (cost + weights.fairness * worker.load, worker.id)
        if best is None or key < best:
            best, chosen = key, worker
    return chosen


def _by_community(workers: Sequence[Worker]) -> dict[int, list[Worker]]:
    """The workers with room, indexed by each community they cover (in id order)."""
    index: dict[int, list[Worker]] = {}
    for worker in sorted(workers, key=lambda w: w.id):
        if worker.capacity > worker.load:
            for community in worker.coverage:
                index.setdefault(community, []).append(worker)
    return index


def _settle(
    jobs: Sequence[Job], workers: Mapping[str, Worker], placed: dict[str, str], cost: int
) -> Assignment:
    starts = {}
    for job in jobs:
        if job.id in placed:
            start = start_time(job, workers[placed[job.id]])
            assert start is not None
            starts[job.id] = start
    unplaced = tuple(job.id for job in jobs if job.id not in placed)
    return Assignment(placed, starts, unplaced, cost)


def assign_batch(
    jobs: Sequence[Job], workers: Sequence[Worker], weights: CostWeights = CostWeights()
) -> Assignment:
    """Place ``jobs``: as many as the hard constraints allow, then at the least total cost."""
    slots = [w for w in sorted(workers, key=lambda w: w.id) for _ in range(w.capacity - w.load)]
    if not jobs or not slots:
        return _settle(jobs, {w.id: w for w in workers}, {}, 0)
    costs: dict[tuple[int, str], int] = {}
    covering = _by_community(workers)
    for j, job in enumerate(jobs):
        for worker in covering.get(job.community, ()):
            cost = pair_cost(job, worker, weights)
            if cost is not None:
                costs[j, worker.id] = cost
    # A forbidden pairing costs more than any set of feasible ones, so the solver first
    # places as many jobs as it can, then minimises cost among those placements.
    forbidden = (max(costs.values(), default=0) + 1) * (len(jobs) + 1)
    matrix = np.full((len(jobs), len(slots)), float(forbidden))
    column: dict[str, list[int]] = {}
    for i, slot in enumerate(slots):
        column.setdefault(slot.id, []).append(i)
    for (j, worker_id), cost in costs.items():
        matrix[j, column[worker_id]] = cost
    rows, cols = linear_sum_assignment(matrix)
    placed: dict[str, str] = {}
    total = 0
    for j, slot in zip(rows.tolist(), cols.tolist(), strict=True):
        cost = costs.get((j, slots[slot].id))
        if cost is not None:
            placed[jobs[j].id] = slots[slot].id
            total += cost
    return _settle(jobs, {w.id: w for w in workers}, placed, total)


def assign_greedy(
    jobs: Sequence[Job], workers: Sequence[Worker], weights: CostWeights = CostWeights()
) -> Assignment:
    """Place ``jobs`` one at a time, each with its cheapest feasible worker that has room."""
    room = {w.id: w.capacity - w.load for w in workers}
    covering = _by_community(workers)
    placed: dict[str, str] = {}
    total = 0
    for job in jobs:
        best: tuple[int, str] | None = None
        for worker in covering.get(job.community, ()):
            if room[worker.id] > 0 and (cost := pair_cost(job, worker, weights)) is not None:
                best = min(best or (cost, worker.id), (cost, worker.id))
        if best is not None:
            placed[job.id] = best[1]
            room[best[1]] -= 1
            total += best[0]
    return _settle(jobs, {w.id: w for w in workers}, placed, total)
