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
import numpy.typing as npt
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from borneliv.accounts.models import User
from borneliv.children.models import Child
from borneliv.growth import engine
from borneliv.growth.models import (
    MOTOR_DIFFICULTY_REMARKS,
    MOTOR_ITEM_CODES,
    ImportBatch,
    Measurement,
    ReviewStatus,
    SchoolStartExam,
)
from borneliv.lib.versioning import StateChanged

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
    # Plain lists first and whole columns after: a numpy element access per row and column
    # costs more than the engine itself (~3x the time of this function for 100,000 rows).
    if births is None or sexes is None:
        births = {m.child_id: m.child.birth_date for m in measurements}
        sexes = {m.child_id: m.child.sex for m in measurements}
    ages = [(m.measured_on - births[m.child_id]).days for m in measurements]
    positions = {"L": 1, "H": 2}
    result = engine.compute(
        sex=np.array([_SEX_CODES.get(sexes[m.child_id], 0) for m in measurements], np.int8),
        age_days=np.array(ages, dtype=np.float64),
        weight_kg=np.array([_float(m.weight_kg) for m in measurements], dtype=np.float64),
        height_cm=np.array([_float(m.height_cm) for m in measurements], dtype=np.float64),
        position=np.array([positions.get(m.position, 0) for m in measurements], np.int8),
        iotf=version,
    )
    now = timezone.now()
    floats = [
        _nones_for_nans(values)
        for values in (
            result.bmi,
            result.bmi_for_age_z,
            result.weight_for_age_z,
            result.height_for_age_z,
            result.weight_for_height_z,
            result.iotf_adult_bmi,
        )
    ]
    who_names = (*engine.WHO_CATEGORIES, "")  # code -1 (none) picks the last
    iotf_names = (*engine.IOTF_CATEGORIES, "")
    columns = zip(
        measurements,
        ages,
        *floats,
        result.who_category.tolist(),
        result.iotf_category.tolist(),
        result.flags.tolist(),
        result.reference.tolist(),
        strict=True,
    )
    for m, age, bmi, bmi_z, weight_z, height_z, wfh_z, iso_bmi, who, cat, flags, ref in columns:
        m.age_days = age
        m.bmi = bmi
        m.bmi_for_age_z = bmi_z
        m.weight_for_age_z = weight_z
        m.height_for_age_z = height_z
        m.weight_for_height_z = wfh_z
        m.who_category = who_names[who]
        m.iotf_adult_bmi = iso_bmi
        m.iotf_category = iotf_names[cat]
        m.flags = flags
        m.reference = engine.REFERENCE_NAMES[ref]
        m.iotf_version = version
        m.engine_version = engine.ENGINE_VERSION
        m.classified_at = now
        if m.reviewed_at is None:
            m.review_status = ReviewStatus.HELD if flags & HOLD_FLAGS else ReviewStatus.ACCEPTED


def _nones_for_nans(values: npt.NDArray[np.float64]) -> list[float | None]:
    """The values as Python floats, None where NaN."""
    return [None if value != value else value for value in values.tolist()]


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
            {
                "measured_on": ValidationError(
                    _("The date is before the child's birth date."), code="before_birth"
                )
            }
        )
    if measured_on > timezone.localdate():
        raise ValidationError(
            {"measured_on": ValidationError(_("The date is in the future."), code="future")}
        )


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


def already_decided(measurement: Measurement) -> str:
    """“This measurement was confirmed already, by Hanne Holm at 14:05.”"""
    if measurement.review_status not in (ReviewStatus.CONFIRMED, ReviewStatus.REJECTED):
        return _("This measurement is not held for review.")
    who = measurement.reviewed_by
    name = (who.get_full_name() or who.username) if who is not None else ""
    at = timezone.localtime(measurement.reviewed_at or timezone.now())
    when = (
        at.strftime("%H:%M") if at.date() == timezone.localdate() else at.strftime("%d.%m.%Y %H:%M")
    )
    if measurement.review_status == ReviewStatus.CONFIRMED:
        return _("This measurement was confirmed already, by %(name)s at %(time)s.") % {
            "name": name,
            "time": when,
        }
    return _("This measurement was rejected already, by %(name)s at %(time)s.") % {
        "name": name,
        "time": when,
    }


@transaction.atomic
def measurement_review(
    *, measurement: Measurement, user: Any, decision: str, note: str = ""
) -> Measurement:
    """Confirm (the value is right and counts) or reject (it is wrong and never counts).

    Only a held measurement is decided, checked on the row under its lock: of several decisions
    at the same moment exactly one is made, and the others get ``StateChanged`` naming it.
    """
    if decision not in (ReviewStatus.CONFIRMED, ReviewStatus.REJECTED):
        raise ValidationError(_("Choose confirm or reject."), code="bad_decision")
    if decision == ReviewStatus.REJECTED and not note.strip():
        raise ValidationError(
            {
                "review_note": ValidationError(
                    _("Say why the measurement is rejected."), code="note_needed"
                )
            }
        )
    # No join here: a row re-read after waiting for the lock gets the joined columns of the
    # older snapshot on PostgreSQL, so the reviewer is read afresh in ``already_decided``.
    locked = Measurement.objects.select_for_update().get(pk=measurement.pk)
    if locked.review_status != ReviewStatus.HELD:
        raise StateChanged(already_decided(locked))
    locked.review_status = decision
    locked.reviewed_by = user
    locked.reviewed_at = timezone.now()
    locked.review_note = note.strip()
    locked.full_clean()
    locked.save(update_fields=["review_status", "reviewed_by", "reviewed_at", "review_note"])
    return locked


