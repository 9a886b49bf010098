"""Motor trends over time: the page and its CSV/XLSX export (``/motor/trends/``).

Both show ``trends.trends_for`` for the same query string and nothing more: every figure has been
through small-cell suppression. No child's record is read, so no access-log row is written; the
page needs ``motor.view_trends`` (administrators, researchers, project leaders, health visitors).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from borneliv.accounts.models import User, today
from borneliv.lib import downloads
from borneliv.lib.forms import parse_year
from borneliv.motor import trends_presenter as presenter
from borneliv.motor import trends_selectors as selectors
from borneliv.motor.models import Instrument
from borneliv.motor.trends_presenter import Trends
from borneliv.motor.trends_selectors import TrendsQuery
from borneliv.organisations.models import Municipality

YEARS_OFFERED = 10


def _check_permission(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required
    if not user.has_perm("motor.view_trends"):
        raise PermissionDenied
    return user


def query_from(
    user: User,
    data: QueryDict,
    *,
    instruments: list[Instrument],
    allowed: list[Municipality],
) -> TrendsQuery:
    """The query of the request's parameters; ``ValidationError`` or ``Http404`` as the selector."""
    errors: dict[str, str] = {}
    year_from = parse_year(data.get("year_from"), "year_from", errors)
    year_to = parse_year(data.get("year_to"), "year_to", errors)
    if errors:
        raise ValidationError(errors)
    return selectors.trends_query(
        user,
        year_from=year_from,
        year_to=year_to,
        municipality_code=data.get("municipality") or None,
        instrument_code=data.get("instrument") or None,
        on=today(),
        instruments=instruments,
        allowed=allowed,
    )


def _form_state(query: TrendsQuery | None, data: QueryDict) -> tuple[dict[str, Any], str]:
    """The filters' chosen values and the query string for the CSV link (defaults filled in)."""
    if query is not None:
        selected: dict[str, Any] = {
            "instrument": query.instrument.code,
            "year_from": query.year_from,
            "year_to": query.year_to,
            "municipality": query.municipality.code if query.municipality else "",
        }
    else:
        selected = {key: data.get(key, "") for key in ("instrument", "municipality")}
        for key in ("year_from", "year_to"):
            selected[key] = parse_year(data.get(key), key, {})
    params = QueryDict(mutable=True)
    for key, value in selected.items():
        if value not in (None, ""):
            params[key] = str(value)
    return selected, params.urlencode()


@login_required
@require_GET
def trends(request: HttpRequest) -> HttpResponse:
    user = _check_permission(request)
    municipalities = selectors.trends_municipalities(user)
    instruments = list(Instrument.objects.order_by("code"))
    errors: dict[str, list[str]] = {}
    figures: Trends | None = None
    try:
        query: TrendsQuery | None = query_from(
            user, request.GET, instruments=instruments, allowed=municipalities
        )
    except ValidationError as exc:
        errors = exc.message_dict
        query = None
    if query is not None:
        figures = selectors.trends_for(user, query, allowed=municipalities)
        if request.GET.get("format") in downloads.FORMATS:
            return trends_download(figures, request.GET["format"])
    elif request.GET.get("format") in downloads.FORMATS:
        return HttpResponse(
            "; ".join(m for messages in errors.values() for m in messages),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    selected, query_string = _form_state(query, request.GET)
    latest = selectors.current_school_year(today())
    years = [
        (year, presenter.period_label(year)) for year in range(latest, latest - YEARS_OFFERED, -1)
    ]
    return render(
        request,
        "motor/trends.html",
        {
            "figures": figures,
            "query": query,
            "errors": errors,
            "instruments": instruments,
            "years": years,
            "municipalities": municipalities,
            "choose_municipality": len(municipalities) > 1,
            "query_string": query_string,
            "explanation": presenter.explanation(figures.threshold) if figures else "",
            "selected": selected,
        },
        status=400 if errors else 200,
    )


# --- CSV and XLSX -----------------------------------------------------------------------------


def trends_download(figures: Trends, format: str = downloads.CSV) -> HttpResponse:
    """The tables as CSV or XLSX (``trends_presenter.sheet``, ``lib.downloads``)."""
    query = figures.query
    # "motorik-over-tid-motor-4-2024-2025.csv" in Danish (the instrument's code names it).
    name = [
        _("Motor skills over time"),
        query.instrument.code,
        f"{query.year_from}-{query.year_to}",
    ]
    return downloads.download(presenter.sheet(figures), name=name, format=format)
