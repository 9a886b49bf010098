"""What the demo's loaders share: the progress writer, the demo's own units, local times."""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

from django.db.models import QuerySet
from django.utils import timezone

from borneliv.children.models import Child
from borneliv.demo import data
from borneliv.organisations.models import Institution


class Writer(Protocol):
    """Anything with ``write(str)``: a file, ``sys.stdout``, a management command's stdout."""

    def write(self, message: str, /) -> Any: ...


def say(stdout: Writer | None, message: str) -> None:
    """Write one line of progress, if anyone listens."""
    if stdout is not None:
        stdout.write(message + "\n")


def demo_units() -> QuerySet[Institution]:
    """The demo's own health-visiting units (synthetic SOR codes).

    They tell the demo programme apart from a real one: synthetic children, measurements and
    sessions are only ever added where these units are.
    """
    return Institution.objects.filter(
        kind=Institution.Kind.HEALTH_VISITING,
        official_number__startswith=data.SYNTHETIC_SOR_CODE_PREFIX,
        is_synthetic=True,
    )


def demo_children_only() -> bool:
    """The demo programme with its synthetic children, and no real child beside them."""
    return (
        demo_units().exists()
        and Child.objects.filter(is_synthetic=True).exists()
        and not Child.objects.filter(is_synthetic=False).exists()
    )


def local_time(day: dt.date, hour: int, now: dt.datetime) -> dt.datetime:
    """An aware datetime on ``day`` at ``hour`` (local time), never later than ``now``."""
    moment = dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())
    return min(moment, now)
