"""The Nærhedscirkel in the demo: the Østerbro daycare with its curated circle."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import transaction
from django.test import Client
from pytest_django import DjangoDbBlocker

from borneliv.accounts.models import User
from borneliv.demo.nearby import NAME, NearbyDemoResult, demo_nearby_load
from borneliv.demo.services import demo_load
from borneliv.nearby.models import Circle
from borneliv.testing import PASSWORD


@pytest.fixture(scope="module")
def _demo(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[NearbyDemoResult]:
    # The programme only (no children): the circle is loaded on its own here, as
    # ``demo_children_load`` does after the children.
    with django_db_blocker.unblock(), transaction.atomic():
        demo_load(password=PASSWORD)
        yield demo_nearby_load()
        transaction.set_rollback(True)


@pytest.fixture
def demo(_demo: NearbyDemoResult, db: None) -> NearbyDemoResult:
    return _demo


def test_the_demo_daycare_has_a_curated_circle_cut_by_the_data_edge(
    demo: NearbyDemoResult,
) -> None:
    result = demo
    assert result.loaded and result.cut_by_edge
    circle = Circle.objects.select_related("institution__municipality").get(institution__name=NAME)
    institution = circle.institution
    assert institution.is_synthetic and "demo-placering" in institution.name
    assert institution.municipality.code == "0250"
    included = list(circle.places.filter(included=True))
    assert 8 <= len(included) <= 12 and len(included) == result.included
    described = [p for p in included if p.description]
    assert 4 <= len(described) <= 6 and len(described) == result.described
    assert sum(p.is_own for p in included) == 1
    assert result.seconds < 10


def test_the_demo_pedagogue_curates_the_circle_and_parents_see_it(demo: NearbyDemoResult) -> None:
    circle = Circle.objects.get(institution__name=NAME)
    pedagogue = User.objects.get(username="paedagog")
    assert pedagogue.has_perm("nearby.change_circle", circle.institution)
    client = Client()
    client.force_login(pedagogue)
    assert client.get(f"/nearby/institutions/{circle.institution_id}/").status_code == 200
    public = Client().get(f"/nearby/p/{circle.public_token}/").content.decode()
    assert "Madpakkebordene" in public and "Vores bænk ved stien" in public


def test_loading_it_again_changes_nothing(demo: NearbyDemoResult) -> None:
    assert not demo_nearby_load().loaded
    assert Circle.objects.filter(institution__name=NAME).count() == 1
