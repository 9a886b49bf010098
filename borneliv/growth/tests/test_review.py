"""The review queue: held measurements in scope, confirm or reject (with a note), logged reads."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from borneliv.accounts.models import User
from borneliv.children import services as children_services
from borneliv.children.models import AccessLog, Child
from borneliv.children.testing import synthetic_cpr
from borneliv.growth import services
from borneliv.growth.models import Context, Measurement, ReviewStatus
from borneliv.organisations.models import Area
from borneliv.testing import World

pytestmark = pytest.mark.django_db

MEASURED = dt.date(2025, 8, 15)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def child(world: World, area: Area, serial: int, name: str = "Ida") -> Child:
    return children_services.child_register(
        cpr=synthetic_cpr(dt.date(2019, 3, 15), serial),
        first_name=name,
        last_name=f"Review{serial:03d}",
        area=area,
        is_synthetic=True,
    )


def held_measurement(kid: Child, *, weight: str = "62.0", on: dt.date = MEASURED) -> Measurement:
    """A school-start measurement with a BMI of about 49 at six: the engine holds it."""
    measurement = services.measurement_record(
        child=kid,
        measured_on=on,
        context=Context.SCHOOL_START,
        weight_kg=Decimal(weight),
        height_cm=Decimal("112.0"),
        position="H",
    )
    assert measurement.review_status == ReviewStatus.HELD
    return measurement


@pytest.fixture
def aalborg_held(world: World) -> Measurement:
    return held_measurement(child(world, world.lindholm, 20))


@pytest.fixture
def albertslund_held(world: World) -> Measurement:
    return held_measurement(child(world, world.herstedlund, 21, name="Sofie"))


# The queue


def test_the_queue_lists_held_measurements_with_their_reasons(
    world: World, aalborg_held: Measurement
) -> None:
    services.measurement_record(  # a plausible one is not in the queue
        child=child(world, world.lindholm, 22, name="Bo"),
        measured_on=MEASURED,
        context=Context.SCHOOL_START,
        weight_kg=Decimal("20.0"),
        height_cm=Decimal("115.0"),
        position="H",
    )
    response = client_for(world.hanne).get(reverse("growth:review"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ida Review020" in html and "Bo Review022" not in html
    assert "1 measurement held for review" in html
    assert "Implausible BMI for the age" in html
    assert "2025-08-15" in html  # the English short date format
    assert reverse("growth:review_decide", args=[aalborg_held.public_id]) in html
    assert synthetic_cpr(dt.date(2019, 3, 15), 20) not in html


def test_the_queue_logs_a_read_of_each_child_shown(world: World, aalborg_held: Measurement) -> None:
    held_measurement(aalborg_held.child, on=MEASURED - dt.timedelta(days=30))
    client_for(world.hanne).get(reverse("growth:review"))
    log = AccessLog.objects.get()
    assert (log.user, log.child, log.view) == (
        world.hanne,
        aalborg_held.child,
        "growth_review_queue",
    )


def test_astrid_does_not_see_aalborgs_held_measurements(
    world: World, aalborg_held: Measurement, albertslund_held: Measurement
) -> None:
    astrid = client_for(world.astrid)
    html = astrid.get(reverse("growth:review")).content.decode()
    assert "Sofie Review021" in html and "Ida Review020" not in html
    response = astrid.post(
        reverse("growth:review_decide", args=[aalborg_held.public_id]),
        {"decision": "confirmed"},
    )
    assert response.status_code == 404
    aalborg_held.refresh_from_db()
    assert aalborg_held.review_status == ReviewStatus.HELD
    # The administrator sees both.
    html = client_for(world.ada).get(reverse("growth:review")).content.decode()
    assert "Sofie Review021" in html and "Ida Review020" in html


@pytest.mark.parametrize("persona", ["pia", "tina", "lars", "rikke", "otto"])
def test_others_have_no_review_queue(world: World, aalborg_held: Measurement, persona: str) -> None:
    client = client_for(world.persona(persona))
    assert client.get(reverse("growth:review")).status_code == 403
    response = client.post(
        reverse("growth:review_decide", args=[aalborg_held.public_id]),
        {"decision": "confirmed"},
    )
    assert response.status_code == 403
    html = client.get(reverse("accounts:tokens")).content.decode()
    assert reverse("growth:review") not in html


def test_the_navigation_offers_the_queue_to_health_visitors(world: World) -> None:
    html = client_for(world.hanne).get(reverse("accounts:tokens")).content.decode()
    assert reverse("growth:review") in html and "Review queue" in html
    assert reverse("growth:import") in html and "School-start import" in html


def test_the_queue_page_has_a_fixed_number_of_queries(
    world: World, django_assert_max_num_queries: object
) -> None:
    client = client_for(world.hanne)
    held_measurement(child(world, world.lindholm, 30))
    client.get(reverse("growth:review"))  # warm the session
    # Session, user, memberships, count, the page's rows, the access-log insert, the footer.
    with django_assert_max_num_queries(7):  # type: ignore[operator]
        client.get(reverse("growth:review"))
    for serial in range(31, 41):
        held_measurement(child(world, world.lindholm, serial))
    with django_assert_max_num_queries(7):  # type: ignore[operator]
        response = client.get(reverse("growth:review"))
    assert response.context["page"].paginator.count == 11


def test_the_queue_is_paginated(world: World) -> None:
    for serial in range(50, 77):
        held_measurement(child(world, world.lindholm, serial))
    client = client_for(world.hanne)
    first = client.get(reverse("growth:review"))
    assert len(first.context["rows"]) == 25
    second = client.get(reverse("growth:review"), {"page": 2})
    assert len(second.context["rows"]) == 2
    assert AccessLog.objects.count() == 27


# Decisions


def test_hanne_confirms_a_held_measurement(world: World, aalborg_held: Measurement) -> None:
    client = client_for(world.hanne)
    response = client.post(
        reverse("growth:review_decide", args=[aalborg_held.public_id]),
        {"decision": "confirmed", "note": "Målt igen: korrekt.", "page": "1"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("growth:review") + "?page=1"
    assert "The measurement was confirmed and now counts." in response.content.decode()
    aalborg_held.refresh_from_db()
    assert aalborg_held.review_status == ReviewStatus.CONFIRMED
    assert aalborg_held.reviewed_by == world.hanne
    assert aalborg_held.review_note == "Målt igen: korrekt."
    assert aalborg_held.is_counted
    assert not Measurement.objects.visible_to(world.hanne).held().exists()


def test_a_rejection_needs_a_note(world: World, aalborg_held: Measurement) -> None:
    client = client_for(world.hanne)
    url = reverse("growth:review_decide", args=[aalborg_held.public_id])
    refused = client.post(url, {"decision": "rejected", "note": "  "})
    assert refused.status_code == 400
    assert "Say why the measurement is rejected." in refused.content.decode()
    aalborg_held.refresh_from_db()
    assert aalborg_held.review_status == ReviewStatus.HELD

    client.post(url, {"decision": "rejected", "note": "Vægten er tastet forkert."})
    aalborg_held.refresh_from_db()
    assert aalborg_held.review_status == ReviewStatus.REJECTED
    assert aalborg_held.review_note == "Vægten er tastet forkert."
    assert not aalborg_held.is_counted


def test_an_unknown_decision_is_refused(world: World, aalborg_held: Measurement) -> None:
    url = reverse("growth:review_decide", args=[aalborg_held.public_id])
    response = client_for(world.hanne).post(url, {"decision": "accepted"})
    assert response.status_code == 400
    aalborg_held.refresh_from_db()
    assert aalborg_held.review_status == ReviewStatus.HELD


def test_a_reviewed_measurement_is_not_reviewed_again(
    world: World, aalborg_held: Measurement
) -> None:
    services.measurement_review(measurement=aalborg_held, user=world.hanne, decision="confirmed")
    url = reverse("growth:review_decide", args=[aalborg_held.public_id])
    response = client_for(world.hanne).post(url, {"decision": "rejected", "note": "x"}, follow=True)
    assert "This measurement was confirmed already, by Hanne Holm at" in response.content.decode()
    aalborg_held.refresh_from_db()
    assert aalborg_held.review_status == ReviewStatus.CONFIRMED


def test_deciding_needs_a_post(world: World, aalborg_held: Measurement) -> None:
    url = reverse("growth:review_decide", args=[aalborg_held.public_id])
    assert client_for(world.hanne).get(url).status_code == 405
