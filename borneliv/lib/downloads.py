"""Aggregates as files: one writer for CSV and XLSX, one response for the download.

Every aggregate page (prevalence, coverage, motor trends) hands its rows — already suppressed —
to ``download``. CSV is written for Excel as Danish offices use it: UTF-8 with a byte-order mark,
``;`` between fields (the decimal comma needs the comma), CRLF line ends, numbers with a decimal
comma. XLSX keeps numbers as numbers. In both, text that a spreadsheet would run as a formula is
kept text (``tabular.spreadsheet_safe`` in CSV, a string cell in XLSX). The file name is ASCII
words (``text.ascii_filename``) and the response is never cached.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font

from borneliv.lib.tabular import spreadsheet_safe
from borneliv.lib.text import ascii_filename

CSV = "csv"
XLSX = "xlsx"
FORMATS = (CSV, XLSX)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Value = str | int | float | Decimal | None


@dataclass(frozen=True)
class Sheet:
    """An aggregate as a file shows it: a header row and the rows below it."""

    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Value]]


def _csv_text(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return spreadsheet_safe(value)
    if isinstance(value, int):
        return str(value)
    return str(value).replace(".", ",")  # float or Decimal: the Danish decimal comma


def csv_bytes(sheet: Sheet) -> bytes:
    """The sheet as CSV for Excel: UTF-8 with a byte-order mark, ``;``, CRLF."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([_csv_text(h) for h in sheet.headers])
    writer.writerows([_csv_text(v) for v in row] for row in sheet.rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(sheet: Sheet) -> bytes:
    """The sheet as one XLSX worksheet: a bold, frozen header row; text never a formula."""
    workbook = Workbook()
    worksheet = workbook.active
    assert worksheet is not None
    worksheet.title = (sheet.title or "Data")[:31]
    worksheet.append(list(sheet.headers))
    for cell in worksheet[1]:
        cell.font = Font(bold=True)
    for row in sheet.rows:
        worksheet.append([float(v) if isinstance(v, Decimal) else v for v in row])
    for line in worksheet.iter_rows(min_row=2):
        for cell in line:
            if cell.data_type == "f":  # text that openpyxl took for a formula stays text
                cell.data_type = "s"
    worksheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def download(sheet: Sheet, *, name: Sequence[str], format: str = CSV) -> HttpResponse:
    """The sheet as a file to save, named by ``name`` in ASCII words (``format``: csv or xlsx)."""
    if format == XLSX:
        response = HttpResponse(xlsx_bytes(sheet), content_type=XLSX_TYPE)
    else:
        format = CSV
        response = HttpResponse(csv_bytes(sheet), content_type="text/csv; charset=utf-8")
    filename = ascii_filename(*name, extension=format)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
