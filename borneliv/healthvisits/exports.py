"""The worklist as CSV or XLSX: name, birth date, area, contact, status, window. Never the CPR.

CSV files are written for Excel as Danish offices use it: UTF-8 with a byte-order mark and
semicolons between fields. Text that a spreadsheet would run as a formula (starting with ``=``,
``+``, ``-``, ``@``) is prefixed with an apostrophe in CSV, and stored as a text cell in XLSX.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from borneliv.healthvisits.selectors import WorklistRow
from borneliv.healthvisits.templatetags.healthvisits import status_label
from borneliv.lib.tabular import spreadsheet_safe

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def headers() -> list[str]:
    return [
        _("Name"),
        _("Birth date"),
        _("Area"),
        _("Contact"),
        _("Status"),
        _("Window opens"),
        _("Window closes"),
    ]


def _values(row: WorklistRow) -> list[str | dt.date]:
    return [
        row.name,
        row.birth_date,
        row.area_name,
        row.stage.name,
        str(status_label(row.status)),
        row.window_start,
        row.window_end,
    ]


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def worklist_csv(rows: Sequence[WorklistRow], *, filename: str) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers())
    for row in rows:
        writer.writerow(
            [v.isoformat() if isinstance(v, dt.date) else spreadsheet_safe(v) for v in _values(row)]
        )
    response = HttpResponse(
        ("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    return _attachment(response, filename)


def worklist_xlsx(rows: Sequence[WorklistRow], *, filename: str, title: str) -> HttpResponse:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title[:31]
    sheet.append(headers())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(_values(row))
    for line in sheet.iter_rows(min_row=2):
        for cell in line:
            if cell.data_type == "f":  # text that openpyxl took for a formula stays text
                cell.data_type = "s"
    for column in ("B", "F", "G"):
        for cell in sheet[column][1:]:
            cell.number_format = "DD-MM-YYYY"
    widths = {"A": 28, "B": 12, "C": 18, "D": 40, "E": 16, "F": 14, "G": 14}
    for column, width in widths.items():
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _attachment(HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE), filename)
