"""Prevalence for leaders and researchers: the page, its chart (SVG) and its CSV/XLSX export.

All three show ``prevalence_selectors.prevalence_for`` for the same query string and nothing
more: every figure has been through small-cell suppression. No child's record is read, so no
access-log row is written; the page needs ``growth.view_prevalence``.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
from csp.decorators import csp_replace
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from borneliv.accounts.models import User, today
from borneliv.growth import prevalence as engine
from borneliv.growth import prevalence_presenter as presenter
from borneliv.growth import prevalence_selectors as selectors
from borneliv.growth.prevalence_selectors import Measure, Prevalence, Query, Setting
from borneliv.lib import downloads
from borneliv.lib.forms import parse_year
from borneliv.organisations.models import Municipality

YEARS_OFFERED = 15


def _check_permission(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required
    if not user.has_perm("growth.view_prevalence"):
        raise PermissionDenied
    return user


def query_from(user: User, data: QueryDict, allowed: list[Municipality] | None = None) -> Query:
    """The query of the request's parameters; ``ValidationError`` or ``Http404`` as the selector."""
    errors: dict[str, str] = {}
    year_from = parse_year(data.get("year_from"), "year_from", errors)
    year_to = parse_year(data.get("year_to"), "year_to", errors)
    if errors:
        raise ValidationError(errors)
    return selectors.prevalence_query(
        user,
        measure=data.get("measure") or None,
        setting=data.get("setting") or None,
        year_from=year_from,
        year_to=year_to,
        municipality_code=data.get("municipality") or None,
        on=today(),
        allowed=allowed,
    )


# --- the page -----------------------------------------------------------------------------------


def _form_state(
    query: Query | None, data: QueryDict
) -> tuple[dict[str, Any], list[tuple[int, str]], str]:
    """The filters' chosen values, the years offered, and the query string for the chart and
    the CSV link (the query as resolved, defaults filled in)."""
    if query is not None:
        selected: dict[str, Any] = {
            "measure": query.measure,
            "setting": query.setting,
            "year_from": query.year_from,
            "year_to": query.year_to,
            "municipality": query.municipality.code if query.municipality else "",
        }
    else:
        selected = {key: data.get(key, "") for key in ("measure", "setting", "municipality")}
        for key in ("year_from", "year_to"):
            selected[key] = parse_year(data.get(key), key, {})
    setting = selected["setting"] if selected["setting"] in Setting.values else Setting.SCHOOL_START
    latest = selectors.current_period(setting, today())
    years = [
        (year, selectors.period_label(setting, year))
        for year in range(latest, latest - YEARS_OFFERED, -1)
    ]
    params = QueryDict(mutable=True)
    for key, value in selected.items():
        if value not in (None, ""):
            params[key] = str(value)
    return selected, years, params.urlencode()


