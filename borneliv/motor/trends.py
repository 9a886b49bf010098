"""Motor trends, the tables: KL's three levels per unit (area or daycare) and school year.

No Django: rows of counted children (unit id, school year, level index) in, suppressed lines out.
``trends_selectors`` reads the assessments and says which lines a reader is shown;
``trends_presenter`` turns them into the page's and the file's rows.

Suppression (through ``lib.disclosure``)
    Per school year the units of each kind form a hierarchy of additive sub-tables — each
    municipality's units with the municipality's total, the municipalities' totals with the
    kind's total —, each line holding the children counted (n) and the children at each of the
    three levels (which add up to n). A line with 1 … threshold-1 children is hidden whole; a
    level whose share ``disclosure.share_mask`` refuses is hidden; then ``disclosure.protect``
    hides complementary cells until no hidden cell follows from the published ones, and a line
    whose n is hidden is hidden whole (``whole_line``: every level is shown as k of n).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

import borneliv.growth.prevalence as growth_engine
import borneliv.motor.engine as engine
from borneliv.lib import disclosure
from borneliv.lib.stats import wilson_interval

LEVELS = engine.LEVELS  # age-appropriate, few signs, challenges: the table's columns, in order
CHALLENGES = LEVELS.index(engine.CHALLENGES)

SMALL = growth_engine.SMALL
COMPLEMENTARY = growth_engine.COMPLEMENTARY
AREA = growth_engine.AREA
GROUP = growth_engine.GROUP
TOTAL = growth_engine.TOTAL
PROGRAMME = growth_engine.PROGRAMME
COMPARISON = growth_engine.COMPARISON
#: The one kind of the daycare table.
DAYCARE = "daycare"

IntArray = npt.NDArray[np.int64]


#: A row of a table: an area or a daycare, of a kind, in a group (its municipality). The same
#: shape as the prevalence tables' rows, so both share one layout (``growth_engine.layout``).
Unit = growth_engine.AreaSpec


#: A share k/n with its Wilson 95 % interval, or nothing at all when hidden: the prevalence cell.
Figure = growth_engine.Cell


@dataclass(frozen=True)
class Line:
    """One line of a level table: a unit, a group's total or the kind's total, in a period."""

    period: int
    kind: str
    level: str  # AREA (a unit's line), GROUP or TOTAL
    unit: Unit | None
    group: int | None
    n: int | None  # children counted; None when the line is hidden
    hidden: str  # why the line's n is hidden ("" when shown)
    figures: tuple[Figure, ...]  # one per level of LEVELS

    @property
    def is_total(self) -> bool:
        return self.level != AREA

    @property
    def is_empty(self) -> bool:
        return not self.hidden and self.n == 0

    @property
    def challenges(self) -> Figure:
        return self.figures[CHALLENGES]


def suppress_levels(
    counts: npt.ArrayLike, threshold: int, sub_tables: Sequence[Sequence[int]] | None = None
) -> npt.NDArray[np.str_]:
    """Why each cell of a level table is hidden: "", SMALL or COMPLEMENTARY.

    ``counts`` has one row per line and one column per level; a last column n (the row's total)
    is added here, and the result has that shape (lines × levels + 1). ``sub_tables`` lists the
    line indices of each additive sub-table, its last line the total of the others (by default
    the whole table, its last line the total). See the module docstring.
    """
    k = np.asarray(counts, dtype=np.int64)
    n = k.sum(axis=1)
    table = np.column_stack([k, n])
    primary = np.zeros(table.shape, dtype=bool)
    primary[disclosure.primary_mask(n, threshold), :] = True
    primary[:, :-1] |= disclosure.share_mask(k, n[:, None], threshold) & (n[:, None] > 0)
    # Every level is shown as k of the line's n: with n hidden, the levels must go too.
    hidden = disclosure.protect(table, primary, sub_tables=sub_tables, whole_line=True)
    return disclosure.reasons(primary, hidden)


def tabulate_levels(
    *,
    unit: npt.ArrayLike,
    period: npt.ArrayLike,
    level: npt.ArrayLike,
    units: Sequence[Unit],
    periods: Sequence[int],
    threshold: int,
) -> list[Line]:
    """The suppressed level table of one row per counted child (unit id, period, level index).

    Lines by period, kind (in the order of the units' kinds), group: the group's units then its
    total; after the groups the kind's total. Rows of units or periods not listed are left out.
    """
    unit_arr = np.asarray(unit, dtype=np.int64)
    period_arr = np.asarray(period, dtype=np.int64)
    level_arr = np.asarray(level, dtype=np.int64)
    ui = growth_engine.index_of(unit_arr, [u.id for u in units])
    pi = growth_engine.index_of(period_arr, list(periods))
    valid = (ui >= 0) & (pi >= 0) & (level_arr >= 0) & (level_arr < len(LEVELS))
    size = len(units) * len(periods) * len(LEVELS)
    key = (ui[valid] * len(periods) + pi[valid]) * len(LEVELS) + level_arr[valid]
    counts = np.bincount(key, minlength=size).reshape(len(units), len(periods), len(LEVELS))
    kinds = list(dict.fromkeys(u.kind for u in units))
    layouts = [(kind, growth_engine.layout(units, kind)) for kind in kinds]
    lines: list[Line] = []
    for p, period_key in enumerate(periods):
        for kind, block in layouts:
            if block is None:
                continue
            k = block.weights @ counts[block.members, p, :]
            n = k.sum(axis=1)
            reasons = suppress_levels(k, threshold, block.sub_tables)
            low, high = wilson_interval(k, np.broadcast_to(n[:, None], k.shape))
            for row in range(k.shape[0]):
                figures = []
                for col in range(len(LEVELS)):
                    reason = str(reasons[row, col])
                    nn, kk = int(n[row]), int(k[row, col])
                    if reason:
                        figures.append(Figure(None, None, None, None, None, reason))
                    elif nn == 0:
                        figures.append(Figure(0, 0, None, None, None))
                    else:
                        figures.append(
                            Figure(nn, kk, kk / nn, float(low[row, col]), float(high[row, col]))
                        )
                line_reason = str(reasons[row, -1])
                lines.append(
                    Line(
                        period=period_key,
                        kind=kind,
                        level=block.levels[row],
                        unit=block.specs[row],
                        group=block.groups[row],
                        n=None if line_reason else int(n[row]),
                        hidden=line_reason,
                        figures=tuple(figures),
                    )
                )
    return lines
