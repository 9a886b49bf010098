"""The read API at /api/v1/: authentication, pagination, filters and the OpenAPI document."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from borneliv.accounts.services import api_token_create, api_token_revoke
from borneliv.organisations.models import Area, Institution
from borneliv.testing import World, add_daycares

pytestmark = pytest.mark.django_db

ClientFor = Callable[[str], Client]
LISTS = ["/api/v1/municipalities", "/api/v1/areas", "/api/v1/institutions", "/api/v1/partners"]


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def names(body: dict[str, Any]) -> list[str]:
    return [item["name"] for item in body["items"]]


# Authentication


@pytest.mark.parametrize("url", [*LISTS, "/api/v1/institutions/1"])
def test_it_refuses_an_anonymous_caller(world: World, url: str) -> None:
    response = Client().get(url)
    assert (response.status_code, response.json()) == (401, {"detail": "Unauthorized"})


def test_it_answers_a_logged_in_session(client_for: ClientFor) -> None:
    body = client_for("hanne").get("/api/v1/municipalities").json()
    assert names(body) == ["Aalborg"]


def test_it_answers_a_bearer_token_with_its_owners_scope(world: World) -> None:
    _token, plain = api_token_create(user=world.astrid, name="Excel")
    response = Client().get("/api/v1/institutions", **bearer(plain))  # type: ignore[arg-type]
    assert response.status_code == 200
    assert sorted(names(response.json())) == [
        "Børnehuset Galaksen",
        "Herstedlund Skole",
        "Sundhedsplejen Albertslund",
    ]


def test_it_records_when_a_token_was_last_used(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    token, plain = api_token_create(user=world.rikke, name="R")
    used_at = dt.datetime(2025, 5, 1, 12, 0, tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: used_at)
    Client().get("/api/v1/areas", **bearer(plain))  # type: ignore[arg-type]
    token.refresh_from_db()
    assert token.last_used_at == used_at


def test_it_refuses_a_revoked_token(world: World) -> None:
    token, plain = api_token_create(user=world.rikke, name="R")
    api_token_revoke(token=token)
    assert Client().get("/api/v1/areas", **bearer(plain)).status_code == 401  # type: ignore[arg-type]


def test_it_refuses_an_expired_token(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    created = timezone.now()
    _token, plain = api_token_create(
        user=world.rikke, name="R", expires_at=created + dt.timedelta(days=30)
    )
    client = Client()
    assert client.get("/api/v1/areas", **bearer(plain)).status_code == 200  # type: ignore[arg-type]
    monkeypatch.setattr(timezone, "now", lambda: created + dt.timedelta(days=30, seconds=1))
    assert client.get("/api/v1/areas", **bearer(plain)).status_code == 401  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "header", ["Bearer bl_not-a-token", "Bearer ", "Basic aGFubmU6eA==", "bl_x"]
)
def test_it_refuses_a_made_up_authorization(world: World, header: str) -> None:
    api_token_create(user=world.rikke, name="R")
    response = Client().get("/api/v1/areas", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401


def test_a_token_of_a_user_without_membership_sees_nothing(world: World) -> None:
    _token, plain = api_token_create(user=world.otto, name="curious")
    body = Client().get("/api/v1/institutions", **bearer(plain)).json()  # type: ignore[arg-type]
    assert body == {"items": [], "count": 0}


# Pagination and filters


def test_a_list_has_items_and_a_count(client_for: ClientFor) -> None:
    body = client_for("ada").get("/api/v1/areas").json()
    assert set(body) == {"items", "count"}
    assert body["count"] == 4
    assert set(body["items"][0]) == {
        "id",
        "name",
        "kind",
        "municipality_id",
        "start_date",
        "is_synthetic",
    }


def test_an_institution_says_which_area_it_belongs_to_today(
    world: World, client_for: ClientFor
) -> None:
    body = client_for("lars").get(f"/api/v1/institutions/{world.gl_lindholm_skole.pk}").json()
    assert body == {
        "id": world.gl_lindholm_skole.pk,
        "name": "Gl. Lindholm Skole",
        "kind": "school",
        "municipality_id": world.aalborg.pk,
        "official_number": "851012",
        "street": "",
        "postcode": "",
        "city": "",
        "latitude": 57.0662,
        "longitude": 9.9066,
        "area_id": world.lindholm.pk,
        "is_synthetic": False,
    }


def test_it_pages_fifty_rows_at_a_time(world: World, client_for: ClientFor) -> None:
    add_daycares(world, 45)
    client = client_for("ada")
    first = client.get("/api/v1/institutions").json()
    second = client.get("/api/v1/institutions?page=2").json()
    assert (first["count"], len(first["items"])) == (53, 50)
    assert (second["count"], len(second["items"])) == (53, 3)
    ids = [item["id"] for item in first["items"] + second["items"]]
    assert ids == sorted(Institution.objects.values_list("id", flat=True))


def test_it_takes_a_smaller_page_size(client_for: ClientFor) -> None:
    client = client_for("ada")
    pages = [client.get(f"/api/v1/institutions?page_size=3&page={n}").json() for n in (1, 2, 3)]
    assert [len(page["items"]) for page in pages] == [3, 3, 2]
    assert {page["count"] for page in pages} == {8}


def test_it_refuses_page_zero(client_for: ClientFor) -> None:
    assert client_for("ada").get("/api/v1/institutions?page=0").status_code == 422


def test_it_filters_institutions_by_municipality_and_kind(
    world: World, client_for: ClientFor
) -> None:
    client = client_for("ada")
    in_albertslund = client.get(f"/api/v1/institutions?municipality_id={world.albertslund.pk}")
    daycares = client.get("/api/v1/institutions?kind=daycare")
    assert sorted(names(in_albertslund.json())) == [
        "Børnehuset Galaksen",
        "Herstedlund Skole",
        "Sundhedsplejen Albertslund",
    ]
    assert sorted(names(daycares.json())) == [
        "Børnehaven Lindholm Å",
        "Børnehuset Galaksen",
        "Børnehuset Troldhøj",
    ]


def test_a_filter_never_widens_the_scope(world: World, client_for: ClientFor) -> None:
    body = (
        client_for("hanne")
        .get(f"/api/v1/institutions?municipality_id={world.albertslund.pk}")
        .json()
    )
    assert body == {"items": [], "count": 0}


def test_it_filters_areas_by_kind(client_for: ClientFor) -> None:
    body = client_for("rikke").get(f"/api/v1/areas?kind={Area.Kind.COMPARISON}").json()
    assert names(body) == ["Vejgaard"]


def test_it_filters_partners_by_area(world: World, client_for: ClientFor) -> None:
    body = client_for("ada").get(f"/api/v1/partners?area_id={world.herstedlund.pk}").json()
    assert names(body) == ["Albertslund Svømmeklub"]


def test_the_api_only_reads(world: World, client_for: ClientFor) -> None:
    client = client_for("ada")
    url = f"/api/v1/institutions/{world.gl_lindholm_skole.pk}"
    assert client.post("/api/v1/institutions", {}).status_code == 405
    assert client.delete(url).status_code == 405


# OpenAPI


def test_the_openapi_document_describes_every_endpoint(db: None) -> None:
    spec = Client().get("/api/v1/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    assert spec["info"]["title"] == "Børneliv API"
    paths = set(spec["paths"])
    for collection in ("municipalities", "areas", "institutions", "partners"):
        assert f"/api/v1/{collection}" in paths
        singular = {
            "municipalities": "municipality_id",
            "areas": "area_id",
            "institutions": "institution_id",
            "partners": "partner_id",
        }[collection]
        assert f"/api/v1/{collection}/{{{singular}}}" in paths
    schemas = spec["components"]["schemas"]
    assert {"MunicipalityOut", "AreaOut", "InstitutionOut", "PartnerOut"} <= set(schemas)
    assert set(spec["components"]["securitySchemes"]) == {"SessionAuth", "BearerToken"}
    assert spec["components"]["securitySchemes"]["BearerToken"]["scheme"] == "bearer"


def test_every_schema_reference_in_the_openapi_document_resolves(db: None) -> None:
    spec = Client().get("/api/v1/openapi.json").json()
    references: list[str] = []

    def collect(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref":
                    references.append(value)
                else:
                    collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect(spec)
    assert references
    for reference in references:
        assert reference.startswith("#/components/schemas/"), reference
        assert reference.rsplit("/", 1)[1] in spec["components"]["schemas"], reference


def test_list_operations_document_pagination_and_filters(db: None) -> None:
    spec = Client().get("/api/v1/openapi.json").json()
    parameters = {
        parameter["name"]
        for parameter in spec["paths"]["/api/v1/institutions"]["get"]["parameters"]
    }
    assert {"page", "page_size", "municipality_id", "kind"} <= parameters


def test_the_interactive_docs_open_for_a_logged_in_user(client_for: ClientFor) -> None:
    response = client_for("rikke").get("/api/v1/docs")
    assert response.status_code == 200
    assert "openapi.json" in response.content.decode()
