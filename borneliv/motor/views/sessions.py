"""Sessions and the recording grid: the observer's list, a new session, the grid with its
autosave endpoint and its no-script save, adding a child, closing and reopening, one child's
assessment with the follow-up decision.

Sessions outside the user's scope answer 404 (``Session.objects.visible_to``); actions without
permission 403. Every page that shows children's assessments writes one access-log row per child
(views ``motor_session`` and ``motor_assessment``); the autosave endpoint shows nothing new and
does not log.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from borneliv.accounts.models import today
from borneliv.children.services import access_log_record
from borneliv.lib.forms import add_service_errors
from borneliv.lib.versioning import EditConflict
from borneliv.motor import engine, selectors, services
from borneliv.motor.forms import AddChildForm, FollowUpForm, SessionForm
from borneliv.motor.models import Assessment, Dialogue, Session

# --- helpers -----------------------------------------------------------------------------------


def _get_session(user: Any, public_id: UUID) -> Session:
    """The session if the user may open it; 404 otherwise, so ids outside scope reveal nothing."""
    session: Session = get_object_or_404(
        Session.objects.visible_to(user).select_related(
            "institution__municipality", "version__instrument"
        ),
        public_id=public_id,
    )
    return session


def _links_for(user: Any, session: Session, *, has_dialogue: bool | None = None) -> None:
    """Mark which of the profile and dialogue links the user may follow for ``session``.

    ``can_view_profile``; ``dialogue_link``: "see" (the profile's dialogue section, when one is
    recorded), "record" (the dialogue form, when she may record one) or "" (no link).
    """
    if has_dialogue is None:
        has_dialogue = bool(getattr(session, "has_dialogue", False))
    session.can_view_profile = user.has_perm("motor.view_profile", session)  # type: ignore[attr-defined]
    if has_dialogue and session.can_view_profile:  # type: ignore[attr-defined]
        session.dialogue_link = "see"  # type: ignore[attr-defined]
    elif user.has_perm("motor.add_dialogue", session):
        session.dialogue_link = "record"  # type: ignore[attr-defined]
    else:
        session.dialogue_link = ""  # type: ignore[attr-defined]


def _json_errors(messages_: list[str], status: int = 400) -> JsonResponse:
    return JsonResponse({"ok": False, "errors": messages_}, status=status)


# --- the observer's list -----------------------------------------------------------------------


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not user.has_perm("motor.add_session"):
        # Project leaders and researchers see aggregates only.
        if user.has_perm("motor.view_trends"):
            return redirect("motor:trends")
        raise PermissionDenied
    open_sessions, closed = selectors.sessions_for_list(user)
    for listed in (*open_sessions, *closed):
        _links_for(user, listed)
    return render(
        request,
        "motor/index.html",
        {"open_sessions": open_sessions, "closed_sessions": closed},
    )


# --- a new session -----------------------------------------------------------------------------


@login_required
def session_new(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not user.has_perm("motor.add_session"):
        raise PermissionDenied
    on = today()
    daycares = selectors.observable_daycares(user)
    groups = selectors.groups_by_daycare(daycares, on)
    versions = selectors.usable_versions()
    observers = selectors.observer_choices(daycares, on)
    initial: dict[str, Any] = {"held_on": on}
    if versions:
        initial["version"] = versions[0].pk
    if any(o.user.pk == user.pk for o in observers):
        initial["observers"] = [user.pk]
    if len(daycares) == 1:
        initial["institution"] = daycares[0].pk
    form = SessionForm(
        request.POST or None,
        initial=initial,
        daycares=daycares,
        groups=groups,
        versions=versions,
        observers=observers,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session = services.session_create(
                by=user,
                institution=data["institution"],
                group=data["group"],
                held_on=data["held_on"],
                version=data["version"],
                observers=data["observers"],
                other_observers=data["other_observers"],
                note=data["note"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied:
            form.add_error("institution", _("You cannot hold a session at this daycare."))
        else:
            messages.success(
                request,
                _("The session is open. Tap an answer in a cell to record it; it saves at once."),
            )
            return redirect("motor:session", session.public_id)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "motor/session_form.html",
        {"form": form, "daycares": daycares, "versions": versions},
        status=status,
    )


# --- the grid ----------------------------------------------------------------------------------


def _render_grid(
    request: HttpRequest,
    grid: selectors.Grid,
    *,
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    user: Any = request.user
    session = grid.session
    access_log_record(user=user, children=[r.child for r in grid.rows], view="motor_session")
    can_edit = session.is_open and user.has_perm("motor.change_session", session)
    _links_for(user, session, has_dialogue=Dialogue.objects.filter(session=session).exists())
    return render(
        request,
        "motor/session_grid.html",
        {
            "session": session,
            "grid": grid,
            "errors": errors or [],
            "can_edit": can_edit,
            "can_close": session.is_open and user.has_perm("motor.close_session", session),
            "coverage": grid.coverage,
            "can_reopen": not session.is_open and user.has_perm("motor.reopen_session", session),
            "add_form": AddChildForm(children=grid.addable) if can_edit and grid.addable else None,
            "not_assessed": services.NOT_ASSESSED,
        },
        status=status,
    )


@login_required
@require_GET
def session(request: HttpRequest, public_id: UUID) -> HttpResponse:
    user: Any = request.user
    found = _get_session(user, public_id)
    return _render_grid(request, selectors.session_grid(found))


def _summary(assessment: Assessment, public_id: str) -> dict[str, Any]:
    label, detail = selectors.summary_text(
        present=assessment.present,
        level=assessment.level,
        remarks=assessment.remarks,
        assessed=assessment.assessed_items,
    )
    return {
        "child": public_id,
        "present": assessment.present,
        "level": assessment.level if assessment.present else "",
        "level_label": label,
        "level_short": selectors.level_short(present=assessment.present, level=assessment.level),
        "detail": detail,
        "remarks": None if assessment.remarks is None else float(assessment.remarks),
        "assessed": assessment.assessed_items,
    }


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


@login_required
@require_POST
def session_cells(request: HttpRequest, public_id: UUID) -> JsonResponse:
    """The grid's autosave: one change (a cell, or a child present/absent) as JSON.

    ``{"child": <public id>, "item": <code>, "value": <answer|"not_assessed"|"">}``, or
    ``{"cells": [...]}`` for several cells at once (all or nothing), or
    ``{"child": <public id>, "present": true|false}``. Answers the children's new summaries and
    the session's progress, or 400 with the messages.
    """
    user: Any = request.user
    found = _get_session(user, public_id)
    try:
        payload = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return _json_errors([_("The change could not be read; reload the page.")])
    if not isinstance(payload, dict):
        return _json_errors([_("The change could not be read; reload the page.")])
    on_list = {
        str(public): pk
        for public, pk in Assessment.objects.filter(session=found).values_list(
            "child__public_id", "child_id"
        )
    }
    by_pk = {pk: public for public, pk in on_list.items()}
    try:
        if "present" in payload:
            child: str | None = _text(payload.get("child")) or ""
            present = payload.get("present")
            if child not in on_list:
                return _json_errors([_("The child is not on this session's list.")])
            if not isinstance(present, bool):
                return _json_errors([_("Say whether the child is present or absent.")])
            touched = [
                services.assessment_set_present(
                    by=user, session=found, child_id=on_list[child], present=present
                )
            ]
        else:
            raw = payload.get("cells", [payload])
            if not isinstance(raw, list) or not raw:
                return _json_errors([_("No change was sent.")])
            cells = []
            for entry in raw:
                child = _text(entry.get("child")) if isinstance(entry, dict) else None
                item = _text(entry.get("item")) if isinstance(entry, dict) else None
                value = _text(entry.get("value")) if isinstance(entry, dict) else None
                if child is None or item is None or value is None:
                    return _json_errors([_("Each change needs a child, an item and a value.")])
                # A child not on the list gets id 0: the service names the cell in its message.
                cells.append(services.Cell(on_list.get(child, 0), item, value))
            touched = services.scores_save(by=user, session=found, cells=cells)
    except ValidationError as exc:
        return _json_errors(exc.messages)
    except PermissionDenied:
        return _json_errors([_("You cannot change this session.")], status=403)
    scored, present_count = selectors.session_progress(found)
    covered = selectors.session_coverage(found)
    return JsonResponse(
        {
            "ok": True,
            "children": [_summary(a, str(by_pk[a.child_id])) for a in touched],
            "progress": {
                "scored": scored,
                "present": present_count,
                "summarised": covered.summarised,
            },
        }
    )


def _read_grid_form(
    data: Mapping[str, Any], grid: selectors.Grid
) -> tuple[dict[tuple[str, str], str], dict[str, bool]]:
    """The values and presence posted by the grid's form, for the rows it listed."""
    listed = set(data.getlist("row")) if hasattr(data, "getlist") else set()
    values: dict[tuple[str, str], str] = {}
    present: dict[str, bool] = {}
    for row in grid.rows:
        if row.public_id not in listed:
            continue
        present[row.public_id] = f"present-{row.public_id}" in data
        for cell in row.cells:
            name = f"c-{row.public_id}-{cell.item.code}"
            if name in data:
                values[(row.public_id, cell.item.code)] = str(data[name])
    return values, present


