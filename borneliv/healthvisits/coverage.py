"""Coverage indicators of health visiting, per area, in programme and comparison areas side by side.

Six tables for one calendar year, each computed for the programme areas and, separately, for the
comparison areas the user may see (two series: the programme is judged against the comparison
areas, which must receive none of its contacts). Columns are the periods of the year — months,
quarters or the whole year (``Period``) — so that small areas need not all be suppressed.

1. **Enhanced visit within its window**, per area × period: of the children whose 4–6-month
   window closed (or who were born, ``By.BIRTH``) in the period, the share visited within the
   window. Children are counted in the area they lived in when the window closed. In programme
   areas, children for whom the visit was skipped or not offered are not counted; in comparison
   areas every child is counted (not skipped), and the share is the programme's visit reaching
   them, which should be 0 %. A declined visit counts as not done.
2. **The enhanced visit's four focus themes**, per area × period: of the completed enhanced
   visits in the period, the share that covered all four focus themes of the stage (tumbling,
   family meals, screen habits, family experiences in the local area).
3. **Vulnerable families reached**, per area × programme stage: of the families marked vulnerable
   during the stage's window (window closed in the year, stage not skipped), the share in which
   the stage was completed for a child. Families are counted once per area and stage.
4. **Breastfeeding counselling reached**, per area × period: of the vulnerable families whose
   counselling window (the first half year) closed in the period, the share with at least one
   completed call; and 5. **calls per family reached** (the mean number of completed calls),
   shown only where at least the threshold of families was reached.
6. **Topics covered**, per area × topic: completed contacts in the year that covered the topic,
   by the area the child lived in on the contact's date.

Everything is computed with numpy over the engine's batch result or with SQL aggregation, never
per child in Python, and every figure passes through ``borneliv.lib.disclosure`` before display:
a share is shown only when its denominator, and its numerator and the rest where they are not
zero, reach the threshold; a small count is shown as "<threshold"; and a second cell in the same
row or column is hidden ("–") so that totals do not give a hidden cell away. Each arm's tables
are suppressed with their own totals.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from borneliv.accounts.models import User
from borneliv.children.models import Child, Residence
from borneliv.healthvisits import selectors
from borneliv.healthvisits.models import Contact, Outcome, Stage, Topic
from borneliv.healthvisits.schedule import NO_DAY, STATUS_CODE, Status, day_number, schedule_batch
from borneliv.lib import disclosure
from borneliv.organisations.models import Area

ENHANCED_VISIT = "enhanced_visit_4_6m"
FEEDING = "feeding_phone"


class By:
    BIRTH = "birth"
    WINDOW = "window"


class Period:
    """The columns of the period tables."""

    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    CHOICES = (MONTH, QUARTER, YEAR)
    COLUMNS = {MONTH: 12, QUARTER: 4, YEAR: 1}


@dataclass(frozen=True)
class Cell:
    """One figure as shown: its text, and whether (and why) it is hidden."""

    text: str
    hidden: str = ""  # "", "small" (below the threshold) or "complementary"
    empty: bool = False  # nothing to count
    numerator: int | None = None  # the shown counts (None when hidden or not a share)
    denominator: int | None = None


@dataclass(frozen=True)
class Table:
    """A table of figures with row and column totals, every cell already suppressed."""

    row_labels: list[str]
    column_labels: list[str]
    cells: list[list[Cell]]
    row_totals: list[Cell]
    column_totals: list[Cell]
    total: Cell

    @property
    def rows(self) -> list[tuple[str, list[Cell], Cell]]:
        return list(zip(self.row_labels, self.cells, self.row_totals, strict=True))

    @property
    def has_hidden(self) -> bool:
        cells = [c for row in self.cells for c in row] + self.row_totals + self.column_totals
        return any(c.hidden for c in [*cells, self.total])


@dataclass(frozen=True)
class Arm:
    """The tables of one arm of the evaluation: the programme areas or the comparison areas."""

    kind: str  # Area.Kind
    areas: list[Area]
    enhanced: Table
    themes: Table
    vulnerable: Table
    feeding_reached: Table
    feeding_calls: Table
    topics: Table

    @property
    def label(self) -> str:
        return _("Programme areas") if self.kind == Area.Kind.PROGRAMME else _("Comparison areas")

    @property
    def is_programme(self) -> bool:
        return self.kind == Area.Kind.PROGRAMME


@dataclass(frozen=True)
class Coverage:
    year: int
    by: str
    period: str
    threshold: int
    arms: list[Arm]  # programme first, then comparison (an arm without areas is left out)
    enhanced_available: bool
    feeding_available: bool
    focus_themes: list[str]

    def arm(self, kind: str) -> Arm:
        """The arm of one kind; ``LookupError`` when the user sees no area of that kind."""
        for arm in self.arms:
            if arm.kind == kind:
                return arm
        raise LookupError(kind)

    @property
    def programme(self) -> Arm:
        return self.arm(Area.Kind.PROGRAMME)

    @property
    def comparison(self) -> Arm:
        return self.arm(Area.Kind.COMPARISON)


def coverage_areas(user: User, kind: str = Area.Kind.PROGRAMME) -> list[Area]:
    """Areas of one kind whose figures the user may see: all, or her municipalities' areas."""
    areas = Area.objects.filter(kind=kind).select_related("municipality")
    scope = user.scope
    if not scope.reads_everything:
        municipalities = scope.led_municipality_ids | scope.health_municipality_ids
        areas = areas.filter(municipality_id__in=municipalities)
    return list(areas.order_by("municipality__name", "name"))


