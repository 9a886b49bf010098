"""Two saves of the same contact at the same moment, in two database sessions: one wins."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from borneliv.healthvisits import services
from borneliv.healthvisits.models import Contact
from borneliv.healthvisits.tests.conftest import MakeChild
from borneliv.testing import World, build_world, reload_reference_data

pytestmark = pytest.mark.django_db(transaction=True)

Record = Callable[..., Contact]


@pytest.fixture
def world(transactional_db: Any) -> World:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises every write transaction; PostgreSQL is the real test.")
    reload_reference_data()  # flushed by earlier transactional tests
    return build_world()


def test_simultaneous_saves_on_postgresql_let_exactly_one_through(
    world: World, make_child: MakeChild, record: Record
) -> None:
    child = make_child(age_days=130)
    contact = record(child, "enhanced_visit_4_6m")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def save(note: str) -> None:
        try:
            barrier.wait(timeout=10)
            services.contact_update(
                contact=contact,
                version=1,
                by=world.hanne,
                contact_date=contact.contact_date,
                mode="home_visit",
                outcome="completed",
                stage=contact.stage,
                note=note,
            )
            outcomes.append("saved")
        except ValidationError as exc:
            outcomes.append(str(exc.code))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(n,)) for n in ("one", "two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["saved", "stale_version"]
    contact.refresh_from_db()
    assert contact.lock_version == 2 and contact.note in ("one", "two")
