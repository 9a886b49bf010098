"""Hostile import files made on the spot, for the tests and the limits benchmark.

No Django. ``blank_rows_xlsx`` writes a workbook whose first sheet has a header and then
``blank_rows`` empty ``<row/>`` elements (and optionally data rows after them): 20 million of them
pack into about half a megabyte, and a reader that skips blank rows before counting works through
every one. The sheet is streamed into the zip, so even 20 million rows take little memory.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from xml.sax.saxutils import escape

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Ark1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)


def _row(number: int, cells: Sequence[str]) -> str:
    inner = "".join(
        f'<c t="inlineStr"><is><t>{escape(text)}</t></is></c>' for text in cells if text != ""
    )
    return f'<row r="{number}">{inner}</row>'


def blank_rows_xlsx(
    header: Sequence[str], *, blank_rows: int, rows_after: Sequence[Sequence[str]] = ()
) -> bytes:
    """A workbook: ``header``, then ``blank_rows`` empty rows, then ``rows_after``."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                b"<sheetData>"
            )
            sheet.write(_row(1, header).encode("utf-8"))
            # A row without its number is the one after the last: six bytes each, unpacked.
            chunk = 100_000
            for start in range(0, blank_rows, chunk):
                sheet.write(b"<row/>" * min(chunk, blank_rows - start))
            number = blank_rows + 2
            for cells in rows_after:
                sheet.write(_row(number, cells).encode("utf-8"))
                number += 1
            sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()