# --- suppression and formatting -------------------------------------------------------------


def _percent(k: float, n: float) -> str:
    return f"{round(100 * k / n)} %"


def _table(cells: list[list[Cell]], *, row_labels: list[str], column_labels: list[str]) -> Table:
    """Split the cells of an augmented table into body, row totals, column totals and total."""
    return Table(
        row_labels=row_labels,
        column_labels=column_labels,
        cells=[row[:-1] for row in cells[:-1]],
        row_totals=[row[-1] for row in cells[:-1]],
        column_totals=cells[-1][:-1],
        total=cells[-1][-1],
    )


def share_table(
    k: npt.ArrayLike,
    n: npt.ArrayLike,
    *,
    row_labels: list[str],
    column_labels: list[str],
    threshold: int,
) -> Table:
    """A table of shares k/n with totals; hidden where ``disclosure`` says so."""
    shape = (len(row_labels), len(column_labels))
    big_k = disclosure.with_totals(np.asarray(k, dtype=np.int64).reshape(shape))
    big_n = disclosure.with_totals(np.asarray(n, dtype=np.int64).reshape(shape))
    primary = disclosure.share_mask(big_k, big_n, threshold) & (big_n > 0)
    hidden = disclosure.protect(big_n, primary)

    def cell(i: int, j: int) -> Cell:
        kk, nn = int(big_k[i, j]), int(big_n[i, j])
        if hidden[i, j]:
            return Cell(text="–", hidden="small" if primary[i, j] else "complementary")
        if nn == 0:
            return Cell(text="·", empty=True, numerator=0, denominator=0)
        return Cell(text=f"{_percent(kk, nn)} ({kk}/{nn})", numerator=kk, denominator=nn)

    cells = [[cell(i, j) for j in range(big_n.shape[1])] for i in range(big_n.shape[0])]
    return _table(cells, row_labels=row_labels, column_labels=column_labels)


def count_table(
    counts: npt.ArrayLike,
    *,
    row_labels: list[str],
    column_labels: list[str],
    threshold: int,
) -> Table:
    """A table of counts with totals; small counts shown as "<threshold", their partners "–"."""
    shape = (len(row_labels), len(column_labels))
    values = disclosure.with_totals(np.asarray(counts, dtype=np.int64).reshape(shape))
    primary = disclosure.primary_mask(values, threshold)
    hidden = disclosure.protect(values, primary)

    def cell(i: int, j: int) -> Cell:
        value = int(values[i, j])
        if primary[i, j]:
            return Cell(text=f"<{threshold}", hidden="small")
        if hidden[i, j]:
            return Cell(text="–", hidden="complementary")
        return Cell(text=str(value), empty=value == 0, numerator=value)

    cells = [[cell(i, j) for j in range(values.shape[1])] for i in range(values.shape[0])]
    return _table(cells, row_labels=row_labels, column_labels=column_labels)


