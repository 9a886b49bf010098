"""Eight saves from the same version at the same moment, record by record: exactly one passes.

PostgreSQL only (SQLite serialises every write transaction, so nothing runs side by side): each
call runs in its own thread on its own connection against committed data, released together by
a barrier (``borneliv.testing_versions.together``). The pages and the admin call these same
services; the HTTP round trip is tested for institutions (organisations) and held measurements
(growth). Two stale forms on both databases are tested in each app's ``test_versions.py``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from borneliv.accounts import services as account_services
from borneliv.accounts.models import Membership, Role, today
from borneliv.children import referrals
from borneliv.children import services as children_services
from borneliv.children.models import Child, Referral
from borneliv.children.testing import synthetic_cpr
from borneliv.healthvisits import services as healthvisit_services
from borneliv.healthvisits.models import Stage
from borneliv.motor import services as motor_services
from borneliv.motor.models import Assessment, Dialogue, InstrumentVersion, Session
from borneliv.nearby import services as nearby_services
from borneliv.nearby.models import CirclePlace
from borneliv.organisations import services as organisation_services
from borneliv.testing import World, build_world, reload_reference_data
from borneliv.testing_versions import postgresql_only, together

pytestmark = [postgresql_only, pytest.mark.django_db(transaction=True)]

N = 8


@pytest.fixture
def world(transactional_db: Any) -> World:
    reload_reference_data()  # flushed by earlier transactional tests
    return build_world()


def outcomes(calls: Sequence[Callable[..., Any]]) -> list[str]:
    """For each call: "saved", or the code of the ValidationError it raised."""
    results = together(calls)
    for result in results:
        if isinstance(result, BaseException) and not isinstance(result, ValidationError):
            raise result
    return sorted(
        str(r.code or r.error_list[0].code) if isinstance(r, ValidationError) else "saved"
        for r in results
    )


ONE_WINS = ["saved", *["stale_version"] * (N - 1)]


def test_a_partner(world: World) -> None:
    partner = world.lindholm_if
    calls = [
        (
            lambda n=n: organisation_services.partner_update(
                partner=type(partner).objects.get(pk=partner.pk),
                version=1,
                contact_name=f"Kontakt {n}",
            )
        )
        for n in range(N)
    ]
    assert outcomes(calls) == ONE_WINS
    partner.refresh_from_db()
    assert partner.lock_version == 2


def test_an_account_and_a_role(world: World) -> None:
    carl = world.carl
    calls = [
        (
            lambda n=n: account_services.user_update(
                user=type(carl).objects.get(pk=carl.pk),
                first_name=f"Carl {n}",
                last_name="Christensen",
                email="carl@example.org",
                version=1,
            )
        )
        for n in range(N)
    ]
    assert outcomes(calls) == ONE_WINS
    membership = Membership.objects.get(user=carl, role=Role.CLUB_CONTACT)
    periods = [
        (
            lambda n=n: account_services.membership_update(
                membership=Membership.objects.get(pk=membership.pk),
                valid_from=membership.valid_from,
                valid_to=dt.date(2027, 1, 1 + n),
                version=1,
            )
        )
        for n in range(N)
    ]
    assert outcomes(periods) == ONE_WINS


def test_a_contact(world: World) -> None:
    born = today() - dt.timedelta(days=130)
    child = children_services.child_register(
        cpr=synthetic_cpr(born, 1), first_name="Alma", last_name="Parallel", area=world.lindholm
    )
    stage = Stage.objects.get(code="enhanced_visit_4_6m")
    contact = healthvisit_services.contact_record(
        child=child,
        unit=world.aalborg_health,
        by=world.hanne,
        contact_date=today(),
        mode="home_visit",
        outcome="completed",
        stage=stage,
    )
    calls = [
        (
            lambda n=n: healthvisit_services.contact_update(
                contact=type(contact).objects.get(pk=contact.pk),
                version=1,
                by=world.hanne,
                contact_date=today(),
                mode="home_visit",
                outcome="completed",
                stage=stage,
                note=f"Note {n}",
            )
        )
        for n in range(N)
    ]
    assert outcomes(calls) == ONE_WINS


def _motor_session(world: World) -> Session:
    version = InstrumentVersion.objects.get(instrument__code="motor-4", number=1)
    held_on = today() - dt.timedelta(days=7)
    born = held_on - dt.timedelta(days=4 * 365 + 100)
    for n in range(3):
        child = children_services.child_register(
            cpr=synthetic_cpr(born, 10 + n),
            first_name=f"Barn{n}",
            last_name="Parallel",
            area=world.lindholm,
        )
        children_services.enrolment_start(
            child=child,
            institution=world.lindholm_daycare,
            valid_from=born + dt.timedelta(days=400),
            group="Mellemgruppen",
        )
    return motor_services.session_create(
        by=world.hanne,
        institution=world.lindholm_daycare,
        group="Mellemgruppen",
        held_on=held_on,
        version=version,
    )


def test_a_motor_follow_up_a_dialogue_and_a_reopening(world: World) -> None:
    session = _motor_session(world)
    assessment = Assessment.objects.filter(session=session).first()
    assert assessment is not None
    decisions: list[Callable[..., Any]] = [
        (
            lambda n=n: motor_services.follow_up_decide(
                by=world.hanne,
                assessment=Assessment.objects.get(pk=assessment.pk),
                follow_up=bool(n % 2),
                note=f"{n}",
                version=1,
            )
        )
        for n in range(N)
    ]
    assert outcomes(decisions) == ONE_WINS

    motor_services.session_close(by=world.hanne, session=session, accept_few_observations=True)
    dialogue = motor_services.dialogue_record(
        by=world.hanne,
        session=session,
        held_on=today(),
        strengths="Balance.",
        focus="Boldlege.",
    )
    dialogues: list[Callable[..., Any]] = [
        (
            lambda n=n: motor_services.dialogue_update(
                by=world.hanne,
                dialogue=Dialogue.objects.get(pk=dialogue.pk),
                held_on=today(),
                strengths="Balance.",
                focus=f"Fokus {n}",
                version=1,
            )
        )
        for n in range(N)
    ]
    assert outcomes(dialogues) == ONE_WINS

    reopenings: list[Callable[..., Any]] = [
        lambda: motor_services.session_reopen(
            by=world.ada, session=Session.objects.get(pk=session.pk)
        )
        for _ in range(N)
    ]
    assert outcomes(reopenings) == ["saved", *["state_changed"] * (N - 1)]


def test_a_place_on_a_proximity_circle(world: World) -> None:
    daycare = world.lindholm_daycare
    circle = nearby_services.circle_get_or_create(institution=daycare)
    place = nearby_services.place_add_own(
        by=world.ada,
        circle=circle,
        latitude=float(daycare.latitude or 0) + 0.001,
        longitude=float(daycare.longitude or 0),
        name="Bakken",
    )
    calls = [
        (
            lambda n=n: nearby_services.place_curate(
                by=world.ada,
                place=CirclePlace.objects.get(pk=place.pk),
                included=True,
                display_name="Bakken",
                description=f"Beskrivelse {n}",
                version=1,
            )
        )
        for n in range(N)
    ]
    assert outcomes(calls) == ONE_WINS


def test_a_registration_referral_is_decided_once(world: World) -> None:
    referral = referrals.child_register_or_refer(
        by=world.astrid,
        cpr=synthetic_cpr(dt.date(2025, 1, 5), 40),
        first_name="Ida",
        last_name="Parallel",
        area=world.herstedlund,
    )
    assert isinstance(referral, Referral)
    calls = [
        lambda: referrals.referral_register(
            referral=Referral.objects.get(pk=referral.pk), by=world.ada
        )
        for _ in range(N)
    ]
    assert outcomes(calls) == ["saved", *["state_changed"] * (N - 1)]
    assert Child.objects.filter(last_name="Parallel").count() == 1
