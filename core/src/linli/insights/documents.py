"""The insights as CSV, for suppliers' spreadsheets and purchasing systems.

One row per answered cell (demand, repurchase) or per remark (feedback), with a header row.
Free text that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return) is prefixed with ``'``, so a remark cannot become a formula on a
supplier's machine (CSV injection).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from .schemas import DemandForecast, FeedbackSummary, RepurchaseRates

__all__ = ["demand_csv", "feedback_csv", "repurchase_csv"]

_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _safe(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return "" if value is None else value


def _table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([_safe(v) for v in row] for row in rows)
    return out.getvalue()


def demand_csv(answer: DemandForecast) -> str:
    """Tomorrow's forecast, one row per item and pickup point answered."""
    fields = (
        "day",
        "item",
        "item_name",
        "pickup_point_id",
        "pickup_point",
        "forecast",
        "residents",
        "level",
        "trend",
        "weekday_factor",
        "history_days",
        "explanation",
    )
    return _table(fields, ([getattr(c, f) for f in fields] for c in answer.cells))


def repurchase_csv(answer: RepurchaseRates) -> str:
    """Repurchase rates, one row per item answered."""
    fields = ("item", "item_name", "buyers", "repeat_buyers", "rate", "median_days_between")
    rows = (
        [answer.window_from, answer.window_to, *(getattr(r, f) for f in fields)]
        for r in answer.items
    )
    return _table(("window_from", "window_to", *fields), rows)


def feedback_csv(answer: FeedbackSummary) -> str:
    """Residents' remarks, one row per remark (no author, no date)."""
    rows = (
        (item.item, item.item_name, item.residents, remark)
        for item in answer.items
        for remark in item.remarks
    )
    return _table(("item", "item_name", "residents", "remark"), rows)
