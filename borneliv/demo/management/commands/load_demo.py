"""``load_demo``: load the demo programme into an empty database and print the logins."""

from __future__ import annotations

import os
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from borneliv.accounts.models import today
from borneliv.demo.children import ChildrenDemoResult, demo_children_load
from borneliv.demo.services import (
    demo_is_loaded,
    demo_load,
    demo_logins,
    demo_password_matches,
    logins_table,
)

DEMO_PASSWORD_ENV = "BORNELIV_DEMO_PASSWORD"  # noqa: S105 (a variable name, not a password)


class Command(BaseCommand):
    help = (
        "Load the demo programme (3 municipalities, 10 areas, comparison areas, one user per role) "
        "if the database holds no programme yet, then its synthetic children if the registry is "
        "empty, and print the demo logins."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--password",
            default=os.environ.get(DEMO_PASSWORD_ENV, ""),
            help=f"Password for every demo user (default: ${DEMO_PASSWORD_ENV}).",
        )
        parser.add_argument(
            "--no-children",
            action="store_true",
            help="Load the programme only, without the synthetic children and their contacts.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        password: str = options["password"]
        with_children = not options["no_children"]
        if demo_is_loaded():
            self.stdout.write("The database already holds a programme; the demo was not loaded.")
            if with_children:
                # A demo database from before the child registry gets its children now.
                try:
                    children = demo_children_load(today=today(), stdout=self.stdout)
                except ValidationError as exc:
                    raise CommandError(
                        "The demo children could not be loaded: " + "; ".join(exc.messages)
                    ) from exc
                self._report_children(children)
            if password and demo_logins() and not demo_password_matches(password):
                self.stdout.write(
                    self.style.WARNING(
                        "The demo users were created with another password than the one given "
                        f"(--password or ${DEMO_PASSWORD_ENV}); set a new one with "
                        "`borneliv changepassword <username>`."
                    )
                )
                password = ""
            self._print_logins(password)
            return
        if not password:
            raise CommandError(
                f"No demo password: pass --password or set {DEMO_PASSWORD_ENV} "
                "(`borneliv init-local` writes one to var/local.env)."
            )
        try:
            result = demo_load(password=password, stdout=self.stdout, with_children=with_children)
        except ValidationError as exc:
            raise CommandError("The demo could not be loaded: " + "; ".join(exc.messages)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded the demo programme: {result.municipalities} municipalities, "
                f"{result.areas} areas, {result.institutions} institutions, "
                f"{result.partners} partners, {result.users} users."
            )
        )
        if result.children is not None:
            self._report_children(result.children)
        self._print_logins(password)

    def _report_children(self, result: ChildrenDemoResult) -> None:
        if result.loaded:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Loaded {result.children:,} synthetic children with {result.contacts:,} "
                    "health-visiting contacts."
                )
            )

    def _print_logins(self, password: str) -> None:
        logins = demo_logins()
        if logins:
            self.stdout.write("\nDemo logins:\n" + logins_table(logins, password or "?"))
