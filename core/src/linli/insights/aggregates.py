"""The insights from purchase facts and remarks: pure functions, k-anonymous by construction.

Each function groups what residents did into cells, asks `linli.insights.anonymity.k_anonymous`
which cells have at least ``k`` distinct residents, and computes figures from the answered
cells' own facts alone: a suppressed cell's facts are never read past counting its residents.

- `demand`: per item and pickup point, tomorrow's forecast (`linli.insights.forecast`) from the
  ``HISTORY`` complete days up to yesterday, the cell's series starting at its first sale in
  that window; per item, and per item and grid warehouse (网格仓), the total over the
  answered pickup points only.
- `repurchase`: per item, of the residents who bought it in the same window, the share who
  bought it on two days or more, and (over at least ``k`` such residents) the median gap
  between one resident's purchases.
- `feedback`: per item, the remarks of the residents who left one, without authors, sorted.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise

from .anonymity import k_anonymous
from .forecast import HISTORY, forecast
from .schemas import (
    CellDemand,
    DemandForecast,
    FeedbackSummary,
    ItemDemand,
    ItemFeedback,
    RepurchaseRate,
    RepurchaseRates,
    WarehouseDemand,
)

__all__ = ["Fact", "Point", "Remark", "demand", "feedback", "repurchase", "window"]


@dataclass(frozen=True, slots=True)
class Fact:
    """What the insights read of a purchase fact: who (for counting only), what, where, when."""

    member: int
    item: str
    item_name: str
    point: int | None
    day: date
    quantity: int


@dataclass(frozen=True, slots=True)
class Point:
    """A pickup point as the answers name it, and the grid warehouse supplying it."""

    name: str
    grid_warehouse_id: int | None = None
    grid_warehouse: str | None = None


@dataclass(frozen=True, slots=True)
class Remark:
    """A resident's remark on an item (the member only counts residents)."""

    member: int
    item: str
    text: str


Cell = tuple[str, int | None]


def window(today: date) -> tuple[date, date]:
    """The complete days the insights read on ``today``: the ``HISTORY`` days to yesterday."""
    return today - timedelta(days=HISTORY), today - timedelta(days=1)


def _cell_order(cell: Cell) -> tuple[str, bool, int]:
    return cell[0], cell[1] is None, cell[1] or 0


def demand(
    community: str,
    facts: Iterable[Fact],
    today: date,
    k: int,
    points: Mapping[int, Point],
) -> DemandForecast:
    """Tomorrow's demand per item and pickup point (``points``: the community's, by id)."""
    facts = list(facts)
    first, last = window(today)
    tomorrow = today + timedelta(days=1)
    residents: dict[Cell, set[int]] = defaultdict(set)
    for fact in facts:
        if first <= fact.day <= last:
            residents[(fact.item, fact.point)].add(fact.member)
    answered = k_anonymous(residents, k)
    # Only now are quantities read, and only the answered cells'.
    cells = sorted(answered.keys, key=_cell_order)
    daily: dict[Cell, dict[date, int]] = {cell: defaultdict(int) for cell in cells}
    named: dict[Cell, tuple[date, str]] = {}
    for fact in facts:
        cell = (fact.item, fact.point)
        if cell in daily and first <= fact.day <= last:
            daily[cell][fact.day] += fact.quantity
            named[cell] = max(named.get(cell, (first, "")), (fact.day, fact.item_name))
    names = {cell: name for cell, (_, name) in named.items()}
    found: list[CellDemand] = []
    for cell in cells:
        days = daily[cell]
        start = min(days)
        series = [days.get(start + timedelta(days=i), 0) for i in range((last - start).days + 1)]
        f = forecast(series, start, tomorrow)
        item, point = cell
        where = points.get(point) if point is not None else None
        found.append(
            CellDemand(
                item=item,
                item_name=names[cell],
                pickup_point_id=point,
                pickup_point=where.name if where else None,
                grid_warehouse_id=where.grid_warehouse_id if where else None,
                grid_warehouse=where.grid_warehouse if where else None,
                day=tomorrow,
                forecast=round(f.quantity, 1),
                residents=answered.residents[cell],
                level=round(f.level, 2),
                trend=round(f.trend, 3),
                weekday_factor=round(f.weekday_factor, 3),
                history_days=f.history_days,
                explanation=f.explanation(),
            )
        )
    return DemandForecast(
        community=community,
        day=tomorrow,
        k=k,
        history_from=first,
        history_to=last,
        cells=found,
        totals=_totals(found),
        warehouses=_warehouses(found),
        suppressed=answered.suppressed,
    )


