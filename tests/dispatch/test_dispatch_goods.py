"""Goods: pick lists, grid and truck-run manifests conserve every item; CSV and PDF print."""

from __future__ import annotations

import csv
import io
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from linli.dispatch.logistics.documents import (
    grid_manifest_table,
    pick_list_table,
    to_csv,
    to_pdf,
    truck_run_table,
)
from linli.dispatch.logistics.goods import (
    GoodsOrder,
    OrderLine,
    grid_manifests,
    pick_lists,
    truck_runs,
)

POINTS = {"p1": "g1", "p2": "g1", "p3": "g2", "p4": "g3"}
ITEMS = {"apple": "Apples 1kg", "egg": "Eggs x10", "rice": "Rice 5kg"}

orders = st.lists(
    st.builds(
        GoodsOrder,
        ref=st.uuids().map(str),
        member=st.sampled_from(["Li", "Wang", "Zhang"]),
        pickup_point=st.sampled_from(sorted(POINTS)),
        lines=st.lists(
            st.builds(
                lambda sku, qty: OrderLine(sku, ITEMS[sku], qty),
                st.sampled_from(sorted(ITEMS)),
                st.integers(1, 9),
            ),
            min_size=1,
            max_size=3,
        ).map(tuple),
    ),
    max_size=30,
)


def ordered(all_orders: list[GoodsOrder]) -> Counter[str]:
    total: Counter[str] = Counter()
    for order in all_orders:
        for line in order.lines:
            total[line.sku] += line.quantity
    return total


@settings(max_examples=80, deadline=None)
@given(orders, st.integers(0, 60))
def test_every_item_ordered_is_picked_manifested_and_trucked_once(all_orders, spare):
    lists = pick_lists(all_orders)
    assert [p.pickup_point for p in lists] == sorted({o.pickup_point for o in all_orders})
    want = ordered(all_orders)
    picked = sum((Counter(p.totals) for p in lists), Counter())
    assert picked == want
    manifests = grid_manifests(lists, POINTS)
    assert sum((Counter(m.totals) for m in manifests), Counter()) == want
    largest = max((c.items for m in manifests for c in m.consignments), default=1)
    capacity = largest + spare
    runs = truck_runs(manifests, capacity)
    assert all(run.items <= capacity for run in runs)
    carried = [(c.grid, c.pickup_point) for run in runs for c in run.consignments]
    assert sorted(carried) == sorted((POINTS[p.pickup_point], p.pickup_point) for p in lists)
    for manifest in manifests:  # a grid warehouse that fits on one truck is not split
        if sum(c.items for c in manifest.consignments) <= capacity:
            assert (
                len({r.number for r in runs for c in r.consignments if c.grid == manifest.grid})
                == 1
            )


def test_a_consignment_bigger_than_a_truck_is_refused():
    big = [GoodsOrder("o1", "Li", "p1", (OrderLine("rice", "Rice 5kg", 50),))]
    with pytest.raises(ValueError, match="exceeds a truck"):
        truck_runs(grid_manifests(pick_lists(big), POINTS), 10)
    with pytest.raises(ValueError, match="no grid warehouse"):
        grid_manifests(pick_lists(big), {})


def test_pick_lists_and_manifests_print_as_csv_and_pdf():
    some = [
        GoodsOrder("o2", "王*", "p1", (OrderLine("egg", "鸡蛋 x10", 2),)),
        GoodsOrder(
            "o1", "Li", "p1", (OrderLine("egg", "鸡蛋 x10", 1), OrderLine("apple", "Apples", 3))
        ),
        GoodsOrder("o3", "Zhang", "p3", (OrderLine("apple", "Apples", 1),)),
    ]
    lists = pick_lists(some)
    table = pick_list_table(lists[0])
    rows = list(csv.reader(io.StringIO(to_csv([table]).decode("utf-8-sig"))))
    assert rows[0] == ["document", "order", "member", "sku", "item", "quantity"]
    assert [row[1:] for row in rows[1:4]] == [
        ["o1", "Li", "egg", "鸡蛋 x10", "1"],
        ["o1", "Li", "apple", "Apples", "3"],
        ["o2", "王*", "egg", "鸡蛋 x10", "2"],
    ]
    assert ["Pick list - p1", "TOTAL", "", "egg", "鸡蛋 x10", "3"] in rows
    manifests = grid_manifests(lists, POINTS)
    runs = truck_runs(manifests, 100)
    tables = [table, *map(grid_manifest_table, manifests), *map(truck_run_table, runs)]
    pdf = to_pdf(tables)
    assert pdf.startswith(b"%PDF-")
    assert pdf.count(b"/Type /Page\n") == len(tables)  # one page per document


def test_pick_list_cells_that_a_spreadsheet_would_run_are_neutralised():
    hostile = GoodsOrder("=1+2", "@SUM(A1)", "p1", (OrderLine("-egg", "+cmd|' /C calc'!A0", 2),))
    (table,) = [pick_list_table(found) for found in pick_lists([hostile])]
    rows = list(csv.reader(io.StringIO(to_csv([table]).decode("utf-8-sig"))))
    assert rows[1][1:] == ["'=1+2", "'@SUM(A1)", "'-egg", "'+cmd|' /C calc'!A0", "2"]
