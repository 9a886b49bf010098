"""``borneliv datacheck``: run every registered data check over the whole database.

Prints each finding (no names, no CPR numbers: a contact's short id, its date, stage, unit and
area) with what to do about it, and a summary line per check. Exit status 1 when anything was
found, so CI can run it on the demo.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import translation

from borneliv.lib import datachecks


class Command(BaseCommand):
    help = "Check the stored data against the rules the database cannot enforce."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--language", default="da", help="Language of the report (da or en; default da)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["language"]):
            findings = datachecks.run(None)
            for name, (description, _function) in datachecks.checks().items():
                mine = [f for f in findings if f.check == name]
                self.stdout.write(f"{name}: {len(mine)}")
                self.stdout.write(f"  {description}")
                # What to do is said once for all findings that share it.
                for action in dict.fromkeys(f.action for f in mine):
                    same = [f for f in mine if f.action == action]
                    self.stdout.write(f"  {len(same)} × {action}")
                    for finding in same:
                        self.stdout.write(f"    - {finding.subject} — {finding.where}")
        if findings:
            raise SystemExit(1)
