"""Test helpers of health visiting: a fixed today, synthetic children, contacts.

Time is controlled: ``TODAY`` is a Monday, and the ``frozen`` fixture makes the pages, the API and
the services see it as today. Children get synthetic CPR numbers ``DDMMYY-9NNN`` (serials
9000–9999; the 7th digit 9 means 2000–2036 for these birth years), never real ones.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from borneliv.children import services as children_services
from borneliv.children.models import Child, VulnerabilityPeriod
from borneliv.healthvisits import services
from borneliv.healthvisits.models import Contact, Stage, Topic
from borneliv.organisations.models import Area, Institution
from borneliv.testing import World

TODAY = dt.date(2025, 3, 10)  # a Monday
PATCHED = (
    "borneliv.healthvisits.views",
    "borneliv.healthvisits.services",
    "borneliv.healthvisits.api",
)


def cpr(born: dt.date, serial: int) -> str:
    """A synthetic CPR number: the birth date, then a serial from 9000 to 9999."""
    assert 2000 <= born.year <= 2036 and 0 <= serial <= 999
    return f"{born:%d%m%y}-{9000 + serial:04d}"


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> dt.date:
    """Pages, API and services see ``TODAY`` as today."""
    for module in PATCHED:
        monkeypatch.setattr(f"{module}.today", lambda: TODAY)
    return TODAY


MakeChild = Callable[..., Child]


@pytest.fixture
def make_child(world: World) -> Iterator[MakeChild]:
    """``make_child(age_days=130, area=world.lindholm, vulnerable=True)``: a registered child."""
    serials = itertools.count()
    families = itertools.count(1)

    def make(
        *,
        age_days: int | None = None,
        born: dt.date | None = None,
        area: Area | None = None,
        first_name: str = "Ada",
        last_name: str | None = None,
        vulnerable: bool = False,
        family: Any = None,
        on: dt.date = TODAY,
    ) -> Child:
        birth = born or on - dt.timedelta(days=age_days or 0)
        number = next(serials)
        if family is None and vulnerable:
            family = children_services.family_create(name=f"Familie {next(families)}")
        child = children_services.child_register(
            cpr=cpr(birth, number),
            first_name=first_name,
            last_name=last_name or f"Barn{number:03d}",
            area=area or world.lindholm,
            family=family,
            is_synthetic=True,
        )
        if vulnerable and not VulnerabilityPeriod.objects.filter(family=family).exists():
            children_services.vulnerability_set(
                family=family, reason="social", valid_from=birth, by=world.hanne
            )
        return child

    yield make


def stage(code: str) -> Stage:
    return Stage.objects.get(code=code)


def topic(code: str) -> Topic:
    return Topic.objects.get(code=code)


def unit_of(world: World, child: Child) -> Institution:
    municipality = child.residences.get().area.municipality_id
    return {
        world.aalborg.pk: world.aalborg_health,
        world.albertslund.pk: world.albertslund_health,
        world.frederikssund.pk: world.frederikssund_health,
    }[municipality]


@pytest.fixture
def record(world: World, frozen: dt.date) -> Callable[..., Contact]:
    """``record(child, "enhanced_visit_4_6m", on=date)``: a contact through the service."""

    def make(
        child: Child,
        stage_code: str | None = None,
        *,
        on: dt.date | None = None,
        outcome: str = "completed",
        topics: tuple[str, ...] = (),
        by: Any = None,
        mode: str = "home_visit",
    ) -> Contact:
        return services.contact_record(
            child=child,
            unit=unit_of(world, child),
            by=by or world.hanne,
            contact_date=on or frozen,
            mode=mode,
            outcome=outcome,
            stage=stage(stage_code) if stage_code else None,
            topics=[topic(t) for t in topics],
        )

    return make
