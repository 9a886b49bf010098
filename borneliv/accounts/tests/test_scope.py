"""The one scope mechanism: what each persona may read, from memberships valid today."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from borneliv.accounts import services
from borneliv.accounts.models import Membership, Role, User
from borneliv.accounts.scope import EMPTY_SCOPE, scope_for
from borneliv.testing import MEMBERS_FROM, World

pytestmark = pytest.mark.django_db


def test_each_persona_holds_exactly_her_role(world: World) -> None:
    roles = {
        name: (world.persona(name).scope.roles, world.persona(name).scope.primary_role)
        for name in ("hanne", "astrid", "pia", "tina", "carl", "lars", "rikke", "ada", "otto")
    }
    assert roles == {
        "hanne": ({Role.HEALTH_VISITOR}, Role.HEALTH_VISITOR),
        "astrid": ({Role.HEALTH_VISITOR}, Role.HEALTH_VISITOR),
        "pia": ({Role.PEDAGOGUE}, Role.PEDAGOGUE),
        "tina": ({Role.TEACHER}, Role.TEACHER),
        "carl": ({Role.CLUB_CONTACT}, Role.CLUB_CONTACT),
        "lars": ({Role.PROJECT_LEADER}, Role.PROJECT_LEADER),
        "rikke": ({Role.RESEARCHER}, Role.RESEARCHER),
        "ada": ({Role.ADMIN}, Role.ADMIN),
        "otto": (frozenset(), None),
    }


def test_staff_read_the_municipality_of_their_organisation(world: World) -> None:
    municipalities = {
        name: world.persona(name).scope.municipality_ids
        for name in ("hanne", "astrid", "pia", "tina", "carl", "lars")
    }
    assert municipalities == {
        "hanne": {world.aalborg.pk},
        "astrid": {world.albertslund.pk},
        "pia": {world.frederikssund.pk},
        "tina": {world.aalborg.pk},
        "carl": {world.aalborg.pk},
        "lars": {world.aalborg.pk},
    }


def test_the_scope_names_each_personas_own_organisation(world: World) -> None:
    assert world.hanne.scope.institutions_for(Role.HEALTH_VISITOR) == {world.aalborg_health.pk}
    assert world.pia.scope.institution_ids == {world.troldhoj.pk}
    assert world.tina.scope.institutions_for(Role.PEDAGOGUE) == frozenset()
    assert world.carl.scope.partner_ids == {world.lindholm_if.pk}
    assert world.lars.scope.led_municipality_ids == {world.aalborg.pk}
    assert world.hanne.scope.led_municipality_ids == frozenset()


def test_only_administrators_and_researchers_read_everything(world: World) -> None:
    readers = {
        name
        for name in ("hanne", "pia", "lars", "rikke", "ada", "otto")
        if world.persona(name).scope.reads_everything
    }
    assert readers == {"rikke", "ada"}


def test_a_user_without_membership_has_the_empty_scope(world: World) -> None:
    assert scope_for(world.otto) == EMPTY_SCOPE
    assert world.otto.scope.is_empty


def test_an_anonymous_visitor_has_the_empty_scope() -> None:
    assert scope_for(AnonymousUser()) == EMPTY_SCOPE


def test_a_deactivated_user_loses_her_scope(world: World) -> None:
    User.objects.filter(pk=world.hanne.pk).update(is_active=False)
    assert scope_for(User.objects.get(pk=world.hanne.pk)) == EMPTY_SCOPE


def test_a_superuser_is_an_administrator_without_a_membership(world: World) -> None:
    User.objects.filter(pk=world.otto.pk).update(is_superuser=True)
    scope = scope_for(User.objects.get(pk=world.otto.pk))
    assert (scope.is_admin, scope.reads_everything, scope.primary_role) == (True, True, Role.ADMIN)


def test_a_membership_counts_only_from_its_first_to_its_last_day(world: World) -> None:
    services.membership_end(membership=world.hanne.memberships.get(), on=dt.date(2025, 6, 30))
    days = [
        MEMBERS_FROM - dt.timedelta(days=1),
        MEMBERS_FROM,
        dt.date(2025, 6, 30),
        dt.date(2025, 7, 1),
    ]
    assert [scope_for(world.hanne, on=day).municipality_ids for day in days] == [
        frozenset(),
        {world.aalborg.pk},
        {world.aalborg.pk},
        frozenset(),
    ]


def test_an_ended_membership_gives_no_scope_today(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    services.membership_end(membership=world.hanne.memberships.get(), on=dt.date(2025, 6, 30))
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2025, 7, 1, 8, 0, tzinfo=dt.UTC))
    assert scope_for(world.hanne) == EMPTY_SCOPE
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2025, 6, 30, 21, 0, tzinfo=dt.UTC))
    # 23:00 in Copenhagen: still her last day.
    assert scope_for(world.hanne).municipality_ids == {world.aalborg.pk}


def test_a_future_membership_gives_no_scope_yet(world: World) -> None:
    services.membership_create(
        user=world.otto,
        role=Role.TEACHER,
        institution=world.herstedlund_skole,
        valid_from=dt.date(2100, 8, 1),
    )
    assert scope_for(world.otto) == EMPTY_SCOPE
    assert scope_for(world.otto, on=dt.date(2100, 8, 1)).municipality_ids == {world.albertslund.pk}


def test_the_scope_is_computed_once_and_forgotten_on_request(
    world: World, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    user = User.objects.get(pk=world.hanne.pk)
    with django_assert_num_queries(1):
        first = user.scope
        second = user.scope
    assert first is second
    user.forget_scope()
    with django_assert_num_queries(1):
        assert user.scope == first


def test_memberships_are_visible_to_their_holder_and_to_administrators(world: World) -> None:
    assert list(Membership.objects.visible_to(world.hanne)) == [world.hanne.memberships.get()]
    assert Membership.objects.visible_to(world.otto).count() == 0
    assert Membership.objects.visible_to(world.ada).count() == Membership.objects.count() == 8
