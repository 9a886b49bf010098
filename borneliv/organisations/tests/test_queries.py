"""Query counts pinned: list pages and the API cost the same however large the registry grows."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from borneliv.testing import World, add_daycares

pytestmark = pytest.mark.django_db

ClientFor = Callable[[str], Client]

# Each request starts with three: the session, the user and her memberships (the scope); each
# page ends with one, the footer's programme municipalities.
PROGRAMME_PAGE_QUERIES = 9
AREA_PAGE_QUERIES = 9
# The administrator's overview adds one query per column (programme and comparison areas,
# institutions, users, children), per kind of recent import (school-start files, map data) and
# per thing waiting (held measurements, registrations sent to an administrator, programme
# contacts outside programme areas); a project leader's page asks only the last.
HOME_PAGE_QUERIES = {"ada": 21, "lars": 12}
API_INSTITUTIONS_QUERIES = 6  # with the count and the prefetched area memberships

MORE = pytest.mark.parametrize("more", [0, 20], ids=["small registry", "20 more institutions"])


def grow(world: World, more: int) -> None:
    """Add institutions in two municipalities, so that every list on a page gets longer."""
    add_daycares(world, more // 2)
    add_daycares(world, more - more // 2, area=world.herstedlund)


@MORE
@pytest.mark.parametrize("persona", ["ada", "lars"])
def test_the_programme_page_takes_a_fixed_number_of_queries(
    world: World,
    client_for: ClientFor,
    django_assert_num_queries: DjangoAssertNumQueries,
    more: int,
    persona: str,
) -> None:
    grow(world, more)
    client = client_for(persona)
    with django_assert_num_queries(PROGRAMME_PAGE_QUERIES):
        response = client.get("/programme/")
    assert response.status_code == 200


@MORE
def test_the_area_page_takes_a_fixed_number_of_queries(
    world: World,
    client_for: ClientFor,
    django_assert_num_queries: DjangoAssertNumQueries,
    more: int,
) -> None:
    grow(world, more)
    client = client_for("lars")
    with django_assert_num_queries(AREA_PAGE_QUERIES):
        response = client.get(f"/areas/{world.lindholm.pk}/")
    assert response.status_code == 200
    assert len(response.context["institutions"]) == 3 + more // 2


@MORE
@pytest.mark.parametrize("persona", ["ada", "lars"])
def test_the_landing_page_takes_a_fixed_number_of_queries(
    world: World,
    client_for: ClientFor,
    django_assert_num_queries: DjangoAssertNumQueries,
    more: int,
    persona: str,
) -> None:
    grow(world, more)
    client = client_for(persona)
    with django_assert_num_queries(HOME_PAGE_QUERIES[persona]):
        response = client.get("/")
    assert response.status_code == 200


@MORE
def test_the_api_institution_list_takes_a_fixed_number_of_queries(
    world: World,
    client_for: ClientFor,
    django_assert_num_queries: DjangoAssertNumQueries,
    more: int,
) -> None:
    grow(world, more)
    client = client_for("ada")
    with django_assert_num_queries(API_INSTITUTIONS_QUERIES):
        body = client.get("/api/v1/institutions").json()
    assert body["count"] == len(body["items"]) == 8 + more
    assert all(item["area_id"] is not None for item in body["items"])
