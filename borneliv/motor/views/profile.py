"""The group profile of a session: the page, and the same profile as a PDF or PNG to print."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from borneliv.children.models import Child
from borneliv.children.services import access_log_record
from borneliv.motor import profile as profiles
from borneliv.motor.models import Session

#: The formats the profile is offered in besides the page.
FORMATS = {"pdf": "application/pdf", "png": "image/png"}
_ASCII = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa"})


def get_session_for_profile(user: Any, public_id: UUID) -> Session:
    """The session if the user may see its profile; 404 outside scope, 403 without the right."""
    session = get_object_or_404(
        Session.objects.visible_to(user).select_related("institution"), public_id=public_id
    )
    if not user.has_perm("motor.view_profile", session):
        raise PermissionDenied
    return session


def download_name(profile: profiles.SessionProfile, extension: str) -> str:
    """E.g. ``gruppeprofil-boernehaven-lindholm-aa-mellemgruppen-2026-10-06.pdf``: no child."""
    session = profile.session
    parts = [session.institution.name.translate(_ASCII), session.group.translate(_ASCII)]
    stem = "-".join(slugify(p) for p in parts if slugify(p))
    return f"gruppeprofil-{stem}-{session.held_on.isoformat()}.{extension}"


@login_required
@require_GET
def profile(request: HttpRequest, public_id: UUID) -> HttpResponse:
    user: Any = request.user
    session = get_session_for_profile(user, public_id)
    output = request.GET.get("format", "")
    if output and output not in FORMATS:
        raise Http404
    data = profiles.session_profile(session)
    # The profile is built from each present child's assessment: the read is logged per child.
    access_log_record(
        user=user,
        children=Child.objects.filter(pk__in=data.present_child_ids).only("pk"),
        view="motor_profile",
    )
    if output:
        from borneliv.motor import charts  # matplotlib loads on the first chart, not at start-up

        content = charts.profile_pdf(data) if output == "pdf" else charts.profile_png(data)
        response = HttpResponse(content, content_type=FORMATS[output])
        response["Content-Disposition"] = f'inline; filename="{download_name(data, output)}"'
        return response
    return render(
        request,
        "motor/profile.html",
        {
            "profile": data,
            "session": data.session,
            "can_add_dialogue": user.has_perm("motor.add_dialogue", session),
            "can_change_dialogue": user.has_perm("motor.change_dialogue", session),
        },
    )
