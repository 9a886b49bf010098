"""The site's address (``BORNELIV_SITE_URL``): what ``borneliv serve`` makes of the address it
serves, what a production server refuses to start without, and the public link and the poster's
QR code made from it, whatever host a request names (a proxy's, say)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from borneliv import cli
from borneliv.lib.runtime import SITE_URL_MISSING
from borneliv.nearby import services
from borneliv.nearby.models import CirclePlace
from borneliv.nearby.tests.conftest import ClientFor, Osterbro, fresh
from borneliv.nearby.tests.qr_reading import decode_qr_codes

PROJECT = Path(__file__).resolve().parents[3]
SITE = "https://borneliv.example.dk"

# --- what `borneliv serve --addr` sets -------------------------------------------------------


@pytest.mark.parametrize(
    ("addr", "site_url"),
    [
        ("127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("8001", "http://127.0.0.1:8001"),  # a port alone serves 127.0.0.1, as runserver does
        ("localhost:9000", "http://localhost:9000"),
        ("Borneliv.Local:80", "http://borneliv.local:80"),
        ("192.168.1.20:8000", "http://192.168.1.20:8000"),
        ("[::1]:8000", "http://[::1]:8000"),
    ],
)
def test_serve_makes_the_site_url_of_the_address_it_serves(addr: str, site_url: str) -> None:
    assert cli.served_site_url(addr) == site_url


@pytest.mark.parametrize("addr", ["0.0.0.0:8000", "0:8000"])
def test_serving_every_interface_names_this_machines_address_on_the_network(addr: str) -> None:
    site_url = cli.served_site_url(addr)

    assert site_url == f"http://{cli.network_address()}:8000"
    assert "0.0.0.0" not in site_url  # noqa: S104 (no phone can open that address)


@pytest.mark.parametrize("addr", ["", "abc", "host:", ":8000", "host:99999", "http://x:80"])
def test_a_serve_address_that_is_no_address_is_refused(addr: str) -> None:
    with pytest.raises(ValueError, match="--addr must be PORT or HOST:PORT"):
        cli.served_site_url(addr)


@pytest.fixture
def no_site_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BORNELIV_SITE_URL", raising=False)


def test_serve_sets_the_site_url_when_nothing_else_does(no_site_url: None, tmp_path: Path) -> None:
    served = cli.default_site_url("http://127.0.0.1:8000", env_file=tmp_path / "missing.env")

    assert served == os.environ["BORNELIV_SITE_URL"] == "http://127.0.0.1:8000"


def test_the_local_file_and_the_environment_win_over_the_served_address(
    no_site_url: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    env_file = tmp_path / "local.env"
    env_file.write_text("BORNELIV_SITE_URL=https://from-the-file.example.dk\n", encoding="utf-8")
    assert (
        cli.default_site_url("http://127.0.0.1:8000", env_file=env_file)
        == "https://from-the-file.example.dk"
    )

    monkeypatch.setenv("BORNELIV_SITE_URL", SITE)
    assert cli.default_site_url("http://127.0.0.1:8000", env_file=env_file) == SITE


# --- settings and start-up, in a fresh process as a server would start ---------------------------


def _python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a new interpreter with production's environment: no local file."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("BORNELIV_SITE_URL", "BORNELIV_ALLOWED_HOSTS", "BORNELIV_DEBUG")
    }
    environment.update(
        BORNELIV_ENV_FILE=os.devnull, DJANGO_SETTINGS_MODULE="borneliv.settings", **env
    )
    return subprocess.run(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", code],
        cwd=PROJECT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_production_server_refuses_to_start_without_the_site_url() -> None:
    started = _python("import borneliv.wsgi")

    assert started.returncode != 0
    last_line = started.stderr.strip().splitlines()[-1]
    assert last_line == f"django.core.exceptions.ImproperlyConfigured: {SITE_URL_MISSING}"
    assert "BORNELIV_SITE_URL" in SITE_URL_MISSING and "\n" not in SITE_URL_MISSING


def test_a_production_server_starts_with_the_site_url_and_allows_its_host() -> None:
    started = _python(
        "import borneliv.wsgi; from django.conf import settings; "
        "print(settings.SITE_URL, ','.join(settings.ALLOWED_HOSTS))",
        BORNELIV_SITE_URL=f"{SITE}/",
    )

    assert started.returncode == 0, started.stderr
    assert started.stdout.split() == [SITE, "127.0.0.1,localhost,borneliv.example.dk"]


def test_a_site_url_with_a_path_stops_the_start_with_one_line() -> None:
    started = _python(
        "from borneliv import cli; cli.main(['check'])",
        BORNELIV_SITE_URL="https://kommune.example.dk/borneliv",
    )

    assert started.returncode != 0
    assert started.stderr.strip().splitlines() == [
        "borneliv: configuration error: BORNELIV_SITE_URL must be the site's address with scheme "
        "and host, and no path, e.g. https://borneliv.example.dk or http://192.168.1.20:8000, "
        "not 'https://kommune.example.dk/borneliv'"
    ]


def test_debug_pages_need_no_site_url() -> None:
    started = _python("import borneliv.wsgi", BORNELIV_DEBUG="1")

    assert started.returncode == 0, started.stderr


# --- the public link and the QR code ------------------------------------------------------------


def test_the_site_url_wins_over_the_host_a_request_names(
    osterbro: Osterbro, client_for: ClientFor, settings: Any
) -> None:
    settings.SITE_URL = SITE
    circle = fresh(osterbro.troldhoj_circle)
    services.place_curate(
        by=osterbro.world.pia,
        place=CirclePlace.objects.get(circle=circle, osm_key="osm:way/218537939"),
        included=True,
    )
    expected = f"{SITE}/nearby/p/{circle.public_token}/"
    client = client_for("pia")

    # Behind a proxy the request may name the proxy's or an internal host: not for a poster.
    page = client.get(f"/nearby/institutions/{osterbro.troldhoj.pk}/", HTTP_HOST="127.0.0.1")
    poster = client.get(
        f"/nearby/institutions/{osterbro.troldhoj.pk}/poster.png", HTTP_HOST="localhost"
    )

    assert f'href="{expected}"' in page.content.decode()
    assert decode_qr_codes(poster.content) == [expected]


def test_without_a_site_url_the_link_is_the_address_the_page_was_served_at(
    osterbro: Osterbro, client_for: ClientFor, settings: Any
) -> None:
    settings.SITE_URL = ""  # only outside a server: tests, the shell
    circle = fresh(osterbro.troldhoj_circle)

    page = client_for("pia").get(f"/nearby/institutions/{osterbro.troldhoj.pk}/")

    assert f'href="http://testserver/nearby/p/{circle.public_token}/"' in page.content.decode()
