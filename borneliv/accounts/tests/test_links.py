"""No button leads to 403, for the named personas in the small world (see also the demo's crawl,
``demo/tests/test_links_by_role.py``, on a registry with children, contacts and sessions)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from borneliv.accounts import services
from borneliv.accounts.models import Role, User
from borneliv.testing import MEMBERS_FROM, PERSONAS, World, make_user
from borneliv.testing_links import crawl


def client(user: User) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "da"
    return client


@pytest.fixture
def root(world: World) -> User:
    """A superuser who is also an administrator (the demo's "admin")."""
    user = make_user("root", "Rod", "Root", is_staff=True)
    services.user_set_staff(user=user, is_staff=True, is_superuser=True)
    services.membership_create(user=user, role=Role.ADMIN, valid_from=MEMBERS_FROM)
    return user


@pytest.mark.parametrize("persona", [*PERSONAS, "root"])
def test_nothing_a_persona_is_shown_answers_403(world: World, root: User, persona: str) -> None:
    user = root if persona == "root" else world.persona(persona)
    result = crawl(client(user), depth=8, press_buttons=True)
    assert [(v.url, v.found_on) for v in result.with_status(403)] == []
    assert [(v.url, v.status) for v in result.visits if v.status >= 500] == []
    assert [(v.url, v.status) for v in result.posts if v.status == 403 or v.status >= 500] == []
    if persona in ("lars", "ada"):
        assert "/users/" in result.urls


def test_the_crawler_would_see_a_403(world: World) -> None:
    """The crawler records a 403 it meets (so the tests above would fail on one)."""
    result = crawl(client(world.pia), start="/programme/", depth=0)
    assert [(v.url, v.status) for v in result.visits] == [("/programme/", 403)]
