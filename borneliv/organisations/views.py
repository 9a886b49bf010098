"""Registry pages: thin views over selectors, services and one access helper per object type."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from borneliv.accounts.models import today
from borneliv.lib.forms import VERSION_FIELD, add_service_errors
from borneliv.organisations import selectors, services
from borneliv.organisations.forms import InstitutionForm
from borneliv.organisations.models import (
    Area,
    Goal,
    Institution,
    InstitutionArea,
    Partner,
    SubIntervention,
)


def _get_visible(model: Any, user: Any, pk: int) -> Any:
    """The object if the user may see it; 404 otherwise, so ids outside scope reveal nothing."""
    try:
        return model.objects.visible_to(user).get(pk=pk)
    except model.DoesNotExist as exc:
        raise Http404 from exc


def _get_area_for_user(user: Any, area_id: int) -> Area:
    area: Area = _get_visible(Area, user, area_id)
    return area


def _get_institution_for_user(user: Any, institution_id: int, *, change: bool = False) -> Any:
    institution = _get_visible(Institution, user, institution_id)
    if change and not user.has_perm("organisations.change_institution", institution):
        raise PermissionDenied
    return institution


@login_required
def programme(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("organisations.view_programme_overview"):
        raise PermissionDenied
    overview = selectors.programme_overview(request.user)
    return render(
        request,
        "organisations/programme.html",
        {"overview": overview, "totals": selectors.totals_of(overview)},
    )


@login_required
def goals(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("organisations.view_goal"):
        raise PermissionDenied
    return render(
        request,
        "organisations/goals.html",
        {"goals": Goal.objects.all(), "subinterventions": SubIntervention.objects.all()},
    )


@login_required
def area(request: HttpRequest, area_id: int) -> HttpResponse:
    area = _get_area_for_user(request.user, area_id)
    context = selectors.area_detail(request.user, area)
    context["can_change"] = request.user.has_perm("organisations.change_area", area)
    return render(request, "organisations/area.html", context)


@login_required
def institution(request: HttpRequest, institution_id: int) -> HttpResponse:
    inst = _get_institution_for_user(request.user, institution_id)
    memberships = (
        InstitutionArea.objects.filter(institution=inst)
        .select_related("area")
        .order_by("-valid_from")
    )
    on = today()
    current = next(
        (m for m in memberships if m.valid_from <= on and (m.valid_to is None or m.valid_to >= on)),
        None,
    )
    return render(
        request,
        "organisations/institution.html",
        {
            "institution": inst,
            "memberships": memberships,
            "current": current,
            "map_points": selectors.map_points([inst]),
            "can_change": request.user.has_perm("organisations.change_institution", inst),
        },
    )


@login_required
def institution_edit(request: HttpRequest, institution_id: int) -> HttpResponse:
    inst = _get_institution_for_user(request.user, institution_id, change=True)
    form = InstitutionForm(request.POST or None, instance=inst)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != VERSION_FIELD}
        try:
            services.institution_update(institution=inst, version=form.version, **fields)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The institution was saved."))
            return redirect("organisations:institution", institution_id=inst.pk)
    return render(
        request, "organisations/institution_edit.html", {"institution": inst, "form": form}
    )


@login_required
def partner(request: HttpRequest, partner_id: int) -> HttpResponse:
    obj = _get_visible(Partner, request.user, partner_id)
    return render(
        request,
        "organisations/partner.html",
        {"partner": obj, "can_change": request.user.has_perm("organisations.change_partner", obj)},
    )
