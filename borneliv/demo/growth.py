"""Synthetic growth data for the demo children: measurements, school-start exams, review work.

``demo_growth_load`` runs after the demo children (``children.py``) and adds:

- **Health-visiting measurements**: weight and length/height at every completed home visit the
  children already have (establishment visit at about a week, 2 months, 4–6 months, 8–11
  months, 1½ years; the phone contacts measure nothing), lying before 2 years, by the contact's
  unit and health visitor.
- **School-start exams** (indskolingsundersøgelse) for the children aged 5½ years or more, dated
  on a school day in the last two school years at 5½–7 years: a standing measurement and the nine
  motor items. (The demo registry holds children born over the last six years, so these are
  the children of 5½–6 years; most have not started school yet in the registry, and the exam
  names the school where they are enrolled, if any.)
- About ten **implausible entries** inside the hard limits but beyond WHO's plausibility limits or
  otherwise impossible (a weight typed in hectograms, 45 kg at 1½ years, 61 cm at 6 years,
  standing at 4 months …), which the engine flags and holds for review.

How the values are drawn
    From the WHO references themselves: a child's length/height z and BMI z are drawn from
    N(mean, sd), with a per-child component (tracking: a child above the curve stays somewhat
    above it), and turned into centimetres and kg/m² with ``engine.lms_value`` at the child's age
    (WHO 2006 by day, WHO 2007 by month); weight = BMI × height². Means and spreads are tuned to
    the Danish figures of DOMAIN.md: about 5 % of infants of 6–10 months above WHO BMI z 2,
    about 12–13 % overweight incl. obesity at school start by IOTF (somewhat more in programme
    areas than in comparison areas, as at the programme's baseline), Danish children somewhat
    taller than the WHO median. Motor remarks: about 29 % of children with one remark and
    6–7 % with three or more (motor difficulties); twice that rate in Albertslund.
    z is kept within ±3.5 so that only the planted entries are implausible.

Everything is classified in one engine call (``services.classify_in_place`` with the births and
sexes) and bulk-created with history rows, as the services leave them. One ``numpy`` generator
seeded with ``SEED`` over the children and contacts in primary-key order: the same registry
always gives the same measurements.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any

import numpy as np
from django.db import connection, models, transaction
from django.utils import timezone
from numpy.typing import NDArray
from scipy.special import ndtri

from borneliv.children.models import Child, Enrolment, Residence
from borneliv.demo.common import Writer, demo_children_only, local_time, say
from borneliv.growth import engine, services
from borneliv.growth.models import (
    HEIGHT_MAX_CM,
    HEIGHT_MIN_CM,
    MOTOR_ITEM_CODES,
    WEIGHT_MAX_KG,
    WEIGHT_MIN_KG,
    Context,
    Measurement,
    Position,
    ReviewStatus,
    SchoolStartExam,
)
from borneliv.growth.references import age_table
from borneliv.healthvisits.models import Contact, ContactMode, Outcome
from borneliv.organisations.models import Area, Institution

SEED = 20_260_104
SCHOOL_START = Context.SCHOOL_START.value
OVERWEIGHT = ("overweight", "obesity", "morbid_obesity")  # IOTF 2012 and 2000 alike
FloatArray = NDArray[np.float64]
ALBERTSLUND = "0165"

#: BMI z: mean by age group and area kind, spread, and the share of it that is the child's own.
BMI_MEAN_INFANT = 0.3
BMI_MEAN_TODDLER = 0.2
BMI_MEAN_SCHOOL = {Area.Kind.PROGRAMME: 0.2, Area.Kind.COMPARISON: 0.1}
BMI_SD = 1.0
BMI_SD_INFANT = 1.05
BMI_TRACKING = 0.6
#: Length/height z: Danish children are taller than the WHO median.
HEIGHT_MEAN = 0.4
HEIGHT_TRACKING = 0.85
Z_LIMIT = 3.5

#: Of the children aged 5½ years or more, the share with a school-start exam.
EXAM_SHARE = 0.95
EXAM_FROM_DAYS = 2009  # 5½ years
EXAM_TO_DAYS = 2557  # 7 years
#: Number of motor remarks: probabilities of 0, 1, 2, … 9 remarks (DOMAIN.md: 29 % with one
#: remark, 6.3 % with motor difficulties), and Albertslund's, with about twice the difficulties.
REMARKS_NATIONAL = (0.535, 0.29, 0.11, 0.035, 0.015, 0.008, 0.004, 0.002, 0.001, 0.0)
REMARKS_ALBERTSLUND = (0.45, 0.29, 0.13, 0.07, 0.03, 0.015, 0.008, 0.004, 0.002, 0.001)
#: How often each item is the one with a remark (the skipping run and one leg most often).
ITEM_WEIGHTS = {
    "walk": 0.3,
    "jump": 1.0,
    "balance": 1.6,
    "skip": 2.2,
    "one_leg": 1.8,
    "throw": 1.2,
    "catch": 1.3,
    "pencil_grip": 1.4,
    "hand_preference": 0.7,
}
#: Of the exams, the share with one item not assessed (the child was shy, or time ran out).
ITEM_MISSING_SHARE = 0.03


@dataclass
class GrowthDemoResult:
    """What a call to ``demo_growth_load`` did."""

    loaded: bool
    measurements: int = 0
    held: int = 0
    exams: int = 0
    overweight_at_school_start: float = 0.0  # share, by IOTF
    motor_difficulties: float = 0.0  # share of exams
    seconds: float = 0.0
    iotf: str = ""

    def summary(self) -> str:
        return (
            f"  Growth: {self.measurements:,} measurements ({self.held} held for review), "
            f"{self.exams:,} school-start exams ({100 * self.overweight_at_school_start:.1f} % "
            f"overweight incl. obesity by IOTF {self.iotf}, "
            f"{100 * self.motor_difficulties:.1f} % motor difficulties) ({self.seconds:.1f} s)"
        )


@dataclass(frozen=True)
class Implausible:
    """A planted error: at a stage (or school start), what was typed, and why it is wrong."""

    stage: str  # a stage code, or "school_start"
    weight_kg: float | None  # None: keep the drawn value
    height_cm: float | None
    position: str | None
    what: str


#: The review queue's work: each inside the hard limits (0.3–200 kg, 25–220 cm), each flagged.
IMPLAUSIBLE = (
    Implausible("enhanced_visit_4_6m", None, None, Position.STANDING, "standing at 4–6 months"),
    Implausible("enhanced_visit_4_6m", None, None, Position.STANDING, "standing at 4–6 months"),
    Implausible("enhanced_visit_4_6m", 71.5, None, None, "weight typed in hectograms"),
    Implausible("visit_8_11m", 89.0, None, None, "weight typed in hectograms"),
    Implausible("visit_2m", None, 95.0, None, "length 95 cm at 2 months"),
    Implausible("visit_8_11m", None, 46.0, None, "length 46 cm at 8–11 months"),
    Implausible("visit_18m", 45.0, None, None, "45 kg at 1½ years"),
    Implausible("visit_18m", None, 60.0, None, "60 cm at 1½ years"),
    Implausible("school_start", None, 61.0, None, "61 cm at 6 years (116 typed as 61)"),
    Implausible("school_start", 95.0, None, None, "95 kg at 6 years (19.5 typed as 95)"),
)

#: Contacts that measure the child: those where the health visitor sees the child.
MEASURED_MODES = (ContactMode.HOME_VISIT, ContactMode.CLINIC)


def demo_growth_applicable() -> bool:
    """Whether the database holds the demo's synthetic children and no growth data yet."""
    return (
        demo_children_only()
        and not Measurement.objects.exists()
        and not SchoolStartExam.objects.exists()
    )