# --- the indicators -------------------------------------------------------------------------


def mean_table(
    total: npt.ArrayLike,
    n: npt.ArrayLike,
    *,
    row_labels: list[str],
    column_labels: list[str],
    threshold: int,
) -> Table:
    """A table of means total/n (one decimal, Danish comma) with totals.

    A mean is shown only where ``n`` reaches the threshold; the counts ``n`` are suppressed like
    a count table (primary and complementary), so that a hidden group cannot be worked out from
    the totals either.
    """
    shape = (len(row_labels), len(column_labels))
    big_total = disclosure.with_totals(np.asarray(total, dtype=np.int64).reshape(shape))
    big_n = disclosure.with_totals(np.asarray(n, dtype=np.int64).reshape(shape))
    primary = disclosure.primary_mask(big_n, threshold)
    hidden = disclosure.protect(big_n, primary)

    def cell(i: int, j: int) -> Cell:
        tt, nn = int(big_total[i, j]), int(big_n[i, j])
        if nn == 0:
            return Cell(text="·", empty=True, numerator=0, denominator=0)
        if hidden[i, j]:
            return Cell(text="–", hidden="small" if primary[i, j] else "complementary")
        mean = f"{tt / nn:.1f}".replace(".", ",")
        return Cell(text=f"{mean} ({tt}/{nn})", numerator=tt, denominator=nn)

    cells = [[cell(i, j) for j in range(big_n.shape[1])] for i in range(big_n.shape[0])]
    return _table(cells, row_labels=row_labels, column_labels=column_labels)


# --- the indicators -------------------------------------------------------------------------


def period_labels(year: int, period: str) -> list[str]:
    if period == Period.QUARTER:
        return [_("Q%(n)s") % {"n": q} for q in range(1, 5)]
    if period == Period.YEAR:
        return [str(year)]
    return [date_format(dt.date(year, month, 1), "M") for month in range(1, 13)]


