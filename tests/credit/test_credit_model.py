"""The score model's properties (pure, Hypothesis): replay, bounds, caps, explanation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from linli.credit import model
from linli.credit.model import CreditEvent, CreditModel

NOW = datetime(2026, 6, 1, tzinfo=UTC)
MODEL = CreditModel(base=600, half_life_days=90, cap=60, cap_period_days=30)
BOUNDS = {"helped": (1, 20), "returned_late": (-30, -1), "picked_up_on_time": (1, 10)}
MODULES = ("probe", "grocer", "core")


@st.composite
def events(draw: st.DrawFn, subjects: int = 3, max_size: int = 40) -> list[CreditEvent]:
    count = draw(st.integers(0, max_size))
    made = []
    for i in range(count):
        name = draw(st.sampled_from(sorted(BOUNDS)))
        low, high = BOUNDS[name]
        made.append(
            CreditEvent(
                event_id=f"e{i}",
                subject=draw(st.integers(1, subjects)),
                module=draw(st.sampled_from(MODULES)),
                name=name,
                weight=draw(st.integers(low, high)),
                occurred_ms=model.epoch_ms(NOW - timedelta(days=draw(st.integers(-5, 800)))),
            )
        )
    return made


def by_subject(items: list[CreditEvent]) -> dict[int, int]:
    subjects, scores = model.scores(model.columns(items), model.epoch_ms(NOW), MODEL)
    return dict(zip(subjects.tolist(), scores.tolist(), strict=True))


@settings(max_examples=50)
@given(events(), st.randoms(use_true_random=False))
def test_the_score_is_a_pure_function_of_the_events(items, rng):
    shuffled = list(items)
    rng.shuffle(shuffled)
    assert by_subject(items) == by_subject(shuffled) == by_subject(list(items))
    for subject in {e.subject for e in items}:
        mine = [e for e in items if e.subject == subject]
        # one member's explanation agrees with the whole community's recompute
        assert model.score(mine, NOW, MODEL) == by_subject(items)[subject]
        assert model.score(list(reversed(mine)), NOW, MODEL) == by_subject(items)[subject]


@settings(max_examples=50)
@given(events(subjects=1, max_size=60))
def test_no_event_moves_a_score_beyond_its_weight_and_no_module_beyond_its_caps(items):
    cols = model.columns(items)
    parts = model.contributions(cols, model.epoch_ms(NOW), MODEL)
    for event, milli in zip(items, parts.tolist(), strict=True):
        low, high = BOUNDS[event.name]
        assert min(0, low) * 1000 <= milli <= max(0, high) * 1000
    for module in MODULES:
        periods = {e.occurred_ms // (MODEL.cap_period_days * 86_400_000) for e in items}
        mine = [p for e, p in zip(items, parts.tolist(), strict=True) if e.module == module]
        assert abs(sum(mine)) <= MODEL.cap * 1000 * max(1, len(periods))
        ups = sum(p for p in mine if p > 0)
        downs = -sum(p for p in mine if p < 0)
        assert ups <= MODEL.cap * 1000 * max(1, len(periods)) + len(mine)
        assert downs <= MODEL.cap * 1000 * max(1, len(periods)) + len(mine)


@settings(max_examples=50)
@given(events(subjects=1))
def test_an_explanation_adds_up_to_its_score(items):
    explained = model.explain(items, NOW, MODEL)
    total = round(sum(line.points for line in explained.lines) * 1000)
    expected = min(model.MAX_SCORE, max(model.MIN_SCORE, MODEL.base + (total + 500) // 1000))
    assert explained.score == expected
    points = [abs(line.points) for line in explained.lines]
    assert points == sorted(points, reverse=True)


def test_the_documented_example():
    """docs/credit.md: two events, one capped, one decayed by one half-life."""
    day = 86_400_000
    at = model.epoch_ms(NOW)
    items = [
        CreditEvent("a", 1, "probe", "helped", 20, at - 90 * day),  # one half-life: 10 points
        CreditEvent("b", 1, "core", "no_show", -30, at),  # now: -30 points
    ]
    assert model.score(items, NOW, MODEL) == 600 + 10 - 30
    capped = [CreditEvent(f"c{i}", 1, "probe", "helped", 20, at) for i in range(6)]  # 120 > 60
    assert model.score(capped, NOW, MODEL) == 600 + 60
    assert model.score([], NOW, MODEL) == 600


def test_the_score_stays_between_0_and_1000():
    at = model.epoch_ms(NOW)
    day = 86_400_000
    low = [CreditEvent(f"l{i}", 1, f"m{i}", "x", -200, at) for i in range(20)]  # 20 modules
    high = [CreditEvent(f"h{i}", 2, f"m{i}", "x", 200, at - day) for i in range(20)]
    assert by_subject(low + high) == {1: 0, 2: 1000}


def test_a_large_shuffled_replay_gives_identical_scores():
    rng = np.random.default_rng(7)
    n = 200_000
    cols = model.Columns(
        subject=rng.integers(1, 5_000, n),
        source=rng.integers(0, 4, n),
        weight=rng.integers(-40, 30, n),
        occurred_ms=model.epoch_ms(NOW) - rng.integers(0, 700 * 86_400_000, n),
    )
    order = rng.permutation(n)
    shuffled = model.Columns(*(getattr(cols, f)[order] for f in cols.__slots__))
    first = model.scores(cols, model.epoch_ms(NOW), MODEL)
    second = model.scores(shuffled, model.epoch_ms(NOW), MODEL)
    assert np.array_equal(first[0], second[0]) and np.array_equal(first[1], second[1])


def test_sparse_and_dense_subject_ids_score_alike():
    rng = np.random.default_rng(3)
    n = 20_000
    dense = model.Columns(
        subject=rng.integers(1, 500, n),
        source=rng.integers(0, 3, n),
        weight=rng.integers(-40, 30, n),
        occurred_ms=model.epoch_ms(NOW) - rng.integers(0, 400 * 86_400_000, n),
    )
    sparse = model.Columns(dense.subject * 10**12, dense.source, dense.weight, dense.occurred_ms)
    at = model.epoch_ms(NOW)
    subjects, scores = model.scores(dense, at, MODEL)
    far_subjects, far_scores = model.scores(sparse, at, MODEL)  # takes the sorting path
    assert np.array_equal(subjects * 10**12, far_subjects) and np.array_equal(scores, far_scores)
