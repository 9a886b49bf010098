"""Writes for growth: record, classify, review and recompute measurements; school-start exams.

Keyword-only, one transaction each, ``full_clean()`` before saving; a ``ValidationError`` carries a
message for the user and nothing is saved. Classification is always the engine's (vectorised over
whole batches in ``classify_in_place``); no view or import computes a z-score itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import numpy as np
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from borneliv.children.models import Child
from borneliv.growth import engine
from borneliv.growth.models import (
    MOTOR_DIFFICULTY_REMARKS,
    MOTOR_ITEM_CODES,
    Measurement,
    ReviewStatus,
    SchoolStartExam,
)

#: The engine's flags that hold a measurement for review: WHO's plausibility limits, a child
#: measured before birth, standing before 9 months, a BMI beyond the IOTF curves.
HOLD_FLAGS = (
    engine.WHO_FLAGS
    | engine.AGE_NEGATIVE
    | engine.STANDING_UNDER_9_MONTHS
    | engine.ISO_BMI_UNDEFINED
)

_SEX_CODES: dict[str, int] = {"M": 1, "F": 2}


def iotf_setting() -> str:
    """The IOTF version stored classifications use (``BORNELIV_GROWTH_IOTF``: 2012 or 2000)."""
    return str(settings.GROWTH_IOTF)


def _float(value: Decimal | float | None) -> float:
    return float("nan") if value is None else float(value)


def _none_if_nan(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


def classify_in_place(
    measurements: Sequence[Measurement],
    *,
    births: dict[int, dt.date] | None = None,
    sexes: dict[int, str] | None = None,
    iotf: str | None = None,
) -> None:
    """Set the derived columns of ``measurements`` from one engine call (nothing is saved).

    ``births``/``sexes`` (by child id) save the child look-ups for large batches; without them
    each measurement's ``child`` is read. A measurement whose flags include ``HOLD_FLAGS`` and
    that no one has reviewed yet is held for review; one that no longer has them is released.
    """
    version = iotf or iotf_setting()
    n = len(measurements)
    if n == 0:
        return
    sex = np.zeros(n, dtype=np.int8)
    age = np.empty(n, dtype=np.float64)
    weight = np.empty(n, dtype=np.float64)
    height = np.empty(n, dtype=np.float64)
    position = np.zeros(n, dtype=np.int8)
    for i, m in enumerate(measurements):
        born = births[m.child_id] if births is not None else m.child.birth_date
        child_sex = sexes[m.child_id] if sexes is not None else m.child.sex
        sex[i] = _SEX_CODES.get(child_sex, 0)
        age[i] = (m.measured_on - born).days
        weight[i] = _float(m.weight_kg)
        height[i] = _float(m.height_cm)
        position[i] = 1 if m.position == "L" else 2 if m.position == "H" else 0
    result = engine.compute(
        sex=sex,
        age_days=age,
        weight_kg=weight,
        height_cm=height,
        position=position,
        iotf=version,
    )
    now = timezone.now()
    for i, m in enumerate(measurements):
        m.age_days = int(age[i])
        m.bmi = _none_if_nan(result.bmi[i])
        m.bmi_for_age_z = _none_if_nan(result.bmi_for_age_z[i])
        m.weight_for_age_z = _none_if_nan(result.weight_for_age_z[i])
        m.height_for_age_z = _none_if_nan(result.height_for_age_z[i])
        m.weight_for_height_z = _none_if_nan(result.weight_for_height_z[i])
        who = int(result.who_category[i])
        m.who_category = engine.WHO_CATEGORIES[who] if who >= 0 else ""
        m.iotf_adult_bmi = _none_if_nan(result.iotf_adult_bmi[i])
        cat = int(result.iotf_category[i])
        m.iotf_category = engine.IOTF_CATEGORIES[cat] if cat >= 0 else ""
        m.flags = int(result.flags[i])
        m.reference = engine.REFERENCE_NAMES[int(result.reference[i])]
        m.iotf_version = version
        m.engine_version = engine.ENGINE_VERSION
        m.classified_at = now
        if m.reviewed_at is None:
            m.review_status = ReviewStatus.HELD if m.flags & HOLD_FLAGS else ReviewStatus.ACCEPTED


DERIVED_FIELDS = (
    "age_days",
    "bmi",
    "bmi_for_age_z",
    "weight_for_age_z",
    "height_for_age_z",
    "weight_for_height_z",
    "who_category",
    "iotf_adult_bmi",
    "iotf_category",
    "flags",
    "reference",
    "iotf_version",
    "engine_version",
    "classified_at",
    "review_status",
)


def hold_reasons(measurement: Measurement) -> str:
    """Why a measurement is held: the engine's messages for its hold flags."""
    return engine.flag_text(measurement.flags & HOLD_FLAGS)


def _check_child_date(child: Child, measured_on: dt.date) -> None:
    if measured_on < child.birth_date:
        raise ValidationError(
            {"measured_on": _("The date is before the child's birth date.")}, code="before_birth"
        )
    if measured_on > timezone.localdate():
        raise ValidationError({"measured_on": _("The date is in the future.")}, code="future")


