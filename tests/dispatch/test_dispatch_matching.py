"""Matching rules: hard constraints always hold; batch equals the brute-force optimum."""

from __future__ import annotations

import itertools
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st
from linli.dispatch.jobs.matching import (
    CostWeights,
    Job,
    Worker,
    assign_batch,
    assign_greedy,
    best_worker,
    pair_cost,
    start_time,
)

SKILLS = ["cleaning", "repair", "delivery"]


@st.composite
def jobs(draw: st.DrawFn, n: int) -> list[Job]:
    made = []
    for i in range(n):
        start = draw(st.integers(0, 600))
        made.append(
            Job(
                id=f"j{i}",
                skills=frozenset(draw(st.sets(st.sampled_from(SKILLS), max_size=2))),
                community=draw(st.integers(1, 3)),
                location=(draw(st.integers(0, 5000)), draw(st.integers(0, 5000))),
                window_start=start,
                window_end=start + draw(st.integers(30, 300)),
                duration=draw(st.integers(15, 120)),
            )
        )
    return made


@st.composite
def workers(draw: st.DrawFn, n: int) -> list[Worker]:
    made = []
    for i in range(n):
        begin = draw(st.integers(0, 600))
        made.append(
            Worker(
                id=f"w{i}",
                skills=frozenset(draw(st.sets(st.sampled_from(SKILLS), min_size=1))),
                coverage=frozenset(draw(st.sets(st.integers(1, 3), min_size=1))),
                location=(draw(st.integers(0, 5000)), draw(st.integers(0, 5000))),
                available=((begin, begin + draw(st.integers(60, 600))),),
                capacity=draw(st.integers(1, 3)),
                standing=draw(st.integers(0, 1000)),
                load=draw(st.integers(0, 1)),
            )
        )
    return made


def feasible(job: Job, worker: Worker, start: int) -> bool:
    return (
        job.skills <= worker.skills
        and job.community in worker.coverage
        and job.window_start <= start
        and start + job.duration <= job.window_end
        and any(b <= start and start + job.duration <= e for b, e in worker.available)
    )


def check_hard_constraints(js: list[Job], ws: list[Worker], placed: dict[str, str], starts):
    by_id = {w.id: w for w in ws}
    for job in js:
        if job.id in placed:
            assert feasible(job, by_id[placed[job.id]], starts[job.id])
    for worker_id, count in Counter(placed.values()).items():
        assert count + by_id[worker_id].load <= by_id[worker_id].capacity


def brute_force(js: list[Job], ws: list[Worker]) -> tuple[int, int]:
    """(most jobs placed, least cost among those) over every assignment."""
    options = [[None, *(w for w in ws if pair_cost(j, w) is not None)] for j in js]
    best = (0, 0)
    for choice in itertools.product(*options):
        used = Counter(w.id for w in choice if w is not None)
        if any(used[w.id] + w.load > w.capacity for w in ws):
            continue
        placed = sum(w is not None for w in choice)
        cost = sum(pair_cost(j, w) or 0 for j, w in zip(js, choice, strict=True) if w)
        if (placed, -cost) > (best[0], -best[1]):
            best = (placed, cost)
    return best


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 5).flatmap(jobs), st.integers(1, 3).flatmap(workers))
def test_batch_equals_the_brute_force_optimum_on_small_instances(js, ws):
    result = assign_batch(js, ws)
    check_hard_constraints(js, ws, result.placed, result.starts)
    assert (len(result.placed), result.cost) == brute_force(js, ws)
    assert set(result.placed) | set(result.unplaced) == {j.id for j in js}


@settings(max_examples=40, deadline=None)
@given(st.integers(5, 40).flatmap(jobs), st.integers(1, 15).flatmap(workers))
def test_batch_never_breaks_a_hard_constraint_and_beats_greedy(js, ws):
    batch, greedy = assign_batch(js, ws), assign_greedy(js, ws)
    check_hard_constraints(js, ws, batch.placed, batch.starts)
    check_hard_constraints(js, ws, greedy.placed, greedy.starts)
    assert len(batch.placed) >= len(greedy.placed)
    if len(batch.placed) == len(greedy.placed):
        assert batch.cost <= greedy.cost


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 1).flatmap(jobs), st.integers(0, 12).flatmap(workers))
def test_online_picks_the_cheapest_feasible_worker_with_room(js, ws):
    (job,) = js
    weights = CostWeights()
    chosen = best_worker(job, ws, weights)
    candidates = [
        (c + weights.fairness * w.load, w.id)
        for w in ws
        if w.load < w.capacity and (c := pair_cost(job, w, weights)) is not None
    ]
    if not candidates:
        assert chosen is None
    else:
        assert chosen is not None and (chosen.id == min(candidates)[1])
        start = start_time(job, chosen)
        assert start is not None and feasible(job, chosen, start)
    assert best_worker(job, list(reversed(ws)), weights) == chosen  # order does not matter


def test_online_spreads_work_to_the_less_loaded_of_two_equal_workers():
    job = Job("j", frozenset(), 1, (0, 0), 0, 120, 60)
    busy = Worker("a", frozenset({"x"}), frozenset({1}), (0, 0), ((0, 480),), capacity=3, load=2)
    free = Worker("b", frozenset({"x"}), frozenset({1}), (300, 0), ((0, 480),), capacity=3)
    assert best_worker(job, [busy, free]) == free  # 300 m further, but it holds no job yet
    assert best_worker(job, [busy, free], exclude=frozenset({"b"})) == busy
