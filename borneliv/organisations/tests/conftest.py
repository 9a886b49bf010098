"""This package's tests only read or roll back: share one world per module (see root conftest)."""

from __future__ import annotations

import pytest

from borneliv.testing import World


@pytest.fixture
def world(module_world: World) -> World:
    return module_world
