"""In headless Chromium: an edit conflict shows the other person's version, on a laptop and a
phone, without sideways scrolling, and a second save then goes through deliberately."""

from __future__ import annotations

from typing import Any

import pytest

from borneliv.organisations import services
from borneliv.testing import PASSWORD, World, build_world, reload_reference_data
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FITS = "document.documentElement.scrollWidth <= window.innerWidth"


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


@pytest.mark.parametrize("width", [1366, 390])
def test_a_stale_form_shows_both_versions_and_saves_on_purpose(
    page_factory: Any, world: World, width: int
) -> None:
    school = world.gl_lindholm_skole
    page = page_factory(width=width, height=844 if width == 390 else 900)
    log_in(page, "lars")
    page.goto(f"/institutions/{school.pk}/edit/")
    # Tina saves while Lars's form is open.
    services.institution_update(
        institution=school, version=1, street="Lindholmsvej 65, indgang fra skolegården"
    )
    page.fill("#id_city", "Nørresundby")
    page.click("form.form button[type=submit]")
    page.wait_for_selector(".edit-conflict")
    text = page.inner_text(".form-errors")
    assert "Ændret kl." in text
    assert "Lindholmsvej 65, indgang fra skolegården" in text and "Nørresundby" in text
    assert page.evaluate(FITS)
    screenshot(page, f"edit-conflict-{width}")
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"**/institutions/{school.pk}/")
    school.refresh_from_db()
    assert (school.street, school.city) == ("", "Nørresundby")
    assert page.console_errors == []
