"""Reads for prevalence: counted measurements and exams → engine (``prevalence``) → labelled table.

The page, its chart, its CSV export and the API all call ``prevalence_for`` and show the cells it
returns, every one of them already suppressed by the engine through ``lib.disclosure``.

What is counted
    * Overweight incl. obesity and obesity: ``Measurement.objects.counted()`` only (accepted or
      confirmed; held and rejected measurements never count), of the measurement's context —
      school start (``school_start``) or health visiting (``health_visit``), the latter within an
      age band (``prevalence.AGE_BANDS``). A measurement needs a category of the reference the
      setting uses: IOTF (as configured, ``services.iotf_setting()``; a measurement classified with
      another IOTF version awaits ``borneliv growth recompute`` and is left out, and the page says
      how many) from 2 years, WHO 2006 BMI-for-age below 2 years.
    * Motor difficulties: ``SchoolStartExam.motor_difficulties`` (3 or more of the nine items with
      a remark); an exam with too few items assessed to tell is "not determinable" and left out.
    * One child counts once per period: its last counted school-start measurement (or exam) of
      the school year; at the health-visiting ages its last measurement in the age band, counted
      in that measurement's calendar year. The choice is made over all areas, before the scope is
      applied, so an area's figures are the same whoever looks at them.
    * A child counts in the area it lived in on the day it was measured (``Residence`` valid on
      that date); a child with no residence on that day is not counted.

Scope
    Administrators and researchers: every municipality (or one they choose); project leaders and
    health visitors: the municipalities they lead or serve. The kind totals add up only the areas
    shown; the national figure is public and always shown where one is published.

Queries: the areas (1), the rows — one query with the residence area as a correlated subquery,
values only (1). No query per child; the rest is numpy.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from borneliv.accounts.models import User
from borneliv.children.models import Residence
from borneliv.growth import prevalence as engine
from borneliv.growth import prevalence_presenter as presenter
from borneliv.growth import services
from borneliv.growth.models import Context, Measurement, SchoolStartExam
from borneliv.growth.prevalence_presenter import (
    KIND_LABELS,
    TOTAL_LABELS,
    Block,
    ChartPoint,
    ShownCell,
    ShownLine,
    reference_text,
)
from borneliv.organisations.models import Area, Municipality


class Measure(models.TextChoices):
    OVERWEIGHT = "overweight", gettext_lazy("Overweight incl. obesity")
    OBESITY = "obesity", gettext_lazy("Obesity")
    MOTOR = "motor_difficulties", gettext_lazy("Motor difficulties")


class Setting(models.TextChoices):
    SCHOOL_START = "school_start", gettext_lazy("School start")
    MONTHS_6_10 = "6_10_months", gettext_lazy("Health visiting: 6–10 months")
    YEARS_1_2 = "1_2_years", gettext_lazy("Health visiting: 1–2 years")
    YEARS_2_3 = "2_3_years", gettext_lazy("Health visiting: 2–3 years")
    YEARS_3_5 = "3_5_years", gettext_lazy("Health visiting: 3–5 years")


#: Measurement contexts counted at the health-visiting ages.
HEALTH_VISIT_CONTEXTS = (Context.HEALTH_VISIT,)
#: The most periods one table shows.
MAX_PERIODS = 10
FIRST_YEAR = 2000


# --- the query ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    measure: str
    setting: str
    year_from: int
    year_to: int
    municipality: Municipality | None = None  # None: every municipality the user may see

    @property
    def by_school_year(self) -> bool:
        return self.setting == Setting.SCHOOL_START

    @property
    def periods(self) -> list[int]:
        return list(range(self.year_from, self.year_to + 1))


def prevalence_municipalities(user: User) -> list[Municipality]:
    """The municipalities whose areas' prevalence the user may see."""
    municipalities = Municipality.objects.all()
    scope = user.scope
    if not scope.reads_everything:
        allowed = scope.led_municipality_ids | scope.health_municipality_ids
        municipalities = municipalities.filter(pk__in=allowed)
    return list(municipalities.order_by("name"))


