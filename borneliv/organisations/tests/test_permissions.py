"""The permission matrix: each persona sees and may change exactly what her role allows.

Scope (``accounts/scope.py``): staff, club contacts and project leaders read their own
municipality's registry; administrators and researchers read everything; an outsider reads
nothing. Change rights (``organisations/rules.py``): administrators everything; a project leader
her municipality's areas, institutions and partners; staff their own institution; a club contact
her own partner; researchers nothing. Objects outside scope answer 404 everywhere (page, API,
admin), so a guessed id reveals nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.admin import RelatedFieldListFilter
from django.test import Client

from borneliv.organisations.models import Area, Institution, InstitutionArea, Municipality, Partner
from borneliv.testing import PERSONAS, World

pytestmark = pytest.mark.django_db

ClientFor = Callable[[str], Client]

MUNICIPALITIES = ("aalborg", "albertslund", "frederikssund")
AREAS = ("lindholm", "vejgaard", "herstedlund", "slangerup")
INSTITUTIONS = (
    "gl_lindholm_skole",
    "lindholm_daycare",
    "aalborg_health",
    "herstedlund_skole",
    "albertslund_daycare",
    "albertslund_health",
    "troldhoj",
    "frederikssund_health",
)
PARTNERS = ("lindholm_if", "albertslund_partner")
RESOURCES = MUNICIPALITIES + AREAS + INSTITUTIONS + PARTNERS
BY_MODEL: dict[type[Any], tuple[str, ...]] = {
    Municipality: MUNICIPALITIES,
    Area: AREAS,
    Institution: INSTITUTIONS,
    Partner: PARTNERS,
}

IN_AALBORG = frozenset(
    {
        "aalborg",
        "lindholm",
        "vejgaard",
        "gl_lindholm_skole",
        "lindholm_daycare",
        "aalborg_health",
        "lindholm_if",
    }
)
IN_ALBERTSLUND = frozenset(
    {
        "albertslund",
        "herstedlund",
        "herstedlund_skole",
        "albertslund_daycare",
        "albertslund_health",
        "albertslund_partner",
    }
)
IN_FREDERIKSSUND = frozenset({"frederikssund", "slangerup", "troldhoj", "frederikssund_health"})
EVERYTHING = IN_AALBORG | IN_ALBERTSLUND | IN_FREDERIKSSUND
NOTHING: frozenset[str] = frozenset()

SEES: dict[str, frozenset[str]] = {
    "hanne": IN_AALBORG,
    "astrid": IN_ALBERTSLUND,
    "pia": IN_FREDERIKSSUND,
    "tina": IN_AALBORG,
    "carl": IN_AALBORG,
    "lars": IN_AALBORG,
    "rikke": EVERYTHING,
    "ada": EVERYTHING,
    "otto": NOTHING,
}

CHANGES: dict[str, frozenset[str]] = {
    "hanne": frozenset({"aalborg_health"}),
    "astrid": frozenset({"albertslund_health"}),
    "pia": frozenset({"troldhoj"}),
    "tina": frozenset({"gl_lindholm_skole"}),
    "carl": frozenset({"lindholm_if"}),
    "lars": IN_AALBORG - {"aalborg"},
    "rikke": NOTHING,
    "ada": EVERYTHING,
    "otto": NOTHING,
}

# (municipalities, areas, institutions, partners, area memberships) returned by visible_to.
VISIBLE_COUNTS = {
    "hanne": (1, 2, 3, 1, 3),
    "astrid": (1, 1, 3, 1, 3),
    "pia": (1, 1, 2, 0, 2),
    "tina": (1, 2, 3, 1, 3),
    "carl": (1, 2, 3, 1, 3),
    "lars": (1, 2, 3, 1, 3),
    "rikke": (3, 4, 8, 2, 8),
    "ada": (3, 4, 8, 2, 8),
    "otto": (0, 0, 0, 0, 0),
}

PAGE_URLS = {
    Area: "/areas/{pk}/",
    Institution: "/institutions/{pk}/",
    Partner: "/partners/{pk}/",
}
API_URLS = {
    Municipality: "/api/v1/municipalities",
    Area: "/api/v1/areas",
    Institution: "/api/v1/institutions",
    Partner: "/api/v1/partners",
}


def obj(world: World, name: str) -> Any:
    return world.get(name)


def page_url(world: World, name: str) -> str:
    target = obj(world, name)
    return PAGE_URLS[type(target)].format(pk=target.pk)


def api_url(world: World, name: str) -> str:
    target = obj(world, name)
    return f"{API_URLS[type(target)]}/{target.pk}"


def model_name(name: str) -> str:
    for model, names in BY_MODEL.items():
        if name in names:
            return str(model._meta.model_name)
    raise KeyError(name)


def edit_form(institution: Institution, **changes: Any) -> dict[str, Any]:
    data = {
        field: getattr(institution, field)
        for field in ("name", "official_number", "street", "postcode", "city")
    }
    data.update(latitude=institution.latitude, longitude=institution.longitude)
    data.update(lock_version=institution.lock_version)
    data.update(changes)
    return data


def test_the_tables_cover_every_persona() -> None:
    assert set(SEES) == set(CHANGES) == set(VISIBLE_COUNTS) == set(PERSONAS)
    for persona in PERSONAS:
        assert CHANGES[persona] <= SEES[persona]


# Scoped QuerySets and rules


@pytest.mark.parametrize("persona", PERSONAS)
def test_visible_to_counts_exactly_the_rows_in_scope(world: World, persona: str) -> None:
    user = world.persona(persona)
    counts = tuple(
        model.objects.visible_to(user).count()
        for model in (Municipality, Area, Institution, Partner, InstitutionArea)
    )
    assert counts == VISIBLE_COUNTS[persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_visible_to_returns_exactly_the_rows_in_scope(world: World, persona: str) -> None:
    user = world.persona(persona)
    visible = {
        name
        for model, names in BY_MODEL.items()
        for name in names
        if model.objects.visible_to(user).filter(pk=obj(world, name).pk).exists()
    }
    assert visible == SEES[persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_may_view_exactly_her_scope(world: World, persona: str) -> None:
    user = world.persona(persona)
    may_view = {
        name
        for name in RESOURCES
        if user.has_perm(f"organisations.view_{model_name(name)}", obj(world, name))
    }
    assert may_view == SEES[persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_may_change_exactly_what_her_role_allows(world: World, persona: str) -> None:
    user = world.persona(persona)
    may_change = {
        name
        for name in RESOURCES
        if user.has_perm(f"organisations.change_{model_name(name)}", obj(world, name))
    }
    assert may_change == CHANGES[persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_managers_may_add_and_only_administrators_may_delete(
    world: World, persona: str
) -> None:
    user = world.persona(persona)
    rights = {
        action: {
            model
            for model in ("municipality", "area", "institution", "partner", "institutionarea")
            if user.has_perm(f"organisations.{action}_{model}")
        }
        for action in ("add", "delete")
    }
    managed = {"area", "institution", "partner", "institutionarea"}
    everything = managed | {"municipality"}
    expected = {
        "lars": {"add": managed, "delete": set()},
        "ada": {"add": everything, "delete": everything},
    }.get(persona, {"add": set(), "delete": set()})
    assert rights == expected


@pytest.mark.parametrize("persona", PERSONAS)
def test_programme_wide_permissions_follow_the_role(world: World, persona: str) -> None:
    user = world.persona(persona)
    granted = {
        perm
        for perm in (
            "organisations.view_programme_overview",
            "organisations.view_goal",
            "organisations.change_goal",
            "organisations.view_history",
            "accounts.view_history",
            "accounts.view_user",
            "accounts.change_membership",
        )
        if user.has_perm(perm)
    }
    staff = {"organisations.view_goal"}
    expected = {
        "otto": set(),
        "lars": staff | {"organisations.view_programme_overview"},
        "rikke": staff | {"organisations.view_programme_overview"},
        "ada": {
            "organisations.view_programme_overview",
            "organisations.view_goal",
            "organisations.change_goal",
            "organisations.view_history",
            "accounts.view_history",
            "accounts.view_user",
            "accounts.change_membership",
        },
    }.get(persona, staff)
    assert granted == expected


# Pages


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_opens_exactly_the_pages_in_her_scope(
    world: World, client_for: ClientFor, persona: str
) -> None:
    client = client_for(persona)
    names = AREAS + INSTITUTIONS + PARTNERS
    statuses = {name: client.get(page_url(world, name)).status_code for name in names}
    assert statuses == {name: 200 if name in SEES[persona] else 404 for name in names}


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_opens_the_edit_page_only_of_institutions_she_may_change(
    world: World, client_for: ClientFor, persona: str
) -> None:
    client = client_for(persona)
    statuses = {
        name: client.get(f"/institutions/{obj(world, name).pk}/edit/").status_code
        for name in INSTITUTIONS
    }
    assert statuses == {
        name: 200 if name in CHANGES[persona] else 403 if name in SEES[persona] else 404
        for name in INSTITUTIONS
    }


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_saves_only_institutions_she_may_change(
    world: World, client_for: ClientFor, persona: str
) -> None:
    client = client_for(persona)
    statuses = {}
    for name in INSTITUTIONS:
        institution = obj(world, name)
        response = client.post(
            f"/institutions/{institution.pk}/edit/",
            edit_form(institution, name=f"{institution.name} (edited)"),
        )
        statuses[name] = response.status_code
    edited = {
        name
        for name in INSTITUTIONS
        if Institution.objects.get(pk=obj(world, name).pk).name.endswith("(edited)")
    }
    assert statuses == {
        name: 302 if name in CHANGES[persona] else 403 if name in SEES[persona] else 404
        for name in INSTITUTIONS
    }
    assert edited == CHANGES[persona] & set(INSTITUTIONS)


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_administrators_project_leaders_and_researchers_see_the_programme(
    client_for: ClientFor, persona: str
) -> None:
    status = client_for(persona).get("/programme/").status_code
    assert status == (200 if persona in {"lars", "rikke", "ada"} else 403)


@pytest.mark.parametrize("persona", PERSONAS)
def test_everyone_with_a_role_sees_the_goals(client_for: ClientFor, persona: str) -> None:
    status = client_for(persona).get("/programme/goals/").status_code
    assert status == (403 if persona == "otto" else 200)


def test_an_aalborg_health_visitor_cannot_open_albertslund_by_guessing_urls(
    world: World, client_for: ClientFor
) -> None:
    client = client_for("hanne")
    guessed = [
        f"/areas/{world.herstedlund.pk}/",
        f"/institutions/{world.herstedlund_skole.pk}/",
        f"/institutions/{world.albertslund_health.pk}/",
        f"/institutions/{world.albertslund_health.pk}/edit/",
        f"/partners/{world.albertslund_partner.pk}/",
    ]
    assert {url: client.get(url).status_code for url in guessed} == dict.fromkeys(guessed, 404)


def test_an_aalborg_health_visitor_cannot_read_albertslund_by_api_id(
    world: World, client_for: ClientFor
) -> None:
    client = client_for("hanne")
    guessed = [
        f"/api/v1/municipalities/{world.albertslund.pk}",
        f"/api/v1/areas/{world.herstedlund.pk}",
        f"/api/v1/institutions/{world.herstedlund_skole.pk}",
        f"/api/v1/institutions/{world.albertslund_health.pk}",
        f"/api/v1/partners/{world.albertslund_partner.pk}",
    ]
    assert {url: client.get(url).status_code for url in guessed} == dict.fromkeys(guessed, 404)
    assert client.get(f"/api/v1/institutions/{world.aalborg_health.pk}").status_code == 200


def test_a_guessed_id_outside_scope_looks_like_an_id_that_does_not_exist(
    world: World, client_for: ClientFor
) -> None:
    client = client_for("hanne")
    hidden = client.get(f"/api/v1/institutions/{world.herstedlund_skole.pk}")
    missing = client.get("/api/v1/institutions/987654")
    assert (hidden.status_code, hidden.json()) == (missing.status_code, missing.json())
    hidden_page = client.get(f"/institutions/{world.herstedlund_skole.pk}/")
    missing_page = client.get("/institutions/987654/")
    assert hidden_page.status_code == missing_page.status_code == 404
    assert world.herstedlund_skole.name not in hidden_page.content.decode()


# API


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_reads_exactly_her_scope_by_api_id(
    world: World, client_for: ClientFor, persona: str
) -> None:
    client = client_for(persona)
    statuses = {name: client.get(api_url(world, name)).status_code for name in RESOURCES}
    assert statuses == {name: 200 if name in SEES[persona] else 404 for name in RESOURCES}


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_lists_return_only_rows_in_scope(
    world: World, client_for: ClientFor, persona: str
) -> None:
    client = client_for(persona)
    listed = set()
    for model, url in API_URLS.items():
        body = client.get(url).json()
        assert body["count"] == len(body["items"])
        ids = {item["id"] for item in body["items"]}
        listed |= {name for name in BY_MODEL[model] if obj(world, name).pk in ids}
        assert len(ids) == body["count"]
    assert listed == SEES[persona]


# The Django admin


def admin_rows(client: Client, model: str) -> set[str]:
    response = client.get(f"/admin/organisations/{model}/")
    assert response.status_code == 200
    return {str(row) for row in response.context["cl"].result_list}


def test_a_project_leader_sees_only_her_municipalitys_rows_in_the_admin(
    world: World, client_for: ClientFor
) -> None:
    client = client_for("lars")
    assert admin_rows(client, "municipality") == {"Aalborg"}
    assert admin_rows(client, "area") == {"Lindholm", "Vejgaard"}
    assert admin_rows(client, "institution") == {
        "Gl. Lindholm Skole",
        "Børnehaven Lindholm Å",
        "Sundhedsplejen Aalborg",
    }
    assert admin_rows(client, "partner") == {"Lindholm IF"}
    assert {row.split(" → ")[0] for row in admin_rows(client, "institutionarea")} == {
        "Gl. Lindholm Skole",
        "Børnehaven Lindholm Å",
        "Sundhedsplejen Aalborg",
    }


def test_the_administrator_sees_every_row_in_the_admin(world: World, client_for: ClientFor) -> None:
    client = client_for("ada")
    assert admin_rows(client, "municipality") == {"Aalborg", "Albertslund", "Frederikssund"}
    assert len(admin_rows(client, "institution")) == 8
    assert len(admin_rows(client, "partner")) == 2


def admin_filter_choices(client: Client, model: str) -> dict[str, set[str]]:
    """The related-field filters in the changelist's sidebar (Django hides one-choice filters)."""
    changelist = client.get(f"/admin/organisations/{model}/").context["cl"]
    return {
        spec.field_path: {str(label) for _pk, label in spec.lookup_choices}
        for spec in changelist.filter_specs
        if isinstance(spec, RelatedFieldListFilter)
    }


