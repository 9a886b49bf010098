"""The footer names the municipalities that run the programme, as the registry holds them."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from borneliv.organisations import services
from borneliv.organisations.context_processors import programme_municipality_names
from borneliv.organisations.models import Area
from borneliv.testing import PROGRAMME_START, World

pytestmark = pytest.mark.django_db


def footer(client: Client, url: str = "/login/") -> str:
    html = client.get(url).content.decode()
    match = re.search(r'<footer class="site-footer">(.*?)</footer>', html, re.S)
    assert match is not None
    return " ".join(match.group(1).split())


def client_in(language: str = "da") -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def test_the_footer_names_the_programme_municipalities_in_the_registry(world: World) -> None:
    text = footer(client_in())
    assert "sundhedsfremme for alle børn på 0–10 år i Aalborg, Albertslund og Frederikssund." in (
        text
    )
    english = footer(client_in("en"))
    assert "for all children aged 0–10 in Aalborg, Albertslund and Frederikssund." in english


def test_a_new_programme_municipality_is_named_and_a_comparison_only_one_is_not(
    world: World,
) -> None:
    odense = services.municipality_create(name="Odense", code="0461")
    services.area_create(
        municipality=odense, name="Vollsmose", kind=Area.Kind.PROGRAMME, start_date=PROGRAMME_START
    )
    ishoj = services.municipality_create(name="Ishøj", code="0183")
    services.area_create(
        municipality=ishoj, name="Vejleå", kind=Area.Kind.COMPARISON, start_date=PROGRAMME_START
    )
    text = footer(client_in())
    assert "i Aalborg, Albertslund, Frederikssund og Odense." in text
    assert "Ishøj" not in text


def test_without_programme_municipalities_the_footer_names_none(world: World) -> None:
    Area.objects.update(kind=Area.Kind.COMPARISON)
    assert "sundhedsfremme for alle børn på 0–10 år.</p>" in footer(client_in())


def test_the_names_are_read_once_per_request(world: World) -> None:
    request = RequestFactory().get("/")
    with CaptureQueriesContext(connection) as queries:
        first = programme_municipality_names(request)
        second = programme_municipality_names(request)
    assert first == second == ["Aalborg", "Albertslund", "Frederikssund"]
    assert len(queries) == 1
