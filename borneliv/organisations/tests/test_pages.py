"""Registry pages show each persona her part of the programme, and refuse bad input clearly."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from borneliv.organisations.models import Institution, InstitutionArea
from borneliv.testing import World

pytestmark = pytest.mark.django_db

ClientFor = Callable[[str], Client]


def in_english(client: Client) -> Client:
    client.cookies["django_language"] = "en"
    return client


def edit_form(institution: Institution, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": institution.name,
        "official_number": institution.official_number,
        "street": institution.street,
        "postcode": institution.postcode,
        "city": institution.city,
        "latitude": institution.latitude,
        "longitude": institution.longitude,
        "lock_version": institution.lock_version,
    }
    data.update(changes)
    return data


def test_the_programme_page_shows_a_project_leader_only_her_municipality(
    client_for: ClientFor,
) -> None:
    response = client_for("lars").get("/programme/")
    overview = response.context["overview"]
    assert [summary.municipality.name for summary in overview] == ["Aalborg"]
    assert [a.area.name for a in overview[0].programme_areas] == ["Lindholm"]
    assert [a.area.name for a in overview[0].comparison_areas] == ["Vejgaard"]
    html = response.content.decode()
    assert "Sundhedsplejen Aalborg" in html
    assert "Herstedlund" not in html
    assert "Sundhedsplejen Albertslund" not in html


def test_the_programme_page_counts_what_the_administrator_sees(client_for: ClientFor) -> None:
    totals = client_for("ada").get("/programme/").context["totals"]
    assert (
        totals.municipalities,
        totals.programme_areas,
        totals.comparison_areas,
        totals.schools,
        totals.daycares,
        totals.partners,
    ) == (3, 3, 1, 2, 3, 2)


def test_the_area_page_lists_its_institutions_on_a_map(world: World, client_for: ClientFor) -> None:
    response = client_for("hanne").get(f"/areas/{world.lindholm.pk}/")
    assert {i.name for i in response.context["institutions"]} == {
        "Gl. Lindholm Skole",
        "Børnehaven Lindholm Å",
        "Sundhedsplejen Aalborg",
    }
    html = response.content.decode()
    points_json = html.split('<script id="map-points" type="application/json">')[1]
    points = json.loads(points_json.split("</script>")[0])
    assert {(p["name"], p["lat"], p["lon"]) for p in points} == {
        ("Gl. Lindholm Skole", 57.0662, 9.9066),
        ("Børnehaven Lindholm Å", 57.0701, 9.9012),
        ("Sundhedsplejen Aalborg", 57.0488, 9.9217),
    }


def test_the_institution_page_offers_editing_only_to_those_who_may(
    world: World, client_for: ClientFor
) -> None:
    url = f"/institutions/{world.gl_lindholm_skole.pk}/"
    edit = f"/institutions/{world.gl_lindholm_skole.pk}/edit/"
    assert edit in client_for("tina").get(url).content.decode()
    assert edit not in client_for("hanne").get(url).content.decode()


def test_each_role_lands_on_her_own_front_page(world: World, client_for: ClientFor) -> None:
    landing = {
        persona: client_for(persona).get("/").context["role"]
        for persona in ("pia", "tina", "carl", "lars", "rikke", "ada", "otto")
    }
    assert landing == {
        "pia": "pedagogue",
        "tina": "teacher",
        "carl": "club_contact",
        "lars": "project_leader",
        "rikke": "researcher",
        "ada": "admin",
        "otto": None,
    }


def test_a_health_visitors_front_page_is_her_worklist(world: World, client_for: ClientFor) -> None:
    response = client_for("hanne").get("/")
    assert (response.status_code, response["Location"]) == (302, "/healthvisits/")


def test_a_pedagogue_sees_her_daycare_and_its_area_on_her_front_page(
    world: World, client_for: ClientFor
) -> None:
    context = client_for("pia").get("/").context
    assert [i.name for i in context["institutions"]] == ["Børnehuset Troldhøj"]
    assert [a.name for a in context["areas"]] == ["Slangerup"]
    assert [i.name for i in context["neighbours"]] == ["Sundhedsplejen Frederikssund"]


def test_the_edit_form_refuses_an_invalid_instnr_and_saves_nothing(
    world: World, client_for: ClientFor
) -> None:
    school = world.gl_lindholm_skole
    client = in_english(client_for("tina"))
    response = client.post(
        f"/institutions/{school.pk}/edit/",
        edit_form(school, name="Renamed", official_number="12345"),
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "official_number": ["A school's institution number (INSTNR) has exactly 6 digits."]
    }
    assert "exactly 6 digits" in response.content.decode()
    school.refresh_from_db()
    assert (school.name, school.official_number) == ("Gl. Lindholm Skole", "851012")


def test_the_edit_form_refuses_a_duplicate_instnr(world: World, client_for: ClientFor) -> None:
    school = world.gl_lindholm_skole
    client = in_english(client_for("lars"))
    response = client.post(
        f"/institutions/{school.pk}/edit/",
        edit_form(school, official_number=world.herstedlund_skole.official_number),
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Another school already has this institution number."
    ]
    assert Institution.objects.get(pk=school.pk).official_number == "851012"


def test_the_edit_form_saves_and_says_so(world: World, client_for: ClientFor) -> None:
    school = world.gl_lindholm_skole
    client = in_english(client_for("tina"))
    response = client.post(
        f"/institutions/{school.pk}/edit/",
        edit_form(school, street="Lindholmsvej 65", postcode="9400", city="Nørresundby"),
        follow=True,
    )
    assert response.redirect_chain == [(f"/institutions/{school.pk}/", 302)]
    assert "The institution was saved." in response.content.decode()
    school.refresh_from_db()
    assert school.address == "Lindholmsvej 65, 9400 Nørresundby"
    assert InstitutionArea.objects.filter(institution=school).count() == 1


def test_pages_speak_danish_unless_english_is_chosen(client_for: ClientFor) -> None:
    client = client_for("hanne")
    assert client.get("/").headers["Content-Language"] == "da"
    assert in_english(client).get("/").headers["Content-Language"] == "en"
