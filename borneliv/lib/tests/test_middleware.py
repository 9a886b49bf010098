"""The response headers that Django's SecurityMiddleware does not set."""

from __future__ import annotations

from django.http import HttpResponse
from django.test import RequestFactory

from borneliv.lib.middleware import PERMISSIONS_POLICY, security_headers


def _respond(path: str, response: HttpResponse | None = None) -> HttpResponse:
    middleware = security_headers(lambda request: response or HttpResponse("ok"))
    result: HttpResponse = middleware(RequestFactory().get(path))
    return result


def test_it_switches_off_powerful_browser_features() -> None:
    response = _respond("/programme/")
    assert response.headers["Permissions-Policy"] == PERMISSIONS_POLICY
    for feature in ("camera=()", "geolocation=()", "microphone=()", "payment=()"):
        assert feature in response.headers["Permissions-Policy"]


def test_it_keeps_pages_out_of_every_cache() -> None:
    assert _respond("/institutions/1/").headers["Cache-Control"] == "no-store, private"


def test_it_lets_static_files_be_cached() -> None:
    assert "Cache-Control" not in _respond("/static/css/app.css").headers


def test_it_keeps_a_cache_header_the_view_chose() -> None:
    chosen = HttpResponse("ok", headers={"Cache-Control": "max-age=60"})
    assert _respond("/api/v1/openapi.json", chosen).headers["Cache-Control"] == "max-age=60"
