"""Landing page per role, and the user's own API tokens."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from borneliv.accounts import services
from borneliv.accounts.forms import ApiTokenForm
from borneliv.accounts.landing import (
    attention_for,
    context_for,
    counts_for,
    imports_for,
    panels_for,
)
from borneliv.accounts.models import ApiToken, Role
from borneliv.lib import datachecks


@login_required
def home(request: HttpRequest) -> HttpResponse:
    if request.user.scope.primary_role == Role.HEALTH_VISITOR:  # type: ignore[union-attr]
        # The health visitor's landing page is her worklist (app healthvisits, by URL name).
        return redirect("healthvisits:worklist")
    # What other apps register (accounts.landing): organisations' institutions and areas, the
    # motor dialogues' follow-ups, … — accounts imports none of them.
    context = context_for(request.user)
    context["panels"] = panels_for(request.user)
    if context.get("role") == Role.ADMIN:
        context.update(admin_overview(request.user, context.get("overview", [])))
    else:
        context["attention"] = attention_for(request.user)
    return render(request, "accounts/home.html", context)


def admin_overview(user: Any, overview: list[Any]) -> dict[str, Any]:
    """The administrator's overview: a table of municipalities with what the apps count in each,
    the recent imports, and what waits for her (all registered in ``accounts.landing``)."""
    counts = counts_for(user)
    rows = [
        {
            "municipality": summary.municipality,
            "cells": [count.counts.get(summary.municipality.pk, 0) for count in counts],
        }
        for summary in overview
    ]
    totals = [sum(row["cells"][i] for row in rows) for i in range(len(counts))]
    return {
        "overview_columns": [count.label for count in counts],
        "overview_rows": rows,
        "overview_totals": totals,
        "recent_imports": imports_for(user),
        "attention": attention_for(user),
    }


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    new_token: str | None = None
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _token, new_token = services.api_token_create(
            user=request.user,  # type: ignore[arg-type]
            name=form.cleaned_data["name"],
            expires_at=form.cleaned_data.get("expires_at"),
        )
        form = ApiTokenForm()
    rows = ApiToken.objects.filter(user_id=int(request.user.pk or 0)).order_by("-created_at")
    return render(
        request, "accounts/tokens.html", {"form": form, "tokens": rows, "new_token": new_token}
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(
        ApiToken, pk=token_id, user_id=request.user.pk, revoked_at__isnull=True
    )
    services.api_token_revoke(token=token)
    messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("accounts:tokens")


@login_required
def datacheck(request: HttpRequest) -> HttpResponse:
    """The data checks' findings within the user's scope (``borneliv.lib.datachecks``)."""
    if not request.user.has_perm("accounts.view_datacheck"):
        raise PermissionDenied
    findings = datachecks.run(request.user)
    groups = [
        (description, [f for f in findings if f.check == name])
        for name, (description, _function) in datachecks.checks().items()
    ]
    return render(
        request,
        "accounts/datacheck.html",
        {"groups": groups, "total": len(findings)},
    )
