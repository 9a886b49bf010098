"""Growth charts as SVG: a child's measurements drawn over the reference centile curves.

No Django import: the caller passes the measurements as arrays and every text the chart shows
(already translated), and gets SVG bytes back. Drawn with matplotlib's object API (no pyplot, so
no global figure state), rendered server-side; nothing is fetched at run time (matplotlib's own
DejaVu fonts; text is kept as SVG text, so it stays searchable and small).

What a chart shows
    * The WHO curves at z = −3 … +3 for the child's sex, from the LMS tables in
      ``references.age_table`` (``engine.lms_value``): WHO 2006 up to 60 months, WHO 2007 from
      60 months, drawn as separate pieces so the switch shows as a seam (a dotted line at 5 years
      marks it). The WHO 2006 BMI and length/height curves also change from length- to
      height-based between day 730 and 731; they are split there too, not joined by a slope.
    * For BMI, optionally the IOTF cut-off curves for adult BMI 25 and 30 (2–18 years), from
      Cole & Lobstein 2012 (``engine.iotf2012_cutoff``) or the Cole 2000 table.
    * Weight-for-age (``"wfa"``) is one WHO 2006 piece to 60 months (weight needs no length/height
      switch) and WHO 2007 from 60 to 120 months: WHO publishes no weight-for-age after 10 years
      (it cannot tell weight from height in puberty), so the curves end there and later points
      stand without curves.
    * Weight-for-length (``weight_for_length_svg``) is drawn against length, not age: the WHO 2006
      curves over 45–110 cm (``references.size_table``), with the measurements taken before day
      731 (length-based, as the engine's z-score), their length adjusted for the position as the
      engine does (``engine.position_adjusted_height``). Lengths off the table sit on the left or
      right edge as triangles.
    * The measurements, by status: ``counted`` (filled circles joined in age order),
      ``held`` (filled diamonds) and ``rejected`` (hollow circles, each labelled). A value beyond
      the plotted range is drawn at the edge as a triangle pointing the way it lies.
    * The x axis runs from birth to a little past the last measurement, at least to 2 years.

Output is deterministic for the same input (fixed ``svg.hashsalt``, no date in the metadata), and
the SVG carries a ``<title>`` and ``<desc>`` for assistive technology. Elements have stable ids
(``gid``) that tests and stylesheets can find: ``who2006-z+2``, ``who2007-z-1``, ``who-seam``,
``wfl-z+0``, ``iotf-25``, ``iotf-30``, ``points-counted``, ``points-held``, ``points-rejected``,
``trajectory``.
"""

from __future__ import annotations

import io
import re
import threading
from dataclasses import dataclass
from typing import Any, NamedTuple
from xml.sax.saxutils import escape

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator, MultipleLocator
from numpy.typing import ArrayLike, NDArray

from borneliv.growth import engine
from borneliv.growth.references import WFL_FIRST_CM, WFL_LAST_CM, age_table, size_table

FloatArray = NDArray[np.float64]

Z_LINES: tuple[int, ...] = (-3, -2, -1, 0, 1, 2, 3)
STATUSES: tuple[str, ...] = ("counted", "held", "rejected")
INDICATORS = ("bfa", "lhfa", "wfa")

#: The last month drawn from WHO 2007 (its tables end below 229 months; weight below 121).
WHO2007_LAST_MONTH = 228
WHO2006_LAST_DAY_USED = 1826  # below 60 months; WHO 2007 from 1826.25 days
LENGTH_BASED_LAST_DAY = 730
MIN_AXIS_YEARS = 2.0
MAX_AXIS_YEARS = WHO2007_LAST_MONTH / 12
SEAM_YEARS = engine.WHO2007_FROM_DAYS / engine.DAYS_PER_YEAR

_RC: dict[Any, Any] = {
    "svg.hashsalt": "borneliv-growth-chart",
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.unicode_minus": True,
    "path.simplify": True,
}
# rcParams are process-global: one chart at a time, so concurrent requests cannot see each
# other's settings (and the output stays byte-for-byte reproducible).
_LOCK = threading.Lock()

