"""Reading the rows of an uploaded CSV or XLSX file whose header names its columns.

Shared by the imports (``children.imports``, ``growth.imports``): each passes its own column
names (``aliases``: canonical column → accepted header names, lower case) and the columns it
requires. Header names are matched without regard to case or surrounding space; a column the
importer does not know is ignored; blank lines are skipped. CSV files are UTF-8 with or without a
byte-order mark, separated by ``;`` or ``,`` (whichever the header line uses more); XLSX files are
read from their first sheet.

Messages (``ImportFileError``) are safe to show: they name columns and limits, never cell values.
A column is named as the import page documents it (``names``; by default its first accepted
header name), never by the importer's internal name.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

MAX_ROWS = 50_000
DATE_FORMATS = ("%d.%m.%Y", "%d-%m-%Y", "%d/%m/%Y", "%Y-%m-%d")

Aliases = Mapping[str, Sequence[str]]


class ImportFileError(ValueError):
    """The file as a whole cannot be read; the message is safe to show."""


@dataclass
class SourceRow:
    """One data row of the file: its row number (the header is row 1) and its cells by column."""

    number: int
    values: dict[str, Any]


def column_of(header: str, aliases: Aliases) -> str | None:
    """The canonical column a header cell names, or None for a column nobody reads."""
    name = header.replace("\ufeff", "").strip().lower()
    for column, names in aliases.items():
        if name in names:
            return column
    return None


def rows_from_table(
    table: Iterable[Sequence[Any]],
    *,
    aliases: Aliases,
    required: Sequence[str],
    max_rows: int = MAX_ROWS,
    names: Mapping[str, str] | None = None,
) -> list[SourceRow]:
    """The data rows of a table whose first row is the header."""
    iterator = iter(table)
    header = next(iterator, None)
    if header is None:
        raise ImportFileError(_("The file is empty."))
    columns = [column_of(str(cell or ""), aliases) for cell in header]
    missing = [c for c in required if c not in columns]
    if missing:
        shown = ", ".join((names or {}).get(c) or aliases[c][0] for c in missing)
        raise ImportFileError(
            _("The file lacks required columns: %(names)s. The first row must name the columns.")
            % {"names": shown}
        )
    rows: list[SourceRow] = []
    for number, cells in enumerate(iterator, start=2):
        values: dict[str, Any] = {}
        for column, cell in zip(columns, cells, strict=False):
            if column is not None and column not in values:
                values[column] = cell
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values.values()):
            continue  # blank line
        rows.append(SourceRow(number=number, values=values))
        if len(rows) > max_rows:
            raise ImportFileError(
                _("The file has more than %(max)d rows; split it into smaller files.")
                % {"max": max_rows}
            )
    return rows


def _csv_table(data: bytes) -> Iterable[Sequence[Any]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(
            _("The file is not UTF-8 text. Save it as “CSV UTF-8” or as an Excel workbook.")
        ) from None
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def read_rows(
    data: bytes,
    filename: str = "",
    *,
    aliases: Aliases,
    required: Sequence[str],
    max_rows: int = MAX_ROWS,
    names: Mapping[str, str] | None = None,
) -> list[SourceRow]:
    """The data rows of a CSV (``;`` or ``,``, UTF-8 with or without BOM) or XLSX file.

    ``names`` names the columns in messages as the import page documents them (canonical column
    → header name); a column without one is named by its first accepted header name.
    """
    if data[:4] == b"PK\x03\x04" or filename.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds for a broken file
            raise ImportFileError(_("The file cannot be read as an Excel workbook.")) from None
        try:
            sheet = workbook.worksheets[0]
            return rows_from_table(
                sheet.iter_rows(values_only=True),
                aliases=aliases,
                required=required,
                max_rows=max_rows,
                names=names,
            )
        finally:
            workbook.close()
    return rows_from_table(
        _csv_table(data), aliases=aliases, required=required, max_rows=max_rows, names=names
    )


# Cells


def cell_text(value: Any) -> str:
    """A cell as stripped text; a whole-number float (Excel) without its ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def cpr_text(value: Any) -> str:
    """A CPR cell as text; a number cell has lost its leading zero (Excel), so it is restored."""
    if isinstance(value, bool):
        return ""
    if isinstance(value, int | float) and float(value).is_integer() and 0 < value < 10**10:
        return f"{int(value):010d}"
    return cell_text(value)


def cell_date(value: Any) -> dt.date | None:
    """A date cell (an Excel date, dd.mm.yyyy, dd-mm-yyyy, dd/mm/yyyy or ISO); None if empty.

    Raises ``ValueError`` for text that is not a date.
    """
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value)
    if not text:
        return None
    text = text.split(" ")[0].split("T")[0]  # "2024-03-01 00:00:00" from some exports
    for pattern in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a date only
        except ValueError:
            continue
    raise ValueError(text)


#: A cell starting with one of these would be read as a formula by a spreadsheet.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """Text for a CSV/XLSX cell that a spreadsheet shows as text, never runs as a formula."""
    return f"'{text}" if text.startswith(_FORMULA_START) else text
