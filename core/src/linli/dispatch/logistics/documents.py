"""Printable goods documents: pick lists and manifests as CSV and as PDF (fpdf2).

Each document is a title and a table; :func:`to_csv` and :func:`to_pdf` render the same
table. PDFs use the built-in Helvetica unless a TrueType ``font`` is given; Chinese names need
one that covers them (e.g. Noto Sans CJK) — without it they print as ``?``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF
from linli_sdk import csv_text

from linli.dispatch.logistics.goods import (
    GoodsOrder,
    GridManifest,
    PickList,
    TruckRun,
    grid_manifests,
    pick_lists,
    truck_runs,
)

__all__ = [
    "Table",
    "goods_documents",
    "grid_manifest_table",
    "pick_list_table",
    "render_goods",
    "to_csv",
    "to_pdf",
    "truck_run_table",
]


@dataclass(frozen=True, slots=True)
class Table:
    """A document: a title, column headers and rows of text."""

    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def pick_list_table(pick: PickList) -> Table:
    """A pickup point's pick list: one row per order line, then the totals per item."""
    rows = [
        (order.ref, order.member, line.sku, line.name, str(line.quantity))
        for order in pick.orders
        for line in order.lines
    ]
    rows += [("TOTAL", "", sku, pick.names[sku], str(qty)) for sku, qty in pick.totals.items()]
    return Table(
        f"Pick list - {pick.pickup_point}",
        ("order", "member", "sku", "item", "quantity"),
        tuple(rows),
    )


def grid_manifest_table(manifest: GridManifest) -> Table:
    """A grid warehouse's manifest: what goes on to each pickup point, then its totals."""
    rows = [
        (c.pickup_point, sku, str(qty))
        for c in manifest.consignments
        for sku, qty in c.totals.items()
    ]
    rows += [("TOTAL", sku, str(qty)) for sku, qty in manifest.totals.items()]
    return Table(
        f"Manifest - grid warehouse {manifest.grid}",
        ("pickup point", "sku", "quantity"),
        tuple(rows),
    )


def truck_run_table(run: TruckRun) -> Table:
    """A truck run's manifest: each consignment's grid warehouse, pickup point and items."""
    rows = [
        (c.grid, c.pickup_point, sku, str(qty))
        for c in run.consignments
        for sku, qty in c.totals.items()
    ]
    return Table(
        f"Truck run {run.number} ({run.items} items)",
        ("grid warehouse", "pickup point", "sku", "quantity"),
        tuple(rows),
    )


def to_csv(tables: Sequence[Table]) -> bytes:
    """Tables of the same kind as one UTF-8 CSV, each row led by its document's title.

    A BOM leads, so spreadsheet programs read Chinese right; cells are neutralised against
    formulas (:func:`linli_sdk.csv_text`).
    """
    header = [("document", *tables[0].header)] if tables else []
    rows = ((table.title, *row) for table in tables for row in table.rows)
    return csv_text([*header, *rows]).encode("utf-8-sig")


def to_pdf(tables: Sequence[Table], font: Path | None = None) -> bytes:
    """The tables as one A4 PDF, each starting on a new page."""
    pdf = FPDF(format="A4")
    family = "Helvetica"
    if font is not None:
        pdf.add_font("Body", fname=str(font))
        family = "Body"

    def text(value: str) -> str:
        return value if font else value.encode("latin-1", "replace").decode("latin-1")

    for table in tables:
        pdf.add_page()
        pdf.set_font(family, size=14)
        pdf.cell(text=text(table.title), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        pdf.set_font(family, size=9)
        with pdf.table(text_align="LEFT") as grid:
            for row in (table.header, *table.rows):
                cells = grid.row()
                for value in row:
                    cells.cell(text(value))
    return bytes(pdf.output())


def goods_documents(
    kind: str, orders: Sequence[GoodsOrder], grid_of: Mapping[str, str], truck_capacity: int
) -> list[Table]:
    """The ``kind`` of documents (``pick-lists``, ``grid-manifests``, ``truck-runs``)."""
    lists = pick_lists(orders)
    if kind == "pick-lists":
        return [pick_list_table(p) for p in lists]
    manifests = grid_manifests(lists, grid_of)
    if kind == "grid-manifests":
        return [grid_manifest_table(m) for m in manifests]
    if kind == "truck-runs":
        return [truck_run_table(r) for r in truck_runs(manifests, truck_capacity)]
    raise ValueError(f"unknown goods document {kind!r}")


def render_goods(
    kind: str,
    orders: Sequence[GoodsOrder],
    grid_of: Mapping[str, str],
    truck_capacity: int,
    format: str,
) -> tuple[bytes, str]:
    """The ``kind`` of documents rendered as ``csv`` or ``pdf``: the bytes and media type.

    Raises:
        ValueError: An unknown kind or format, or orders the network cannot route.

    """
    tables = goods_documents(kind, orders, grid_of, truck_capacity)
    if format == "csv":
        return to_csv(tables), "text/csv"
    if format == "pdf":
        return to_pdf(tables), "application/pdf"
    raise ValueError(f"unknown format {format!r}: use csv or pdf")
