"""A child's growth: the page with chart and table, the chart as SVG, recording a measurement.

Children outside the user's scope answer 404. Each page or chart that shows the child's
measurements writes one access-log row (views ``growth_child``, ``growth_chart``,
``growth_measurement_form``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast
from uuid import UUID

import numpy as np
from csp.decorators import csp_replace
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from borneliv.accounts.models import today
from borneliv.children.access import child_for
from borneliv.children.models import Child
from borneliv.children.selectors import age_text
from borneliv.children.services import access_log_record
from borneliv.growth import engine, labels, selectors, services
from borneliv.growth.forms import MeasurementForm
from borneliv.growth.models import Context, Measurement, ReviewStatus
from borneliv.lib.forms import add_service_errors

if TYPE_CHECKING:
    from borneliv.growth import charts

#: The charts the page can show, by the ``indicator`` query parameter.
CHART_INDICATORS = ("bmi", "height", "weight", "weight_for_length")


# --- the page ----------------------------------------------------------------------------------


def _number(value: float | Decimal | None, places: int | None = None) -> str:
    """A number in the active language's format ("12,4" in Danish); "" for none."""
    if value is None:
        return ""
    if places is None:
        return number_format(float(value))
    return number_format(round(float(value), places), decimal_pos=places)


@dataclass(frozen=True)
class MeasurementRow:
    """One line of the table: the measurement and its values as shown."""

    measurement: Measurement
    age: str
    weight: str
    height: str
    bmi: str
    bmi_z: str
    who_category: Promise | str
    iotf_adult_bmi: str
    iotf_category: Promise | str
    flags: list[Promise]
    hold_reasons: list[Promise]
    status: str  # counted / held / rejected (the chart's marker)


def measurement_rows(child: Child, measurements: list[Measurement]) -> list[MeasurementRow]:
    return [
        MeasurementRow(
            measurement=m,
            age=age_text(child.birth_date, m.measured_on),
            weight=_number(m.weight_kg),
            height=_number(m.height_cm),
            bmi=_number(m.bmi, 1),
            bmi_z=_number(m.bmi_for_age_z, 2),
            who_category=labels.who_category_label(m.who_category),
            iotf_adult_bmi=_number(m.iotf_adult_bmi, 1),
            iotf_category=labels.iotf_category_label(m.iotf_category),
            flags=labels.flag_labels(m.flags),
            hold_reasons=labels.flag_labels(selectors.hold_flags(m)),
            status=selectors.chart_status(m),
        )
        for m in measurements
    ]


@login_required
def child(request: HttpRequest, public_id: UUID) -> HttpResponse:
    user: Any = request.user
    record = child_for(user, public_id, perm="growth.view_measurement")
    on = today()
    measurements = list(selectors.measurements_of(record))
    rows = measurement_rows(record, measurements)
    iotf = services.iotf_setting()
    access_log_record(user=user, children=record, view="growth_child")
    return render(
        request,
        "growth/child.html",
        {
            "child": record,
            "on": on,
            "age": age_text(record.birth_date, on),
            "rows": rows,
            "has_bmi": any(m.bmi is not None for m in measurements),
            "has_height": any(m.height_cm is not None for m in measurements),
            "has_weight": any(m.weight_kg is not None for m in measurements),
            "has_weight_for_length": selectors.has_weight_for_length(record, measurements),
            # Under 2 years, weight-for-length is the weight chart to read first (WHO 2006).
            "under_two": (on - record.birth_date).days < engine.HEIGHT_BASED_FROM_DAYS,
            "held": sum(1 for m in measurements if m.review_status == ReviewStatus.HELD),
            "can_add": user.has_perm("growth.add_measurement", record),
            "definitions": [
                group
                for group in labels.category_definitions()
                if group["reference"] in ("WHO 2006", "WHO 2007", f"IOTF {iotf}")
            ],
            "iotf": iotf,
        },
    )


# --- the chart ---------------------------------------------------------------------------------


def chart_points(indicator: str, series: selectors.ChartSeries) -> list[str]:
    """The statuses of the measurements a chart draws (those with the values it needs)."""
    from borneliv.growth import charts  # matplotlib loads on the first chart, not at start-up

    if indicator == "weight_for_length":
        x = charts.weight_for_length_points(
            age_days=series.age_days, length_cm=series.height_cm, position=series.position
        )
        drawn = np.isfinite(x) & np.isfinite(series.weight_kg)
    else:
        values = {"bmi": series.bmi, "height": series.height_cm, "weight": series.weight_kg}
        drawn = np.isfinite(values[indicator])
    return [status for status, shown in zip(series.status, drawn, strict=True) if shown]


