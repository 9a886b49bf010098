"""Login, lockout, cookies, security headers and the settings that drive them."""

from __future__ import annotations

import datetime as dt
import importlib.util
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.core.exceptions import ImproperlyConfigured
from django.db.models import F
from django.test import Client
from pytest_django import Settings

import borneliv.settings
from borneliv.testing import PASSWORD, World

ClientFor = Callable[[str], Client]


def log_in(
    client: Client, username: str, password: str, *, address: str = "10.0.0.1", next_url: str = ""
) -> Any:
    data = {"username": username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post("/login/", data, REMOTE_ADDR=address)


def logged_in_as(client: Client) -> str | None:
    response = client.get("/api/v1/municipalities")
    if response.status_code != 200:
        return None
    user_id = client.session.get("_auth_user_id")
    return str(user_id) if user_id else None


# Logging in


def test_it_logs_in_with_the_right_password(world: World) -> None:
    client = Client()
    response = log_in(client, "hanne", PASSWORD)
    assert (response.status_code, response["Location"]) == (302, "/")
    assert logged_in_as(client) == str(world.hanne.pk)
    assert client.get("/", follow=True).status_code == 200


def test_it_refuses_a_wrong_password(world: World) -> None:
    client = Client()
    response = log_in(client, "hanne", "wrong-password")
    assert response.status_code == 200
    assert response.context["form"].errors["__all__"]
    assert logged_in_as(client) is None


def test_it_follows_a_local_next_url_after_login(world: World) -> None:
    response = log_in(Client(), "lars", PASSWORD, next_url="/programme/")
    assert response["Location"] == "/programme/"


def test_it_never_redirects_to_another_site_after_login(world: World) -> None:
    response = log_in(Client(), "lars", PASSWORD, next_url="https://evil.example/phish")
    assert response["Location"] == "/"


def test_the_login_form_refuses_a_post_without_a_csrf_token(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    response = log_in(client, "hanne", PASSWORD)
    assert response.status_code == 403
    assert logged_in_as(client) is None


def test_five_failed_logins_lock_the_username_at_that_address(world: World) -> None:
    client = Client()
    client.cookies["django_language"] = "en"
    statuses = [log_in(client, "hanne", f"guess-{n}").status_code for n in range(1, 6)]
    assert statuses == [200, 200, 200, 200, 429]

    sixth = log_in(client, "hanne", PASSWORD)
    assert sixth.status_code == 429
    assert "Too many failed logins" in sixth.content.decode()
    assert logged_in_as(client) is None


def test_the_lockout_holds_only_for_that_username_and_address(world: World) -> None:
    for n in range(5):
        log_in(Client(), "hanne", f"guess-{n}", address="10.0.0.1")
    assert log_in(Client(), "hanne", PASSWORD, address="10.0.0.2").status_code == 302
    assert log_in(Client(), "lars", PASSWORD, address="10.0.0.1").status_code == 302
    assert log_in(Client(), "hanne", PASSWORD, address="10.0.0.1").status_code == 429


def test_the_lockout_ends_after_the_cool_off_period(world: World) -> None:
    for n in range(5):
        log_in(Client(), "hanne", f"guess-{n}")
    assert log_in(Client(), "hanne", PASSWORD).status_code == 429
    # Let 16 minutes pass for the recorded attempts (time is moved, not waited for).
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - dt.timedelta(minutes=16))
    assert log_in(Client(), "hanne", PASSWORD).status_code == 302


def test_a_successful_login_resets_the_count_of_failures(world: World) -> None:
    for n in range(4):
        log_in(Client(), "hanne", f"guess-{n}")
    assert log_in(Client(), "hanne", PASSWORD).status_code == 302
    statuses = [log_in(Client(), "hanne", f"again-{n}").status_code for n in range(4)]
    assert statuses == [200, 200, 200, 200]
    assert log_in(Client(), "hanne", PASSWORD).status_code == 302


def test_a_deactivated_user_cannot_log_in(world: World) -> None:
    world.hanne.is_active = False
    world.hanne.save()
    client = Client()
    assert log_in(client, "hanne", PASSWORD).status_code == 200
    assert logged_in_as(client) is None


# Logging out


def test_logout_refuses_a_get(client_for: ClientFor) -> None:
    client = client_for("hanne")
    assert client.get("/logout/").status_code == 405
    assert client.get("/", follow=True).status_code == 200


def test_logout_by_post_ends_the_session(client_for: ClientFor) -> None:
    client = client_for("hanne")
    response = client.post("/logout/")
    assert (response.status_code, response["Location"]) == (302, "/login/")
    assert client.get("/")["Location"] == "/login/?next=/"


# Pages need a login


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/programme/",
        "/programme/goals/",
        "/areas/{lindholm}/",
        "/institutions/{school}/",
        "/institutions/{school}/edit/",
        "/partners/{club}/",
        "/account/api-tokens/",
    ],
)
def test_pages_send_an_anonymous_visitor_to_the_login(world: World, path: str) -> None:
    url = path.format(
        lindholm=world.lindholm.pk, school=world.gl_lindholm_skole.pk, club=world.lindholm_if.pk
    )
    response = Client().get(url)
    assert (response.status_code, response["Location"]) == (302, f"/login/?next={url}")


