"""User management across municipalities: lars leads Aalborg, frida (made here) Albertslund.

sofie works as a health visitor in both municipalities; vera is an administrator who also
teaches at an Aalborg school. A project leader manages the roles in her own municipality and
the accounts that lie wholly inside it, nothing else.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import rules
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from borneliv.accounts import services
from borneliv.accounts.models import Membership, Role, User, today
from borneliv.testing import MEMBERS_FROM, PASSWORD, World, make_user

ClientFor = Callable[[str | User], Client]


@pytest.fixture
def frida(world: World) -> User:
    """Albertslund's project leader."""
    user = make_user("frida", "Frida", "Feldt")
    services.membership_create(
        user=user,
        role=Role.PROJECT_LEADER,
        municipality=world.albertslund,
        valid_from=MEMBERS_FROM,
    )
    return user


@pytest.fixture
def sofie(world: World) -> User:
    """A health visitor in Aalborg and in Albertslund."""
    user = make_user("sofie", "Sofie", "Storm")
    for unit in (world.aalborg_health, world.albertslund_health):
        services.membership_create(
            user=user, role=Role.HEALTH_VISITOR, institution=unit, valid_from=MEMBERS_FROM
        )
    return user


@pytest.fixture
def vera(world: World) -> User:
    """An administrator who also teaches at Gl. Lindholm Skole in Aalborg."""
    user = make_user("vera", "Vera", "Vang")
    services.membership_create(user=user, role=Role.ADMIN, valid_from=MEMBERS_FROM)
    services.membership_create(
        user=user, role=Role.TEACHER, institution=world.gl_lindholm_skole, valid_from=MEMBERS_FROM
    )
    return user


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def listed_usernames(client: Client, query: str = "") -> list[str]:
    response = client.get(f"/users/{query}")
    assert response.status_code == 200
    return [row.user.username for row in response.context["rows"]]


def logs_in(username: str, password: str, client: Client | None = None) -> bool:
    """Through the login form (axes needs the request), from an address of its own."""
    client = client or Client()
    response = client.post(
        "/login/", {"username": username, "password": password}, REMOTE_ADDR="10.0.0.2"
    )
    return response.status_code == 302


def can(user: User, perm: str, obj: Any = None) -> bool:
    user.forget_scope()
    return bool(user.has_perm(perm, obj))


# Who sees the pages and whom


@pytest.mark.parametrize("persona", ["hanne", "astrid", "pia", "tina", "carl", "rikke", "otto"])
def test_only_administrators_and_project_leaders_open_the_user_pages(
    client_for: ClientFor, world: World, persona: str
) -> None:
    client = client_for(persona)
    assert client.get("/users/").status_code == 403
    assert client.get("/users/new/").status_code == 403
    assert client.get(f"/users/{world.hanne.pk}/").status_code == 403


def test_a_project_leader_lists_the_people_of_her_municipality_only(
    client_for: ClientFor, world: World, frida: User, sofie: User
) -> None:
    assert listed_usernames(client_for("lars")) == ["carl", "hanne", "lars", "sofie", "tina"]
    assert listed_usernames(client_for(frida)) == ["astrid", "frida", "sofie"]


def test_an_administrator_lists_everyone(client_for: ClientFor, world: World) -> None:
    assert listed_usernames(client_for("ada")) == [
        "ada",
        "astrid",
        "carl",
        "hanne",
        "lars",
        "otto",
        "pia",
        "rikke",
        "tina",
    ]


def test_the_list_shows_only_her_municipalitys_roles_and_counts_the_others(
    client_for: ClientFor, world: World, sofie: User
) -> None:
    response = client_for("lars").get("/users/?q=sofie")
    (row,) = response.context["rows"]
    assert [(m.role, m.organisation) for m in row.roles] == [
        ("health_visitor", world.aalborg_health)
    ]
    assert row.roles_elsewhere == 1
    assert "Sundhedsplejen Albertslund" not in response.content.decode()


def test_the_list_filters_by_name_role_and_status(client_for: ClientFor, world: World) -> None:
    client = client_for("ada")
    assert listed_usernames(client, "?q=han") == ["hanne"]
    assert listed_usernames(client, "?role=health_visitor") == ["astrid", "hanne"]
    services.user_set_active(user=world.tina, is_active=False)
    assert listed_usernames(client, "?status=inactive") == ["tina"]
    assert "tina" not in listed_usernames(client, "?status=active")


