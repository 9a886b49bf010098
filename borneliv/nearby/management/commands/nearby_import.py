"""``borneliv nearby_import FILE --municipality 0851``: import an OpenStreetMap extract.

Keeps the map data around the municipality's institutions (3 km around them), prints the progress
and what was found, then updates the circles already computed there (the staff's choices are
kept). Nothing is saved when the file is refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from borneliv.accounts.actors import SYSTEM
from borneliv.lib.jobs import PrintProgress
from borneliv.nearby import services
from borneliv.organisations.models import Municipality


class Command(BaseCommand):
    help = (
        "Import an OpenStreetMap extract (.osm.pbf or .osm) for a municipality: keep the data "
        "around its institutions and update their proximity circles."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The extract: .osm.pbf, .osm (or .osm.gz, .osm.bz2).")
        parser.add_argument(
            "--municipality",
            required=True,
            help="The municipality's 4-digit code (kommunekode), e.g. 0851 for Aalborg.",
        )
        parser.add_argument(
            "--no-recompute",
            action="store_true",
            help="Do not update the municipality's circles afterwards.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        code = options["municipality"].strip()
        municipality = Municipality.objects.filter(code=code).first()
        if municipality is None:
            raise CommandError(f"No municipality has the code {code!r}.")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            result = services.extract_import(
                by=SYSTEM,
                municipality=municipality,
                path=path,
                progress=PrintProgress(self.stdout.write),
                recompute=not options["no_recompute"],
            )
        except ValidationError as exc:
            raise CommandError("Nothing was imported: " + "; ".join(exc.messages)) from exc
        extract = result.extract
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {path.name} for {municipality.name}: {extract.ways:,} paths and "
                f"streets, {extract.features:,} possible places, {extract.nodes:,} nodes, "
                f"{extract.skipped_total:,} problems skipped, in {extract.seconds:.1f} s."
            )
        )
        if extract.skipped:
            details = ", ".join(f"{k}: {v:,}" for k, v in extract.skipped.items())
            self.stdout.write(f"Skipped: {details}")
        for institution, summary in result.recomputed:
            self.stdout.write(
                f"Updated {institution.name}: {summary.new} new, {summary.changed} changed, "
                f"{summary.gone} gone" + (" (cut by the data edge)" if summary.cut_by_edge else "")
            )
        for institution, message in result.failed:
            self.stdout.write(self.style.WARNING(f"Not updated {institution.name}: {message}"))
