"""The health-visiting API: schedule and contacts of a child, scoped and logged."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import pytest
from django.test import Client

from borneliv.accounts.services import api_token_create
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


def post(client: Client, url: str, body: dict[str, object]) -> object:
    return client.post(url, json.dumps(body), content_type="application/json")


def test_the_schedule_lists_each_stage_with_its_window(
    alma: Child, client_for: ClientFor, frozen: dt.date, world: World
) -> None:
    response = client_for("hanne").get(f"/api/v1/children/{alma.public_id}/schedule")
    assert response.status_code == 200
    body = response.json()
    assert body["child"] == str(alma.public_id) and body["today"] == "2025-03-10"
    stages = {s["code"]: s for s in body["stages"]}
    enhanced = stages["enhanced_visit_4_6m"]
    assert enhanced["status"] == "due" and enhanced["is_programme"] is True
    assert enhanced["window_start"] == (alma.birth_date + dt.timedelta(days=120)).isoformat()
    assert enhanced["window_end"] == (alma.birth_date + dt.timedelta(days=183)).isoformat()
    assert stages["feeding_phone"]["status"] == "not_eligible"
    assert stages["feeding_phone"]["reason"] == "not_vulnerable"
    assert AccessLog.objects.get().view == "api_schedule"


def test_the_contacts_are_listed_and_the_read_logged(
    alma: Child, client_for: ClientFor, frozen: dt.date, record: Record
) -> None:
    contact = record(alma, "enhanced_visit_4_6m", topics=("sleep", "motor_play"))
    response = client_for("hanne").get(f"/api/v1/children/{alma.public_id}/contacts")
    assert response.status_code == 200
    (item,) = response.json()
    assert item["id"] == str(contact.public_id)
    assert item["stage"] == "enhanced_visit_4_6m" and item["outcome"] == "completed"
    assert sorted(item["topics"]) == ["motor_play", "sleep"]
    assert item["recorded_by"] == "hanne" and item["version"] == 1
    assert AccessLog.objects.get().view == "api_contacts"
    assert cpr_of(alma) not in response.content.decode()


def test_a_contact_is_recorded_through_the_api(
    alma: Child, client_for: ClientFor, frozen: dt.date, world: World
) -> None:
    response = post(
        client_for("hanne"),
        f"/api/v1/children/{alma.public_id}/contacts",
        {
            "contact_date": "2025-03-10",
            "mode": "home_visit",
            "outcome": "completed",
            "stage": "enhanced_visit_4_6m",
            "topics": ["family_meals"],
            "note": "Via the API",
        },
    )
    assert response.status_code == 201, response.content  # type: ignore[attr-defined]
    contact = Contact.objects.get()
    assert (contact.unit, contact.recorded_by, contact.note) == (
        world.aalborg_health,
        world.hanne,
        "Via the API",
    )
    schedule = client_for("hanne").get(f"/api/v1/children/{alma.public_id}/schedule").json()
    status = {s["code"]: s["status"] for s in schedule["stages"]}
    assert status["enhanced_visit_4_6m"] == "completed"


@pytest.mark.parametrize(
    ("body", "field", "text"),
    [
        ({"contact_date": "2025-03-11"}, "contact_date", "i fremtiden"),
        ({"stage": "no_such_stage"}, "stage", "Ukendt ydelse"),
        ({"topics": ["knitting"]}, "topics", "knitting"),
        ({"stage": "feeding_phone"}, "stage", "sårbare familier"),
    ],
)
def test_the_api_validates_like_the_page(
    alma: Child,
    client_for: ClientFor,
    frozen: dt.date,
    body: dict[str, object],
    field: str,
    text: str,
) -> None:
    payload: dict[str, object] = {
        "contact_date": "2025-03-10",
        "mode": "phone",
        "outcome": "completed",
    }
    payload.update(body)
    response = post(client_for("hanne"), f"/api/v1/children/{alma.public_id}/contacts", payload)
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert text in " ".join(response.json()["errors"][field])  # type: ignore[attr-defined]
    assert not Contact.objects.exists()


def test_the_api_refuses_a_second_completion(
    alma: Child, client_for: ClientFor, frozen: dt.date, record: Record
) -> None:
    record(alma, "enhanced_visit_4_6m")
    response = post(
        client_for("hanne"),
        f"/api/v1/children/{alma.public_id}/contacts",
        {
            "contact_date": "2025-03-10",
            "mode": "home_visit",
            "outcome": "completed",
            "stage": "enhanced_visit_4_6m",
        },
    )
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert "allerede gennemført" in response.json()["errors"]["stage"][0]  # type: ignore[attr-defined]


def test_an_unknown_mode_is_a_schema_error(
    alma: Child, client_for: ClientFor, frozen: dt.date
) -> None:
    response = post(
        client_for("hanne"),
        f"/api/v1/children/{alma.public_id}/contacts",
        {"contact_date": "2025-03-10", "mode": "carrier_pigeon", "outcome": "completed"},
    )
    assert response.status_code == 422  # type: ignore[attr-defined]


@pytest.mark.parametrize("persona", ["astrid", "lars", "rikke", "pia", "otto"])
def test_a_child_outside_scope_is_not_found(
    alma: Child, client_for: ClientFor, frozen: dt.date, persona: str
) -> None:
    client = client_for(persona)
    base = f"/api/v1/children/{alma.public_id}"
    assert client.get(f"{base}/schedule").status_code == 404
    assert client.get(f"{base}/contacts").status_code == 404
    response = post(
        client,
        f"{base}/contacts",
        {"contact_date": "2025-03-10", "mode": "phone", "outcome": "completed"},
    )
    assert response.status_code == 404  # type: ignore[attr-defined]
    assert not AccessLog.objects.exists() and not Contact.objects.exists()


def test_an_administrator_reads_but_does_not_record(
    alma: Child, client_for: ClientFor, frozen: dt.date
) -> None:
    client = client_for("ada")
    assert client.get(f"/api/v1/children/{alma.public_id}/schedule").status_code == 200
    response = post(
        client,
        f"/api/v1/children/{alma.public_id}/contacts",
        {"contact_date": "2025-03-10", "mode": "phone", "outcome": "completed"},
    )
    assert response.status_code == 403  # type: ignore[attr-defined]


def test_a_bearer_token_reads_with_its_owners_scope(
    alma: Child, world: World, frozen: dt.date
) -> None:
    _token, plain = api_token_create(user=world.hanne, name="Script")
    response = Client().get(
        f"/api/v1/children/{alma.public_id}/schedule", HTTP_AUTHORIZATION=f"Bearer {plain}"
    )
    assert response.status_code == 200
    _token, other = api_token_create(user=world.astrid, name="Script")
    response = Client().get(
        f"/api/v1/children/{alma.public_id}/schedule", HTTP_AUTHORIZATION=f"Bearer {other}"
    )
    assert response.status_code == 404


def test_an_anonymous_caller_is_refused(alma: Child) -> None:
    assert Client().get(f"/api/v1/children/{alma.public_id}/schedule").status_code == 401


def test_the_openapi_document_describes_the_endpoints(client_for: ClientFor) -> None:
    response = client_for("hanne").get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "get" in paths["/api/v1/children/{public_id}/schedule"]
    assert {"get", "post"} <= set(paths["/api/v1/children/{public_id}/contacts"])


def test_the_schedule_says_why_a_comparison_child_gets_no_programme_stage(
    make_child: MakeChild, client_for: ClientFor, frozen: dt.date, world: World
) -> None:
    child = make_child(age_days=130, area=world.vejgaard)
    body = client_for("hanne").get(f"/api/v1/children/{child.public_id}/schedule").json()
    stages = {s["code"]: s for s in body["stages"]}
    assert (stages["enhanced_visit_4_6m"]["status"], stages["enhanced_visit_4_6m"]["reason"]) == (
        "not_eligible",
        "not_programme_area",
    )
    assert stages["visit_2m"]["reason"] == ""  # ordinary stages stay


def test_a_breastfeeding_call_plans_the_next_one_through_the_api(
    make_child: MakeChild, client_for: ClientFor, frozen: dt.date
) -> None:
    child = make_child(age_days=40, vulnerable=True)
    client = client_for("hanne")
    url = f"/api/v1/children/{child.public_id}/contacts"
    planned = frozen + dt.timedelta(days=14)
    body: dict[str, object] = {
        "contact_date": frozen.isoformat(),
        "mode": "phone",
        "outcome": "completed",
        "stage": "feeding_phone",
        "next_contact_on": planned.isoformat(),
    }
    response = post(client, url, body)
    assert response.status_code == 201, response.content  # type: ignore[attr-defined]
    assert response.json()["next_contact_on"] == planned.isoformat()  # type: ignore[attr-defined]
    schedule = client.get(f"/api/v1/children/{child.public_id}/schedule").json()
    feeding = next(s for s in schedule["stages"] if s["code"] == "feeding_phone")
    assert (feeding["status"], feeding["planned"], feeding["calls"], feeding["is_series"]) == (
        "ongoing",
        planned.isoformat(),
        1,
        True,
    )
    # A plan outside the series' half year is refused with the field named.
    late: dict[str, object] = {**body, "contact_date": (frozen - dt.timedelta(days=1)).isoformat()}
    late["next_contact_on"] = (child.birth_date + dt.timedelta(days=200)).isoformat()
    refused = post(client, url, late)
    assert refused.status_code == 422  # type: ignore[attr-defined]
    assert "next_contact_on" in refused.json()["errors"]  # type: ignore[attr-defined]
