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
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from borneliv.accounts.models import Role

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
