"""The production start-up freezes what start-up created (borneliv/wsgi.py, lib/runtime.py)."""

from __future__ import annotations

import gc
import importlib
from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()  # leave the test process as it was


def test_start_up_moves_the_loaded_application_out_of_the_collectors_way(unfrozen: None) -> None:
    from borneliv.lib.runtime import warm_up_and_freeze

    assert gc.get_freeze_count() == 0
    warm_up_and_freeze()
    # Every module, model and URL pattern alive now is in the permanent generation.
    assert gc.get_freeze_count() > 10_000
    assert sum(gc.get_count()) < 1_000  # the collected generations start nearly empty


def test_the_wsgi_entry_point_serves_and_has_frozen_the_start_up(
    unfrozen: None, settings: Any
) -> None:
    settings.SITE_URL = "https://borneliv.example.dk"  # a server needs it (test_site_url.py)
    wsgi = importlib.import_module("borneliv.wsgi")
    importlib.reload(wsgi)
    assert callable(wsgi.application)
    assert gc.get_freeze_count() > 10_000
