"""The demo in Danish: no English on any page a demo login reaches, every form's errors summed up.

The demo (programme, children, contacts, measurements, motor sessions, a Nærhedscirkel) is loaded
once for the module, so the pages behind a child, a session or a circle have something to show.
Each demo login — one per role — crawls (``borneliv.testing_links``) from her front page up to
eight links deep in Danish (``borneliv.testing_words.WordsCheck``): no page may show an English
message of the project's catalogue whose Danish differs, and each kind of POST form met is sent
once with its fields left empty, rolled back — its answer must start with the error summary,
linking to each field marked invalid. The forms each role is known to meet are listed, so the
test fails if the crawl stops reaching them. The same checks on the small persona world are in
``borneliv/accounts/tests/test_words.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from pytest_django import DjangoDbBlocker

from borneliv.accounts.models import User
from borneliv.demo import data
from borneliv.demo.services import DemoResult, demo_load
from borneliv.testing import loaded_once
from borneliv.testing_links import crawl
from borneliv.testing_words import EnglishFinder, WordsCheck, english_finder, read_catalogue

PASSWORD = "gynge-kastanje-fjord-2024"
DANISH_PO = Path(settings.LOCALE_PATHS[0]) / "da" / "LC_MESSAGES" / "django.po"

#: Forms (URL names) each demo login meets and sends empty; each must answer with a summary.
FORMS_MET = {
    "admin": {
        "accounts:user_new",
        "accounts:tokens",
        "children:register",
        "nearby:import",
        "motor:instrument_import",
        "growth:import",
    },
    "projektleder": {
        "accounts:user_new",
        "accounts:membership_new",
        "organisations:institution_edit",
    },
    "sundhedsplejerske": {
        "children:register",
        "children:reveal_cpr",
        "children:guardian_add",
        "children:vulnerability_set",
        "children:enrol",
        "children:move",
        "healthvisits:contact_add",
        "healthvisits:skip",
        "growth:measurement_add",
        "motor:session_new",
        "motor:dialogue_new",
    },
    "paedagog": {
        "motor:session_new",
        "motor:session_save",
        "motor:dialogue_new",
        "nearby:place_add",
        "nearby:settings",
    },
}


@pytest.fixture(scope="module")
def _demo_for_module(
    django_db_setup: None, django_db_blocker: DjangoDbBlocker
) -> Iterator[DemoResult]:
    # Loaded once per test process and copied in (``borneliv.testing.loaded_once``).
    with django_db_blocker.unblock(), loaded_once("demo", _load_demo) as result:
        yield result


def _load_demo() -> DemoResult:
    return demo_load(password=PASSWORD, with_children=True)


@pytest.fixture
def demo(_demo_for_module: DemoResult, db: None) -> DemoResult:
    return _demo_for_module


@pytest.fixture(scope="module")
def finder() -> EnglishFinder:
    return english_finder(read_catalogue(DANISH_PO))


def danish_client(username: str) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(username=username))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "da"
    return client


@pytest.mark.parametrize("username", [spec.username for spec in data.USERS])
def test_a_demo_user_meets_no_english_and_every_form_sums_up_its_errors(
    demo: DemoResult, finder: EnglishFinder, username: str
) -> None:
    client = danish_client(username)
    check = WordsCheck(client, finder)
    result = crawl(client, depth=8, per_route=2, on_page=check)
    assert [(v.url, v.status) for v in result.visits if v.status >= 500] == []
    assert check.english == {}
    assert check.summaries == {}
    assert FORMS_MET.get(username, set()) <= check.forms_with_errors