def who_lms(
    indicator: str, sex: NDArray[np.int8], age_days: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """L, M, S of a WHO age table at whole days (WHO 2006) or whole months (WHO 2007)."""
    table = age_table(indicator)
    day = np.floor(age_days)
    month = np.minimum(np.floor(age_days / engine.DAYS_PER_MONTH), table.who2007_end_month)
    row = np.where(day < engine.WHO2007_FROM_DAYS, day, table.who2007_row0 + month - 60)
    index = row.astype(np.intp) + (sex == 2) * table.rows_per_sex
    return table.lms.L[index], table.lms.M[index], table.lms.S[index]


def _school_year_start(today: dt.date) -> dt.date:
    year = today.year if today.month >= 8 else today.year - 1
    return dt.date(year, 8, 1)


def _school_day(rng: np.random.Generator, low: dt.date, high: dt.date) -> dt.date | None:
    """A weekday outside July between ``low`` and ``high``, or None if there is none."""
    span = (high - low).days
    if span < 0:
        return None
    for _ in range(20):
        day = low + dt.timedelta(days=int(rng.integers(0, span + 1)))
        if day.weekday() < 5 and day.month != 7:
            return day
    return None


@dataclass
class _Plan:
    """The planned measurements, column by column, and what the drawing needs to know."""

    child: list[int] = field(default_factory=list)
    on: list[dt.date] = field(default_factory=list)
    stage: list[str] = field(default_factory=list)  # a stage code, or "school_start"
    institution: list[int | None] = field(default_factory=list)
    by: list[int | None] = field(default_factory=list)
    area: list[int] = field(default_factory=list)  # where the child lived on the day
    school: list[int | None] = field(default_factory=list)  # enrolled there on the day

    def add(self, child: int, on: dt.date, stage: str, institution: int | None,
            by: int | None, area: int, school: int | None = None) -> None:  # fmt: skip
        self.child.append(child)
        self.on.append(on)
        self.stage.append(stage)
        self.institution.append(institution)
        self.by.append(by)
        self.area.append(area)
        self.school.append(school)


Periods = dict[int, list[tuple[dt.date, dt.date | None, int]]]


def _valid_on(periods: list[tuple[dt.date, dt.date | None, int]], on: dt.date) -> int | None:
    for start, end, value in periods:
        if start <= on and (end is None or on <= end):
            return value
    return None


def demo_growth_load(
    *, today: dt.date, seed: int = SEED, stdout: Writer | None = None
) -> GrowthDemoResult:
    """Load the demo's measurements and school-start exams, unless not applicable (see above).

    One transaction: on any error nothing is saved.
    """
    started = time.monotonic()
    with transaction.atomic():
        if not demo_growth_applicable():
            return GrowthDemoResult(loaded=False)
        rng = np.random.default_rng(seed)
        children = list(
            Child.objects.filter(is_synthetic=True)
            .order_by("pk")
            .values_list("pk", "birth_date", "sex")
        )
        plan = _plan(children, today, rng)
        measurements = _draw(plan, children, rng)
        services.classify_in_place(
            measurements,
            births={pk: born for pk, born, _sex in children},
            sexes={pk: sex for pk, _born, sex in children},
        )
        _insert_with_history(Measurement, measurements, user="measured_by_id")
        exams = _exams(plan, measurements, rng)
        _insert_with_history(SchoolStartExam, exams)
    school_start = [m for m in measurements if m.context == Context.SCHOOL_START and m.is_counted]
    overweight = sum(1 for m in school_start if m.iotf_category in OVERWEIGHT)
    result = GrowthDemoResult(
        loaded=True,
        measurements=len(measurements),
        held=sum(1 for m in measurements if m.review_status == ReviewStatus.HELD),
        exams=len(exams),
        overweight_at_school_start=overweight / len(school_start) if school_start else 0.0,
        motor_difficulties=(
            sum(1 for e in exams if e.motor_difficulties) / len(exams) if exams else 0.0
        ),
        seconds=time.monotonic() - started,
        iotf=services.iotf_setting(),
    )
    say(stdout, result.summary())
    return result


def _plan(
    children: list[tuple[int, dt.date, str]], today: dt.date, rng: np.random.Generator
) -> _Plan:
    """One row per completed home visit, and per school-start exam."""
    residences: Periods = defaultdict(list)
    for child, start, end, area in (
        Residence.objects.filter(child__is_synthetic=True)
        .order_by("child_id", "valid_from")
        .values_list("child_id", "valid_from", "valid_to", "area_id")
    ):
        residences[child].append((start, end, area))
    schools: Periods = defaultdict(list)
    for child, start, end, school in Enrolment.objects.filter(
        child__is_synthetic=True,
        institution__kind__in=[Institution.Kind.SCHOOL, Institution.Kind.SPECIAL_SCHOOL],
    ).values_list("child_id", "valid_from", "valid_to", "institution_id"):
        schools[child].append((start, end, school))
    municipality_of = dict(Area.objects.values_list("pk", "municipality_id"))

    def area_on(child: int, on: dt.date) -> int:
        found = _valid_on(residences[child], on)
        return found if found is not None else residences[child][-1][2]

    plan = _Plan()
    # The health-visiting unit and visitor of each municipality, as its contacts name them.
    staff: dict[int, tuple[int | None, int | None]] = {}
    seen: set[tuple[int, dt.date]] = set()
    contacts = (
        Contact.objects.filter(
            child__is_synthetic=True,
            outcome=Outcome.COMPLETED,
            mode__in=MEASURED_MODES,
            contact_date__lte=today,
        )
        .order_by("pk")
        .values_list(
            "child_id", "contact_date", "stage__code", "unit_id", "recorded_by_id",
            "unit__municipality_id",
        )
    )  # fmt: skip
    for child, on, stage, unit, by, municipality in contacts:
        staff.setdefault(municipality, (unit, by))
        if (child, on) not in seen:  # two visits on one day: one measurement
            seen.add((child, on))
            plan.add(child, on, stage or "", unit, by, area_on(child, on))

    # School-start exams: children of 5½ years or more, in the last two school years.
    first_day = _school_year_start(today).replace(year=_school_year_start(today).year - 1)
    for pk, born, _sex in children:
        low = max(born + dt.timedelta(days=EXAM_FROM_DAYS), first_day)
        high = min(born + dt.timedelta(days=EXAM_TO_DAYS), today)
        if low > high or rng.random() >= EXAM_SHARE:
            continue
        day = _school_day(rng, low, high)
        if day is None:
            continue
        area = area_on(pk, day)
        unit_of_area, visitor = staff.get(municipality_of[area], (None, None))
        enrolled = _valid_on(schools[pk], day)
        plan.add(pk, day, SCHOOL_START, enrolled or unit_of_area, visitor, area, enrolled)
    return plan


def _draw(
    plan: _Plan, children: list[tuple[int, dt.date, str]], rng: np.random.Generator
) -> list[Measurement]:
    """Weight, height and position for every planned row, then the planted errors."""
    n = len(plan.child)
    index_of = {pk: i for i, (pk, _born, _sex) in enumerate(children)}
    births = {pk: born for pk, born, _sex in children}
    child_index = np.array([index_of[c] for c in plan.child], dtype=np.intp)
    sex = np.array([1 if children[i][2] == "M" else 2 for i in child_index], dtype=np.int8)
    age = np.array(
        [(on - births[c]).days for c, on in zip(plan.child, plan.on, strict=True)],
        dtype=np.float64,
    )
    stage = np.array(plan.stage)
    at_school = stage == SCHOOL_START
    kinds = dict(Area.objects.values_list("pk", "kind"))
    programme = np.array([kinds[a] == Area.Kind.PROGRAMME for a in plan.area])

    # z = mean + sd (tracking × the child's own part + the rest × this measurement's part)
    own_height = rng.standard_normal(len(children))[child_index]
    own_bmi = rng.standard_normal(len(children))[child_index]
    height_z = _clip(
        HEIGHT_MEAN
        + HEIGHT_TRACKING * own_height
        + np.sqrt(1 - HEIGHT_TRACKING**2) * rng.standard_normal(n)
    )
    bmi_part = BMI_TRACKING * own_bmi + np.sqrt(1 - BMI_TRACKING**2) * rng.standard_normal(n)
    # At school start the ranks of the draws are turned into normal scores, so the shares at
    # the cut-offs match the figures closely even for a few hundred children.
    bmi_part[at_school] = _normal_scores(bmi_part[at_school])
    infant = age < 365
    bmi_mean = np.where(infant, BMI_MEAN_INFANT, BMI_MEAN_TODDLER)
    bmi_mean[at_school] = np.where(
        programme[at_school],
        BMI_MEAN_SCHOOL[Area.Kind.PROGRAMME],
        BMI_MEAN_SCHOOL[Area.Kind.COMPARISON],
    )
    bmi_z = _clip(bmi_mean + np.where(infant, BMI_SD_INFANT, BMI_SD) * bmi_part)
    position = np.where(age < engine.HEIGHT_BASED_FROM_DAYS, 1, 2).astype(np.int8)

    def values(height_z: FloatArray, bmi_z: FloatArray) -> tuple[FloatArray, FloatArray]:
        height = engine.lms_value(height_z, *who_lms("lhfa", sex, age))
        weight = engine.lms_value(bmi_z, *who_lms("bfa", sex, age)) * (height / 100) ** 2
        # Infants weighed to 10 g and measured to half a centimetre; at school 100 g and 1 mm.
        weight = np.where(at_school, np.round(weight, 1), np.round(weight, 2))
        height = np.where(at_school, np.round(height, 1), np.round(height * 2) / 2)
        return weight, height

    weight, height = values(height_z, bmi_z)
    # Height and BMI are drawn apart, so weight-for-length can still come out implausible (a
    # long, thin newborn); such rows are drawn nearer the median until none is flagged.
    for _ in range(10):
        flags = engine.compute(
            sex=sex, age_days=age, weight_kg=weight, height_cm=height, position=position
        ).flags
        bad = (flags & services.HOLD_FLAGS) != 0
        if not bad.any():
            break
        height_z[bad] *= 0.5
        bmi_z[bad] *= 0.5
        weight, height = values(height_z, bmi_z)

    now = timezone.now()
    positions = np.where(position == 1, Position.LYING.value, Position.STANDING.value).tolist()
    planted: set[int] = set()
    for error in IMPLAUSIBLE:
        candidates = [int(i) for i in np.flatnonzero(stage == error.stage) if i not in planted]
        if not candidates:
            continue  # a small registry without that stage
        i = candidates[int(rng.integers(0, len(candidates)))]
        planted.add(i)
        if error.weight_kg is not None:
            weight[i] = error.weight_kg
        if error.height_cm is not None:
            height[i] = error.height_cm
        if error.position is not None:
            positions[i] = error.position
    if (weight < WEIGHT_MIN_KG).any() or (weight > WEIGHT_MAX_KG).any():
        raise ValueError("The demo drew a weight outside the hard limits.")
    if (height < HEIGHT_MIN_CM).any() or (height > HEIGHT_MAX_CM).any():
        raise ValueError("The demo drew a height outside the hard limits.")

    return _instances(
        Measurement,
        {
            "child_id": plan.child,
            "measured_on": plan.on,
            "weight_kg": [Decimal(f"{w:.3f}") for w in weight.tolist()],
            "height_cm": [Decimal(f"{h:.1f}") for h in height.tolist()],
            "position": positions,
            "context": np.where(at_school, SCHOOL_START, Context.HEALTH_VISIT.value).tolist(),
            "institution_id": plan.institution,
            "measured_by_id": plan.by,
            "created_at": [local_time(on, 12, now) for on in plan.on],
        },
    )


def _instances(model: Any, columns: dict[str, list[Any]]) -> list[Any]:
    """Unsaved instances of ``model`` from columns of values by field attname; defaults elsewhere.

    Through the positional path of ``Model.__init__``, which costs a third of the keyword path
    (~13,000 measurements: 0.5 s instead of 1.7 s).
    """
    fields = model._meta.concrete_fields
    template = [None if f.primary_key else f.get_default() for f in fields]
    fresh = [j for j, f in enumerate(fields) if isinstance(f, models.UUIDField) and f.has_default()]
    given = [(j, columns[f.attname]) for j, f in enumerate(fields) if f.attname in columns]
    if len(given) != len(columns):
        raise ValueError(f"Unknown columns for {model.__name__}: {sorted(columns)}")
    out = []
    for i in range(len(next(iter(columns.values())))):
        values = template.copy()
        for j, column in given:
            values[j] = column[i]
        for j in fresh:
            values[j] = fields[j].get_default()
        out.append(model(*values))
    return out


def _clip(z: FloatArray) -> FloatArray:
    return np.clip(z, -Z_LIMIT, Z_LIMIT)


def _normal_scores(values: FloatArray) -> FloatArray:
    """Blom's normal scores of the ranks of ``values``: an exact N(0, 1) sample, same order."""
    ranks = np.argsort(np.argsort(values))
    return ndtri((ranks + 0.625) / (len(values) + 0.25))


def _quota(rng: np.random.Generator, shares: tuple[float, ...], n: int) -> NDArray[np.intp]:
    """``n`` values 0, 1, … in the given shares (largest remainders), in random order."""
    p = np.array(shares) / sum(shares)
    counts = np.floor(p * n).astype(np.intp)
    remainders = p * n - counts
    counts[np.argsort(-remainders, kind="stable")[: n - counts.sum()]] += 1
    return rng.permutation(np.repeat(np.arange(len(p)), counts))


def _exams(
    plan: _Plan, measurements: list[Measurement], rng: np.random.Generator
) -> list[SchoolStartExam]:
    """A school-start exam with the nine motor items for each school-start measurement."""
    rows = [i for i, stage in enumerate(plan.stage) if stage == SCHOOL_START]
    codes = dict(Area.objects.values_list("pk", "municipality__code"))
    albertslund = np.array([codes[plan.area[i]] == ALBERTSLUND for i in rows], dtype=bool)
    remarks = np.empty(len(rows), dtype=np.intp)
    for group, shares in ((albertslund, REMARKS_ALBERTSLUND), (~albertslund, REMARKS_NATIONAL)):
        remarks[group] = _quota(rng, shares, int(group.sum()))
    weights = np.array([ITEM_WEIGHTS[code] for code in MOTOR_ITEM_CODES])
    p = weights / weights.sum()
    exams = []
    for k, i in enumerate(rows):
        m = measurements[i]
        chosen = set(rng.choice(len(p), size=int(remarks[k]), replace=False, p=p).tolist())
        values: list[bool | None] = [j in chosen for j in range(len(p))]
        if rng.random() < ITEM_MISSING_SHARE:
            values[int(rng.integers(0, len(values)))] = None
        exam = SchoolStartExam(
            child_id=m.child_id,
            examined_on=m.measured_on,
            school_id=plan.school[i],
            measurement=m,
            created_at=m.created_at,
        )
        for code, value in zip(MOTOR_ITEM_CODES, values, strict=True):
            setattr(exam, f"remark_{code}", value)
        services.exam_derive(exam)
        exams.append(exam)
    return exams


# --- writing ---------------------------------------------------------------------------------------


def _preparer(model_field: models.Field[Any, Any]) -> Any:
    """How a column's Python value becomes a database value (None: as it is)."""
    ops = connection.ops
    if isinstance(model_field, models.UUIDField):
        return lambda value: model_field.get_db_prep_save(value, connection)
    if isinstance(model_field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(model_field, models.DateField):
        return ops.adapt_datefield_value
    if isinstance(model_field, models.DecimalField):
        digits, places = model_field.max_digits, model_field.decimal_places
        return lambda value: ops.adapt_decimalfield_value(value, digits, places)
    return None


def _insert(model: Any, columns: list[tuple[str, Any]], rows: list[list[Any]]) -> None:
    """One ``executemany`` INSERT of ``rows`` (values in the order of ``columns``)."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(name) for name, _field in columns)
    marks = ", ".join(["%s"] * len(columns))
    # Cached: dates, decimals and times repeat across the rows.
    prepare = [(j, cache(fn)) for j, (_n, f) in enumerate(columns) if (fn := _preparer(f))]
    for row in rows:
        for j, fn in prepare:
            if row[j] is not None:
                row[j] = fn(row[j])
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608


def _insert_with_history(model: Any, objs: list[Any], *, user: str | None = None) -> None:
    """Insert ``objs`` (their ids read back by public id) and a "+" history row for each.

    As ``bulk_create_with_history`` leaves them (dated ``created_at``, by the ``user`` column),
    at a tenth of its cost for the demo's ~13,000 rows of ~30 columns: one ``executemany``
    (the ORM's batches are 27 rows on SQLite), and the history rows copied in SQL.
    """
    if not objs:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    _insert(
        model,
        [(f.column, f) for f in fields],
        [[getattr(obj, f.attname) for f in fields] for obj in objs],
    )
    ids = dict(
        model.objects.filter(public_id__in=[obj.public_id for obj in objs]).values_list(
            "public_id", "pk"
        )
    )
    for obj in objs:
        obj.pk = ids[obj.public_id]
        obj._state.adding = False
        obj._state.db = connection.alias
    history = model.history.model
    special = {"history_id", "history_date", "history_change_reason", "history_type",
               "history_user_id"}  # fmt: skip
    quote = connection.ops.quote_name
    copied = [quote(f.column) for f in history._meta.concrete_fields if f.attname not in special]
    table, history_table = quote(model._meta.db_table), quote(history._meta.db_table)
    names = ", ".join(copied)
    by = quote(user) if user else "NULL"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {history_table} ({names}, history_date, history_type, history_user_id) "  # noqa: S608
            f"SELECT {names}, {quote('created_at')}, %s, {by} FROM {table} AS m "
            f"WHERE NOT EXISTS (SELECT 1 FROM {history_table} AS h WHERE h.id = m.id)",
            ["+"],
        )
