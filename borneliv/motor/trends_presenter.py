"""Motor trends as people read them: labels, texts, grouping for the page, rows for the files.

No queries: the presenter formats the suppressed lines ``trends_selectors.trends_for`` chose for
a reader (its ``ShownLine``/``Trends`` are the selector's result); the engine is ``trends``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from borneliv.growth import prevalence as growth_engine
from borneliv.growth.prevalence_presenter import Block, blocks_of, count_text, percent_text
from borneliv.lib import downloads
from borneliv.motor.models import Level
from borneliv.motor.trends import (
    COMPARISON,
    DAYCARE,
    GROUP,
    LEVELS,
    PROGRAMME,
    SMALL,
    Figure,
    Line,
)
from borneliv.organisations.models import Municipality

if TYPE_CHECKING:
    from borneliv.motor.trends_selectors import TrendsQuery

KIND_LABELS: dict[str, Promise] = {
    PROGRAMME: gettext_lazy("Programme areas"),
    COMPARISON: gettext_lazy("Comparison areas"),
    DAYCARE: gettext_lazy("Daycares"),
}
TOTAL_LABELS: dict[str, Promise] = {
    PROGRAMME: gettext_lazy("All programme areas"),
    COMPARISON: gettext_lazy("All comparison areas"),
    DAYCARE: gettext_lazy("All daycares"),
}


def period_label(period: int) -> str:
    return growth_engine.school_year_label(period)


@dataclass(frozen=True)
class ShownFigure:
    """A figure with its texts in the active language (percent with one decimal)."""

    figure: Figure

    @property
    def n(self) -> int | None:
        return self.figure.n

    @property
    def k(self) -> int | None:
        return self.figure.k

    @property
    def share(self) -> float | None:
        return self.figure.share

    @property
    def hidden(self) -> str:
        return self.figure.hidden

    @property
    def is_empty(self) -> bool:
        return self.figure.is_empty

    @property
    def low(self) -> float | None:
        return self.figure.low

    @property
    def high(self) -> float | None:
        return self.figure.high

    @property
    def percent(self) -> str:
        return percent_text(self.figure.share)

    @property
    def low_text(self) -> str:
        return percent_text(self.figure.low)

    @property
    def high_text(self) -> str:
        return percent_text(self.figure.high)


@dataclass(frozen=True)
class ShownLine:
    period: int
    period_label: str
    kind: str
    line: Line
    label: str
    municipality: str
    school_start: growth_engine.Cell | None = None  # the comparison table's line ("all")

    @property
    def is_total(self) -> bool:
        return self.line.is_total

    @property
    def hidden(self) -> str:
        return self.line.hidden

    @property
    def is_empty(self) -> bool:
        return self.line.is_empty

    @property
    def figures(self) -> list[ShownFigure]:
        """The line's figures, one per level, with their texts."""
        return [ShownFigure(figure) for figure in self.line.figures]

    @property
    def challenges(self) -> ShownFigure:
        return ShownFigure(self.line.challenges)

    @property
    def count(self) -> ShownFigure:
        """The children counted on the line, as a figure (hidden with the line)."""
        n = self.line.n
        return ShownFigure(Figure(n, n, None, None, None, self.line.hidden))

    @property
    def school_start_figure(self) -> ShownFigure:
        """The school-start comparison (motor difficulties), as a figure."""
        cell = self.school_start
        if cell is None:
            return ShownFigure(Figure(0, 0, None, None, None))
        return ShownFigure(Figure(cell.n, cell.k, cell.share, cell.low, cell.high, cell.hidden))


def _blocks(lines: list[ShownLine], *, with_school_start: bool = False) -> list[Block[ShownLine]]:
    """The lines grouped per period and kind; a period in which nobody is counted is left out."""
    counted = {
        line.period
        for line in lines
        if not line.is_empty or (with_school_start and not line.school_start_figure.is_empty)
    }
    return blocks_of(lines, KIND_LABELS, lambda period: period in counted)


