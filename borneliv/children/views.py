"""Pages of the child registry: find, register, the child's record, import, the access log.

Every page that shows a child's record writes one access-log row per child shown. A CPR number
only ever arrives by POST and is never put into a URL, a message, a log line or a page (except
the explicit, logged "show full CPR number").
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from borneliv.accounts.actors import request_user
from borneliv.children import forms, imports, referrals, selectors, services
from borneliv.children.access import child_for
from borneliv.children.models import Child, Enrolment, Referral, VulnerabilityPeriod
from borneliv.children.services import ReadView
from borneliv.lib.forms import add_service_errors
from borneliv.lib.imports import PendingUpload

SEARCH_PAGE_SIZE = 25
ACCESS_LOG_PAGE_SIZE = 50
IMPORT_SESSION_KEY = "children_import"
#: The uploaded births file between the dry run and the commit (encrypted, for an hour).
PENDING = PendingUpload(IMPORT_SESSION_KEY)


def _require(user: Any, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied


def _page(request: HttpRequest, items: Any, size: int) -> Page[Any]:
    return Paginator(items, size).get_page(request.GET.get("page"))


# Finding and registering


@never_cache
@sensitive_post_parameters("cpr")
@login_required
def find(request: HttpRequest) -> HttpResponse:
    """Find a child by CPR number (POST only) or by name (GET ``?q=``)."""
    user = request.user
    _require(user, "children.view_child")
    cpr_form = forms.FindByCprForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and cpr_form.is_valid():
        child = services.child_find_by_cpr(cpr=cpr_form.cleaned_data["cpr"], user=user)
        if child is not None:
            services.access_log_record(user=user, children=child, view=ReadView.FIND_BY_CPR)
            return redirect("children:detail", public_id=child.public_id)
        cpr_form.add_error(
            None,
            _(
                "No child with this CPR number lives in your area. Check the number, or "
                "register the child."
            ),
        )

    query = request.GET.get("q", "")
    if any(c.isdigit() for c in query):
        # A CPR number typed into the name box (past the browser's pattern check): it is not
        # searched for, and the redirect takes it out of the address bar and of the page.
        messages.warning(
            request,
            _(
                "Names have no digits, so nothing was searched. To find a child by CPR number, "
                "use the form for CPR numbers."
            ),
        )
        return redirect("children:find")
    search_form = forms.NameSearchForm(request.GET if query else None)
    page = None
    if search_form.is_bound and search_form.is_valid() and search_form.cleaned_data["q"]:
        page = _page(
            request,
            selectors.children_matching(user, search_form.cleaned_data["q"]),
            SEARCH_PAGE_SIZE,
        )
        services.access_log_record(user=user, children=page.object_list, view=ReadView.NAME_SEARCH)
    return render(
        request,
        "children/find.html",
        {
            "cpr_form": cpr_form,
            "search_form": search_form,
            "page": page,
            "can_register": user.has_perm("children.add_child"),
            "can_import": user.has_perm("children.import_children"),
            "can_decide_referrals": user.has_perm("children.decide_referral"),
            "referrals_waiting": _referrals_waiting(user),
        },
        status=400 if cpr_form.errors else 200,
    )


def _referrals_waiting(user: Any) -> int | None:
    """For the link to the referrals: open ones to decide, or how many she sent (None: none)."""
    if user.has_perm("children.decide_referral"):
        return Referral.objects.open().count()
    if not user.has_perm("children.view_referral"):
        return None
    return Referral.objects.visible_to(user).count() or None


@never_cache
@sensitive_post_parameters("cpr")
@login_required
def register(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require(user, "children.add_child")
    form = forms.RegisterForm(request.POST or None, user=user)
    duplicate: Child | None = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        new_family = data["family"] == forms.RegisterForm.NEW_FAMILY
        try:
            registered = referrals.child_register_or_refer(
                by=user,
                cpr=data["cpr"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                area=data["area"],
                resident_from=data["resident_from"],
                family_name=data["family_name"] if new_family else "",
                guardians=form.guardians() if new_family else (),
            )
        except services.DuplicateChildError as exc:
            duplicate = exc.existing
            if duplicate is not None:
                # The answer names the child: a read, logged like the find form's.
                services.access_log_record(
                    user=user, children=duplicate, view=ReadView.REGISTER_CHECK
                )
            form.add_error("cpr", exc)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if isinstance(registered, Referral):
                # The same answer whether the number is new or registered where the user
                # cannot see (children.referrals).
                messages.success(
                    request,
                    _(
                        "The registration has been sent to an administrator for checking. "
                        "You will find the child in the registry when it has been approved."
                    ),
                )
                return redirect("children:referrals")
            messages.success(
                request, _("%(name)s was registered.") % {"name": registered.full_name}
            )
            return redirect("children:detail", public_id=registered.public_id)
    return render(
        request,
        "children/register.html",
        {"form": form, "duplicate": duplicate},
        status=400 if form.errors else 200,
    )


# The child's record


def _render_child(
    request: HttpRequest,
    child: Child,
    *,
    view: str = ReadView.CHILD_DETAIL,
    purpose: str = "",
    revealed_cpr: str = "",
    bound: dict[str, Form] | None = None,
    bound_id: int | None = None,
) -> HttpResponse:
    """The record page; logs the read.

    ``bound`` replaces blank forms with submitted ones that have errors; for the per-row forms
    (``clear_form``, ``end_form``) ``bound_id`` says which period or enrolment it belongs to.
    """
    user = request.user
    bound = bound or {}
    services.access_log_record(user=user, children=child, view=view, purpose=purpose)
    record = selectors.child_record(user, child)
    for period in record.vulnerability_periods:
        if period.valid_to is None:
            period.clear_form = (  # type: ignore[attr-defined]
                bound["clear_form"]
                if "clear_form" in bound and bound_id == period.pk
                else forms.VulnerabilityClearForm(prefix=f"clear-{period.pk}")
            )
    for enrolment in record.enrolments:
        if enrolment.valid_to is None:
            enrolment.end_form = (  # type: ignore[attr-defined]
                bound["end_form"]
                if "end_form" in bound and bound_id == enrolment.pk
                else forms.EnrolmentEndForm(prefix=f"end-{enrolment.pk}")
            )
    page_forms: dict[str, Form] = {
        "reveal_form": forms.RevealCprForm(),
        "family_form": forms.FamilyForm(initial={"name": child.last_name}),
        "guardian_form": forms.GuardianForm(),
        "vulnerability_form": forms.VulnerabilitySetForm(),
        "move_form": forms.MoveForm(user=user),
        "enrol_form": forms.EnrolForm(user=user),
    }
    page_forms.update({k: v for k, v in bound.items() if k in page_forms})
    context: dict[str, Any] = {
        "child": child,
        "record": record,
        "masked_cpr": child.cpr_masked,
        "revealed_cpr": revealed_cpr,
        "can_change": user.has_perm("children.change_child"),
        "can_change_family": user.has_perm("children.change_family"),
        "can_set_vulnerability": user.has_perm("children.set_vulnerability"),
        "short_id": selectors.short_id(child.public_id),
        **page_forms,
    }
    has_errors = any(form.errors for form in bound.values())
    return render(request, "children/detail.html", context, status=400 if has_errors else 200)


@never_cache
@login_required
def detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    child = child_for(request_user(request), public_id)
    return _render_child(request, child)


@never_cache
@require_POST
@login_required
def reveal_cpr(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Show the full CPR number once, in this response only; the read is logged with a purpose."""
    child = child_for(request_user(request), public_id)
    form = forms.RevealCprForm(request.POST)
    if not form.is_valid():
        return _render_child(request, child, bound={"reveal_form": form})
    cpr = services.cpr_of(child)
    return _render_child(
        request,
        child,
        view=ReadView.CPR_REVEAL,
        purpose=form.cleaned_data["purpose"],
        revealed_cpr=f"{cpr[:6]}-{cpr[6:]}",
    )


