"""Every read of a child's record is logged; another unit's health visitor gets 404 everywhere."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client

from borneliv.children.models import AccessLog, Child
from borneliv.children.services import cpr_of
from borneliv.healthvisits.models import Contact
from borneliv.healthvisits.tests.conftest import MakeChild
from borneliv.testing import World

pytestmark = pytest.mark.django_db

ClientFor = Callable[[str], Client]
Record = Callable[..., Contact]


@pytest.fixture
def alma(make_child: MakeChild) -> Child:
    return make_child(age_days=130, first_name="Alma", last_name="Andersen")


@pytest.fixture
def contact(alma: Child, record: Record) -> Contact:
    return record(alma, "visit_2m", on=alma.birth_date + dt.timedelta(days=50))


def read_paths(child: Child, contact: Contact) -> list[tuple[str, str]]:
    """Every page and API call that shows a child's record, with the view it logs."""
    return [
        ("/healthvisits/", "worklist"),
        ("/healthvisits/?format=csv", "worklist_export"),
        ("/healthvisits/?format=xlsx", "worklist_export"),
        (f"/healthvisits/children/{child.public_id}/", "healthvisit_record"),
        (f"/healthvisits/children/{child.public_id}/contacts/new/", "healthvisit_contact_form"),
        (f"/healthvisits/contacts/{contact.public_id}/edit/", "healthvisit_contact_form"),
        (f"/healthvisits/children/{child.public_id}/skip/", "healthvisit_skip_form"),
        (f"/api/v1/children/{child.public_id}/schedule", "api_schedule"),
        (f"/api/v1/children/{child.public_id}/contacts", "api_contacts"),
    ]


def test_every_read_path_logs_one_row(
    alma: Child, contact: Contact, client_for: ClientFor, frozen: dt.date, world: World
) -> None:
    client = client_for("hanne")
    for url, view in read_paths(alma, contact):
        AccessLog.objects.all().delete()
        response = client.get(url)
        assert response.status_code == 200, url
        entries = list(AccessLog.objects.values_list("user_id", "child_id", "view"))
        assert entries == [(world.hanne.pk, alma.pk, view)], url
        body = response.content
        digits = cpr_of(alma)
        assert digits.encode() not in body and f"{digits[:6]}-{digits[6:]}".encode() not in body


def test_another_units_health_visitor_cannot_reach_the_child_anywhere(
    alma: Child, contact: Contact, client_for: ClientFor, frozen: dt.date
) -> None:
    client = client_for("astrid")
    for url, _view in read_paths(alma, contact):
        response = client.get(url)
        if url.startswith("/healthvisits/?") or url == "/healthvisits/":
            # Her own worklist answers, without the child.
            assert response.status_code == 200
            assert b"Alma" not in response.content
        else:
            assert response.status_code == 404, url
    assert not AccessLog.objects.exists()


def test_no_url_carries_a_cpr_number(
    alma: Child, contact: Contact, client_for: ClientFor, frozen: dt.date
) -> None:
    for url, _view in read_paths(alma, contact):
        assert cpr_of(alma)[:6] + cpr_of(alma)[6:] not in url
        assert str(alma.pk) not in url.split("/")
