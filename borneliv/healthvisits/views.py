"""Pages of health visiting: the worklist, a child's health-visiting record, contacts, coverage.

Children outside the user's scope answer 404, whatever the page. Every page that shows a child's
record writes one access-log row per child shown (``children.services.access_log_record``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import numpy as np
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from borneliv.accounts.models import User, today
from borneliv.children.access import child_for
from borneliv.children.selectors import age_text
from borneliv.children.services import access_log_record
from borneliv.healthvisits import charts, exports, selectors, services
from borneliv.healthvisits import coverage as coverage_module
from borneliv.healthvisits.access import contact_for, recording_unit
from borneliv.healthvisits.forms import ContactForm, SkipForm, WorklistFilterForm
from borneliv.healthvisits.models import Contact, Stage
from borneliv.healthvisits.schedule import Status
from borneliv.healthvisits.selectors import Bucket, Sort, WorklistRow
from borneliv.healthvisits.templatetags.healthvisits import status_class, status_label
from borneliv.lib import downloads
from borneliv.lib.forms import add_service_errors
from borneliv.lib.text import ascii_filename
from borneliv.organisations.models import Area

# In the order a contact passes through them; "vulnerable" cuts across the four.
BUCKETS = [
    ("", gettext_lazy("All on the list")),
    (Bucket.OPENING.value, gettext_lazy("Opening within 7 days")),
    (Bucket.DUE.value, gettext_lazy("Open now")),
    (Bucket.CLOSING.value, gettext_lazy("Window closing")),
    (Bucket.OVERDUE.value, gettext_lazy("Overdue")),
    (Bucket.VULNERABLE.value, gettext_lazy("Vulnerable families")),
]
SORT_COLUMNS = [
    (Sort.NAME, gettext_lazy("Child")),
    (Sort.BIRTH, gettext_lazy("Born")),
    (Sort.STAGE, gettext_lazy("Contact")),
    (Sort.STATUS, gettext_lazy("Status")),
    (Sort.WINDOW_END, gettext_lazy("Window")),
]
# Stages a health visitor can still act on: record a contact for or skip.
OPEN_STATUSES = {Status.UPCOMING, Status.DUE, Status.CLOSING, Status.OVERDUE}


# --- the worklist's rows, ready to print -------------------------------------------------------


@dataclass(frozen=True)
class RowView:
    """One worklist row with its links and texts built once, so the template only prints.

    Reversing two URLs and formatting three dates per row in the template took a third of the
    page's rendering time; here the URLs come from one reverse each and dates are formatted once
    per distinct date.
    """

    row: WorklistRow
    child_url: str
    record_url: str
    birth: str
    age: str
    window: str
    hint: str
    status_label: str
    status_class: str
    attempts: str


@dataclass(frozen=True)
class ChildGroup:
    """A child's rows on the page, shown together (one card on a phone) where its first row is."""

    first: RowView
    rows: list[RowView]


def _groups(views: list[RowView]) -> list[ChildGroup]:
    """The page's rows by child, in the order each child first appears (the chosen sort)."""
    by_child: dict[int, list[RowView]] = {}
    for view in views:
        by_child.setdefault(view.row.child_id, []).append(view)
    return [ChildGroup(first=rows[0], rows=rows) for rows in by_child.values()]


@dataclass(frozen=True)
class StageRule:
    """When one stage opens, warns, becomes overdue and expires, in words for the page."""

    name: str
    window: str
    closing: str
    expiry: str


def _stage_rules(stages: tuple[Stage, ...]) -> list[StageRule]:
    rules = []
    for stage in stages:
        if stage.anchor_id and stage.anchor:
            window = _("days %(start)s–%(end)s after “%(anchor)s” was completed") % {
                "start": stage.window_start_days,
                "end": stage.window_end_days,
                "anchor": stage.anchor.name,
            }
        else:
            window = _("days %(start)s–%(end)s after birth") % {
                "start": stage.window_start_days,
                "end": stage.window_end_days,
            }
        closing = ngettext(
            "the last %(n)s day of the window",
            "the last %(n)s days of the window",
            stage.closing_days,
        ) % {"n": stage.closing_days}
        if stage.expiry_days:
            expiry = ngettext(
                "%(n)s day after the window closes",
                "%(n)s days after the window closes",
                stage.expiry_days,
            ) % {"n": stage.expiry_days}
        else:  # never overdue: it leaves the list when its window closes
            expiry = _("when the window closes")
        rules.append(StageRule(name=stage.name, window=window, closing=closing, expiry=expiry))
    return rules


_PLACEHOLDER = UUID(int=0)


