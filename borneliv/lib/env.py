"""Typed readers for settings that come from the environment.

Secrets may be given directly (``NAME``) or as a path to a file holding them (``NAME_FILE``), so
container secrets and systemd credentials work without putting the value in the environment.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def envbool(name: str, default: bool) -> bool:
    """Read a boolean; refuse anything that is not clearly yes or no."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"{name} must be one of {sorted(_TRUE | _FALSE)}, not {raw!r}")


def envint(name: str, default: int) -> int:
    """Read an integer."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be an integer, not {raw!r}") from exc


def envstr(name: str, default: str = "") -> str:
    """Read a string."""
    return os.environ.get(name, default)


def envorigin(name: str, default: str = "") -> str:
    """Read a site's address: ``http(s)://host[:port]``, no path; returned without a final "/".

    An empty value gives ``default``. Anything else (a path, a missing scheme, a bad port) is
    refused, so a printed link is never silently wrong.
    """
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    parts = urlsplit(raw)
    try:
        port = parts.port
    except ValueError:
        port = -1
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or port == -1
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
        or parts.username is not None
    ):
        raise ValueError(
            f"{name} must be the site's address with scheme and host, and no path, e.g. "
            f"https://borneliv.example.dk or http://192.168.1.20:8000, not {raw!r}"
        )
    host = parts.hostname.lower()
    host = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{host}" + (f":{port}" if port is not None else "")


def origin_host(origin: str) -> str:
    """The host of an address read by :func:`envorigin`, as ``ALLOWED_HOSTS`` spells it."""
    host = urlsplit(origin).hostname or ""
    return f"[{host}]" if ":" in host else host


def envlist(name: str, default: list[str]) -> list[str]:
    """Read a comma-separated list."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def envsecret(name: str) -> str | None:
    """Read a secret from ``NAME`` or from the file named by ``NAME_FILE``."""
    value = os.environ.get(name)
    if value:
        return value
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text(encoding="utf-8").strip()
    return None


def read_env_file(path: Path) -> dict[str, str]:
    """Parse a ``KEY=value`` file (comments and blank lines allowed); missing file gives {}."""
    if not path.exists():
        return {}
    values: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        key, sep, value = stripped.partition("=")
        if not sep:
            raise ValueError(f"{path}:{number}: expected KEY=value")
        values[key.strip()] = value.strip()
    return values


def load_env_file(path: Path) -> None:
    """Put a local env file's values into ``os.environ`` without overriding real variables."""
    for key, value in read_env_file(path).items():
        os.environ.setdefault(key, value)
