"""Process start-up for production servers: check the settings a server needs, load what every
request needs, then freeze it.

A Django process holds hundreds of thousands of long-lived objects (modules, models, URL patterns,
templates). Python's cyclic garbage collector traverses all of them on every full collection, and
a request that builds many small objects (the worklist reads thousands of rows) triggers such
collections: they showed up as 50–100 ms outliers in the worklist's p95
(``benchmarks/bench_worklist.py``). ``gc.freeze()`` moves everything alive after start-up into a
permanent generation the collector no longer scans; with forking servers it also keeps those
pages shared between workers (the collector no longer writes to them).
"""

from __future__ import annotations

import gc


def warm_up_and_freeze() -> None:
    """Import the URL configuration (and with it every view module), then ``gc.freeze()``."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018  (loading the URLconf is the point)
    gc.collect()
    gc.freeze()


#: One line, naming the variable: what an operator sees when a server refuses to start.
SITE_URL_MISSING = (
    "BORNELIV_SITE_URL is not set: set it to the address people open the site at, e.g. "
    "https://borneliv.example.dk (the Nærhedscirkel's public links and the posters' QR codes "
    "use it); `borneliv serve --addr HOST:PORT` sets it from the address it serves."
)


def require_site_url() -> None:
    """Refuse to serve without ``BORNELIV_SITE_URL`` when ``DEBUG`` is off (production).

    A request's host is no substitute behind a proxy, and a wrong address printed as a QR code on
    a poster stays wrong for as long as the poster hangs there.
    """
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    if not settings.DEBUG and not settings.SITE_URL:
        raise ImproperlyConfigured(SITE_URL_MISSING)