_CURVE_COLOUR = "#5b6b8c"
_IOTF_COLOUR = "#a4481e"


class _Marker(NamedTuple):
    marker: str
    color: str
    facecolor: str
    size: float


_STYLE = {
    "counted": _Marker("o", "#1f3f86", "#1f3f86", 6),
    "held": _Marker("D", "#9a5b00", "#e8a33c", 6),
    "rejected": _Marker("o", "#a0262c", "none", 7),
}


@dataclass(frozen=True)
class ChartText:
    """Every text a chart shows, already in the reader's language."""

    title: str
    description: str
    x_label: str
    y_label: str
    median: str  # legend: the z = 0 curve
    z_lines: str  # legend: the other z curves (each is also labelled at its end)
    seam: str  # at the 0–5/5–19 switch, e.g. "WHO 2006 | WHO 2007"
    counted: str
    held: str
    rejected: str
    rejected_mark: str  # next to each rejected point
    iotf25: str = ""
    iotf30: str = ""


@dataclass(frozen=True)
class Curve:
    """One piece of a reference curve: where it runs and its values, and its SVG id.

    ``x`` is the age in days on an age chart, the length in cm on the weight-for-length chart.
    """

    gid: str
    x: FloatArray
    values: FloatArray

    @property
    def age_days(self) -> FloatArray:
        return self.x


def axis_end_days(age_days: ArrayLike) -> float:
    """Where the x axis ends: a little past the oldest measurement, at least 2 years."""
    ages = np.asarray(age_days, dtype=np.float64)
    ages = ages[np.isfinite(ages)]
    last_years = float(ages.max()) / engine.DAYS_PER_YEAR if ages.size else 0.0
    end = max(MIN_AXIS_YEARS, last_years + max(0.5, 0.1 * last_years))
    end = min(MAX_AXIS_YEARS, np.ceil(end * 2) / 2)  # to the next half year
    return end * engine.DAYS_PER_YEAR


def _z_gid(z: int) -> str:
    return f"z{z:+d}" if z else "z+0"


def who_curves(indicator: str, sex: int, until_days: float) -> list[Curve]:
    """The WHO z = −3 … +3 curves of ``indicator`` for ``sex`` (1 boys, 2 girls) to an age.

    Pieces: WHO 2006 length-based (days 0–730), height-based (731–1826) — one piece 0–1826 for
    weight-for-age, which has no such switch —, WHO 2007 by month from 60 months to its last
    month (228; 120 for weight-for-age); each piece only where it starts before ``until_days``.
    """
    if indicator not in INDICATORS:
        raise ValueError(f"indicator must be one of {INDICATORS}")
    _check_sex(sex)
    table = age_table(indicator)
    base = (sex - 1) * table.rows_per_sex
    pieces: list[tuple[str, NDArray[Any], NDArray[Any]]] = []
    last_day = int(min(np.floor(until_days), WHO2006_LAST_DAY_USED))
    splits = (
        ((0, last_day),)
        if indicator == "wfa"
        else ((0, LENGTH_BASED_LAST_DAY), (LENGTH_BASED_LAST_DAY + 1, last_day))
    )
    for first, last in splits:
        last = min(last, last_day)
        if first <= last:
            days = np.arange(first, last + 1, dtype=np.float64)
            pieces.append(("who2006", days, base + days.astype(np.intp)))
    # The tables' last row repeats the one before it (so ages just below it can be interpolated).
    who2007_last = min(table.who2007_end_month - 1, WHO2007_LAST_MONTH)
    if until_days > engine.WHO2007_FROM_DAYS:
        last_month = int(min(np.ceil(until_days / engine.DAYS_PER_MONTH), who2007_last))
        months = np.arange(engine.WHO2007_FIRST_MONTH, last_month + 1)
        rows = base + table.who2007_row0 + (months - engine.WHO2007_FIRST_MONTH)
        pieces.append(("who2007", months * engine.DAYS_PER_MONTH, rows.astype(np.intp)))
    curves = []
    for z in Z_LINES:
        for number, (reference, ages, rows) in enumerate(pieces):
            L, M, S = table.lms.L[rows], table.lms.M[rows], table.lms.S[rows]
            values = engine.lms_value(float(z), L, M, S)
            height_based = reference == "who2006" and number == 1
            suffix = "-height" if height_based else ""
            curves.append(Curve(f"{reference}{suffix}-{_z_gid(z)}", ages, values))
    return curves


