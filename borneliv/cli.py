"""The ``borneliv`` command: local setup, the demo server, and every Django management command.

``borneliv init-local`` writes the local secrets file; ``borneliv serve`` is what ``make run``
does (the web server and, beside it, the background worker ``borneliv db_worker``); ``borneliv demo`` migrates and loads the demo; anything else (``borneliv migrate``,
``borneliv createsuperuser`` …) goes to Django's ``manage.py`` machinery.

Later apps add subcommands as modules: list the module in ``SUBCOMMAND_MODULES``; it exposes
``SUBCOMMANDS``, a sequence of :class:`Subcommand`. Such modules must not import Django (or any
module that does) at import time, because the parser is built before settings can load; call
:func:`setup_django` inside ``run`` and import models there.
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from borneliv.lib.env import load_env_file, read_env_file

PROJECT_DIR = Path(__file__).resolve().parent.parent
SETTINGS_MODULE = "borneliv.settings"
DEFAULT_ADDR = "127.0.0.1:8000"

# Modules that contribute subcommands (each exposes ``SUBCOMMANDS``), e.g. "borneliv.growth.cli".
SUBCOMMAND_MODULES: tuple[str, ...] = ("borneliv.growth.cli", "borneliv.nearby.cli")


@dataclass(frozen=True)
class Subcommand:
    """One ``borneliv <name>`` subcommand."""

    name: str
    help: str
    run: Callable[[argparse.Namespace], int]
    add_arguments: Callable[[argparse.ArgumentParser], None] | None = None


# --- local secrets -------------------------------------------------------------------------------


def var_dir() -> Path:
    """Where local data lives; the same rule as ``settings.VAR_DIR``."""
    return Path(os.environ.get("BORNELIV_VAR_DIR", str(PROJECT_DIR / "var")))


def env_file_path() -> Path:
    """The local secrets file; the same rule as the one settings reads."""
    return Path(os.environ.get("BORNELIV_ENV_FILE", str(var_dir() / "local.env")))


# Child-friendly Danish words without æ, ø, å, so the password is easy to read and type.
_WORDS = (
    "bold", "gynge", "skov", "drage", "tromme", "kastanje", "snegl", "hoppe", "cykel",
    "sandslot", "rutsjebane", "klatretov", "regnorm", "solsikke", "fjord", "hule", "trold",
    "egern", "pindsvin", "mose", "bakke", "spand", "skovl", "stylte", "kaelk", "tumle", "leg",
    "hest", "ko", "gris", "ged", "lam", "kanin", "ugle", "krage", "spurv", "frø", "tudse",
    "gulerod", "aeble", "pære", "blomme", "jordbaer", "agurk", "rugbrod", "havregryn", "suppe",
    "madpakke", "sti", "bro", "aa", "strand", "sten", "pind", "kogle", "blad", "sky", "regn",
    "sol", "vind", "sne", "hal", "mudder", "vandpyt",
)  # fmt: skip


def demo_password() -> str:
    """A readable random password: three words and four digits, e.g. ``skov-drage-hule-4821``."""
    words = [secrets.choice(_WORDS) for _ in range(3)]
    return "-".join([*words, f"{secrets.randbelow(10_000):04d}"])


def _fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode("ascii")


# Each key and how to make its value; later keys are added to existing files by init-local.
LOCAL_ENV_KEYS: dict[str, Callable[[], str]] = {
    "BORNELIV_SECRET_KEY": lambda: secrets.token_urlsafe(50),
    "BORNELIV_HTTPS": lambda: "0",
    "BORNELIV_DEBUG": lambda: "0",
    "BORNELIV_DEMO_PASSWORD": demo_password,
    "BORNELIV_CPR_KEY": _fernet_key,
    "BORNELIV_PSEUDONYM_KEY": lambda: secrets.token_hex(32),
}

_HEADER = (
    "# Local settings and secrets for Børneliv, written by `borneliv init-local`.\n"
    "# Never commit or share this file. Real environment variables override these values.\n"
)


def init_local(path: Path | None = None) -> tuple[Path, list[str]]:
    """Write the local secrets file if missing, or add the keys it lacks; never overwrite.

    Returns the path and the keys written. The file is made readable by its owner only.
    """
    path = path or env_file_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    existing = read_env_file(path)
    missing = [key for key in LOCAL_ENV_KEYS if key not in existing]
    if not missing:
        return path, []
    lines = "".join(f"{key}={LOCAL_ENV_KEYS[key]()}\n" for key in missing)
    if path.exists():
        text = path.read_text(encoding="utf-8")
        with path.open("a", encoding="utf-8") as handle:
            handle.write(("" if text.endswith("\n") or not text else "\n") + lines)
    else:
        # Created 0600 from the start, so the secrets are never readable by others.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(_HEADER + lines)
    path.chmod(0o600)
    return path, missing


def _init_local_or_exit(*, quiet: bool) -> Path:
    try:
        path, written = init_local()
    except (OSError, ValueError) as exc:
        raise SystemExit(f"borneliv: cannot prepare the local settings file: {exc}") from exc
    if written and not quiet:
        print(f"Wrote {', '.join(written)} to {path} (mode 0600).")
    return path


def _run_init_local(args: argparse.Namespace) -> int:
    path = _init_local_or_exit(quiet=args.quiet)
    if not args.quiet:
        print(f"Local settings: {path}")
    return 0


def _add_init_local_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quiet", action="store_true", help="print nothing unless on error")


# --- Django --------------------------------------------------------------------------------------


def setup_django() -> None:
    """Load the local env file and settings, and make sure the data directory exists."""
    load_env_file(env_file_path())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
        from django.conf import settings

        Path(settings.VAR_DIR).mkdir(parents=True, exist_ok=True)
        # WhiteNoise warns at every start when STATIC_ROOT is missing; it serves via finders.
        Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    except ImproperlyConfigured as exc:
        raise SystemExit(f"borneliv: configuration error: {exc}") from exc


def _migrate() -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if not plan:
        print("Database is up to date.")
        return
    print(f"Migrating the database ({len(plan)} migrations)…", flush=True)
    call_command("migrate", interactive=False, verbosity=0)


def default_site_url(site_url: str, *, env_file: Path) -> str:
    """Make ``site_url`` the site's address unless the environment or ``env_file`` sets one.

    Real variables win, then the local file, then the address served. Returns the one in force.
    """
    load_env_file(env_file)
    return os.environ.setdefault("BORNELIV_SITE_URL", site_url)


def _prepare_demo(*, site_url: str | None = None) -> None:
    """init-local, migrate, load the demo if the database is empty; prints the logins.

    ``site_url`` becomes ``BORNELIV_SITE_URL`` unless the environment or the local file sets it.
    """
    path = _init_local_or_exit(quiet=False)
    if site_url is not None:
        default_site_url(site_url, env_file=path)
    setup_django()
    from django.core.management import CommandError, call_command

    try:
        _migrate()
        call_command("load_demo")
    except CommandError as exc:
        raise SystemExit(f"borneliv: {exc}") from exc


def _run_demo(args: argparse.Namespace) -> int:
    _prepare_demo()
    return 0


#: ``--addr`` hosts that mean "every interface": the server is for other devices on the network.
_ALL_INTERFACES = frozenset({"0", "0.0.0.0", "[::]"})  # noqa: S104 (recognised, not bound)


def network_address(*, ipv6: bool = False) -> str:
    """This machine's address on its network; the loopback address when it has none.

    Connecting a UDP socket sends nothing: it only makes the system choose the route (towards a
    documentation address that is never routed), and with it the local address.
    """
    family, probe, loopback = (
        (socket.AF_INET6, "2001:db8::1", "::1")
        if ipv6
        else (socket.AF_INET, "192.0.2.1", "127.0.0.1")
    )
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as udp:
            udp.connect((probe, 9))
            return str(udp.getsockname()[0])
    except OSError:
        return loopback


def served_site_url(addr: str) -> str:
    """The address ``borneliv serve --addr ADDR`` is reached at: ``http://HOST:PORT``.

    ``PORT`` alone serves 127.0.0.1, as ``runserver`` does. ``0.0.0.0`` (or ``0``, ``[::]``)
    serves every interface, for phones and laptops on the network, so the address is this
    machine's address there. Raises ``ValueError`` for anything but ``[HOST:]PORT``.
    """
    match = re.fullmatch(r"(?:(\[[0-9A-Fa-f:.]+\]|[^:\[\]\s]+):)?(\d{1,5})", addr.strip())
    if match is None or not 0 < int(match.group(2)) < 65536:
        raise ValueError(f"--addr must be PORT or HOST:PORT (e.g. 127.0.0.1:8000), not {addr!r}")
    host, port = (match.group(1) or "127.0.0.1").lower(), int(match.group(2))
    if host in _ALL_INTERFACES:
        host = network_address(ipv6=host.startswith("["))
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


def _run_serve(args: argparse.Namespace) -> int:
    started = time.monotonic()
    try:
        served = served_site_url(args.addr)
    except ValueError as exc:
        raise SystemExit(f"borneliv: {exc}") from exc
    # Public links and the posters' QR codes point where this server is reached, unless the
    # environment or var/local.env names the site's address (BORNELIV_SITE_URL, see settings).
    _prepare_demo(site_url=served)
    from django.conf import settings
    from django.core.management import call_command

    print(
        f"\nBørneliv is ready at {served}/ (prepared in {time.monotonic() - started:.1f} s; "
        "Ctrl+C stops it).",
        flush=True,
    )
    if served != settings.SITE_URL:
        print(f"Public links and posters point to {settings.SITE_URL}/ (BORNELIV_SITE_URL).")
    worker = start_worker()
    try:
        call_command("runserver", args.addr, use_reloader=False)
    finally:
        stop_worker(worker)
    return 0


#: The background worker ``serve`` starts: django-tasks' database worker, polling every second.
WORKER_COMMAND = ("db_worker", "--interval", "1", "--no-startup-delay", "--no-reload")


def start_worker() -> subprocess.Popen[bytes]:
    """The background worker (imports, recomputations) as a child process of this one.

    It inherits the environment, so it reads the same database and settings as the server.
    """
    return subprocess.Popen([sys.executable, "-m", "borneliv", *WORKER_COMMAND])  # noqa: S603


def stop_worker(worker: subprocess.Popen[bytes], *, timeout: float = 10.0) -> int:
    """Stop the worker: SIGTERM lets it finish the task at hand; after ``timeout``, kill it."""
    if worker.poll() is None:
        worker.terminate()
        try:
            worker.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
    return int(worker.returncode)


def _add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--addr",
        default=DEFAULT_ADDR,
        help=f"address and port to serve on (default {DEFAULT_ADDR}); public links and the "
        "posters' QR codes point there unless BORNELIV_SITE_URL is set",
    )


def run_django(argv: Sequence[str]) -> int:
    """Run a Django management command, as ``manage.py`` would."""
    load_env_file(env_file_path())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(["borneliv", *argv])
    except ImproperlyConfigured as exc:
        raise SystemExit(f"borneliv: configuration error: {exc}") from exc
    return 0


# --- the parser ----------------------------------------------------------------------------------

BUILTIN_SUBCOMMANDS: tuple[Subcommand, ...] = (
    Subcommand(
        "init-local",
        "write var/local.env with fresh local secrets if it is missing (never overwrites)",
        _run_init_local,
        _add_init_local_arguments,
    ),
    Subcommand(
        "serve",
        "set up, migrate, load the demo if the database is empty, print the logins and serve",
        _run_serve,
        _add_serve_arguments,
    ),
    Subcommand(
        "demo", "set up, migrate and load the demo programme into an empty database", _run_demo
    ),
)


def subcommands() -> dict[str, Subcommand]:
    """The built-in subcommands and those contributed by ``SUBCOMMAND_MODULES``."""
    found = {command.name: command for command in BUILTIN_SUBCOMMANDS}
    for module_name in SUBCOMMAND_MODULES:
        module = importlib.import_module(module_name)
        for command in module.SUBCOMMANDS:
            if command.name in found:
                raise RuntimeError(f"{module_name} redefines the subcommand {command.name!r}")
            found[command.name] = command
    return found


def build_parser(commands: dict[str, Subcommand]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="borneliv",
        description="Børneliv: run, document and evaluate Børneliv i sund balance.",
        epilog="Any other command is a Django management command, e.g. `borneliv migrate`, "
        "`borneliv createsuperuser`; `borneliv help` lists them.",
    )
    sub = parser.add_subparsers(dest="command", metavar="command")
    for command in commands.values():
        command_parser = sub.add_parser(command.name, help=command.help, description=command.help)
        if command.add_arguments is not None:
            command.add_arguments(command_parser)
        command_parser.set_defaults(run=command.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    commands = subcommands()
    if args and not args[0].startswith("-") and args[0] not in commands:
        return run_django(args)
    parser = build_parser(commands)
    namespace = parser.parse_args(args)
    if namespace.command is None:
        parser.print_help()
        return 0
    try:
        return int(namespace.run(namespace))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