def test_the_admin_sends_an_anonymous_visitor_to_its_login(db: None) -> None:
    response = Client().get("/admin/")
    assert (response.status_code, response["Location"]) == (302, "/admin/login/?next=/admin/")


def test_revoking_a_token_needs_a_post(client_for: ClientFor) -> None:
    assert client_for("rikke").get("/account/api-tokens/1/revoke/").status_code == 405


# Security headers


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def pages(world: World, client_for: ClientFor) -> dict[str, Any]:
    anonymous = Client()
    hanne = client_for("hanne")
    return {
        "login": anonymous.get("/login/"),
        "home": hanne.get("/"),
        "institution": hanne.get(f"/institutions/{world.aalborg_health.pk}/"),
        "not found": hanne.get(f"/institutions/{world.herstedlund_skole.pk}/"),
        "forbidden": hanne.get("/programme/"),
        "api": hanne.get("/api/v1/institutions"),
        "api docs": hanne.get("/api/v1/docs"),
    }


def test_every_response_carries_a_strict_content_security_policy(
    world: World, client_for: ClientFor
) -> None:
    for name, response in pages(world, client_for).items():
        header = response["Content-Security-Policy"]
        directives = csp_directives(header)
        assert directives["script-src"] == ["'self'"], name
        assert directives["style-src"] == ["'self'"], name
        assert directives["object-src"] == ["'none'"], name
        assert directives["frame-ancestors"] == ["'none'"], name
        assert "'unsafe-inline'" not in header, name
        assert "'unsafe-eval'" not in header, name


def test_every_response_forbids_framing_sniffing_and_leaking_referrers(
    world: World, client_for: ClientFor
) -> None:
    for name, response in pages(world, client_for).items():
        headers = response.headers
        assert headers["X-Frame-Options"] == "DENY", name
        assert headers["X-Content-Type-Options"] == "nosniff", name
        assert headers["Referrer-Policy"] == "same-origin", name
        assert headers["Cross-Origin-Opener-Policy"] == "same-origin", name
        assert "camera=()" in headers["Permissions-Policy"], name
        assert "geolocation=()" in headers["Permissions-Policy"], name
        assert "no-store" in headers["Cache-Control"], name


def test_pages_contain_no_inline_script_or_style(world: World, client_for: ClientFor) -> None:
    for name, response in pages(world, client_for).items():
        if name == "api":
            continue
        html = response.content.decode()
        assert " style=" not in html, name
        assert "<style" not in html, name
        assert " onclick=" not in html, name
        for opening in html.split("<script")[1:]:
            tag, _sep, body = opening.partition(">")
            code = body.split("</script>")[0].strip()
            assert "src=" in tag or 'type="application/json"' in tag, (name, tag)
            assert "src=" not in tag or code == "", (name, tag)


