"""Who sees which child: every persona × every child, on the page, in the API and in the queryset."""

from __future__ import annotations

import pytest

from borneliv.children.models import Child
from borneliv.children.tests.conftest import ClientFor, Kids
from borneliv.testing import PERSONAS, World

pytestmark = pytest.mark.django_db

VISIBLE = {
    "hanne": {"emma", "oscar", "noah"},  # health visitor in Aalborg
    "astrid": {"freja"},  # health visitor in Albertslund
    "pia": set(),
    "tina": set(),
    "carl": set(),
    "lars": set(),  # a project leader sees aggregates, not children
    "rikke": set(),  # a researcher sees pseudonymised exports, not records
    "ada": {"emma", "oscar", "noah", "freja"},
    "otto": set(),
}


def test_every_persona_is_covered() -> None:
    assert set(VISIBLE) == set(PERSONAS)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_queryset_scope(world: World, kids: Kids, persona: str) -> None:
    names = {c.first_name.lower() for c in Child.objects.visible_to(world.persona(persona))}
    assert names == VISIBLE[persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_record_page_answers_404_out_of_scope(
    client_for: ClientFor, kids: Kids, persona: str
) -> None:
    client = client_for(persona)
    for name in ("emma", "oscar", "noah", "freja"):
        child = getattr(kids, name)
        response = client.get(f"/children/{child.public_id}/")
        assert response.status_code == (200 if name in VISIBLE[persona] else 404), name


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_api_answers_404_out_of_scope(client_for: ClientFor, kids: Kids, persona: str) -> None:
    client = client_for(persona)
    for name in ("emma", "oscar", "noah", "freja"):
        child = getattr(kids, name)
        response = client.get(f"/api/v1/children/{child.public_id}")
        assert response.status_code == (200 if name in VISIBLE[persona] else 404), name


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_api_list_holds_only_children_in_scope(
    client_for: ClientFor, kids: Kids, persona: str
) -> None:
    body = client_for(persona).get("/api/v1/children").json()
    assert {item["first_name"].lower() for item in body["items"]} == VISIBLE[persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_api_lookup_finds_only_children_in_scope(
    client_for: ClientFor, kids: Kids, persona: str
) -> None:
    client = client_for(persona)
    for name in ("emma", "freja"):
        response = client.post(
            "/api/v1/children/lookup", {"cpr": kids.cpr[name]}, content_type="application/json"
        )
        assert response.status_code == (200 if name in VISIBLE[persona] else 404), name


def test_a_child_who_moves_away_leaves_the_health_visitors_scope(
    world: World, client_for: ClientFor, kids: Kids
) -> None:
    import datetime as dt

    from borneliv.accounts.models import today
    from borneliv.children import services

    services.child_move(child=kids.noah, area=world.herstedlund, on=today())
    hanne, astrid = client_for("hanne"), client_for("astrid")
    assert hanne.get(f"/children/{kids.noah.public_id}/").status_code == 404
    assert astrid.get(f"/children/{kids.noah.public_id}/").status_code == 200
    # A move planned for tomorrow does not change today's scope.
    services.child_move(child=kids.oscar, area=world.herstedlund, on=today() + dt.timedelta(days=1))
    assert hanne.get(f"/children/{kids.oscar.public_id}/").status_code == 200


def test_an_unknown_id_answers_404(client_for: ClientFor, kids: Kids) -> None:
    import uuid

    assert client_for("ada").get(f"/children/{uuid.uuid4()}/").status_code == 404
    assert client_for("ada").get(f"/api/v1/children/{uuid.uuid4()}").status_code == 404
    # Not a UUID: no route at all.
    assert client_for("ada").get(f"/children/{kids.emma.pk}/").status_code == 404