def _row_views(rows: list[WorklistRow], on: Any) -> list[RowView]:
    child_url = reverse("healthvisits:child", args=[_PLACEHOLDER])
    record_url = reverse("healthvisits:contact_add", args=[_PLACEHOLDER])
    placeholder = str(_PLACEHOLDER)
    dates: dict[Any, str] = {}
    ages: dict[Any, str] = {}

    def age(born: Any) -> str:
        text = ages.get(born)
        if text is None:
            text = ages[born] = age_text(born, on)
        return text

    def short(day: Any) -> str:
        text = dates.get(day)
        if text is None:
            text = dates[day] = date_format(day, "SHORT_DATE_FORMAT")
        return text

    views = []
    for row in rows:
        if row.status == Status.UPCOMING:
            days = row.days_to_open
            hint = ngettext("opens in %(n)s day", "opens in %(n)s days", days) % {"n": days}
        elif row.status == Status.OVERDUE:
            days = row.days_overdue
            hint = ngettext("%(n)s day overdue", "%(n)s days overdue", days) % {"n": days}
        else:
            days = row.days_left
            hint = ngettext("%(n)s day left", "%(n)s days left", days) % {"n": days}
        attempts = (
            ngettext("%(n)s attempt to reach", "%(n)s attempts to reach", row.attempts)
            % {"n": row.attempts}
            if row.attempts
            else ""
        )
        public_id = str(row.public_id)
        views.append(
            RowView(
                row=row,
                child_url=child_url.replace(placeholder, public_id),
                record_url=(
                    f"{record_url.replace(placeholder, public_id)}?{urlencode({'stage': row.stage.code})}"
                ),
                birth=short(row.birth_date),
                age=age(row.birth_date),
                window=f"{short(row.window_start)}–{short(row.window_end)}",
                hint=hint,
                status_label=str(status_label(row.status)),
                status_class=status_class(row.status),
                attempts=attempts,
            )
        )
    return views


# --- the worklist ------------------------------------------------------------------------------


