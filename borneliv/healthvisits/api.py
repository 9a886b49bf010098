"""API endpoints of health visiting (registered in borneliv/api.py): schedule and contacts.

Children are addressed by their random ``public_id``; a child outside the caller's scope answers
404. Every read writes one access-log row (views ``api_schedule`` and ``api_contacts``). Recording
a contact runs the same service, and the same validation, as the page.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja import Status as Reply

from borneliv.accounts.actors import request_user
from borneliv.accounts.models import today
from borneliv.children.access import child_for
from borneliv.children.services import access_log_record
from borneliv.healthvisits import selectors, services
from borneliv.healthvisits.access import recording_unit
from borneliv.healthvisits.models import Contact, ContactMode, Outcome, Stage, Topic

router = Router(tags=["health visiting"])


class StageStatusOut(Schema):
    code: str = Field(description="The stage's code, e.g. enhanced_visit_4_6m")
    name: str
    is_programme: bool = Field(description="Part of Børneliv i sund balance")
    klchildren_code: str = Field(description="KLChildren encounter type, where one exists")
    status: str = Field(
        description=(
            "upcoming, due, window_closing, overdue, expired, completed, skipped, declined, "
            "not_eligible, waiting or ongoing (a series whose next contact is planned)"
        )
    )
    window_start: dt.date | None
    window_end: dt.date | None
    expires_on: dt.date | None
    done_on: dt.date | None
    within_window: bool | None
    attempts: int = Field(description="Contacts for the stage that did not reach the family")
    reason: str = Field(
        description=(
            "Why a stage is skipped, declined, waiting or not offered (not_vulnerable, "
            "not_programme_area, programme_not_started, prerequisite_not_completed)"
        )
    )
    is_series: bool = Field(description="As many contacts as needed, each planning the next")
    planned: dt.date | None = Field(description="The next contact planned (a series)")
    calls: int = Field(description="Completed contacts for the stage")


class ScheduleOut(Schema):
    child: uuid.UUID
    birth_date: dt.date
    today: dt.date
    stages: list[StageStatusOut]


class ContactOut(Schema):
    id: uuid.UUID = Field(description="The contact's public id")
    contact_date: dt.date
    mode: str
    stage: str | None = Field(description="Stage code; null for a contact outside the schedule")
    outcome: str
    topics: list[str] = Field(description="Topic codes")
    note: str
    unit_id: int
    recorded_by: str | None = Field(description="Username of the health visitor")
    version: int = Field(description="Increases with every change (optimistic locking)")
    next_contact_on: dt.date | None = Field(description="The next contact planned (a series)")


class ContactIn(Schema):
    contact_date: dt.date
    mode: ContactMode
    outcome: Outcome
    stage: str | None = Field(None, description="Stage code, or null")
    topics: list[str] = Field(default_factory=list, description="Topic codes")
    note: str = ""
    next_contact_on: dt.date | None = Field(
        None, description="For a series (breastfeeding counselling): the next call planned"
    )


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] = Field(default_factory=dict)


def _contact_out(contact: Contact) -> dict[str, Any]:
    return {
        "id": contact.public_id,
        "contact_date": contact.contact_date,
        "mode": contact.mode,
        "stage": contact.stage.code if contact.stage else None,
        "outcome": contact.outcome,
        "topics": [t.code for t in contact.topics.all()],
        "note": contact.note,
        "unit_id": contact.unit_id,
        "recorded_by": contact.recorded_by.username if contact.recorded_by else None,
        "version": contact.lock_version,
        "next_contact_on": contact.next_contact_on,
    }


@router.get("/children/{public_id}/schedule", response=ScheduleOut)
def child_schedule(request: HttpRequest, public_id: uuid.UUID) -> Any:
    """The child's health-visiting schedule today: each stage's status and window."""
    child = child_for(request_user(request), public_id)
    on = today()
    lines = selectors.schedule_for(child, on)
    access_log_record(user=request_user(request), children=child, view="api_schedule")
    return {
        "child": child.public_id,
        "birth_date": child.birth_date,
        "today": on,
        "stages": [
            {
                "code": line.stage.code,
                "name": line.stage.name,
                "is_programme": line.stage.is_programme,
                "klchildren_code": line.stage.klchildren_code,
                "status": line.status.status.value,
                "window_start": line.status.window_start,
                "window_end": line.status.window_end,
                "expires_on": line.status.expires_on,
                "done_on": line.status.done_on,
                "within_window": line.status.within_window,
                "attempts": line.status.attempts,
                "reason": line.status.reason,
                "is_series": line.stage.is_series,
                "planned": line.status.planned,
                "calls": line.status.calls,
            }
            for line in lines
        ],
    }


@router.get("/children/{public_id}/contacts", response=list[ContactOut])
def child_contacts(request: HttpRequest, public_id: uuid.UUID) -> Any:
    """The child's contacts, newest first."""
    child = child_for(request_user(request), public_id)
    contacts = list(
        Contact.objects.filter(child=child)
        .select_related("stage", "recorded_by")
        .prefetch_related("topics")
    )
    access_log_record(user=request_user(request), children=child, view="api_contacts")
    return [_contact_out(c) for c in contacts]


@router.post(
    "/children/{public_id}/contacts",
    response={201: ContactOut, 403: ErrorOut, 422: ErrorOut},
)
def child_contact_create(request: HttpRequest, public_id: uuid.UUID, payload: ContactIn) -> Any:
    """Record a contact (health visitors of the child's municipality)."""
    user = request_user(request)
    child = child_for(user, public_id)
    if not user.has_perm("healthvisits.add_contact", child):
        return Reply(403, {"detail": "You may not record contacts for this child."})
    try:
        unit = recording_unit(user, child)
    except PermissionDenied as exc:
        return Reply(403, {"detail": str(exc)})
    errors: dict[str, list[str]] = {}
    stage = None
    if payload.stage:
        stage = Stage.objects.filter(code=payload.stage).first()
        if stage is None:
            errors["stage"] = [_("Unknown stage: %(code)s.") % {"code": payload.stage}]
    topics = list(Topic.objects.filter(code__in=payload.topics))
    unknown = sorted(set(payload.topics) - {t.code for t in topics})
    if unknown:
        errors["topics"] = [_("Unknown topics: %(codes)s.") % {"codes": ", ".join(unknown)}]
    if errors:
        return Reply(422, {"detail": _("The contact was not recorded."), "errors": errors})
    try:
        contact = services.contact_record(
            child=child,
            unit=unit,
            by=user,
            contact_date=payload.contact_date,
            mode=payload.mode.value,
            outcome=payload.outcome.value,
            stage=stage,
            topics=topics,
            note=payload.note,
            next_contact_on=payload.next_contact_on,
        )
    except ValidationError as exc:
        return Reply(422, {"detail": _("The contact was not recorded."), "errors": _messages(exc)})
    return Reply(201, _contact_out(contact))


def _messages(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {
            field: [str(m) for m in ValidationError(errors).messages]
            for field, errors in exc.error_dict.items()
        }
    return {"__all__": [str(m) for m in exc.messages]}
