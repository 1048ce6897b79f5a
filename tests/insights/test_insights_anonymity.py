"""k-anonymity over random data: no answered cell has fewer than k residents, and nothing
answered depends on a suppressed cell (so no difference of answers isolates one)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from linli.insights.aggregates import Fact, Point, Remark, demand, feedback, repurchase, window
from linli.insights.anonymity import MIN_K, k_anonymous

TODAY = date(2026, 12, 4)
FIRST, LAST = window(TODAY)
POINTS = {1: Point("North gate", 9, "Grid East"), 2: Point("Building 7", 9, "Grid East")}

days = st.integers(0, 100).map(lambda ago: TODAY - timedelta(days=ago))  # some outside
in_window = st.integers(1, 84).map(lambda ago: TODAY - timedelta(days=ago))
facts = st.lists(
    st.builds(
        Fact,
        member=st.integers(1, 14),
        item=st.sampled_from(["milk", "eggs"]),
        item_name=st.sampled_from(["Milk 1L", "鸡蛋"]),
        point=st.sampled_from([1, 2, None]),
        day=days,
        quantity=st.integers(1, 6),
    ),
    min_size=20,
    max_size=250,
)
ks = st.integers(MIN_K, 12)
remarks = st.lists(
    st.builds(
        Remark,
        member=st.integers(1, 14),
        item=st.sampled_from(["milk", "eggs", "rice"]),
        text=st.sampled_from(["希望增加低糖选项", "too sweet", "more please"]),
    ),
    max_size=120,
)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def residents_by_cell(found: list[Fact]) -> dict[tuple[str, int | None], set[int]]:
    """The oracle: each (item, point) cell's distinct residents in the window, from raw facts."""
    cells: dict[tuple[str, int | None], set[int]] = defaultdict(set)
    for fact in found:
        if FIRST <= fact.day <= LAST:
            cells[(fact.item, fact.point)].add(fact.member)
    return cells


def residents_by_item(found: list[Fact]) -> dict[str, set[int]]:
    items: dict[str, set[int]] = defaultdict(set)
    for fact in found:
        if FIRST <= fact.day <= LAST:
            items[fact.item].add(fact.member)
    return items


@SETTINGS
@given(found=facts, k=ks)
def test_no_demand_cell_is_answered_over_fewer_than_k_residents(found: list[Fact], k: int) -> None:
    truth = residents_by_cell(found)
    answer = demand("c", found, TODAY, k, POINTS)
    event(f"cells answered: {len(answer.cells)}, suppressed: {answer.suppressed}")
    for cell in answer.cells:
        behind = truth[(cell.item, cell.pickup_point_id)]
        assert len(behind) >= k
        assert cell.residents == len(behind)
    answered = {(c.item, c.pickup_point_id) for c in answer.cells}
    assert answered == {cell for cell, who in truth.items() if len(who) >= k}
    assert answer.suppressed == len(truth) - len(answered)


@SETTINGS
@given(found=facts, k=ks)
def test_an_items_total_is_the_sum_of_its_answered_cells_only(found: list[Fact], k: int) -> None:
    answer = demand("c", found, TODAY, k, POINTS)
    for total in answer.totals:
        mine = [c for c in answer.cells if c.item == total.item]
        assert total.pickup_points == len(mine)
        assert total.forecast == pytest.approx(sum(c.forecast for c in mine), abs=0.051)
    assert {t.item for t in answer.totals} == {c.item for c in answer.cells}
    for total in answer.warehouses:  # both points are supplied by grid warehouse 9
        mine = [c for c in answer.cells if c.item == total.item and c.pickup_point_id]
        assert (total.grid_warehouse_id, total.pickup_points) == (9, len(mine))
        assert total.forecast == pytest.approx(sum(c.forecast for c in mine), abs=0.051)