@login_required
@require_POST
def session_save(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The grid without script: everything posted at once, saved all or nothing."""
    user: Any = request.user
    found = _get_session(user, public_id)
    grid = selectors.session_grid(found)
    values, present = _read_grid_form(request.POST, grid)
    presence = [
        (row, present[row.public_id])
        for row in grid.rows
        if row.public_id in present and present[row.public_id] != row.present
    ]
    cells = [
        services.Cell(row.child.pk, cell.item.code, values[key])
        for row in grid.rows
        if present.get(row.public_id, row.present)
        for cell in row.cells
        if (key := (row.public_id, cell.item.code)) in values and values[key] != cell.value
    ]
    try:
        with transaction.atomic():
            # The page's version: a grid saved (by someone else's taps) since it was loaded
            # refuses the whole form rather than blanking what was saved meanwhile.
            posted = request.POST.get("lock_version", "")
            if posted.isdigit():
                services.session_claim_version(by=user, session=found, version=int(posted))
            for row, is_present in presence:
                services.assessment_set_present(
                    by=user, session=found, child_id=row.child.pk, present=is_present
                )
            if cells:
                services.scores_save(by=user, session=found, cells=cells)
    except EditConflict as exc:
        # Their version is what the grid shows now: re-read it, and say what happened.
        found.refresh_from_db()
        return _render_grid(
            request,
            selectors.session_grid(found),
            errors=[
                *exc.messages,
                _("The grid below shows the saved answers; enter your changes again."),
            ],
            status=409,
        )
    except ValidationError as exc:
        grid.apply(values, present)
        return _render_grid(request, grid, errors=exc.messages, status=400)
    if presence or cells:
        messages.success(request, _("Saved."))
    else:
        messages.info(request, _("Nothing had changed."))
    return redirect("motor:session", found.public_id)


@login_required
@require_POST
def session_add_child(request: HttpRequest, public_id: UUID) -> HttpResponse:
    user: Any = request.user
    found = _get_session(user, public_id)
    if not user.has_perm("motor.change_session", found):
        raise PermissionDenied
    grid = selectors.session_grid(found)
    form = AddChildForm(request.POST, children=grid.addable)
    if not form.is_valid():
        messages.error(request, _("Choose a child of the group who is not on the list."))
        return redirect("motor:session", found.public_id)
    child = next(c for c in grid.addable if str(c.public_id) == form.cleaned_data["child"])
    try:
        services.session_add_child(by=user, session=found, child=child)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("%(name)s is on the list now.") % {"name": selectors.short_name(child)}
        )
    return redirect("motor:session", found.public_id)


@login_required
@require_POST
def session_close(request: HttpRequest, public_id: UUID) -> HttpResponse:
    user: Any = request.user
    found = _get_session(user, public_id)
    if not user.has_perm("motor.close_session", found):
        if not found.is_open:
            messages.info(request, _("The session was already closed."))
            return redirect("motor:session", found.public_id)
        raise PermissionDenied
    accept = request.POST.get("accept_few_observations") == "1"
    try:
        services.session_close(by=user, session=found, accept_few_observations=accept)
    except ValidationError as exc:
        if exc.error_list[0].code == services.FEW_OBSERVATIONS:
            # Too few children have a summary for the profile to give advice: ask first.
            return render(
                request,
                "motor/session_close_confirm.html",
                {
                    "session": found,
                    "coverage": services.session_coverage(found),
                    "min_children": engine.MIN_CHILDREN,
                    "min_percent": engine.MIN_SUMMARISED_PERCENT,
                },
            )
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The session is closed. Its scores are now a record."))
    return redirect("motor:session", found.public_id)


@login_required
@require_POST
def session_reopen(request: HttpRequest, public_id: UUID) -> HttpResponse:
    user: Any = request.user
    found = _get_session(user, public_id)
    try:
        services.session_reopen(by=user, session=found)  # PermissionDenied: 403
    except ValidationError as exc:
        for message in exc.messages:
            messages.info(request, message)
    else:
        messages.success(request, _("The session is open again for changes."))
    return redirect("motor:session", found.public_id)


# --- one child's assessment --------------------------------------------------------------------


@login_required
def assessment(request: HttpRequest, public_id: UUID, child_id: UUID) -> HttpResponse:
    user: Any = request.user
    found: Assessment = get_object_or_404(
        Assessment.objects.visible_to(user).select_related(
            "child",
            "follow_up_by",
            "session__institution__municipality",
            "session__version__instrument",
        ),
        session__public_id=public_id,
        child__public_id=child_id,
    )
    can_decide = user.has_perm("motor.decide_follow_up", found.session)
    form = FollowUpForm(
        request.POST or None,
        initial={"follow_up": found.follow_up, "follow_up_note": found.follow_up_note},
        record=found,
    )
    status = 200
    if request.method == "POST":
        if not can_decide:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.follow_up_decide(
                    by=user,
                    assessment=found,
                    follow_up=form.cleaned_data["follow_up"],
                    note=form.cleaned_data["follow_up_note"],
                    version=form.version,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The follow-up decision is saved."))
                return redirect("motor:assessment", public_id, child_id)
        status = 400
    detail = selectors.assessment_detail(user, found)
    access_log_record(user=user, children=found.child, view="motor_assessment")
    return render(
        request,
        "motor/assessment.html",
        {
            "assessment": found,
            "session": found.session,
            "child": found.child,
            "detail": detail,
            "form": form,
            "can_decide": can_decide,
        },
        status=status,
    )