def _child_action(
    request: HttpRequest,
    public_id: uuid.UUID,
    form_name: str,
    make_form: Any,
    act: Any,
    success: str,
    *,
    perm: str = "children.change_child",
    bound_id: int | None = None,
) -> HttpResponse:
    """A POST that changes the record: validate, call the service, redirect to the record."""
    child = child_for(request_user(request), public_id)
    # Every change to a record needs the change permission, and the action its own as well.
    for needed in {"children.change_child", perm}:
        _require(request.user, needed)
    form = make_form(request.POST)
    if form.is_valid():
        try:
            act(child, form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, success)
            return redirect("children:detail", public_id=child.public_id)
    return _render_child(request, child, bound={form_name: form}, bound_id=bound_id)


@require_POST
@login_required
def family_create(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    return _child_action(
        request,
        public_id,
        "family_form",
        forms.FamilyForm,
        lambda child, data: services.family_create_for_child(child=child, name=data["name"]),
        _("The family was created."),
        perm="children.change_family",
    )


@require_POST
@login_required
def guardian_add(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    def act(child: Child, data: dict[str, Any]) -> None:
        if child.family is None:
            raise ValidationError(_("Create the family first."))
        services.guardian_add(family=child.family, **data)

    return _child_action(
        request,
        public_id,
        "guardian_form",
        forms.GuardianForm,
        act,
        _("The guardian was added."),
        perm="children.change_family",
    )


@require_POST
@login_required
def vulnerability_set(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    def act(child: Child, data: dict[str, Any]) -> None:
        if child.family is None:
            raise ValidationError(
                _("Vulnerability is recorded for a family: create the child's family first.")
            )
        services.vulnerability_set(family=child.family, by=request_user(request), **data)

    return _child_action(
        request,
        public_id,
        "vulnerability_form",
        forms.VulnerabilitySetForm,
        act,
        _("The family is marked as vulnerable."),
        perm="children.set_vulnerability",
    )


@require_POST
@login_required
def vulnerability_clear(request: HttpRequest, public_id: uuid.UUID, period_id: int) -> HttpResponse:
    def act(child: Child, data: dict[str, Any]) -> None:
        period = (
            VulnerabilityPeriod.objects.filter(pk=period_id, family=child.family).first()
            if child.family is not None
            else None
        )
        if period is None:
            raise Http404
        services.vulnerability_clear(period=period, on=data["valid_to"], by=request_user(request))

    return _child_action(
        request,
        public_id,
        "clear_form",
        lambda data: forms.VulnerabilityClearForm(data, prefix=f"clear-{period_id}"),
        act,
        _("The vulnerability marker was cleared."),
        perm="children.set_vulnerability",
        bound_id=period_id,
    )


@require_POST
@login_required
def move(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    return _child_action(
        request,
        public_id,
        "move_form",
        lambda data: forms.MoveForm(data, user=request.user),
        lambda child, data: services.child_move(
            child=child, area=data["area"], on=data["valid_from"]
        ),
        _("The move was recorded."),
    )


@require_POST
@login_required
def enrol(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    return _child_action(
        request,
        public_id,
        "enrol_form",
        lambda data: forms.EnrolForm(data, user=request.user),
        lambda child, data: services.enrolment_start(child=child, **data),
        _("The enrolment was recorded."),
    )


@require_POST
@login_required
def enrolment_end(request: HttpRequest, public_id: uuid.UUID, enrolment_id: int) -> HttpResponse:
    def act(child: Child, data: dict[str, Any]) -> None:
        enrolment = Enrolment.objects.filter(pk=enrolment_id, child=child).first()
        if enrolment is None:
            raise Http404
        services.enrolment_end(enrolment=enrolment, on=data["valid_to"])

    return _child_action(
        request,
        public_id,
        "end_form",
        lambda data: forms.EnrolmentEndForm(data, prefix=f"end-{enrolment_id}"),
        act,
        _("The enrolment was ended."),
        bound_id=enrolment_id,
    )


# Import


@never_cache
@login_required
def import_children(request: HttpRequest) -> HttpResponse:
    """Upload → dry-run report → "import N children" (the file waits encrypted in the session)."""
    user = request.user
    _require(user, "children.import_children")
    form = forms.ImportForm()
    report: imports.ImportReport | None = None
    token = ""
    filename = ""
    if request.method == "POST" and request.POST.get("commit"):
        pending = PENDING.take(request.session, request.POST.get("token", ""))
        if pending is None:
            messages.error(
                request, _("The uploaded file has expired or was replaced; upload it again.")
            )
            return redirect("children:import")
        data, filename = pending
        try:
            report = imports.import_children(
                imports.read_rows(data, filename), user=user, commit=True
            )
        except imports.ImportFileError as exc:  # pragma: no cover - it was read before
            form.add_error(None, str(exc))
        else:
            if report.committed:
                PENDING.drop(request.session)
                if report.ok:
                    messages.success(
                        request,
                        ngettext(
                            "%(count)d child was imported.",
                            "%(count)d children were imported.",
                            report.ok,
                        )
                        % {"count": report.ok},
                    )
                if report.referred:
                    messages.success(
                        request,
                        ngettext(
                            "%(count)d child was sent to an administrator for registration.",
                            "%(count)d children were sent to an administrator for registration.",
                            report.referred,
                        )
                        % {"count": report.referred},
                    )
                    return redirect("children:referrals")
                return redirect("children:import")
            token = request.POST.get("token", "")
    elif request.method == "POST":
        form = forms.ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read()
            filename = upload.name or ""
            try:
                report = imports.import_children(imports.read_rows(data, filename), user=user)
            except imports.ImportFileError as exc:
                form.add_error("file", str(exc))
            else:
                if report.can_commit:
                    token = PENDING.keep(request.session, data, filename)
                else:
                    PENDING.drop(request.session)
    return render(
        request,
        "children/import.html",
        {"form": form, "report": report, "token": token, "filename": filename},
        status=400 if form.errors else 200,
    )


# Access log

VIEW_LABELS = {
    ReadView.CHILD_DETAIL: gettext_lazy("record page"),
    ReadView.CPR_REVEAL: gettext_lazy("full CPR number shown"),
    ReadView.FIND_BY_CPR: gettext_lazy("found by CPR number"),
    ReadView.NAME_SEARCH: gettext_lazy("listed by a name search"),
    ReadView.API_LIST: gettext_lazy("API: list"),
    ReadView.API_DETAIL: gettext_lazy("API: record"),
    ReadView.API_LOOKUP: gettext_lazy("API: look-up by CPR number"),
    ReadView.REGISTER_CHECK: gettext_lazy("duplicate check: named on the registration form"),
    ReadView.IMPORT_CHECK: gettext_lazy("duplicate check: named in an import's check"),
    ReadView.REGISTER_REFERRED: gettext_lazy(
        "duplicate check: registration sent to an administrator (the user was not told)"
    ),
    ReadView.IMPORT_REFERRED: gettext_lazy(
        "duplicate check: import row sent to an administrator (the user was not told)"
    ),
    ReadView.REFERRAL_CHECK: gettext_lazy("duplicate check: a registration being decided"),
    ReadView.ACCESS_LOG: gettext_lazy("listed in the access log"),
    # Reads logged by health visiting (named here so the log reads as words, not codes).
    "worklist": gettext_lazy("listed on the worklist"),
    "worklist_export": gettext_lazy("exported from the worklist"),
    "healthvisit_record": gettext_lazy("health-visiting record"),
    "healthvisit_contact_form": gettext_lazy("contact form"),
    "healthvisit_skip_form": gettext_lazy("skip form"),
    "api_schedule": gettext_lazy("API: schedule"),
    "api_contacts": gettext_lazy("API: contacts"),
    # Reads logged by growth.
    "growth_child": gettext_lazy("growth page"),
    "growth_chart": gettext_lazy("growth chart"),
    "growth_measurement_form": gettext_lazy("measurement form"),
    "growth_review_queue": gettext_lazy("listed in the review queue"),
    "api_growth": gettext_lazy("API: measurements"),
    # Reads logged by the motor assessment.
    "motor_session": gettext_lazy("motor assessment grid"),
    "motor_assessment": gettext_lazy("motor assessment"),
    "motor_profile": gettext_lazy("counted in a motor group profile"),
    "motor_api": gettext_lazy("API: motor assessment"),
}


@login_required
def access_log(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require(user, "children.view_accesslog")
    form = forms.AccessLogFilterForm(request.GET or None, user=user)
    filters: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = {
            "reader": data["reader"],
            "child": data["child"],
            "date_from": data["date_from"],
            "date_to": data["date_to"],
        }
    page = _page(request, selectors.access_log_entries(user, **filters), ACCESS_LOG_PAGE_SIZE)
    entries = list(page.object_list)
    # The page names children, so reading it is a read of each child listed: one row per child
    # on the page (not per entry), written after the page's entries were read.
    services.access_log_record(
        user=user,
        child_ids=list(dict.fromkeys(entry.child_id for entry in entries)),
        view=ReadView.ACCESS_LOG,
    )
    for entry in entries:
        # Other apps log their own views; those show by their code.
        entry.view_label = VIEW_LABELS.get(entry.view, entry.view)
        entry.short_id = selectors.short_id(entry.child.public_id)
    return render(
        request,
        "children/access_log.html",
        {"form": form, "page": page, "entries": entries},
    )
