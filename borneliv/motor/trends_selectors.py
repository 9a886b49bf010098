"""Motor trends: KL's three levels at 4 by area, daycare and school year, beside school start.

The reads of the motor trends (``trends_for``): the engine is ``trends`` (no Django), the texts and
files ``trends_presenter``. Aggregates only: the page, its CSV/XLSX and every figure come from
``trends_for``; no child is named
and no figure about fewer children than the threshold (``settings.DISCLOSURE_THRESHOLD``) is
shown.

What is counted
    * Assessments of the sessions (open or closed) held with the chosen instrument (by default
      the 4-year instrument ``motor-4``, every version of it), of children who were present and
      have a summary in one of KL's three levels. Children observed with too few items for a
      summary (``insufficient``, or no scores) are left out and counted in a note; absent
      children are not counted at all. The level rule lives in each instrument version
      (``engine.summarise``), so a version changed by the municipality changes what a level means
      from then on.
    * The period is the **school year** (1 August – 31 July) of the session date, the period of
      the school-start exams too, so the two figures of a year sit side by side.
    * One child counts once per school year: its last assessment with a summary in it. The choice
      is made over every area before the reader's scope is applied, so an area's figures are the
      same whoever looks at them.
    * **Area**: the area of the child's residence on the session day; a child with no residence
      that day counts in the area the daycare belonged to that day. **Daycare**: the session's.
    * **School start** (the comparison): ``growth.prevalence_selectors.prevalence_for`` for motor
      difficulties at school start, unchanged — the child's residence on the exam day, one exam
      per child and school year — so the figure here is exactly the prevalence page's.

Suppression (through ``lib.disclosure``)
    Per school year the areas of each kind (programme, comparison) form a hierarchy of additive
    sub-tables — each municipality's areas with the municipality's total, the municipalities'
    totals with the kind's total —, each line holding the children counted (n) and the children
    at each of the three levels (which add up to n). A line with 1 … threshold-1 children is
    hidden whole; a level whose share ``disclosure.share_mask`` refuses (fewer than the threshold
    with, or without, that level) is hidden; then, until nothing changes, a second cell is hidden
    in every line and every column of a sub-table with a single hidden cell
    and no hidden cell may follow from the published ones by any combination of lines
    (``disclosure.protect``); a line whose n is hidden is hidden whole (``whole_line``: every
    level is shown as k of the line's n). Daycares
    are tabulated the same way, each municipality's daycares with their total. Both tables are
    computed over every area and daycare, whoever reads them, and each reader is shown a part of
    them (as the prevalence page does), so two readers' parts set side by side reveal nothing
    either could not see.

Queries: the municipalities in scope, the instruments, the areas and the exams (both through the
prevalence selector), the daycares, and the assessments (values only, the areas as correlated
subqueries) — a fixed number whatever the data. The rest is numpy.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext as _

from borneliv.accounts.models import User
from borneliv.growth import prevalence as growth_engine
from borneliv.growth import prevalence_selectors as prevalence
from borneliv.motor.models import Assessment, Instrument
from borneliv.motor.trends import (
    AREA,
    DAYCARE,
    GROUP,
    LEVELS,
    TOTAL,
    IntArray,
    Line,
    Unit,
    tabulate_levels,
)
from borneliv.motor.trends_presenter import ShownLine, Trends, area_total_label, period_label
from borneliv.organisations.models import Area, Institution, InstitutionArea, Municipality

#: The instrument the page opens with: the 4-year play-based observation.
DEFAULT_INSTRUMENT = "motor-4"
FIRST_YEAR = 2000
MAX_PERIODS = 10
DEFAULT_PERIODS = 5


# --- the query ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendsQuery:
    year_from: int  # the first year of a school year
    year_to: int
    instrument: Instrument
    municipality: Municipality | None = None  # None: every municipality the user may see

    @property
    def periods(self) -> list[int]:
        return list(range(self.year_from, self.year_to + 1))


def trends_municipalities(user: User) -> list[Municipality]:
    """The municipalities whose figures the user may see (as for prevalence)."""
    return prevalence.prevalence_municipalities(user)


def current_school_year(on: dt.date) -> int:
    return on.year if on.month >= 8 else on.year - 1


def trends_query(
    user: User,
    *,
    year_from: int | None,
    year_to: int | None,
    municipality_code: str | None,
    instrument_code: str | None,
    on: dt.date,
    instruments: list[Instrument],
    allowed: list[Municipality] | None = None,
) -> TrendsQuery:
    """A checked query: ``ValidationError`` (by field) for bad values, ``Http404`` for a
    municipality outside the user's scope (or unknown: ids reveal nothing).

    Defaults: the 4-year instrument, the last five school years up to the current one.
    """
    errors: dict[str, str] = {}
    code = instrument_code or DEFAULT_INSTRUMENT
    instrument = next((i for i in instruments if i.code == code), None)
    if instrument is None and not instrument_code and instruments:
        instrument = instruments[0]
    if instrument is None:
        errors["instrument"] = _("Unknown instrument.")
    latest = current_school_year(on)
    last = year_to if year_to is not None else latest
    first = year_from if year_from is not None else max(FIRST_YEAR, last - DEFAULT_PERIODS + 1)
    if not FIRST_YEAR <= first <= latest or not FIRST_YEAR <= last <= latest:
        errors["year_from"] = _("Choose school years from %(first)s to %(last)s.") % {
            "first": period_label(FIRST_YEAR),
            "last": period_label(latest),
        }
    elif first > last:
        errors["year_from"] = _("The first year comes after the last.")
    elif last - first + 1 > MAX_PERIODS:
        errors["year_from"] = _("Choose at most %(n)s years.") % {"n": MAX_PERIODS}
    if errors:
        raise ValidationError(errors)
    assert instrument is not None
    municipality = None
    if municipality_code:
        choices = allowed if allowed is not None else trends_municipalities(user)
        municipality = next((m for m in choices if m.code == municipality_code), None)
        if municipality is None:
            raise Http404
    return TrendsQuery(
        year_from=first, year_to=last, instrument=instrument, municipality=municipality
    )


# --- the rows -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rows:
    """One row per counted child and school year: the tables' input."""

    area: IntArray
    daycare: IntArray
    period: IntArray
    level: IntArray  # index into LEVELS
    # Children observed without a summary in a school year (and none with one), by area.
    unsummarised_area: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))