def test_another_municipalitys_account_answers_404(
    client_for: ClientFor, world: World, frida: User
) -> None:
    lars = client_for("lars")
    assert lars.get(f"/users/{world.astrid.pk}/").status_code == 404
    assert lars.get(f"/users/{frida.pk}/").status_code == 404
    assert lars.get(f"/users/{world.ada.pk}/").status_code == 404
    (astrids,) = world.astrid.memberships.all()
    assert lars.get(f"/roles/{astrids.pk}/").status_code == 404
    assert lars.post(f"/users/{world.astrid.pk}/password/").status_code == 404
    assert client_for(frida).get(f"/users/{world.hanne.pk}/").status_code == 404


def test_the_list_page_costs_the_same_queries_for_any_number_of_users(
    client_for: ClientFor, world: World
) -> None:
    client = client_for("ada")
    client.get("/users/")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/users/").status_code == 200
        return len(captured)

    before = queries()
    for number in range(12):
        extra = make_user(f"extra{number:02d}", "Ekstra", f"Nummer {number}")
        services.membership_create(
            user=extra,
            role=Role.TEACHER,
            institution=world.gl_lindholm_skole,
            valid_from=MEMBERS_FROM,
        )
    assert queries() == before


# Creating an account


def create(client: Client, **fields: object) -> Any:
    data = {
        "username": "ida.iversen",
        "first_name": "Ida",
        "last_name": "Iversen",
        "email": "ida@example.org",
        "role": "health_visitor",
        "organisation": "",
        "valid_from": "2025-01-01",
        "valid_to": "",
    }
    data.update({key: str(value) for key, value in fields.items()})
    return client.post("/users/new/", data)


def test_a_project_leader_creates_a_health_visitor_with_a_temporary_password(
    client_for: ClientFor, world: World
) -> None:
    response = create(client_for("lars"), organisation=f"institution:{world.aalborg_health.pk}")
    assert response.status_code == 200
    password = response.context["password"]
    assert "no-store" in response["Cache-Control"]
    ida = User.objects.get(username="ida.iversen")
    assert (ida.first_name, ida.email, ida.must_change_password) == (
        "Ida",
        "ida@example.org",
        True,
    )
    assert ida.check_password(password)
    assert [(m.role, m.institution, m.valid_from) for m in ida.memberships.all()] == [
        ("health_visitor", world.aalborg_health, dt.date(2025, 1, 1))
    ]
    assert password not in client_for("lars").get(f"/users/{ida.pk}/").content.decode()


def test_the_form_offers_a_project_leader_her_municipality_and_its_roles_only(
    client_for: ClientFor, world: World
) -> None:
    form = client_for("lars").get("/users/new/").context["form"]
    roles = [value for value, _label in form.fields["role"].choices if value]
    assert roles == ["project_leader", "health_visitor", "pedagogue", "teacher", "club_contact"]
    offered = set(form.organisations.by_value.values())
    assert ("municipality", world.aalborg) in offered
    assert ("institution", world.gl_lindholm_skole) in offered
    assert ("partner", world.lindholm_if) in offered
    assert not {obj for _field, obj in offered} & {
        world.albertslund,
        world.albertslund_health,
        world.troldhoj,
        world.albertslund_partner,
    }


@pytest.mark.parametrize(
    ("role", "where"),
    [
        ("admin", ""),
        ("researcher", ""),
        ("health_visitor", "albertslund_health"),
        ("project_leader", "albertslund"),
        ("club_contact", "albertslund_partner"),
    ],
)
def test_a_project_leader_can_never_grant_administrator_researcher_or_another_municipality(
    client_for: ClientFor, world: World, role: str, where: str
) -> None:
    organisation = ""
    if where:
        obj = world.get(where)
        kind = {"albertslund": "municipality", "albertslund_partner": "partner"}.get(
            where, "institution"
        )
        organisation = f"{kind}:{obj.pk}"  # type: ignore[attr-defined]
    response = create(client_for("lars"), role=role, organisation=organisation)
    assert response.status_code == 400
    assert not User.objects.filter(username="ida.iversen").exists()


def test_the_rule_refuses_such_a_grant_even_past_the_form(world: World) -> None:
    """The rule, not only the form's choices, refuses (e.g. a crafted request or a new page)."""
    target = world.tina
    refused = [
        Membership(user=target, role=Role.ADMIN),
        Membership(user=target, role=Role.RESEARCHER),
        Membership(user=target, role=Role.HEALTH_VISITOR, institution=world.albertslund_health),
        Membership(user=target, role=Role.PROJECT_LEADER, municipality=world.albertslund),
    ]
    for candidate in refused:
        assert not can(world.lars, "accounts.manage_membership", candidate), candidate.role
    allowed = Membership(user=target, role=Role.PEDAGOGUE, institution=world.lindholm_daycare)
    assert can(world.lars, "accounts.manage_membership", allowed)
    assert can(world.ada, "accounts.manage_membership", refused[0])


