"""Coverage indicators of health visiting, per programme area: aggregates only, all suppressed.

Three tables for one calendar year:

1. **Enhanced visit within its window**, per area × month: of the children offered the 4–6-month
   enhanced home visit whose window has closed, the share visited within the window. Children are
   counted in the area they lived in when the window closed, and in the month of their birth (birth
   cohort) or of the window's close. Children for whom the stage was skipped or not offered are not
   counted; a declined visit counts as not done.
2. **Vulnerable families reached**, per area × programme stage: of the families marked vulnerable
   during the stage's window (window closed, stage not skipped), the share in which the stage was
   completed for a child. Families are counted once per area and stage.
3. **Topics covered**, per area × topic: completed contacts that covered the topic, by the area the
   child lived in on the contact's date.

Everything is computed with numpy over the engine's batch result or with SQL aggregation, never
per child in Python, and every figure passes through ``borneliv.lib.disclosure`` before display:
a share is shown only when its denominator, and its numerator and the rest where they are not
zero, reach the threshold; a small count is shown as "<threshold"; and a second cell in the same
row or column is hidden ("–") so that totals do not give a hidden cell away.
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

from borneliv.children.models import Child, Residence
from borneliv.healthvisits import selectors
from borneliv.healthvisits.models import Contact, Outcome, Topic
from borneliv.healthvisits.schedule import NO_DAY, STATUS_CODE, Status, day_number, schedule_batch
from borneliv.lib import disclosure
from borneliv.organisations.models import Area

ENHANCED_VISIT = "enhanced_visit_4_6m"


class By:
    BIRTH = "birth"
    WINDOW = "window"


@dataclass(frozen=True)
class Cell:
    """One figure as shown: its text, and whether (and why) it is hidden."""

    text: str
    hidden: str = ""  # "", "small" (below the threshold) or "complementary"
    empty: bool = False  # nothing to count


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
class Coverage:
    year: int
    by: str
    threshold: int
    areas: list[Area]
    enhanced: Table
    vulnerable: Table
    topics: Table
    enhanced_available: bool


def coverage_areas(user: Any) -> list[Area]:
    """Programme areas whose figures the user may see: all, or her municipalities' areas."""
    areas = Area.objects.programme().select_related("municipality")
    scope = user.scope
    if not scope.reads_everything:
        municipalities = scope.led_municipality_ids | scope.health_municipality_ids
        areas = areas.filter(municipality_id__in=municipalities)
    return list(areas.order_by("municipality__name", "name"))


# --- suppression and formatting -------------------------------------------------------------


def _percent(k: float, n: float) -> str:
    return f"{round(100 * k / n)} %"