def weight_for_length_curves(sex: int) -> list[Curve]:
    """The WHO 2006 weight-for-length z = −3 … +3 curves for ``sex`` over 45–110 cm (by 0.1 cm)."""
    _check_sex(sex)
    table = size_table()
    rows = (sex - 1) * table.rows_per_sex + np.arange(table.wfh_row0)
    lengths = np.round(WFL_FIRST_CM + np.arange(table.wfh_row0) / 10, 1)
    L, M, S = table.lms.L[rows], table.lms.M[rows], table.lms.S[rows]
    return [
        Curve(f"wfl-{_z_gid(z)}", lengths, engine.lms_value(float(z), L, M, S)) for z in Z_LINES
    ]


def _check_sex(sex: int) -> None:
    if sex not in (1, 2):
        raise ValueError("sex must be 1 (boys) or 2 (girls)")


def iotf_curves(sex: int, until_days: float, iotf: str = "2012") -> list[Curve]:
    """The IOTF BMI cut-off curves for adult BMI 25 and 30 from 2 years to an age (max 18)."""
    first = engine.IOTF_FIRST_AGE_YEARS * engine.DAYS_PER_YEAR
    last = min(until_days, engine.IOTF_LAST_AGE_YEARS * engine.DAYS_PER_YEAR)
    if last <= first:
        return []
    ages = np.linspace(first, last, max(2, int((last - first) / 15) + 1))
    sexes = np.full(len(ages), sex, dtype=np.int8)
    if iotf == "2012":
        cut25 = engine.iotf2012_cutoff(sexes, ages, 25.0)
        cut30 = engine.iotf2012_cutoff(sexes, ages, 30.0)
    elif iotf == "2000":
        cut25, cut30 = engine.iotf2000_cutoffs(sexes, ages)
    else:
        raise ValueError(f"iotf must be one of {engine.IOTF_VERSIONS}")
    return [Curve("iotf-25", ages, cut25), Curve("iotf-30", ages, cut30)]


def _label_z(z: int) -> str:
    return "0" if z == 0 else f"{z:+d}".replace("-", "\u2212")


def _svg_with_title(svg: bytes, title: str, description: str) -> bytes:
    """Put ``<title>`` and ``<desc>`` first in the root element and label the image by them."""
    text = svg.decode("utf-8")
    head = (
        ' role="img" aria-labelledby="chart-title chart-desc">\n'
        f' <title id="chart-title">{escape(title)}</title>\n'
        f' <desc id="chart-desc">{escape(description)}</desc>'
    )
    text = re.sub(r"(<svg\b[^>]*?)>", lambda m: m.group(1) + head, text, count=1)
    return text.encode("utf-8")


def _points(
    x: ArrayLike, values: ArrayLike, status: ArrayLike, order_by: ArrayLike | None = None
) -> tuple[FloatArray, FloatArray, NDArray[np.str_]]:
    """The drawable points, in order: rows with a missing x or value are left out."""
    xs = np.asarray(x, dtype=np.float64)
    measured = np.asarray(values, dtype=np.float64)
    statuses = np.asarray(status, dtype=str)
    keys = xs if order_by is None else np.asarray(order_by, dtype=np.float64)
    if not (len(xs) == len(measured) == len(statuses) == len(keys)):
        raise ValueError("the ages, values and statuses must have the same length")
    unknown = set(statuses.tolist()) - set(STATUSES)
    if unknown:
        raise ValueError(f"unknown status: {', '.join(sorted(unknown))}")
    shown = np.isfinite(xs) & np.isfinite(measured) & np.isfinite(keys) & (keys >= 0)
    xs, measured, statuses, keys = xs[shown], measured[shown], statuses[shown], keys[shown]
    order = np.argsort(keys, kind="stable")
    return xs[order], measured[order], statuses[order]


