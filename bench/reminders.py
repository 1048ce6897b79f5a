"""Repurchase reminders against a fixed-interval baseline, on a synthetic order history.

**The synthetic history** (seeded, so every run sees the same households):

- ``--households`` households over ``--days`` days (plus 60 more in which only purchases are
  simulated, so a reminder late in the period can still be judged);
- 70 % *cyclic*: 1-3 items each, each with a true cycle of 7-35 days (uniform); each gap is
  the cycle plus Gaussian noise (sd 15 % of the cycle, rounded, at least 1 day), and with
  probability 0.1 a cycle is skipped (bought elsewhere, stocked up): the gap doubles;
- 15 % *one-off buyers*: 1-2 purchases of one item at random days;
- 15 % *irregular*: one item bought at exponential gaps (mean 10-40 days), no cycle to find.

**The policies.** *Cycle* is the platform's: after each purchase, the cycle is estimated from
the purchases so far (:func:`linli.profiles.rules.estimate_cycle`, at least three) and the
sweep asks :func:`linli.profiles.rules.reminder_due` every day until the next purchase; at most
one reminder per item and cycle. *Fixed* reminds every ``--interval`` days (14 by default)
after the household's first purchase of the item, whatever it bought since.

**The scores.** Per repurchase (each purchase of an item after its third, within the period):
*reminded before* when a reminder came after the previous purchase and no later than this one
(it landed before the real next purchase), and *within the window* when that reminder came at
most ``--window`` days (3) before it. Per reminder sent within the period: *useful* when the
next purchase of the item comes at most ``--window`` days after it, *wasted* when no purchase
follows at all; and how many reminders a household gets a month.

    uv run python bench/reminders.py [--households 2000] [--days 365] [--interval 14] [--seed 7]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import random
from bisect import bisect_left
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from linli.profiles.rules import LEAD_DAYS, estimate_cycle, reminder_due

RESULTS = Path(__file__).parent / "results"
TAIL = 60
"""Days simulated after the period, so that a late reminder can still be judged."""
D0 = date(2026, 1, 1)


def cyclic(rng: random.Random, horizon: int) -> list[int]:
    """Purchase days of one item bought on a cycle, with noise and skipped cycles."""
    cycle = rng.randint(7, 35)
    day, days = rng.randrange(cycle), []
    while day < horizon:
        days.append(day)
        gap = max(1, round(rng.gauss(cycle, 0.15 * cycle)))
        day += gap * 2 if rng.random() < 0.1 else gap
    return days


def irregular(rng: random.Random, horizon: int) -> list[int]:
    """Purchase days at exponential gaps: nothing periodic to learn."""
    mean, day, days = rng.uniform(10, 40), rng.uniform(0, 30), []
    while day < horizon:
        days.append(int(day))
        day += rng.expovariate(1 / mean)
    return sorted(set(days))


def history(households: int, horizon: int, seed: int) -> list[list[int]]:
    """The purchase days of every (household, item) pair, sorted, distinct."""
    rng = random.Random(seed)
    items: list[list[int]] = []
    for _ in range(households):
        kind = rng.random()
        if kind < 0.70:
            items.extend(sorted(set(cyclic(rng, horizon))) for _ in range(rng.randint(1, 3)))
        elif kind < 0.85:
            items.append(sorted({rng.randrange(horizon) for _ in range(rng.randint(1, 2))}))
        else:
            items.append(irregular(rng, horizon))
    return [days for days in items if days]


def cycle_reminders(days: list[int], period: int) -> list[int]:
    """The days the platform's sweep reminds, for an item bought on ``days``."""
    sent: list[int] = []
    for i, start in enumerate(days):
        estimate = estimate_cycle([D0 + timedelta(days=d) for d in days[: i + 1]])
        if estimate is None:
            continue
        following = days[i + 1] if i + 1 < len(days) else period
        cycles: set[date] = set()
        for offset in range(start + 1, min(following, period)):
            today = D0 + timedelta(days=offset)
            last = D0 + timedelta(days=start)
            if reminder_due(today, last, estimate.days, sent_cycles=cycles):
                sent.append(offset)
                cycles.add(last)
    return sent


def fixed_reminders(days: list[int], period: int, interval: int) -> list[int]:
    """Every ``interval`` days after the first purchase, within the period."""
    return list(range(days[0] + interval, period, interval))


def score(
    items: list[list[int]], reminders: list[list[int]], window: int, households: int, period: int
) -> dict[str, Any]:
    """How the reminders of one policy landed against the real purchases."""
    sent = useful = wasted = repurchases = before = within = 0
    for days, sent_days in zip(items, reminders, strict=True):
        for r in sent_days:
            sent += 1
            nxt = bisect_left(days, r)
            if nxt == len(days):
                wasted += 1
            elif days[nxt] - r <= window:
                useful += 1
        for previous, d in itertools.pairwise(days[2:]):
            if d >= period:
                break
            repurchases += 1
            in_cycle = [r for r in sent_days if previous < r <= d]
            before += bool(in_cycle)
            within += any(d - r <= window for r in in_cycle)
    months = period / 30.4

    def share(n: int, of: int) -> float | None:
        return round(n / of, 4) if of else None

    return {
        "reminders": sent,
        "per_household_month": round(sent / households / months, 3),
        "useful_within_window": share(useful, sent),
        "wasted_no_purchase_follows": share(wasted, sent),
        "repurchases": repurchases,
        "repurchases_reminded_before": share(before, repurchases),
        "repurchases_reminded_within_window": share(within, repurchases),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--households", type=int, default=2000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--interval", type=int, default=14)
    parser.add_argument("--window", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=RESULTS / "reminders.json")
    args = parser.parse_args()

    items = history(args.households, args.days + TAIL, args.seed)
    ours = [cycle_reminders(days, args.days) for days in items]
    fixed = [fixed_reminders(days, args.days, args.interval) for days in items]
    policies = {
        f"cycle (median gap, {LEAD_DAYS} days' lead)": score(
            items, ours, args.window, args.households, args.days
        ),
        f"fixed every {args.interval} days": score(
            items, fixed, args.window, args.households, args.days
        ),
    }
    report = {
        "benchmark": "reminders",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "load": os.getloadavg()},
        "parameters": vars(args) | {"out": str(args.out)},
        "items": len(items),
        "policies": policies,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"{args.households} households, {len(items)} household-items, {args.days} days")
    print(
        f"{'policy':34} {'sent':>7} {'/hh/mo':>7} {'useful':>7} {'wasted':>7} "
        f"{'rep. reminded':>14} {'within':>7}"
    )
    for name, s in policies.items():
        print(
            f"{name:34} {s['reminders']:>7} {s['per_household_month']:>7} "
            f"{s['useful_within_window']:>7} {s['wasted_no_purchase_follows']:>7} "
            f"{s['repurchases_reminded_before']:>14} {s['repurchases_reminded_within_window']:>7}"
        )


if __name__ == "__main__":
    main()
