"""Headless Chromium (Debian's, driven by Playwright) against Django's live server."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("BORNELIV_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(
    os.environ.get("BORNELIV_SCREENSHOTS", Path(__file__).parents[2] / "var" / "screenshots")
)

# Playwright's sync API runs an event loop in the test thread; Django's ORM is used there only
# to set up data before the browser acts, never concurrently with it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _chromium_path() -> str | None:
    if Path(CHROMIUM).exists():
        return CHROMIUM
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    path = _chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing: install Debian's chromium package (see .ci/run).")
        pytest.skip("Chromium is not installed; browser tests skipped (apt-get install chromium).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=path,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page_factory(browser: Any, live_server: Any) -> Iterator[Any]:
    """New isolated browser contexts (one per persona), collecting console errors."""
    contexts: list[Any] = []

    def make(*, locale: str = "da-DK", width: int = 1280, height: int = 900) -> Any:
        context = browser.new_context(
            base_url=live_server.url,
            locale=locale,
            viewport={"width": width, "height": height},
        )
        contexts.append(context)
        page = context.new_page()
        page.console_errors = []
        page.on("console", lambda msg: _record(page, msg))
        page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
        return page

    yield make
    for context in contexts:
        context.close()


def _record(page: Any, msg: Any) -> None:
    """Keep script errors and CSP violations; a 403/404 the test asked for is not an error."""
    if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
        page.console_errors.append(msg.text)


def screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
