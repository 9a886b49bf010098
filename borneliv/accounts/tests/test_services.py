"""Writes for users, memberships and API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from borneliv.accounts import services
from borneliv.accounts.models import ApiToken, Membership, Role, User
from borneliv.testing import MEMBERS_FROM, PASSWORD, World

pytestmark = pytest.mark.django_db


def account_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (User, Membership, ApiToken)}


@contextmanager
def refused(
    message_dict: dict[str, list[str]] | None = None, *, messages: list[str] | None = None
) -> Iterator[None]:
    """Expect a ValidationError with exactly these English messages, and nothing saved."""
    before = account_counts()
    with translation.override("en"), pytest.raises(ValidationError) as excinfo:
        yield
    with translation.override("en"):
        if message_dict is not None:
            assert excinfo.value.message_dict == message_dict
        if messages is not None:
            assert excinfo.value.messages == messages
    assert account_counts() == before


# Users


def test_it_creates_a_user_with_a_hashed_password(db: None) -> None:
    user = services.user_create(username="signe", password=PASSWORD, first_name="Signe")
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert user.password != PASSWORD
    assert (user.is_staff, user.is_superuser, user.is_active) == (False, False, True)


def test_it_creates_a_user_who_cannot_log_in_without_a_password(db: None) -> None:
    user = services.user_create(username="import-robot", password=None)
    assert not user.has_usable_password()


def test_it_refuses_a_second_user_with_the_same_username(world: World) -> None:
    with refused({"username": ["A user with that username already exists."]}):
        services.user_create(username="hanne", password=PASSWORD)


def test_it_refuses_a_username_with_spaces(db: None) -> None:
    with refused(
        {
            "username": [
                "Enter a valid username. This value may contain only letters, numbers, and "
                "@/./+/-/_ characters."
            ]
        }
    ):
        services.user_create(username="hanne holm", password=PASSWORD)


# Memberships


def test_it_gives_a_user_a_role_and_widens_her_scope_at_once(world: World) -> None:
    assert world.otto.scope.is_empty
    services.membership_create(
        user=world.otto,
        role=Role.PEDAGOGUE,
        institution=world.lindholm_daycare,
        valid_from=MEMBERS_FROM,
    )
    assert world.otto.scope.municipality_ids == {world.aalborg.pk}
    assert world.otto.scope.institutions_for(Role.PEDAGOGUE) == {world.lindholm_daycare.pk}


def test_it_refuses_an_overlapping_membership_in_the_same_role_and_organisation(
    world: World,
) -> None:
    with refused(messages=["hanne already has this role here in an overlapping period."]):
        services.membership_create(
            user=world.hanne,
            role=Role.HEALTH_VISITOR,
            institution=world.aalborg_health,
            valid_from=dt.date(2025, 1, 1),
            valid_to=dt.date(2025, 12, 31),
        )


def test_it_refuses_a_membership_that_ends_inside_an_existing_one(world: World) -> None:
    services.membership_end(membership=world.pia.memberships.get(), on=dt.date(2025, 12, 31))
    with refused(messages=["pia already has this role here in an overlapping period."]):
        services.membership_create(
            user=world.pia,
            role=Role.PEDAGOGUE,
            institution=world.troldhoj,
            valid_from=dt.date(2023, 1, 1),
            valid_to=dt.date(2024, 1, 1),
        )


def test_it_accepts_a_membership_starting_after_the_last_ended(world: World) -> None:
    services.membership_end(membership=world.pia.memberships.get(), on=dt.date(2025, 12, 31))
    later = services.membership_create(
        user=world.pia,
        role=Role.PEDAGOGUE,
        institution=world.troldhoj,
        valid_from=dt.date(2026, 1, 1),
    )
    assert list(world.pia.memberships.order_by("valid_from").values_list("valid_to")) == [
        (dt.date(2025, 12, 31),),
        (None,),
    ]
    assert later.valid_from == dt.date(2026, 1, 1)


def test_it_accepts_the_same_role_in_another_organisation_at_the_same_time(world: World) -> None:
    services.membership_create(
        user=world.lars,
        role=Role.PROJECT_LEADER,
        municipality=world.frederikssund,
        valid_from=MEMBERS_FROM,
    )
    assert world.lars.scope.led_municipality_ids == {world.aalborg.pk, world.frederikssund.pk}


def test_it_refuses_an_overlapping_global_role(world: World) -> None:
    with refused(messages=["rikke already has this role here in an overlapping period."]):
        services.membership_create(
            user=world.rikke, role=Role.RESEARCHER, valid_from=dt.date(2025, 1, 1)
        )


def test_it_refuses_a_pedagogue_in_a_school(world: World) -> None:
    with refused({"institution": ["A pedagogue must belong to a daycare, not a school."]}):
        services.membership_create(
            user=world.otto,
            role=Role.PEDAGOGUE,
            institution=world.gl_lindholm_skole,
            valid_from=MEMBERS_FROM,
        )


def test_it_refuses_a_health_visitor_in_a_daycare(world: World) -> None:
    with refused(
        {"institution": ["A health visitor must belong to a health-visiting unit, not a daycare."]}
    ):
        services.membership_create(
            user=world.otto,
            role=Role.HEALTH_VISITOR,
            institution=world.troldhoj,
            valid_from=MEMBERS_FROM,
        )


def test_it_refuses_a_teacher_in_a_health_visiting_unit(world: World) -> None:
    with refused(
        {
            "institution": [
                "A teacher or school leader must belong to a school or special school or "
                "SFO / after-school club, not a health-visiting unit."
            ]
        }
    ):
        services.membership_create(
            user=world.otto,
            role=Role.TEACHER,
            institution=world.aalborg_health,
            valid_from=MEMBERS_FROM,
        )


def test_it_refuses_a_project_leader_of_an_institution(world: World) -> None:
    with refused(
        {
            "municipality": ["Choose the municipality this role is held in."],
            "institution": ["This role is not held in any institution; leave it empty."],
        }
    ):
        services.membership_create(
            user=world.otto,
            role=Role.PROJECT_LEADER,
            institution=world.gl_lindholm_skole,
            valid_from=MEMBERS_FROM,
        )


def test_it_refuses_a_club_contact_without_a_partner(world: World) -> None:
    with refused({"partner": ["Choose the partner this role is held in."]}):
        services.membership_create(user=world.otto, role=Role.CLUB_CONTACT, valid_from=MEMBERS_FROM)


def test_it_refuses_a_researcher_tied_to_a_municipality(world: World) -> None:
    with refused({"municipality": ["This role is not held in any municipality; leave it empty."]}):
        services.membership_create(
            user=world.otto,
            role=Role.RESEARCHER,
            municipality=world.aalborg,
            valid_from=MEMBERS_FROM,
        )


def test_it_refuses_an_unknown_role(world: World) -> None:
    before = account_counts()
    with translation.override("en"), pytest.raises(ValidationError) as excinfo:
        services.membership_create(
            user=world.otto, role="mayor", municipality=world.aalborg, valid_from=MEMBERS_FROM
        )
    with translation.override("en"):
        assert excinfo.value.message_dict["role"] == ["Value 'mayor' is not a valid choice."]
    assert account_counts() == before


def test_it_refuses_a_membership_that_ends_before_it_starts(world: World) -> None:
    with refused({"valid_to": ["A membership cannot end before it starts."]}):
        services.membership_create(
            user=world.otto,
            role=Role.TEACHER,
            institution=world.gl_lindholm_skole,
            valid_from=dt.date(2025, 8, 1),
            valid_to=dt.date(2025, 7, 31),
        )


def test_it_refuses_ending_a_membership_before_it_started(world: World) -> None:
    membership = world.tina.memberships.get()
    with refused({"valid_to": ["A membership cannot end before it starts."]}):
        services.membership_end(membership=membership, on=dt.date(2023, 12, 31))
    assert Membership.objects.get(pk=membership.pk).valid_to is None


def test_the_database_refuses_a_role_in_the_wrong_kind_of_organisation(world: World) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            user=world.otto,
            role=Role.PEDAGOGUE,
            municipality=world.aalborg,
            valid_from=MEMBERS_FROM,
        )


def test_the_database_refuses_a_membership_ending_before_it_starts(world: World) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            user=world.otto,
            role=Role.RESEARCHER,
            valid_from=dt.date(2025, 1, 2),
            valid_to=dt.date(2025, 1, 1),
        )


# API tokens


def test_it_stores_only_a_digest_of_a_new_token(world: World) -> None:
    token, plain = services.api_token_create(user=world.rikke, name=" R analysis ")
    assert plain.startswith("bl_")
    assert len(plain) > 40
    token.refresh_from_db()
    assert token.name == "R analysis"
    assert token.prefix == plain[:10]
    assert token.digest == hashlib.sha256(plain.encode()).hexdigest()
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert plain not in {str(value) for value in stored.values()}


def test_it_creates_a_different_token_each_time(world: World) -> None:
    _first, one = services.api_token_create(user=world.rikke, name="one")
    _second, two = services.api_token_create(user=world.rikke, name="two")
    assert one != two


def test_it_refuses_a_token_without_a_name(world: World) -> None:
    with refused({"name": ["This field cannot be blank."]}):
        services.api_token_create(user=world.rikke, name="   ")


def test_a_token_authenticates_its_user_and_records_the_use(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    _token, plain = services.api_token_create(user=world.rikke, name="R analysis")
    used_at = dt.datetime(2025, 3, 14, 9, 30, tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: used_at)
    assert services.api_token_authenticate(plain) == world.rikke
    assert ApiToken.objects.get().last_used_at == used_at


def test_a_revoked_token_authenticates_nobody(world: World) -> None:
    token, plain = services.api_token_create(user=world.rikke, name="R analysis")
    services.api_token_revoke(token=token)
    assert ApiToken.objects.get().revoked_at is not None
    assert services.api_token_authenticate(plain) is None


def test_a_token_stops_working_when_it_expires(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = timezone.now()
    _token, plain = services.api_token_create(
        user=world.rikke, name="R analysis", expires_at=now + dt.timedelta(hours=1)
    )
    monkeypatch.setattr(timezone, "now", lambda: now + dt.timedelta(minutes=59))
    assert services.api_token_authenticate(plain) == world.rikke
    monkeypatch.setattr(timezone, "now", lambda: now + dt.timedelta(hours=1))
    assert services.api_token_authenticate(plain) is None


def test_a_deactivated_users_token_authenticates_nobody(world: World) -> None:
    _token, plain = services.api_token_create(user=world.rikke, name="R analysis")
    User.objects.filter(pk=world.rikke.pk).update(is_active=False)
    assert services.api_token_authenticate(plain) is None


@pytest.mark.parametrize("guess", ["", "bl_", "bl_guessed-token", "Bearer bl_x"])
def test_a_guessed_token_authenticates_nobody(world: World, guess: str) -> None:
    services.api_token_create(user=world.rikke, name="R analysis")
    assert services.api_token_authenticate(guess) is None
