"""The insights as CSV, for suppliers' spreadsheets and purchasing systems.

One row per answered cell (demand, repurchase) or per remark (feedback), with a header row,
written by the SDK's `linli_sdk.csv_text`: free text that a spreadsheet would run as a formula
is prefixed with ``'``, so a remark cannot become a formula on a supplier's machine (CSV
injection). The files are UTF-8 with a byte-order mark, so spreadsheet programs read Chinese
item names and remarks right.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from linli_sdk import csv_text

from .schemas import DemandForecast, FeedbackSummary, RepurchaseRates

__all__ = ["demand_csv", "feedback_csv", "repurchase_csv"]


def _table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    return csv_text([header, *rows]).encode("utf-8-sig")


def demand_csv(answer: DemandForecast) -> bytes:
    """Tomorrow's forecast, one row per item and pickup point answered."""
    fields = (
        "day",
        "item",
        "item_name",
        "pickup_point_id",
        "pickup_point",
        "grid_warehouse",
        "forecast",
        "residents",
        "level",
        "trend",
        "weekday_factor",
        "history_days",
        "explanation",
    )
    return _table(fields, ([getattr(c, f) for f in fields] for c in answer.cells))


def repurchase_csv(answer: RepurchaseRates) -> bytes:
    """Repurchase rates, one row per item answered."""
    fields = ("item", "item_name", "buyers", "repeat_buyers", "rate", "median_days_between")
    rows = (
        [answer.window_from, answer.window_to, *(getattr(r, f) for f in fields)]
        for r in answer.items
    )
    return _table(("window_from", "window_to", *fields), rows)


def feedback_csv(answer: FeedbackSummary) -> bytes:
    """Residents' remarks, one row per remark (no author, no date)."""
    rows = (
        (item.item, item.item_name, item.residents, remark)
        for item in answer.items
        for remark in item.remarks
    )
    return _table(("item", "item_name", "residents", "remark"), rows)
