"""Prevalence as people read it: texts, labels, grouping for the page, rows for the files.

No queries: the presenter formats what ``prevalence_selectors.prevalence_for`` returns (the
engine's suppressed cells). ``Group``/``Block`` and ``blocks_of`` group any aggregate's lines per
period and kind; the motor trends (``motor.trends_presenter``) use them too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from borneliv.growth import prevalence as engine
from borneliv.growth.labels import IOTF_CATEGORY_LABELS, WHO_CATEGORY_LABELS
from borneliv.lib import disclosure, downloads

if TYPE_CHECKING:
    from borneliv.growth.prevalence_selectors import Prevalence
    from borneliv.organisations.models import Area

MOTOR = "motor_difficulties"  # prevalence_selectors.Measure.MOTOR
OVERWEIGHT = "overweight"  # prevalence_selectors.Measure.OVERWEIGHT

KIND_LABELS: dict[str, Promise] = {
    engine.PROGRAMME: gettext_lazy("Programme areas"),
    engine.COMPARISON: gettext_lazy("Comparison areas"),
}
TOTAL_LABELS: dict[str, Promise] = {
    engine.PROGRAMME: gettext_lazy("All programme areas"),
    engine.COMPARISON: gettext_lazy("All comparison areas"),
}
SEX_LABELS: dict[str, Promise] = {
    engine.GIRLS: gettext_lazy("Girls"),
    engine.BOYS: gettext_lazy("Boys"),
    engine.ALL: gettext_lazy("All"),
}


def _rounded(value: float, places: int = 1) -> Decimal:
    """Half-up rounding, as people round (not Python's round-half-even)."""
    return Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def percent_text(value: float | None) -> str:
    """A proportion as a percentage with one decimal, in the active language (12,5 / 12.5)."""
    if value is None:
        return ""
    return number_format(_rounded(100 * value), decimal_pos=1)


def national_value(national: engine.NationalFigure) -> str:
    """The national figure's percent (or range of percents) as text, without the % sign."""
    low = percent_text(national.percent_low / 100)
    if national.is_range:
        return f"{low}–{percent_text(national.percent_high / 100)}"
    return low


@dataclass(frozen=True)
class ShownCell:
    """A cell as every output shows it: the engine's numbers and their texts."""

    sex: str
    cell: engine.Cell

    @property
    def hidden(self) -> str:
        return self.cell.hidden

    @property
    def empty(self) -> bool:
        return self.cell.is_empty

    @property
    def n(self) -> int | None:
        return self.cell.n

    @property
    def k(self) -> int | None:
        return self.cell.k

    @property
    def percent(self) -> str:
        return percent_text(self.cell.share)

    @property
    def low(self) -> str:
        return percent_text(self.cell.low)

    @property
    def high(self) -> str:
        return percent_text(self.cell.high)


@dataclass(frozen=True)
class ShownLine:
    period: int
    period_label: str
    kind: str
    level: str  # engine.AREA, engine.GROUP (a municipality's total) or engine.TOTAL
    area: Area | None  # for an area's line
    municipality: str  # for an area's or a municipality's line
    label: str
    cells: list[ShownCell]

    @property
    def is_total(self) -> bool:
        return self.level != engine.AREA


class PeriodLine(Protocol):
    @property
    def period(self) -> int: ...
    @property
    def period_label(self) -> str: ...
    @property
    def kind(self) -> str: ...


L = TypeVar("L", bound=PeriodLine)


@dataclass(frozen=True)
class Group(Generic[L]):
    """The lines of one kind (programme areas, comparison areas, daycares) in a period."""

    kind: str
    label: str
    lines: list[L]


@dataclass(frozen=True)
class Block(Generic[L]):
    """One period's groups."""

    period: int
    label: str
    groups: list[Group[L]]


def blocks_of(
    lines: Sequence[L],
    kind_labels: Mapping[str, Promise | str],
    keep: Callable[[int], bool] = lambda period: True,
) -> list[Block[L]]:
    """The lines (in order) grouped per period and kind; periods ``keep`` refuses left out."""
    blocks: list[Block[L]] = []
    for line in lines:
        if not keep(line.period):
            continue
        if not blocks or blocks[-1].period != line.period:
            blocks.append(Block(line.period, line.period_label, []))
        groups = blocks[-1].groups
        if not groups or groups[-1].kind != line.kind:
            groups.append(Group(line.kind, str(kind_labels[line.kind]), []))
        groups[-1].lines.append(line)
    return blocks


@dataclass(frozen=True)
class ChartPoint:
    period: int
    percent: float
    low: float
    high: float


def reference_text(measure: str, setting: str, iotf: str) -> str:
    """How a child is counted: the reference and its cut-off, in words."""
    if measure == MOTOR:
        return _(
            "School-start exam: motor difficulties = 3 or more of the 9 motor items with a remark"
        )
    band = engine.AGE_BANDS_BY_CODE.get(setting)
    if band is not None and band.reference == engine.WHO:
        if measure == OVERWEIGHT:
            return _(
                "WHO 2006 Child Growth Standards: BMI-for-age z-score above +2 "
                "(categories “%(overweight)s” and “%(obese)s”)"
            ) % {
                "overweight": WHO_CATEGORY_LABELS["overweight"],
                "obese": WHO_CATEGORY_LABELS["obese"],
            }
        return _(
            "WHO 2006 Child Growth Standards: BMI-for-age z-score above +3 (category “%(obese)s”)"
        ) % {"obese": WHO_CATEGORY_LABELS["obese"]}
    labels = {code: str(IOTF_CATEGORY_LABELS[code]) for code in engine.IOTF_OVERWEIGHT}
    if iotf == "2000":
        if measure == OVERWEIGHT:
            return (
                _(
                    "IOTF 2000 (Cole et al.): BMI at or above the cut-off for adult BMI 25 "
                    "(categories “%(overweight)s” and “%(obesity)s”)"
                )
                % labels
            )
        return (
            _(
                "IOTF 2000 (Cole et al.): BMI at or above the cut-off for adult BMI 30 "
                "(category “%(obesity)s”)"
            )
            % labels
        )
    if measure == OVERWEIGHT:
        return (
            _(
                "IOTF 2012 (Cole & Lobstein): adult-equivalent BMI 25 or more "
                "(categories “%(overweight)s”, “%(obesity)s” and “%(morbid_obesity)s”)"
            )
            % labels
        )
    return (
        _(
            "IOTF 2012 (Cole & Lobstein): adult-equivalent BMI 30 or more "
            "(categories “%(obesity)s” and “%(morbid_obesity)s”)"
        )
        % labels
    )


def count_text(count: int, threshold: int) -> str:
    """A count for a note, suppressed like any count (``disclosure.primary_mask``)."""
    if bool(disclosure.primary_mask(count, threshold)):
        return _("fewer than %(n)s") % {"n": threshold}
    return str(count)


def explanation(threshold: int) -> str:
    return _(
        "Figures about fewer than %(n)s children are hidden (“–”): a figure is shown only when at "
        "least %(n)s children are counted and at least %(n)s have, or none has, the property "
        "(and at least %(n)s do not, or all do). So that a hidden figure cannot be worked out "
        "from the totals, another figure in the same row or column is hidden too."
    ) % {"n": threshold}


# --- the files ------------------------------------------------------------------------------------


def file_headers() -> list[str]:
    return [
        _("Period"),
        _("Kind"),
        _("Area"),
        _("Municipality"),
        _("Sex"),
        _("Children counted (n)"),
        _("With the property (k)"),
        _("Percent"),
        _("95 % CI from"),
        _("95 % CI to"),
        _("Reference"),
        _("Note"),
    ]


def file_rows(figures: Prevalence) -> list[list[downloads.Value]]:
    """The rows of the file: one per line of the table and sex, exactly as the page."""
    rows: list[list[downloads.Value]] = []
    for line in figures.lines:
        for cell in line.cells:
            numbers: list[downloads.Value]
            if cell.hidden:
                numbers = ["", "", "", "", ""]
                note = _("hidden: fewer than %(n)s children") % {"n": figures.threshold}
                if cell.hidden == engine.COMPLEMENTARY:
                    note = _("hidden so that another hidden figure cannot be worked out")
            elif cell.empty:
                numbers = [0, "", "", "", ""]
                note = _("nobody counted")
            else:
                numbers = [cell.n, cell.k, cell.percent, cell.low, cell.high]
                note = ""
            rows.append(
                [
                    line.period_label,
                    str(KIND_LABELS[line.kind]),
                    line.label,
                    line.municipality,
                    str(SEX_LABELS[cell.sex]),
                    *numbers,
                    figures.reference,
                    note,
                ]
            )
    return rows


def sheet(figures: Prevalence) -> downloads.Sheet:
    return downloads.Sheet(_("Prevalence"), file_headers(), file_rows(figures))
