"""Two roles log in through the real login form in headless Chromium and see different things."""

from __future__ import annotations

from typing import Any

import pytest

from borneliv.accounts.models import today
from borneliv.organisations.models import Institution
from borneliv.testing import PASSWORD, World, build_world, reload_reference_data
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db: Any) -> World:
    reload_reference_data()  # flushed by earlier transactional tests
    return build_world()


def log_in(page: Any, username: str) -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form[action='/login/'] button[type=submit]")
    page.wait_for_url("**/")


def test_a_pedagogue_sees_her_daycare_and_not_the_programme(
    page_factory: Any, world: World
) -> None:
    page = page_factory()
    log_in(page, "pia")
    body = page.inner_text("main")
    assert "Børnehuset Troldhøj" in body
    assert "Slangerup" in body
    nav = page.inner_text("header")
    assert "/programme/" not in [a.get_attribute("href") for a in page.query_selector_all("nav a")]
    assert page.query_selector("html").get_attribute("lang") == "da"
    screenshot(page, "home-pedagogue-da")

    assert page.goto("/programme/").status == 403
    # An institution in another municipality, by guessed URL and by API id: nothing.
    assert page.goto(f"/institutions/{world.herstedlund_skole.pk}/").status == 404
    api = page.request.get(f"/api/v1/institutions/{world.herstedlund_skole.pk}")
    assert api.status == 404
    own = page.request.get(f"/api/v1/institutions/{world.troldhoj.pk}")
    assert own.status == 200 and own.json()["name"] == "Børnehuset Troldhøj"
    assert "Pia" in nav
    assert page.console_errors == []


def test_a_project_leader_sees_her_municipality_on_a_map(page_factory: Any, world: World) -> None:
    page = page_factory()
    log_in(page, "lars")
    hrefs = [a.get_attribute("href") for a in page.query_selector_all("nav a")]
    assert "/programme/" in hrefs
    assert "Velkommen, Lars" in page.inner_text("h1")
    assert page.locator(".goal").count() == 3  # the three goals, in Danish
    assert "Leg og bevægelse sammen" in page.inner_text("main")
    screenshot(page, "home-project-leader-da")

    page.goto("/programme/")
    programme = page.inner_text("main")
    assert "Lindholm" in programme
    assert "Albertslund" not in programme  # another municipality's registry stays hidden
    screenshot(page, "programme-project-leader-da")

    page.goto(f"/areas/{world.lindholm.pk}/")
    page.wait_for_selector(".leaflet-interactive")
    expected = Institution.objects.in_area_on(world.lindholm, today()).located().count()
    assert expected >= 2
    assert len(page.query_selector_all("path.leaflet-interactive")) == expected
    screenshot(page, "area-lindholm-da")

    # Danish by default; English on request, remembered for the next page.
    assert page.query_selector("h1").inner_text() != ""
    danish_heading = page.inner_text("h1")
    page.click("form.lang-switch button[value=en] >> nth=0")
    page.wait_for_load_state()
    assert page.query_selector("html").get_attribute("lang") == "en"
    assert page.inner_text("h1") == danish_heading  # an area's name is not translated
    page.goto("/")
    assert "Welcome" in page.inner_text("h1")
    screenshot(page, "home-project-leader-en")
    assert page.console_errors == []


def test_an_outsider_is_told_she_has_no_access(page_factory: Any, world: World) -> None:
    page = page_factory(width=390, height=844)
    log_in(page, "otto")
    assert "Børnehuset Troldhøj" not in page.inner_text("main")
    assert page.goto(f"/institutions/{world.troldhoj.pk}/").status == 404
    screenshot(page, "home-outsider-phone-da")
