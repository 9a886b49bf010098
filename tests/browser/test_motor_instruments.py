"""In headless Chromium: the instrument pages; an administrator starts, publishes and imports
versions; a health visitor reads them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from borneliv.motor import instruments
from borneliv.motor.models import InstrumentVersion
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
    page.press("#id_password", "Enter")
    page.wait_for_url("**/")


def test_an_administrator_starts_and_publishes_a_new_version(
    page_factory: Any, world: World
) -> None:
    page = page_factory()
    log_in(page, "ada")
    page.goto("/motor/instruments/")
    assert page.locator(".starting-point").count() == 1
    screenshot(page, "motor-instruments-list")

    page.click("a[href='/motor/instruments/motor-4/v1/'] >> nth=0")
    page.wait_for_url("**/motor/instruments/motor-4/v1/")
    assert page.locator("h2#domain-joy").count() == 1
    assert page.locator("h2#domain-locomotion").count() == 1
    screenshot(page, "motor-instrument-version")

    # Each action is a disclosure: the button opens the confirmation text and its own button.
    new_draft = page.locator("form[action='/motor/instruments/motor-4/new-draft/']")
    assert not new_draft.is_visible()
    page.locator("details:has(form[action$='/new-draft/']) > summary").click()
    assert new_draft.is_visible()
    new_draft.locator("button").click()
    page.wait_for_url("**/motor/instruments/motor-4/v2/")
    assert page.locator("h1 .badge--comparison").count() == 1  # draft

    page.locator("details:has(form[action$='/publish/']) > summary").click()
    page.locator("form[action$='/v2/publish/'] button").click()
    page.wait_for_url("**/motor/instruments/motor-4/v2/")
    assert page.locator(".message--success").count() == 1
    assert page.locator("h1 .badge--success").count() == 1  # published
    assert InstrumentVersion.objects.get(instrument__code="motor-4", number=2).status == (
        "published"
    )
    assert page.console_errors == []


def test_an_administrator_imports_a_file_after_checking_it(
    page_factory: Any, world: World, tmp_path: Path
) -> None:
    version = InstrumentVersion.objects.get(instrument__code="school-start", number=1)
    data = instruments.to_dict(instruments.document_from_version(version))
    data["version"]["number"] = 2
    bad = dict(data, items=[dict(data["items"][0], domain="swimming"), *data["items"][1:]])
    (tmp_path / "bad.json").write_text(json.dumps(bad), encoding="utf-8")
    (tmp_path / "good.json").write_text(json.dumps(data), encoding="utf-8")

    page = page_factory()
    log_in(page, "ada")
    page.goto("/motor/instruments/import/")
    screenshot(page, "motor-instrument-import")
    page.set_input_files("#id_file", str(tmp_path / "bad.json"))
    page.locator("form[enctype] button[type=submit]").click()
    page.wait_for_load_state()
    problems = page.locator("table tbody tr")
    assert problems.count() == 1
    assert "swimming" in problems.inner_text()
    assert page.locator("input[name=commit]").count() == 0
    screenshot(page, "motor-instrument-import-problems")

    page.set_input_files("#id_file", str(tmp_path / "good.json"))
    page.locator("form[enctype] button[type=submit]").click()
    page.wait_for_load_state()
    screenshot(page, "motor-instrument-import-check")
    page.locator("form:has(input[name=commit]) button").click()
    page.wait_for_url("**/motor/instruments/school-start/v2/")
    assert InstrumentVersion.objects.get(instrument__code="school-start", number=2).is_editable
    assert page.console_errors == []


def test_a_health_visitor_reads_the_instruments_in_danish(page_factory: Any, world: World) -> None:
    page = page_factory()
    log_in(page, "hanne")
    page.goto("/motor/instruments/motor-4/v1/")
    assert page.locator("h1").count() == 1
    assert page.locator("a[href='/motor/instruments/import/']").count() == 0
    assert page.locator("#manage-heading").count() == 0
    screenshot(page, "motor-instrument-version-da")
    assert page.console_errors == []
