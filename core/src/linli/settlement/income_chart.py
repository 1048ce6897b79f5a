"""A leader's income as a picture: net income per month, stacked by kind, in one currency.

Drawn with matplotlib's object API (no pyplot, no global state) like the credit service's
plots, so a route can draw in a worker thread; PNG or SVG (:data:`linli.credit.plots.FORMATS`).
"""

from __future__ import annotations

from linli_sdk import Money
from matplotlib.figure import Figure

from linli.credit.plots import render

from .income import IncomeKind, LeaderIncome

__all__ = ["income_chart"]

_COLOURS = {
    IncomeKind.COMMISSION: "#4c72b0",
    IncomeKind.SERVICE_SHARE: "#dd8452",
    IncomeKind.SUBSIDY: "#55a868",
    IncomeKind.OTHER: "#8c8c8c",
}


def income_chart(income: LeaderIncome, currency: str, title: str, fmt: str) -> bytes:
    """Bars per month of net income in ``currency`` (major units), one segment per kind.

    A kind whose net is negative in a month (refunds over earnings) is drawn below zero.
    """
    figure = Figure(figsize=(7, 3.6), dpi=100, layout="constrained")
    axes = figure.add_subplot()
    labels = [month.month for month in income.months]
    scale = 10 ** Money.zero(currency).exponent
    up, down = [0.0] * len(labels), [0.0] * len(labels)
    for kind in IncomeKind:
        values = []
        for month in income.months:
            amounts = month.by_kind.get(kind, [])
            values.append(sum(m.amount for m in amounts if m.currency == currency) / scale)
        if not any(values):
            continue  # a kind the leader earned nothing of stays out of the legend
        bottoms = [u if v >= 0 else d for v, u, d in zip(values, up, down, strict=True)]
        axes.bar(labels, values, bottom=bottoms, color=_COLOURS[kind], label=kind.value)
        for i, value in enumerate(values):
            if value >= 0:
                up[i] += value
            else:
                down[i] += value
    axes.axhline(0, color="black", linewidth=0.8)
    axes.margins(y=0.1)
    axes.set_ylabel(f"net income ({currency})")
    axes.set_title(title)
    if axes.get_legend_handles_labels()[0]:
        axes.legend(fontsize=7, loc="upper left")
    axes.tick_params(axis="x", labelrotation=45, labelsize=7)
    return render(figure, fmt)
