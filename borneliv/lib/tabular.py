"""Reading the rows of an uploaded CSV or XLSX file whose header names its columns.

Shared by the imports (``children.imports``, ``growth.imports``): each passes its own column
names (``aliases``: canonical column → accepted header names, lower case) and the columns it
requires. Header names are matched without regard to case or surrounding space; a column the
importer does not know is ignored; blank lines are skipped, but count towards the row limit
(a sheet of millions of blank rows is refused quickly, not read to its end). CSV files are UTF-8 with or without a
byte-order mark, separated by ``;`` or ``,`` (whichever the header line uses more); XLSX files are
read from their first sheet.

Messages (``ImportFileError``) are safe to show: they name columns and limits, never cell values.
A text cell with a control character (a NUL byte, say) is a problem of its row
(``SourceRow.problems``), naming the column as the file's header writes it.
A column is named as the import page documents it (``names``; by default its first accepted
header name), never by the importer's internal name.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

MAX_ROWS = 50_000
DATE_FORMATS = ("%d.%m.%Y", "%d-%m-%Y", "%d/%m/%Y", "%Y-%m-%d")
#: Characters no import stores: the C0 controls (NUL first: PostgreSQL refuses it in text)
#: but tab, line feed and carriage return, and DEL.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

Aliases = Mapping[str, Sequence[str]]


class ImportFileError(ValueError):
    """The file as a whole cannot be read; the message is safe to show."""


@dataclass
class SourceRow:
    """One data row of the file: its row number (the header is row 1) and its cells by column.

    ``headers`` names each column as the file's header row writes it (shared by every row), so
    a message names the column in the user's words; ``problems`` are the cells the reader
    refused (a control character), each a message naming its column.
    """

    number: int
    values: dict[str, Any]
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)
    problems: list[str] = field(default_factory=list)

    def column_name(self, column: str) -> str:
        """The column as the file's header writes it (else its internal name)."""
        return self.headers.get(column) or column


def column_of(header: str, aliases: Aliases) -> str | None:
    """The canonical column a header cell names, or None for a column nobody reads."""
    name = header.replace("\ufeff", "").strip().lower()
    for column, names in aliases.items():
        if name in names:
            return column
    return None


def _too_many_rows(max_rows: int) -> ImportFileError:
    return ImportFileError(
        _(
            "The file has more than %(max)d rows, blank rows included; delete its blank rows "
            "or split it into smaller files."
        )
        % {"max": max_rows}
    )


def control_character_message(column: str) -> str:
    return _(
        "The column %(column)s holds a control character (such as a NUL byte) that cannot be "
        "stored; remove it."
    ) % {"column": column}


def rows_from_table(
    table: Iterable[Sequence[Any]],
    *,
    aliases: Aliases,
    required: Sequence[str],
    max_rows: int = MAX_ROWS,
    names: Mapping[str, str] | None = None,
) -> list[SourceRow]:
    """The data rows of a table whose first row is the header.

    Every row counts towards ``max_rows``, blank ones too, and the reading stops at the first
    row past it: a sheet of millions of blank rows is refused after ``max_rows`` of them rather
    than read to its end. A text cell with a control character is a problem of its row.
    """
    iterator = iter(table)
    header = next(iterator, None)
    if header is None:
        raise ImportFileError(_("The file is empty."))
    columns = [column_of(str(cell or ""), aliases) for cell in header]
    missing = [c for c in required if c not in columns]
    if missing:
        if len(header) == 1 and any(mark in str(header[0] or "") for mark in "\t|"):
            raise ImportFileError(
                _(
                    "The columns are not separated by ; or , (the first row reads as one "
                    "column). Save the file as CSV separated by semicolons, or as an Excel "
                    "workbook."
                )
            )
        shown = ", ".join((names or {}).get(c) or aliases[c][0] for c in missing)
        raise ImportFileError(
            _("The file lacks required columns: %(names)s. The first row must name the columns.")
            % {"names": shown}
        )
    headers: dict[str, str] = {}
    for column, cell in zip(columns, header, strict=True):
        if column is not None and column not in headers:
            headers[column] = str(cell).replace("\ufeff", "").strip()
    rows: list[SourceRow] = []
    for number, cells in enumerate(iterator, start=2):
        if number - 1 > max_rows:
            raise _too_many_rows(max_rows)
        values: dict[str, Any] = {}
        for column, cell in zip(columns, cells, strict=False):
            if column is not None and column not in values:
                values[column] = cell
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values.values()):
            continue  # blank line
        row = SourceRow(number=number, values=values, headers=headers)
        for column, value in values.items():
            if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
                row.problems.append(control_character_message(headers[column]))
        rows.append(row)
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


def is_xlsx(data: bytes, filename: str = "") -> bool:
    """Whether the file is an Excel workbook (a zip archive, or named .xlsx)."""
    return data[:4] == b"PK\x03\x04" or filename.lower().endswith(".xlsx")


_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row\b([^>]*)>")
_ROW_NUMBER = re.compile(rb"\br=[\"'](\d+)")


def check_xlsx_rows(data: bytes, max_rows: int) -> None:
    """Refuse a workbook with a sheet of more than ``max_rows`` rows after its header, quickly.

    Counts the ``<row>`` elements (and the row numbers they claim: a row numbered 20,000,000
    stands for as many) in the sheets' XML as it unpacks, and stops at the first row past the
    limit: openpyxl reads a whole sheet once just to open the workbook, which takes minutes for
    millions of blank rows packed into a few hundred kilobytes.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        return  # openpyxl says it cannot read the file
    with archive:
        for info in archive.infolist():
            if not info.filename.startswith("xl/worksheets/") or not info.filename.endswith(".xml"):
                continue
            number = 0
            tail = b""
            with archive.open(info) as sheet:
                while chunk := sheet.read(1 << 20):
                    text = tail + chunk
                    end = 0
                    for match in _ROW_TAG.finditer(text):
                        claimed = _ROW_NUMBER.search(match.group(1))
                        number = int(claimed.group(1)) if claimed else number + 1
                        if number - 1 > max_rows:
                            raise _too_many_rows(max_rows)
                        end = match.end()
                    # An unfinished tag at the chunk's end is read again with the next chunk.
                    cut = text.rfind(b"<")
                    tail = text[max(end, cut) :] if cut >= end else b""
                    if len(tail) > 4096:
                        tail = b""


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
    if is_xlsx(data, filename):
        from openpyxl import load_workbook

        check_xlsx_rows(data, max_rows)
        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds for a broken file
            raise ImportFileError(_("The file cannot be read as an Excel workbook.")) from None
        try:
            sheet = workbook.worksheets[0]
            header = next(sheet.iter_rows(max_row=1, values_only=True), ())
            # No wider than the header's last named column: the sheet's stated size may reach
            # column XFD, and every row would be built that wide.
            width = max(
                (i + 1 for i, cell in enumerate(header) if cell not in (None, "")), default=1
            )
            return rows_from_table(
                sheet.iter_rows(values_only=True, max_col=width),
                aliases=aliases,
                required=required,
                max_rows=max_rows,
                names=names,
            )
        except ImportFileError:
            raise
        except Exception:  # a broken sheet inside a sound archive
            raise ImportFileError(_("The file cannot be read as an Excel workbook.")) from None
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