def current_period(setting: str, on: dt.date) -> int:
    """The school year (its first year) or calendar year that ``on`` lies in."""
    if setting == Setting.SCHOOL_START:
        return on.year if on.month >= 8 else on.year - 1
    return on.year


def period_label(setting: str, period: int) -> str:
    return engine.school_year_label(period) if setting == Setting.SCHOOL_START else str(period)


def prevalence_query(
    user: User,
    *,
    measure: str | None,
    setting: str | None,
    year_from: int | None,
    year_to: int | None,
    municipality_code: str | None,
    on: dt.date,
    allowed: list[Municipality] | None = None,
) -> Query:
    """A checked query; ``ValidationError`` (by field) for bad values, ``Http404`` for a
    municipality outside the user's scope (or unknown: ids reveal nothing).

    Defaults: overweight at school start, up to the current period (``on``), five periods.
    """
    errors: dict[str, str] = {}
    measure = measure or Measure.OVERWEIGHT
    setting = setting or Setting.SCHOOL_START
    if measure not in Measure.values:
        errors["measure"] = _("Unknown measure.")
    if setting not in Setting.values:
        errors["setting"] = _("Unknown setting.")
    elif measure == Measure.MOTOR and setting != Setting.SCHOOL_START:
        errors["setting"] = _("Motor difficulties are assessed at school start only.")
    latest = current_period(setting, on)
    last = year_to if year_to is not None else latest
    first = year_from if year_from is not None else max(FIRST_YEAR, last - 4)
    if not FIRST_YEAR <= first <= latest or not FIRST_YEAR <= last <= latest:
        errors["year_from"] = _("Choose years from %(first)s to %(last)s.") % {
            "first": FIRST_YEAR,
            "last": latest,
        }
    elif first > last:
        errors["year_from"] = _("The first year comes after the last.")
    elif last - first + 1 > MAX_PERIODS:
        errors["year_from"] = _("Choose at most %(n)s years.") % {"n": MAX_PERIODS}
    if errors:
        raise ValidationError(errors)
    municipality = None
    if municipality_code:
        choices = allowed if allowed is not None else prevalence_municipalities(user)
        municipality = next((m for m in choices if m.code == municipality_code), None)
        if municipality is None:
            raise Http404
    return Query(
        measure=measure,
        setting=setting,
        year_from=first,
        year_to=last,
        municipality=municipality,
    )


# --- what the page shows --------------------------------------------------------------------------


