"""``manage.py import_school_start FILE [--commit] [--user USERNAME]``: the school-start import.

Without ``--commit`` it only checks (a dry run) and prints a report of every row; with
``--commit`` it imports the file, all or nothing, and refuses if any row has an error (rows held
for review are not errors: they are imported and held). CPR numbers are printed masked. Exits
with status 1 when the file or a row has an error. Also ``borneliv growth import-school-start``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from borneliv.accounts.models import User
from borneliv.growth import imports


class Command(BaseCommand):
    help = "Check (and with --commit import) a school-start exam file (CSV or XLSX)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="CSV (; or ,) or XLSX file")
        parser.add_argument(
            "--commit", action="store_true", help="import the file (all rows or none)"
        )
        parser.add_argument(
            "--user",
            help="import as this user (the children she may see only; recorded as the "
            "importer); default: every child, no importer recorded",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from None
        user = None
        if options["user"]:
            user = User.objects.filter(username=options["user"], is_active=True).first()
            if user is None:
                raise CommandError(f"No active user {options['user']!r}.")
        report = imports.school_start_import(
            data=data, filename=path.name, user=user, dry_run=not options["commit"]
        )
        for row in report.rows:
            date = f"{row.examined_on:%d.%m.%Y}" if row.examined_on else "—"
            self.stdout.write(
                f"{row.number:>6}  {row.status:<9}  {row.masked_cpr or '—':<11}  {date:<10}  "
                f"{row.message}"
            )
        for error in report.file_errors:
            self.stderr.write(error)
        summary = (
            f"{len(report.rows)} rows: {report.new} new, {report.updated} to update, "
            f"{report.unchanged} unchanged, {report.held} held for review, "
            f"{report.errors} with errors."
        )
        if report.has_errors:
            raise CommandError(f"{summary} Nothing was imported.", returncode=1)
        if report.committed:
            self.stdout.write(
                self.style.SUCCESS(f"{summary} Imported (import {report.batch.public_id}).")
            )
        else:
            self.stdout.write(f"{summary} Dry run: run again with --commit to import.")