def test_admin_filters_offer_only_choices_in_scope(world: World, client_for: ClientFor) -> None:
    lars = client_for("lars")
    assert admin_filter_choices(lars, "institutionarea") == {"area": {"Lindholm", "Vejgaard"}}
    assert admin_filter_choices(lars, "institution") == {}  # only Aalborg: nothing to filter
    ada = client_for("ada")
    assert admin_filter_choices(ada, "institution") == {
        "municipality": {"Aalborg", "Albertslund", "Frederikssund"}
    }
    assert admin_filter_choices(ada, "institutionarea") == {
        "area": {"Lindholm", "Vejgaard", "Herstedlund", "Slangerup"}
    }


def test_a_project_leader_opens_her_own_institutions_change_page_only(
    world: World, client_for: ClientFor
) -> None:
    client = client_for("lars")
    own = client.get(f"/admin/organisations/institution/{world.gl_lindholm_skole.pk}/change/")
    assert own.status_code == 200
    for name in ("herstedlund_skole", "troldhoj"):
        other = client.get(f"/admin/organisations/institution/{obj(world, name).pk}/change/")
        # The admin answers an object outside the queryset as "does not exist".
        assert (other.status_code, other["Location"]) == (302, "/admin/")
    other_area = client.get(f"/admin/organisations/area/{world.herstedlund.pk}/change/")
    assert (other_area.status_code, other_area["Location"]) == (302, "/admin/")