@dataclass(frozen=True)
class _XAxis:
    """The x axis: its range in plotted units and how curve and point x convert to them."""

    start: float
    end: float
    scale: float  # plotted = x / scale (days → years; cm stays cm)
    major: float
    minor: float | None
    seam: float | None = None  # where WHO 2006 gives way to WHO 2007, if shown


def _age_axis(until_days: float) -> _XAxis:
    end = until_days / engine.DAYS_PER_YEAR
    return _XAxis(
        start=0.0,
        end=end,
        scale=engine.DAYS_PER_YEAR,
        major=1 if end <= 10 else 2,
        minor=0.25 if end <= 4 else None,
        seam=SEAM_YEARS if end > SEAM_YEARS else None,
    )


def _render(
    curves: list[Curve],
    extra: list[Curve],
    x: FloatArray,
    measured: FloatArray,
    statuses: NDArray[np.str_],
    axis: _XAxis,
    text: ChartText,
) -> bytes:
    with _LOCK, matplotlib.rc_context(_RC):
        figure = Figure(figsize=(8.0, 5.8))
        FigureCanvasAgg(figure)
        axes = figure.add_axes((0.08, 0.27, 0.84, 0.66))
        _draw(axes, curves, extra, x, measured, statuses, axis, text)
        buffer = io.BytesIO()
        figure.savefig(
            buffer,
            format="svg",
            bbox_inches="tight",
            metadata={"Date": None, "Creator": "Børneliv growth chart"},
        )
    return _svg_with_title(buffer.getvalue(), text.title, text.description)


def age_chart_svg(
    *,
    indicator: str,
    sex: int,
    age_days: ArrayLike,
    values: ArrayLike,
    status: ArrayLike,
    text: ChartText,
    iotf: str | None = None,
) -> bytes:
    """The chart of ``values`` (BMI for ``"bfa"``, cm for ``"lhfa"``, kg for ``"wfa"``) by age.

    ``age_days``, ``values`` and ``status`` (each ``"counted"``, ``"held"`` or ``"rejected"``)
    are parallel; rows with a missing age or value are left out. ``iotf`` ("2012" or "2000")
    adds the IOTF cut-off curves (BMI only).
    """
    ages, measured, statuses = _points(age_days, values, status)
    until = axis_end_days(ages)
    curves = who_curves(indicator, sex, until)
    extra = iotf_curves(sex, until, iotf) if (iotf and indicator == "bfa") else []
    return _render(curves, extra, ages, measured, statuses, _age_axis(until), text)


