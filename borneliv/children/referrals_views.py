"""Registrations sent to an administrator: the sender follows hers, an administrator decides.

The list and a referral's page show what the sender typed; only an administrator's page of one
referral looks the number up in the registry, and that read is logged (``referral_check``).
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, Min, OuterRef, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from borneliv.accounts.models import today
from borneliv.children import referrals, services
from borneliv.children.forms import DATE_INPUT_FORMATS, DateInput
from borneliv.children.models import Child, Referral
from borneliv.children.services import ReadView
from borneliv.lib.forms import add_service_errors

PAGE_SIZE = 50


class MoveForm(forms.Form):
    valid_from = forms.DateField(
        label=gettext_lazy("Lives in the area from"),
        widget=DateInput(),
        input_formats=DATE_INPUT_FORMATS,
    )


class DeclineForm(forms.Form):
    answer = forms.CharField(
        label=gettext_lazy("Answer to the sender"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Say what to do now. Do not say where else the child may be registered."
        ),
    )


def _require(user: Any, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied


def _get_referral(user: Any, public_id: uuid.UUID) -> Referral:
    """A referral the user may see (her own, or any for an administrator); 404 otherwise."""
    _require(user, "children.view_referral")
    referral = (
        Referral.objects.visible_to(user)
        .select_related("area__municipality", "created_by", "decided_by", "child", "family")
        .filter(public_id=public_id)
        .first()
    )
    if referral is None:
        raise Http404
    return referral


def _registered_ids() -> Any:
    return Exists(Child.objects.filter(cpr_pseudonym=OuterRef("cpr_pseudonym")))


@never_cache
@login_required
def referral_list(request: HttpRequest) -> HttpResponse:
    """An administrator: open referrals, imports grouped; anyone else: the ones she sent."""
    user: Any = request.user
    _require(user, "children.view_referral")
    can_decide = user.has_perm("children.decide_referral")
    referrals_ = Referral.objects.visible_to(user).select_related(
        "area__municipality", "created_by"
    )
    batches: list[Any] = []
    if can_decide:
        # Imports as one line each: how many wait, and how many of them have a new number
        # (counts only; no child is named, so nothing is read here).
        batches = list(
            Referral.objects.open()
            .filter(batch__isnull=False)
            .values("batch", "created_by__first_name", "created_by__last_name")
            .annotate(
                waiting=Count("pk"),
                registered=Count("pk", filter=_registered_ids()),
                sent=Min("created_at"),
            )
            .order_by("sent")
        )
        for batch in batches:
            batch["new"] = batch["waiting"] - batch["registered"]
            batch["sender"] = " ".join(
                [batch["created_by__first_name"], batch["created_by__last_name"]]
            ).strip()
        # Single registrations, and those of an import whose number is registered already:
        # each needs its own decision.
        shown = (
            referrals_.open()
            .filter(Q(batch__isnull=True) | _registered_ids())
            .order_by("created_at", "pk")
        )
        decided = referrals_.exclude(status=Referral.Status.OPEN).order_by("-decided_at")[:20]
    else:
        shown = referrals_.order_by("-created_at", "-pk")
        decided = Referral.objects.none()
    page = Paginator(shown, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "children/referrals.html",
        {
            "page": page,
            "batches": batches,
            "decided": list(decided),
            "can_decide": can_decide,
        },
    )


def _render_referral(
    request: HttpRequest,
    referral: Referral,
    *,
    move_form: MoveForm | None = None,
    decline_form: DeclineForm | None = None,
    error: ValidationError | None = None,
) -> HttpResponse:
    user: Any = request.user
    can_decide = user.has_perm("children.decide_referral")
    registered = None
    if can_decide:
        registered = referrals.registered_child(referral)
        if registered is not None:
            services.access_log_record(user=user, children=registered, view=ReadView.REFERRAL_CHECK)
    visible_child = (
        Child.objects.visible_to(user).filter(pk=referral.child_id).first()
        if referral.child_id
        else None
    )
    start = referral.resident_from or today()
    context = {
        "referral": referral,
        "can_decide": can_decide and referral.is_open,
        "registered": registered,
        "current_area": (
            registered.residences.select_related("area__municipality")
            .order_by("-valid_from")
            .first()
            if registered is not None
            else None
        ),
        "visible_child": visible_child,
        "move_form": move_form or MoveForm(initial={"valid_from": start}),
        "decline_form": decline_form or DeclineForm(),
        "errors": error.messages if error is not None else [],
    }
    bad = error is not None or bool(
        (move_form and move_form.errors) or (decline_form and decline_form.errors)
    )
    return render(request, "children/referral.html", context, status=400 if bad else 200)


@never_cache
@login_required
def referral_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    return _render_referral(request, _get_referral(request.user, public_id))


def _decided(request: HttpRequest, text: str) -> HttpResponse:
    messages.success(request, text)
    return redirect("children:referrals")


@require_POST
@login_required
def referral_register(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    user: Any = request.user
    _require(user, "children.decide_referral")
    referral = _get_referral(user, public_id)
    try:
        child = referrals.referral_register(referral=referral, by=user)
    except ValidationError as exc:
        return _render_referral(request, referral, error=exc)
    return _decided(request, _("%(name)s was registered.") % {"name": child.full_name})


@require_POST
@login_required
def referral_move(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    user: Any = request.user
    _require(user, "children.decide_referral")
    referral = _get_referral(user, public_id)
    form = MoveForm(request.POST)
    if form.is_valid():
        try:
            child = referrals.referral_move(
                referral=referral, by=user, on=form.cleaned_data["valid_from"]
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                add_service_errors(form, exc)
            else:
                return _render_referral(request, referral, move_form=form, error=exc)
        else:
            return _decided(
                request,
                _("%(name)s now lives in %(area)s.")
                % {"name": child.full_name, "area": referral.area.name},
            )
    return _render_referral(request, referral, move_form=form)


@require_POST
@login_required
def referral_decline(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    user: Any = request.user
    _require(user, "children.decide_referral")
    referral = _get_referral(user, public_id)
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            referrals.referral_decline(
                referral=referral, by=user, answer=form.cleaned_data["answer"]
            )
        except ValidationError as exc:
            return _render_referral(request, referral, decline_form=form, error=exc)
        return _decided(request, _("The registration was declined; the sender reads your answer."))
    return _render_referral(request, referral, decline_form=form)


@require_POST
@login_required
def batch_register(request: HttpRequest, batch: uuid.UUID) -> HttpResponse:
    """Register every new number of one import's referrals at once."""
    user: Any = request.user
    _require(user, "children.decide_referral")
    try:
        count = referrals.referrals_register_new(batch=batch, by=user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("children:referrals")
    return _decided(
        request,
        ngettext("%(count)d child was registered.", "%(count)d children were registered.", count)
        % {"count": count},
    )


def landing_panel(user: Any) -> dict[str, Any] | None:
    """The front-page panel of an administrator: registrations waiting (None when none)."""
    if not user.is_authenticated or not user.has_perm("children.decide_referral"):
        return None
    waiting = Referral.objects.open().count()
    if not waiting:
        return None
    return {
        "template": "children/includes/referrals_panel.html",
        "context": {"waiting": waiting},
        "order": 5,
    }
