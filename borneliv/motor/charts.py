"""The group profile as one printable A4 page (PDF) or image (PNG), drawn with matplotlib.

``profile_figure(profile)`` lays out, top to bottom: the title with daycare, group and date; two
boxes with what the group is good at and where to strengthen the pedagogical focus; a horizontal
stacked bar per skill item (not yet / on its way / masters it, grouped by domain); the domains'
mastery beside the municipality's and the programme's other groups (a hidden comparison is left
out and marked); joy of movement, courage and the summary levels; and a footnote on the
instrument version and on suppression. Texts go through gettext, so the page follows the active
language (Danish by default).

Matplotlib's object API only (``Figure`` and its canvases, no pyplot), with DejaVu Sans, which
ships with matplotlib. rcParams are process-global, so one figure is drawn at a time.
"""

from __future__ import annotations

import io
import textwrap
import threading
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _
from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_pdf import FigureCanvasPdf
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyBboxPatch, Patch
from matplotlib.transforms import blended_transform_factory

from borneliv.motor.profile import DomainRow, ItemRow, Segment, SessionProfile

A4_INCHES = (8.27, 11.69)
PNG_DPI = 150

# Okabe–Ito colours: told apart with the common colour-vision deficiencies, and in grey print.
TONE_COLOUR = {"weak": "#E69F00", "mid": "#56B4E9", "strong": "#0072B2", "none": "#C8C8C8"}
TONE_TEXT = {"weak": "#1b2421", "mid": "#1b2421", "strong": "#ffffff", "none": "#1b2421"}
GROUP_COLOUR = "#1d6154"
MUNICIPALITY_COLOUR = "#8dbdb1"
PROGRAMME_COLOUR = "#e9e7dc"
TEXT = "#1b2421"
MUTED = "#53605b"
BORDER = "#b9b8ad"
STRENGTH_BG = "#e6f3e9"
FOCUS_BG = "#fdf3dc"

_RC: dict[Any, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 8.5,
    "axes.edgecolor": BORDER,
    "axes.labelcolor": TEXT,
    "xtick.color": MUTED,
    "ytick.color": TEXT,
    "pdf.fonttype": 42,  # embed TrueType, so the PDF's text can be searched and copied
    "svg.fonttype": "none",
}
_LOCK = threading.Lock()

LEFT = 0.07
RIGHT = 0.95


def _date(value: Any) -> str:
    """dd.mm.åååå in Danish, as every date the platform shows; "6 October 2026" in English."""
    return str(formats.date_format(value, "SHORT_DATE_FORMAT" if _danish() else "j F Y"))


def _danish() -> bool:
    from django.utils.translation import get_language

    return not (get_language() or "da").startswith("en")


def _wrap(lines: list[str], width: int) -> str:
    return "\n".join(
        textwrap.fill(line, width=width, initial_indent="• ", subsequent_indent="   ")
        for line in lines
    )


def _text_box(
    fig: Figure, rect: tuple[float, float, float, float], title: str, body: str, colour: str
) -> None:
    """A rounded box with a bold title (wrapped) and a body of bullet lines under it."""
    x, y, w, h = rect
    fig.patches.append(
        FancyBboxPatch(
            (x, y),
            w,
            h,
            boxstyle="round,pad=0,rounding_size=0.008",
            transform=fig.transFigure,
            facecolor=colour,
            edgecolor=BORDER,
            linewidth=0.6,
            figure=fig,
        )
    )
    fig.text(x + 0.018, y + h - 0.014, title, fontsize=10, fontweight="bold", color=TEXT, va="top")
    body_top = y + h - 0.038 - 0.0145 * title.count("\n")
    fig.text(x + 0.018, body_top, body, fontsize=8.3, color=TEXT, va="top", linespacing=1.45)


#: Figure fractions of an A4 page: a 10 pt title line and an 8.3 pt body line (spacing 1.45).
TITLE_LINE = 0.0145
BODY_LINE = 8.3 * 1.45 / 72 / A4_INCHES[1]


