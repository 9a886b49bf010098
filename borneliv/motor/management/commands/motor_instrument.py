"""``manage.py motor_instrument export|import``: instrument versions to and from files.

- ``export CODE [--number N] [--format json|xlsx] [--output FILE]`` writes a version (default:
  the latest) as ``<code>-v<n>.<format>``, or to ``--output`` (``-`` = standard output, JSON only).
- ``import FILE --by USERNAME [--dry-run]`` checks the file and, unless ``--dry-run``, creates the
  version as a draft, all or nothing. ``USERNAME`` must be an administrator (the same service and
  checks as the import page). Prints every problem with its sheet and row; exits with status 1
  when there is one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from borneliv.accounts.models import User
from borneliv.motor import instruments, instruments_services
from borneliv.motor.models import InstrumentVersion


class Command(BaseCommand):
    help = "Export an instrument version to JSON or XLSX, or import one (as a draft)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        export = actions.add_parser("export", help="write a version to a file")
        export.add_argument("code", help="the instrument's code, e.g. motor-4")
        export.add_argument("--number", type=int, help="the version (default: the latest)")
        export.add_argument("--format", choices=sorted(instruments.WRITERS), default="xlsx")
        export.add_argument("-o", "--output", help="the file to write; - for standard output")
        imported = actions.add_parser("import", help="import a version from a file as a draft")
        imported.add_argument("file", type=Path, help="a .json or .xlsx instrument document")
        imported.add_argument("--by", required=True, help="the administrator importing it")
        imported.add_argument(
            "--dry-run", action="store_true", help="only check and report; write nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "export":
            self._export(options)
        else:
            self._import(options)

    def _export(self, options: dict[str, Any]) -> None:
        versions = InstrumentVersion.objects.select_related("instrument").filter(
            instrument__code=options["code"]
        )
        if options["number"] is not None:
            versions = versions.filter(number=options["number"])
        version = versions.order_by("-number").first()
        if version is None:
            raise CommandError(f"No such instrument version: {options['code']}.")
        document = instruments.document_from_version(version)
        fmt = options["format"]
        write, _content_type = instruments.WRITERS[fmt]
        data = write(document)
        output = options["output"] or instruments.filename_for(document, fmt)
        if output == "-":
            if fmt != "json":
                raise CommandError("Only JSON can be written to standard output.")
            self.stdout.write(data.decode("utf-8"), ending="")
            return
        Path(output).write_bytes(data)
        self.stdout.write(f"Wrote {document.code} version {document.number} to {output}.")

    def _import(self, options: dict[str, Any]) -> None:
        user = User.objects.filter(username=options["by"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {options['by']!r}.")
        if not user.has_perm("motor.manage_instrument"):
            raise CommandError(f"{user.username} may not import instruments (administrators only).")
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from None
        report = instruments_services.instrument_import(
            by=user,
            document=instruments_services.instrument_read(data, path.name),
            dry_run=options["dry_run"],
        )
        for problem in report.problems:
            self.stderr.write(str(problem))
        document = report.document
        if document is not None:
            state = "new instrument" if report.is_new_instrument else "existing instrument"
            self.stdout.write(
                f"{document.code} ({state}) version {document.number}: "
                f"{report.item_count} items ({report.skill_item_count} skills), "
                f"{report.scale_count} scales, {report.choice_count} answers."
            )
        if report.diff is not None:
            diff = report.diff
            self.stdout.write(f"Compared with version {diff.against}:")
            lines = [
                ("items added", diff.items_added),
                ("items removed", diff.items_removed),
                (
                    "items changed",
                    [f"{c.code} ({', '.join(c.fields)})" for c in diff.items_changed],
                ),
                ("scales added", diff.scales_added),
                ("scales removed", diff.scales_removed),
                ("scales changed", diff.scales_changed),
                ("rule, ages or notes changed", diff.version_changed),
                ("name or description changed", diff.instrument_changed),
            ]
            for label, values in lines:
                if values:
                    self.stdout.write(f"  {label}: {', '.join(values)}")
            if not diff.has_changes:
                self.stdout.write("  no change but the number")
        if report.problems:
            raise CommandError(
                f"{len(report.problems)} problem(s); nothing was imported.", returncode=1
            )
        if report.version is not None:
            self.stdout.write(
                self.style.SUCCESS(f"Imported as version {report.version.number}, a draft.")
            )
        else:
            self.stdout.write("Dry run: nothing was written.")
