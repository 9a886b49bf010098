"""Writing through the API: a bearer token needs no CSRF token; a cookie session does.

On a real write endpoint, ``POST /api/v1/children/{public_id}/contacts``. The rules are in the
docstring of ``borneliv/api.py``.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.conf import settings
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory

from borneliv.accounts.services import api_token_create
from borneliv.children.models import Child
from borneliv.healthvisits.models import Contact
from borneliv.healthvisits.tests.conftest import MakeChild
from borneliv.testing import World

pytestmark = pytest.mark.django_db

BODY = {"contact_date": "2025-03-10", "mode": "phone", "outcome": "completed", "note": "API"}


@pytest.fixture
def alma(make_child: MakeChild, frozen: dt.date) -> Child:
    return make_child(age_days=130, first_name="Alma", last_name="Andersen")


def url(child: Child) -> str:
    return f"/api/v1/children/{child.public_id}/contacts"


def post(client: Client, child: Child, **headers: str) -> tuple[int, dict[str, object]]:
    response = client.post(
        url(child), json.dumps(BODY), content_type="application/json", headers=headers
    )
    return response.status_code, response.json()


def session_client(world: World) -> Client:
    """A browser-like client: logged in as Hanne, and CSRF checks enforced as in production."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.hanne)
    return client


def csrf_token(client: Client) -> str:
    """A CSRF token that matches the cookie the client now holds."""
    request = RequestFactory().get("/")
    token = get_token(request)
    client.cookies[settings.CSRF_COOKIE_NAME] = request.META["CSRF_COOKIE"]
    return token


def test_a_bearer_token_records_a_contact_without_a_csrf_token(alma: Child, world: World) -> None:
    _token, plain = api_token_create(user=world.hanne, name="Journal sync")
    client = Client(enforce_csrf_checks=True)
    status, body = post(client, alma, Authorization=f"Bearer {plain}")
    assert status == 201
    contact = Contact.objects.get()
    assert (str(contact.public_id), contact.recorded_by, contact.note) == (
        body["id"],
        world.hanne,
        "API",
    )


def test_a_token_acts_within_its_owners_scope_only(alma: Child, world: World) -> None:
    _token, plain = api_token_create(user=world.astrid, name="Albertslund")
    status, _body = post(Client(), alma, Authorization=f"Bearer {plain}")
    assert status == 404
    assert not Contact.objects.exists()


def test_a_cookie_session_without_a_csrf_token_is_refused(alma: Child, world: World) -> None:
    status, body = post(session_client(world), alma)
    assert (status, body) == (403, {"detail": "CSRF check failed"})
    assert not Contact.objects.exists()


def test_a_cookie_session_with_its_csrf_token_records(alma: Child, world: World) -> None:
    client = session_client(world)
    status, _body = post(client, alma, **{"X-CSRFToken": csrf_token(client)})
    assert status == 201
    assert Contact.objects.get().recorded_by == world.hanne


@pytest.mark.parametrize("header", ["Bearer bl_made-up", "Bearer ", "Bearer bl_"])
def test_a_made_up_bearer_header_does_not_stand_in_for_the_csrf_token(
    alma: Child, world: World, header: str
) -> None:
    status, _body = post(session_client(world), alma, Authorization=header)
    assert status == 401
    assert not Contact.objects.exists()


def test_a_made_up_bearer_header_is_refused_even_with_a_csrf_token(
    alma: Child, world: World
) -> None:
    # With the header, only the token counts: a bad token is not rescued by the cookie.
    client = session_client(world)
    token = csrf_token(client)
    status, _body = post(client, alma, Authorization="Bearer bl_x", **{"X-CSRFToken": token})
    assert status == 401
    assert not Contact.objects.exists()


def test_a_usable_token_beside_a_cookie_session_acts_as_the_tokens_owner(
    alma: Child, world: World
) -> None:
    # Hanne's browser session, and Astrid's token: the token decides, so the Aalborg child is
    # out of scope. The cookie neither widens the token's scope nor needs its CSRF token.
    _token, plain = api_token_create(user=world.astrid, name="Albertslund")
    status, _body = post(session_client(world), alma, Authorization=f"Bearer {plain}")
    assert status == 404
    _token, own = api_token_create(user=world.hanne, name="Own")
    status, _body = post(session_client(world), alma, Authorization=f"Bearer {own}")
    assert status == 201


def test_another_authorization_scheme_leaves_the_cookie_session_with_its_csrf_check(
    alma: Child, world: World
) -> None:
    status, _body = post(session_client(world), alma, Authorization="Basic aGFubmU6eA==")
    assert status == 403
    assert not Contact.objects.exists()


def test_a_caller_without_session_or_token_is_unauthorised(alma: Child) -> None:
    status, body = post(Client(enforce_csrf_checks=True), alma)
    assert (status, body) == (401, {"detail": "Unauthorized"})


def test_reading_with_a_cookie_session_needs_no_csrf_token(alma: Child, world: World) -> None:
    assert session_client(world).get(url(alma)).status_code == 200