def _box_height(title: str, body: str) -> float:
    """The height of a ``_text_box`` that holds ``title`` and ``body`` with its margins."""
    return 0.038 + TITLE_LINE * title.count("\n") + BODY_LINE * (body.count("\n") + 1) + 0.012


def _stacked(ax: Any, y: float, segments: list[Segment], height: float) -> None:
    """One 0–100 % bar of a distribution, with the count written in each wide-enough part."""
    total = sum(s.count for s in segments)
    left = 0.0
    for segment in segments:
        if not segment.count:
            continue
        width = 100 * segment.count / total
        ax.barh(
            y,
            width,
            left=left,
            height=height,
            color=TONE_COLOUR[segment.tone],
            edgecolor="white",
            linewidth=0.8,
        )
        if width >= 6:
            ax.text(
                left + width / 2,
                y,
                str(segment.count),
                ha="center",
                va="center",
                fontsize=7.5,
                color=TONE_TEXT[segment.tone],
                fontweight="bold",
            )
        left += width


def _bare(ax: Any, *sides: str) -> None:
    for side in sides:
        ax.spines[side].set_visible(False)


def _items_chart(
    fig: Figure,
    rect: tuple[float, float, float, float],
    domains: list[DomainRow],
    legend: list[Segment],
) -> None:
    """A 0–100 % bar per skill item, under a bold line per domain; counts at the right."""
    ax = fig.add_axes(rect)
    rows: list[tuple[str, ItemRow | None]] = []
    for domain in domains:
        rows.append((domain.label, None))
        rows.extend((item.label, item) for item in domain.items)
    n = len(rows)
    # Domain headings start at the page margin, left-aligned; items are right-aligned ticks.
    margin = blended_transform_factory(fig.transFigure, ax.transData)
    ticks, labels = [], []
    for index, (label, item) in enumerate(rows):
        y = n - 1 - index
        if item is None:
            ax.text(
                LEFT,
                y - 0.05,
                label,
                transform=margin,
                fontsize=9,
                fontweight="bold",
                color=GROUP_COLOUR,
                va="center",
            )
            if index:
                ax.plot(
                    [LEFT, rect[0] + rect[2]],
                    [y + 0.5, y + 0.5],
                    transform=margin,
                    color="#e4e3da",
                    linewidth=0.6,
                    clip_on=False,
                )
            continue
        ticks.append(y)
        labels.append(label)
        if item.assessed:
            _stacked(ax, y, item.segments, 0.66)
            ax.text(
                102, y, f"{item.masters}/{item.assessed}", va="center", fontsize=7.5, color=MUTED
            )
        else:
            ax.text(1, y, _("not observed"), va="center", fontsize=7.5, color=MUTED, style="italic")
    ax.set_yticks(ticks, labels=labels)
    ax.tick_params(axis="y", length=0, pad=6, labelsize=8.3)
    ax.set_xlim(0, 100)
    ax.set_ylim(-0.6, n - 0.4)
    ax.set_xticks([0, 25, 50, 75, 100], labels=["0 %", "25 %", "50 %", "75 %", "100 %"])
    ax.tick_params(axis="x", labelsize=7.5, length=2, colors=MUTED)
    ax.grid(axis="x", color="#e4e3da", linewidth=0.6)
    ax.set_axisbelow(True)
    _bare(ax, "top", "right", "left")
    handles = [Patch(facecolor=TONE_COLOUR[s.tone], label=s.label) for s in legend]
    ax.legend(
        handles=handles,
        loc="lower left",
        bbox_to_anchor=(0, 1.0),
        ncol=max(1, len(handles)),
        frameon=False,
        fontsize=8,
        handlelength=1.2,
        columnspacing=1.4,
        borderaxespad=0.2,
    )
    ax.text(
        102,
        n - 0.45,
        _("masters /\nobserved"),
        ha="left",
        va="bottom",
        fontsize=6.5,
        color=MUTED,
        linespacing=1.1,
    )


