"""In headless Chromium: an administrator uploads an OpenStreetMap extract; the import runs in
the background and its page shows the progress until it is done, also after a reload (issue #11)."""

from __future__ import annotations

from typing import Any

import pytest

from borneliv.jobs.models import Job
from borneliv.jobs.testing import run_queued_jobs
from borneliv.nearby.models import Extract
from borneliv.nearby.tests.conftest import OSTERBRO, place_on_osterbro
from borneliv.testing import World, build_world, reload_reference_data
from tests.browser.conftest import screenshot
from tests.browser.test_nearby import log_in


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_administrator_uploads_an_extract_and_sees_the_import_finish(
    page_factory: Any, live_server: Any
) -> None:
    reload_reference_data()  # flushed by earlier transactional tests
    world: World = build_world()
    place_on_osterbro(world)  # Frederikssund's institutions, where the extract lies
    page = page_factory()
    log_in(page, "ada")
    page.goto("/nearby/import/")
    page.select_option("#id_municipality", label="Frederikssund")
    page.set_input_files("#id_upload", str(OSTERBRO))
    page.click("[data-import]")
    page.wait_for_url("**/jobs/*/")
    job = Job.objects.get()
    assert job.status == "queued"
    # Waiting for the worker: the bar is there, and a reload shows the same page.
    page.wait_for_selector("[data-job-bar]")
    page.reload()
    page.wait_for_selector("[data-job-bar]")

    run_queued_jobs()  # the worker's loop; the page polls meanwhile and reloads when done

    done = page.wait_for_selector("[data-job-done]", timeout=30_000)
    assert "Færdig." in done.inner_text()
    assert page.locator("[data-job-bar]").count() == 0
    assert page.locator(".job-log__line").first.inner_text().startswith(f"Tjekker {OSTERBRO.name}")
    screenshot(page, "nearby-import-done")
    page.click("[data-job-result]")
    page.wait_for_url("**/nearby/")
    assert Extract.objects.filter(municipality=world.frederikssund).count() == 1
    assert page.console_errors == []
