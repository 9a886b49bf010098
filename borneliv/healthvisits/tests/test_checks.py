"""The data check: programme contacts recorded for children outside programme areas."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from borneliv.children.models import Child
from borneliv.healthvisits.checks import (
    programme_contact_findings,
    programme_contacts_outside_programme_areas,
)
from borneliv.healthvisits.models import Contact
from borneliv.healthvisits.tests.conftest import TODAY, MakeChild, stage
from borneliv.testing import World

pytestmark = pytest.mark.django_db

ClientFor = Callable[[str], Client]


def legacy_contact(child: Child, code: str, on: dt.date, world: World) -> Contact:
    """A contact as an old import or an earlier version of the platform stored it, unchecked."""
    now = timezone.now()
    return Contact.objects.create(
        child=child,
        stage=stage(code),
        contact_date=on,
        mode="home_visit",
        outcome="completed",
        unit=world.aalborg_health,
        recorded_by=world.hanne,
        created_at=now,
        updated_at=now,
    )


@pytest.fixture
def contaminated(world: World, make_child: MakeChild, record: Callable[..., Contact]) -> Contact:
    """One enhanced visit for a Vejgaard (comparison area) child, and clean contacts beside it."""
    vejgaard_child = make_child(age_days=200, area=world.vejgaard, first_name="Vera")
    lindholm_child = make_child(age_days=200, first_name="Lise")
    record(lindholm_child, "enhanced_visit_4_6m", on=TODAY - dt.timedelta(days=60))
    record(vejgaard_child, "visit_2m", on=vejgaard_child.birth_date + dt.timedelta(days=60))
    return legacy_contact(
        vejgaard_child, "enhanced_visit_4_6m", TODAY - dt.timedelta(days=60), world
    )


def test_it_finds_a_programme_contact_in_a_comparison_area(contaminated: Contact) -> None:
    assert list(programme_contacts_outside_programme_areas()) == [contaminated]
    (finding,) = programme_contact_findings()
    assert finding.check == "programme_contact_outside_programme_area"
    assert "Vejgaard, et sammenligningsområde" in finding.where
    assert "kun den almindelige sundhedspleje" in finding.action
    assert str(contaminated.public_id)[:8] in finding.subject
    assert finding.url == ""  # no user: the command line gets no link


def test_it_finds_a_contact_before_the_programme_started(
    world: World, make_child: MakeChild
) -> None:
    from borneliv.organisations.models import Area

    child = make_child(age_days=200)
    contact = legacy_contact(child, "enhanced_visit_4_6m", TODAY - dt.timedelta(days=60), world)
    Area.objects.filter(pk=world.lindholm.pk).update(start_date=TODAY)
    (finding,) = programme_contact_findings()
    assert finding.subject.endswith(f"{str(contact.public_id)[:8]}, {world.aalborg_health.name})")
    assert "et programområde, der startede den" in finding.where


def test_it_finds_a_contact_without_a_residence_on_its_day(
    world: World, make_child: MakeChild
) -> None:
    child = make_child(age_days=200)
    child.residences.update(valid_from=TODAY - dt.timedelta(days=10))
    legacy_contact(child, "enhanced_visit_4_6m", TODAY - dt.timedelta(days=60), world)
    (finding,) = programme_contact_findings()
    assert "ingen bopæl registreret" in finding.where


def test_a_declined_offer_counts_too(world: World, make_child: MakeChild) -> None:
    child = make_child(age_days=200, area=world.vejgaard)
    contact = legacy_contact(child, "enhanced_visit_4_6m", TODAY - dt.timedelta(days=60), world)
    Contact.objects.filter(pk=contact.pk).update(outcome="declined")
    assert programme_contacts_outside_programme_areas().count() == 1


def test_the_command_reports_and_fails_then_passes_when_corrected(contaminated: Contact) -> None:
    out = StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("datacheck", stdout=out)
    assert exited.value.code == 1
    text = out.getvalue()
    assert "programme_contact_outside_programme_area: 1" in text
    assert "Vejgaard, et sammenligningsområde" in text
    assert contaminated.child.first_name not in text  # no names in the report
    # Corrected as the finding says: the visit was the ordinary one, not the programme's.
    Contact.objects.filter(pk=contaminated.pk).update(stage=None)
    out = StringIO()
    call_command("datacheck", stdout=out)
    assert "programme_contact_outside_programme_area: 0" in out.getvalue()


def test_the_page_shows_findings_in_scope_with_a_link_only_for_who_may_correct(
    contaminated: Contact, client_for: ClientFor, frozen: dt.date
) -> None:
    edit = f"/healthvisits/contacts/{contaminated.public_id}/edit/"
    hanne = client_for("hanne").get("/datacheck/")
    assert hanne.status_code == 200
    assert "Vejgaard" in hanne.content.decode() and edit in hanne.content.decode()
    lars = client_for("lars").get("/datacheck/")
    assert "Vejgaard" in lars.content.decode() and edit not in lars.content.decode()
    astrid = client_for("astrid").get("/datacheck/")  # Albertslund: not her municipality
    assert "Vejgaard" not in astrid.content.decode()
    for persona in ("pia", "tina", "carl", "otto"):
        assert client_for(persona).get("/datacheck/").status_code == 403


def test_the_landing_page_asks_the_project_leader_to_look(
    contaminated: Contact, client_for: ClientFor
) -> None:
    page = client_for("lars").get("/").content.decode()
    assert "/datacheck/" in page
    assert client_for("astrid").get("/").status_code in (200, 302)