def test_a_mismatched_role_and_place_is_explained_and_nothing_is_created(
    client_for: ClientFor, world: World
) -> None:
    client = english(client_for("lars"))
    response = create(
        client, role="pedagogue", organisation=f"institution:{world.aalborg_health.pk}"
    )
    assert response.status_code == 400
    assert response.context["form"].errors["organisation"] == [
        "A pedagogue must belong to a daycare, not a health-visiting unit."
    ]
    assert not User.objects.filter(username="ida.iversen").exists()


def test_a_taken_username_is_refused(client_for: ClientFor, world: World) -> None:
    response = create(
        client_for("ada"), username="hanne", organisation=f"institution:{world.aalborg_health.pk}"
    )
    assert response.status_code == 400
    assert "username" in response.context["form"].errors


def test_an_administrator_creates_a_researcher(client_for: ClientFor, world: World) -> None:
    response = create(client_for("ada"), role="researcher")
    assert response.status_code == 200
    (membership,) = User.objects.get(username="ida.iversen").memberships.all()
    assert (membership.role, membership.organisation) == ("researcher", None)


# The account: edit, deactivate, reactivate, a temporary password


def test_a_project_leader_deactivates_and_reactivates_an_account_of_her_own_municipality(
    client_for: ClientFor, world: World
) -> None:
    lars = client_for("lars")
    tina = client_for("tina")
    assert lars.post(f"/users/{world.tina.pk}/deactivate/").status_code == 302
    world.tina.refresh_from_db()
    assert world.tina.is_active is False
    assert tina.get("/").status_code == 302  # her session ended
    assert not logs_in("tina", PASSWORD)
    assert lars.post(f"/users/{world.tina.pk}/reactivate/").status_code == 302
    assert logs_in("tina", PASSWORD)
    assert list(world.tina.memberships.values_list("role", flat=True)) == ["teacher"]


def test_a_project_leader_edits_the_name_and_email(client_for: ClientFor, world: World) -> None:
    response = client_for("lars").post(
        f"/users/{world.carl.pk}/edit/",
        {
            "first_name": "Carl Emil",
            "last_name": "Christensen",
            "email": "ce@example.org",
            "lock_version": world.carl.lock_version,
        },
    )
    assert response.status_code == 302
    world.carl.refresh_from_db()
    assert (world.carl.first_name, world.carl.email) == ("Carl Emil", "ce@example.org")


def test_a_temporary_password_replaces_the_old_one_and_must_be_changed_at_login(
    client_for: ClientFor, world: World
) -> None:
    response = client_for("lars").post(f"/users/{world.hanne.pk}/password/")
    assert response.status_code == 200
    temporary = response.context["password"]
    assert not logs_in("hanne", PASSWORD)

    hanne = Client()
    assert logs_in("hanne", temporary, hanne)
    assert hanne.get("/children/")["Location"] == "/account/password/"
    assert hanne.get("/").status_code == 302
    assert hanne.get("/api/v1/municipalities").status_code == 403
    assert hanne.get("/account/password/").context["required"] is True

    response = hanne.post(
        "/account/password/",
        {
            "old_password": temporary,
            "new_password1": "solsikke-vugge-2031",
            "new_password2": "solsikke-vugge-2031",
        },
    )
    assert response["Location"] == "/"
    assert hanne.get("/healthvisits/").status_code == 200
    world.hanne.refresh_from_db()
    assert world.hanne.must_change_password is False
    assert world.hanne.check_password("solsikke-vugge-2031")


def test_a_reset_lifts_a_login_lock(client_for: ClientFor, world: World) -> None:
    client = Client()
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": "tina", "password": "wrong"}, REMOTE_ADDR="10.0.0.9")
    login = {"username": "tina", "password": PASSWORD}
    assert client.post("/login/", login, REMOTE_ADDR="10.0.0.9").status_code == 429
    temporary = client_for("lars").post(f"/users/{world.tina.pk}/password/").context["password"]
    login["password"] = temporary
    response = client.post("/login/", login, REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 302


def test_a_weak_new_password_is_refused(client_for: ClientFor, world: World) -> None:
    client = client_for("carl")
    response = client.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": "1234", "new_password2": "1234"},
    )
    assert response.status_code == 400
    world.carl.refresh_from_db()
    assert world.carl.check_password(PASSWORD)


# Accounts that reach beyond her municipality


