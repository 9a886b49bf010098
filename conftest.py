"""Fixtures for every app's tests: fast hashing, the persona world, logged-in clients."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator

import pytest
from django.db import transaction
from django.test import Client, override_settings
from pytest_django import DjangoDbBlocker

from borneliv.accounts.models import User
from borneliv.testing import World, build_world


@pytest.fixture(autouse=True, scope="session")
def _test_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Hash passwords fast; talk plain HTTP to the test client; keep stored map data out of var/.

    Session-wide, so that worlds built once per module hash with the same hasher. HTTPS behaviour
    (secure cookies, redirects) is tested explicitly with its own overrides.
    """
    with override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        SECURE_SSL_REDIRECT=False,
        NEARBY_DIR=tmp_path_factory.mktemp("nearby"),
    ):
        yield


@pytest.fixture
def world(db: None) -> World:
    """The registry and personas of ``borneliv.testing.build_world``, built for this test."""
    return build_world()


@pytest.fixture(scope="module")
def _world_for_module(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[World]:
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture
def module_world(_world_for_module: World, db: None) -> World:
    """The same world, built once per test module (like ``TestCase.setUpTestData``).

    Each test runs in a savepoint inside the module's transaction and gets its own copy of the
    Python objects, so tests stay independent. Only for ``db`` tests: a ``transactional_db`` test
    (or a live server) would not see the uncommitted world. A module opts in with::

        @pytest.fixture
        def world(module_world: World) -> World:
            return module_world
    """
    return copy.deepcopy(_world_for_module)


@pytest.fixture
def client_for(world: World) -> Callable[[str | User], Client]:
    """``client_for("hanne")`` (or a User): a test client logged in as that persona."""

    def make(persona: str | User) -> Client:
        user = world.persona(persona) if isinstance(persona, str) else persona
        client = Client()
        client.force_login(user)
        return client

    return make
