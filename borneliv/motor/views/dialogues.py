"""The dialogue about a group profile: record it, change it, mark its follow-up as held."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from borneliv.accounts.models import today
from borneliv.lib.forms import add_service_errors
from borneliv.motor import profile as profiles
from borneliv.motor import services
from borneliv.motor.dialogue_forms import DialogueForm, FollowUpDoneForm, initial_for
from borneliv.motor.models import Dialogue, Session


def _get_dialogue(user: Any, public_id: UUID) -> Dialogue:
    dialogue = get_object_or_404(
        Dialogue.objects.visible_to(user).select_related("session__institution__municipality"),
        public_id=public_id,
    )
    if not user.has_perm("motor.change_dialogue", dialogue.session):
        raise PermissionDenied
    return dialogue


def _profile_url(session: Session) -> str:
    return reverse("motor:profile", args=[session.public_id]) + "#dialogues"


@login_required
def dialogue_new(request: HttpRequest, public_id: UUID) -> HttpResponse:
    user: Any = request.user
    session = get_object_or_404(
        Session.objects.visible_to(user).select_related("institution__municipality"),
        public_id=public_id,
    )
    if not user.has_perm("motor.add_dialogue", session):
        raise PermissionDenied
    if request.method == "POST":
        form = DialogueForm(request.POST, session=session)
        if form.is_valid():
            try:
                services.dialogue_record(by=user, session=session, **form.service_arguments())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The dialogue was recorded."))
                return redirect(_profile_url(session))
    else:
        data = profiles.session_profile(session)
        form = DialogueForm(
            session=session,
            initial={
                "held_on": today(),
                "participants": [*data.observers, user],
                "strengths": profiles.strengths_summary(data),
                "focus": profiles.focus_summary(data),
            },
        )
    return render(
        request, "motor/dialogue_form.html", {"form": form, "session": session, "dialogue": None}
    )


@login_required
def dialogue_edit(request: HttpRequest, public_id: UUID) -> HttpResponse:
    user: Any = request.user
    dialogue = _get_dialogue(user, public_id)
    session = dialogue.session
    if request.method == "POST":
        form = DialogueForm(request.POST, session=session, dialogue=dialogue)
        if form.is_valid():
            try:
                services.dialogue_update(by=user, dialogue=dialogue, **form.service_arguments())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The dialogue was saved."))
                return redirect(_profile_url(session))
    else:
        form = DialogueForm(session=session, dialogue=dialogue, initial=initial_for(dialogue))
    return render(
        request,
        "motor/dialogue_form.html",
        {"form": form, "session": session, "dialogue": dialogue},
    )


@login_required
@require_POST
def dialogue_done(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Mark the agreed follow-up as held today; back to where the button was."""
    user: Any = request.user
    dialogue = _get_dialogue(user, public_id)
    form = FollowUpDoneForm(request.POST)
    form.is_valid()
    target = form.cleaned_data.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = ""
    try:
        services.dialogue_follow_up_done(
            by=user, dialogue=dialogue, done_on=today(), note=form.cleaned_data.get("note", "")
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("The follow-up of %(group)s is marked as held.") % {"group": dialogue.session.group},
        )
    return redirect(target or _profile_url(dialogue.session))
