"""The landing page's registry: other apps add variables and panels without accounts importing
them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from borneliv.accounts import landing
from borneliv.testing import World


@pytest.fixture
def world(module_world: World) -> World:
    return module_world


@pytest.fixture
def extra_panels() -> Iterator[list[Any]]:
    added: list[Any] = []
    yield added
    for function in added:
        landing.unregister_panel(function)


def test_panels_come_in_order_and_none_means_nothing_to_show(
    world: World, extra_panels: list[Any]
) -> None:
    def late(user: Any) -> dict[str, Any]:
        return {"template": "late.html", "context": {"n": 2}, "order": 50}

    def early(user: Any) -> dict[str, Any]:
        return {"template": "early.html", "order": 1}

    def silent(user: Any) -> None:
        return None

    for function in (late, early, silent, late):
        landing.register_panel(function)
    extra_panels.extend([late, early, silent])
    ours = [
        p for p in landing.panels_for(world.pia) if p["template"] in ("late.html", "early.html")
    ]
    assert ours == [
        {"template": "early.html", "context": {}, "order": 1},
        {"template": "late.html", "context": {"n": 2}, "order": 50},
    ]


def test_a_panel_without_a_template_is_an_error(world: World, extra_panels: list[Any]) -> None:
    def broken(user: Any) -> dict[str, Any]:
        return {"context": {}}

    landing.register_panel(broken)
    extra_panels.append(broken)
    with pytest.raises(ValueError, match="names no template"):
        landing.panels_for(world.pia)


def test_the_context_starts_with_the_role_and_adds_what_apps_registered(world: World) -> None:
    context = landing.context_for(world.pia)
    assert context["role"] == "pedagogue"
    assert [i.name for i in context["institutions"]] == ["Børnehuset Troldhøj"]
    assert landing.context_for(world.otto)["role"] is None
