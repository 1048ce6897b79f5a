"""Dispatch matching: one batch of 5,000 jobs over 1,000 workers, and online assignment.

Random instance (seeded): 30 communities on a 10 km square, 3 skills, a working day of
availability per worker, capacity 5. Batch: ``assign_batch`` (SciPy ``linear_sum_assignment``)
timed end to end, against ``assign_greedy`` on the same instance (placed jobs and total cost,
as a ratio). Online: ``best_worker`` for 1,000 single jobs among the 1,000 workers, p50/p99.
Prints a table and writes bench/results/dispatch_matching.json.

    uv run python bench/dispatch_matching.py [--jobs 5000] [--workers 1000] [--capacity 5]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import time
from datetime import UTC, datetime
from pathlib import Path

from linli.dispatch.jobs.matching import (
    Job,
    Worker,
    assign_batch,
    assign_greedy,
    best_worker,
)

RESULTS = Path(__file__).parent / "results"
SKILLS = ("cleaning", "repair", "delivery")


def instance(jobs: int, workers: int, capacity: int, seed: int) -> tuple[list[Job], list[Worker]]:
    """A reproducible random instance."""
    rng = random.Random(seed)
    communities = {c: (rng.randrange(10_000), rng.randrange(10_000)) for c in range(30)}

    def near(c: int) -> tuple[int, int]:
        x, y = communities[c]
        return (x + rng.randrange(-500, 500), y + rng.randrange(-500, 500))

    made_jobs = []
    for i in range(jobs):
        c, start = rng.randrange(30), rng.randrange(480, 1020)
        made_jobs.append(
            Job(
                f"j{i}",
                frozenset(rng.sample(SKILLS, rng.choice((0, 1, 1, 2)))),
                c,
                near(c),
                start,
                start + rng.choice((60, 120, 240)),
                rng.choice((30, 60, 90)),
            )
        )
    made_workers = []
    for i in range(workers):
        home = rng.randrange(30)
        coverage = frozenset({home, *rng.sample(range(30), 3)})
        begin = rng.choice((420, 480, 540, 720))
        made_workers.append(
            Worker(
                f"w{i}",
                frozenset(rng.sample(SKILLS, rng.choice((1, 2, 3)))),
                coverage,
                near(home),
                ((begin, begin + rng.choice((240, 480, 600))),),
                capacity,
                rng.randrange(400, 1001),
            )
        )
    return made_jobs, made_workers


def main() -> None:
    """Run the benchmark and write its results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=1000)
    parser.add_argument("--capacity", type=int, default=5)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--out", type=Path, default=RESULTS / "dispatch_matching.json")
    args = parser.parse_args()
    jobs, workers = instance(args.jobs, args.workers, args.capacity, args.seed)

    began = time.perf_counter()
    batch = assign_batch(jobs, workers)
    batch_s = time.perf_counter() - began
    began = time.perf_counter()
    greedy = assign_greedy(jobs, workers)
    greedy_s = time.perf_counter() - began

    singles, _ = instance(1000, 0, args.capacity, args.seed + 1)
    timings = []
    for job in singles:
        began = time.perf_counter()
        best_worker(job, workers)
        timings.append((time.perf_counter() - began) * 1000)
    timings.sort()

    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load": os.getloadavg()[0],
        },
        "instance": {k: v for k, v in vars(args).items() if k != "out"},
        "batch": {"seconds": round(batch_s, 2), "placed": len(batch.placed), "cost": batch.cost},
        "greedy": {
            "seconds": round(greedy_s, 2),
            "placed": len(greedy.placed),
            "cost": greedy.cost,
        },
        "batch_cost_over_greedy": round(batch.cost / greedy.cost, 4) if greedy.cost else None,
        "online_ms": {
            "p50": round(timings[len(timings) // 2], 3),
            "p99": round(timings[int(len(timings) * 0.99) - 1], 3),
            "workers": args.workers,
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"{'':<8}{'seconds':>9}{'placed':>8}{'total cost':>14}")
    for name in ("batch", "greedy"):
        part = result[name]
        print(f"{name:<8}{part['seconds']:>9}{part['placed']:>8}{part['cost']:>14}")
    print(f"batch cost / greedy cost: {result['batch_cost_over_greedy']}")
    online = result["online_ms"]
    among = f"one job among {args.workers} workers"
    print(f"online, {among}: p50 {online['p50']} ms, p99 {online['p99']} ms")


if __name__ == "__main__":
    main()
