"""``manage.py import_children FILE [--commit] [--user USERNAME]``: the births import, scriptable.

Without ``--commit`` it only checks (a dry run) and prints a report of every row; with
``--commit`` it registers the children, all or nothing, and refuses if any row has an error.
With ``--user`` of someone who does not see the whole registry, the rows she cannot see are
sent to an administrator as referrals instead (``children.referrals``), as on the page.
CPR numbers are printed masked. Exits with status 1 when the file or a row has an error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from borneliv.accounts.models import User
from borneliv.children import imports


class Command(BaseCommand):
    help = "Check (and with --commit import) children from a CSV or XLSX births extract."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="CSV (; or ,) or XLSX file")
        parser.add_argument(
            "--commit", action="store_true", help="register the children (all or nothing)"
        )
        parser.add_argument(
            "--user",
            help="check as this user (her areas only); default: every area",
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
        try:
            rows = imports.read_rows(data, path.name)
        except imports.ImportFileError as exc:
            raise CommandError(str(exc)) from None
        report = imports.import_children(rows, user=user, commit=options["commit"])
        for row in report.rows:
            self.stdout.write(
                f"{row.number:>6}  {row.status:<9}  {row.masked_cpr or '—':<11}  {row.message}"
            )
        for error in report.file_errors:
            self.stderr.write(error)
        summary = (
            f"{len(report.rows)} rows: {report.ok} to register, "
            f"{report.referred} to an administrator, {report.unchanged} unchanged, "
            f"{report.errors} with errors."
        )
        if report.has_errors:
            raise CommandError(f"{summary} Nothing was imported.", returncode=1)
        if report.committed:
            done = f"Imported {report.ok} children."
            if report.referred:
                done += f" Sent {report.referred} children to an administrator."
            self.stdout.write(self.style.SUCCESS(f"{summary} {done}"))
        elif options["commit"]:
            self.stdout.write(f"{summary} Nothing to import.")
        else:
            self.stdout.write(f"{summary} Dry run: run again with --commit to import.")