def with_totals(values: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """The table with its row totals as a last column and column totals as a last row.

    Suppression works on this augmented table: each of its rows and columns is a set of figures
    that add up to a published total, so one hidden figure in a line could be worked out from
    the others, and a second one must be hidden too (that may be a total).
    """
    table = np.asarray(values, dtype=np.int64)
    rows, columns = table.shape
    out = np.zeros((rows + 1, columns + 1), dtype=np.int64)
    out[:rows, :columns] = table
    out[:rows, columns] = table.sum(axis=1)
    out[rows, :columns] = table.sum(axis=0)
    out[rows, columns] = table.sum()
    return out


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
    big_k = with_totals(np.asarray(k, dtype=np.int64).reshape(shape))
    big_n = with_totals(np.asarray(n, dtype=np.int64).reshape(shape))
    primary = disclosure.share_mask(big_k, big_n, threshold) & (big_n > 0)
    hidden = disclosure.complementary_mask(big_n, primary)

    def cell(i: int, j: int) -> Cell:
        kk, nn = int(big_k[i, j]), int(big_n[i, j])
        if hidden[i, j]:
            return Cell(text="–", hidden="small" if primary[i, j] else "complementary")
        if nn == 0:
            return Cell(text="·", empty=True)
        return Cell(text=f"{_percent(kk, nn)} ({kk}/{nn})")

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
    values = with_totals(np.asarray(counts, dtype=np.int64).reshape(shape))
    primary = disclosure.primary_mask(values, threshold)
    hidden = disclosure.complementary_mask(values, primary)

    def cell(i: int, j: int) -> Cell:
        value = int(values[i, j])
        if primary[i, j]:
            return Cell(text=f"<{threshold}", hidden="small")
        if hidden[i, j]:
            return Cell(text="–", hidden="complementary")
        return Cell(text=str(value), empty=value == 0)

    cells = [[cell(i, j) for j in range(values.shape[1])] for i in range(values.shape[0])]
    return _table(cells, row_labels=row_labels, column_labels=column_labels)


# --- the indicators -------------------------------------------------------------------------


def _month_labels(year: int) -> list[str]:
    return [date_format(dt.date(year, month, 1), "M") for month in range(1, 13)]


def _month_index(days: npt.NDArray[np.int64], year: int) -> npt.NDArray[np.int64]:
    """Month 0–11 of each day number within ``year``; -1 outside it (or for a missing day)."""
    result = np.full(days.shape, -1, dtype=np.int64)
    valid = days != NO_DAY
    dates = days[valid].astype("datetime64[D]")
    years = dates.astype("datetime64[Y]").astype(np.int64) + 1970
    months = dates.astype("datetime64[M]").astype(np.int64) % 12
    result[np.nonzero(valid)[0]] = np.where(years == year, months, -1)
    return result


def compute(user: Any, *, year: int, by: str, today: dt.date) -> Coverage:
    """The three coverage tables of ``year`` for the programme areas the user may see."""
    threshold = int(settings.DISCLOSURE_THRESHOLD)
    areas = coverage_areas(user)
    area_ids = np.array([a.pk for a in areas], dtype=np.int64)
    area_labels = [a.name for a in areas]
    catalogue = selectors.stage_catalogue()
    programme = [s for s in catalogue.stages if s.is_programme]
    now = day_number(today)

    first = dt.date(year, 1, 1)
    last = dt.date(year, 12, 31)
    oldest = first - dt.timedelta(days=catalogue.horizon_days()) if by == By.WINDOW else first
    children = Child.objects.filter(
        Exists(Residence.objects.filter(child=OuterRef("pk"), area_id__in=area_ids.tolist())),
        birth_date__gte=oldest,
        birth_date__lte=last,
    )
    facts = selectors.load_facts(children, today, child_fields=("family_id",))
    result = schedule_batch(facts.batch, catalogue.defs, today)

    def area_index(day: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """Per child, the row of the area it lived in on ``day``; -1 outside the table."""
        area = facts.area_on(day)
        if len(area_ids) == 0:
            return np.full(facts.n, -1, dtype=np.int64)
        order = np.argsort(area_ids)
        position = np.minimum(np.searchsorted(area_ids[order], area), len(area_ids) - 1)
        found = area_ids[order][position] == area
        return np.where(found, order[position], -1)

    def year_of(window_end: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        return _month_index(facts.birth if by == By.BIRTH else window_end, year)

    skipped_or_not_offered = [
        STATUS_CODE[s] for s in (Status.SKIPPED, Status.NOT_ELIGIBLE, Status.WAITING)
    ]

    # 1. The enhanced visit within its window, by area × month.
    a_count = len(areas)
    enhanced_k = np.zeros((a_count, 12), dtype=np.int64)
    enhanced_n = np.zeros((a_count, 12), dtype=np.int64)
    enhanced_available = ENHANCED_VISIT in result.by_stage
    if enhanced_available and facts.n:
        stage = result[ENHANCED_VISIT]
        closed = (stage.window_end != NO_DAY) & (stage.window_end < now)
        offered = ~np.isin(stage.status, skipped_or_not_offered)
        area = area_index(stage.window_end)
        month = year_of(stage.window_end)
        counted = closed & offered & (area >= 0) & (month >= 0)
        key = area[counted] * 12 + month[counted]
        enhanced_n = np.bincount(key, minlength=a_count * 12).reshape(a_count, 12)
        done = (stage.within_window == 1)[counted]
        enhanced_k = np.bincount(key[done], minlength=a_count * 12).reshape(a_count, 12)

    # 2. Vulnerable families reached, by area × programme stage.
    s_count = len(programme)
    reached_k = np.zeros((a_count, s_count), dtype=np.int64)
    reached_n = np.zeros((a_count, s_count), dtype=np.int64)
    if facts.n and a_count and s_count:
        family_column = facts.extra["family_id"]
        has_family = family_column.astype(bool)  # ids are positive; None is false
        family = np.where(
            has_family,
            np.where(has_family, family_column, 0).astype(np.int64),
            -1 - np.arange(facts.n, dtype=np.int64),  # a child without a family stands alone
        )
        completed = STATUS_CODE[Status.COMPLETED]
        for j, st in enumerate(programme):
            stage = result[st.code]
            known = stage.window_end != NO_DAY
            closed = known & (stage.window_end < now)
            vulnerable = facts.vulnerable_between(stage.window_start, stage.window_end) & known
            offered = ~np.isin(stage.status, skipped_or_not_offered)
            area = area_index(stage.window_end)
            counted = closed & vulnerable & offered & (area >= 0) & (year_of(stage.window_end) >= 0)
            pairs = np.stack([area[counted], family[counted]])
            reached = (stage.status == completed)[counted]
            if pairs.shape[1]:
                families = np.unique(pairs, axis=1)
                reached_n[:, j] = np.bincount(families[0], minlength=a_count)
                reached_pairs = pairs[:, reached]
                if reached_pairs.shape[1]:
                    reached_families = np.unique(reached_pairs, axis=1)
                    reached_k[:, j] = np.bincount(reached_families[0], minlength=a_count)

    # 3. Topics covered, by area × topic (SQL aggregation).
    topics = list(Topic.objects.filter(is_active=True).order_by("sort_order"))
    topic_index = {t.pk: j for j, t in enumerate(topics)}
    area_row = {int(a): i for i, a in enumerate(area_ids.tolist())}
    topic_counts = np.zeros((a_count, len(topics)), dtype=np.int64)
    if a_count and topics:
        residence = "contact__child__residences__"
        contact_date = F("contact__contact_date")
        rows = (
            Contact.topics.through.objects.filter(
                Q(**{f"{residence}area_id__in": area_ids.tolist()})
                & Q(**{f"{residence}valid_from__lte": contact_date})
                & (
                    Q(**{f"{residence}valid_to__isnull": True})
                    | Q(**{f"{residence}valid_to__gte": contact_date})
                ),
                contact__contact_date__gte=first,
                contact__contact_date__lte=min(last, today),
                contact__outcome=Outcome.COMPLETED,
            )
            .values_list(f"{residence}area_id", "topic_id")
            .annotate(contacts=Count("contact_id", distinct=True))
            .order_by()
        )
        for area_id, topic_id, count in rows:
            if topic_id in topic_index and area_id in area_row:
                topic_counts[area_row[area_id], topic_index[topic_id]] = count

    return Coverage(
        year=year,
        by=by,
        threshold=threshold,
        areas=areas,
        enhanced=share_table(
            enhanced_k,
            enhanced_n,
            row_labels=area_labels,
            column_labels=_month_labels(year),
            threshold=threshold,
        ),
        vulnerable=share_table(
            reached_k,
            reached_n,
            row_labels=area_labels,
            column_labels=[s.name for s in programme],
            threshold=threshold,
        ),
        topics=count_table(
            topic_counts,
            row_labels=area_labels,
            column_labels=[t.name for t in topics],
            threshold=threshold,
        ),
        enhanced_available=enhanced_available,
    )


def explanation(threshold: int) -> str:
    return _(
        "Figures about fewer than %(n)s children are hidden: a count below %(n)s shows as "
        "“<%(n)s”, a share is shown only when at least %(n)s children are counted and at least "
        "%(n)s have (or none has) the property, and so that hidden figures cannot be worked out "
        "from the totals, another figure in the same row or column is hidden too (“–”)."
    ) % {"n": threshold}
