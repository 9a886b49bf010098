"""Settings for Børneliv: one file, configured from the environment.

Every value that differs between a laptop demo and production comes from an environment variable
(see README, "Configuration"). For local use, ``borneliv init-local`` writes ``var/local.env`` with
freshly generated secrets; real environment variables always win over that file.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from borneliv.lib.env import (
    envbool,
    envint,
    envlist,
    envorigin,
    envsecret,
    envstr,
    load_env_file,
    origin_host,
)

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(envstr("BORNELIV_VAR_DIR", str(PROJECT_DIR / "var")))
load_env_file(Path(envstr("BORNELIV_ENV_FILE", str(VAR_DIR / "local.env"))))

SECRET_KEY = envsecret("BORNELIV_SECRET_KEY") or ""
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "BORNELIV_SECRET_KEY is not set. In production set it (or BORNELIV_SECRET_KEY_FILE); "
        "for a local demo run `make run` or `borneliv init-local`, which writes var/local.env."
    )

# Children's CPR numbers: Fernet key for encryption, separate key for the HMAC pseudonym.
CPR_KEY = envsecret("BORNELIV_CPR_KEY") or ""
PSEUDONYM_KEY = envsecret("BORNELIV_PSEUDONYM_KEY") or ""
if not CPR_KEY or not PSEUDONYM_KEY:
    raise ImproperlyConfigured(
        "BORNELIV_CPR_KEY and BORNELIV_PSEUDONYM_KEY must be set (or their *_FILE variants); "
        "`borneliv init-local` generates both for a local demo."
    )

DEBUG = envbool("BORNELIV_DEBUG", False)
# The address people open the site at (scheme and host): the Nærhedscirkel's public links and
# the QR codes on printed posters are made from it. Behind a proxy a request's host cannot be
# trusted for a poster that hangs on a wall for years, so this setting always wins.
# `borneliv serve --addr` sets it from the address it serves; a server started with DEBUG off
# refuses to start without it (borneliv/wsgi.py, lib/runtime.py). Empty only outside a server
# (tests, shell): then links use the request's address.
try:
    SITE_URL = envorigin("BORNELIV_SITE_URL")
except ValueError as exc:
    raise ImproperlyConfigured(str(exc)) from exc
ALLOWED_HOSTS = envlist(
    "BORNELIV_ALLOWED_HOSTS",
    ["127.0.0.1", "localhost", *([origin_host(SITE_URL)] if SITE_URL else [])],
)
CSRF_TRUSTED_ORIGINS = envlist("BORNELIV_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "simple_history",
    "rules.apps.AutodiscoverRulesConfig",
    "borneliv.accounts.third_party.LockoutsConfig",  # django-axes, named in Danish
    "csp",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "borneliv.accounts",
    "borneliv.jobs",
    "borneliv.organisations",
    "borneliv.children",
    "borneliv.healthvisits",
    "borneliv.growth",
    "borneliv.motor",
    "borneliv.nearby",
    "borneliv.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "borneliv.accounts.middleware.preferred_language",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "borneliv.accounts.middleware.require_own_password",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "borneliv.lib.middleware.security_headers",
    # Last, so that it sees the outcome of authentication backends.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "borneliv.urls"
WSGI_APPLICATION = "borneliv.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "borneliv.accounts.context_processors.navigation",
                "borneliv.organisations.context_processors.programme",
            ],
        },
    },
]

# SQLite by default, so a clone runs with no setup; PostgreSQL in production via DATABASE_URL.
DATABASES = {
    "default": dj_database_url.parse(
        envstr("DATABASE_URL", f"sqlite:///{VAR_DIR / 'borneliv.sqlite3'}"),
        conn_max_age=envint("BORNELIV_DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {"transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "borneliv.accounts.backends.PasswordBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Failed logins: lock a username+address pair after 5 failures for 15 minutes.
AXES_FAILURE_LIMIT = envint("BORNELIV_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = envint("BORNELIV_LOGIN_COOLOFF_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# Sessions, cookies, transport security.
HTTPS = envbool("BORNELIV_HTTPS", True)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = envint("BORNELIV_SESSION_SECONDS", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = HTTPS and envbool("BORNELIV_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = envint("BORNELIV_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None

# Content Security Policy: only our own scripts and styles; map tiles only when configured.
MAP_TILE_URL = envstr("BORNELIV_MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = envstr("BORNELIV_MAP_TILE_ATTRIBUTION", "© OpenStreetMap contributors")
_img_src = ["'self'", "data:"]
if MAP_TILE_URL:
    from urllib.parse import urlsplit

    _tile = urlsplit(MAP_TILE_URL.replace("{s}", "a"))
    _img_src.append(f"{_tile.scheme}://{_tile.netloc.replace('a.', '*.', 1)}")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": _img_src,
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Language: Danish first, English second; dates as dd.mm.yyyy in Danish (see formats/).
LANGUAGE_CODE = "da"
LANGUAGES = [("da", _("Danish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["borneliv.formats"]
TIME_ZONE = "Europe/Copenhagen"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise expects it even when serving finders
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": envstr("BORNELIV_LOG_LEVEL", "INFO")},
    # fontTools reports every font it subsets into a PDF (the posters) at INFO.
    "loggers": {"axes": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}

# Small-cell suppression threshold for every aggregate that leaves the system (never below 3).
DISCLOSURE_THRESHOLD = max(3, envint("BORNELIV_DISCLOSURE_THRESHOLD", 5))
# The IOTF reference stored classifications use: "2012" (Cole & Lobstein LMS) or "2000" (Cole
# 2000 cut-offs). After changing it, run `borneliv growth recompute`.
GROWTH_IOTF = envstr("BORNELIV_GROWTH_IOTF", "2012")
if GROWTH_IOTF not in ("2012", "2000"):
    raise ImproperlyConfigured("BORNELIV_GROWTH_IOTF must be 2012 or 2000.")

# The Nærhedscirkel: parsed map extracts and circles' base maps (large files, not in the database).
NEARBY_DIR = Path(envstr("BORNELIV_NEARBY_DIR", str(VAR_DIR / "nearby")))

# Background work (docs/decisions/0004): tasks are stored in the database and run by
# `borneliv db_worker` (`borneliv serve` starts one beside the server). Tests use the same backend
# and run the worker's loop in-process (borneliv/jobs/testing.py).
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

# API
NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_PER_PAGE_SIZE = 500

SIMPLE_HISTORY_REVERT_DISABLED = True
