"""Data checks: rules about stored data that the database cannot enforce, found and explained.

An app registers a check in its ``AppConfig.ready()`` with ``register(name, function)``; the
function takes the user whose scope the check runs in (``None`` for the whole database, as the
command line runs it) and returns ``Finding`` objects. ``borneliv datacheck`` runs every check
(CI runs it on the demo) and the data-check page shows the findings within the user's scope.
No Django import: the registry is plain Python.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Finding:
    """One record that breaks a rule: what is wrong, where, and what to do about it.

    ``subject`` identifies the record without personal data (a public id, a date, a stage),
    ``where`` names the municipality and area, ``action`` tells the user what to correct, and
    ``url`` (optional) is the page where it is corrected.
    """

    check: str  # the check's name, e.g. "programme_contact_in_comparison_area"
    title: str  # the rule broken, in the user's language
    subject: str
    where: str
    action: str
    url: str = ""
    municipality_id: int | None = None


Check = Callable[[Any], list[Finding]]

# A description is any object that turns into text when shown (e.g. a lazily translated string).
_CHECKS: dict[str, tuple[Any, Check]] = {}


def register(name: str, description: Any, function: Check) -> None:
    """Add a check (registering the same name again replaces it)."""
    _CHECKS[name] = (description, function)


def checks() -> dict[str, tuple[Any, Check]]:
    """The registered checks by name: their description and function."""
    return dict(_CHECKS)


def run(user: Any = None) -> list[Finding]:
    """Every registered check's findings, in the order the checks were registered."""
    found: list[Finding] = []
    for _description, function in _CHECKS.values():
        found.extend(function(user))
    return found
