"""In headless Chromium: a health visitor opens a motor session for a daycare group, taps the
grid (autosave), reloads and finds everything saved, marks a child absent; a pedagogue of the
daycare continues in the same grid; on a phone the grid fits the screen (issue #5)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest

from borneliv.accounts import services as account_services
from borneliv.accounts.models import Role, User, today
from borneliv.children.models import AccessLog, Child
from borneliv.children.services import child_register, enrolment_start
from borneliv.children.testing import synthetic_cpr
from borneliv.motor.models import Assessment, Score, Session
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

GROUP = "Mellemgruppen"
NAMES = ("Alma", "Bertram", "Clara", "Damir", "Ella", "Frode", "Gry", "Hugo", "Ida", "Johan")
# Screenshots to look at by eye, beside the ones conftest keeps in var/screenshots.
SHOTS = Path(os.environ.get("BORNELIV_MOTOR_SHOTS", "/tmp"))  # noqa: S108


@pytest.fixture
def world(transactional_db: Any) -> World:
    reload_reference_data()  # flushed by earlier transactional tests
    return build_world()


@pytest.fixture
def group(world: World) -> dict[str, Child]:
    """Ten four-year-olds in Mellemgruppen of the Lindholm daycare."""
    children = {}
    for n, name in enumerate(NAMES):
        born = today() - dt.timedelta(days=4 * 365 + 30 + 20 * n)
        child = child_register(
            cpr=synthetic_cpr(born, 500 + n),
            first_name=name,
            last_name="Lindholm",
            area=world.lindholm,
            is_synthetic=True,
        )
        enrolment_start(
            child=child,
            institution=world.lindholm_daycare,
            valid_from=today() - dt.timedelta(days=400),
            group=GROUP,
        )
        children[name] = child
    return children


@pytest.fixture
def petra(world: World) -> User:
    user = make_user("petra", "Petra", "Poulsen")
    account_services.membership_create(
        user=user, role=Role.PEDAGOGUE, institution=world.lindholm_daycare, valid_from=MEMBERS_FROM
    )
    return user


def log_in(page: Any, username: str, *, language: str = "da") -> None:
    page.goto("/login/")
    # The language switch's cookie: the UI is Danish unless English is chosen.
    origin = page.evaluate("location.origin")
    page.context.add_cookies([{"name": "django_language", "value": language, "url": origin}])
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url("**/")


def row(page: Any, name: str) -> Any:
    return page.locator(f'tr.motor-row[data-name="{name} L."]')


def tap(page: Any, name: str, item: str, tone: str) -> None:
    """Tap an answer (tone: none, part, full, na, clear) and wait until the cell is saved."""
    cell = row(page, name).locator(f'td.motor-cell[data-item="{item}"]')
    cell.locator(f"label.seg__option--{tone}").click()
    page.wait_for_function(
        "cell => cell.getAttribute('data-state') === 'saved'", arg=cell.element_handle()
    )


def checked(page: Any, child: Child, item: str) -> str | None:
    value: str | None = page.eval_on_selector(
        f'input[name="c-{child.public_id}-{item}"]:checked', "input => input.value"
    )
    return value


def saved(child: Child, item: str) -> str | None:
    found = Score.objects.filter(assessment__child=child, item__code=item).first()
    if found is None:
        return None
    return "not_assessed" if found.not_assessed else found.value


def test_a_health_visitor_and_a_pedagogue_record_a_session_in_the_grid(
    page_factory: Any, world: World, group: dict[str, Child], petra: User
) -> None:
    page = page_factory(locale="en-GB")
    log_in(page, "hanne", language="en")
    page.goto("/motor/sessions/new/")
    # The daycare is preselected (hanne serves one); the script offers its groups as a select.
    assert page.input_value("#id_institution") == str(world.lindholm_daycare.pk)
    page.select_option("#id_group_choice", GROUP)
    assert page.input_value("#id_group") == GROUP
    assert page.is_hidden("#id_group")
    assert page.input_value("#id_held_on") == today().isoformat()
    # Only observers of Lindholm are offered: hanne and petra.
    visible = page.locator("input[name=observers]:visible")
    assert visible.count() == 2
    page.check(f"input[name=observers][value='{petra.pk}']")
    screenshot(page, "motor-session-form-en")
    page.screenshot(path=str(SHOTS / "motor_session_form.png"), full_page=True)
    page.click("form[data-session-form] button[type=submit]")
    page.wait_for_url("**/motor/sessions/*/")
    session = Session.objects.get()
    assert set(session.observers.values_list("username", flat=True)) == {"hanne", "petra"}
    assert row(page, "Alma").count() == 1 and page.locator("tr.motor-row").count() == 10

    # One tap per cell, each saved at once.
    alma, bertram, clara = group["Alma"], group["Bertram"], group["Clara"]
    for item in ("run", "jump", "hop", "climb", "one_leg"):
        tap(page, "Alma", item, "full")
    tap(page, "Alma", "beam", "none")
    tap(page, "Alma", "joy", "full")
    tap(page, "Alma", "kick", "na")
    tap(page, "Bertram", "run", "part")
    assert page.get_attribute("[data-grid-status]", "data-state") == "saved"
    # The summary updates live: one "not yet" of six observed skills is one remark.
    summary = row(page, "Alma").locator("[data-level]:not([data-level-short])")
    assert summary.inner_text() == "Few signs of challenged motor skills"
    assert "level--few_signs" in (summary.get_attribute("class") or "")
    badge = row(page, "Alma").locator("[data-level-short]")
    assert badge.inner_text() == "Few signs"
    assert badge.get_attribute("title") == (
        "Few signs of challenged motor skills: 1 remark · 6 skills observed"
    )
    assert page.inner_text("[data-progress-scored]") == "2"
    # A tap on another answer changes it; "clear" empties the cell.
    tap(page, "Alma", "jump", "part")
    tap(page, "Alma", "jump", "clear")
    assert saved(alma, "jump") is None
    tap(page, "Alma", "jump", "full")
    assert (saved(alma, "run"), saved(alma, "beam"), saved(alma, "kick"), saved(alma, "joy")) == (
        "masters",
        "not_yet",
        "not_assessed",
        "often",
    )

    # Keyboard: arrows move within a cell's answers and save too.
    cell = row(page, "Clara").locator('td.motor-cell[data-item="run"]')
    cell.locator("input.seg__input").last.focus()  # "clear", checked in an empty cell
    page.keyboard.press("ArrowRight")  # wraps to the first answer: "not yet"
    page.wait_for_function(
        "cell => cell.getAttribute('data-state') === 'saved'", arg=cell.element_handle()
    )
    assert saved(clara, "run") == "not_yet"
    page.keyboard.press("Tab")  # on to the next cell, focus visible
    row(page, "Clara").screenshot(path=str(SHOTS / "motor_grid_focus.png"))

    # Resume: a reload shows everything saved.
    page.reload()
    assert checked(page, alma, "run") == "masters"
    assert checked(page, alma, "beam") == "not_yet"
    assert checked(page, alma, "kick") == "not_assessed"
    assert checked(page, alma, "jump") == "masters"
    assert checked(page, bertram, "run") == "on_its_way"
    assert checked(page, clara, "jump") == ""
    screenshot(page, "motor-grid-laptop-en")
    page.screenshot(path=str(SHOTS / "motor_grid_laptop.png"), full_page=True)

    # Bertram is absent: after the confirmation his row is greyed and his score removed.
    page.once("dialog", lambda dialog: dialog.accept())
    row(page, "Bertram").locator("input[data-present]").uncheck()
    page.wait_for_function(
        "row => row.classList.contains('is-absent')", arg=row(page, "Bertram").element_handle()
    )
    page.wait_for_function(
        "() => document.querySelector('[data-grid-status]').dataset.state === 'saved'"
    )
    assert row(page, "Bertram").locator("input.seg__input:enabled").count() == 0
    assert not Assessment.objects.get(session=session, child=bertram).present
    assert saved(bertram, "run") is None
    assert page.console_errors == []

    # The pedagogue continues in the same grid.
    other = page_factory(locale="en-GB")
    log_in(other, "petra", language="en")
    other.goto("/motor/")
    other.locator(f"a[href='/motor/sessions/{session.public_id}/']").first.click()
    other.wait_for_url(f"**/motor/sessions/{session.public_id}/")
    assert checked(other, alma, "run") == "masters"
    assert "is-absent" in (row(other, "Bertram").get_attribute("class") or "")
    tap(other, "Clara", "jump", "full")
    tap(other, "Clara", "courage", "part")
    assert (saved(clara, "jump"), saved(clara, "courage")) == ("masters", "sometimes")
    assert other.console_errors == []

    # The health visitor closes the session (after a confirmation). Only Alma has a summary,
    # too few for the profile's advice: she is asked again, with the numbers.
    page.goto(f"/motor/sessions/{session.public_id}/")
    assert page.inner_text("[data-progress-summarised]") == "1"
    page.once("dialog", lambda dialog: dialog.accept())
    page.click(f"form[action='/motor/sessions/{session.public_id}/close/'] button")
    page.wait_for_url(f"**/motor/sessions/{session.public_id}/close/")
    assert (
        "1 of 9 children present have enough observations to get a summary; close anyway?"
        in page.inner_text("main")
    )
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.click("button:has-text('Close anyway')")
    page.wait_for_url(f"**/motor/sessions/{session.public_id}/")
    assert "This session is closed; the grid is read-only." in page.inner_text("main")
    assert page.locator("input.seg__input:enabled, input[data-present]:enabled").count() == 0
    page.screenshot(path=str(SHOTS / "motor_grid_closed.png"), full_page=False)

    # The pedagogue's page still shows the open grid: her next tap is refused, the cell goes
    # back to what was saved and says why.
    cell = row(other, "Clara").locator('td.motor-cell[data-item="hop"]')
    cell.locator("label.seg__option--full").click()
    other.wait_for_function(
        "cell => cell.getAttribute('data-state') === 'error'", arg=cell.element_handle()
    )
    assert checked(other, clara, "hop") == ""
    assert "This session is closed" in cell.locator(".motor-cell__error").inner_text()
    assert other.get_attribute("[data-grid-status]", "data-state") == "error"
    assert saved(clara, "hop") is None
    other.screenshot(path=str(SHOTS / "motor_grid_error.png"), full_page=False)

    # One child's assessment, and the list of sessions.
    page.goto(f"/motor/sessions/{session.public_id}/children/{alma.public_id}/")
    assert "Few signs of challenged motor skills" in page.inner_text("main")
    screenshot(page, "motor-assessment-en")
    page.screenshot(path=str(SHOTS / "motor_assessment.png"), full_page=True)
    page.goto("/motor/")
    page.screenshot(path=str(SHOTS / "motor_index.png"), full_page=True)
    page.goto(f"/motor/sessions/{session.public_id}/")
    page.click("details.motor-guide > summary")
    page.screenshot(path=str(SHOTS / "motor_guide.png"), full_page=False)

    # Every grid page shown logged its children.
    assert AccessLog.objects.filter(user=world.hanne, view="motor_session").count() == 5 * 10
    assert AccessLog.objects.filter(user=petra, view="motor_session").count() == 10


def test_the_grid_fits_a_phone_and_is_tapped_with_a_thumb(
    page_factory: Any, world: World, group: dict[str, Child]
) -> None:
    from borneliv.motor import services
    from borneliv.motor.models import InstrumentVersion

    version = InstrumentVersion.objects.get(instrument__code="motor-4", number=1)
    session = services.session_create(
        by=world.hanne,
        institution=world.lindholm_daycare,
        group=GROUP,
        held_on=today(),
        version=version,
    )
    page = page_factory(width=390, height=844)
    log_in(page, "hanne")
    page.goto(f"/motor/sessions/{session.public_id}/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # One card per child; the answers are big enough for a thumb.
    box = row(page, "Alma").locator('td[data-item="run"] label.seg__option--full').bounding_box()
    assert box is not None and box["width"] >= 40 and box["height"] >= 40
    tap(page, "Alma", "run", "full")
    tap(page, "Alma", "courage", "part")
    assert saved(group["Alma"], "run") == "masters"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "motor-grid-phone-da")
    page.screenshot(path=str(SHOTS / "motor_grid_phone.png"), full_page=False)
    page.screenshot(path=str(SHOTS / "motor_grid_phone_full.png"), full_page=True)
    assert page.console_errors == []

    # The new-session form fits too.
    page.goto("/motor/sessions/new/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.console_errors == []