def _comparison_chart(
    fig: Figure, rect: tuple[float, float, float, float], profile: SessionProfile
) -> bool:
    """Mastery per domain: the group, the municipality, the programme; True if one is hidden."""
    ax = fig.add_axes(rect)
    domains = profile.domains
    width = 0.27
    hidden = False
    series = [
        (
            _("The group"),
            GROUP_COLOUR,
            "",
            [d.shown_percent for d in domains],
            [False] * len(domains),
        ),
        (
            _("Municipality"),
            MUNICIPALITY_COLOUR,
            "",
            [d.municipality.percent for d in domains],
            [d.municipality.state == "hidden" for d in domains],
        ),
        (
            _("Programme"),
            PROGRAMME_COLOUR,
            "////",
            [d.programme.percent for d in domains],
            [d.programme.state == "hidden" for d in domains],
        ),
    ]
    for offset, (label, colour, hatch, values, hides) in zip(
        (-width, 0.0, width), series, strict=True
    ):
        xs = [i + offset for i in range(len(domains))]
        heights = [v if v is not None else 0 for v in values]
        ax.bar(
            xs,
            heights,
            width=width * 0.9,
            color=colour,
            edgecolor="#8a897f",
            linewidth=0.4,
            hatch=hatch,
            label=label,
        )
        for x, value, hide, domain in zip(xs, values, hides, domains, strict=True):
            if value is not None:
                ax.text(
                    x, value + 1.5, f"{value}", ha="center", va="bottom", fontsize=6.3, color=MUTED
                )
            elif hide:
                hidden = True
                ax.text(x, 1.5, "*", ha="center", va="bottom", fontsize=9, color=MUTED)
            elif colour == GROUP_COLOUR and domain.few:
                # Too few children for a percentage: marked, explained in the footnote.
                ax.text(x, 1.5, "†", ha="center", va="bottom", fontsize=8, color=MUTED)
    ax.set_ylim(0, 110)
    ax.set_xlim(-0.55, len(domains) - 0.45)
    ax.set_yticks([0, 25, 50, 75, 100], labels=["0", "25", "50", "75", "100 %"])
    ax.tick_params(axis="y", labelsize=7, length=2, colors=MUTED)
    # Alternate rows, so that long Danish words ("Kropsbevidsthed") never break or collide.
    labels = [
        ("\n" if i % 2 else "") + textwrap.fill(d.label, 16, break_long_words=False)
        for i, d in enumerate(domains)
    ]
    ax.set_xticks(range(len(domains)), labels=labels)
    ax.tick_params(axis="x", labelsize=7.2, length=0)
    ax.grid(axis="y", color="#e4e3da", linewidth=0.6)
    ax.set_axisbelow(True)
    _bare(ax, "top", "right")
    ax.legend(
        loc="lower left",
        bbox_to_anchor=(0, 1.0),
        ncol=3,
        frameon=False,
        fontsize=7.5,
        handlelength=1.2,
        columnspacing=1.0,
        borderaxespad=0.2,
    )
    return hidden


def _observations_chart(
    fig: Figure, rect: tuple[float, float, float, float], profile: SessionProfile
) -> None:
    """Joy of movement, courage and the summary levels: a title, a bar and its key, each."""
    ax = fig.add_axes(rect)
    rows: list[tuple[str, list[Segment]]] = [(i.label, i.segments) for i in profile.observations]
    rows.append((_("The children's summaries (KL's three levels)"), profile.levels_bar))
    step = 3.4
    top = step * len(rows)
    for index, (label, segments) in enumerate(rows):
        y = top - index * step
        ax.text(0, y - 0.15, label, fontsize=8.3, fontweight="bold", color=TEXT, va="top")
        shown = [s for s in segments if s.count]
        if shown:
            _stacked(ax, y - 1.35, segments, 0.95)
        key = "  ·  ".join(f"{s.label}: {s.count}" for s in shown) or _("not observed")
        ax.text(
            0,
            y - 1.95,
            textwrap.fill(key, 68),
            fontsize=6.5,
            color=MUTED,
            va="top",
            linespacing=1.25,
        )
    ax.set_xlim(0, 100)
    ax.set_ylim(top - step * len(rows) + 0.2, top)
    ax.set_xticks([])
    ax.set_yticks([])
    _bare(ax, "top", "right", "left", "bottom")


