"""Files the platform and plugins hand to people: CSV tables safe to open, and QR codes.

**CSV**: every CSV a Linli component writes goes through :func:`csv_text` (or
:func:`csv_document`), which neutralises spreadsheet formulas (CSV injection, as OWASP
describes it): a text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is written with a leading single quote (``'=HYPERLINK(...)`` is shown as text, never
evaluated). Real numbers (``int``, ``float``, ``Decimal``; not strings that look like them)
are written as they are: their text is only digits, a sign and a point, which no spreadsheet
runs, so ``-300`` in a statement stays the number -300 and the file stays machine-readable.
A number that arrives as a string (``"-300"``) is escaped like any other text.

**QR codes**: :func:`qr_png` always makes a regular QR code, never a Micro QR symbol (which
most phone and WeChat scanners cannot read).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from decimal import Decimal

import segno

from .operations import Document

__all__ = [
    "FORMULA_PREFIXES",
    "csv_document",
    "csv_text",
    "qr_png",
    "safe_csv_cell",
    "safe_csv_rows",
]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""The first characters that make a spreadsheet read a text cell as a formula (OWASP)."""


def safe_csv_cell(value: object) -> object:
    """One cell, neutralised: text starting with a formula character gets a leading ``'``.

    ``int``, ``float`` and ``Decimal`` values (and ``bool``) are returned unchanged; ``None``
    becomes the empty string; anything else is written as its ``str()``, escaped if needed.
    """
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def safe_csv_rows(rows: Iterable[Iterable[object]]) -> Iterator[list[object]]:
    """Each row with every cell passed through :func:`safe_csv_cell`."""
    for row in rows:
        yield [safe_csv_cell(cell) for cell in row]


def csv_text(rows: Iterable[Iterable[object]]) -> str:
    """Rows (the header first) as CSV text, every cell neutralised (:func:`safe_csv_cell`)."""
    out = io.StringIO()
    csv.writer(out).writerows(safe_csv_rows(rows))
    return out.getvalue()


def csv_document(rows: Iterable[Iterable[object]], *, filename: str, bom: bool = True) -> Document:
    """Rows (the header first) as a UTF-8 CSV :class:`~linli_sdk.Document`, cells neutralised.

    With ``bom`` (the default) a byte-order mark leads, so spreadsheet programs read Chinese
    right; leave it out for files meant for programs.
    """
    encoding = "utf-8-sig" if bom else "utf-8"
    return Document(
        content=csv_text(rows).encode(encoding), media_type="text/csv", filename=filename
    )


def qr_png(data: str, *, scale: int = 8, border: int = 4, error: str = "m") -> bytes:
    """``data`` as a regular QR code (never Micro QR), a PNG image.

    Args:
        data: The text to encode (a pickup code, a URL...).
        scale: Pixels per module.
        border: The quiet zone around the symbol, in modules (4 is what the standard asks).
        error: The error correction level: ``l``, ``m``, ``q`` or ``h``.
    """
    out = io.BytesIO()
    segno.make(data, error=error, micro=False).save(out, kind="png", scale=scale, border=border)
    return out.getvalue()
