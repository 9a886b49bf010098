"""After a failed submit the errors are where the user is looking, in headless Chromium.

A health visitor registers a child on a phone (390 × 844) and gets the last field of the long
form wrong (the second guardian's e-mail, far below the fold). The page comes back with the error
summary in view and focused; its link moves focus to the field, which is in view too, with its
own error beside it. Without JavaScript the summary is the first thing in <main>, in view on
arrival. Table headings do not break inside a word at 1366 and 390 px.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from borneliv.children.models import Child
from borneliv.children.testing import synthetic_cpr
from borneliv.testing import PASSWORD, World, build_world, reload_reference_data
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
CPR = synthetic_cpr(dt.date(2025, 3, 2), 612)

IN_VIEW = """(selector) => {
  const box = document.querySelector(selector).getBoundingClientRect();
  return box.top >= 0 && box.bottom <= window.innerHeight && box.height > 0;
}"""


@pytest.fixture
def world(transactional_db: Any) -> World:
    reload_reference_data()
    return build_world()


def log_in(page: Any, username: str) -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form[action='/login/'] button[type=submit]")
    page.wait_for_url("**/")


def fill_the_registration_with_a_bad_last_field(page: Any) -> None:
    page.goto("/children/register/")
    page.fill("#id_cpr", CPR)
    page.fill("#id_first_name", "Lea")
    page.fill("#id_last_name", "Holm")
    page.check("#id_family_1")  # a new family, with its guardians
    page.fill("#id_family_name", "Holm")
    page.fill("#id_guardian_1_name", "Mette Holm")
    page.select_option("#id_guardian_1_relation", "mother")
    page.fill("#id_guardian_2_name", "Jonas Holm")
    page.select_option("#id_guardian_2_relation", "father")
    page.fill("#id_guardian_2_email", "jonas.holm-ved-post")  # wrong: no @
    submit = page.locator("form.form button[type=submit]")
    submit.scroll_into_view_if_needed()
    assert page.evaluate("window.scrollY") > 844  # the user is far down the long form
    submit.click()
    page.wait_for_selector("[data-error-summary]", state="attached")
    page.wait_for_load_state()


def test_on_a_phone_the_summary_is_in_view_and_focused_and_leads_to_the_field(
    page_factory: Any, world: World
) -> None:
    page = page_factory(**PHONE)
    log_in(page, "hanne")
    fill_the_registration_with_a_bad_last_field(page)

    page.wait_for_function("document.activeElement.hasAttribute('data-error-summary')")
    assert page.evaluate(IN_VIEW, "[data-error-summary]")
    summary = page.inner_text("[data-error-summary]")
    assert summary.startswith("Der er et problem")
    assert summary.endswith("E-mail: Indtast en gyldig e-mail-adresse.")
    assert page.locator("[data-error-summary] li").count() == 1
    assert page.get_attribute("[data-error-summary]", "role") == "alert"
    screenshot(page, "error-summary-phone-da")

    page.click("[data-error-summary] a[href='#id_guardian_2_email']")
    page.wait_for_function("document.activeElement.id === 'id_guardian_2_email'")
    assert page.evaluate(IN_VIEW, "#id_guardian_2_email")
    field = page.locator("#id_guardian_2_email")
    assert field.get_attribute("aria-invalid") == "true"
    assert "id_guardian_2_email_error" in (field.get_attribute("aria-describedby") or "")
    assert page.inner_text("#id_guardian_2_email_error") == "Indtast en gyldig e-mail-adresse."
    assert page.input_value("#id_guardian_2_email") == "jonas.holm-ved-post"  # kept to correct
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "error-summary-field-phone-da")
    assert not Child.objects.exists()
    assert page.console_errors == []


def test_without_javascript_the_summary_is_the_first_thing_in_view(
    browser: Any, live_server: Any, world: World
) -> None:
    context = browser.new_context(
        base_url=live_server.url, locale="da-DK", viewport=PHONE, java_script_enabled=False
    )
    try:
        page = context.new_page()
        log_in(page, "hanne")
        fill_the_registration_with_a_bad_last_field(page)
        assert page.evaluate("window.scrollY") == 0
        assert page.evaluate(IN_VIEW, "[data-error-summary]")
        first = page.evaluate("document.querySelector('main .container').firstElementChild.id")
        assert first == "error-summary"
    finally:
        context.close()


@pytest.mark.parametrize("width", [1366, 390])
def test_table_headings_do_not_break_inside_a_word(
    page_factory: Any, world: World, width: int
) -> None:
    page = page_factory(width=width, height=900)
    log_in(page, "lars")
    page.goto("/programme/")
    # "Samarbejdspartnere" once broke into "Samarbejdspar" / "tnere" in the areas table.
    broken = page.evaluate(
        """() => {
          const out = [];
          for (const th of document.querySelectorAll('table.data th')) {
            const walker = document.createTreeWalker(th, NodeFilter.SHOW_TEXT);
            let node;
            while ((node = walker.nextNode())) {
              for (const m of node.data.matchAll(/[\\p{L}\\d]+/gu)) {
                const range = document.createRange();
                range.setStart(node, m.index);
                range.setEnd(node, m.index + m[0].length);
                const tops = new Set(
                  Array.from(range.getClientRects()).map((r) => Math.round(r.top)));
                if (tops.size > 1) out.push(m[0]);
              }
            }
          }
          return out;
        }"""
    )
    assert broken == []
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
