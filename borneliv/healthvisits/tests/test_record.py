"""A child's health-visiting record, recording and changing contacts, skipping a stage."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from borneliv.children.models import AccessLog, Child
from borneliv.children.services import cpr_of
from borneliv.healthvisits import selectors, services
from borneliv.healthvisits.models import Contact, StageSkip
from borneliv.healthvisits.schedule import Status
from borneliv.healthvisits.tests.conftest import TODAY, MakeChild, stage, topic
from borneliv.testing import World

pytestmark = pytest.mark.django_db

ClientFor = Callable[[str], Client]
Record = Callable[..., Contact]


@pytest.fixture
def alma(make_child: MakeChild) -> Child:
    """130 days old on TODAY: the enhanced visit is due."""
    return make_child(age_days=130, first_name="Alma", last_name="Andersen")


def status_of(child: Child, code: str) -> Status:
    line = next(x for x in selectors.schedule_for(child, TODAY) if x.stage.code == code)
    return line.status.status


def topics_form(*codes: str) -> list[str]:
    return [str(topic(c).pk) for c in codes]


# The record page


def test_the_record_shows_the_schedule_and_contacts(
    alma: Child, client_for: ClientFor, frozen: dt.date, record: Record
) -> None:
    record(alma, "visit_2m", on=alma.birth_date + dt.timedelta(days=50), topics=("sleep",))
    response = client_for("hanne").get(f"/healthvisits/children/{alma.public_id}/")
    assert response.status_code == 200
    lines = {line.stage.code: line.status for line in response.context["lines"]}
    assert lines["enhanced_visit_4_6m"].status is Status.DUE
    assert lines["visit_2m"].status is Status.COMPLETED
    assert lines["visit_2m"].within_window is True
    assert lines["feeding_phone"].status is Status.NOT_ELIGIBLE
    page = response.content.decode()
    assert "Alma Andersen" in page
    assert f"/healthvisits/children/{alma.public_id}/contacts/new/" in page
    assert "status--due" in page and "status--completed" in page
    assert cpr_of(alma) not in page and cpr_of(alma)[6:] not in page


def test_reading_the_record_is_logged(
    alma: Child, client_for: ClientFor, frozen: dt.date, world: World
) -> None:
    client_for("hanne").get(f"/healthvisits/children/{alma.public_id}/")
    entry = AccessLog.objects.get()
    assert (entry.user, entry.child, entry.view) == (world.hanne, alma, "healthvisit_record")


@pytest.mark.parametrize("persona", ["astrid", "lars", "rikke", "pia", "otto"])
def test_the_record_is_not_found_outside_scope(
    alma: Child, client_for: ClientFor, frozen: dt.date, persona: str
) -> None:
    client = client_for(persona)
    for url in (
        f"/healthvisits/children/{alma.public_id}/",
        f"/healthvisits/children/{alma.public_id}/contacts/new/",
        f"/healthvisits/children/{alma.public_id}/skip/",
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {}).status_code == 404, url
    assert not AccessLog.objects.exists()


def test_an_administrator_reads_the_record_but_records_nothing(
    alma: Child, client_for: ClientFor, frozen: dt.date
) -> None:
    client = client_for("ada")
    response = client.get(f"/healthvisits/children/{alma.public_id}/")
    assert response.status_code == 200
    assert not response.context["can_record"]
    assert client.get(f"/healthvisits/children/{alma.public_id}/contacts/new/").status_code == 403


# Recording a contact


def test_recording_the_visit_moves_the_child_from_due_to_completed(
    alma: Child, client_for: ClientFor, frozen: dt.date, world: World
) -> None:
    client = client_for("hanne")
    worklist = client.get("/healthvisits/")
    assert [r.first_name for r in worklist.context["rows"]] == ["Alma"]

    form = client.get(
        f"/healthvisits/children/{alma.public_id}/contacts/new/?stage=enhanced_visit_4_6m"
    )
    assert form.context["form"].initial["stage"] == stage("enhanced_visit_4_6m").pk
    assert form.context["form"].initial["contact_date"] == TODAY
    response = client.post(
        f"/healthvisits/children/{alma.public_id}/contacts/new/",
        {
            "contact_date": "2025-03-07",
            "mode": "home_visit",
            "stage": stage("enhanced_visit_4_6m").pk,
            "outcome": "completed",
            "topics": topics_form("motor_play", "family_meals", "screen_habits"),
            "note": "Talked about tumbling games.",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/healthvisits/children/{alma.public_id}/"

    contact = Contact.objects.get()
    assert (contact.child, contact.unit, contact.recorded_by) == (
        alma,
        world.aalborg_health,
        world.hanne,
    )
    assert sorted(contact.topics.values_list("code", flat=True)) == [
        "family_meals",
        "motor_play",
        "screen_habits",
    ]
    assert status_of(alma, "enhanced_visit_4_6m") is Status.COMPLETED
    assert client.get("/healthvisits/").context["rows"] == []
    record_page = client.get(f"/healthvisits/children/{alma.public_id}/")
    lines = {line.stage.code: line.status for line in record_page.context["lines"]}
    assert lines["enhanced_visit_4_6m"].done_on == dt.date(2025, 3, 7)


@pytest.mark.parametrize(
    ("day", "message"),
    [
        ("2025-03-11", "i fremtiden"),
        ("2024-10-01", "før barnets fødsel"),
    ],
)
def test_a_contact_date_must_lie_between_birth_and_today(
    alma: Child, client_for: ClientFor, frozen: dt.date, day: str, message: str
) -> None:
    response = client_for("hanne").post(
        f"/healthvisits/children/{alma.public_id}/contacts/new/",
        {"contact_date": day, "mode": "phone", "outcome": "completed"},
    )
    assert response.status_code == 200
    assert message in str(response.context["form"].errors["contact_date"])
    assert not Contact.objects.exists()


def test_a_stage_cannot_be_completed_twice(
    alma: Child, client_for: ClientFor, frozen: dt.date, record: Record
) -> None:
    record(alma, "enhanced_visit_4_6m", on=dt.date(2025, 3, 3))
    response = client_for("hanne").post(
        f"/healthvisits/children/{alma.public_id}/contacts/new/",
        {
            "contact_date": "2025-03-10",
            "mode": "home_visit",
            "stage": stage("enhanced_visit_4_6m").pk,
            "outcome": "completed",
        },
    )
    assert response.status_code == 200
    error = str(response.context["form"].errors["stage"])
    assert "allerede gennemført den 03.03.2025" in error
    assert Contact.objects.count() == 1


def test_a_not_reached_attempt_is_counted_and_keeps_the_stage_open(
    alma: Child, frozen: dt.date, record: Record
) -> None:
    record(alma, "enhanced_visit_4_6m", outcome="not_reached", mode="phone")
    record(alma, "enhanced_visit_4_6m", outcome="not_reached", mode="phone")
    line = next(
        x for x in selectors.schedule_for(alma, TODAY) if x.stage.code == "enhanced_visit_4_6m"
    )
    assert (line.status.status, line.status.attempts) == (Status.DUE, 2)


def test_a_vulnerable_families_stage_is_refused_for_other_families(
    alma: Child, frozen: dt.date, record: Record
) -> None:
    with pytest.raises(ValidationError) as caught:
        record(alma, "feeding_phone", mode="phone")
    assert "sårbare familier" in str(caught.value.message_dict["stage"])


def test_albertslund_offers_the_one_year_call_to_all_families(
    world: World, make_child: MakeChild, frozen: dt.date, record: Record
) -> None:
    from borneliv.healthvisits.models import StageOverride

    StageOverride.objects.create(
        municipality=world.albertslund, stage=stage("phone_1y"), eligibility="all"
    )
    in_albertslund = make_child(age_days=360, area=world.herstedlund)
    in_aalborg = make_child(age_days=360)
    assert status_of(in_albertslund, "phone_1y") is Status.DUE
    assert status_of(in_aalborg, "phone_1y") is Status.NOT_ELIGIBLE
    record(in_albertslund, "phone_1y", mode="phone", by=world.astrid)


def test_a_unit_must_serve_the_childs_municipality(
    alma: Child, world: World, frozen: dt.date
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.contact_record(
            child=alma,
            unit=world.albertslund_health,
            by=world.astrid,
            contact_date=TODAY,
            mode="phone",
            outcome="completed",
        )
    assert "dækker ikke" in str(caught.value.message_dict["unit"])
    with pytest.raises(ValidationError):
        services.contact_record(
            child=alma,
            unit=world.lindholm_daycare,
            by=world.hanne,
            contact_date=TODAY,
            mode="phone",
            outcome="completed",
        )


def test_a_retired_topic_cannot_be_chosen(alma: Child, frozen: dt.date, record: Record) -> None:
    sleep = topic("sleep")
    sleep.is_active = False
    sleep.save()
    with pytest.raises(ValidationError) as caught:
        record(alma, topics=("sleep",))
    assert "sleep" in str(caught.value).lower() or "Søvn" in str(caught.value)


# Changing a contact: history and optimistic locking


def edit_data(contact: Contact, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "contact_date": contact.contact_date.isoformat(),
        "mode": contact.mode,
        "stage": contact.stage_id or "",
        "outcome": contact.outcome,
        "topics": [str(pk) for pk in contact.topics.values_list("pk", flat=True)],
        "note": contact.note,
        "lock_version": contact.lock_version,
    }
    data.update(changes)
    return data


def test_a_change_is_saved_with_one_history_row_including_topics(
    alma: Child, client_for: ClientFor, frozen: dt.date, record: Record, world: World
) -> None:
    contact = record(alma, "enhanced_visit_4_6m", topics=("sleep",))
    before = contact.history.count()
    response = client_for("hanne").post(
        f"/healthvisits/contacts/{contact.public_id}/edit/",
        edit_data(contact, note="Second thoughts.", topics=topics_form("motor_play")),
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.lock_version == 2 and contact.note == "Second thoughts."
    assert list(contact.topics.values_list("code", flat=True)) == ["motor_play"]
    assert contact.history.count() == before + 1
    latest = contact.history.first()
    assert latest is not None
    assert latest.note == "Second thoughts." and latest.history_user == world.hanne
    assert [t.topic.code for t in latest.topics.all()] == ["motor_play"]
    oldest = contact.history.last()
    assert oldest is not None and oldest.history_type == "+"


def test_two_people_editing_the_same_contact_do_not_overwrite_each_other(
    alma: Child, world: World, client_for: ClientFor, frozen: dt.date, record: Record
) -> None:
    contact = record(alma, "enhanced_visit_4_6m")
    hanne = client_for("hanne")
    colleague = Client()
    colleague.force_login(world.hanne)  # a second browser tab, or a colleague of her unit
    url = f"/healthvisits/contacts/{contact.public_id}/edit/"
    first_form = hanne.get(url).context["form"]
    second_form = colleague.get(url).context["form"]
    assert first_form.initial["lock_version"] == second_form.initial["lock_version"] == 1

    assert hanne.post(url, edit_data(contact, note="Hanne's note")).status_code == 302
    response = colleague.post(url, edit_data(contact, note="The other note"))
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert "Ændret af Hanne Holm kl." in str(errors)
    assert "Dine ændringer blev ikke gemt" in str(errors)
    # Her version beside the colleague's, and the form now carries it for a deliberate save.
    rows = [(r.label, r.theirs, r.yours) for r in response.context["form"].conflict.rows]
    assert rows == [("Notat", "Hanne's note", "The other note")]
    assert response.context["form"]["lock_version"].value() == "2"
    contact.refresh_from_db()
    assert (contact.note, contact.lock_version) == ("Hanne's note", 2)


def test_the_service_refuses_a_stale_version_with_the_time_of_the_change(
    alma: Child, world: World, frozen: dt.date, record: Record
) -> None:
    contact = record(alma, "enhanced_visit_4_6m")
    fields = {
        "by": world.hanne,
        "contact_date": contact.contact_date,
        "mode": "home_visit",
        "outcome": "completed",
        "stage": contact.stage,
    }
    services.contact_update(contact=contact, version=1, note="first", **fields)  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as caught:
        services.contact_update(contact=contact, version=1, note="second", **fields)  # type: ignore[arg-type]
    assert caught.value.code == "stale_version"
    assert caught.value.messages[0].startswith("Ændret af Hanne Holm kl.")
    contact.refresh_from_db()
    assert (contact.note, contact.lock_version) == ("first", 2)


def test_a_refused_change_leaves_the_version_alone(
    alma: Child, world: World, frozen: dt.date, record: Record
) -> None:
    contact = record(alma, "enhanced_visit_4_6m")
    with pytest.raises(ValidationError):
        services.contact_update(
            contact=contact,
            version=1,
            by=world.hanne,
            contact_date=TODAY + dt.timedelta(days=1),
            mode="home_visit",
            outcome="completed",
            stage=contact.stage,
        )
    contact.refresh_from_db()
    assert contact.lock_version == 1


def test_editing_keeps_its_own_completion(
    alma: Child, world: World, frozen: dt.date, record: Record
) -> None:
    contact = record(alma, "enhanced_visit_4_6m")
    services.contact_update(
        contact=contact,
        version=1,
        by=world.hanne,
        contact_date=contact.contact_date - dt.timedelta(days=1),
        mode="home_visit",
        outcome="completed",
        stage=contact.stage,
        note="One day earlier",
    )
    assert Contact.objects.get().contact_date == TODAY - dt.timedelta(days=1)


def test_another_units_health_visitor_cannot_edit_a_contact(
    alma: Child, client_for: ClientFor, frozen: dt.date, record: Record
) -> None:
    contact = record(alma, "enhanced_visit_4_6m")
    client = client_for("astrid")
    url = f"/healthvisits/contacts/{contact.public_id}/edit/"
    assert client.get(url).status_code == 404
    assert client.post(url, edit_data(contact, note="x")).status_code == 404


# Skipping a stage


def test_skipping_needs_a_reason(alma: Child, client_for: ClientFor, frozen: dt.date) -> None:
    client = client_for("hanne")
    url = f"/healthvisits/children/{alma.public_id}/skip/"
    page = client.get(f"{url}?stage=enhanced_visit_4_6m")
    assert page.context["form"].initial["stage"] == stage("enhanced_visit_4_6m").pk
    response = client.post(
        url, {"stage": stage("enhanced_visit_4_6m").pk, "skipped_on": "2025-03-10"}
    )
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    response = client.post(
        url,
        {"stage": stage("enhanced_visit_4_6m").pk, "reason": "other", "skipped_on": "2025-03-10"},
    )
    assert "explanation" in response.context["form"].errors
    assert not StageSkip.objects.exists()


def test_a_skipped_stage_leaves_the_worklist_with_its_reason(
    alma: Child, client_for: ClientFor, frozen: dt.date, world: World
) -> None:
    client = client_for("hanne")
    response = client.post(
        f"/healthvisits/children/{alma.public_id}/skip/",
        {
            "stage": stage("enhanced_visit_4_6m").pk,
            "reason": "hospitalised",
            "skipped_on": "2025-03-09",
        },
    )
    assert response.status_code == 302
    skip = StageSkip.objects.get()
    assert (skip.reason, skip.skipped_by, skip.skipped_on) == (
        "hospitalised",
        world.hanne,
        dt.date(2025, 3, 9),
    )
    line = next(
        x for x in selectors.schedule_for(alma, TODAY) if x.stage.code == "enhanced_visit_4_6m"
    )
    assert (line.status.status, line.status.reason) == (Status.SKIPPED, "hospitalised")
    assert client.get("/healthvisits/").context["rows"] == []


def test_the_service_refuses_skipping_twice_or_after_completion(
    alma: Child, world: World, frozen: dt.date, record: Record
) -> None:
    enhanced = stage("enhanced_visit_4_6m")
    services.stage_skip(
        child=alma, stage=enhanced, reason="other", explanation="Abroad", by=world.hanne, on=TODAY
    )
    with pytest.raises(ValidationError) as caught:
        services.stage_skip(
            child=alma,
            stage=enhanced,
            reason="professional",
            explanation="",
            by=world.hanne,
            on=TODAY,
        )
    assert "allerede markeret som fravalgt" in str(caught.value)
    record(alma, "visit_2m", on=alma.birth_date + dt.timedelta(days=50))
    with pytest.raises(ValidationError) as caught:
        services.stage_skip(
            child=alma,
            stage=stage("visit_2m"),
            reason="professional",
            explanation="",
            by=world.hanne,
            on=TODAY,
        )
    assert "gennemført og kan ikke fravælges" in str(caught.value)


def test_the_service_wants_an_explanation_for_other(alma: Child, world: World) -> None:
    with pytest.raises(ValidationError) as caught:
        services.stage_skip(
            child=alma,
            stage=stage("enhanced_visit_4_6m"),
            reason="other",
            explanation="  ",
            by=world.hanne,
            on=TODAY,
        )
    assert "explanation" in caught.value.message_dict


@pytest.mark.parametrize("contacts", [1, 6])
def test_the_record_takes_a_fixed_number_of_queries(
    alma: Child,
    client_for: ClientFor,
    frozen: dt.date,
    record: Record,
    django_assert_num_queries: Callable[..., Any],
    contacts: int,
) -> None:
    for i in range(contacts):
        record(alma, on=TODAY - dt.timedelta(days=i), topics=("sleep", "motor_play"))
    client = client_for("hanne")
    # Session, user, memberships (3); the child (1); its schedule: stages, overrides and five
    # kinds of facts (7); contacts and their topics (2); skips and residences (2; a child with a
    # family adds guardians and vulnerability); the access log (1); three permission checks, each
    # asking whether the child is in scope (3); the footer's programme municipalities (1).
    with django_assert_num_queries(RECORD_QUERIES):
        response = client.get(f"/healthvisits/children/{alma.public_id}/")
    assert len(response.context["contacts"]) == contacts


RECORD_QUERIES = 20


# One visit, one registration: the measurement, the focus themes, the series


def test_one_registration_records_the_visit_and_its_measurement(
    alma: Child, client_for: ClientFor, frozen: dt.date, world: World
) -> None:
    from borneliv.growth.models import Context, Measurement

    client = client_for("hanne")
    form = client.get(f"/healthvisits/children/{alma.public_id}/contacts/new/")
    assert form.context["form"].initial["position"] == "L"  # lying under 2 years
    page = form.content.decode()
    assert "Målt ved besøget" in page and "Fokustemaer" in page
    response = client.post(
        f"/healthvisits/children/{alma.public_id}/contacts/new/",
        {
            "contact_date": "2025-03-07",
            "mode": "home_visit",
            "stage": stage("enhanced_visit_4_6m").pk,
            "outcome": "completed",
            "topics": topics_form(
                "motor_play", "family_meals", "screen_habits", "family_experiences"
            ),
            "weight_kg": "7,45",
            "height_cm": "66,5",
            "position": "L",
        },
    )
    assert response.status_code == 302
    measurement = Measurement.objects.get(child=alma)
    assert (
        measurement.measured_on,
        str(measurement.weight_kg),
        str(measurement.height_cm),
        measurement.position,
        measurement.context,
        measurement.institution,
        measurement.measured_by,
    ) == (
        dt.date(2025, 3, 7),
        "7.450",
        "66.5",
        "L",
        Context.HEALTH_VISIT,
        world.aalborg_health,
        world.hanne,
    )
    assert measurement.weight_for_age_z is not None  # classified at once


def test_a_bad_measurement_saves_neither_the_contact_nor_the_measurement(
    alma: Child, client_for: ClientFor, frozen: dt.date
) -> None:
    from borneliv.growth.models import Measurement

    client = client_for("hanne")
    url = f"/healthvisits/children/{alma.public_id}/contacts/new/"
    base = {
        "contact_date": "2025-03-07",
        "mode": "home_visit",
        "stage": stage("enhanced_visit_4_6m").pk,
        "outcome": "completed",
    }
    too_heavy = client.post(url, {**base, "weight_kg": "250"})
    assert too_heavy.status_code == 200
    assert "Vægten skal være mellem" in too_heavy.content.decode()
    no_position = client.post(url, {**base, "height_cm": "66,5"})
    assert "liggende eller stående" in no_position.content.decode()
    not_reached = client.post(url, {**base, "outcome": "not_reached", "weight_kg": "7,4"})
    assert "kun registreres ved en kontakt, der fandt sted" in not_reached.content.decode()
    assert not Contact.objects.exists() and not Measurement.objects.exists()


def test_a_measurement_the_growth_service_refuses_rolls_the_contact_back(
    alma: Child, frozen: dt.date, world: World
) -> None:
    from decimal import Decimal

    from borneliv.growth import services as growth_services
    from borneliv.growth.models import Context, Measurement

    growth_services.measurement_record(
        child=alma,
        measured_on=dt.date(2025, 3, 7),
        context=Context.HEALTH_VISIT,
        weight_kg=Decimal("7.3"),
    )
    with pytest.raises(ValidationError) as refused:
        services.contact_record(
            child=alma,
            unit=world.aalborg_health,
            by=world.hanne,
            contact_date=dt.date(2025, 3, 7),
            mode="home_visit",
            outcome="completed",
            stage=stage("enhanced_visit_4_6m"),
            measurement=services.VisitMeasurement(weight_kg=Decimal("7.5")),
        )
    assert "weight_kg" in refused.value.message_dict
    assert not Contact.objects.exists() and Measurement.objects.count() == 1


def test_editing_a_contact_keeps_its_planned_next_call(
    make_child: MakeChild, client_for: ClientFor, frozen: dt.date, world: World
) -> None:
    child = make_child(age_days=40, vulnerable=True)
    contact = services.contact_record(
        child=child,
        unit=world.aalborg_health,
        by=world.hanne,
        contact_date=TODAY - dt.timedelta(days=1),
        mode="phone",
        outcome="completed",
        stage=stage("feeding_phone"),
        next_contact_on=TODAY + dt.timedelta(days=10),
    )
    client = client_for("hanne")
    url = f"/healthvisits/contacts/{contact.public_id}/edit/"
    form = client.get(url).context["form"]
    assert form.initial["next_contact_on"] == TODAY + dt.timedelta(days=10)
    assert "weight_kg" not in form.fields  # a stored measurement is changed on the growth page
    data = {
        "contact_date": (TODAY - dt.timedelta(days=1)).isoformat(),
        "mode": "phone",
        "stage": stage("feeding_phone").pk,
        "outcome": "completed",
        "next_contact_on": (TODAY + dt.timedelta(days=12)).isoformat(),
        "note": "Amning går bedre.",
        "lock_version": str(contact.lock_version),
    }
    assert client.post(url, data).status_code == 302
    contact.refresh_from_db()
    assert contact.next_contact_on == TODAY + dt.timedelta(days=12)


def test_a_series_takes_several_calls_each_planning_the_next(
    make_child: MakeChild, frozen: dt.date, world: World
) -> None:
    child = make_child(age_days=60, vulnerable=True)

    def call(days_ago: int, next_in: int | None) -> Contact:
        return services.contact_record(
            child=child,
            unit=world.aalborg_health,
            by=world.hanne,
            contact_date=TODAY - dt.timedelta(days=days_ago),
            mode="phone",
            outcome="completed",
            stage=stage("feeding_phone"),
            next_contact_on=None if next_in is None else TODAY + dt.timedelta(days=next_in),
        )

    call(20, -6)
    call(6, 7)
    line = next(x for x in selectors.schedule_for(child, TODAY) if x.stage.code == "feeding_phone")
    assert (line.status.status, line.status.calls, line.status.planned) == (
        Status.ONGOING,
        2,
        TODAY + dt.timedelta(days=7),
    )
    call(0, None)
    assert status_of(child, "feeding_phone") is Status.COMPLETED


@pytest.mark.parametrize(
    ("stage_code", "next_in", "message"),
    [
        ("visit_2m", 10, "kun i et forløb"),
        ("feeding_phone", 0, "efter denne"),
        ("feeding_phone", 200, "Forløbet slutter den"),
    ],
)
def test_a_planned_call_must_fit_the_series(
    make_child: MakeChild,
    frozen: dt.date,
    world: World,
    stage_code: str,
    next_in: int,
    message: str,
) -> None:
    from django.utils import translation

    child = make_child(age_days=60, vulnerable=True)
    with translation.override("da"), pytest.raises(ValidationError) as refused:
        services.contact_record(
            child=child,
            unit=world.aalborg_health,
            by=world.hanne,
            contact_date=TODAY,
            mode="phone",
            outcome="completed",
            stage=stage(stage_code),
            next_contact_on=TODAY + dt.timedelta(days=next_in),
        )
    assert message in " ".join(refused.value.message_dict["next_contact_on"])
    assert not Contact.objects.exists()


def test_a_programme_stage_is_refused_in_a_comparison_area(
    make_child: MakeChild, client_for: ClientFor, frozen: dt.date, world: World
) -> None:
    child = make_child(age_days=130, area=world.vejgaard)
    response = client_for("hanne").post(
        f"/healthvisits/children/{child.public_id}/contacts/new/",
        {
            "contact_date": TODAY.isoformat(),
            "mode": "home_visit",
            "stage": stage("enhanced_visit_4_6m").pk,
            "outcome": "completed",
        },
    )
    assert response.status_code == 200
    assert "tilbydes kun børn, der bor i et programområde" in response.content.decode()
    assert not Contact.objects.exists()
    # The ordinary visit is recorded as usual.
    assert status_of(child, "enhanced_visit_4_6m") is Status.NOT_ELIGIBLE
