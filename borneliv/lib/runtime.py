"""Process start-up for production servers: load what every request needs, then freeze it.

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