def _period_index(days: npt.NDArray[np.int64], year: int, period: str) -> npt.NDArray[np.int64]:
    """The period column of each day number within ``year``; -1 outside it (or a missing day)."""
    result = np.full(days.shape, -1, dtype=np.int64)
    valid = days != NO_DAY
    dates = days[valid].astype("datetime64[D]")
    years = dates.astype("datetime64[Y]").astype(np.int64) + 1970
    months = dates.astype("datetime64[M]").astype(np.int64) % 12
    column = {Period.MONTH: months, Period.QUARTER: months // 3}.get(period, months * 0)
    result[np.nonzero(valid)[0]] = np.where(years == year, column, -1)
    return result


def _area_lookup(area_ids: list[int]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    ids = np.asarray(area_ids, dtype=np.int64)
    return ids, np.argsort(ids)


def _families(facts: selectors.Facts) -> npt.NDArray[np.int64]:
    """Per child, a family key: its family id, or a key of its own for a child without one."""
    column = facts.extra["family_id"]
    has_family = column.astype(bool)  # ids are positive; None is false
    return np.where(
        has_family,
        np.where(has_family, column, 0).astype(np.int64),
        -1 - np.arange(facts.n, dtype=np.int64),
    )


def _count_pairs(pairs: npt.NDArray[np.int64], rows: int) -> npt.NDArray[np.int64]:
    """Distinct (row, key) pairs counted per row."""
    if pairs.shape[1] == 0:
        return np.zeros(rows, dtype=np.int64)
    return np.bincount(np.unique(pairs, axis=1)[0], minlength=rows)


def compute(
    user: User, *, year: int, by: str, today: dt.date, period: str = Period.MONTH
) -> Coverage:
    """The coverage tables of ``year`` for the programme and comparison areas the user may see."""
    threshold = int(settings.DISCLOSURE_THRESHOLD)
    period = period if period in Period.CHOICES else Period.MONTH
    arms_areas = [
        (kind, coverage_areas(user, kind)) for kind in (Area.Kind.PROGRAMME, Area.Kind.COMPARISON)
    ]
    all_areas = [a for _kind, areas in arms_areas for a in areas]
    catalogue = selectors.stage_catalogue()
    programme_stages = [s for s in catalogue.stages if s.is_programme]
    enhanced_stage = next((s for s in catalogue.stages if s.code == ENHANCED_VISIT), None)
    focus = list(enhanced_stage.focus_topics.order_by("sort_order")) if enhanced_stage else []
    now = day_number(today)

    first = dt.date(year, 1, 1)
    last = dt.date(year, 12, 31)
    oldest = first - dt.timedelta(days=catalogue.horizon_days()) if by == By.WINDOW else first
    children = Child.objects.filter(
        Exists(
            Residence.objects.filter(child=OuterRef("pk"), area_id__in=[a.pk for a in all_areas])
        ),
        birth_date__gte=oldest,
        birth_date__lte=last,
    )
    facts = selectors.load_facts(children, today, child_fields=("family_id",))
    result = schedule_batch(facts.batch, catalogue.defs, today)
    topics = list(Topic.objects.filter(is_active=True).order_by("sort_order"))
    topic_rows = _topic_counts(all_areas, topics, first, min(last, today))
    theme_rows = _theme_counts(enhanced_stage, focus, all_areas, first, min(last, today), period)

    arms = [
        _arm(
            kind,
            areas,
            facts=facts,
            result=result,
            now=now,
            year=year,
            by=by,
            period=period,
            threshold=threshold,
            programme_stages=programme_stages,
            topics=topics,
            topic_rows=topic_rows,
            theme_rows=theme_rows,
        )
        for kind, areas in arms_areas
        if areas
    ]
    return Coverage(
        year=year,
        by=by,
        period=period,
        threshold=threshold,
        arms=arms,
        enhanced_available=ENHANCED_VISIT in result.by_stage,
        feeding_available=FEEDING in result.by_stage,
        focus_themes=[t.name for t in focus],
    )


def _arm(
    kind: str,
    areas: list[Area],
    *,
    facts: selectors.Facts,
    result: Any,
    now: int,
    year: int,
    by: str,
    period: str,
    threshold: int,
    programme_stages: list[Stage],
    topics: list[Topic],
    topic_rows: dict[tuple[int, int], int],
    theme_rows: dict[tuple[int, int], tuple[int, int]],
) -> Arm:
    area_ids, order = _area_lookup([a.pk for a in areas])
    labels = [a.name for a in areas]
    a_count = len(areas)
    columns = Period.COLUMNS[period]
    column_labels = period_labels(year, period)
    is_programme = kind == Area.Kind.PROGRAMME

    def area_index(day: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """Per child, the row of the area it lived in on ``day``; -1 outside this arm."""
        area = facts.area_on(day)
        position = np.minimum(np.searchsorted(area_ids[order], area), a_count - 1)
        found = area_ids[order][position] == area
        return np.where(found, order[position], -1)

    def column_of(window_end: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        return _period_index(facts.birth if by == By.BIRTH else window_end, year, period)

    # In programme areas a stage that was not offered is not counted; in comparison areas no
    # programme stage is offered, so every child whose window closed is counted (the share is
    # the programme reaching the comparison, which must stay 0 %).
    not_counted = [Status.SKIPPED, Status.WAITING]
    if is_programme:
        not_counted.append(Status.NOT_ELIGIBLE)
    not_counted_codes = [STATUS_CODE[s] for s in not_counted]
    family = _families(facts) if facts.n else np.zeros(0, dtype=np.int64)

    def shares(k: npt.NDArray[np.int64], n: npt.NDArray[np.int64], cols: list[str]) -> Table:
        return share_table(k, n, row_labels=labels, column_labels=cols, threshold=threshold)

    # 1. The enhanced visit within its window, by area × period.
    enhanced_k = np.zeros((a_count, columns), dtype=np.int64)
    enhanced_n = np.zeros((a_count, columns), dtype=np.int64)
    if ENHANCED_VISIT in result.by_stage and facts.n:
        stage = result[ENHANCED_VISIT]
        closed = (stage.window_end != NO_DAY) & (stage.window_end < now)
        counted_status = ~np.isin(stage.status, not_counted_codes)
        area = area_index(stage.window_end)
        column = column_of(stage.window_end)
        counted = closed & counted_status & (area >= 0) & (column >= 0)
        key = area[counted] * columns + column[counted]
        enhanced_n = np.bincount(key, minlength=a_count * columns).reshape(a_count, columns)
        done = (stage.within_window == 1)[counted]
        enhanced_k = np.bincount(key[done], minlength=a_count * columns).reshape(a_count, columns)

    # 2. Focus themes of the enhanced visits, by area × period (counted in SQL).
    themes_k = np.zeros((a_count, columns), dtype=np.int64)
    themes_n = np.zeros((a_count, columns), dtype=np.int64)
    row_of = {int(a): i for i, a in enumerate(area_ids.tolist())}
    for (area_id, col), (all_four, visits) in theme_rows.items():
        if area_id in row_of:
            themes_k[row_of[area_id], col] = all_four
            themes_n[row_of[area_id], col] = visits

    # 3. Vulnerable families reached, by area × programme stage.
    s_count = len(programme_stages)
    reached_k = np.zeros((a_count, s_count), dtype=np.int64)
    reached_n = np.zeros((a_count, s_count), dtype=np.int64)
    if facts.n and a_count and s_count:
        for j, st in enumerate(programme_stages):
            stage = result[st.code]
            known = stage.window_end != NO_DAY
            closed = known & (stage.window_end < now)
            vulnerable = facts.vulnerable_between(stage.window_start, stage.window_end) & known
            counted_status = ~np.isin(stage.status, not_counted_codes)
            area = area_index(stage.window_end)
            in_year = column_of(stage.window_end) >= 0
            counted = closed & vulnerable & counted_status & (area >= 0) & in_year
            pairs = np.stack([area[counted], family[counted]])
            reached = (stage.done_on != NO_DAY)[counted]
            reached_n[:, j] = _count_pairs(pairs, a_count)
            reached_k[:, j] = _count_pairs(pairs[:, reached], a_count)

    # 4–5. Breastfeeding counselling: families reached, and calls per family reached.
    feeding_k = np.zeros((a_count, columns), dtype=np.int64)
    feeding_n = np.zeros((a_count, columns), dtype=np.int64)
    calls_total = np.zeros((a_count, columns), dtype=np.int64)
    if FEEDING in result.by_stage and facts.n and a_count:
        stage = result[FEEDING]
        known = stage.window_end != NO_DAY
        closed = known & (stage.window_end < now)
        vulnerable = facts.vulnerable_between(stage.window_start, stage.window_end) & known
        counted_status = ~np.isin(stage.status, not_counted_codes)
        area = area_index(stage.window_end)
        column = column_of(stage.window_end)
        counted = closed & vulnerable & counted_status & (area >= 0) & (column >= 0)
        cell = area * columns + column
        # One row per (cell, family): reached if a child of the family had a call; its calls
        # are the family's children's calls added up.
        keys = np.stack([cell[counted], family[counted]])
        if keys.shape[1]:
            unique, inverse = np.unique(keys, axis=1, return_inverse=True)
            inverse = inverse.reshape(-1)
            calls = np.bincount(inverse, weights=stage.calls[counted], minlength=unique.shape[1])
            reached = calls > 0
            size = a_count * columns
            feeding_n = np.bincount(unique[0], minlength=size).reshape(a_count, columns)
            feeding_k = np.bincount(unique[0][reached], minlength=size).reshape(a_count, columns)
            calls_total = (
                np.bincount(unique[0], weights=calls, minlength=size)
                .round()
                .astype(np.int64)
                .reshape(a_count, columns)
            )

    # 6. Topics covered, by area × topic.
    topic_index = {t.pk: j for j, t in enumerate(topics)}
    topic_counts = np.zeros((a_count, len(topics)), dtype=np.int64)
    for (area_id, topic_id), count in topic_rows.items():
        if topic_id in topic_index and area_id in row_of:
            topic_counts[row_of[area_id], topic_index[topic_id]] = count

    return Arm(
        kind=kind,
        areas=areas,
        enhanced=shares(enhanced_k, enhanced_n, column_labels),
        themes=shares(themes_k, themes_n, column_labels),
        vulnerable=shares(reached_k, reached_n, [s.name for s in programme_stages]),
        feeding_reached=shares(feeding_k, feeding_n, column_labels),
        feeding_calls=mean_table(
            calls_total,
            feeding_k,
            row_labels=labels,
            column_labels=column_labels,
            threshold=threshold,
        ),
        topics=count_table(
            topic_counts,
            row_labels=labels,
            column_labels=[t.name for t in topics],
            threshold=threshold,
        ),
    )


def _in_area_on_contact_day(prefix: str, area_ids: list[int]) -> Q:
    """The contact's child lived in one of the areas on the contact's day."""
    residence = f"{prefix}child__residences__"
    contact_date = F(f"{prefix}contact_date")
    return (
        Q(**{f"{residence}area_id__in": area_ids})
        & Q(**{f"{residence}valid_from__lte": contact_date})
        & (
            Q(**{f"{residence}valid_to__isnull": True})
            | Q(**{f"{residence}valid_to__gte": contact_date})
        )
    )


def _topic_counts(
    areas: list[Area], topics: list[Topic], first: dt.date, last: dt.date
) -> dict[tuple[int, int], int]:
    """Completed contacts per (area, topic) in ``[first, last]`` (one SQL aggregation)."""
    if not areas or not topics:
        return {}
    rows = (
        Contact.topics.through.objects.filter(
            _in_area_on_contact_day("contact__", [a.pk for a in areas]),
            contact__contact_date__gte=first,
            contact__contact_date__lte=last,
            contact__outcome=Outcome.COMPLETED,
        )
        .values_list("contact__child__residences__area_id", "topic_id")
        .annotate(contacts=Count("contact_id", distinct=True))
        .order_by()
    )
    return {(area_id, topic_id): count for area_id, topic_id, count in rows}


def _theme_counts(
    stage: Stage | None,
    focus: list[Topic],
    areas: list[Area],
    first: dt.date,
    last: dt.date,
    period: str,
) -> dict[tuple[int, int], tuple[int, int]]:
    """Per (area, period column): completed visits of ``stage`` that covered all focus themes,
    and all its completed visits (one SQL aggregation)."""
    if stage is None or not focus or not areas:
        return {}
    covered = Count("topics", filter=Q(topics__in=[t.pk for t in focus]), distinct=True)
    rows = (
        Contact.objects.filter(
            _in_area_on_contact_day("", [a.pk for a in areas]),
            stage=stage,
            outcome=Outcome.COMPLETED,
            contact_date__gte=first,
            contact_date__lte=last,
        )
        .values_list("pk", "child__residences__area_id", "contact_date")
        .annotate(themes=covered)
        .order_by()
    )
    result: dict[tuple[int, int], tuple[int, int]] = {}
    if not rows:
        return result
    _pk, area_col, day_col, theme_col = (np.asarray(c) for c in zip(*rows, strict=True))
    days = np.asarray([day_number(d) for d in day_col.tolist()], dtype=np.int64)
    columns = _period_index(days, first.year, period)
    all_four = theme_col.astype(np.int64) >= len(focus)
    for area_id in np.unique(area_col).tolist():
        mine = area_col == area_id
        for col in np.unique(columns[mine]).tolist():
            if col < 0:
                continue
            cell = mine & (columns == col)
            result[(int(area_id), int(col))] = (int(all_four[cell].sum()), int(cell.sum()))
    return result


def explanation(threshold: int) -> str:
    return _(
        "Figures about fewer than %(n)s children are hidden: a count below %(n)s shows as "
        "“<%(n)s”, a share is shown only when at least %(n)s children are counted and at least "
        "%(n)s have (or none has) the property, and so that hidden figures cannot be worked out "
        "from the totals, another figure in the same row or column is hidden too (“–”)."
    ) % {"n": threshold}