def _write_derived(batch: Sequence[Measurement]) -> None:
    """Save the derived columns of ``batch`` in one go (no history rows: they are not edits).

    ``bulk_update`` builds a CASE expression per row and column in Python, which cost ~5 ms per
    measurement (15 columns): ~100 rows/s for a recompute. Instead: on PostgreSQL one UPDATE
    from the columns as arrays (``unnest``), elsewhere one ``executemany`` of ``UPDATE … WHERE
    id = %s``; a few µs per row either way.
    """
    fields: list[Any] = [Measurement._meta.get_field(name) for name in DERIVED_FIELDS]
    pk = Measurement._meta.pk
    assert pk is not None
    quote = connection.ops.quote_name
    table = quote(Measurement._meta.db_table)
    columns = [quote(f.column) for f in fields]
    key = quote(str(pk.column))
    if connection.vendor == "postgresql":
        arrays = [f"%s::{f.db_type(connection)}[]" for f in fields]
        arrays.append(f"%s::{pk.rel_db_type(connection)}[]")
        sql = (
            f"UPDATE {table} AS m SET {', '.join(f'{c} = v.{c}' for c in columns)} "  # noqa: S608
            f"FROM unnest({', '.join(arrays)}) AS v({', '.join([*columns, key])}) "
            f"WHERE m.{key} = v.{key}"
        )
        values = [[getattr(m, f.attname) for m in batch] for f in fields]
        values.append([m.pk for m in batch])
        with connection.cursor() as cursor:
            cursor.execute(sql, values)
        return
    sql = f"UPDATE {table} SET {', '.join(f'{c} = %s' for c in columns)} WHERE {key} = %s"  # noqa: S608
    # Only the datetime needs the backend's adapter; the others are ints, floats and text.
    adapt = [isinstance(f, models.DateTimeField) for f in fields]
    rows = []
    for m in batch:
        row = [getattr(m, f.attname) for f in fields]
        for j, needed in enumerate(adapt):
            if needed and row[j] is not None:
                row[j] = connection.ops.adapt_datetimefield_value(row[j])
        row.append(m.pk)
        rows.append(row)
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


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
            _write_derived(batch)
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


# --- the school-start import ------------------------------------------------------------------


@transaction.atomic
def school_start_write(
    *,
    file_name: str,
    file_sha256: str,
    by: User | None,
    counts: dict[str, int],
    measurements: Sequence[Measurement],
    exams: Sequence[SchoolStartExam],
) -> ImportBatch:
    """Write a checked school-start file: its ``ImportBatch``, measurements and exams.

    ``measurements`` and ``exams`` are new (no pk) or changed objects, classified and derived
    already (``growth.imports`` checks every row first); each exam's ``measurement`` is set.
    ``counts`` are the batch's ``rows``, ``created``, ``updated``, ``unchanged`` and ``held``.
    One history row per object; an ``IntegrityError`` (someone recorded one of these exams
    meanwhile) leaves nothing written. Bulk writes skip ``full_clean()`` per row: the row checks
    cover every field rule and the database constraints back them.
    """
    from simple_history.utils import bulk_create_with_history, bulk_update_with_history

    history_user = by if getattr(by, "is_authenticated", False) else None
    batch = ImportBatch.objects.create(
        file_name=file_name, file_sha256=file_sha256, imported_by=history_user, **counts
    )
    # Split before writing: a created object has its pk afterwards.
    new_measurements = [m for m in measurements if m.pk is None]
    changed_measurements = [m for m in measurements if m.pk is not None]
    new_exams = [exam for exam in exams if exam.pk is None]
    changed_exams = [exam for exam in exams if exam.pk is not None]
    for m in measurements:
        m.import_batch = batch
    for exam in exams:
        exam.import_batch = batch
    bulk_create_with_history(
        new_measurements,
        Measurement,
        batch_size=1_000,
        default_user=history_user,
    )
    bulk_update_with_history(
        changed_measurements,
        Measurement,
        [
            "weight_kg",
            "height_cm",
            "position",
            "institution",
            "import_batch",
            "reviewed_by",
            "reviewed_at",
            "review_note",
            *DERIVED_FIELDS,
        ],
        batch_size=1_000,
        default_user=history_user,
    )
    bulk_create_with_history(
        new_exams,
        SchoolStartExam,
        batch_size=1_000,
        default_user=history_user,
    )
    bulk_update_with_history(
        changed_exams,
        SchoolStartExam,
        [
            "school",
            "measurement",
            "import_batch",
            "remarks",
            "items_assessed",
            "motor_difficulties",
            *(f"remark_{code}" for code in MOTOR_ITEM_CODES),
        ],
        batch_size=1_000,
        default_user=history_user,
    )
    return batch
