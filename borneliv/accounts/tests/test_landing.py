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


def test_the_administrator_lands_on_an_overview_of_the_municipalities(
    world: World, client_for: Any
) -> None:
    client = client_for("ada")
    client.cookies["django_language"] = "en"
    response = client.get("/")
    assert response.status_code == 200
    context = response.context
    assert context["overview_columns"] == [
        "Programme areas",
        "Comparison areas",
        "Institutions",
        "Users",
        "Children",
    ]
    rows = {row["municipality"].name: row["cells"] for row in context["overview_rows"]}
    assert rows == {
        "Aalborg": [1, 1, 3, 4, 0],  # hanne, tina, carl, lars
        "Albertslund": [1, 0, 3, 1, 0],  # astrid
        "Frederikssund": [1, 0, 2, 1, 0],  # pia
    }
    assert context["overview_totals"] == [3, 1, 8, 6, 0]
    assert context["attention"] == []
    assert context["recent_imports"] == []
    assert "/users/" in response.content.decode()


def test_a_deactivated_account_does_not_count_as_a_user(world: World, client_for: Any) -> None:
    from borneliv.accounts import services

    services.user_set_active(user=world.tina, is_active=False)
    rows = client_for("ada").get("/").context["overview_rows"]
    aalborg = next(row for row in rows if row["municipality"].name == "Aalborg")
    assert aalborg["cells"][3] == 3


def test_only_the_administrator_gets_the_overview(world: World, client_for: Any) -> None:
    assert "overview_rows" not in client_for("lars").get("/").context