def _draw(
    axes: object,
    curves: list[Curve],
    extra: list[Curve],
    xs: FloatArray,
    measured: FloatArray,
    statuses: NDArray[np.str_],
    axis: _XAxis,
    text: ChartText,
) -> None:
    from matplotlib.axes import Axes

    assert isinstance(axes, Axes)
    scale = axis.scale

    # Reference curves; the range they span sets the y axis.
    curve_values = np.concatenate([c.values for c in curves])
    low, high = float(np.nanmin(curve_values)), float(np.nanmax(curve_values))
    for curve in curves:
        z = int(curve.gid.rsplit("z", 1)[1])
        axes.plot(
            curve.x / scale,
            curve.values,
            color=_CURVE_COLOUR,
            linewidth={0: 1.6, 1: 0.8, 2: 1.1, 3: 0.8}[abs(z)],
            linestyle={0: "-", 1: ":", 2: "--", 3: "-."}[abs(z)],
            gid=curve.gid,
            zorder=2,
        )
    # Label each z-curve at the end of its last piece.
    last_pieces = {}
    for curve in curves:
        last_pieces[curve.gid.rsplit("-z", 1)[1]] = curve
    for curve in last_pieces.values():
        z = int(curve.gid.rsplit("z", 1)[1])
        axes.annotate(
            _label_z(z),
            xy=(curve.x[-1] / scale, curve.values[-1]),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
            color=_CURVE_COLOUR,
            annotation_clip=False,
        )
    for curve in extra:
        finite = np.isfinite(curve.values)
        if finite.any():
            high = max(high, float(np.nanmax(curve.values)))
        axes.plot(
            curve.x / scale,
            curve.values,
            color=_IOTF_COLOUR,
            linewidth=1.4,
            linestyle="-" if curve.gid == "iotf-30" else "--",
            gid=curve.gid,
            zorder=3,
        )

    # The plotted range: the curves plus the points, but not without bound, so one absurd value
    # (held or rejected) does not squash the curves; such points sit on the edge as triangles.
    span = high - low
    y_min = low - 0.05 * span
    y_max = high + 0.05 * span
    if measured.size:
        y_min = max(min(y_min, float(measured.min()) - 0.03 * span), low - 0.5 * span)
        y_max = min(max(y_max, float(measured.max()) + 0.03 * span), high + 0.5 * span)
    axes.set_ylim(y_min, y_max)
    axes.set_xlim(axis.start, axis.end)

    if axis.seam is not None:
        axes.axvline(axis.seam, color="#777777", linestyle=":", linewidth=1.0, gid="who-seam")
        # Inside the axes at the bottom, below the lowest curve: clear of points on the top edge.
        axes.annotate(
            text.seam,
            xy=(axis.seam, 0.0),
            xycoords=("data", "axes fraction"),
            xytext=(0, 3),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=7.5,
            color="#555555",
            bbox={"boxstyle": "square,pad=0.15", "facecolor": "white", "edgecolor": "none"},
            gid="who-seam-label",
        )

    x = xs / scale
    below, above = measured < y_min, measured > y_max
    left, right = x < axis.start, x > axis.end
    inside = ~below & ~above & ~left & ~right
    y = np.clip(measured, y_min, y_max)
    x = np.clip(x, axis.start, axis.end)
    counted = statuses == "counted"
    if counted.sum() > 1:
        axes.plot(
            x[counted & inside],
            y[counted & inside],
            color=_STYLE["counted"].color,
            linewidth=1.0,
            gid="trajectory",
            zorder=4,
        )
    for status in STATUSES:
        chosen = statuses == status
        if not chosen.any():
            continue
        style = _STYLE[status]
        # One Line2D per status (markers only), so each status is one group in the SVG.
        markers = np.where(
            below[chosen],
            "v",
            np.where(
                above[chosen],
                "^",
                np.where(left[chosen], "<", np.where(right[chosen], ">", style.marker)),
            ),
        )
        group_x, group_y = x[chosen], y[chosen]
        for shape in dict.fromkeys(markers.tolist()):
            picked = markers == shape
            axes.plot(
                group_x[picked],
                group_y[picked],
                linestyle="none",
                marker=shape,
                markersize=style.size,
                markeredgewidth=1.4,
                markeredgecolor=style.color,
                markerfacecolor=style.facecolor,
                gid=f"points-{status}" if shape == style.marker else f"points-{status}-edge",
                zorder=5,
                clip_on=False,
            )
        if status == "rejected":
            group_above = above[chosen]
            for px, py, high_edge in zip(group_x, group_y, group_above, strict=True):
                axes.annotate(
                    text.rejected_mark,
                    xy=(px, py),
                    # Below a point on the top edge, clear of the seam's label above the axes.
                    xytext=(6, -12 if high_edge else 5),
                    textcoords="offset points",
                    fontsize=8,
                    color=style.color,
                    annotation_clip=False,
                )

    axes.set_xlabel(text.x_label)
    axes.set_ylabel(text.y_label)
    axes.set_title(text.title, fontsize=11, pad=8)
    axes.xaxis.set_major_locator(MultipleLocator(axis.major))
    if axis.minor is not None:
        axes.xaxis.set_minor_locator(MultipleLocator(axis.minor))
    axes.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=10))
    axes.grid(True, which="major", color="#e3e6ec", linewidth=0.6, zorder=0)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)

    handles = [
        Line2D([], [], color=_CURVE_COLOUR, linewidth=1.6, label=text.median),
        Line2D([], [], color=_CURVE_COLOUR, linewidth=1.0, linestyle="--", label=text.z_lines),
    ]
    if extra and text.iotf25:
        handles.append(
            Line2D([], [], color=_IOTF_COLOUR, linewidth=1.4, linestyle="--", label=text.iotf25)
        )
    if extra and text.iotf30:
        handles.append(Line2D([], [], color=_IOTF_COLOUR, linewidth=1.4, label=text.iotf30))
    for status, label in (
        ("counted", text.counted),
        ("held", text.held),
        ("rejected", text.rejected),
    ):
        style = _STYLE[status]
        handles.append(
            Line2D(
                [],
                [],
                linestyle="none",
                marker=style.marker,
                markersize=style.size,
                markeredgewidth=1.4,
                markeredgecolor=style.color,
                markerfacecolor=style.facecolor,
                label=label,
            )
        )
    figure = axes.figure
    figure.legend(
        handles=handles,
        loc="lower center",
        ncol=2,  # the Danish labels are long: three columns ran off the figure
        frameon=False,
        fontsize=8.5,
        bbox_to_anchor=(0.5, 0.0),
    )


