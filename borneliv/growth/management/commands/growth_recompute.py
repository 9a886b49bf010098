"""``manage.py growth_recompute [--iotf 2012|2000] [--all]``: reclassify stored measurements.

Also ``borneliv growth recompute``. Run it after changing ``BORNELIV_GROWTH_IOTF`` or upgrading
the engine: it reclassifies the measurements whose stored classification was made with another
IOTF version or engine version (``--all``: every measurement), in batches, each in its own
transaction, so an interrupted run can simply be started again. Review decisions stay as they
are; a measurement nobody has reviewed is held or released by its new flags.

Progress: a bar that updates in place on a terminal, otherwise one line per batch
("12,000 / 40,000 measurements"). ``--background`` queues the work for the worker
(``borneliv db_worker``; ``borneliv serve`` runs one) and prints the page that shows its progress.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from borneliv.accounts.actors import SYSTEM
from borneliv.growth import engine, services
from borneliv.growth.jobs import RECOMPUTE
from borneliv.growth.models import Measurement
from borneliv.jobs.services import enqueue

BAR_WIDTH = 30


class Command(BaseCommand):
    help = (
        "Reclassify stored measurements whose classification was made with another IOTF version "
        "or engine version (--all: every measurement), showing progress."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--iotf",
            choices=engine.IOTF_VERSIONS,
            default=None,
            help="IOTF version to classify with (default: the setting BORNELIV_GROWTH_IOTF)",
        )
        parser.add_argument(
            "--all",
            action="store_true",
            help="reclassify every measurement, not only those classified differently",
        )
        parser.add_argument(
            "--background",
            action="store_true",
            help="queue the work for the background worker and print its progress page",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=20_000,
            help="measurements per batch and transaction (default 20,000)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        setting = services.iotf_setting()
        version: str = options["iotf"] or setting
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        if version != setting:
            self.stdout.write(
                self.style.WARNING(
                    f"The setting BORNELIV_GROWTH_IOTF is {setting}: measurements recorded from "
                    f"now on are classified with IOTF {setting}, not {version}. Change the "
                    "setting too, or the stored classifications will be mixed."
                )
            )
        if options["background"]:
            job = enqueue(RECOMPUTE, by=SYSTEM, iotf=version, only_stale=not options["all"])
            self.stdout.write(
                f"Queued as background job {job.pk}: {reverse('jobs:job', args=[job.pk])}"
            )
            return
        on_terminal = self.stdout.isatty()
        started = time.monotonic()

        def progress(done: int, total: int) -> None:
            counts = f"{done:,} / {total:,} measurements"
            if on_terminal:
                filled = round(BAR_WIDTH * done / total) if total else BAR_WIDTH
                bar = "#" * filled + "-" * (BAR_WIDTH - filled)
                self.stdout.write(f"\r[{bar}] {counts}", ending="")
                if done == total:
                    self.stdout.write("")
            else:
                self.stdout.write(counts)
            self.stdout.flush()

        try:
            total = services.measurements_recompute(
                iotf=version,
                only_stale=not options["all"],
                batch_size=options["batch_size"],
                progress=progress,
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        seconds = time.monotonic() - started
        what = f"IOTF {version}, engine version {engine.ENGINE_VERSION}"
        if total == 0:
            self.stdout.write(f"Nothing to recompute: every measurement is classified with {what}.")
            return
        held = Measurement.objects.held().count()
        self.stdout.write(
            self.style.SUCCESS(
                f"Reclassified {total:,} measurement{'' if total == 1 else 's'} with {what} "
                f"in {seconds:.1f} s; "
                f"{held:,} held for review."
            )
        )