@dataclass(frozen=True)
class Trends:
    """The parts of the suppressed tables a reader is shown."""

    query: TrendsQuery
    threshold: int
    municipalities: list[Municipality]  # those shown
    area_lines: list[ShownLine]
    daycare_lines: list[ShownLine]
    shows_daycares: bool  # the reader may see daycares at all
    comparison_lines: list[ShownLine]
    unsummarised: int  # children left out without a summary, in the areas shown
    school_start_undetermined: list[str] = field(default_factory=list)  # the exam notes

    @property
    def area_blocks(self) -> list[Block[ShownLine]]:
        return _blocks(self.area_lines)

    @property
    def daycare_blocks(self) -> list[Block[ShownLine]]:
        return _blocks(self.daycare_lines)

    @property
    def comparison_blocks(self) -> list[Block[ShownLine]]:
        return _blocks(self.comparison_lines, with_school_start=True)

    @property
    def empty_periods(self) -> list[str]:
        """The school years in which nobody in the areas shown is counted, at 4 or at school start."""
        shown = {block.period for block in self.comparison_blocks}
        return [period_label(p) for p in self.query.periods if p not in shown]

    @property
    def has_figures(self) -> bool:
        return any(not line.is_empty for line in self.area_lines)

    @property
    def unsummarised_text(self) -> str:
        return count_text(self.unsummarised, self.threshold)

    @property
    def level_labels(self) -> list[str]:
        return [str(Level(level).label) for level in LEVELS]


def area_total_label(line: Line, municipality: str, several: bool) -> str:
    if line.level == GROUP and several:
        return _("%(total)s in %(municipality)s") % {
            "total": TOTAL_LABELS[line.kind],
            "municipality": municipality,
        }
    return str(TOTAL_LABELS[line.kind])


def explanation(threshold: int) -> str:
    return _(
        "Figures about fewer than %(n)s children are hidden (“–”): a percentage is shown only "
        "when at least %(n)s children are counted and at least %(n)s are, or none is, at the "
        "level (and at least %(n)s are not, or all are). So that a hidden figure cannot be "
        "worked out from the others or from the totals, another figure in the same row or column "
        "is hidden too."
    ) % {"n": threshold}


# --- the files ------------------------------------------------------------------------------------


def file_headers() -> list[str]:
    return [
        _("Table"),
        _("School year"),
        _("Kind"),
        _("Area or daycare"),
        _("Municipality"),
        _("Figure"),
        _("Children counted (n)"),
        _("Of them (k)"),
        _("Percent"),
        _("95 % CI from"),
        _("95 % CI to"),
        _("Status"),
    ]


def _status(hidden: str, empty: bool, threshold: int) -> str:
    if hidden == SMALL:
        return _("hidden: fewer than %(n)s children") % {"n": threshold}
    if hidden:
        return _("hidden so that another hidden figure cannot be worked out")
    if empty:
        return _("nobody counted")
    return _("shown")


def _figure_row(figure: ShownFigure, threshold: int) -> list[downloads.Value]:
    numbers: list[downloads.Value]
    if figure.hidden:
        numbers = ["", "", "", "", ""]
    elif figure.is_empty:
        numbers = [0, "", "", "", ""]
    else:
        numbers = [figure.n, figure.k, figure.percent, figure.low_text, figure.high_text]
    return [*numbers, _status(figure.hidden, figure.is_empty, threshold)]


def _place(table: str, line: ShownLine) -> list[downloads.Value]:
    return [table, line.period_label, str(KIND_LABELS[line.kind]), line.label, line.municipality]


def _lines(blocks: list[Block[ShownLine]]) -> list[ShownLine]:
    return [line for block in blocks for group in block.groups for line in group.lines]


def file_rows(figures: Trends) -> list[list[downloads.Value]]:
    """The rows of the file: one per figure of the page, exactly as the page shows it."""
    threshold = figures.threshold
    levels = figures.level_labels
    rows: list[list[downloads.Value]] = []
    for table, blocks in (
        (_("By area"), figures.area_blocks),
        (_("By daycare"), figures.daycare_blocks),
    ):
        for line in _lines(blocks):
            for label, figure in zip(levels, line.figures, strict=True):
                rows.append([*_place(table, line), label, *_figure_row(figure, threshold)])
    table = _("At 4 beside school start")
    for line in _lines(figures.comparison_blocks):
        rows.append(
            [
                *_place(table, line),
                _("Challenges with motor skills at 4"),
                *_figure_row(line.challenges, threshold),
            ]
        )
        rows.append(
            [
                *_place(table, line),
                _("Motor difficulties at school start"),
                *_figure_row(line.school_start_figure, threshold),
            ]
        )
    return rows


def sheet(figures: Trends) -> downloads.Sheet:
    return downloads.Sheet(_("Motor skills over time"), file_headers(), file_rows(figures))