def assessment_rows(query: TrendsQuery) -> Rows:
    """The assessments counted (see the module docstring), one query, values only."""
    first = dt.date(query.year_from, 8, 1)
    last = dt.date(query.year_to + 1, 7, 31)
    rows = list(
        Assessment.objects.filter(
            present=True,
            session__version__instrument=query.instrument,
            session__held_on__gte=first,
            session__held_on__lte=last,
        )
        .annotate(
            home_area=Coalesce(
                prevalence.area_on("session__held_on"),
                prevalence.area_on(
                    "session__held_on",
                    history=InstitutionArea,
                    owner="institution_id",
                    outer_owner="session__institution_id",
                ),
            )
        )
        .values_list(
            "pk", "child_id", "session__held_on", "session__institution_id", "level", "home_area"
        )
        .order_by()
    )
    empty = np.zeros(0, np.int64)
    if not rows:
        return Rows(empty, empty, empty, empty, empty)
    level_index = {level: i for i, level in enumerate(LEVELS)}
    pk = np.array([r[0] for r in rows], dtype=np.int64)
    child = np.array([r[1] for r in rows], dtype=np.int64)
    day = np.array([r[2] for r in rows], dtype="datetime64[D]")
    daycare = np.array([r[3] for r in rows], dtype=np.int64)
    level = np.array([level_index.get(r[4], -1) for r in rows], dtype=np.int64)
    area = np.array([-1 if r[5] is None else r[5] for r in rows], dtype=np.int64)
    period = growth_engine.school_year(day)

    summarised = level >= 0
    idx = np.flatnonzero(summarised)
    chosen = idx[
        growth_engine.latest_per_child(child[idx], period[idx], day[idx], pk[idx]).astype(np.intp)
    ]
    # Children with no summary in a school year: their last assessment of it, if no other has one.
    has_summary = {(int(c), int(p)) for c, p in zip(child[chosen], period[chosen], strict=True)}
    rest = np.flatnonzero(~summarised)
    rest = rest[growth_engine.latest_per_child(child[rest], period[rest], day[rest], pk[rest])]
    unsummarised = np.array(
        [i for i in rest.tolist() if (int(child[i]), int(period[i])) not in has_summary],
        dtype=np.intp,
    )
    return Rows(
        area=area[chosen],
        daycare=daycare[chosen],
        period=period[chosen],
        level=level[chosen],
        unsummarised_area=area[unsummarised] if unsummarised.size else empty,
    )


def _daycare_detail(user: User, municipality_id: int) -> str:
    """How much of a municipality's daycare table the user sees: "all", "shown" or ""."""
    scope = user.scope
    if scope.is_admin or municipality_id in scope.health_municipality_ids:
        return "all"
    if municipality_id in scope.led_municipality_ids:
        return "shown"  # project leaders: the daycares whose figures pass suppression
    return ""


