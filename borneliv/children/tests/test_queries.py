"""Query counts pinned: the name search and the API list cost the same however many children."""

from __future__ import annotations

import datetime as dt

import pytest
from pytest_django import DjangoAssertNumQueries

from borneliv.children import services
from borneliv.children.tests.conftest import ClientFor, Kids, register
from borneliv.testing import World

pytestmark = pytest.mark.django_db

# Each request starts with three: the session, the user and her memberships (the scope).
# Navigation costs no query: permissions come from rules over the cached scope; a page's footer
# costs one (the programme municipalities).
# The name search: + count, + the page of children (area, family, vulnerability in one query),
# + one insert of all the access-log rows, + her registrations sent to an administrator (the link).
NAME_SEARCH_QUERIES = 3 + 4 + 1
# The API list (no navigation): + count, + the page, + the access-log insert.
API_LIST_QUERIES = 3 + 3
# The record page: + the child, + the access-log insert, + residences, enrolments, vulnerability
# periods, guardians, siblings, + the choices of the move and enrol forms; + the footer.
DETAIL_QUERIES = 3 + 9 + 1

MORE = pytest.mark.parametrize("more", [0, 20], ids=["4 children", "24 children"])


def grow(world: World, more: int) -> None:
    """More children in Lindholm, every other one in a vulnerable family with a guardian."""
    for n in range(more):
        family = services.family_create(
            name=f"Familie {n}", guardians=[{"name": f"Forælder {n}", "relation": "mother"}]
        )
        if n % 2:
            services.vulnerability_set(
                family=family, reason="social", valid_from=dt.date(2024, 1, 1), by=None
            )
        register(
            world.lindholm,
            f"Barn {n}",
            dt.date(2024, 1, 1),
            200 + n,
            last_name="Holm",
            family=family,
        )


@MORE
def test_the_name_search_takes_a_fixed_number_of_queries(
    world: World,
    kids: Kids,
    client_for: ClientFor,
    django_assert_num_queries: DjangoAssertNumQueries,
    more: int,
) -> None:
    grow(world, more)
    client = client_for("hanne")
    with django_assert_num_queries(NAME_SEARCH_QUERIES):
        response = client.get("/children/", {"q": "Holm"})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 2 + more


@MORE
@pytest.mark.parametrize("persona", ["hanne", "ada"])
def test_the_api_list_takes_a_fixed_number_of_queries(
    world: World,
    kids: Kids,
    client_for: ClientFor,
    django_assert_num_queries: DjangoAssertNumQueries,
    more: int,
    persona: str,
) -> None:
    grow(world, more)
    client = client_for(persona)
    with django_assert_num_queries(API_LIST_QUERIES):
        response = client.get("/api/v1/children")
    assert response.status_code == 200
    assert len(response.json()["items"]) == (3 if persona == "hanne" else 4) + more


@MORE
def test_the_record_page_takes_a_fixed_number_of_queries(
    world: World,
    kids: Kids,
    client_for: ClientFor,
    django_assert_num_queries: DjangoAssertNumQueries,
    more: int,
) -> None:
    grow(world, more)
    for n in range(more // 10):
        services.enrolment_start(
            child=kids.oscar,
            institution=world.lindholm_daycare if n == 0 else world.gl_lindholm_skole,
            valid_from=dt.date(2023 + n, 8, 1),
        )
    client = client_for("hanne")
    with django_assert_num_queries(DETAIL_QUERIES):
        response = client.get(f"/children/{kids.oscar.public_id}/")
    assert response.status_code == 200
