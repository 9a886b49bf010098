"""``manage.py import_children FILE [--commit] [--user USERNAME]``: the births import, scriptable.

Without ``--commit`` it only checks (a dry run) and prints a report of every row; with
``--commit`` it registers the children, all or nothing, and refuses if any row has an error.
With ``--user`` of someone who does not see the whole registry, the rows she cannot see are
sent to an administrator as referrals instead (``children.referrals``), as on the page.
CPR numbers are printed masked. Exits with status 1 when the file or a row has an error.
"""

from __future__ import annotations

from typing import Any

from borneliv.accounts.models import User
from borneliv.children import imports
from borneliv.lib.imports import ImportCommand


class Command(ImportCommand):
    help = "Check (and with --commit import) children from a CSV or XLSX births extract."
    commit_help = "register the children (all or nothing)"
    user_help = "check as this user (her areas only); default: every area"

    def run(self, data: bytes, filename: str, user: User | None, *, commit: bool) -> Any:
        try:
            rows = imports.read_rows(data, filename)
        except imports.ImportFileError as exc:
            return imports.ImportReport(file_errors=[str(exc)])
        return imports.import_children(rows, user=user, commit=commit)

    def row_line(self, row: imports.ReportRow) -> str:
        return f"{row.number:>6}  {row.status:<9}  {row.masked_cpr or '—':<11}  {row.message}"

    def summary(self, report: imports.ImportReport) -> str:
        return (
            f"{len(report.rows)} rows: {report.ok} to register, "
            f"{report.referred} to an administrator, {report.unchanged} unchanged, "
            f"{report.errors} with errors."
        )

    def done(self, report: imports.ImportReport) -> str:
        done = f"Imported {report.ok} children."
        if report.referred:
            done += f" Sent {report.referred} children to an administrator."
        return done