@login_required
@require_GET
def prevalence(request: HttpRequest) -> HttpResponse:
    user = _check_permission(request)
    municipalities = selectors.prevalence_municipalities(user)
    errors: dict[str, list[str]] = {}
    figures: Prevalence | None = None
    try:
        query = query_from(user, request.GET, municipalities)
    except ValidationError as exc:
        errors = exc.message_dict
        query = None
    if query is not None:
        figures = selectors.prevalence_for(user, query, allowed=municipalities)
        if request.GET.get("format") in downloads.FORMATS:
            return prevalence_download(figures, request.GET["format"])
    elif request.GET.get("format") in downloads.FORMATS:
        return HttpResponse(
            "; ".join(m for messages in errors.values() for m in messages),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    selected, years, query_string = _form_state(query, request.GET)
    return render(
        request,
        "growth/prevalence.html",
        {
            "figures": figures,
            "query": query,
            "errors": errors,
            "measures": Measure.choices,
            "settings_": Setting.choices,
            "years": years,
            "municipalities": municipalities,
            "choose_municipality": len(municipalities) > 1,
            "query_string": query_string,
            "explanation": presenter.explanation(figures.threshold) if figures else "",
            "national_value": (
                presenter.national_value(figures.national) if figures and figures.national else ""
            ),
            # The source in the reader's language (a template's {% translate var %} cannot look
            # up a message with a "%" in it).
            "national_source": _(figures.national.source) if figures and figures.national else "",
            "selected": selected,
        },
        status=400 if errors else 200,
    )


# --- CSV ----------------------------------------------------------------------------------------


def prevalence_download(figures: Prevalence, format: str = downloads.CSV) -> HttpResponse:
    """The suppressed table as CSV or XLSX (``lib.downloads``)."""
    query = figures.query
    sheet = presenter.sheet(figures)
    # "forekomst-overvaegt-inkl-svaer-overvaegt-skolestart-2020-2025.csv" in Danish.
    name = [
        _("Prevalence"),
        figures.measure_label,
        figures.setting_label,
        f"{query.year_from}-{query.year_to}",
    ]
    return downloads.download(sheet, name=name, format=format)


# --- the chart ----------------------------------------------------------------------------------

_COLOURS = {engine.PROGRAMME: "#1f3f86", engine.COMPARISON: "#a4481e"}
_MARKERS = {engine.PROGRAMME: "o", engine.COMPARISON: "s"}
_NATIONAL_COLOUR = "#5b6b8c"


def chart_svg(figures: Prevalence) -> bytes:
    """The chart (``chart_figure``) as SVG bytes."""
    figure = chart_figure(figures)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": "Børneliv"})
    return buffer.getvalue()


def chart_figure(figures: Prevalence) -> Figure:
    """Programme vs comparison areas (all children) per period with 95 % CIs, and the national
    figure; hidden or empty totals are left out."""
    periods = list(figures.table.periods)
    labels = [figures.period_label(p) for p in periods]
    figure = Figure(figsize=(7.5, 4.2))
    FigureCanvasAgg(figure)
    axes = figure.add_axes((0.09, 0.2, 0.88, 0.7))
    highest = 0.0
    offsets = {engine.PROGRAMME: -0.08, engine.COMPARISON: 0.08}
    names = {
        engine.PROGRAMME: _("Programme areas"),
        engine.COMPARISON: _("Comparison areas"),
    }
    drawn = 0
    for kind in engine.KINDS:
        points = figures.series(kind)
        if not points:
            continue
        # One slot per period, NaN where the figure is hidden: the line breaks there rather
        # than joining the neighbours across a figure that is not shown.
        x = np.arange(len(periods), dtype=float) + offsets[kind]
        y, low, high = (np.full(len(periods), np.nan) for _ in range(3))
        for point in points:
            i = periods.index(point.period)
            y[i], low[i], high[i] = point.percent, point.low, point.high
        axes.errorbar(
            x,
            y,
            yerr=np.vstack([y - low, high - y]),
            fmt=_MARKERS[kind] + "-",
            color=_COLOURS[kind],
            ecolor=_COLOURS[kind],
            elinewidth=1.0,
            capsize=4,
            markersize=6,
            linewidth=1.4,
            label=names[kind],
            gid=f"series-{kind}",
        )
        highest = max(highest, float(np.nanmax(high)))
        drawn += len(points)
    national = figures.national
    if national is not None:
        value = presenter.national_value(national)
        text = (
            _("National figure %(value)s %% (%(period)s)")
            % {"value": value, "period": national.period}
            if national.period
            else _("National figure %(value)s %%") % {"value": value}
        )
        if national.is_range:
            axes.axhspan(
                national.percent_low,
                national.percent_high,
                color=_NATIONAL_COLOUR,
                alpha=0.18,
                label=text,
                gid="national",
            )
        else:
            axes.axhline(
                national.percent_low,
                color=_NATIONAL_COLOUR,
                linestyle="--",
                linewidth=1.2,
                label=text,
                gid="national",
            )
        highest = max(highest, national.percent_high)
    if drawn == 0:
        axes.text(
            0.5,
            0.55,
            _("No figures to show for these choices."),
            transform=axes.transAxes,
            ha="center",
            va="center",
            fontsize=10,
            color="#555555",
        )
    axes.set_xticks(range(len(periods)), labels, fontsize=9)
    axes.set_xlim(-0.5, len(periods) - 0.5)
    axes.set_ylim(0, max(10.0, np.ceil(highest / 5 + 0.5) * 5))
    axes.set_ylabel(_("Percent of children counted"), fontsize=9)
    axes.set_title(f"{figures.measure_label} · {figures.setting_label}", fontsize=10)
    axes.tick_params(labelsize=9)
    axes.grid(axis="y", color="#dddddd", linewidth=0.6)
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    if axes.get_legend_handles_labels()[0]:
        axes.legend(
            loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=3, frameon=False, fontsize=8
        )
    return figure


@login_required
@require_GET
@csp_replace(
    {
        # The SVG document itself: matplotlib styles its elements inline; nothing else may load.
        "default-src": ["'none'"],
        "style-src": ["'unsafe-inline'"],
        "script-src": ["'none'"],
        "img-src": ["'none'"],
        "font-src": ["'none'"],
        "connect-src": ["'none'"],
    }
)
def prevalence_chart(request: HttpRequest) -> HttpResponse:
    user = _check_permission(request)
    try:
        query = query_from(user, request.GET)
    except ValidationError:
        return HttpResponse(status=400)
    figures = selectors.prevalence_for(user, query)
    response = HttpResponse(chart_svg(figures), content_type="image/svg+xml")
    response["Content-Disposition"] = "inline"
    return response
