"""The API of a child's measurements: list with classification, record, scope, access log."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from borneliv.accounts.services import api_token_create
from borneliv.children import services as child_services
from borneliv.children.models import AccessLog, Child
from borneliv.children.testing import synthetic_cpr
from borneliv.growth import services
from borneliv.growth.models import Context, Measurement, ReviewStatus
from borneliv.growth.tests.conftest import ClientFor
from borneliv.testing import World


@pytest.fixture
def ida(world: World) -> Child:
    """A girl in Lindholm (Aalborg), born 2019-03-10."""
    return child_services.child_register(
        cpr=synthetic_cpr(dt.date(2019, 3, 10), 0, sex="F"),
        first_name="Ida",
        last_name="Vækst",
        area=world.lindholm,
    )


def url(child: Child) -> str:
    return f"/api/v1/growth/children/{child.public_id}/measurements"


def post(client: Client, child: Child, body: dict[str, object]) -> Any:
    return client.post(url(child), json.dumps(body), content_type="application/json")


GOOD = {
    "measured_on": "2024-03-11",
    "weight_kg": 20.5,
    "height_cm": 112.0,
    "position": "H",
    "context": "health_visit",
}


def test_the_list_gives_each_measurement_with_its_classification_and_reference(
    client_for: ClientFor, ida: Child, world: World
) -> None:
    services.measurement_record(
        child=ida,
        measured_on=dt.date(2023, 3, 10),
        context=Context.HEALTH_VISIT,
        weight_kg=Decimal("16.0"),
        height_cm=Decimal("102.0"),
        position="H",
        measured_by=world.hanne,
    )
    services.measurement_record(
        child=ida,
        measured_on=dt.date(2023, 9, 10),
        context=Context.OTHER,
        weight_kg=Decimal("60.0"),
        height_cm=Decimal("100.0"),
        position="H",
    )
    response = client_for("hanne").get(url(ida))
    assert response.status_code == 200
    first, held = response.json()
    assert first["measured_on"] == "2023-03-10" and first["age_days"] == 1461
    assert first["weight_kg"] == 16.0 and first["height_cm"] == 102.0
    assert first["position"] == "H" and first["context"] == "health_visit"
    assert first["bmi"] == pytest.approx(16 / 1.02**2)
    assert first["who_category"] == "normal" and first["who_category_label"] == "Normal"
    assert first["iotf_category"] == "normal" and first["iotf_category_label"] == "Normal weight"
    assert first["reference"] == "WHO 2006; IOTF 2012" and first["iotf_version"] == "2012"
    assert first["review_status"] == "accepted" and first["counted"] is True
    assert first["measured_by"] == "hanne" and first["flag_messages"] == []
    assert held["review_status"] == "held" and held["counted"] is False
    assert held["who_category"] == ""  # WHO leaves a flagged BMI-for-age uncategorised
    assert any("Implausible BMI for the age" in m for m in held["flag_messages"])
    (row,) = AccessLog.objects.all()
    assert row.view == "api_growth" and row.child_id == ida.pk and row.user_id == world.hanne.pk


def test_a_measurement_is_recorded_through_the_api(
    client_for: ClientFor, ida: Child, world: World
) -> None:
    response = post(client_for("hanne"), ida, {**GOOD, "note": " after lunch "})
    assert response.status_code == 201
    body = response.json()
    m = Measurement.objects.get()
    assert body["id"] == str(m.public_id)
    assert m.weight_kg == Decimal("20.5") and m.height_cm == Decimal("112.0")
    assert m.measured_by == world.hanne and m.institution == world.aalborg_health
    assert m.note == "after lunch"
    assert body["reference"] == "WHO 2007; IOTF 2012" and body["counted"] is True
    assert body["bmi"] == pytest.approx(20.5 / 1.12**2)


def test_an_implausible_measurement_is_recorded_as_held(client_for: ClientFor, ida: Child) -> None:
    response = post(client_for("hanne"), ida, {**GOOD, "weight_kg": 80})
    assert response.status_code == 201
    assert response.json()["review_status"] == "held"
    assert Measurement.objects.get().review_status == ReviewStatus.HELD


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"measured_on": "2999-01-01"}, "measured_on", "The date is in the future."),
        ({"measured_on": "2019-03-09"}, "measured_on", "before the child's birth date"),
        ({"weight_kg": 0}, "weight_kg", "greater than or equal to 0.3"),
        ({"weight_kg": 999}, "weight_kg", "less than or equal to 200"),
        ({"weight_kg": None, "height_cm": None}, "__all__", "Give a weight, a height/length"),
    ],
)
def test_bad_input_is_refused_with_the_message(
    client_for: ClientFor, ida: Child, change: dict[str, object], field: str, message: str
) -> None:
    response = post(client_for("hanne"), ida, {**GOOD, **change})
    assert response.status_code == 422
    body = response.json()
    assert body["detail"].startswith("The measurement was not recorded")
    assert message in " ".join(body["errors"][field])
    assert message in body["detail"]
    assert not Measurement.objects.exists()


def test_a_second_measurement_of_the_same_kind_that_day_is_refused(
    client_for: ClientFor, ida: Child
) -> None:
    client = client_for("hanne")
    assert post(client, ida, GOOD).status_code == 201
    response = post(client, ida, {**GOOD, "weight_kg": 21})
    assert response.status_code == 422
    assert "already has a measurement of this kind" in response.json()["detail"]
    assert Measurement.objects.count() == 1


def test_an_unknown_context_is_a_schema_error(client_for: ClientFor, ida: Child) -> None:
    response = post(client_for("hanne"), ida, {**GOOD, "context": "birthday"})
    assert response.status_code == 422
    assert not Measurement.objects.exists()


def test_a_child_outside_the_scope_is_not_found(client_for: ClientFor, ida: Child) -> None:
    client = client_for("astrid")
    assert client.get(url(ida)).status_code == 404
    assert post(client, ida, GOOD).status_code == 404
    assert not AccessLog.objects.exists() and not Measurement.objects.exists()


def test_the_administrator_reads_but_does_not_record(client_for: ClientFor, ida: Child) -> None:
    client = client_for("ada")
    assert client.get(url(ida)).status_code == 200
    response = post(client, ida, GOOD)
    assert response.status_code == 403
    assert not Measurement.objects.exists()


def test_a_bearer_token_reads_with_its_owners_scope(ida: Child, world: World) -> None:
    _token, plain = api_token_create(user=world.hanne, name="Script")
    response = Client().get(url(ida), headers={"Authorization": f"Bearer {plain}"})
    assert response.status_code == 200 and response.json() == []
    _token, other = api_token_create(user=world.astrid, name="Script")
    response = Client().get(url(ida), headers={"Authorization": f"Bearer {other}"})
    assert response.status_code == 404


def test_an_anonymous_caller_is_refused(ida: Child) -> None:
    assert Client().get(url(ida)).status_code == 401