def bmi_for_age_svg(
    *,
    sex: int,
    age_days: ArrayLike,
    bmi: ArrayLike,
    status: ArrayLike,
    text: ChartText,
    iotf: str | None = "2012",
) -> bytes:
    """BMI against age over the WHO curves (and the IOTF 25/30 cut-offs unless ``iotf`` is None)."""
    return age_chart_svg(
        indicator="bfa", sex=sex, age_days=age_days, values=bmi, status=status, text=text, iotf=iotf
    )


def height_for_age_svg(
    *, sex: int, age_days: ArrayLike, height_cm: ArrayLike, status: ArrayLike, text: ChartText
) -> bytes:
    """Length/height against age over the WHO curves."""
    return age_chart_svg(
        indicator="lhfa", sex=sex, age_days=age_days, values=height_cm, status=status, text=text
    )


def weight_for_age_svg(
    *, sex: int, age_days: ArrayLike, weight_kg: ArrayLike, status: ArrayLike, text: ChartText
) -> bytes:
    """Weight against age over the WHO curves (WHO 2006 to 5 years, WHO 2007 to 10 years)."""
    return age_chart_svg(
        indicator="wfa", sex=sex, age_days=age_days, values=weight_kg, status=status, text=text
    )


#: Position codes of the engine by ``Measurement.position``.
POSITION_CODES = {"L": 1, "H": 2}


def weight_for_length_points(
    *, age_days: ArrayLike, length_cm: ArrayLike, position: ArrayLike
) -> FloatArray:
    """The length each measurement is drawn at on the weight-for-length chart; NaN if none.

    Only measurements before day 731 (length-based, where the engine computes weight-for-length)
    have one; the length is adjusted for the position as the engine adjusts it.
    """
    ages = np.asarray(age_days, dtype=np.float64)
    positions = np.array(
        [POSITION_CODES.get(str(p), 0) for p in np.asarray(position, dtype=object)], dtype=np.int8
    )
    adjusted = engine.position_adjusted_height(
        ages, np.asarray(length_cm, dtype=np.float64), positions
    )
    with np.errstate(invalid="ignore"):
        length_based = (ages >= 0) & (ages < engine.HEIGHT_BASED_FROM_DAYS)
    return np.where(length_based, adjusted, np.nan)


def weight_for_length_svg(
    *,
    sex: int,
    age_days: ArrayLike,
    length_cm: ArrayLike,
    weight_kg: ArrayLike,
    position: ArrayLike,
    status: ArrayLike,
    text: ChartText,
) -> bytes:
    """Weight against length over the WHO 2006 weight-for-length curves (45–110 cm).

    Draws the measurements taken before 2 years (day 731) that have both a weight and a length,
    at the position-adjusted length (``weight_for_length_points``), joined in age order.
    """
    lengths = weight_for_length_points(age_days=age_days, length_cm=length_cm, position=position)
    x, measured, statuses = _points(lengths, weight_kg, status, order_by=age_days)
    axis = _XAxis(start=WFL_FIRST_CM, end=WFL_LAST_CM, scale=1.0, major=5, minor=1)
    return _render(weight_for_length_curves(sex), [], x, measured, statuses, axis, text)
