"""API endpoints of growth (registered in borneliv/api.py): a child's measurements, prevalence.

Children are addressed by their random ``public_id``; a child outside the caller's scope answers
404, and every read of a child's measurements writes one access-log row. Prevalence is suppressed
like the page (``lib.disclosure``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja import Status as Reply

from borneliv.children.models import Child
from borneliv.children.services import access_log_record
from borneliv.growth import labels, selectors, services
from borneliv.growth.models import Context, Measurement

router = Router(tags=["growth"])


# --- a child's measurements (the API of growth:child; views/child.py) ----------------------------


class MeasurementOut(Schema):
    id: uuid.UUID = Field(description="The measurement's public id")
    measured_on: dt.date
    age_days: int | None = Field(description="Age on the day, in days")
    context: str = Field(description="health_visit, school_start or other")
    weight_kg: float | None
    height_cm: float | None = Field(description="Length (lying) or height (standing) as measured")
    position: str = Field(description="L = lying (length), H = standing (height), empty = unknown")
    bmi: float | None = Field(description="From the position-adjusted height (WHO rules)")
    bmi_for_age_z: float | None
    weight_for_age_z: float | None
    height_for_age_z: float | None
    weight_for_height_z: float | None
    who_category: str = Field(description="WHO BMI-for-age category code; empty where none")
    who_category_label: str = Field(description="The category in the request's language")
    iotf_adult_bmi: float | None = Field(description="IOTF adult-equivalent BMI (IOTF 2012)")
    iotf_category: str = Field(description="IOTF category code; empty where none")
    iotf_category_label: str
    iotf_version: str = Field(description="2012 or 2000")
    reference: str = Field(description='The references used, e.g. "WHO 2006; IOTF 2012"')
    engine_version: str
    flags: int = Field(description="The engine's flag bit mask")
    flag_messages: list[str] = Field(description="The flags in plain words")
    review_status: str = Field(description="accepted, held, confirmed or rejected")
    counted: bool = Field(description="Counts in figures (accepted or confirmed)")
    note: str
    measured_by: str | None = Field(description="Username of who recorded it, if a user")


class MeasurementIn(Schema):
    measured_on: dt.date
    weight_kg: Decimal | None = Field(None, description="Kilograms, 0.3-200")
    height_cm: Decimal | None = Field(None, description="Centimetres, 25-220, one decimal")
    position: Literal["", "L", "H"] = Field(
        "", description="L = lying (length), H = standing (height); empty = unknown"
    )
    context: Context = Context.HEALTH_VISIT
    note: str = ""


class MeasurementErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] = Field(default_factory=dict)


def _api_user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _api_child(request: HttpRequest, public_id: uuid.UUID) -> Child:
    """The child if the caller may see its measurements; 404 otherwise."""
    user = _api_user(request)
    try:
        child: Child = Child.objects.visible_to(user).get(public_id=public_id)
    except Child.DoesNotExist as exc:
        raise Http404 from exc
    if not user.has_perm("growth.view_measurement", child):
        raise Http404
    return child


def _float(value: Decimal | float | None) -> float | None:
    return None if value is None else float(value)


def _measurement_out(m: Measurement) -> dict[str, Any]:
    return {
        "id": m.public_id,
        "measured_on": m.measured_on,
        "age_days": m.age_days,
        "context": m.context,
        "weight_kg": _float(m.weight_kg),
        "height_cm": _float(m.height_cm),
        "position": m.position,
        "bmi": m.bmi,
        "bmi_for_age_z": m.bmi_for_age_z,
        "weight_for_age_z": m.weight_for_age_z,
        "height_for_age_z": m.height_for_age_z,
        "weight_for_height_z": m.weight_for_height_z,
        "who_category": m.who_category,
        "who_category_label": str(labels.who_category_label(m.who_category)),
        "iotf_adult_bmi": m.iotf_adult_bmi,
        "iotf_category": m.iotf_category,
        "iotf_category_label": str(labels.iotf_category_label(m.iotf_category)),
        "iotf_version": m.iotf_version,
        "reference": m.reference,
        "engine_version": m.engine_version,
        "flags": m.flags,
        "flag_messages": [str(label) for label in labels.flag_labels(m.flags)],
        "review_status": m.review_status,
        "counted": selectors.is_counted(m),
        "note": m.note,
        "measured_by": m.measured_by.username if m.measured_by else None,
    }


def _error_messages(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {
            field: [str(message) for message in ValidationError(errors).messages]
            for field, errors in exc.error_dict.items()
        }
    return {"__all__": [str(message) for message in exc.messages]}


@router.get("/children/{public_id}/measurements", response=list[MeasurementOut])
def child_measurements(request: HttpRequest, public_id: uuid.UUID) -> Any:
    """The child's measurements, oldest first, each with its classification and reference."""
    child = _api_child(request, public_id)
    measurements = list(selectors.measurements_of(child))
    access_log_record(user=_api_user(request), children=child, view="api_growth")
    return [_measurement_out(m) for m in measurements]


