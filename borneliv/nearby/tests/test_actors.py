"""Every write of the Nærhedscirkel checks the permission itself; the system actor may do all."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from borneliv.accounts.actors import SYSTEM, Actor
from borneliv.nearby import services
from borneliv.nearby.models import Circle
from borneliv.nearby.tests.conftest import Osterbro

pytestmark = pytest.mark.django_db

WRITES: dict[str, Callable[[Osterbro, Actor], Any]] = {
    "circle_compute": lambda o, by: services.circle_compute(institution=o.troldhoj, by=by),
    "token_rotate": lambda o, by: services.token_rotate(by=by, circle=o.troldhoj_circle),
    "places_include": lambda o, by: services.places_include(
        by=by, circle=o.troldhoj_circle, included_ids=[]
    ),
}


@pytest.mark.parametrize("write", sorted(WRITES))
@pytest.mark.parametrize("persona", ["otto", "hanne"])
def test_it_refuses_a_user_without_the_permission(
    osterbro: Osterbro, write: str, persona: str
) -> None:
    with pytest.raises(PermissionDenied):
        WRITES[write](osterbro, osterbro.world.persona(persona))


@pytest.mark.parametrize("write", sorted(WRITES))
def test_it_lets_the_system_actor_write(osterbro: Osterbro, write: str) -> None:
    WRITES[write](osterbro, SYSTEM)


def test_it_records_who_computed_the_circle(osterbro: Osterbro) -> None:
    services.circle_compute(institution=osterbro.troldhoj, by=osterbro.world.pia)
    assert Circle.objects.get(institution=osterbro.troldhoj).computed_by == osterbro.world.pia
    services.circle_compute(institution=osterbro.troldhoj, by=SYSTEM)
    assert Circle.objects.get(institution=osterbro.troldhoj).computed_by is None
