"""Children in the persona world, registered through the services with synthetic CPR numbers.

``kids`` registers, on top of ``borneliv.testing.build_world``:

=========  =========================  ==========  ====================================
name       area (municipality)        born        family
=========  =========================  ==========  ====================================
emma       Lindholm (Aalborg)         2024-03-15  Holm (mother Mette), vulnerable
oscar      Lindholm (Aalborg)         2022-11-02  Holm (Emma's brother)
noah       Vejgaard (Aalborg)         2025-01-20  —
freja      Herstedlund (Albertslund)  2024-06-30  Berg
=========  =========================  ==========  ====================================
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from borneliv.accounts.models import User
from borneliv.children import services
from borneliv.children.models import Child
from borneliv.children.testing import synthetic_cpr
from borneliv.organisations.models import Area
from borneliv.testing import World

ClientFor = Callable[[str | User], Client]


@pytest.fixture
def world(module_world: World) -> World:
    return module_world


@pytest.fixture(autouse=True)
def _in_english() -> Iterator[None]:
    """Messages in the source language, whatever the Danish catalogue says."""
    with translation.override("en"):
        yield


@pytest.fixture
def client_for(world: World) -> ClientFor:
    """Like the root ``client_for``, with the English UI chosen."""

    def make(persona: str | User) -> Client:
        user = world.persona(persona) if isinstance(persona, str) else persona
        client = Client()
        client.force_login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make


@dataclass
class Kids:
    emma: Child
    oscar: Child
    noah: Child
    freja: Child
    cpr: dict[str, str]  # by name: the synthetic number each was registered with

    def all(self) -> list[Child]:
        return [self.emma, self.oscar, self.noah, self.freja]


def register(
    area: Area,
    first_name: str,
    born: dt.date,
    serial: int = 0,
    *,
    last_name: str = "Testesen",
    **kwargs: object,
) -> tuple[Child, str]:
    cpr = synthetic_cpr(born, serial)
    child = services.child_register(
        cpr=cpr,
        first_name=first_name,
        last_name=last_name,
        area=area,
        **kwargs,  # type: ignore[arg-type]
    )
    return child, cpr


@pytest.fixture
def kids(world: World) -> Kids:
    holm = services.family_create(
        name="Holm", guardians=[{"name": "Mette Holm", "relation": "mother"}]
    )
    services.vulnerability_set(
        family=holm, reason="young_parents", valid_from=dt.date(2024, 3, 15), by=world.hanne
    )
    berg = services.family_create(name="Berg")
    emma, emma_cpr = register(
        world.lindholm, "Emma", dt.date(2024, 3, 15), 2, last_name="Holm", family=holm
    )
    oscar, oscar_cpr = register(
        world.lindholm, "Oscar", dt.date(2022, 11, 2), 1, last_name="Holm", family=holm
    )
    noah, noah_cpr = register(world.vejgaard, "Noah", dt.date(2025, 1, 20), 3, last_name="Nielsen")
    freja, freja_cpr = register(
        world.herstedlund, "Freja", dt.date(2024, 6, 30), 4, last_name="Berg", family=berg
    )
    return Kids(
        emma=emma,
        oscar=oscar,
        noah=noah,
        freja=freja,
        cpr={"emma": emma_cpr, "oscar": oscar_cpr, "noah": noah_cpr, "freja": freja_cpr},
    )
