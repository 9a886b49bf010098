"""In headless Chromium: a pedagogue opens her group's profile, prints the PDF, records the
dialogue with a follow-up today, finds the follow-up on her front page and marks it as held;
a pedagogue of another daycare cannot open the profile (issue #5)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from borneliv.accounts import services as account_services
from borneliv.accounts.models import Role, User, today
from borneliv.motor.models import Dialogue, InstrumentVersion, Session
from borneliv.motor.tests.profile_fixtures import MELLEMGRUPPEN, other_group
from borneliv.testing import (
    MEMBERS_FROM,
    PASSWORD,
    World,
    build_world,
    make_user,
    reload_reference_data,
)
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db: Any) -> World:
    reload_reference_data()  # flushed by earlier transactional tests
    return build_world()


@pytest.fixture
def petra(world: World) -> User:
    user = make_user("petra", "Petra", "Poulsen")
    account_services.membership_create(
        user=user, role=Role.PEDAGOGUE, institution=world.lindholm_daycare, valid_from=MEMBERS_FROM
    )
    return user


@pytest.fixture
def session(world: World, petra: User) -> Session:
    """Mellemgruppen observed a month ago by hanne, every answer recorded."""
    return other_group(
        by=world.hanne,
        institution=world.lindholm_daycare,
        area=world.lindholm,
        version=InstrumentVersion.objects.get(instrument__code="motor-4", number=1),
        held_on=today() - dt.timedelta(days=30),
        answers=MELLEMGRUPPEN,
        group="Mellemgruppen",
    )


def log_in(page: Any, username: str) -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url("**/")


def test_a_pedagogue_uses_the_profile_for_the_dialogue_and_follows_up(
    page_factory: Any, world: World, petra: User, session: Session
) -> None:
    page = page_factory()
    log_in(page, "petra")
    profile_url = f"/motor/sessions/{session.public_id}/profile/"
    page.goto(profile_url)
    main = page.inner_text("main")
    assert "Mellemgruppen" in main and "Børnehaven Lindholm Å" in main
    assert page.locator(".dist").count() >= 14
    assert "Alma" not in main  # the profile never names a child
    screenshot(page, "motor-profile-da")

    # Print (PDF): the link answers with a PDF.
    with page.expect_response(lambda r: "format=pdf" in r.url) as pdf:
        page.locator("a[data-format=pdf]").click()
    response = pdf.value
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    png = page.request.get(f"{profile_url}?format=png")
    assert png.status == 200 and png.body()[:8] == b"\x89PNG\r\n\x1a\n"

    # Record the dialogue, following up today.
    page.goto(profile_url)
    page.locator(f"a[href='/motor/sessions/{session.public_id}/dialogue/new/']").first.click()
    page.wait_for_url("**/dialogue/new/")
    assert "balance" in page.input_value("#id_strengths").lower()
    page.check(f"input[name=participants][value='{world.hanne.pk}']")
    page.fill("#id_focus", "Kaste og gribe: boldlege hver formiddag.")
    page.fill("#id_follow_up_on", today().isoformat())
    screenshot(page, "motor-dialogue-form-da")
    page.locator("main form.form button[type=submit]").click()
    page.wait_for_url(f"**{profile_url}#dialogues")
    assert "Kaste og gribe: boldlege hver formiddag." in page.inner_text("#dialogues")
    dialogue = Dialogue.objects.get(session=session)
    assert dialogue.follow_up_on == today() and dialogue.follow_up_done_on is None
    assert set(dialogue.participants.all()) >= {world.hanne, petra}

    # The follow-up waits on her front page; she marks it as held.
    page.goto("/")
    panel = page.locator(".followups")
    assert panel.count() == 1
    assert "Kaste og gribe" in panel.inner_text()
    screenshot(page, "motor-followups-landing-da")
    panel.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".followups").count() == 0
    dialogue.refresh_from_db()
    assert dialogue.follow_up_done_on == today()
    assert page.console_errors == []

    # A pedagogue of another daycare finds nothing.
    other = page_factory()
    log_in(other, "pia")
    assert other.goto(profile_url).status == 404
    assert other.request.get(f"{profile_url}?format=pdf").status == 404


OVERFLOW_FREE = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.mark.parametrize(("width", "height"), [(1366, 900), (390, 844)], ids=["laptop", "phone"])
def test_a_health_visitor_reaches_the_profile_and_the_dialogue_from_the_list(
    page_factory: Any, world: World, session: Session, width: int, height: int
) -> None:
    page = page_factory(width=width, height=height)
    log_in(page, "hanne")
    page.goto("/motor/")
    assert page.evaluate(OVERFLOW_FREE), "the session list overflows"
    links = page.locator(f"a[href='/motor/sessions/{session.public_id}/profile/']")
    assert links.first.is_visible()
    screenshot(page, f"motor-list-links-{width}")

    # The group profile, from the list.
    links.first.click()
    page.wait_for_url(f"**/motor/sessions/{session.public_id}/profile/")
    main = page.inner_text("main")
    assert "Hvad gruppen er god til" in main or "Gruppeprofil" in main
    assert "Lokalområde" not in main
    assert "% mestring" in main  # the sentences carry their figures
    assert page.evaluate(OVERFLOW_FREE), "the profile overflows"

    # The dialogue, from the list: none is recorded, so the link opens the form.
    page.goto("/motor/")
    page.locator(f"a[href='/motor/sessions/{session.public_id}/dialogue/new/']").first.click()
    page.wait_for_url("**/dialogue/new/")
    assert "Balance" in page.input_value("#id_strengths")
    assert page.evaluate(OVERFLOW_FREE), "the dialogue form overflows"

    # The session page links to both as well.
    page.goto(f"/motor/sessions/{session.public_id}/")
    actions = page.locator(".motor-session-actions")
    assert actions.locator("a", has_text="Gruppeprofil").count() == 1
    assert actions.locator("a", has_text="Registrér dialogen").count() == 1
    assert page.evaluate(OVERFLOW_FREE), "the session page overflows"
    assert page.console_errors == []


def test_a_project_leader_sees_only_the_suppressed_aggregates(
    page_factory: Any, world: World, session: Session
) -> None:
    page = page_factory()
    log_in(page, "lars")
    nav = page.inner_text("nav")
    assert "Udvikling i motorik" in nav  # Danish by default
    page.goto("/motor/")  # the observers' list sends her to the trends
    page.wait_for_url("**/motor/trends/")
    main = page.inner_text("main")
    assert "Lindholm" in main
    assert "Alma" not in main and "Mellemgruppen" not in main  # no child, no group
    assert page.locator("#trends-areas").count() == 1
    screenshot(page, "motor-trends-project-leader-da")
    for url in (
        f"/motor/sessions/{session.public_id}/",
        f"/motor/sessions/{session.public_id}/profile/",
        f"/motor/sessions/{session.public_id}/profile/?format=pdf",
    ):
        assert page.request.get(url).status == 404, url
    assert page.console_errors == []
