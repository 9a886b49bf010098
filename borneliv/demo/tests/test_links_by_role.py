"""No button leads to 403: every demo user, every link and GET form two steps from her front page.

The demo (programme, children, contacts, measurements, motor sessions, a Nærhedscirkel) is
loaded once for the module, so the pages have something to link to. Each demo login — one per
role, the superuser administrator included — plus an administrator who is not a superuser and a
user without a role, crawls (``borneliv.testing_links``) from the landing page through the
navigation and on, up to eight links deep (at most three URLs per route), and no answer may be
403 (or a server error). Links and GET forms are followed; the button of each kind of POST form
met on the way is pressed once, inside a transaction that is rolled back.

What the first crawl found and what was fixed: the superuser was offered "Record contact" on a
child's health-visiting page without having a unit (403); a project leader saw the Django admin's
"History" button on the institutions and areas she edits, which only administrators may open
(403); the admin's history page of models without history (access log, map extracts, topics) and
the change page of an institution's area membership answered 500; the Django admin offered a
superuser add forms no service backs (an API token, a map extract: 500 on saving), because
Django's has_perm says yes to a superuser for everything — the scoped admin now asks ``rules``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from pytest_django import DjangoDbBlocker

from borneliv.accounts import services as account_services
from borneliv.accounts.models import Role, User
from borneliv.demo import data
from borneliv.demo.services import DemoResult, demo_load
from borneliv.testing import loaded_once
from borneliv.testing_links import crawl

PASSWORD = "gynge-kastanje-fjord-2024"
EXTRA = ("ada", "otto")  # an administrator who is no superuser; a user without a role


@pytest.fixture(scope="module")
def _demo_for_module(
    django_db_setup: None, django_db_blocker: DjangoDbBlocker
) -> Iterator[DemoResult]:
    # The demo is loaded once per test process (``borneliv.testing.loaded_once``); the two
    # extra users are added in a transaction rolled back after the module.
    with (
        django_db_blocker.unblock(),
        loaded_once("demo", _load_demo) as result,
        transaction.atomic(),
    ):
        ada = account_services.user_create(username="ada", password=PASSWORD)
        account_services.membership_create(
            user=ada, role=Role.ADMIN, valid_from=data.PROGRAMME_START
        )
        account_services.user_create(username="otto", password=PASSWORD)
        yield result
        transaction.set_rollback(True)


def _load_demo() -> DemoResult:
    return demo_load(password=PASSWORD, with_children=True)


@pytest.fixture
def demo(_demo_for_module: DemoResult, db: None) -> DemoResult:
    return _demo_for_module


def client_for(username: str) -> Client:
    # A server error is recorded as a 500 with the page that linked to it, not raised.
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(username=username))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "da"
    return client


@pytest.mark.parametrize("username", [*(spec.username for spec in data.USERS), *EXTRA])
def test_no_link_or_form_a_user_is_shown_answers_403(demo: DemoResult, username: str) -> None:
    result = crawl(client_for(username), depth=8, press_buttons=True)
    assert len(result.visits) > 3 or username == "otto"
    forbidden = [(v.url, v.found_on) for v in result.with_status(403)]
    broken = [(v.url, v.status, v.found_on) for v in result.visits if v.status >= 500]
    assert forbidden == []
    assert broken == []
    # The buttons of POST forms, pressed as they stand and rolled back: 400 (the form wants
    # more) is fine, 403 (a button she should not see) or a server error is not.
    assert [(v.url, v.status) for v in result.posts if v.status == 403 or v.status >= 500] == []
