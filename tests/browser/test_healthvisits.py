"""In headless Chromium: a health visitor records the enhanced visit; another unit sees nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from borneliv.accounts.models import today
from borneliv.children.models import AccessLog, Child
from borneliv.children.services import child_register
from borneliv.healthvisits.models import Contact
from borneliv.testing import PASSWORD, World, build_world, reload_reference_data
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db: Any) -> World:
    reload_reference_data()  # flushed by earlier transactional tests
    return build_world()


@pytest.fixture
def alma(world: World) -> Child:
    born = today() - dt.timedelta(days=130)
    return child_register(
        cpr=f"{born:%d%m%y}-9001",
        first_name="Alma",
        last_name="Andersen",
        area=world.lindholm,
        is_synthetic=True,
    )


def log_in(page: Any, username: str) -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form[action='/login/'] button[type=submit]")
    page.wait_for_url("**/")


def test_a_health_visitor_records_the_enhanced_visit(
    page_factory: Any,
    world: World,
    alma: Child,
) -> None:
    page = page_factory()
    log_in(page, "hanne")
    page.goto("/healthvisits/")
    row = page.locator("tbody tr", has_text="Alma Andersen")
    assert row.count() == 1
    assert row.locator(".status--due").count() == 1
    screenshot(page, "healthvisits-worklist-da")

    row.get_by_role("link", name="Registrér kontakt").click()
    page.wait_for_url(f"**/children/{alma.public_id}/contacts/new/?stage=enhanced_visit_4_6m")
    for code in ("motor_play", "family_meals", "screen_habits", "family_experiences"):
        page.check(f"input[name=topics][value='{_topic_pk(code)}']")
    page.check("input[name=outcome][value=completed]")
    page.fill("#id_note", "Tumleleg på gulvet; familien spiser sammen de fleste dage.")
    screenshot(page, "healthvisits-contact-form-da")
    page.click("main form.form button[type=submit]")
    page.wait_for_url(f"**/healthvisits/children/{alma.public_id}/")

    enhanced = page.locator("tbody tr", has_text="4–6")
    assert enhanced.first.locator(".status--completed").count() == 1
    assert "Tumleleg på gulvet" in page.inner_text("main")
    screenshot(page, "healthvisits-record-da")

    page.goto("/healthvisits/")
    assert page.locator("tbody tr", has_text="Alma Andersen").count() == 0
    contact = Contact.objects.get()
    assert contact.topics.count() == 4 and contact.recorded_by == world.hanne
    assert page.console_errors == []

    other = page_factory()
    log_in(other, "astrid")
    assert other.goto(f"/healthvisits/children/{alma.public_id}/").status == 404
    assert other.request.get(f"/api/v1/children/{alma.public_id}/schedule").status == 404
    assert other.request.get(f"/api/v1/children/{alma.public_id}/contacts").status == 404
    other.goto("/healthvisits/")
    assert "Alma" not in other.inner_text("main")

    views = set(AccessLog.objects.filter(user=world.hanne).values_list("view", flat=True))
    assert {"worklist", "healthvisit_contact_form", "healthvisit_record"} <= views
    assert not AccessLog.objects.filter(user=world.astrid).exists()


def test_the_coverage_page_renders_without_script_errors(
    page_factory: Any,
    world: World,
) -> None:
    page = page_factory(width=390, height=844)
    log_in(page, "lars")
    page.goto("/healthvisits/coverage/")
    assert page.locator("table.data--figures").count() == 3
    screenshot(page, "healthvisits-coverage-phone-da")
    assert page.console_errors == []


def _topic_pk(code: str) -> int:
    from borneliv.healthvisits.models import Topic

    return int(Topic.objects.get(code=code).pk)
