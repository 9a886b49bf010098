"""The system actor holds every permission; a user only those her memberships give."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

from borneliv.accounts.actors import SYSTEM, acting_user, may, request_user, require
from borneliv.testing import World

pytestmark = pytest.mark.django_db


def test_the_system_actor_may_do_everything() -> None:
    assert may(SYSTEM, "accounts.change_user")
    require(SYSTEM, "nearby.import_extract")


def test_it_refuses_a_user_without_the_permission(world: World) -> None:
    assert not may(world.otto, "accounts.change_user")
    with pytest.raises(PermissionDenied):
        require(world.otto, "accounts.change_user")


def test_it_allows_a_user_with_the_permission(world: World) -> None:
    require(world.ada, "accounts.change_user")


def test_the_system_actor_records_no_user(world: World) -> None:
    assert acting_user(SYSTEM) is None
    assert acting_user(world.pia) == world.pia


def test_an_anonymous_request_has_no_user() -> None:
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with pytest.raises(PermissionDenied):
        request_user(request)
