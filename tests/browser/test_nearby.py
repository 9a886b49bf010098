"""In headless Chromium: a pedagogue opens her daycare's Nærhedscirkel, puts places on it and
takes one off, renames one and describes it, adds her own place by clicking on the map, downloads
the poster as PDF and PNG; a parent opens the public link without logging in and sees only the
places on the circle (issue #6)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from borneliv.nearby import services
from borneliv.nearby.models import Circle, CirclePlace
from borneliv.nearby.tests.conftest import OSTERBRO, place_on_osterbro
from borneliv.testing import PASSWORD, World, build_world, reload_reference_data
from tests.browser.conftest import SCREENSHOTS, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db: Any) -> World:
    reload_reference_data()  # flushed by earlier transactional tests
    world = build_world()
    place_on_osterbro(world)
    services.extract_import(by=world.ada, municipality=world.frederikssund, path=OSTERBRO)
    services.circle_compute(institution=world.troldhoj, by=world.pia)
    return world


def log_in(page: Any, username: str) -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url("**/")


def _row(page: Any, place: CirclePlace) -> Any:
    return page.locator(f'tr[data-place="{place.pk}"]')


def _wait_for_map(page: Any) -> None:
    page.wait_for_selector('[data-circle-map][data-map-ready="true"]')


def test_a_pedagogue_curates_her_circle_prints_it_and_a_parent_opens_the_link(
    page_factory: Any, world: World, live_server: Any
) -> None:
    circle = Circle.objects.get(institution=world.troldhoj)
    places = {p.osm_name: p for p in circle.places.exclude(osm_name="")}
    park, fest, traffic = (
        places["Fælledparken"],
        places["Festpladsen"],
        places["Trafiklegepladsen"],
    )
    museum = places["Zoologisk Museum"]

    page = page_factory()
    log_in(page, "pia")
    page.goto("/nearby/")
    page.click(f'a[href="/nearby/institutions/{world.troldhoj.pk}/"]')
    _wait_for_map(page)
    assert page.locator("[data-edge-warning]").is_visible()
    # The map draws the base map, both areas and one marker per candidate.
    assert page.locator(".leaflet-overlay-pane path.leaflet-interactive").count() >= 16
    screenshot(page, "nearby-circle-before")

    # Put three places on the circle, then take one off again.
    for place in (park, fest, traffic):
        _row(page, place).locator("input[type=checkbox]").check()
    page.click("[data-save-places]")
    _wait_for_map(page)
    assert page.inner_text("[data-included-count]") == "3"
    _row(page, traffic).locator("input[type=checkbox]").uncheck()
    page.click("[data-save-places]")
    _wait_for_map(page)
    assert page.inner_text("[data-included-count]") == "2"
    assert set(circle.places.filter(included=True)) == {park, fest}

    # Rename Festpladsen and describe it in the children's words.
    _row(page, fest).locator("a.place-row__edit").click()
    page.fill("#id_display_name", "Danseplænen")
    page.fill("#id_description", "Her kan vi danse og løbe om kap")
    page.check("input[name=goals] >> nth=0")
    page.click("[data-save-place]")
    _wait_for_map(page)
    row = _row(page, fest)
    assert "Danseplænen" in row.inner_text() and "Her kan vi danse" in row.inner_text()

    # Add an own place by clicking on the map.
    the_map = page.locator("[data-circle-map]")
    the_map.scroll_into_view_if_needed()
    box = the_map.bounding_box()
    the_map.click(position={"x": box["width"] * 0.52, "y": box["height"] * 0.12})
    lat = float(page.input_value("#id_own-latitude"))
    lon = float(page.input_value("#id_own-longitude"))
    assert 55.69 < lat < 55.72 and 12.55 < lon < 12.59
    assert page.locator("[data-new-place]").count() == 1
    page.fill("#id_own-name", "Bænken med udsigt")
    page.fill("#id_own-description", "Her tæller vi cykler")
    page.click("[data-add-own]")
    _wait_for_map(page)
    own = circle.places.get(source="own")
    assert own.name == "Bænken med udsigt" and own.included
    assert abs(own.latitude - lat) < 1e-5 and abs(own.longitude - lon) < 1e-5
    assert "Bænken med udsigt" in _row(page, own).inner_text()
    screenshot(page, "nearby-circle-curated")

    # Print the poster: PDF and PNG.
    for kind, content_type, magic in (
        ("pdf-A4", "application/pdf", b"%PDF"),
        ("png-A4", "image/png", b"\x89PNG\r\n\x1a\n"),
    ):
        with (
            page.expect_response(lambda r, k=kind: "/poster." + k[:3] in r.url) as answer,
            page.expect_download() as download,
        ):
            page.click(f'[data-poster="{kind}"]')
        assert answer.value.status == 200
        assert answer.value.headers["content-type"] == content_type
        saved = Path(download.value.path())
        content = saved.read_bytes()
        assert content.startswith(magic), kind
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        (SCREENSHOTS / f"nearby-poster-{kind}.{kind[:3]}").write_bytes(content)
    assert page.console_errors == []

    # A parent opens the public link, without logging in.
    public_url = page.get_attribute("[data-public-link]", "href")
    # No BORNELIV_SITE_URL in tests: the address the page was served at, which answers.
    assert public_url and public_url.startswith(f"{live_server.url}/nearby/p/")
    parent = page_factory(width=420, height=900)
    parent.goto(public_url)
    _wait_for_map(parent)
    text = parent.inner_text("main")
    assert "Børnehuset Troldhøj" in text
    assert "Danseplænen" in text and "Her kan vi danse og løbe om kap" in text
    assert "Fælledparken" in text and "Bænken med udsigt" in text
    assert "Trafiklegepladsen" not in text and museum.osm_name not in text
    assert parent.locator("[data-public-place]").count() == 3
    assert parent.locator(".circle-number").count() == 3  # numbered markers on the map
    assert parent.locator('input[type="checkbox"]').count() == 0
    assert parent.locator('meta[name="robots"]').get_attribute("content") == "noindex, nofollow"
    screenshot(parent, "nearby-public")
    assert parent.console_errors == []
