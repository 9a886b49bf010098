"""The kinds of background work, registered by the apps that own them.

``jobs`` sits just above ``accounts``: it cannot import the apps whose work it runs. Each such app
registers a ``JobKind`` in its ``AppConfig.ready()`` (as ``accounts.landing`` takes panels):

    register(JobKind("nearby.extract_import", run=extract_import_job, title=import_title,
                     permission="nearby.import_extract"))

``run(progress, by, **params)`` does the work (``progress`` is the job's ``lib.jobs.Progress``;
``by`` the user who started it, or None for the system) and returns an ``Outcome``: the summary
lines and the page that shows the result. A ``ValidationError`` it raises is shown to the starter
as the job's error; anything else is logged and shown as an unexpected error.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from borneliv.accounts.actors import Actor
    from borneliv.lib.jobs import Progress


@dataclass
class Outcome:
    """What finished work tells its starter: a few lines and where to see the result."""

    summary: list[str] = field(default_factory=list)
    url: str = ""


@dataclass(frozen=True)
class JobKind:
    name: str
    run: Callable[..., Outcome]
    # The job's title in the starter's words, from its parameters ("Importing x.osm.pbf …").
    title: Callable[[Mapping[str, Any]], str]
    # Checked for the starter when the job is queued (None: anyone who can reach the form).
    permission: str | None = None

    def call(self, progress: Progress, by: Actor, params: Mapping[str, Any]) -> Outcome:
        return self.run(progress, by, **params)


_KINDS: dict[str, JobKind] = {}


def register(kind: JobKind) -> None:
    """Make ``kind`` known; registering the same name again replaces it (tests, reloads)."""
    _KINDS[kind.name] = kind


def get(name: str) -> JobKind:
    try:
        return _KINDS[name]
    except KeyError:
        raise LookupError(f"no background job kind {name!r} is registered") from None


def names() -> list[str]:
    return sorted(_KINDS)