def chart_text(child: Child, indicator: str, series: selectors.ChartSeries) -> charts.ChartText:
    """The chart's texts in the active language."""
    from borneliv.growth import charts  # matplotlib loads on the first chart, not at start-up

    statuses = chart_points(indicator, series)
    counts = {status: statuses.count(status) for status in charts.STATUSES}
    sex = child.get_sex_display().lower()
    x_label = _("Age (years)")
    if indicator == "bmi":
        title = _("BMI-for-age, %(sex)s") % {"sex": sex}
        y_label = _("BMI (kg/m²)")
        reference = _(
            "WHO 2006 (0–5 years) and WHO 2007 (5–19 years) curves at z = −3 to +3, "
            "with the IOTF cut-offs for adult BMI 25 and 30 from 2 years"
        )
    elif indicator == "height":
        title = _("Length/height-for-age, %(sex)s") % {"sex": sex}
        y_label = _("Length/height (cm)")
        reference = _("WHO 2006 (0–5 years) and WHO 2007 (5–19 years) curves at z = −3 to +3")
    elif indicator == "weight":
        title = _("Weight-for-age, %(sex)s") % {"sex": sex}
        y_label = _("Weight (kg)")
        reference = _(
            "WHO 2006 (0–5 years) and WHO 2007 (5–10 years) curves at z = −3 to +3; WHO has no "
            "weight-for-age reference after 10 years"
        )
    else:
        title = _("Weight-for-length, %(sex)s") % {"sex": sex}
        x_label = _("Length (cm)")
        y_label = _("Weight (kg)")
        reference = _(
            "WHO 2006 weight-for-length curves (45–110 cm) at z = −3 to +3, for the "
            "measurements before 2 years; a length measured standing from 9 months counts 0.7 cm "
            "more"
        )
    if indicator == "weight_for_length":
        template = _(
            "The child's weights plotted against length over the %(reference)s. "
            "%(counted)d counted, %(held)d held for review, %(rejected)d rejected. "
            "The same values are in the table on the page."
        )
    else:
        template = _(
            "The child's measurements plotted against age over the %(reference)s. "
            "%(counted)d counted, %(held)d held for review, %(rejected)d rejected. "
            "The same values are in the table on the page."
        )
    description = template % {
        "reference": reference,
        "counted": counts["counted"],
        "held": counts["held"],
        "rejected": counts["rejected"],
    }
    return charts.ChartText(
        title=title,
        description=description,
        x_label=x_label,
        y_label=y_label,
        median=_("WHO median (z = 0)"),
        z_lines=_("WHO z = ±1, ±2, ±3"),
        seam=_("WHO 2006 | WHO 2007"),
        counted=_("Measurement (counted)"),
        held=_("Held for review"),
        rejected=_("Rejected after review"),
        rejected_mark=_("rejected"),
        iotf25=_("IOTF cut-off, adult BMI 25 (overweight)"),
        iotf30=_("IOTF cut-off, adult BMI 30 (obesity)"),
    )


ViewFunc = Callable[..., HttpResponse]


def _svg_policy(view: ViewFunc) -> ViewFunc:
    """The SVG document's own policy: matplotlib styles elements inline; nothing else loads."""
    policy = {
        "default-src": ["'none'"],
        "style-src": ["'unsafe-inline'"],
        "script-src": ["'none'"],
        "img-src": ["'none'"],
        "font-src": ["'none'"],
        "connect-src": ["'none'"],
    }
    return cast(ViewFunc, csp_replace(policy)(cast(Any, view)))


@login_required
@require_GET
@_svg_policy
def child_chart(request: HttpRequest, public_id: UUID) -> HttpResponse:
    user: Any = request.user
    record = child_for(user, public_id, perm="growth.view_measurement")
    indicator = request.GET.get("indicator", "bmi")
    if indicator not in CHART_INDICATORS:
        raise Http404
    from borneliv.growth import charts  # matplotlib loads on the first chart, not at start-up

    measurements = list(selectors.measurements_of(record))
    series = selectors.chart_series(record, measurements)
    text = chart_text(record, indicator, series)
    if indicator == "bmi":
        svg = charts.bmi_for_age_svg(
            sex=series.sex,
            age_days=series.age_days,
            bmi=series.bmi,
            status=series.status,
            text=text,
            iotf=services.iotf_setting(),
        )
    elif indicator == "height":
        svg = charts.height_for_age_svg(
            sex=series.sex,
            age_days=series.age_days,
            height_cm=series.height_cm,
            status=series.status,
            text=text,
        )
    elif indicator == "weight":
        svg = charts.weight_for_age_svg(
            sex=series.sex,
            age_days=series.age_days,
            weight_kg=series.weight_kg,
            status=series.status,
            text=text,
        )
    else:
        svg = charts.weight_for_length_svg(
            sex=series.sex,
            age_days=series.age_days,
            length_cm=series.height_cm,
            weight_kg=series.weight_kg,
            position=series.position,
            status=series.status,
            text=text,
        )
    access_log_record(user=user, children=record, view="growth_chart")
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Content-Disposition"] = "inline"
    return response


# --- recording a measurement -------------------------------------------------------------------


@login_required
def measurement_add(request: HttpRequest, public_id: UUID) -> HttpResponse:
    user: Any = request.user
    record = child_for(user, public_id, perm="growth.view_measurement")
    if not user.has_perm("growth.add_measurement", record):
        raise PermissionDenied
    on = today()
    initial = {
        "measured_on": on,
        "position": selectors.default_position(record, on),
        "context": Context.HEALTH_VISIT,
    }
    form = MeasurementForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            measurement = services.measurement_record(
                child=record,
                measured_on=data["measured_on"],
                context=data["context"],
                weight_kg=data["weight_kg"],
                height_cm=data["height_cm"],
                position=data["position"] if data["height_cm"] is not None else "",
                institution=selectors.measuring_unit(user, record),
                measured_by=user,
                note=data["note"].strip(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if measurement.review_status == ReviewStatus.HELD:
                reasons = " ".join(
                    str(label) for label in labels.flag_labels(selectors.hold_flags(measurement))
                )
                messages.warning(
                    request,
                    _(
                        "The measurement was saved, but it is held for review: %(reasons)s "
                        "It counts in no figures until it has been checked and confirmed."
                    )
                    % {"reasons": reasons},
                )
            else:
                messages.success(request, _("The measurement was saved."))
            return redirect("growth:child", public_id=record.public_id)
    access_log_record(user=user, children=record, view="growth_measurement_form")
    return render(
        request,
        "growth/measurement_form.html",
        {"child": record, "form": form, "age": age_text(record.birth_date, on)},
    )