def test_a_shared_account_is_left_to_an_administrator_but_her_role_is_hers(
    client_for: ClientFor, world: World, sofie: User
) -> None:
    lars = client_for("lars")
    page = lars.get(f"/users/{sofie.pk}/")
    assert page.context["can_manage_account"] is False
    assert page.context["account"].roles_elsewhere == 1
    body = page.content.decode()
    assert f"/users/{sofie.pk}/password/" not in body
    assert f"/users/{sofie.pk}/deactivate/" not in body
    assert "Sundhedsplejen Albertslund" not in body
    for action in ("password", "deactivate", "edit"):
        assert lars.post(f"/users/{sofie.pk}/{action}/").status_code == 403

    aalborg = sofie.memberships.get(institution=world.aalborg_health)
    albertslund = sofie.memberships.get(institution=world.albertslund_health)
    response = lars.post(
        f"/roles/{aalborg.pk}/",
        {"valid_from": "2024-01-01", "lock_version": 1, "valid_to": "2026-06-30"},
    )
    assert response.status_code == 302
    aalborg.refresh_from_db()
    assert aalborg.valid_to == dt.date(2026, 6, 30)
    assert lars.get(f"/roles/{albertslund.pk}/").status_code == 404


def test_albertslunds_project_leader_manages_only_the_albertslund_role(
    client_for: ClientFor, world: World, frida: User, sofie: User
) -> None:
    client = client_for(frida)
    albertslund = sofie.memberships.get(institution=world.albertslund_health)
    aalborg = sofie.memberships.get(institution=world.aalborg_health)
    assert client.get(f"/roles/{albertslund.pk}/").status_code == 200
    assert client.get(f"/roles/{aalborg.pk}/").status_code == 404
    assert client.post(f"/users/{sofie.pk}/deactivate/").status_code == 403
    assert client.post(f"/users/{world.astrid.pk}/deactivate/").status_code == 302


def test_once_her_other_role_has_ended_the_account_is_hers_to_manage(
    world: World, sofie: User
) -> None:
    assert not can(world.lars, "accounts.manage_account", sofie)
    albertslund = sofie.memberships.get(institution=world.albertslund_health)
    services.membership_update(
        membership=albertslund, valid_from=MEMBERS_FROM, valid_to=today() - dt.timedelta(days=1)
    )
    assert can(world.lars, "accounts.manage_account", sofie)


def test_a_role_elsewhere_that_has_not_started_counts_too(world: World) -> None:
    services.membership_create(
        user=world.tina,
        role=Role.TEACHER,
        institution=world.herstedlund_skole,
        valid_from=today() + dt.timedelta(days=30),
    )
    assert not can(world.lars, "accounts.manage_account", world.tina)


def test_a_project_leader_cannot_take_over_an_administrators_account(
    client_for: ClientFor, world: World, vera: User
) -> None:
    """vera teaches in Aalborg, so lars sees her, but her password stays out of his reach."""
    lars = client_for("lars")
    page = lars.get(f"/users/{vera.pk}/")
    assert page.status_code == 200
    assert page.context["can_manage_account"] is False
    assert [m.role for m in page.context["account"].memberships] == ["teacher"]
    response = lars.post(f"/users/{vera.pk}/password/")
    assert response.status_code == 403
    vera.refresh_from_db()
    assert vera.check_password(PASSWORD) and not vera.must_change_password
    assert lars.post(f"/users/{vera.pk}/deactivate/").status_code == 403


def test_nobody_manages_her_own_account_or_roles_here(client_for: ClientFor, world: World) -> None:
    lars = client_for("lars")
    page = lars.get(f"/users/{world.lars.pk}/")
    assert page.status_code == 200
    assert (page.context["can_manage_account"], page.context["can_add_role"]) == (False, False)
    assert page.context["manageable"] == set()
    (own,) = world.lars.memberships.all()
    assert lars.post(f"/users/{world.lars.pk}/deactivate/").status_code == 403
    assert lars.get(f"/roles/{own.pk}/").status_code == 403
    assert lars.get(f"/users/{world.lars.pk}/roles/new/").status_code == 403
    assert client_for("ada").post(f"/users/{world.ada.pk}/deactivate/").status_code == 403


def test_only_a_superuser_manages_a_superuser(client_for: ClientFor, world: World) -> None:
    root = make_user("root", "Rod", "Root")
    services.user_set_staff(user=root, is_staff=True, is_superuser=True)
    assert client_for("ada").post(f"/users/{root.pk}/password/").status_code == 403
    other_root = make_user("root2", "Anden", "Root")
    services.user_set_staff(user=other_root, is_staff=True, is_superuser=True)
    assert client_for(other_root).post(f"/users/{root.pk}/password/").status_code == 200


