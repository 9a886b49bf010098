"""Aggregates as files: CSV for Excel (BOM, ``;``, decimal comma) and XLSX, one response."""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import load_workbook

from borneliv.lib import downloads

SHEET = downloads.Sheet(
    "Forekomst",
    ["Område", "n", "Procent"],
    [["Lindholm", 6, Decimal("12.5")], ["=SUM(A1)", None, 0.25], ["Vejgaard", 0, ""]],
)


def test_the_csv_is_for_excel_with_a_decimal_comma() -> None:
    text = downloads.csv_bytes(SHEET).decode("utf-8")
    assert text.startswith("\ufeff")
    assert text.lstrip("\ufeff").split("\r\n") == [
        "Område;n;Procent",
        "Lindholm;6;12,5",
        "'=SUM(A1);;0,25",
        "Vejgaard;0;",
        "",
    ]


def test_the_xlsx_keeps_numbers_as_numbers_and_formulas_as_text() -> None:
    sheet = load_workbook(io.BytesIO(downloads.xlsx_bytes(SHEET))).active
    assert sheet is not None
    assert sheet.title == "Forekomst"
    assert [c.value for c in sheet[2]] == ["Lindholm", 6, 12.5]
    assert sheet["A3"].value == "=SUM(A1)" and sheet["A3"].data_type == "s"
    assert sheet.freeze_panes == "A2"


def test_the_download_is_named_in_ascii_words_and_never_cached() -> None:
    response = downloads.download(SHEET, name=["Forekomst", "6–10 måneder"], format="xlsx")
    assert response["Content-Type"] == downloads.XLSX_TYPE
    assert response["Content-Disposition"] == (
        'attachment; filename="forekomst-6-10-maaneder.xlsx"'
    )
    assert response["Cache-Control"] == "no-store"
    response = downloads.download(SHEET, name=["Dækning", "2024"], format="anything")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="daekning-2024.csv"'
