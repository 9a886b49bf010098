"""What other apps add to the landing page, without ``accounts`` importing them.

``accounts`` is the lowest app (docs/architecture.md): it cannot import ``organisations``,
``motor`` or any other app that has something to show on a user's front page. Instead such an app
registers a function in its ``AppConfig.ready()``:

``register_context(landing_for)``
    ``fn(user) -> dict``: variables for ``accounts/home.html`` itself (``organisations`` gives
    the user's institutions, areas and neighbours this way).
``register_panel(follow_ups_panel)``
    ``fn(user) -> dict | None``: None (nothing to show) or a panel: the template to include, its
    context (available to the template as ``panel``) and an ``order`` (smaller first). The
    panels are shown under the page's header (``motor`` lists the dialogues' follow-ups due).
``register_count(children_by_municipality)``
    ``fn(user) -> Count | None``: a column of the administrator's overview of municipalities —
    a label, an ``order`` and a count per municipality id (``children`` counts the children
    living in each). None: nothing for this user.
``register_imports(school_start_imports)``
    ``fn(user) -> list[ImportRecord]``: recent imports of the app's files that the user may see
    (``growth``: school-start files; ``nearby``: map extracts); the overview shows the newest.
``register_attention(held_measurements)``
    ``fn(user) -> list[Attention]``: things waiting for the user, each with a count and the page
    where she deals with them (``growth``: measurements held for review). Only non-zero counts
    are shown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count as CountOf
from django.db.models import IntegerField, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from borneliv.accounts.models import Membership, Role

Panel = dict[str, Any]
PanelFunction = Callable[[Any], Panel | None]

ContextFunction = Callable[[Any], dict[str, Any]]

_PANELS: list[PanelFunction] = []
_CONTEXTS: list[ContextFunction] = []


def register_context(function: ContextFunction) -> ContextFunction:
    """Add a function giving variables for the landing page (once, however often called)."""
    if function not in _CONTEXTS:
        _CONTEXTS.append(function)
    return function


def context_for(user: Any) -> dict[str, Any]:
    """The landing page's variables: the user's role, then each registered function's."""
    role = user.scope.primary_role
    context: dict[str, Any] = {"role": role, "role_label": Role(role).label if role else None}
    for function in _CONTEXTS:
        context.update(function(user))
    return context


def register_panel(function: PanelFunction) -> PanelFunction:
    """Add a panel function (once: registering the same function again changes nothing)."""
    if function not in _PANELS:
        _PANELS.append(function)
    return function


def unregister_panel(function: PanelFunction) -> None:
    if function in _PANELS:
        _PANELS.remove(function)


def panels_for(user: Any) -> list[Panel]:
    """The panels to show ``user``, in order; each has ``template``, ``context`` and ``order``."""
    panels: list[Panel] = []
    for function in _PANELS:
        panel = function(user)
        if panel is None:
            continue
        if "template" not in panel:
            raise ValueError(f"The landing panel of {function.__qualname__} names no template.")
        panels.append(
            {
                "template": panel["template"],
                "context": panel.get("context", {}),
                "order": int(panel.get("order", 100)),
            }
        )
    panels.sort(key=lambda p: p["order"])
    return panels


# The administrator's overview: columns per municipality, and things needing attention.


@dataclass(frozen=True)
class Count:
    """One column of the overview: a label and a count per municipality id."""

    label: str
    counts: dict[int, int]
    order: int = 100


@dataclass(frozen=True)
class Attention:
    """Something waiting for the user: how many, and the page where she deals with them."""

    label: str
    count: int
    url: str


@dataclass(frozen=True)
class ImportRecord:
    """One import for the overview's list of recent imports."""

    when: dt.datetime
    kind: str  # what was imported, e.g. "School-start exams"
    name: str  # the file
    by: str  # who, or "" when run from the command line
    summary: str  # what it did, in words
    url: str = ""  # where to read more, if anywhere


def person_name(person: Any | None) -> str:
    """Who ran an import: her full name, else her username; "" for the command line."""
    if person is None:
        return ""
    return str(person.get_full_name() or person.get_username())


CountFunction = Callable[[Any], Count | None]
ImportsFunction = Callable[[Any], list[ImportRecord]]
AttentionFunction = Callable[[Any], list[Attention]]

_COUNTS: list[CountFunction] = []
_ATTENTION: list[AttentionFunction] = []
_IMPORTS: list[ImportsFunction] = []
RECENT_IMPORTS = 8


def register_count(function: CountFunction) -> CountFunction:
    if function not in _COUNTS:
        _COUNTS.append(function)
    return function


def register_attention(function: AttentionFunction) -> AttentionFunction:
    if function not in _ATTENTION:
        _ATTENTION.append(function)
    return function


def register_imports(function: ImportsFunction) -> ImportsFunction:
    if function not in _IMPORTS:
        _IMPORTS.append(function)
    return function


def imports_for(user: Any) -> list[ImportRecord]:
    """The newest imports of every registered kind, newest first."""
    records = [record for function in _IMPORTS for record in function(user)]
    records.sort(key=lambda record: record.when, reverse=True)
    return records[:RECENT_IMPORTS]


def counts_for(user: Any) -> list[Count]:
    """The overview's columns for ``user``, in order."""
    found = [count for function in _COUNTS if (count := function(user)) is not None]
    return sorted(found, key=lambda count: count.order)


def attention_for(user: Any) -> list[Attention]:
    """What waits for ``user``: the registered items with a count above zero."""
    return [item for function in _ATTENTION for item in function(user) if item.count > 0]


def users_by_municipality(user: Any) -> Count | None:
    """Active accounts with a role valid today in each municipality (administrators only)."""
    if not user.scope.is_admin:
        return None
    rows = (
        Membership.objects.current()
        .filter(user__is_active=True)
        .annotate(
            held_in=Coalesce(
                "municipality_id",
                "institution__municipality_id",
                "partner__municipality_id",
                output_field=IntegerField(),
            )
        )
        .filter(Q(held_in__isnull=False))
        .values("held_in")
        .annotate(users=CountOf("user_id", distinct=True))
        .values_list("held_in", "users")
    )
    return Count(label=_("Users"), counts=dict(rows), order=30)


register_count(users_by_municipality)
