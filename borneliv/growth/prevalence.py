"""Prevalence by area × period × sex: counts, shares, Wilson 95 % intervals, suppression.

No Django import: the engine works on numpy arrays of counted rows (one row per child and
period, already chosen with ``latest_per_child``) and returns a table whose every cell has been
through ``borneliv.lib.disclosure``. The Django side (``prevalence_selectors``) reads the
measurements, the page, the chart, the CSV and the API show what this returns and nothing else.

The table
    Rows are the areas of each kind (programme areas, then comparison areas), grouped (by
    municipality: ``AreaSpec.group``), each group followed by its total and each kind by its
    total; columns are girls, boys and all. One such block per period. Each cell holds n
    (children counted), k (children with the property), the share k/n and its Wilson 95 %
    interval (``borneliv.lib.stats.wilson_interval``).

Suppression, per period and kind, over the whole table of every area
    The block is a hierarchy of additive sub-tables: each group's areas and the group's total,
    and the groups' totals and the kind's total, each by girls + boys = all. Complementary
    suppression (``disclosure.protect``) runs over the linked sub-tables until no line of any
    of them has exactly one hidden cell and no hidden cell follows from the published ones by
    any combination of lines, in two steps:

    1. Counts: a cell counting 1 … threshold-1 children is hidden, and complementary cells with
       it, on n alone — so the cells hidden for n are the same whichever property is shown
       (overweight and obesity share their n, and comparing the two tables reveals nothing).
    2. Shares: a cell whose share ``disclosure.share_mask`` refuses (k or n-k between 1 and
       threshold-1) is hidden too, and the closure runs again over all hidden cells.

    The table is computed for every area, whoever reads it, and a reader is shown a part of it
    (her municipality's areas with their total, or every area with the kind's total). Every part
    is cut from the same suppressed table, so setting parts side by side — a project leader's
    municipality beside a researcher's whole programme — tells no more than the whole table,
    in which no line with a published total has a single hidden cell. (A table cut separately
    for each reader could hide different partners in each, and the two could be subtracted.)
    A hidden cell shows nothing: no n, no k, no share, no interval. A cell with n = 0 is empty
    (nothing counted), not hidden.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from borneliv.lib import disclosure
from borneliv.lib.stats import wilson_interval

PROGRAMME = "programme"
COMPARISON = "comparison"
KINDS = (PROGRAMME, COMPARISON)

GIRLS = "F"
BOYS = "M"
ALL = "all"
SEXES = (GIRLS, BOYS, ALL)

SMALL = disclosure.SMALL  # hidden: too few children (primary suppression)
COMPLEMENTARY = disclosure.COMPLEMENTARY  # hidden so that a small cell cannot be worked out

IntArray = npt.NDArray[np.int64]

# --- categories ---------------------------------------------------------------------------------

#: IOTF categories (``engine.IOTF_CATEGORIES``) counted as overweight incl. obesity (adult-
#: equivalent BMI >= 25) and as obesity (>= 30); both IOTF 2012 and IOTF 2000 names.
IOTF_OVERWEIGHT = frozenset({"overweight", "obesity", "morbid_obesity"})
IOTF_OBESITY = frozenset({"obesity", "morbid_obesity"})
#: WHO 2006 BMI-for-age categories (0-5 y): "overweight" z > 2, "obese" z > 3.
WHO_OVERWEIGHT = frozenset({"overweight", "obese"})
WHO_OBESITY = frozenset({"obese"})

IOTF = "IOTF"
WHO = "WHO 2006"

# --- age bands of health visiting ---------------------------------------------------------------

DAYS_PER_MONTH = 30.4375  # as WHO: 365.25 / 12


@dataclass(frozen=True)
class AgeBand:
    """Ages from ``months_from`` up to, not including, ``months_to`` (age in days / 30.4375)."""

    code: str
    months_from: float
    months_to: float
    reference: str  # IOTF (from 2 years) or WHO 2006 (below 2 years)


AGE_BANDS: tuple[AgeBand, ...] = (
    AgeBand("6_10_months", 6, 11, WHO),  # 6 to 10 completed months
    AgeBand("1_2_years", 12, 24, WHO),
    AgeBand("2_3_years", 24, 36, IOTF),  # IOTF starts at 2.0 years = 24 months
    AgeBand("3_5_years", 36, 60, IOTF),
)
AGE_BANDS_BY_CODE = {band.code: band for band in AGE_BANDS}


def in_band(age_days: npt.ArrayLike, band: AgeBand) -> npt.NDArray[np.bool_]:
    """True where the age (days; NaN unknown) lies in the band."""
    months = np.asarray(age_days, dtype=np.float64) / DAYS_PER_MONTH
    return (months >= band.months_from) & (months < band.months_to)


# --- periods --------------------------------------------------------------------------------------


def school_year(days: npt.ArrayLike) -> IntArray:
    """The school year (1 August to 31 July) of each date, as the year it starts in."""
    dates = np.asarray(days, dtype="datetime64[D]")
    years = dates.astype("datetime64[Y]").astype(np.int64) + 1970
    months = dates.astype("datetime64[M]").astype(np.int64) % 12 + 1
    return np.where(months >= 8, years, years - 1)


def calendar_year(days: npt.ArrayLike) -> IntArray:
    dates = np.asarray(days, dtype="datetime64[D]")
    return dates.astype("datetime64[Y]").astype(np.int64) + 1970


def school_year_label(start: int) -> str:
    """``2025`` → ``"2025/26"``."""
    return f"{start}/{(start + 1) % 100:02d}"


# --- one row per child --------------------------------------------------------------------------


def latest_per_child(
    child: npt.ArrayLike,
    group: npt.ArrayLike,
    day: npt.ArrayLike,
    tiebreak: npt.ArrayLike | None = None,
) -> npt.NDArray[np.intp]:
    """Indices (ascending) of the last row, by day then tiebreak, of each (child, group)."""
    child_arr = np.asarray(child)
    size = child_arr.shape[0]
    if size == 0:
        return np.zeros(0, dtype=np.intp)
    group_arr = np.asarray(group)
    day_arr = np.asarray(day)
    ties = np.arange(size) if tiebreak is None else np.asarray(tiebreak)
    order = np.lexsort((ties, day_arr, group_arr, child_arr))
    sorted_child = child_arr[order]
    sorted_group = group_arr[order]
    last = np.ones(size, dtype=bool)
    last[:-1] = (sorted_child[1:] != sorted_child[:-1]) | (sorted_group[1:] != sorted_group[:-1])
    return np.sort(order[last])


# --- the table ----------------------------------------------------------------------------------

AREA = "area"  # a line of one area
GROUP = "group"  # the total of a group's areas of one kind (e.g. a municipality's)
TOTAL = "total"  # the total of all areas of one kind


@dataclass(frozen=True)
class AreaSpec:
    id: int
    kind: str  # PROGRAMME or COMPARISON
    group: int = 0  # e.g. the municipality: each group's areas of a kind have a total line too
    label: str = ""


@dataclass(frozen=True)
class Cell:
    """One figure: n, k, share and interval, or nothing at all when hidden."""

    n: int | None
    k: int | None
    share: float | None
    low: float | None
    high: float | None
    hidden: str = ""  # "", SMALL or COMPLEMENTARY

    @property
    def is_hidden(self) -> bool:
        return bool(self.hidden)

    @property
    def is_empty(self) -> bool:
        return not self.hidden and self.n == 0


HIDDEN_SMALL = Cell(None, None, None, None, None, SMALL)
HIDDEN_COMPLEMENTARY = Cell(None, None, None, None, None, COMPLEMENTARY)


@dataclass(frozen=True)
class Line:
    """One row of the table: an area, a group's total or the kind's total; girls/boys/all."""

    period: int
    kind: str
    level: str  # AREA, GROUP or TOTAL
    area: AreaSpec | None  # for AREA lines
    group: int | None  # for AREA and GROUP lines
    cells: tuple[Cell, Cell, Cell]

    @property
    def is_total(self) -> bool:
        return self.level != AREA

    def cell(self, sex: str) -> Cell:
        return self.cells[SEXES.index(sex)]


@dataclass(frozen=True)
class Table:
    periods: tuple[int, ...]
    areas: tuple[AreaSpec, ...]
    threshold: int
    #: By period, kind (programme first), group (in the order of ``areas``): the group's areas
    #: then the group's total; after the groups the kind's total.
    lines: tuple[Line, ...]

    def lines_in(self, period: int) -> list[Line]:
        return [line for line in self.lines if line.period == period]

    def total(self, kind: str, period: int) -> Line | None:
        return self._find(period, kind, TOTAL, None)

    def group_total(self, kind: str, group: int, period: int) -> Line | None:
        return self._find(period, kind, GROUP, group)

    def line(self, area_id: int, period: int) -> Line | None:
        for line in self.lines:
            if line.period == period and line.area is not None and line.area.id == area_id:
                return line
        return None

    def _find(self, period: int, kind: str, level: str, group: int | None) -> Line | None:
        for line in self.lines:
            if (line.period, line.kind, line.level, line.group) == (period, kind, level, group):
                return line
        return None

    @property
    def has_hidden(self) -> bool:
        return any(cell.is_hidden for line in self.lines for cell in line.cells)


def suppress(
    k: npt.ArrayLike,
    n: npt.ArrayLike,
    threshold: int,
    sub_tables: Sequence[Sequence[int]] | None = None,
) -> npt.NDArray[np.str_]:
    """Why each cell is hidden: "", SMALL or COMPLEMENTARY.

    ``k`` and ``n`` have one row per line (girls, boys, all). ``sub_tables`` lists the row
    indices of each additive sub-table (its last row the total of the others); by default the
    whole table is one, its last row the total (as ``disclosure.with_totals`` makes it). See the
    module docstring for the two steps.
    """
    k_arr = np.asarray(k, dtype=np.int64)
    n_arr = np.asarray(n, dtype=np.int64)
    small = disclosure.primary_mask(n_arr, threshold)
    by_count = disclosure.protect(n_arr, small, sub_tables=sub_tables)
    by_share = disclosure.share_mask(k_arr, n_arr, threshold) & (n_arr > 0)
    hidden = disclosure.protect(n_arr, by_count | by_share, sub_tables=sub_tables)
    return disclosure.reasons(by_share | small, hidden)


def index_of(values: IntArray, keys: Sequence[int]) -> IntArray:
    """Position of each value in ``keys``; -1 where it is not among them."""
    if not len(keys):
        return np.full(values.shape, -1, dtype=np.int64)
    key_arr = np.asarray(keys, dtype=np.int64)
    order = np.argsort(key_arr, kind="stable")
    sorted_keys = key_arr[order]
    position = np.minimum(np.searchsorted(sorted_keys, values), len(keys) - 1)
    found = sorted_keys[position] == values
    return np.where(found, order[position], -1).astype(np.int64)


def counts(
    *,
    area: npt.ArrayLike,
    period: npt.ArrayLike,
    sex: npt.ArrayLike,
    flag: npt.ArrayLike,
    areas: Sequence[AreaSpec],
    periods: Sequence[int],
) -> tuple[IntArray, IntArray]:
    """n and k per area × period × (girls, boys); rows outside ``areas``/``periods`` left out."""
    area_arr = np.asarray(area, dtype=np.int64)
    period_arr = np.asarray(period, dtype=np.int64)
    sex_arr = np.asarray(sex)
    flag_arr = np.asarray(flag, dtype=bool)
    a_count, p_count = len(areas), len(periods)
    ai = index_of(area_arr, [a.id for a in areas])
    pi = index_of(period_arr, list(periods))
    si = np.where(sex_arr == GIRLS, 0, np.where(sex_arr == BOYS, 1, -1))
    valid = (ai >= 0) & (pi >= 0) & (si >= 0)
    key = (ai[valid] * p_count + pi[valid]) * 2 + si[valid]
    size = a_count * p_count * 2
    n = np.bincount(key, minlength=size).reshape(a_count, p_count, 2)
    k = np.bincount(key[flag_arr[valid]], minlength=size).reshape(a_count, p_count, 2)
    return n.astype(np.int64), k.astype(np.int64)


@dataclass(frozen=True)
class Layout:
    """The lines of one kind's block: areas grouped, group totals, the kind's total.

    Also the layout of the motor trends' tables (areas or daycares, grouped by municipality).
    """

    members: list[int]  # indices into ``areas`` of the kind's areas, grouped
    levels: list[str]
    groups: list[int | None]
    specs: list[AreaSpec | None]
    # Each line as a combination of the kind's areas (rows of ``members``): a 0/1 matrix.
    weights: npt.NDArray[np.int64]
    sub_tables: list[list[int]]


def layout(areas: Sequence[AreaSpec], kind: str) -> Layout | None:
    members = [i for i, a in enumerate(areas) if a.kind == kind]
    if not members:
        return None
    group_order: list[int] = []
    for i in members:
        if areas[i].group not in group_order:
            group_order.append(areas[i].group)
    members = [i for g in group_order for i in members if areas[i].group == g]
    position = {i: p for p, i in enumerate(members)}
    levels: list[str] = []
    groups: list[int | None] = []
    specs: list[AreaSpec | None] = []
    rows: list[list[int]] = []
    sub_tables: list[list[int]] = []
    group_lines: list[int] = []
    for g in group_order:
        in_group = [i for i in members if areas[i].group == g]
        first = len(levels)
        for i in in_group:
            levels.append(AREA)
            groups.append(g)
            specs.append(areas[i])
            rows.append([position[i]])
        levels.append(GROUP)
        groups.append(g)
        specs.append(None)
        rows.append([position[i] for i in in_group])
        sub_tables.append(list(range(first, len(levels))))
        group_lines.append(len(levels) - 1)
    levels.append(TOTAL)
    groups.append(None)
    specs.append(None)
    rows.append(list(range(len(members))))
    sub_tables.append([*group_lines, len(levels) - 1])
    weights = np.zeros((len(levels), len(members)), dtype=np.int64)
    for line, combined in enumerate(rows):
        weights[line, combined] = 1
    return Layout(members, levels, groups, specs, weights, sub_tables)


def tabulate(
    *,
    area: npt.ArrayLike,
    period: npt.ArrayLike,
    sex: npt.ArrayLike,
    flag: npt.ArrayLike,
    areas: Sequence[AreaSpec],
    periods: Sequence[int],
    threshold: int,
) -> Table:
    """The suppressed table of one row per counted child (area id, period, sex "F"/"M", flag).

    ``areas`` should be every area there is (not only those a reader may see), so that the table
    and its suppression are the same for everyone: a reader is then shown a part of it (her
    areas, her group's total or the kind's total) and no two readers' parts, set side by side,
    reveal a hidden cell. Rows of areas or periods not listed are left out; the order of
    ``areas`` gives the order of groups and of areas within a group.
    """
    n, k = counts(area=area, period=period, sex=sex, flag=flag, areas=areas, periods=periods)
    layouts = [(kind, layout(areas, kind)) for kind in KINDS]
    lines: list[Line] = []
    for p, period_key in enumerate(periods):
        for kind, block in layouts:
            if block is None:
                continue
            line_n = block.weights @ n[block.members, p, :]
            line_k = block.weights @ k[block.members, p, :]
            block_n = np.column_stack([line_n, line_n.sum(axis=1)])
            block_k = np.column_stack([line_k, line_k.sum(axis=1)])
            reasons = suppress(block_k, block_n, threshold, block.sub_tables)
            low, high = wilson_interval(block_k, block_n)
            for row in range(block_n.shape[0]):
                cells: list[Cell] = []
                for col in range(3):
                    reason = str(reasons[row, col])
                    nn, kk = int(block_n[row, col]), int(block_k[row, col])
                    if reason:
                        cells.append(HIDDEN_SMALL if reason == SMALL else HIDDEN_COMPLEMENTARY)
                    elif nn == 0:
                        cells.append(Cell(0, 0, None, None, None))
                    else:
                        cells.append(
                            Cell(nn, kk, kk / nn, float(low[row, col]), float(high[row, col]))
                        )
                lines.append(
                    Line(
                        period=period_key,
                        kind=kind,
                        level=block.levels[row],
                        area=block.specs[row],
                        group=block.groups[row],
                        cells=(cells[0], cells[1], cells[2]),
                    )
                )
    return Table(
        periods=tuple(periods), areas=tuple(areas), threshold=threshold, lines=tuple(lines)
    )


# --- national figures ---------------------------------------------------------------------------


@dataclass(frozen=True)
class NationalFigure:
    """A published national figure to show beside the table (the public comparison)."""

    percent_low: float
    percent_high: float  # equal to percent_low for a single figure
    period: str  # the years it describes
    source: str  # citation (the classification is the source's; see there)

    @property
    def is_range(self) -> bool:
        return self.percent_low != self.percent_high

    @property
    def midpoint(self) -> float:
        return (self.percent_low + self.percent_high) / 2


def gettext_noop(message: str) -> str:
    """Mark ``message`` for the catalogue (``makemessages`` reads this name) without Django; the
    page translates it where it shows it (``views.prevalence``)."""
    return message


#: National figures from DOMAIN.md ("Numbers worth knowing"), keyed by (measure, setting).
#: Where a (measure, setting) has no entry, no national figure is published here: the page says so.
#: The sources are English messages, translated by the page.
NATIONAL_FIGURES: dict[tuple[str, str], NationalFigure] = {
    ("overweight", "school_start"): NationalFigure(
        percent_low=12.0,
        percent_high=13.0,
        period="2012–2018",
        source=gettext_noop(
            # xgettext:no-python-format
            "Danish child-health statistics (school health records), as summarised in the "
            "programme's domain brief: overweight incl. obesity about 12–13 % at school start, "
            "stable 2012–18, IOTF cut-offs"
        ),
    ),
    ("overweight", "6_10_months"): NationalFigure(
        percent_low=5.0,
        percent_high=5.0,
        period="",
        source=gettext_noop(
            # xgettext:no-python-format
            "Danish child-health statistics (health-visiting records), as summarised in the "
            "programme's domain brief: about 5 % of infants aged 6–10 months"
        ),
    ),
    ("motor_difficulties", "school_start"): NationalFigure(
        percent_low=6.3,
        percent_high=6.3,
        period="2018/19",
        source=gettext_noop(
            # xgettext:no-python-format
            "Danish child-health statistics (school-start exams), as summarised in the "
            "programme's domain brief: motor difficulties (3 or more of 9 remarks) 6.3 % in "
            "2018/19, about 6–8 % in other years"
        ),
    ),
}
