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
    # Every indicator shows the programme and the comparison areas side by side: the enhanced visit,
    # its themes, vulnerable families, breastfeeding (reached + calls) and topics, each per arm.
    for section in ("enhanced", "themes", "vulnerable", "topics"):
        assert page.locator(f"#{section}-programme").count() == 1
        assert page.locator(f"#{section}-comparison").count() == 1
    assert page.locator("table.data--figures").count() == 12
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "healthvisits-coverage-phone-da")
    assert page.console_errors == []


# What "reads at a glance" is checked against: nothing wider than the window, no button cut off.
OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth"
CLIPPED_BUTTONS = """
() => Array.from(document.querySelectorAll('main a.button, main button')).filter((el) => {
  const box = el.getBoundingClientRect();
  if (!box.width) return false;  // hidden (a closed menu, a collapsed section)
  if (box.left < 0 || box.right > window.innerWidth) return true;
  if (el.scrollWidth > el.clientWidth + 1) return true;  // its text does not fit
  for (let up = el.parentElement; up; up = up.parentElement) {
    if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(up).overflowX)) {
      const frame = up.getBoundingClientRect();
      if (box.left < frame.left - 0.5 || box.right > frame.right + 0.5) return true;
    }
  }
  return false;
}).map((el) => el.textContent.trim())
"""


def test_the_worklist_reads_at_a_glance_on_a_laptop_and_on_a_phone(
    page_factory: Any, world: World
) -> None:
    from borneliv.children.services import family_create, vulnerability_set

    on = today()
    for serial, (days, first, last) in enumerate(
        [
            (116, "Dina", "Eriksen-Kristiansen"),  # the enhanced visit opens in 4 days
            (130, "Alma", "Andersen"),  # open
            (175, "Bo", "Berg"),  # closing
            (200, "Carl", "Christoffersen-Dahl"),  # overdue
        ]
    ):
        born = on - dt.timedelta(days=days)
        child_register(
            cpr=f"{born:%d%m%y}-{9010 + 2 * serial}",
            first_name=first,
            last_name=last,
            area=world.lindholm,
            is_synthetic=True,
        )
    family = family_create(name="Frost")
    born = on - dt.timedelta(days=60)
    vulnerability_set(family=family, reason="social", valid_from=born, by=world.hanne)
    child_register(
        cpr=f"{born:%d%m%y}-9031",
        first_name="Emil",
        last_name="Frost",
        area=world.lindholm,
        family=family,
        is_synthetic=True,
    )

    laptop = page_factory(width=1366, height=900)
    log_in(laptop, "hanne")
    laptop.goto("/healthvisits/")
    tabs = laptop.locator("ul.tabs .tab__label").all_inner_texts()
    assert tabs == [
        "Alle på listen",
        "Åbner inden for 7 dage",
        "Åbne nu",
        "Vinduet lukker snart",
        "Overskredet",
        "Sårbare familier",
    ]
    emil = laptop.locator("tbody.worklist-child", has_text="Emil Frost")
    assert emil.locator("tr").count() == 2
    assert emil.get_by_role("link", name="Emil Frost", exact=True).count() == 1
    laptop.locator(".worklist-rules summary").click()
    assert laptop.locator(".worklist-rules__table tbody tr").count() >= 7
    assert laptop.evaluate(OVERFLOW)
    assert laptop.evaluate(CLIPPED_BUTTONS) == []
    # Every row's button lies inside the table, to the right of the window dates.
    table = laptop.locator("table.worklist").bounding_box()
    for button in laptop.locator("table.worklist .button").all():
        box = button.bounding_box()
        assert box["x"] + box["width"] <= table["x"] + table["width"] + 0.5
    screenshot(laptop, "healthvisits-worklist-1366-da")
    laptop.goto("/healthvisits/?bucket=opening")
    assert laptop.locator("tbody.worklist-child").all_inner_texts()[0].startswith("Dina")

    phone = page_factory(width=390, height=844)
    log_in(phone, "hanne")
    phone.goto("/healthvisits/")
    assert phone.evaluate(OVERFLOW)
    assert phone.evaluate(CLIPPED_BUTTONS) == []
    assert phone.locator("table.worklist thead").is_hidden()
    # One card per child, the name on top and each contact's button before its text.
    cards = phone.locator("tbody.worklist-child")
    assert cards.count() == 5
    card = cards.filter(has_text="Emil Frost")
    name_box = card.locator(".worklist-child__name").bounding_box()
    buttons = card.locator(".worklist-row__action .button")
    stages = card.locator(".worklist-row__stage")
    assert buttons.count() == 2
    for i in range(2):
        button, stage = buttons.nth(i).bounding_box(), stages.nth(i).bounding_box()
        assert name_box["y"] < button["y"] < stage["y"]
        assert button["width"] >= 0.8 * name_box["width"]  # a thumb-sized, full-width button
    phone.locator(".worklist-rules summary").click()
    assert phone.evaluate(OVERFLOW)
    screenshot(phone, "healthvisits-worklist-390-da")
    card.locator(".worklist-row__action .button").first.click()
    phone.wait_for_url("**/contacts/new/?stage=*")
    assert laptop.console_errors == [] and phone.console_errors == []


def _topic_pk(code: str) -> int:
    from borneliv.healthvisits.models import Topic

    return int(Topic.objects.get(code=code).pk)
