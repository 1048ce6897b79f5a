"""Demand forecasts on held-back synthetic history: the method's error beside naive baselines.

Draws a community's demand with ``linli.insights.synthetic.catalogue`` (N items at M pickup
points, seeded: trend, weekday pattern, gamma-Poisson noise, optionally a festival in the
held-back weeks), holds back the last W weeks, and forecasts each held-back day of each series
as the platform does: from the ``HISTORY`` days that end ``--horizon`` days before it (the
platform forecasts tomorrow from the days up to yesterday: two days ahead), with the parameters
chosen on that history (``linli.insights.forecast.forecast``, the function the API uses).
Beside it, two baselines on the same days:

- **naive**: what the same weekday sold a week before (``same_weekday_last_week``);
- **weekday mean**: the mean of the same weekday over the four weeks before;

and, as a floor, **expected**: the generating model's own expected units for the day (known
only because the data is synthetic): the error left there is the draw's own randomness, which
no method removes.

Prints and writes (bench/results/forecast.json) each one's error over every (series, day):
MAE (mean absolute error, units a day), WAPE (total absolute error over total units sold),
sMAPE (mean of 2|f - a| / (|f| + |a|) over the days where either is not zero) and bias (total
forecast over total sold, less 1).

    uv run python bench/forecast.py [--items 10] [--points 4] [--days 182] [--holdout-weeks 4]
                                    [--horizon 2] [--seed 7] [--holidays]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from linli.insights.forecast import HISTORY, forecast, same_weekday_last_week
from linli.insights.synthetic import catalogue, demand, festival

RESULTS = Path(__file__).parent / "results"
FIRST_DAY = date(2026, 1, 5)  # a Monday

Method = Callable[[Sequence[int], date, date], float]


def _method(history: Sequence[int], first_day: date, day: date) -> float:
    return forecast(history, first_day, day).quantity


def _weekday_mean(history: Sequence[int], first_day: date, day: date) -> float:
    weeks = [same_weekday_last_week(history, first_day, day - timedelta(weeks=w)) for w in range(4)]
    return sum(weeks) / len(weeks)


METHODS: dict[str, Method] = {
    "smoothing": _method,
    "naive": same_weekday_last_week,
    "weekday_mean": _weekday_mean,
}


def _errors(pairs: list[tuple[float, int]]) -> dict[str, float]:
    absolute = [abs(f - a) for f, a in pairs]
    sold = sum(a for _, a in pairs)
    smape = [2 * abs(f - a) / (abs(f) + abs(a)) for f, a in pairs if f or a]
    return {
        "mae": round(sum(absolute) / len(pairs), 3),
        "wape": round(sum(absolute) / sold, 4) if sold else float("nan"),
        "smape": round(sum(smape) / len(smape), 4) if smape else 0.0,
        "bias": round(sum(f for f, _ in pairs) / sold - 1, 4) if sold else float("nan"),
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(args.seed)
    held = args.holdout_weeks * 7
    first_held = FIRST_DAY + timedelta(days=args.days - held)
    holidays = festival(first_held + timedelta(days=10), 3) if args.holidays else None
    models = catalogue(rng, args.items, args.points, holidays=holidays)
    series = {key: demand(model, FIRST_DAY, args.days, rng) for key, model in models.items()}
    pairs: dict[str, list[tuple[float, int]]] = {name: [] for name in [*METHODS, "expected"]}
    started = time.perf_counter()
    for key, values in series.items():
        for t in range(args.days - held, args.days):
            end = t - args.horizon + 1  # the history is values[start:end]
            start = max(0, end - HISTORY)
            first_day, day = FIRST_DAY + timedelta(days=start), FIRST_DAY + timedelta(days=t)
            for name, method in METHODS.items():
                pairs[name].append((method(values[start:end], first_day, day), values[t]))
            pairs["expected"].append((models[key].mean(FIRST_DAY, t), values[t]))
    seconds = time.perf_counter() - started
    return {
        "benchmark": "forecast",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "loadavg_1m": round(os.getloadavg()[0], 2),
        "parameters": {
            "items": args.items,
            "points": args.points,
            "days": args.days,
            "holdout_weeks": args.holdout_weeks,
            "horizon": args.horizon,
            "history": HISTORY,
            "seed": args.seed,
            "holidays": bool(args.holidays),
        },
        "forecasts": len(pairs["smoothing"]),
        "units_held_back": sum(a for _, a in pairs["smoothing"]),
        "seconds": round(seconds, 2),
        "errors": {name: _errors(found) for name, found in pairs.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10)
    parser.add_argument("--points", type=int, default=4)
    parser.add_argument("--days", type=int, default=182, help="days of history drawn in all")
    parser.add_argument("--holdout-weeks", type=int, default=4)
    parser.add_argument("--horizon", type=int, default=2, help="days ahead (2: tomorrow)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--holidays", action="store_true", help="a festival in the held weeks")
    parser.add_argument("--out", type=Path, default=RESULTS / "forecast.json")
    args = parser.parse_args()
    if args.days - args.holdout_weeks * 7 < 7 + args.horizon:
        parser.error("hold back less: the first held-back day needs a week of history")
    report = run(args)
    print(
        f"{report['forecasts']} forecasts ({args.items} items x {args.points} points x "
        f"{args.holdout_weeks} weeks, {args.horizon} days ahead), "
        f"{report['units_held_back']} units sold, {report['seconds']} s"
    )
    print(f"{'method':<14}{'MAE':>8}{'WAPE':>9}{'sMAPE':>9}{'bias':>9}")
    for name, e in report["errors"].items():
        print(f"{name:<14}{e['mae']:>8.3f}{e['wape']:>9.1%}{e['smape']:>9.1%}{e['bias']:>+9.1%}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