def trends_for(
    user: User, query: TrendsQuery, *, allowed: list[Municipality] | None = None
) -> Trends:
    """The suppressed trend tables the user may see for ``query``."""
    threshold = int(settings.DISCLOSURE_THRESHOLD)
    if allowed is None:
        allowed = trends_municipalities(user)
    # The school-start side is the prevalence page's own table (areas and exams: two queries).
    school = prevalence.prevalence_for(
        user,
        prevalence.Query(
            measure=prevalence.Measure.MOTOR,
            setting=prevalence.Setting.SCHOOL_START,
            year_from=query.year_from,
            year_to=query.year_to,
            municipality=query.municipality,
        ),
        allowed=allowed,
    )
    areas: list[Area] = school.areas
    shown = school.municipalities
    covers_all = school.covers_all
    shown_ids = {m.pk for m in shown}
    names = {m.pk: m.name for m in allowed}
    daycares = list(
        Institution.objects.filter(kind=Institution.Kind.DAYCARE)
        .order_by("municipality__name", "name", "pk")
        .values_list("pk", "name", "municipality_id")
    )
    rows = assessment_rows(query)

    area_units = [Unit(a.pk, a.kind, a.municipality_id, a.name) for a in areas]
    area_lines = tabulate_levels(
        unit=rows.area,
        period=rows.period,
        level=rows.level,
        units=area_units,
        periods=query.periods,
        threshold=threshold,
    )
    daycare_lines = tabulate_levels(
        unit=rows.daycare,
        period=rows.period,
        level=rows.level,
        units=[Unit(pk, DAYCARE, municipality, name) for pk, name, municipality in daycares],
        periods=query.periods,
        threshold=threshold,
    )

    def shows_area(line: Line) -> bool:
        if line.level in (AREA, GROUP):
            return line.group in shown_ids and (line.level == AREA or not covers_all)
        return covers_all

    several = len(shown) > 1
    shown_areas: list[ShownLine] = []
    comparison: list[ShownLine] = []
    for line in area_lines:
        if not shows_area(line):
            continue
        municipality = names.get(line.group, "") if line.group is not None else ""
        label = (
            line.unit.label
            if line.unit is not None
            else area_total_label(line, municipality, several)
        )
        if line.level == AREA:
            assert line.unit is not None
            exam_line = school.table.line(line.unit.id, line.period)
        elif line.level == GROUP:
            assert line.group is not None
            exam_line = school.table.group_total(line.kind, line.group, line.period)
        else:
            exam_line = school.table.total(line.kind, line.period)
        shown_line = ShownLine(
            period=line.period,
            period_label=period_label(line.period),
            kind=line.kind,
            line=line,
            label=label,
            municipality=municipality,
        )
        shown_areas.append(shown_line)
        comparison.append(
            dataclasses.replace(
                shown_line,
                school_start=exam_line.cell(growth_engine.ALL) if exam_line else None,
            )
        )

    detail = {m: _daycare_detail(user, m) for m in shown_ids}
    shown_daycares: list[ShownLine] = []
    for line in daycare_lines:
        if line.level == TOTAL or line.group not in shown_ids:
            continue
        assert line.group is not None
        how = detail[line.group]
        if not how or line.is_empty:
            continue
        if how == "shown" and line.level == AREA and line.hidden:
            continue
        municipality = names.get(line.group, "")
        label = (
            line.unit.label
            if line.unit is not None
            else _("All daycares in %(municipality)s") % {"municipality": municipality}
        )
        shown_daycares.append(
            ShownLine(
                period=line.period,
                period_label=period_label(line.period),
                kind=DAYCARE,
                line=line,
                label=label,
                municipality=municipality,
            )
        )
    # A total with no daycare line left above it is dropped too (nothing to add up).
    kept: list[ShownLine] = []
    for daycare_line in shown_daycares:
        if daycare_line.is_total and (
            not kept or kept[-1].is_total or kept[-1].period != daycare_line.period
        ):
            continue
        kept.append(daycare_line)

    shown_area_ids = {a.pk for a in areas if a.municipality_id in shown_ids}
    unsummarised = int(np.isin(rows.unsummarised_area, sorted(shown_area_ids)).sum())
    return Trends(
        query=query,
        threshold=threshold,
        municipalities=shown,
        area_lines=shown_areas,
        daycare_lines=kept,
        shows_daycares=any(detail.values()),
        comparison_lines=comparison,
        unsummarised=unsummarised,
        school_start_undetermined=list(school.notes),
    )
