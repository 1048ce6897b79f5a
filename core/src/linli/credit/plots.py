"""Pictures of credit: a community's score distribution and one subject's score over time.

Rendered with matplotlib's object API on the Agg canvas (no pyplot, no global state), so a
route can draw in a worker thread while the event loop serves others. PNG or SVG.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .model import MAX_SCORE, MIN_SCORE

__all__ = ["FORMATS", "distribution_plot", "history_plot", "render"]

FORMATS = {"png": "image/png", "svg": "image/svg+xml"}
"""The formats a plot is served in, with their media types."""


def render(figure: Figure, fmt: str) -> bytes:
    """``figure`` drawn on the Agg canvas as ``png`` or ``svg`` bytes (an SVG without a date)."""
    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    metadata = {"Date": None} if fmt == "svg" else {}
    figure.savefig(buffer, format=fmt, metadata=metadata)
    return buffer.getvalue()


def _thresholds(axes: Axes, lines: Sequence[tuple[str, int]], vertical: bool) -> None:
    for label, value in lines:
        if vertical:
            axes.axvline(value, linestyle="--", linewidth=1, color="grey")
            where = axes.get_xaxis_transform()
            axes.text(value, 0.98, f" {label}", rotation=90, va="top", fontsize=7, transform=where)
        else:
            axes.axhline(value, linestyle="--", linewidth=1, color="grey")
            where = axes.get_yaxis_transform()
            axes.text(0.01, value, f"{label} ", va="bottom", fontsize=7, transform=where)


def distribution_plot(
    scores: Sequence[int], title: str, thresholds: Sequence[tuple[str, int]], fmt: str
) -> bytes:
    """A histogram of ``scores`` (bins of 25 points) with the gates' thresholds marked."""
    figure = Figure(figsize=(7, 3.6), dpi=100, layout="constrained")
    axes = figure.add_subplot()
    axes.hist(list(scores), bins=range(MIN_SCORE, MAX_SCORE + 25, 25), color="#4c72b0")
    _thresholds(axes, thresholds, vertical=True)
    axes.set_xlim(MIN_SCORE, MAX_SCORE)
    axes.set_xlabel("credit score")
    axes.set_ylabel("members")
    axes.set_title(f"{title} (n={len(scores)})")
    return render(figure, fmt)


def history_plot(
    moments: Sequence[datetime],
    scores: Sequence[int],
    title: str,
    thresholds: Sequence[tuple[str, int]],
    fmt: str,
) -> bytes:
    """One subject's score at each moment, as a step line, with the thresholds marked."""
    figure = Figure(figsize=(7, 3.6), dpi=100, layout="constrained")
    axes = figure.add_subplot()
    days = [moment.timestamp() / 86_400 for moment in moments]  # matplotlib's date numbers
    axes.step(days, list(scores), where="post", color="#dd8452")
    axes.xaxis_date()
    _thresholds(axes, thresholds, vertical=False)
    axes.set_ylim(MIN_SCORE, MAX_SCORE)
    axes.set_ylabel("credit score")
    axes.set_title(title)
    figure.autofmt_xdate()
    return render(figure, fmt)
