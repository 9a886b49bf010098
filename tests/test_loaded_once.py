"""``borneliv.testing.loaded_once``: data loaded once per test process, never seen by other tests."""

from __future__ import annotations

from django.db import connection
from pytest_django import DjangoDbBlocker

from borneliv.accounts.models import User
from borneliv.testing import loaded_once


def test_it_loads_once_restores_the_data_and_leaves_nothing_behind(
    transactional_db: None, django_db_blocker: DjangoDbBlocker
) -> None:
    # Outside a test's transaction, as in a module-scoped fixture.
    calls: list[str] = []

    def load() -> int:
        calls.append("load")
        return User.objects.create(username="loaded-once").pk

    with django_db_blocker.unblock():
        with loaded_once("test_loaded_once", load) as pk:
            assert User.objects.filter(pk=pk, username="loaded-once").exists()
        assert not User.objects.filter(username="loaded-once").exists()
        with loaded_once("test_loaded_once", load) as again:
            # SQLite copies the same image back in; PostgreSQL loads again and its sequences are
            # not transactional, so the row comes back under the next id.
            if connection.vendor == "sqlite":
                assert again == pk
            else:
                assert again > pk
            assert User.objects.filter(pk=again, username="loaded-once").exists()
        assert not User.objects.filter(username="loaded-once").exists()
    # SQLite copies the first load's image in; elsewhere each use loads in a rolled-back transaction.
    assert calls == (["load"] if connection.vendor == "sqlite" else ["load", "load"])
