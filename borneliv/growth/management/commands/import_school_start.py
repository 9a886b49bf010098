"""``manage.py import_school_start FILE [--commit] [--user USERNAME]``: the school-start import.

Without ``--commit`` it only checks (a dry run) and prints a report of every row; with
``--commit`` it imports the file, all or nothing, and refuses if any row has an error (rows held
for review are not errors: they are imported and held). CPR numbers are printed masked. Exits
with status 1 when the file or a row has an error. Also ``borneliv growth import-school-start``.
"""

from __future__ import annotations

from typing import Any

from borneliv.accounts.models import User
from borneliv.growth import imports
from borneliv.lib.imports import ImportCommand


class Command(ImportCommand):
    help = "Check (and with --commit import) a school-start exam file (CSV or XLSX)."
    commit_help = "import the file (all rows or none)"
    user_help = (
        "import as this user (the children she may see only; recorded as the importer); "
        "default: every child, no importer recorded"
    )

    def run(self, data: bytes, filename: str, user: User | None, *, commit: bool) -> Any:
        return imports.school_start_import(
            data=data, filename=filename, user=user, dry_run=not commit
        )

    def row_line(self, row: imports.ReportRow) -> str:
        date = f"{row.examined_on:%d.%m.%Y}" if row.examined_on else "—"
        return (
            f"{row.number:>6}  {row.status:<9}  {row.masked_cpr or '—':<11}  {date:<10}  "
            f"{row.message}"
        )

    def summary(self, report: imports.ImportReport) -> str:
        return (
            f"{len(report.rows)} rows: {report.new} new, {report.updated} to update, "
            f"{report.unchanged} unchanged, {report.held} held for review, "
            f"{report.errors} with errors."
        )

    def done(self, report: imports.ImportReport) -> str:
        return f"Imported (import {report.batch.public_id})."