def profile_figure(profile: SessionProfile) -> Figure:
    """The group profile on one A4 portrait page."""
    session = profile.session
    fig = Figure(figsize=A4_INCHES, facecolor="white")
    width = RIGHT - LEFT

    fig.text(
        LEFT,
        0.965,
        _("Group profile: motor skills"),
        fontsize=17,
        fontweight="bold",
        color=GROUP_COLOUR,
        va="top",
    )
    fig.text(
        LEFT,
        0.936,
        f"{session.institution.name}  ·  {session.group}  ·  {_date(session.held_on)}",
        fontsize=11.5,
        color=TEXT,
        va="top",
    )
    observers = [u.get_full_name() or u.get_username() for u in profile.observers]
    if session.other_observers:
        observers.append(session.other_observers)
    meta = _("%(present)s of %(children)s children present  ·  observed by %(observers)s") % {
        "present": profile.present,
        "children": profile.children,
        "observers": ", ".join(observers) or "—",
    }
    fig.text(LEFT, 0.914, textwrap.fill(meta, 120), fontsize=8.3, color=MUTED, va="top")

    # The two boxes: the heart of the dialogue (one notice instead when the data are too thin).
    gap = 0.025
    box_w = (width - gap) / 2
    top = 0.888
    if profile.has_answers and not profile.advice:
        body = textwrap.fill(profile.thin_notice, 115)
        box_h = _box_height("", body)
        title = _("Too few observations for advice")
        _text_box(fig, (LEFT, top - box_h, width, box_h), title, body, FOCUS_BG)
    else:
        if profile.has_answers:
            strengths = [h.text for h in profile.strengths] or [profile.no_strengths]
            focus = [h.text for h in profile.focus] or [profile.no_focus]
        else:
            strengths = focus = [_("No answers have been recorded yet.")]
        body_s, body_f = _wrap(strengths, 54), _wrap(focus, 54)
        # Bold 10 pt titles: about 36 characters fit the box.
        title_s = textwrap.fill(_("What the group is good at"), 36)
        title_f = textwrap.fill(_("Where to strengthen the pedagogical focus"), 36)
        box_h = max(_box_height(title_s, body_s), _box_height(title_f, body_f))
        _text_box(fig, (LEFT, top - box_h, box_w, box_h), title_s, body_s, STRENGTH_BG)
        _text_box(fig, (LEFT + box_w + gap, top - box_h, box_w, box_h), title_f, body_f, FOCUS_BG)
    cursor = top - box_h - 0.032

    # Room left under the boxes: the footnote, the lower charts at their smallest, the items.
    footnote_top = 0.092 + (0.011 if profile.few_shown else 0.0)
    lower_min = 0.12
    room = cursor - 0.043 - 0.045 - (0.062 + lower_min + 0.05) - (footnote_top + 0.012)

    # The items, grouped by domain.
    heading: dict[str, Any] = {"fontsize": 11, "fontweight": "bold", "color": TEXT, "va": "top"}
    if profile.domains:
        fig.text(LEFT, cursor, _("How the group is doing, skill by skill"), **heading)
        item_rows = sum(1 + len(d.items) for d in profile.domains)
        # Long sentences above take room from the bars, never from the charts below.
        chart_h = max(0.011 * item_rows, min(0.42, 0.0188 * item_rows, room))
        chart_top = cursor - 0.043
        legend = profile.domains[0].items[0].segments if profile.domains[0].items else []
        _items_chart(
            fig, (0.30, chart_top - chart_h, RIGHT - 0.30 - 0.075, chart_h), profile.domains, legend
        )
        cursor = chart_top - chart_h - 0.045

    # Comparisons, and joy/courage/levels, side by side.
    half = (width - 0.05) / 2
    lower_h = max(lower_min, min(0.2, cursor - 0.05 - footnote_top - 0.055 - 0.012))
    hidden = False
    if profile.domains:
        fig.text(LEFT, cursor, _("Compared with other groups"), **heading)
        fig.text(
            LEFT,
            cursor - 0.017,
            _("Mastery: 100 = every child masters it"),
            fontsize=7.5,
            color=MUTED,
            va="top",
        )
        hidden = _comparison_chart(
            fig, (LEFT + 0.045, cursor - 0.062 - lower_h, half - 0.045, lower_h), profile
        )
    right = LEFT + half + 0.05
    fig.text(right, cursor, _("Joy, courage and the summaries"), **heading)
    _observations_chart(
        fig, (right, cursor - 0.07 - lower_h, RIGHT - right, lower_h + 0.045), profile
    )

    # Footnote.
    notes = [
        _(
            "Mastery: 100 %% when every child observed masters the skill; “on its way” counts "
            "half. Compared with the other groups assessed with the same instrument in "
            "%(year)s: %(m)s in %(municipality)s Municipality and %(p)s in the programme's areas."
        )
        % {
            "year": profile.year,
            "municipality": profile.municipality_name,
            "m": profile.municipality_groups,
            "p": profile.programme_groups,
        },
    ]
    if hidden:
        notes.append(
            "* "
            + _(
                "Hidden: fewer than %(n)s children or fewer than 2 other groups, so no child "
                "or group can be recognised."
            )
            % {"n": profile.threshold}
        )
    if profile.few_shown:
        notes.append(
            "† "
            + _(
                "Observed for fewer than %(n)s children: too few for a percentage, a comparison "
                "verdict or a sentence."
            )
            % {"n": profile.min_children}
        )
    version = _("Instrument: %(name)s, version %(number)s.") % {
        "name": profile.instrument_name,
        "number": profile.version_number,
    }
    if profile.is_starting_point:
        version += " " + _(
            "A starting point built from public knowledge, for the municipality to adjust."
        )
    notes.append(version)
    notes.append(_("The profile shows the group, never a single child's name."))
    fig.lines.append(
        Line2D(
            [LEFT, RIGHT],
            [footnote_top + 0.012] * 2,
            transform=fig.transFigure,
            color=BORDER,
            linewidth=0.5,
        )
    )
    fig.text(
        LEFT,
        footnote_top,
        "\n".join(textwrap.fill(n, 130) for n in notes),
        fontsize=7,
        color=MUTED,
        va="top",
        linespacing=1.5,
    )
    fig.text(RIGHT, 0.018, "Børneliv i sund balance", fontsize=7, color=MUTED, ha="right")
    return fig


def _render(profile: SessionProfile, canvas_class: Any, **kwargs: Any) -> bytes:
    with _LOCK, rc_context(_RC):
        fig = profile_figure(profile)
        canvas_class(fig)
        buffer = io.BytesIO()
        fig.savefig(buffer, **kwargs)
    return buffer.getvalue()


def profile_pdf(profile: SessionProfile) -> bytes:
    """The profile as a one-page A4 PDF."""
    return _render(
        profile,
        FigureCanvasPdf,
        format="pdf",
        metadata={"Title": _("Group profile: motor skills"), "Creator": "Børneliv"},
    )


def profile_png(profile: SessionProfile) -> bytes:
    """The profile as an A4-sized PNG at 150 dpi."""
    return _render(profile, FigureCanvasAgg, format="png", dpi=PNG_DPI)
