"""Fixtures of the growth tests: the children tests' module world, English UI and clients."""

from borneliv.children.tests.conftest import (  # noqa: F401  (fixtures, registered by import)
    ClientFor,
    _in_english,
    client_for,
    world,
)
