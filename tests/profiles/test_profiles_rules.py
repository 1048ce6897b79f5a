"""The pure rules: cycles from purchase days, explanations, and one reminder per cycle."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st
from linli.profiles.rules import (
    LEAD_DAYS,
    estimate_cycle,
    explain,
    reminder_day,
    reminder_due,
)

D0 = date(2026, 1, 1)


def days(*offsets: int) -> list[date]:
    return [D0 + timedelta(days=o) for o in offsets]


def test_no_cycle_from_fewer_than_three_purchase_days():
    assert estimate_cycle(days(0, 18)) is None
    assert estimate_cycle(days(0, 0, 18)) is None  # two orders on one day are one purchase day


def test_the_median_gap_ignores_a_skipped_cycle():
    cycle = estimate_cycle(days(0, 18, 36, 72, 90))
    assert cycle is not None
    assert (cycle.days, cycle.gaps, cycle.last) == (18, (18, 18, 36, 18), D0 + timedelta(90))
    assert cycle.confidence == 1.0  # four gaps, three of them exactly the median


def test_confidence_falls_with_spread_and_few_gaps():
    steady = estimate_cycle(days(0, 10, 20, 30, 40))
    erratic = estimate_cycle(days(0, 3, 20, 24, 40))
    short = estimate_cycle(days(0, 10, 20))
    assert steady and erratic and short
    assert steady.confidence > short.confidence > 0 and steady.confidence > erratic.confidence


def test_the_explanation_names_the_orders_and_the_gaps():
    cycle = estimate_cycle(days(0, 17, 35))
    assert cycle is not None
    text = explain("婴儿奶粉", cycle, ["order-3", "order-8", "order-12"])
    assert "婴儿奶粉 3 times (order-3, order-8, order-12)" in text
    assert "17, 18" in text and "about 18 days" in text


def test_a_reminder_is_due_from_its_day_until_the_cycle_is_long_overdue():
    last = D0
    assert reminder_day(last, 18) == D0 + timedelta(days=18 - LEAD_DAYS)
    assert not reminder_due(D0 + timedelta(days=15), last, 18, sent_cycles=())
    assert reminder_due(D0 + timedelta(days=16), last, 18, sent_cycles=())
    assert reminder_due(D0 + timedelta(days=36), last, 18, sent_cycles=())
    assert not reminder_due(D0 + timedelta(days=37), last, 18, sent_cycles=())
    assert not reminder_due(D0 + timedelta(days=16), last, 18, sent_cycles={last})
    assert not reminder_due(D0 + timedelta(days=16), last, 18, sent_cycles=(), not_for_me=True)
    assert not reminder_due(D0 + timedelta(days=16), last, None, sent_cycles=())
    assert reminder_day(last, 1) == D0 + timedelta(days=1)  # never on the purchase day


@given(
    purchase_days=st.sets(st.integers(0, 200), min_size=1, max_size=15),
    cycle_days=st.one_of(st.none(), st.integers(1, 60)),
    lead=st.integers(0, 7),
)
def test_at_most_one_reminder_per_item_and_cycle_and_one_for_every_cycle_left_to_run_out(
    purchase_days, cycle_days, lead
):
    """A daily sweep over 260 days: each cycle (by its start) is reminded at most once, never
    before its reminder day, and exactly once if no purchase came before its reminder day."""
    bought = sorted(purchase_days)
    sent: list[tuple[date, date]] = []  # (cycle start, day sent)
    for offset in range(bought[0], 260):
        today = D0 + timedelta(days=offset)
        last = D0 + timedelta(days=max(d for d in bought if d <= offset))
        starts = {start for start, _ in sent}
        if reminder_due(today, last, cycle_days, sent_cycles=starts, lead_days=lead):
            sent.append((last, today))
    starts = [start for start, _ in sent]
    assert len(starts) == len(set(starts))
    if cycle_days is None:
        assert sent == []
        return
    for start, day in sent:
        assert day >= reminder_day(start, cycle_days, lead)
    for i, start in enumerate(bought):
        due = reminder_day(D0 + timedelta(days=start), cycle_days, lead)
        following = bought[i + 1] if i + 1 < len(bought) else None
        ran_out = (following is None or D0 + timedelta(days=following) > due) and (
            due <= D0 + timedelta(days=259)
        )
        assert (D0 + timedelta(days=start) in starts) == ran_out
