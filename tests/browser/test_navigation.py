"""The grouped navigation in headless Chromium: menus by role, keyboard, phone, no JavaScript.

At 1366 and 390 px no page overflows sideways (``scrollWidth <= innerWidth``), also with a menu
open; a menu opens with the keyboard, says so with ``aria-expanded`` and leads to its pages.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from borneliv.testing import PASSWORD, World, build_world, reload_reference_data
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDE = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def world(transactional_db: Any) -> World:
    reload_reference_data()  # flushed by earlier transactional tests
    return build_world()


def log_in(page: Any, username: str) -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form[action='/login/'] button[type=submit]")
    page.wait_for_load_state()


def overflows(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth > window.innerWidth"))


def menu_labels(page: Any) -> list[str]:
    """The entries of the wide navigation row: plain links and menu buttons, in order."""
    return [
        element.inner_text().strip()
        for element in page.query_selector_all(
            ".site-nav .nav-menus > li > a, .site-nav .nav-menus > li .nav-group__summary"
        )
    ]


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("hanne", ["Arbejdsliste", "Sundhedspleje", "Motorikvurdering", "Data og evaluering"]),
        ("lars", ["Forside", "Nærhedscirkel", "Data og evaluering", "Administration"]),
        (
            "ada",
            [
                "Forside",
                "Sundhedspleje",
                "Dagtilbud og skole",
                "Data og evaluering",
                "Administration",
            ],
        ),
        ("pia", ["Forside", "Dagtilbud og skole", "Mål og delindsatser"]),
        ("carl", ["Forside", "Mål og delindsatser"]),
    ],
)
def test_each_role_gets_a_few_menus_in_one_row(
    page_factory: Any, world: World, persona: str, expected: list[str]
) -> None:
    page = page_factory(**WIDE)
    log_in(page, persona)
    assert menu_labels(page) == expected
    nav = page.query_selector(".site-nav")
    assert nav.bounding_box()["height"] < 60  # one row, not three
    assert not overflows(page)
    assert page.console_errors == []


def test_a_menu_opens_with_the_keyboard_and_leads_to_its_page(
    page_factory: Any, world: World
) -> None:
    page = page_factory(**WIDE)
    log_in(page, "ada")
    summary = page.locator(".site-nav .nav-group__summary", has_text="Administration")
    expect(summary).to_have_attribute("aria-expanded", "false")  # the toggle event is async
    summary.focus()
    page.keyboard.press("Enter")
    expect(summary).to_have_attribute("aria-expanded", "true")  # the toggle event is async
    entries = page.locator(".site-nav .nav-group__details[open] .nav-group__list a")
    assert entries.all_inner_texts() == [
        "Brugere",
        "Adgangslog",
        "Redskaber",
        "Kortdata",
        "Registeradministration",
    ]
    assert not overflows(page)
    screenshot(page, "navigation-admin-menu-1366")

    # Opening another menu closes this one; Escape closes and returns focus to the button.
    other = page.locator(".site-nav .nav-group__summary", has_text="Data og evaluering")
    other.click()
    expect(summary).to_have_attribute("aria-expanded", "false")  # the toggle event is async
    expect(other).to_have_attribute("aria-expanded", "true")  # the toggle event is async
    page.keyboard.press("Escape")
    expect(other).to_have_attribute("aria-expanded", "false")  # the toggle event is async
    assert page.evaluate("document.activeElement.textContent").strip() == "Data og evaluering"

    summary.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")  # to the first entry
    page.keyboard.press("Enter")
    page.wait_for_url("**/users/")
    assert page.inner_text("h1") == "Brugere"
    current = page.locator(".site-nav .nav-group--active .nav-group__summary")
    assert "Administration" in current.inner_text()
    assert page.console_errors == []


@pytest.mark.parametrize("persona", ["hanne", "ada", "lars", "pia"])
def test_on_a_phone_the_menu_button_opens_the_groups(
    page_factory: Any, world: World, persona: str
) -> None:
    page = page_factory(**PHONE)
    log_in(page, persona)
    assert not page.is_visible(".site-nav")
    button = page.locator(".site-menu > summary")
    expect(button).to_have_attribute("aria-expanded", "false")  # the toggle event is async
    button.click()
    expect(button).to_have_attribute("aria-expanded", "true")  # the toggle event is async
    panel = page.locator(".site-menu__panel")
    assert panel.is_visible()
    assert not overflows(page)
    screenshot(page, f"navigation-{persona}-phone")
    headings = panel.locator(".site-menu__heading").all_text_contents()
    assert headings[-1] == "Din konto"
    links = panel.locator("nav a")
    first_group_link = links.nth(1)
    target = first_group_link.get_attribute("href")
    first_group_link.click()
    page.wait_for_url(f"**{target}")
    assert page.url.endswith(target)
    assert not overflows(page)
    assert page.console_errors == []


def test_without_javascript_the_menus_still_open(
    browser: Any, live_server: Any, world: World
) -> None:
    context = browser.new_context(
        base_url=live_server.url, locale="da-DK", viewport=WIDE, java_script_enabled=False
    )
    try:
        page = context.new_page()
        log_in(page, "ada")
        page.click(".site-nav .nav-group__summary >> text=Data og evaluering")
        entries = page.locator(".site-nav .nav-group__details[open] .nav-group__list a")
        assert "Dækning" in entries.all_inner_texts()
        entries.filter(has_text="Dækning").click()
        page.wait_for_url("**/healthvisits/coverage/")

        page.set_viewport_size(PHONE)
        page.click(".site-menu > summary")
        assert page.is_visible(".site-menu__panel")
        assert not overflows(page)
    finally:
        context.close()


@pytest.mark.parametrize("size", [WIDE, PHONE], ids=["1366", "390"])
def test_a_project_leader_creates_an_account_and_the_new_user_chooses_her_password(
    page_factory: Any, world: World, size: dict[str, int]
) -> None:
    page = page_factory(**size)
    log_in(page, "lars")
    page.goto("/users/")
    assert not overflows(page)
    page.click("text=Opret en bruger")
    assert not overflows(page)
    page.fill("#id_username", "ida.iversen")
    page.fill("#id_first_name", "Ida")
    page.fill("#id_last_name", "Iversen")
    page.select_option("#id_role", "health_visitor")
    page.select_option("#id_organisation", label="Sundhedsplejen Aalborg")
    page.click("form button[type=submit] >> text=Opret brugeren")
    page.wait_for_load_state()
    password = page.inner_text("code.secret").strip()
    assert len(password) == 14
    assert not overflows(page)
    screenshot(page, f"user-created-{size['width']}")
    page.click("text=Tilbage til brugeren")
    assert "Sundhedspleje" in page.inner_text("main")
    assert not overflows(page)
    screenshot(page, f"user-detail-{size['width']}")

    ida = page_factory(**size)
    ida.goto("/login/")
    ida.fill("#id_username", "ida.iversen")
    ida.fill("#id_password", password)
    ida.click("form[action='/login/'] button[type=submit]")
    ida.wait_for_url("**/account/password/")
    assert ida.inner_text("h1") == "Vælg din egen adgangskode"
    ida.goto("/children/")
    assert ida.url.endswith("/account/password/")
    ida.fill("#id_old_password", password)
    ida.fill("#id_new_password1", "kastanje-regnbue-2031")
    ida.fill("#id_new_password2", "kastanje-regnbue-2031")
    ida.click("form button[type=submit] >> text=Gem den nye adgangskode")
    ida.wait_for_url("**/healthvisits/")
    assert not overflows(ida)
    assert page.console_errors == [] and ida.console_errors == []


@pytest.mark.parametrize("size", [WIDE, PHONE], ids=["1366", "390"])
def test_the_administrators_overview_fits(
    page_factory: Any, world: World, size: dict[str, int]
) -> None:
    page = page_factory(**size)
    log_in(page, "ada")
    assert "Kommunerne i tal" in page.inner_text("main")
    assert not overflows(page)
    screenshot(page, f"admin-overview-{size['width']}")