def perturbed(found: list[Fact], hidden: set, key, data: st.DataObject) -> list[Fact]:
    """``found`` with every fact of a hidden cell in the window redrawn (another day in the
    window, another quantity) or dropped: the cell keeps fewer or the same residents."""
    kept = [f for f in found if key(f) not in hidden or not FIRST <= f.day <= LAST]
    for fact in found:
        if key(fact) in hidden and FIRST <= fact.day <= LAST and data.draw(st.booleans()):
            kept.append(
                Fact(
                    member=fact.member,
                    item=fact.item,
                    item_name=fact.item_name,
                    point=fact.point,
                    day=data.draw(in_window),
                    quantity=data.draw(st.integers(1, 50)),
                )
            )
    return kept


@SETTINGS
@given(found=facts, k=ks, data=st.data())
def test_nothing_answered_depends_on_a_suppressed_demand_cell(
    found: list[Fact], k: int, data: st.DataObject
) -> None:
    hidden = {cell for cell, who in residents_by_cell(found).items() if len(who) < k}
    changed = perturbed(found, hidden, lambda f: (f.item, f.point), data)
    before, after = demand("c", found, TODAY, k, POINTS), demand("c", changed, TODAY, k, POINTS)
    assert before.cells == after.cells
    assert before.totals == after.totals
    assert before.warehouses == after.warehouses


@SETTINGS
@given(found=facts, k=ks, data=st.data())
def test_repurchase_rates_are_over_k_buyers_and_ignore_the_suppressed(
    found: list[Fact], k: int, data: st.DataObject
) -> None:
    truth = residents_by_item(found)
    answer = repurchase("c", found, TODAY, k)
    for rate in answer.items:
        assert rate.buyers == len(truth[rate.item]) >= k
        assert 0 <= rate.repeat_buyers <= rate.buyers
        assert (rate.median_days_between is None) == (rate.repeat_buyers < k)
    assert answer.suppressed == sum(1 for who in truth.values() if len(who) < k)
    hidden = {item for item, who in truth.items() if len(who) < k}
    changed = perturbed(found, hidden, lambda f: f.item, data)
    assert repurchase("c", changed, TODAY, k).items == answer.items


@SETTINGS
@given(given_remarks=remarks, k=ks, data=st.data())
def test_feedback_is_shown_over_k_residents_without_authors(
    given_remarks: list[Remark], k: int, data: st.DataObject
) -> None:
    authors: dict[str, set[int]] = defaultdict(set)
    for remark in given_remarks:
        authors[remark.item].add(remark.member)
    answer = feedback("c", given_remarks, k, {"milk": "Milk 1L"})
    for item in answer.items:
        assert item.residents == len(authors[item.item]) >= k
        assert sorted(item.remarks) == sorted(r.text for r in given_remarks if r.item == item.item)
    assert "member" not in answer.model_dump_json()
    hidden = {item for item, who in authors.items() if len(who) < k}
    # a suppressed item's remarks rewritten, some of its authors gone: it stays under k
    changed = [r for r in given_remarks if r.item not in hidden]
    changed += [
        Remark(member, item, data.draw(st.text(max_size=20)))
        for item in hidden
        for member in authors[item]
        if data.draw(st.booleans())
    ]
    assert feedback("c", changed, k, {"milk": "Milk 1L"}).items == answer.items


def test_a_cell_of_exactly_k_residents_is_answered_one_fewer_is_not() -> None:
    found = [Fact(m, "milk", "Milk", 1, TODAY - timedelta(days=m), 2) for m in range(1, 11)]
    assert [c.residents for c in demand("c", found, TODAY, 10, POINTS).cells] == [10]
    answer = demand("c", found[:-1], TODAY, 10, POINTS)
    assert answer.cells == [] and answer.totals == [] and answer.suppressed == 1
    # the same resident buying many times is still one resident
    again = [*found[:-1], Fact(9, "milk", "Milk", 1, TODAY - timedelta(days=1), 5)]
    assert demand("c", again, TODAY, 10, POINTS).cells == []


def test_k_has_a_floor() -> None:
    with pytest.raises(ValueError, match="at least 5"):
        k_anonymous({"milk": {1, 2, 3}}, 2)
