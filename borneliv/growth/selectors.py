"""Reads of a child's growth: its measurements, ready for the page, the chart and the API.

The child must already have been fetched through ``Child.objects.visible_to(user)`` (the scope);
these functions read that one child's measurements in a fixed number of queries.
Prevalence (aggregates) lives in ``prevalence.py``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from borneliv.accounts.models import Role, today
from borneliv.children.models import Child, Residence
from borneliv.growth import engine
from borneliv.growth.models import COUNTED_STATUSES, Measurement, MeasurementQuerySet, ReviewStatus
from borneliv.growth.services import HOLD_FLAGS
from borneliv.organisations.models import Institution

#: The chart's status of a measurement, by its review status.
CHART_STATUS: dict[str, str] = {
    ReviewStatus.ACCEPTED: "counted",
    ReviewStatus.CONFIRMED: "counted",
    ReviewStatus.HELD: "held",
    ReviewStatus.REJECTED: "rejected",
}

#: Sex codes of the engine and the charts (1 boys, 2 girls) by ``Child.sex``.
SEX_CODES: dict[str, int] = {Child.Sex.MALE: 1, Child.Sex.FEMALE: 2}


def measurements_of(child: Child) -> MeasurementQuerySet:
    """The child's measurements, oldest first, with who measured them and where (one query)."""
    return (
        Measurement.objects.filter(child=child)
        .select_related("measured_by", "institution", "reviewed_by")
        .order_by("measured_on", "context", "pk")
    )


def chart_status(measurement: Measurement) -> str:
    """``counted``, ``held`` or ``rejected``: how the chart draws a measurement."""
    return CHART_STATUS.get(measurement.review_status, "held")


def is_counted(measurement: Measurement) -> bool:
    return measurement.review_status in COUNTED_STATUSES


def hold_flags(measurement: Measurement) -> int:
    """The flags of a measurement that hold it for review (``services.HOLD_FLAGS``)."""
    return measurement.flags & HOLD_FLAGS


@dataclass(frozen=True)
class ChartSeries:
    """A child's measurements as the chart engine wants them (parallel arrays)."""

    sex: int
    age_days: NDArray[np.float64]
    bmi: NDArray[np.float64]
    height_cm: NDArray[np.float64]
    weight_kg: NDArray[np.float64]
    position: tuple[str, ...]  # "L", "H" or ""
    status: tuple[str, ...]


def chart_series(child: Child, measurements: list[Measurement]) -> ChartSeries:
    """The arrays the chart functions of ``charts`` draw for a child."""
    ages = np.array(
        [(m.measured_on - child.birth_date).days for m in measurements], dtype=np.float64
    )
    bmi = np.array([np.nan if m.bmi is None else m.bmi for m in measurements], dtype=np.float64)
    height = np.array(
        [np.nan if m.height_cm is None else float(m.height_cm) for m in measurements],
        dtype=np.float64,
    )
    weight = np.array(
        [np.nan if m.weight_kg is None else float(m.weight_kg) for m in measurements],
        dtype=np.float64,
    )
    return ChartSeries(
        sex=SEX_CODES[child.sex],
        age_days=ages,
        bmi=bmi,
        height_cm=height,
        weight_kg=weight,
        position=tuple(m.position for m in measurements),
        status=tuple(chart_status(m) for m in measurements),
    )


def has_weight_for_length(child: Child, measurements: list[Measurement]) -> bool:
    """Whether a measurement before 2 years (day 731) has a weight and a length to chart."""
    return any(
        m.weight_kg is not None
        and m.height_cm is not None
        and (m.measured_on - child.birth_date).days < engine.HEIGHT_BASED_FROM_DAYS
        for m in measurements
    )


def latest_counted(measurements: list[Measurement]) -> Measurement | None:
    """The newest measurement that counts (accepted or confirmed), if any."""
    return next((m for m in reversed(measurements) if is_counted(m)), None)


def default_position(child: Child, on: dt.date) -> str:
    """The usual position at the child's age: lying (length) under 2 years, else standing."""
    return "L" if (on - child.birth_date).days < engine.HEIGHT_BASED_FROM_DAYS else "H"


def measuring_unit(user: Any, child: Child) -> Institution | None:
    """The user's health-visiting unit serving the municipality the child lives in today."""
    municipalities = (
        Residence.objects.filter(child=child).valid_on(today()).values("area__municipality_id")
    )
    unit: Institution | None = (
        Institution.objects.filter(
            pk__in=user.scope.institutions_for(Role.HEALTH_VISITOR),
            municipality_id__in=municipalities,
        )
        .order_by("name")
        .first()
    )
    return unit
