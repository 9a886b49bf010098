"""How long work reports its progress, without Django: one protocol for the task runner, the
management commands and the tests.

A long write (an extract import, a recompute) takes a ``Progress`` and calls ``line(text)`` when
it reaches a new stage and ``progress(done, total)`` as it goes. ``borneliv.jobs`` stores both on
the job (the page's bar and log); a command prints them (``PrintProgress``); ``NO_PROGRESS``
drops them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol


class Progress(Protocol):
    def line(self, text: str) -> None:
        """A new stage, in words for the person who started the work."""

    def progress(self, done: int, total: int) -> None:
        """How far the current stage is: ``done`` of ``total`` (any unit)."""


class _NoProgress:
    def line(self, text: str) -> None:
        pass

    def progress(self, done: int, total: int) -> None:
        pass


NO_PROGRESS: Progress = _NoProgress()


class PrintProgress:
    """Each line printed as it comes; the numbers left to the line's own words."""

    def __init__(self, write: Callable[[str], object]) -> None:
        self.write = write

    def line(self, text: str) -> None:
        self.write(text)

    def progress(self, done: int, total: int) -> None:
        pass
