"""In headless Chromium: a health visitor measures a child and sees the growth chart; the project
leader reads the prevalence page with its chart (issue #4's "done when")."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from borneliv.accounts.models import today
from borneliv.children.models import AccessLog, Child
from borneliv.children.services import child_register
from borneliv.growth.models import Measurement, ReviewStatus
from borneliv.growth.tests.test_prevalence_page import SCHOOL, TODAY, build_scenario
from borneliv.testing import PASSWORD, World, build_world, reload_reference_data
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db: Any) -> World:
    reload_reference_data()  # flushed by earlier transactional tests
    return build_world()


@pytest.fixture
def ebba(world: World) -> Child:
    born = today() - dt.timedelta(days=3 * 365)
    return child_register(
        cpr=f"{born:%d%m%y}-9002",
        first_name="Ebba",
        last_name="Eriksen",
        area=world.lindholm,
        is_synthetic=True,
    )


def log_in(page: Any, username: str) -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form[action='/login/'] button[type=submit]")
    page.wait_for_url("**/")


def image_loaded(page: Any, selector: str) -> bool:
    return bool(page.eval_on_selector(selector, "img => img.complete && img.naturalWidth > 0"))


def test_a_health_visitor_measures_a_child_and_sees_the_growth_chart(
    page_factory: Any, world: World, ebba: Child
) -> None:
    page = page_factory()
    log_in(page, "hanne")
    page.goto(f"/growth/children/{ebba.public_id}/")
    page.get_by_role("link", name="Tilføj måling").click()
    page.wait_for_url(f"**/growth/children/{ebba.public_id}/measurements/new/")
    page.fill("#id_weight_kg", "14,2")
    page.fill("#id_height_cm", "95,5")
    page.check("input[name=position][value=H]")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"**/growth/children/{ebba.public_id}/")

    measurement = Measurement.objects.get(child=ebba)
    assert float(measurement.weight_kg) == 14.2 and float(measurement.height_cm) == 95.5
    assert measurement.review_status == ReviewStatus.ACCEPTED
    assert measurement.reference == "WHO 2006; IOTF 2012"
    main = page.inner_text("main")
    assert "15,6" in main  # BMI 14.2 / 0.955² = 15.57, shown with a Danish decimal comma
    assert image_loaded(page, "main img[src*='chart.svg']")
    screenshot(page, "growth-child-da")
    assert page.console_errors == []
    views = set(AccessLog.objects.filter(child=ebba).values_list("view", flat=True))
    assert {"growth_child", "growth_chart", "growth_measurement_form"} <= views

    # Another municipality's health visitor finds nothing by the same address.
    other = page_factory()
    log_in(other, "astrid")
    response = other.goto(f"/growth/children/{ebba.public_id}/")
    assert response is not None and response.status == 404


def test_the_project_leader_reads_prevalence_for_programme_and_comparison_areas(
    page_factory: Any, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("borneliv.growth.views.prevalence.today", lambda: TODAY, raising=False)
    build_scenario(world)
    page = page_factory()
    log_in(page, "lars")
    page.goto(f"/growth/prevalence/?{SCHOOL}")
    main = page.inner_text("main")
    assert "Lindholm" in main and "Vejgaard" in main
    assert "Herstedlund" not in main  # Albertslund is outside his municipality
    assert "IOTF 2012" in main and "12,0–13,0 %" in main  # the reference, the national figure
    assert "26,8 %" in main  # Lindholm 2024/25, all: 11 of 41
    assert image_loaded(page, "main img[src*='chart.svg']")
    screenshot(page, "growth-prevalence-da")
    assert page.console_errors == []
