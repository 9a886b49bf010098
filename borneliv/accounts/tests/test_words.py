"""No English on a Danish page, and every form's errors summed up where the user is looking.

Each persona crawls (``borneliv.testing_links``) every page she can reach from her front page in
Danish. On each page, no text may be an English message of the project's catalogue whose Danish
differs (``borneliv.testing_words.english_left_in``), and each POST form met is sent once with
its fields left empty (rolled back): a page that answers with form errors must start with the
error summary, linking to each field marked invalid (``error_summary_problems``). The demo, with
children, contacts and sessions behind more forms, is crawled the same way in
``tests/test_words_demo.py``.
"""

from __future__ import annotations

import re
import runpy
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from borneliv.accounts import services
from borneliv.accounts.models import Role, User
from borneliv.testing import MEMBERS_FROM, PERSONAS, World, make_user
from borneliv.testing_links import crawl
from borneliv.testing_words import (
    EnglishFinder,
    WordsCheck,
    english_finder,
    english_left_in,
    error_summary_problems,
    read_catalogue,
)

ROOT = Path(settings.BASE_DIR).parent
DANISH_PO = Path(settings.LOCALE_PATHS[0]) / "da" / "LC_MESSAGES" / "django.po"

ClientFor = Callable[[str], Client]


@pytest.fixture(scope="module")
def finder() -> EnglishFinder:
    return english_finder(read_catalogue(DANISH_PO))


def danish_client(user: User) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "da"
    return client


@pytest.fixture
def root(world: World) -> User:
    """A superuser who is also an administrator: she reaches the admin's lockout pages too."""
    user = make_user("root", "Rod", "Root", is_staff=True)
    services.user_set_staff(user=user, is_staff=True, is_superuser=True)
    services.membership_create(user=user, role=Role.ADMIN, valid_from=MEMBERS_FROM)
    return user


@pytest.mark.parametrize("persona", [*PERSONAS, "root"])
def test_a_persona_meets_no_english_and_every_form_sums_up_its_errors(
    world: World, root: User, finder: EnglishFinder, persona: str
) -> None:
    user = root if persona == "root" else world.persona(persona)
    client = danish_client(user)
    check = WordsCheck(client, finder)
    result = crawl(client, depth=8, on_page=check)
    assert result.with_status(500) == []
    assert check.english == {}
    assert check.summaries == {}
    if persona in ("lars", "ada", "root"):
        # The account forms were sent empty and answered with a summary (checked above).
        assert {"accounts:user_new", "accounts:tokens"} <= check.forms_with_errors
    if persona == "root":
        assert "/admin/axes/accessattempt/" in result.urls  # the lockout pages were read


def test_the_finder_sees_english_but_not_danish_or_shared_words(finder: EnglishFinder) -> None:
    page = (
        '<main><h1>Børn</h1><p>Children</p><p title="Log out">Status</p>'
        '<p>By</p><button lang="en">English</button><p>Velkommen, Pia</p>'
        "<p>Welcome, Pia</p><code>Children</code></main>"
    )
    assert english_left_in(page, finder) == ["Children", "Log out", "Welcome, Pia"]


def test_the_summary_check_wants_a_link_to_every_invalid_field() -> None:
    good = (
        '<main><div class="container"><div class="form-errors" role="alert" tabindex="-1" '
        'data-error-summary><h2>Der er et problem</h2><ul><li><a href="#id_name">Navn: Skal '
        'udfyldes</a></li><li><a href="#id_family">Familie</a></li></ul></div><h1>Ny</h1>'
        '<form><input id="id_name" aria-invalid="true"><div id="id_family">'
        '<input type="radio" id="id_family_0" aria-invalid="true"></div></form></div></main>'
    )
    assert error_summary_problems(good) == []
    late = good.replace("<h1>Ny</h1>", "").replace("<main>", "<main><h1>Ny</h1>")
    assert error_summary_problems(late) == ["the summary is not the first thing in <main>"]
    unlinked = good.replace('<li><a href="#id_name">Navn: Skal udfyldes</a></li>', "")
    assert error_summary_problems(unlinked) == ["no link to ['id_name']"]
    assert error_summary_problems("<main><p>Fejl</p></main>") == ["no error summary"]


def test_nothing_in_the_danish_catalogue_is_left_untranslated(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``scripts/po_fill.py da --missing`` lists nothing (the tool translators use)."""
    po_fill = runpy.run_path(str(ROOT / "scripts" / "po_fill.py"))
    assert po_fill["main"](["da", "--missing"]) == 0
    assert capsys.readouterr().out == ""


@pytest.mark.django_db
def test_the_lockout_admin_pages_are_danish(world: World, root: User) -> None:
    html = danish_client(root).get("/admin/axes/accessattempt/").content.decode()
    assert "Spærrede logins" in html and "Loginforsøg" in html
    assert "Access attempts" not in html and "Attempt Time" not in html and "Axes" not in html
    index = danish_client(root).get("/admin/").content.decode()
    assert "Spærrede logins" in index and "Mislykkede logins" in index


@pytest.mark.django_db
def test_a_records_history_page_is_danish(world: World, root: User) -> None:
    area = world.lindholm
    record = area.history.get()
    url = f"/admin/organisations/area/{area.pk}/history/{record.history_id}/"
    html = danish_client(root).get(url).content.decode()
    assert '<a href="/admin/organisations/">Organisationer</a>' in html
    assert '<a href="/admin/organisations/area/">Lokalområder</a>' in html
    assert "Organisations<" not in html and "Historical" not in html


@pytest.mark.django_db
def test_a_failed_login_is_summed_up_first_and_nothing_is_said_about_saving(world: World) -> None:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "da"
    response = client.post("/login/", {"username": "hanne", "password": "forkert"})
    html = response.content.decode()
    assert error_summary_problems(html) == []
    assert "Der er et problem" in html
    assert "Intet blev gemt" not in html


@pytest.mark.django_db
def test_a_form_with_errors_marks_its_fields_and_links_each_from_the_summary(
    world: World, client_for: ClientFor
) -> None:
    client = client_for("lars")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "da"
    response = client.post("/users/new/", {"username": "", "first_name": "Ny"})
    assert response.status_code == 400
    html = response.content.decode()
    assert error_summary_problems(html) == []
    assert '<li><a href="#id_username">Brugernavn: Dette felt er påkrævet.</a></li>' in html
    assert 'aria-invalid="true" aria-describedby="id_username_helptext id_username_error"' in html
    assert '<ul class="errorlist" id="id_username_error">' in html
    # Where a role is held is not "(optional)": only administrators and researchers hold none.
    assert re.search(r'<label for="id_organisation">Hvor</label>', html)
