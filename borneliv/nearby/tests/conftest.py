"""Fixtures of the Nærhedscirkel's tests: the persona world with two daycares on Østerbro.

The shipped extract (``data/dk_copenhagen_osterbro_2017.osm.pbf``) covers a square kilometre of
Østerbro. Once per module, on top of ``borneliv.testing.build_world``:

- Børnehuset Troldhøj (pia's daycare, Frederikssund) and Børnehaven Lindholm Å (Aalborg, read by
  the project leader lars) are moved to two spots north of Fælledparken;
- the extract is imported for Frederikssund and for Aalborg (``services.extract_import``), and
  both circles are computed (``services.circle_compute``).

Stored data go to a temporary ``NEARBY_DIR`` for the module. Each test runs in a savepoint and
reads the objects afresh (``osterbro``).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from django.test import Client, override_settings
from django.utils import translation
from pytest_django import DjangoDbBlocker

from borneliv.accounts.actors import SYSTEM
from borneliv.accounts.models import User
from borneliv.nearby import services
from borneliv.nearby.models import Circle, Extract
from borneliv.organisations import services as org_services
from borneliv.organisations.models import Institution
from borneliv.testing import World, build_world

DATA = Path(__file__).resolve().parents[1] / "data"
OSTERBRO = DATA / "dk_copenhagen_osterbro_2017.osm.pbf"
NORTH_ZEALAND = DATA / "dk_north_zealand_testmap_2024.osm"
#: Langøgade, north of Fælledparken (pia's daycare) and Ved Klosteret (the Lindholm daycare).
TROLDHOJ_SPOT = (55.7078, 12.5690)
LINDHOLM_SPOT = (55.7072, 12.5655)

ClientFor = Callable[[str | User], Client]


@dataclass
class Osterbro:
    """The module's objects, read afresh for a test."""

    world: World
    troldhoj: Institution
    lindholm: Institution
    troldhoj_circle: Circle
    lindholm_circle: Circle
    frederikssund_extract: Extract
    aalborg_extract: Extract


@pytest.fixture(scope="module")
def _nearby_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("nearby")
    with override_settings(NEARBY_DIR=path):
        yield path


def place_on_osterbro(world: World) -> None:
    org_services.institution_update(
        institution=world.troldhoj, latitude=TROLDHOJ_SPOT[0], longitude=TROLDHOJ_SPOT[1]
    )
    org_services.institution_update(
        institution=world.lindholm_daycare,
        latitude=LINDHOLM_SPOT[0],
        longitude=LINDHOLM_SPOT[1],
    )


@pytest.fixture(scope="module")
def _osterbro_for_module(
    _nearby_dir: Path, django_db_setup: None, django_db_blocker: DjangoDbBlocker
) -> Iterator[tuple[World, dict[str, int]]]:
    with django_db_blocker.unblock(), transaction.atomic():
        world = build_world()
        place_on_osterbro(world)
        ids = {
            "frederikssund_extract": services.extract_import(
                by=world.ada, municipality=world.frederikssund, path=OSTERBRO
            ).extract.pk,
            "aalborg_extract": services.extract_import(
                by=world.ada, municipality=world.aalborg, path=OSTERBRO
            ).extract.pk,
        }
        services.circle_compute(institution=world.troldhoj, by=world.pia)
        services.circle_compute(institution=world.lindholm_daycare, by=SYSTEM)
        yield world, ids
        transaction.set_rollback(True)


@pytest.fixture
def osterbro(_osterbro_for_module: tuple[World, dict[str, int]], db: None) -> Osterbro:
    world, ids = _osterbro_for_module
    world = copy.deepcopy(world)
    troldhoj = Institution.objects.get(pk=world.troldhoj.pk)
    lindholm = Institution.objects.get(pk=world.lindholm_daycare.pk)
    return Osterbro(
        world=world,
        troldhoj=troldhoj,
        lindholm=lindholm,
        troldhoj_circle=Circle.objects.select_related("institution").get(institution=troldhoj),
        lindholm_circle=Circle.objects.select_related("institution").get(institution=lindholm),
        frederikssund_extract=Extract.objects.get(pk=ids["frederikssund_extract"]),
        aalborg_extract=Extract.objects.get(pk=ids["aalborg_extract"]),
    )


@pytest.fixture
def world(osterbro: Osterbro) -> World:
    return osterbro.world


@pytest.fixture(autouse=True)
def _in_english() -> Iterator[None]:
    """Messages in the source language, whatever the Danish catalogue says."""
    with translation.override("en"):
        yield


@pytest.fixture
def client_for(world: World) -> ClientFor:
    def make(persona: str | User) -> Client:
        user = world.persona(persona) if isinstance(persona, str) else persona
        client = Client()
        client.force_login(user)
        client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make


def fresh(obj: Any) -> Any:
    """The object as the database holds it now."""
    return type(obj).objects.get(pk=obj.pk)


def modified_extract(
    target: Path,
    *,
    renumber: dict[int, int] | None = None,
    rename: dict[int, str] | None = None,
    remove: set[int] | None = None,
    add_nodes: list[tuple[int, float, float, dict[str, str]]] | None = None,
) -> Path:
    """A copy of the Østerbro extract as "newer map data": ways given new ids, renamed or
    removed, and tagged nodes added (id, lat, lon, tags). Written as .osm.pbf."""
    import osmium

    new_ids, new_names, removed = renumber or {}, rename or {}, remove or set()
    writer = osmium.SimpleWriter(str(target))

    class Copy(osmium.SimpleHandler):
        def node(self, node: Any) -> None:
            writer.add_node(node)

        def way(self, way: Any) -> None:
            if way.id in removed:
                return
            if way.id in new_names:
                tags = {t.k: t.v for t in way.tags}
                tags["name"] = new_names[way.id]
                way = way.replace(tags=tags)
            if way.id in new_ids:
                way = way.replace(id=new_ids[way.id])
            writer.add_way(way)

        def relation(self, relation: Any) -> None:
            writer.add_relation(relation)

    try:
        Copy().apply_file(str(OSTERBRO))
        for node_id, lat, lon, tags in add_nodes or []:
            writer.add_node(
                osmium.osm.mutable.Node(
                    id=node_id, location=osmium.osm.Location(lon, lat), tags=tags
                )
            )
    finally:
        writer.close()
    return target