@dataclass(frozen=True)
class Prevalence:
    """The part of the suppressed table (of every area) that a reader is shown.

    Shown: the areas of ``municipalities``, and as the total of a kind the kind's total when
    they are every municipality, the municipality's total when they are one, and each
    municipality's total when they are several but not all (no sum of them: it is not a line of
    the suppressed table).
    """

    query: Query
    table: engine.Table
    areas: list[Area]  # every area (the table's)
    municipalities: list[Municipality]  # those shown
    covers_all: bool  # the municipalities shown are all there are
    reference: str
    threshold: int
    national: engine.NationalFigure | None
    notes: list[str] = field(default_factory=list)

    @property
    def measure_label(self) -> str:
        return str(Measure(self.query.measure).label)

    @property
    def setting_label(self) -> str:
        return str(Setting(self.query.setting).label)

    def period_label(self, period: int) -> str:
        return period_label(self.query.setting, period)

    @property
    def shown_areas(self) -> list[Area]:
        ids = {m.pk for m in self.municipalities}
        return [a for a in self.areas if a.municipality_id in ids]

    def _shows(self, line: engine.Line) -> bool:
        ids = {m.pk for m in self.municipalities}
        if line.level == engine.AREA or line.level == engine.GROUP:
            if line.group not in ids:
                return False
            return line.level == engine.AREA or not self.covers_all
        return self.covers_all

    def _total_label(self, line: engine.Line, municipality: str) -> str:
        if line.level == engine.GROUP and len(self.municipalities) > 1:
            return _("%(total)s in %(municipality)s") % {
                "total": TOTAL_LABELS[line.kind],
                "municipality": municipality,
            }
        return str(TOTAL_LABELS[line.kind])

    @property
    def lines(self) -> list[ShownLine]:
        """The rows shown, in order: by period, kind (programme first), areas, totals."""
        by_id = {a.pk: a for a in self.areas}
        names = {m.pk: m.name for m in self.municipalities}
        out = []
        for line in self.table.lines:
            if not self._shows(line):
                continue
            area = by_id[line.area.id] if line.area is not None else None
            municipality = names.get(line.group, "") if line.group is not None else ""
            out.append(
                ShownLine(
                    period=line.period,
                    period_label=self.period_label(line.period),
                    kind=line.kind,
                    level=line.level,
                    area=area,
                    municipality=municipality,
                    label=area.name if area is not None else self._total_label(line, municipality),
                    cells=[
                        ShownCell(sex, cell)
                        for sex, cell in zip(engine.SEXES, line.cells, strict=True)
                    ],
                )
            )
        return out

    @property
    def blocks(self) -> list[Block[ShownLine]]:
        """The rows grouped for the page: per period, per kind."""
        return presenter.blocks_of(self.lines, KIND_LABELS)

    @property
    def has_hidden(self) -> bool:
        return any(cell.hidden for line in self.lines for cell in line.cells)

    def kind_total(self, kind: str, period: int) -> engine.Line | None:
        """The line shown as the kind's one total: the kind's, or the one municipality's."""
        if self.covers_all:
            return self.table.total(kind, period)
        if len(self.municipalities) == 1:
            return self.table.group_total(kind, self.municipalities[0].pk, period)
        return None

    def series(self, kind: str) -> list[ChartPoint]:
        """The kind's total (girls and boys) per period, where it is shown (for the chart)."""
        points = []
        for period in self.table.periods:
            total = self.kind_total(kind, period)
            if total is None:
                continue
            cell = total.cell(engine.ALL)
            if cell.is_hidden or not cell.n or cell.share is None:
                continue
            assert cell.low is not None and cell.high is not None
            points.append(ChartPoint(period, 100 * cell.share, 100 * cell.low, 100 * cell.high))
        return points


# --- the rows -----------------------------------------------------------------------------------


def area_on(
    date_field: str,
    *,
    history: type[models.Model] = Residence,
    owner: str = "child_id",
    outer_owner: str = "child_id",
) -> Subquery:
    """The area of a dated history (by default the child's residence) on the row's date.

    The row's ``outer_owner`` is matched to the history's ``owner``; where several periods hold
    that day, the latest started wins. Also ``motor.trends_selectors`` (a daycare's area).
    """
    day = OuterRef(date_field)
    return Subquery(
        history._default_manager.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day),
            valid_from__lte=day,
            **{owner: OuterRef(outer_owner)},
        )
        .order_by("-valid_from")
        .values("area_id")[:1]
    )


def _column(rows: list[tuple[Any, ...]], index: int, dtype: Any) -> npt.NDArray[Any]:
    return np.array([row[index] for row in rows], dtype=dtype)


@dataclass(frozen=True)
class Rows:
    """One row per counted child and period: the engine's input."""

    area: npt.NDArray[Any]  # area ids
    period: npt.NDArray[Any]  # first year of the school year, or the calendar year
    sex: npt.NDArray[Any]  # "F" or "M"
    flag: npt.NDArray[Any]  # the child has the property
    # Left out, by reason (children in the table's areas and periods).
    stale: int = 0
    undetermined: int = 0


def _keep(
    area: npt.NDArray[np.int64], period: npt.NDArray[np.int64], query: Query, area_ids: list[int]
) -> npt.NDArray[np.bool_]:
    return np.isin(area, area_ids) & (period >= query.year_from) & (period <= query.year_to)


