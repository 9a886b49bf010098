"""End to end on a running server: the poster's QR code, read back by an independent decoder,
is a URL that the server answers with the public page (issue #10)."""

from __future__ import annotations

from typing import Any
from urllib.request import urlopen

import pytest

from borneliv import cli
from borneliv.nearby import services
from borneliv.nearby.models import Circle, CirclePlace
from borneliv.nearby.tests.conftest import OSTERBRO, place_on_osterbro
from borneliv.nearby.tests.qr_reading import decode_qr_codes
from borneliv.testing import build_world, reload_reference_data

pytestmark = pytest.mark.django_db(transaction=True)


def _get(url: str) -> tuple[int, bytes]:
    with urlopen(url, timeout=60) as answer:  # noqa: S310 (the test's own live server)
        return answer.status, answer.read()


def test_the_posters_qr_code_opens_the_public_page_on_the_running_server(
    live_server: Any, settings: Any
) -> None:
    reload_reference_data()  # flushed by earlier transactional tests
    world = build_world()
    place_on_osterbro(world)
    services.extract_import(by=world.ada, municipality=world.frederikssund, path=OSTERBRO)
    services.circle_compute(institution=world.troldhoj, by=world.pia)
    circle = Circle.objects.get(institution=world.troldhoj)
    park = CirclePlace.objects.get(circle=circle, osm_key="osm:way/218537939")
    services.place_curate(by=world.pia, place=park, included=True, description="Den store bakke")
    services.place_add_own(
        by=world.pia, circle=circle, latitude=55.7070, longitude=12.5675, name="Bænken med udsigt"
    )
    # What `borneliv serve --addr HOST:PORT` makes of the address this server listens on.
    settings.SITE_URL = cli.served_site_url(live_server.url.removeprefix("http://"))
    assert live_server.url == settings.SITE_URL

    status, png = _get(f"{live_server.url}/nearby/p/{circle.public_token}/poster.png?paper=A4")
    assert status == 200
    [url] = decode_qr_codes(png)
    assert url == f"{live_server.url}/nearby/p/{circle.public_token}/"

    status, body = _get(url)
    page = body.decode()
    assert status == 200
    assert "Børnehuset Troldhøj" in page
    assert "Fælledparken" in page and "Den store bakke" in page and "Bænken med udsigt" in page