def test_an_administrator_manages_an_account_in_any_municipality(
    client_for: ClientFor, world: World, sofie: User
) -> None:
    client = client_for("ada")
    assert client.post(f"/users/{sofie.pk}/deactivate/").status_code == 302
    assert client.get(f"/roles/{sofie.memberships.first().pk}/").status_code == 200  # type: ignore[union-attr]


# Roles: give, change the period, remove one that has not started


def test_a_project_leader_gives_a_second_role_in_her_municipality(
    client_for: ClientFor, world: World
) -> None:
    response = client_for("lars").post(
        f"/users/{world.tina.pk}/roles/new/",
        {
            "role": "teacher",
            "organisation": f"institution:{world.gl_lindholm_skole.pk}",
            "valid_from": "2023-01-01",
            "valid_to": "2023-12-31",
        },
    )
    assert response.status_code == 302
    assert world.tina.memberships.count() == 2


def test_an_overlapping_period_is_refused(client_for: ClientFor, world: World) -> None:
    response = english(client_for("lars")).post(
        f"/users/{world.tina.pk}/roles/new/",
        {
            "role": "teacher",
            "organisation": f"institution:{world.gl_lindholm_skole.pk}",
            "valid_from": "2025-03-01",
            "valid_to": "",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [
        "tina already has this role here in an overlapping period."
    ]


def test_an_end_before_the_start_is_refused(client_for: ClientFor, world: World) -> None:
    (membership,) = world.tina.memberships.all()
    response = client_for("lars").post(
        f"/roles/{membership.pk}/",
        {"valid_from": "2024-01-01", "lock_version": 1, "valid_to": "2023-12-31"},
    )
    assert response.status_code == 400
    membership.refresh_from_db()
    assert membership.valid_to is None


def test_a_role_that_has_not_started_can_be_removed_one_that_has_cannot(
    client_for: ClientFor, world: World
) -> None:
    Membership.objects.filter(user=world.tina).update(valid_to=today() + dt.timedelta(days=10))
    future = services.membership_create(
        user=world.tina,
        role=Role.TEACHER,
        institution=world.gl_lindholm_skole,
        valid_from=today() + dt.timedelta(days=400),
    )
    lars = client_for("lars")
    assert lars.post(f"/roles/{future.pk}/remove/").status_code == 302
    assert not Membership.objects.filter(pk=future.pk).exists()
    (started,) = world.tina.memberships.all()
    assert lars.post(f"/roles/{started.pk}/remove/").status_code == 302
    assert Membership.objects.filter(pk=started.pk).exists()


# History


def test_the_history_tells_who_did_what(client_for: ClientFor, world: World, sofie: User) -> None:
    lars = english(client_for("lars"))
    lars.post(f"/users/{world.carl.pk}/password/")
    lars.post(f"/users/{world.carl.pk}/deactivate/")
    (membership,) = world.carl.memberships.all()
    lars.post(
        f"/roles/{membership.pk}/",
        {"valid_from": "2024-01-01", "valid_to": "2026-12-31", "lock_version": 1},
    )
    history = lars.get(f"/users/{world.carl.pk}/").context["account"].history
    assert [(entry.by, entry.what) for entry in history[:3]] == [
        (
            "Lars Larsen",
            "Period changed: Club contact in Lindholm IF, now 1 Jan 2024 to 31 Dec 2026.",
        ),
        ("Lars Larsen", "Deactivated."),
        ("Lars Larsen", "Given a temporary password."),
    ]
    assert history[-1].what in (
        "Account created.",
        "Role granted: Club contact in Lindholm IF, from 1 Jan 2024.",
    )


def test_the_history_shows_a_project_leader_no_role_outside_her_municipality(
    client_for: ClientFor, world: World, sofie: User
) -> None:
    history = english(client_for("lars")).get(f"/users/{sofie.pk}/").context["account"].history
    whats = [entry.what for entry in history]
    assert "Role granted: Health visitor in Sundhedsplejen Aalborg, from 1 Jan 2024." in whats
    assert not [what for what in whats if "Albertslund" in what]


def test_scope_rules_and_querysets_agree(world: World, frida: User, sofie: User) -> None:
    """The user list's visibility and the memberships a project leader may manage agree."""
    for leader in (world.lars, frida):
        leader.forget_scope()
        visible = set(User.objects.visible_to(leader))
        for membership in Membership.objects.visible_to(leader).exclude(user=leader):
            assert membership.user in visible
            assert rules.has_perm("accounts.manage_membership", leader, membership)
        for membership in Membership.objects.exclude(pk__in=Membership.objects.visible_to(leader)):
            assert not rules.has_perm("accounts.manage_membership", leader, membership)