def measurement_rows(query: Query, area_ids: list[int], iotf: str) -> Rows:
    """Counted measurements, one per child and period (school year or age band)."""
    band = engine.AGE_BANDS_BY_CODE.get(query.setting)
    if band is None:  # school start
        first = dt.date(query.year_from, 8, 1)
        last = dt.date(query.year_to + 1, 7, 31)
        contexts: tuple[str, ...] = (Context.SCHOOL_START,)
        uses_iotf = True
    else:
        first = dt.date(query.year_from, 1, 1)
        # A later measurement in the band (after the last year) would replace the one in range.
        width = int(np.ceil((band.months_to - band.months_from) * engine.DAYS_PER_MONTH))
        last = dt.date(query.year_to, 12, 31) + dt.timedelta(days=width)
        contexts = tuple(HEALTH_VISIT_CONTEXTS)
        uses_iotf = band.reference == engine.IOTF
    category = "iotf_category" if uses_iotf else "who_category"
    rows = list(
        Measurement.objects.counted()
        .filter(context__in=contexts, measured_on__gte=first, measured_on__lte=last)
        .exclude(**{category: ""})
        .annotate(home_area=area_on("measured_on"))
        .values_list(
            "pk",
            "child_id",
            "measured_on",
            "child__sex",
            "age_days",
            category,
            "iotf_version",
            "home_area",
        )
        .order_by()
    )
    empty = Rows(
        area=np.zeros(0, np.int64),
        period=np.zeros(0, np.int64),
        sex=np.zeros(0, np.str_),
        flag=np.zeros(0, np.bool_),
    )
    if not rows:
        return empty
    pk = _column(rows, 0, np.int64)
    child = _column(rows, 1, np.int64)
    day = _column(rows, 2, "datetime64[D]")
    sex = _column(rows, 3, np.str_)
    age = np.array([np.nan if r[4] is None else r[4] for r in rows], dtype=np.float64)
    categories = _column(rows, 5, np.str_)
    versions = _column(rows, 6, np.str_)
    area = np.array([-1 if r[7] is None else r[7] for r in rows], dtype=np.int64)

    if band is None:
        group = engine.school_year(day)
    else:
        inside = engine.in_band(age, band)
        pk, child, day, sex, categories, versions, area = (
            a[inside] for a in (pk, child, day, sex, categories, versions, area)
        )
        group = np.zeros(len(pk), dtype=np.int64)
    chosen = engine.latest_per_child(child, group, day, pk)
    day, sex, categories, versions, area = (
        a[chosen] for a in (day, sex, categories, versions, area)
    )
    period = engine.school_year(day) if band is None else engine.calendar_year(day)
    keep = _keep(area, period, query, area_ids)
    current = versions == iotf if uses_iotf else np.ones(len(day), dtype=bool)
    stale = int(np.count_nonzero(keep & ~current))
    keep &= current
    if uses_iotf:
        members = (
            engine.IOTF_OVERWEIGHT if query.measure == Measure.OVERWEIGHT else engine.IOTF_OBESITY
        )
    else:
        members = (
            engine.WHO_OVERWEIGHT if query.measure == Measure.OVERWEIGHT else engine.WHO_OBESITY
        )
    flag = np.isin(categories, sorted(members))
    return Rows(area=area[keep], period=period[keep], sex=sex[keep], flag=flag[keep], stale=stale)


