"""Change history: every change to the registry is recorded, with who made it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from borneliv.accounts.models import User
from borneliv.organisations import services
from borneliv.organisations.models import Institution
from borneliv.testing import World

pytestmark = pytest.mark.django_db

ClientFor = Callable[[str], Client]


def test_changing_an_institution_records_the_changed_value(world: World) -> None:
    school = world.gl_lindholm_skole
    services.institution_update(institution=school, name="Gl. Lindholm Skole og SFO")

    latest, created = school.history.order_by("-history_id")[:2]
    assert (created.history_type, created.name) == ("+", "Gl. Lindholm Skole")
    assert (latest.history_type, latest.name) == ("~", "Gl. Lindholm Skole og SFO")
    changes = latest.diff_against(created).changes
    assert [(c.field, c.old, c.new) for c in changes] == [
        ("name", "Gl. Lindholm Skole", "Gl. Lindholm Skole og SFO")
    ]


def test_a_refused_change_records_nothing(world: World) -> None:
    school = world.gl_lindholm_skole
    with pytest.raises(ValidationError):
        services.institution_update(institution=school, official_number="12")
    assert school.history.count() == 1


def test_a_change_through_a_page_records_who_made_it(world: World, client_for: ClientFor) -> None:
    school = world.gl_lindholm_skole
    response = client_for("tina").post(
        f"/institutions/{school.pk}/edit/",
        {
            "name": school.name,
            "official_number": school.official_number,
            "street": "Lindholmsvej 65",
            "postcode": "9400",
            "city": "Nørresundby",
            "latitude": school.latitude,
            "longitude": school.longitude,
            "lock_version": school.lock_version,
        },
    )
    assert response.status_code == 302
    latest = school.history.latest()
    assert (latest.street, latest.history_user) == ("Lindholmsvej 65", world.tina)


def test_an_administrator_reads_the_history_in_the_admin(
    world: World, client_for: ClientFor
) -> None:
    services.institution_update(institution=world.troldhoj, city="Slangerup")
    response = client_for("ada").get(
        f"/admin/organisations/institution/{world.troldhoj.pk}/history/"
    )
    assert response.status_code == 200
    assert [record.city for record in response.context["page_obj"].object_list] == ["Slangerup", ""]


def test_every_registry_model_keeps_history(world: World) -> None:
    recorded = {
        "municipality": world.aalborg.history.count(),
        "area": world.lindholm.history.count(),
        "institution": world.lindholm_daycare.history.count(),
        "area membership": world.lindholm_daycare.area_memberships.get().history.count(),
        "partner": world.lindholm_if.history.count(),
        "membership": world.hanne.memberships.get().history.count(),
    }
    assert recorded == dict.fromkeys(recorded, 1)


def test_user_history_never_stores_the_password_hash(world: World) -> None:
    recorded_fields = {field.name for field in User.history.model._meta.get_fields()}
    assert "username" in recorded_fields
    assert "password" not in recorded_fields
    assert "last_login" not in recorded_fields


def test_history_keeps_an_institutions_record_after_a_move(world: World) -> None:
    services.institution_move_to_area(
        institution=world.lindholm_daycare, area=world.vejgaard, on=dt.date(2025, 8, 1)
    )
    rows = Institution.objects.get(pk=world.lindholm_daycare.pk).area_memberships.order_by(
        "valid_from"
    )
    assert [(row.area.name, row.history.count()) for row in rows] == [
        ("Lindholm", 2),
        ("Vejgaard", 1),
    ]