def _totals(cells: list[CellDemand]) -> list[ItemDemand]:
    """Each item's forecast: the sum of its answered cells as shown (so they add up)."""
    by_item: dict[str, list[CellDemand]] = defaultdict(list)
    for cell in cells:
        by_item[cell.item].append(cell)
    return [
        ItemDemand(
            item=item,
            item_name=found[0].item_name,
            day=found[0].day,
            forecast=round(sum(c.forecast for c in found), 1),
            pickup_points=len(found),
        )
        for item, found in by_item.items()
    ]


def _warehouses(cells: list[CellDemand]) -> list[WarehouseDemand]:
    """Each item's forecast per grid warehouse: the sum of its answered cells there."""
    by_warehouse: dict[tuple[int, str], list[CellDemand]] = defaultdict(list)
    for cell in cells:
        if cell.grid_warehouse_id is not None:
            by_warehouse[(cell.grid_warehouse_id, cell.item)].append(cell)
    return [
        WarehouseDemand(
            grid_warehouse_id=warehouse,
            grid_warehouse=found[0].grid_warehouse or "",
            item=item,
            item_name=found[0].item_name,
            day=found[0].day,
            forecast=round(sum(c.forecast for c in found), 1),
            pickup_points=len(found),
        )
        for (warehouse, item), found in sorted(by_warehouse.items())
    ]


def repurchase(community: str, facts: Iterable[Fact], today: date, k: int) -> RepurchaseRates:
    """Per item, the share of its buyers who bought it again within the window."""
    facts = list(facts)
    first, last = window(today)
    buyers: dict[str, set[int]] = defaultdict(set)
    for fact in facts:
        if first <= fact.day <= last:
            buyers[fact.item].add(fact.member)
    answered = k_anonymous(buyers, k)
    items = sorted(answered.keys)
    days: dict[str, dict[int, set[date]]] = {item: defaultdict(set) for item in items}
    named: dict[str, tuple[date, str]] = {}
    for fact in facts:
        if fact.item in days and first <= fact.day <= last:
            days[fact.item][fact.member].add(fact.day)
            named[fact.item] = max(named.get(fact.item, (first, "")), (fact.day, fact.item_name))
    rates = []
    for item in items:
        repeat = [sorted(d) for d in days[item].values() if len(d) > 1]
        gaps = [(b - a).days for d in repeat for a, b in pairwise(d)]
        n = answered.residents[item]
        rates.append(
            RepurchaseRate(
                item=item,
                item_name=named[item][1],
                buyers=n,
                repeat_buyers=len(repeat),
                rate=round(len(repeat) / n, 3),
                median_days_between=statistics.median(gaps) if len(repeat) >= k else None,
            )
        )
    return RepurchaseRates(
        community=community,
        k=k,
        window_from=first,
        window_to=last,
        items=rates,
        suppressed=answered.suppressed,
    )


def feedback(
    community: str, remarks: Iterable[Remark], k: int, names: Mapping[str, str]
) -> FeedbackSummary:
    """Per item remarked on by at least ``k`` residents, the remarks (``names``: item names)."""
    remarks = list(remarks)
    authors: dict[str, set[int]] = defaultdict(set)
    for remark in remarks:
        authors[remark.item].add(remark.member)
    answered = k_anonymous(authors, k)
    texts: dict[str, list[str]] = {item: [] for item in answered.keys}
    for remark in remarks:
        if remark.item in texts:
            texts[remark.item].append(remark.text)
    return FeedbackSummary(
        community=community,
        k=k,
        items=[
            ItemFeedback(
                item=item,
                item_name=names.get(item, item),
                residents=answered.residents[item],
                remarks=sorted(texts[item]),
            )
            for item in sorted(texts)
        ],
        suppressed=answered.suppressed,
    )