@transaction.atomic
def measurement_record(
    *,
    child: Child,
    measured_on: dt.date,
    context: str,
    weight_kg: Decimal | None = None,
    height_cm: Decimal | None = None,
    position: str = "",
    institution: Any = None,
    measured_by: Any = None,
    measured_by_name: str = "",
    note: str = "",
) -> Measurement:
    """Record a measurement and classify it; held for review when the engine flags it."""
    _check_child_date(child, measured_on)
    if weight_kg is None and height_cm is None:
        raise ValidationError(_("Give a weight, a height/length or both."), code="empty")
    if Measurement.objects.filter(child=child, measured_on=measured_on, context=context).exists():
        raise ValidationError(
            _("This child already has a measurement of this kind on that day."),
            code="duplicate_measurement",
        )
    measurement = Measurement(
        child=child,
        measured_on=measured_on,
        context=context,
        weight_kg=weight_kg,
        height_cm=height_cm,
        position=position,
        institution=institution,
        measured_by=measured_by,
        measured_by_name=measured_by_name,
        note=note,
    )
    measurement.full_clean()
    classify_in_place([measurement])
    measurement.save()
    return measurement


@transaction.atomic
def measurement_review(
    *, measurement: Measurement, user: Any, decision: str, note: str = ""
) -> Measurement:
    """Confirm (the value is right and counts) or reject (it is wrong and never counts)."""
    if decision not in (ReviewStatus.CONFIRMED, ReviewStatus.REJECTED):
        raise ValidationError(_("Choose confirm or reject."), code="bad_decision")
    if decision == ReviewStatus.REJECTED and not note.strip():
        raise ValidationError(
            {"review_note": _("Say why the measurement is rejected.")}, code="note_needed"
        )
    locked = Measurement.objects.select_for_update().get(pk=measurement.pk)
    locked.review_status = decision
    locked.reviewed_by = user
    locked.reviewed_at = timezone.now()
    locked.review_note = note.strip()
    locked.full_clean()
    locked.save(update_fields=["review_status", "reviewed_by", "reviewed_at", "review_note"])
    return locked


def measurements_recompute(
    *,
    iotf: str | None = None,
    only_stale: bool = True,
    batch_size: int = 20_000,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Reclassify stored measurements with the current setting and engine; returns how many.

    ``only_stale`` limits the work to rows classified with another IOTF version or engine version
    (or never classified). Works in batches, each in its own transaction, one engine call and
    one ``bulk_update`` per batch; ``progress(done, total)`` is called after each batch.
    """
    version = iotf or iotf_setting()
    if version not in engine.IOTF_VERSIONS:
        raise ValidationError(
            _("The IOTF version must be one of %(versions)s.")
            % {"versions": ", ".join(engine.IOTF_VERSIONS)}
        )
    rows = Measurement.objects.all()
    if only_stale:
        rows = rows.exclude(iotf_version=version, engine_version=engine.ENGINE_VERSION)
    ids = list(rows.order_by("pk").values_list("pk", flat=True))
    total = len(ids)
    done = 0
    for start in range(0, total, batch_size):
        chunk = ids[start : start + batch_size]
        with transaction.atomic():
            batch = list(
                Measurement.objects.filter(pk__in=chunk)
                .select_related(None)
                .only(
                    "pk",
                    "child_id",
                    "measured_on",
                    "weight_kg",
                    "height_cm",
                    "position",
                    "review_status",
                    "reviewed_at",
                )
            )
            children = Child.objects.filter(pk__in={m.child_id for m in batch}).values_list(
                "pk", "birth_date", "sex"
            )
            births = {pk: born for pk, born, _sex in children}
            sexes = {pk: sex for pk, _born, sex in children}
            classify_in_place(batch, births=births, sexes=sexes, iotf=version)
            Measurement.objects.bulk_update(batch, DERIVED_FIELDS, batch_size=2_000)
        done += len(chunk)
        if progress is not None:
            progress(done, total)
    return total


# --- school-start exams ----------------------------------------------------------------------------


def exam_derive(exam: SchoolStartExam) -> None:
    """Set ``remarks``, ``items_assessed`` and ``motor_difficulties`` from the nine items."""
    values = [getattr(exam, f"remark_{code}") for code in MOTOR_ITEM_CODES]
    assessed = [value for value in values if value is not None]
    exam.items_assessed = len(assessed)
    exam.remarks = sum(1 for value in assessed if value)
    missing = len(values) - len(assessed)
    if exam.remarks >= MOTOR_DIFFICULTY_REMARKS:
        exam.motor_difficulties = True
    elif exam.remarks + missing < MOTOR_DIFFICULTY_REMARKS:
        exam.motor_difficulties = False
    else:
        exam.motor_difficulties = None  # the items not assessed could make the difference


@transaction.atomic
def exam_record(
    *,
    child: Child,
    examined_on: dt.date,
    remarks: dict[str, bool | None],
    school: Any = None,
    measurement: Measurement | None = None,
) -> SchoolStartExam:
    """Record a school-start exam's motor items (``remarks`` by item code; None = not assessed)."""
    _check_child_date(child, examined_on)
    unknown = set(remarks) - set(MOTOR_ITEM_CODES)
    if unknown:
        raise ValidationError(
            _("Unknown motor items: %(items)s.") % {"items": ", ".join(sorted(unknown))}
        )
    exam = SchoolStartExam(
        child=child, examined_on=examined_on, school=school, measurement=measurement
    )
    for code in MOTOR_ITEM_CODES:
        setattr(exam, f"remark_{code}", remarks.get(code))
    exam_derive(exam)
    exam.full_clean()
    exam.save()
    return exam