def exam_rows(query: Query, area_ids: list[int]) -> Rows:
    """School-start exams, one per child and school year (the last)."""
    first = dt.date(query.year_from, 8, 1)
    last = dt.date(query.year_to + 1, 7, 31)
    rows = list(
        SchoolStartExam.objects.filter(examined_on__gte=first, examined_on__lte=last)
        .annotate(home_area=area_on("examined_on"))
        .values_list(
            "pk", "child_id", "examined_on", "child__sex", "motor_difficulties", "home_area"
        )
        .order_by()
    )
    if not rows:
        return Rows(
            area=np.zeros(0, np.int64),
            period=np.zeros(0, np.int64),
            sex=np.zeros(0, np.str_),
            flag=np.zeros(0, np.bool_),
        )
    pk = _column(rows, 0, np.int64)
    child = _column(rows, 1, np.int64)
    day = _column(rows, 2, "datetime64[D]")
    sex = _column(rows, 3, np.str_)
    # 1 motor difficulties, 0 none, -1 not determinable.
    result = np.array([-1 if r[4] is None else int(r[4]) for r in rows], dtype=np.int8)
    area = np.array([-1 if r[5] is None else r[5] for r in rows], dtype=np.int64)
    group = engine.school_year(day)
    chosen = engine.latest_per_child(child, group, day, pk)
    sex, result, area, period = sex[chosen], result[chosen], area[chosen], group[chosen]
    keep = _keep(area, period, query, area_ids)
    undetermined = int(np.count_nonzero(keep & (result < 0)))
    keep &= result >= 0
    return Rows(
        area=area[keep],
        period=period[keep],
        sex=sex[keep],
        flag=result[keep] == 1,
        undetermined=undetermined,
    )


# --- the table ----------------------------------------------------------------------------------


def prevalence_areas(
    user: User, query: Query, allowed: list[Municipality] | None = None
) -> tuple[list[Area], list[Municipality], bool]:
    """Every area (the table is computed over all of them), the municipalities shown, and
    whether those are all the municipalities there are."""
    if allowed is None:
        allowed = prevalence_municipalities(user)
    shown = [query.municipality] if query.municipality is not None else allowed
    areas = list(Area.objects.select_related("municipality").order_by("municipality__name", "name"))
    every = {a.municipality_id for a in areas}
    covers_all = every <= {m.pk for m in shown}
    order = {engine.PROGRAMME: 0, engine.COMPARISON: 1}
    areas.sort(key=lambda a: order.get(a.kind, 2))
    return areas, shown, covers_all


def prevalence_for(
    user: User, query: Query, *, allowed: list[Municipality] | None = None
) -> Prevalence:
    """The suppressed prevalence table the user may see for ``query``.

    ``allowed``: ``prevalence_municipalities(user)`` if the caller has it already.
    """
    threshold = int(settings.DISCLOSURE_THRESHOLD)
    iotf = services.iotf_setting()
    areas, municipalities, covers_all = prevalence_areas(user, query, allowed)
    area_ids = [a.pk for a in areas]
    if query.measure == Measure.MOTOR:
        rows = exam_rows(query, area_ids)
    else:
        rows = measurement_rows(query, area_ids, iotf)
    table = engine.tabulate(
        area=rows.area,
        period=rows.period,
        sex=rows.sex,
        flag=rows.flag,
        areas=[engine.AreaSpec(a.pk, a.kind, a.municipality_id, a.name) for a in areas],
        periods=query.periods,
        threshold=threshold,
    )
    notes = []
    if rows.stale:
        notes.append(
            _(
                "%(count)s children are left out because their measurement was classified with "
                "another IOTF version than the one configured (IOTF %(version)s); an "
                "administrator runs “borneliv growth recompute”."
            )
            % {"count": presenter.count_text(rows.stale, threshold), "version": iotf}
        )
    if rows.undetermined:
        notes.append(
            _(
                "%(count)s children are left out as not determinable: too few motor items were "
                "assessed to tell."
            )
            % {"count": presenter.count_text(rows.undetermined, threshold)}
        )
    return Prevalence(
        query=query,
        table=table,
        areas=areas,
        municipalities=municipalities,
        covers_all=covers_all,
        reference=reference_text(query.measure, query.setting, iotf),
        threshold=threshold,
        national=engine.NATIONAL_FIGURES.get((query.measure, query.setting)),
        notes=notes,
    )
