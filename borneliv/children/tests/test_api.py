"""The children API: pseudonymous ids, fields, filters, look-up by CPR in the body."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from borneliv.accounts.services import api_token_create
from borneliv.children import services
from borneliv.children.models import Child
from borneliv.children.tests.conftest import ClientFor, Kids, register
from borneliv.testing import World

pytestmark = pytest.mark.django_db

FIELDS = {
    "id",
    "first_name",
    "last_name",
    "birth_date",
    "sex",
    "area_id",
    "family_id",
    "vulnerable_now",
}


def lookup(client: Client, body: object) -> tuple[int, dict[str, object]]:
    response = client.post(
        "/api/v1/children/lookup", json.dumps(body), content_type="application/json"
    )
    return response.status_code, response.json()


def test_a_child_has_exactly_the_documented_fields(
    world: World, client_for: ClientFor, kids: Kids
) -> None:
    body = client_for("hanne").get(f"/api/v1/children/{kids.emma.public_id}").json()
    assert body == {
        "id": str(kids.emma.public_id),
        "first_name": "Emma",
        "last_name": "Holm",
        "birth_date": "2024-03-15",
        "sex": "F",
        "area_id": world.lindholm.pk,
        "family_id": str(kids.emma.family.public_id),  # type: ignore[union-attr]
        "vulnerable_now": True,
    }


def test_a_child_without_a_family(world: World, client_for: ClientFor, kids: Kids) -> None:
    body = client_for("hanne").get(f"/api/v1/children/{kids.noah.public_id}").json()
    assert (body["family_id"], body["vulnerable_now"]) == (None, False)


def test_the_list_is_paginated_and_ordered_by_name(client_for: ClientFor, kids: Kids) -> None:
    body = client_for("ada").get("/api/v1/children", {"page_size": 3}).json()
    assert body["count"] == 4
    assert [i["first_name"] for i in body["items"]] == ["Freja", "Emma", "Oscar"]
    assert set(body["items"][0]) == FIELDS
    body = client_for("ada").get("/api/v1/children", {"page_size": 3, "page": 2}).json()
    assert [i["first_name"] for i in body["items"]] == ["Noah"]


def test_the_list_filters_by_area_and_birth_dates(
    world: World, client_for: ClientFor, kids: Kids
) -> None:
    client = client_for("ada")

    def names(**params: str | int) -> list[str]:
        return [i["first_name"] for i in client.get("/api/v1/children", params).json()["items"]]

    assert names(area_id=world.lindholm.pk) == ["Emma", "Oscar"]
    assert names(area_id=world.vejgaard.pk) == ["Noah"]
    assert names(born_from="2024-03-15") == ["Freja", "Emma", "Noah"]
    assert names(born_to="2024-03-15") == ["Emma", "Oscar"]
    assert names(born_from="2024-01-01", born_to="2024-12-31", area_id=world.lindholm.pk) == [
        "Emma"
    ]


def test_the_area_filter_uses_todays_residence(
    world: World, client_for: ClientFor, kids: Kids
) -> None:
    services.child_move(child=kids.emma, area=world.vejgaard, on=dt.date(2025, 1, 1))
    client = client_for("hanne")
    items = client.get("/api/v1/children", {"area_id": world.vejgaard.pk}).json()["items"]
    assert sorted(i["first_name"] for i in items) == ["Emma", "Noah"]


def test_responses_never_carry_the_cpr_number_or_the_database_key(
    client_for: ClientFor, kids: Kids
) -> None:
    client = client_for("ada")
    texts = [
        client.get("/api/v1/children").content.decode(),
        client.get(f"/api/v1/children/{kids.emma.public_id}").content.decode(),
        client.post(
            "/api/v1/children/lookup", {"cpr": kids.cpr["emma"]}, content_type="application/json"
        ).content.decode(),
    ]
    for text in texts:
        for cpr in kids.cpr.values():
            assert cpr not in text and cpr.replace("-", "") not in text
        assert '"pk"' not in text
    item = json.loads(texts[1])
    assert item["id"] != kids.emma.pk


def test_lookup_finds_a_child_by_cpr_in_the_body(client_for: ClientFor, kids: Kids) -> None:
    status, body = lookup(client_for("hanne"), {"cpr": kids.cpr["oscar"].replace("-", "")})
    assert status == 200
    assert body["id"] == str(kids.oscar.public_id)


def test_lookup_of_an_unknown_number_answers_404(world: World, client_for: ClientFor) -> None:
    from borneliv.children.testing import synthetic_cpr

    status, body = lookup(client_for("hanne"), {"cpr": synthetic_cpr(dt.date(2024, 1, 1), 500)})
    assert (status, body) == (404, {"detail": "No child with this CPR number in your scope."})


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"cpr": "3102249001"}, 422),  # not a real date
        ({"cpr": "12"}, 422),  # wrong format
        ({"cpr": 1502249002}, 422),  # a number, not a string
        ({"cpr": "1" * 25}, 422),  # too long
        ({}, 422),
    ],
)
def test_lookup_refuses_bad_input_without_echoing_it(
    client_for: ClientFor, kids: Kids, body: dict[str, object], status: int
) -> None:
    code, answer = lookup(client_for("hanne"), body)
    assert code == status
    text = json.dumps(answer)
    if "cpr" in body:
        assert str(body["cpr"]) not in text
    assert "310224" not in text and "1502249002" not in text


def test_lookup_is_not_available_by_get(client_for: ClientFor, kids: Kids) -> None:
    response = client_for("hanne").get("/api/v1/children/lookup")
    assert response.status_code in (404, 405)


def test_a_bearer_token_reads_children_in_its_owners_scope(world: World, kids: Kids) -> None:
    _token, plain = api_token_create(user=world.astrid, name="R")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {plain}")
    body = client.get("/api/v1/children").json()
    assert [i["first_name"] for i in body["items"]] == ["Freja"]
    status, found = lookup(client, {"cpr": kids.cpr["freja"]})
    assert (status, found["first_name"]) == (200, "Freja")


def test_anonymous_callers_are_refused(world: World, kids: Kids) -> None:
    assert Client().get("/api/v1/children").status_code == 401
    assert Client().get(f"/api/v1/children/{kids.emma.public_id}").status_code == 401
    assert lookup(Client(), {"cpr": kids.cpr["emma"]})[0] == 401


def test_a_session_lookup_needs_the_csrf_token(world: World, kids: Kids) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.hanne)
    assert lookup(client, {"cpr": kids.cpr["emma"]})[0] == 403


def test_the_openapi_document_describes_the_children_endpoints(client_for: ClientFor) -> None:
    schema = client_for("ada").get("/api/v1/openapi.json").json()
    assert {"/api/v1/children", "/api/v1/children/{public_id}", "/api/v1/children/lookup"} <= set(
        schema["paths"]
    )
    list_params = {p["name"] for p in schema["paths"]["/api/v1/children"]["get"]["parameters"]}
    assert {"area_id", "born_from", "born_to", "page", "page_size"} <= list_params
    child = schema["components"]["schemas"]["ChildOut"]
    assert set(child["properties"]) == FIELDS
    # The number goes in the body, never in the path or query.
    lookup_op = schema["paths"]["/api/v1/children/lookup"]["post"]
    assert not lookup_op.get("parameters")
    assert "requestBody" in lookup_op


def test_a_child_registered_later_appears_in_the_list(world: World, client_for: ClientFor) -> None:
    register(world.lindholm, "Ny", dt.date(2025, 5, 5), 50)
    assert Child.objects.count() == 1
    assert client_for("hanne").get("/api/v1/children").json()["count"] == 1