@router.post(
    "/children/{public_id}/measurements",
    response={201: MeasurementOut, 403: MeasurementErrorOut, 422: MeasurementErrorOut},
)
def child_measurement_create(
    request: HttpRequest, public_id: uuid.UUID, payload: MeasurementIn
) -> Any:
    """Record a measurement (health visitors of the child's municipality).

    Classified at once; a value that WHO's plausibility rules flag is saved with
    ``review_status`` = held and counts in no figures until reviewed.
    """
    user = _api_user(request)
    child = _api_child(request, public_id)
    if not user.has_perm("growth.add_measurement", child):
        return Reply(403, {"detail": _("You may not record measurements for this child.")})
    try:
        measurement = services.measurement_record(
            child=child,
            measured_on=payload.measured_on,
            context=payload.context.value,
            weight_kg=payload.weight_kg,
            height_cm=payload.height_cm,
            position=payload.position if payload.height_cm is not None else "",
            institution=selectors.measuring_unit(user, child),
            measured_by=user,
            note=payload.note.strip(),
        )
    except ValidationError as exc:
        errors = _error_messages(exc)
        first = next(iter(errors.values()))[0]
        return Reply(
            422,
            {
                "detail": _("The measurement was not recorded: %(reason)s") % {"reason": first},
                "errors": errors,
            },
        )
    return Reply(201, _measurement_out(measurement))


# --- prevalence (the API of growth:prevalence; views/prevalence.py) -------------------------------
# Imports of this section are local names with a prevalence_ prefix, so the section stays apart.
from borneliv.accounts.models import today as prevalence_today  # noqa: E402
from borneliv.growth import prevalence_selectors  # noqa: E402


class PrevalenceCellOut(Schema):
    period: str = Field(description='School year ("2025/26") or calendar year ("2025")')
    period_start: int = Field(description="The first year of the period")
    kind: str = Field(description="programme or comparison")
    is_total: bool = Field(description="The total of all areas of the kind in this answer")
    area_id: int | None = Field(description="The area's id; null for a total")
    area: str = Field(description="The area's name, or the name of the total")
    municipality_code: str | None = Field(description="Kommunekode; null for a total")
    sex: str = Field(description="F (girls), M (boys) or all")
    suppressed: bool = Field(description="Hidden: every number below is null")
    suppression: str = Field(
        description='"" (shown), "small" (too few children) or "complementary" (hidden so that '
        "another hidden cell cannot be worked out from the totals)"
    )
    n: int | None = Field(description="Children counted")
    k: int | None = Field(description="Children with the property")
    share: float | None = Field(description="k / n")
    ci_low: float | None = Field(description="Wilson 95 % confidence interval, lower bound")
    ci_high: float | None = Field(description="Wilson 95 % confidence interval, upper bound")


class PrevalenceNationalOut(Schema):
    percent_low: float
    percent_high: float = Field(description="Equal to percent_low for a single figure")
    period: str
    source: str


class PrevalenceOut(Schema):
    measure: str
    setting: str
    year_from: int
    year_to: int
    municipality: str | None = Field(description="Kommunekode chosen; null for all in scope")
    reference: str = Field(description="The reference and cut-off every cell used")
    threshold: int = Field(description="Cells about fewer children than this are suppressed")
    national: PrevalenceNationalOut | None = Field(
        description="The published national figure; null where none is published"
    )
    notes: list[str]
    cells: list[PrevalenceCellOut]


class PrevalenceErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] = Field(default_factory=dict)


@router.get(
    "/prevalence",
    response={200: PrevalenceOut, 403: PrevalenceErrorOut, 422: PrevalenceErrorOut},
)
def prevalence(
    request: HttpRequest,
    measure: str = "overweight",
    setting: str = "school_start",
    year_from: int | None = None,
    year_to: int | None = None,
    municipality: str | None = None,
) -> Any:
    """Prevalence by area × period × sex, suppressed exactly as the page ``/growth/prevalence/``.

    ``measure``: overweight (incl. obesity), obesity or motor_difficulties; ``setting``:
    school_start, 6_10_months, 1_2_years, 2_3_years or 3_5_years; years as the first year of a
    school year or calendar years; ``municipality``: a kommunekode (administrators, researchers).
    """
    user = _api_user(request)
    if not user.has_perm("growth.view_prevalence"):
        return Reply(403, {"detail": _("You may not see prevalence figures.")})
    try:
        query = prevalence_selectors.prevalence_query(
            user,
            measure=measure,
            setting=setting,
            year_from=year_from,
            year_to=year_to,
            municipality_code=municipality,
            on=prevalence_today(),
        )
    except ValidationError as exc:
        return Reply(
            422, {"detail": _("The figures could not be computed."), "errors": exc.message_dict}
        )
    figures = prevalence_selectors.prevalence_for(user, query)
    cells = []
    for line in figures.lines:
        for shown in line.cells:
            cell = shown.cell
            cells.append(
                {
                    "period": line.period_label,
                    "period_start": line.period,
                    "kind": line.kind,
                    "is_total": line.is_total,
                    "area_id": line.area.pk if line.area is not None else None,
                    "area": line.label,
                    "municipality_code": (
                        line.area.municipality.code if line.area is not None else None
                    ),
                    "sex": shown.sex,
                    "suppressed": cell.is_hidden,
                    "suppression": cell.hidden,
                    "n": cell.n,
                    "k": cell.k,
                    "share": cell.share,
                    "ci_low": cell.low,
                    "ci_high": cell.high,
                }
            )
    national = figures.national
    return {
        "measure": query.measure,
        "setting": query.setting,
        "year_from": query.year_from,
        "year_to": query.year_to,
        "municipality": query.municipality.code if query.municipality else None,
        "reference": figures.reference,
        "threshold": figures.threshold,
        "national": (
            {
                "percent_low": national.percent_low,
                "percent_high": national.percent_high,
                "period": national.period,
                "source": national.source,
            }
            if national is not None
            else None
        ),
        "notes": figures.notes,
        "cells": cells,
    }