# Cookies


def test_session_and_csrf_cookies_are_http_only(world: World) -> None:
    client = Client()
    client.get("/login/")
    log_in(client, "hanne", PASSWORD)
    session, csrf = client.cookies["sessionid"], client.cookies["csrftoken"]
    assert (session["httponly"], session["samesite"]) == (True, "Lax")
    assert csrf["httponly"] is True


def test_cookies_are_secure_when_https_is_on(world: World, settings: Settings) -> None:
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    client = Client()
    client.get("/login/", secure=True)
    log_in(client, "hanne", PASSWORD)
    assert client.cookies["sessionid"]["secure"] is True
    assert client.cookies["csrftoken"]["secure"] is True


# Settings from the environment


@pytest.fixture
def load_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[..., ModuleType]:
    """Execute settings.py afresh under a given environment (never touching the live settings)."""

    def load(**environment: str | None) -> ModuleType:
        monkeypatch.setenv("BORNELIV_ENV_FILE", str(tmp_path / "absent.env"))
        monkeypatch.setenv("BORNELIV_SECRET_KEY", "a-test-secret-that-is-long-enough-0123456789")
        for name in ("BORNELIV_HTTPS", "BORNELIV_SSL_REDIRECT", "BORNELIV_HSTS_SECONDS"):
            monkeypatch.delenv(name, raising=False)
        for name, value in environment.items():
            if value is None:
                monkeypatch.delenv(name, raising=False)
            else:
                monkeypatch.setenv(name, value)
        spec = importlib.util.spec_from_file_location(
            "borneliv_settings_under_test", borneliv.settings.__file__
        )
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    return load


def test_https_is_on_unless_switched_off(load_settings: Callable[..., ModuleType]) -> None:
    on = load_settings()
    assert (on.SESSION_COOKIE_SECURE, on.CSRF_COOKIE_SECURE, on.SECURE_SSL_REDIRECT) == (
        True,
        True,
        True,
    )
    assert on.SECURE_HSTS_SECONDS == 31536000
    assert on.SECURE_PROXY_SSL_HEADER == ("HTTP_X_FORWARDED_PROTO", "https")


def test_https_off_is_for_a_local_demo(load_settings: Callable[..., ModuleType]) -> None:
    off = load_settings(BORNELIV_HTTPS="0")
    assert (off.SESSION_COOKIE_SECURE, off.CSRF_COOKIE_SECURE, off.SECURE_SSL_REDIRECT) == (
        False,
        False,
        False,
    )
    assert off.SECURE_HSTS_SECONDS == 0
    assert (off.SESSION_COOKIE_HTTPONLY, off.CSRF_COOKIE_HTTPONLY) == (True, True)


def test_it_refuses_to_start_without_a_secret_key(
    load_settings: Callable[..., ModuleType],
) -> None:
    with pytest.raises(ImproperlyConfigured, match="BORNELIV_SECRET_KEY is not set"):
        load_settings(BORNELIV_SECRET_KEY=None, BORNELIV_SECRET_KEY_FILE=None)


def test_it_reads_the_secret_key_from_a_file(
    load_settings: Callable[..., ModuleType], tmp_path: Path
) -> None:
    secret = tmp_path / "secret_key"
    secret.write_text("from-a-container-secret\n", encoding="utf-8")
    loaded = load_settings(BORNELIV_SECRET_KEY=None, BORNELIV_SECRET_KEY_FILE=str(secret))
    assert loaded.SECRET_KEY == "from-a-container-secret"


def test_the_login_throttle_is_five_failures_for_fifteen_minutes_by_default(
    load_settings: Callable[..., ModuleType],
) -> None:
    loaded = load_settings(BORNELIV_LOGIN_FAILURE_LIMIT=None, BORNELIV_LOGIN_COOLOFF_MINUTES=None)
    assert (loaded.AXES_FAILURE_LIMIT, loaded.AXES_COOLOFF_TIME) == (5, 0.25)
    assert loaded.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