def test_a_project_leader_cannot_change_another_municipalitys_institution_in_the_admin(
    world: World, client_for: ClientFor
) -> None:
    client = client_for("lars")
    response = client.post(
        f"/admin/organisations/institution/{world.herstedlund_skole.pk}/change/",
        edit_form(world.herstedlund_skole, name="Taken over"),
    )
    assert response.status_code == 302
    assert Institution.objects.get(pk=world.herstedlund_skole.pk).name == "Herstedlund Skole"


def test_a_project_leader_picks_only_her_own_municipality_and_areas_when_adding(
    world: World, client_for: ClientFor
) -> None:
    response = client_for("lars").get("/admin/organisations/institution/add/")
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert list(form.fields["municipality"].queryset) == [world.aalborg]
    assert set(form.fields["area"].queryset) == {world.lindholm, world.vejgaard}


def test_a_project_leader_cannot_manage_users_or_memberships(client_for: ClientFor) -> None:
    client = client_for("lars")
    assert client.get("/admin/accounts/user/").status_code == 403
    assert client.get("/admin/accounts/membership/").status_code == 403
    assert client.get("/admin/organisations/municipality/add/").status_code == 403


def test_only_administrators_see_change_history_in_the_admin(
    world: World, client_for: ClientFor
) -> None:
    url = f"/admin/organisations/institution/{world.gl_lindholm_skole.pk}/history/"
    assert client_for("lars").get(url).status_code == 403
    assert client_for("ada").get(url).status_code == 200
    user_history = f"/admin/accounts/user/{world.hanne.pk}/history/"
    assert client_for("ada").get(user_history).status_code == 200


@pytest.mark.parametrize("persona", ["hanne", "pia", "tina", "carl", "rikke", "otto"])
def test_users_without_the_staff_flag_cannot_enter_the_admin(
    client_for: ClientFor, persona: str
) -> None:
    response = client_for(persona).get("/admin/organisations/institution/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_an_admin_edit_goes_through_the_institution_service(
    world: World, client_for: ClientFor, monkeypatch: pytest.MonkeyPatch
) -> None:
    from borneliv.organisations import services

    calls: list[dict[str, Any]] = []
    update = services.institution_update

    def spy(**kwargs: Any) -> Institution:
        calls.append(kwargs)
        return update(**kwargs)

    monkeypatch.setattr(services, "institution_update", spy)
    school = world.gl_lindholm_skole
    response = client_for("lars").post(
        f"/admin/organisations/institution/{school.pk}/change/",
        {
            **edit_form(school, name="Gl. Lindholm Skole og SFO"),
            # The read-only inline of area memberships still posts its management form.
            "area_memberships-TOTAL_FORMS": "0",
            "area_memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    assert [call["name"] for call in calls] == ["Gl. Lindholm Skole og SFO"]
    assert Institution.objects.get(pk=school.pk).name == "Gl. Lindholm Skole og SFO"
