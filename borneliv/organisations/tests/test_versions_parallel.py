"""Lost updates in the registry under parallel requests (PostgreSQL, committed data).

Apart from ``test_versions.py``: this package shares one uncommitted world per module, which
threads on their own connections would not see.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from borneliv.organisations.models import Institution
from borneliv.testing import build_world, reload_reference_data
from borneliv.testing_versions import postgresql_only, together


def edit_url(institution: Institution) -> str:
    return f"/institutions/{institution.pk}/edit/"


def loaded_form(client: Client, institution: Institution) -> dict[str, Any]:
    form = client.get(edit_url(institution)).context["form"]
    return {name: form[name].value() for name in form.fields if form[name].value() is not None}


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_eight_parallel_saves_from_one_version_let_exactly_one_through() -> None:
    reload_reference_data()  # flushed by earlier transactional tests
    world = build_world()
    school = world.gl_lindholm_skole
    lars = Client()
    lars.force_login(world.lars)
    form = loaded_form(lars, school)

    def save(n: int) -> Callable[[], int]:
        def call() -> int:
            client = Client()
            client.force_login(world.lars)
            return client.post(edit_url(school), {**form, "city": f"By {n}"}).status_code

        return call

    statuses = together([save(n) for n in range(8)])
    assert sorted(statuses) == [200] * 7 + [302]
    school.refresh_from_db()
    assert school.lock_version == 2 and school.city.startswith("By ")