@login_required
def worklist(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not user.has_perm("healthvisits.view_worklist"):
        raise PermissionDenied
    on = today()
    catalogue = selectors.stage_catalogue()
    areas = list(
        Area.objects.filter(municipality_id__in=user.scope.health_municipality_ids)
        .order_by("name")
        .values_list("pk", "name")
    )
    form = WorklistFilterForm(request.GET, areas=areas, stages=catalogue.stages)
    filters = form.filters()
    work = selectors.worklist(user, on, filters, catalogue=catalogue)

    export = request.GET.get("format")
    if export in ("csv", "xlsx"):
        rows = work.rows(work.order)
        access_log_record(
            user=user,
            child_ids=work.child_ids_at(work.order),
            view="worklist_export",
        )
        filename = ascii_filename(_("Worklist"), on.isoformat(), extension=export)
        if export == "csv":
            return exports.worklist_csv(rows, filename=filename)
        return exports.worklist_xlsx(rows, filename=filename, title=_("Worklist"))

    page = Paginator(work.order, selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    positions = np.asarray(page.object_list, dtype=np.int64)
    rows = work.rows(positions)
    access_log_record(user=user, child_ids=work.child_ids_at(positions), view="worklist")
    columns = []
    for key, label in SORT_COLUMNS:
        current = filters.sort == key
        descending = current and filters.descending
        columns.append(
            {
                "key": key.value,
                "label": label,
                "next": key.value if (not current or descending) else f"-{key.value}",
                "aria_sort": ("descending" if descending else "ascending") if current else "",
            }
        )
    tabs = [
        {
            "value": value,
            "label": label,
            "count": work.counts[value or "all"],
            "current": (filters.bucket.value if filters.bucket else "") == value,
        }
        for value, label in BUCKETS
    ]
    row_views = _row_views(rows, on)
    return render(
        request,
        "healthvisits/worklist.html",
        {
            "form": form,
            "filters": filters,
            "rows": rows,
            "row_views": row_views,
            "groups": _groups(row_views),
            "page": page,
            "tabs": tabs,
            "columns": columns,
            "on": on,
            "opening_from": on + dt.timedelta(days=1),
            "opening_until": on + dt.timedelta(days=selectors.OPENING_DAYS),
            "stage_rules": _stage_rules(catalogue.stages),
            "total": len(work),
        },
    )


# --- a child's record --------------------------------------------------------------------------


@login_required
def child(request: HttpRequest, public_id: UUID) -> HttpResponse:
    user: Any = request.user
    record = child_for(user, public_id)
    on = today()
    lines = selectors.schedule_for(record, on)
    contacts = (
        Contact.objects.filter(child=record)
        .select_related("stage", "unit", "recorded_by")
        .prefetch_related("topics")
    )
    skips = record.stage_skips.select_related("stage", "skipped_by").order_by("skipped_on")
    residences = record.residences.select_related("area__municipality").order_by("-valid_from")
    family = record.family
    guardians = list(family.guardians.all()) if family else []
    periods = list(family.vulnerability_periods.order_by("-valid_from")) if family else []
    current = next(
        (r for r in residences if r.valid_from <= on and (r.valid_to is None or r.valid_to >= on)),
        None,
    )
    access_log_record(user=user, children=record, view="healthvisit_record")
    # A contact is recorded for the user's unit: a superuser, whom Django's has_perm lets
    # through, has none, and would meet a 403 behind the button.
    can_record = user.has_perm("healthvisits.add_contact", record) and bool(
        user.scope.health_municipality_ids
    )
    return render(
        request,
        "healthvisits/child.html",
        {
            "child": record,
            "on": on,
            "age_days": record.age_days(on),
            "lines": lines,
            "open_statuses": [s.value for s in OPEN_STATUSES],
            "contacts": contacts,
            "skips": skips,
            "residences": residences,
            "current_residence": current,
            "family": family,
            "guardians": guardians,
            "periods": periods,
            "vulnerable_now": any(
                p.valid_from <= on and (p.valid_to is None or p.valid_to >= on) for p in periods
            ),
            "can_record": can_record,
            "can_skip": user.has_perm("healthvisits.add_stageskip", record),
            "can_change": user.has_perm("healthvisits.change_contact", record),
        },
    )


@login_required
def contact_add(request: HttpRequest, public_id: UUID) -> HttpResponse:
    user: Any = request.user
    record = child_for(user, public_id)
    if not user.has_perm("healthvisits.add_contact", record):
        raise PermissionDenied
    unit = recording_unit(user, record)
    initial: dict[str, Any] = {
        "contact_date": today(),
        # Length lying under 2 years, height standing from 2 (WHO's convention).
        "position": "L" if record.age_days(today()) < 731 else "H",
    }
    wanted = request.GET.get("stage")
    if wanted:
        stage = Stage.objects.active().filter(code=wanted).first()
        if stage is not None:
            initial.update(stage=stage.pk, mode=stage.mode)
    form = ContactForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.contact_record(
                child=record,
                unit=unit,
                by=user,
                contact_date=data["contact_date"],
                mode=data["mode"],
                outcome=data["outcome"],
                stage=data["stage"],
                topics=data["topics"],
                note=data["note"],
                next_contact_on=data.get("next_contact_on"),
                measurement=form.visit_measurement(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            measured = form.visit_measurement()
            messages.success(
                request,
                _("The contact and the measurement were recorded.")
                if measured is not None and not measured.empty
                else _("The contact was recorded."),
            )
            return redirect("healthvisits:child", public_id=record.public_id)
    access_log_record(user=user, children=record, view="healthvisit_contact_form")
    return render(
        request,
        "healthvisits/contact_form.html",
        {"child": record, "form": form, "unit": unit, "contact": None},
    )


@login_required
def contact_edit(request: HttpRequest, public_id: UUID) -> HttpResponse:
    user: Any = request.user
    contact = contact_for(user, public_id)
    record = contact.child
    initial = {
        "contact_date": contact.contact_date,
        "mode": contact.mode,
        "stage": contact.stage_id,
        "outcome": contact.outcome,
        "topics": list(contact.topics.values_list("pk", flat=True)),
        "note": contact.note,
        "next_contact_on": contact.next_contact_on,
    }
    form = ContactForm(request.POST or None, initial=initial, contact=contact)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.contact_update(
                contact=contact,
                version=form.version,
                by=user,
                contact_date=data["contact_date"],
                mode=data["mode"],
                outcome=data["outcome"],
                stage=data["stage"],
                topics=data["topics"],
                note=data["note"],
                next_contact_on=data.get("next_contact_on"),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The contact was saved."))
            return redirect("healthvisits:child", public_id=record.public_id)
    access_log_record(user=user, children=record, view="healthvisit_contact_form")
    return render(
        request,
        "healthvisits/contact_form.html",
        {"child": record, "form": form, "unit": contact.unit, "contact": contact},
    )


@login_required
def skip(request: HttpRequest, public_id: UUID) -> HttpResponse:
    user: Any = request.user
    record = child_for(user, public_id)
    if not user.has_perm("healthvisits.add_stageskip", record):
        raise PermissionDenied
    on = today()
    open_stages = [
        line.stage
        for line in selectors.schedule_for(record, on)
        if line.status.status in OPEN_STATUSES
    ]
    initial: dict[str, Any] = {"skipped_on": on}
    wanted = request.GET.get("stage")
    chosen = next((s for s in open_stages if s.code == wanted), None)
    if chosen is not None:
        initial["stage"] = chosen.pk
    form = SkipForm(request.POST or None, initial=initial, stages=open_stages)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.stage_skip(
                child=record,
                stage=data["stage"],
                reason=data["reason"],
                explanation=data["explanation"],
                by=user,
                on=data["skipped_on"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("“%(stage)s” is marked as skipped.") % {"stage": data["stage"].name},
            )
            return redirect("healthvisits:child", public_id=record.public_id)
    access_log_record(user=user, children=record, view="healthvisit_skip_form")
    return render(request, "healthvisits/skip_form.html", {"child": record, "form": form})


# --- coverage ----------------------------------------------------------------------------------


def period_name(period: str) -> str:
    return {
        coverage_module.Period.MONTH: _("by month"),
        coverage_module.Period.QUARTER: _("by quarter"),
        coverage_module.Period.YEAR: _("whole year"),
    }[period]


def _coverage_for(request: HttpRequest) -> tuple[coverage_module.Coverage, dict[str, Any]]:
    """The coverage figures of the request's year, cohort and period (bad values fall back)."""
    user = request.user
    assert isinstance(user, User)  # login_required
    if not user.has_perm("healthvisits.view_coverage"):
        raise PermissionDenied
    on = today()
    years = list(range(on.year, on.year - 6, -1))
    try:
        year = int(request.GET.get("year", on.year))
    except ValueError:
        year = on.year
    if year not in years:
        year = on.year
    by = request.GET.get("by")
    if by not in (coverage_module.By.BIRTH, coverage_module.By.WINDOW):
        by = coverage_module.By.WINDOW
    period = request.GET.get("period") or coverage_module.Period.MONTH
    if period not in coverage_module.Period.CHOICES:
        period = coverage_module.Period.MONTH
    figures = coverage_module.compute(user, year=year, by=by, today=on, period=period)
    query = urlencode({"year": str(year), "by": by, "period": period})
    return figures, {
        "years": years,
        "year": year,
        "by": by,
        "period": period,
        "on": on,
        "query": query,
    }


@login_required
def coverage(request: HttpRequest) -> HttpResponse:
    figures, context = _coverage_for(request)
    if request.GET.get("format") in downloads.FORMATS:
        return _coverage_download(figures, request.GET["format"])
    return render(
        request,
        "healthvisits/coverage.html",
        {
            "figures": figures,
            "explanation": coverage_module.explanation(figures.threshold),
            "charts": [
                (indicator, charts.indicator_title(indicator)) for indicator in charts.INDICATORS
            ],
            **context,
        },
    )


@login_required
def coverage_chart(request: HttpRequest, indicator: str) -> HttpResponse:
    if indicator not in charts.INDICATORS:
        raise Http404
    figures, _context = _coverage_for(request)
    response = HttpResponse(charts.coverage_svg(figures, indicator), content_type="image/svg+xml")
    response["Content-Disposition"] = "inline"
    return response


def _coverage_download(figures: coverage_module.Coverage, format: str) -> HttpResponse:
    """Every figure of the page, suppressed as shown: one row per cell (``lib.downloads``)."""
    headers = [
        _("table"),
        _("areas"),
        _("area"),
        _("column"),
        _("shown"),
        _("numerator"),
        _("denominator"),
        _("status"),
    ]
    tables = [
        ("enhanced", _("Enhanced home visit at 4–6 months within its window")),
        ("themes", _("Enhanced visits that covered all four focus themes")),
        ("vulnerable", _("Vulnerable families reached at each programme contact")),
        ("feeding_reached", _("Vulnerable families reached by breastfeeding counselling")),
        ("feeding_calls", _("Calls per family reached")),
        ("topics", _("Topics covered")),
    ]
    status_text = {
        "": _("shown"),
        "small": _("hidden: too few"),
        "complementary": _("hidden: protects another hidden figure"),
    }
    rows: list[list[downloads.Value]] = []
    for attribute, title in tables:
        for arm in figures.arms:
            table: coverage_module.Table = getattr(arm, attribute)
            lines = [*table.rows, (_("All areas"), table.column_totals, table.total)]
            for label, cells, row_total in lines:
                for column, cell in [
                    *zip(table.column_labels, cells, strict=True),
                    (_("Total"), row_total),
                ]:
                    shown = not cell.hidden
                    rows.append(
                        [
                            title,
                            arm.label,
                            label,
                            column,
                            cell.text,
                            cell.numerator if shown else None,
                            cell.denominator if shown else None,
                            "" if cell.empty and shown else status_text[cell.hidden],
                        ]
                    )
    name = [_("Coverage"), str(figures.year), period_name(figures.period)]
    return downloads.download(
        downloads.Sheet(_("Coverage"), headers, rows), name=name, format=format
    )
