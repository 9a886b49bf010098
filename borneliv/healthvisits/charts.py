"""Coverage charts: programme and comparison areas as two series per period (matplotlib → SVG).

A chart draws only figures the tables show: each arm's column totals, which have been through
small-cell suppression; a hidden or empty total leaves a gap in its line.
"""

from __future__ import annotations

import io

import numpy as np
from django.utils.translation import gettext as _
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from borneliv.healthvisits.coverage import Arm, Coverage, Table
from borneliv.lib.stats import wilson_interval

COLOURS = {True: "#1f3f86", False: "#a4481e"}  # programme, comparison (as the prevalence chart)
MARKERS = {True: "o", False: "s"}

#: Which table of an arm each chart draws, with its title.
INDICATORS = ("enhanced", "themes", "feeding_reached")


def indicator_title(indicator: str) -> str:
    return {
        "enhanced": _("Enhanced visit within its window"),
        "themes": _("Enhanced visits that covered all four focus themes"),
        "feeding_reached": _("Vulnerable families reached by breastfeeding counselling"),
    }[indicator]


def _series(table: Table) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per column, the shown share and its 95 % Wilson interval in percent (NaN where hidden)."""
    k = np.array([c.numerator if c.numerator is not None else -1 for c in table.column_totals])
    n = np.array([c.denominator if c.denominator is not None else 0 for c in table.column_totals])
    shown = (k >= 0) & (n > 0)
    y = np.full(len(k), np.nan)
    low = np.full(len(k), np.nan)
    high = np.full(len(k), np.nan)
    if shown.any():
        lo, hi = wilson_interval(k[shown], n[shown])
        y[shown] = 100 * k[shown] / n[shown]
        low[shown], high[shown] = 100 * lo, 100 * hi
    return y, low, high


def coverage_figure(figures: Coverage, indicator: str) -> Figure:
    """One indicator per period: programme vs comparison areas, with 95 % intervals."""
    figure = Figure(figsize=(7.5, 3.6))
    FigureCanvasAgg(figure)
    axes = figure.add_axes((0.09, 0.22, 0.88, 0.66))
    arms: list[Arm] = figures.arms
    labels: list[str] = []
    drawn = 0
    for offset, arm in zip((-0.06, 0.06), arms, strict=False):
        table: Table = getattr(arm, indicator)
        labels = table.column_labels
        y, low, high = _series(table)
        x = np.arange(len(y), dtype=float) + offset
        axes.errorbar(
            x,
            y,
            yerr=np.vstack([y - low, high - y]),
            fmt=MARKERS[arm.is_programme] + "-",
            color=COLOURS[arm.is_programme],
            elinewidth=1.0,
            capsize=3,
            markersize=5,
            linewidth=1.4,
            label=arm.label,
            gid=f"series-{arm.kind}",
        )
        drawn += int(np.count_nonzero(~np.isnan(y)))
    axes.set_xticks(np.arange(len(labels)), labels)
    axes.set_xlim(-0.5, max(len(labels) - 0.5, 0.5))
    axes.set_ylim(0, 105)
    axes.yaxis.set_major_formatter(PercentFormatter(decimals=0, symbol=" %"))
    axes.grid(axis="y", color="#dddddd", linewidth=0.6)
    axes.spines[["top", "right"]].set_visible(False)
    axes.set_title(indicator_title(indicator), fontsize=10, loc="left")
    if drawn:
        axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, frameon=False)
    else:
        axes.text(
            0.5,
            0.5,
            _("No figure can be shown: too few children, or none counted."),
            transform=axes.transAxes,
            ha="center",
            va="center",
            color="#555555",
        )
    return figure


def coverage_svg(figures: Coverage, indicator: str) -> bytes:
    buffer = io.BytesIO()
    coverage_figure(figures, indicator).savefig(
        buffer, format="svg", metadata={"Date": None, "Creator": "Børneliv"}
    )
    return buffer.getvalue()
