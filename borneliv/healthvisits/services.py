"""Writes for health visiting: recording and changing contacts, skipping a stage.

Keyword-only, one transaction each, ``full_clean()`` before saving. A ``ValidationError`` carries
a message for the user (keyed by form field where one fits) and nothing is saved.

Changing a contact uses optimistic locking (``lib.versioning``, the project's one mechanism):
the caller passes the ``version`` it showed the user, and the change is written only while the
stored ``lock_version`` is still that one (a conditional ``UPDATE``, which also takes the row
lock on PostgreSQL and the write lock on SQLite, so two simultaneous saves cannot both pass).
Otherwise ``EditConflict`` tells who was faster and when, with their version, and nothing is
overwritten.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from borneliv.accounts.models import today
from borneliv.children.models import Child, Residence
from borneliv.growth import services as growth_services
from borneliv.growth.models import Context
from borneliv.healthvisits import selectors
from borneliv.healthvisits.models import Contact, Outcome, Stage, StageSkip, Topic
from borneliv.healthvisits.schedule import (
    REASON_NOT_PROGRAMME_AREA,
    REASON_NOT_VULNERABLE,
    REASON_PROGRAMME_NOT_STARTED,
    Status,
)
from borneliv.lib.versioning import claim_version
from borneliv.organisations.models import Institution

# A stage in one of these statuses is not on offer for the child (see the engine's rules).
_NOT_APPLICABLE = {Status.NOT_ELIGIBLE, Status.WAITING}


def _check_date(child: Child, on: dt.date, field: str) -> None:
    if on > today():
        raise ValidationError({field: _("The date cannot be in the future.")})
    if on < child.birth_date:
        raise ValidationError({field: _("The date cannot be before the child was born.")})


def _municipality_ids_of(child: Child, on: dt.date) -> set[int]:
    """The municipalities the child lived in on ``on``; the latest residence if none covers it."""
    residences = list(
        Residence.objects.filter(child=child)
        .order_by("-valid_from")
        .values_list("valid_from", "valid_to", "area__municipality_id")
    )
    covering = {
        municipality
        for start, end, municipality in residences
        if start <= on and (end is None or end >= on)
    }
    if covering or not residences:
        return covering
    return {residences[0][2]}


def _check_unit(child: Child, unit: Institution, on: dt.date) -> None:
    if unit.kind != Institution.Kind.HEALTH_VISITING:
        raise ValidationError({"unit": _("Contacts are recorded by a health-visiting unit.")})
    if unit.municipality_id not in _municipality_ids_of(child, on):
        raise ValidationError(
            {
                "unit": _(
                    "%(unit)s does not serve the municipality the child lived in on that date."
                )
                % {"unit": unit.name}
            }
        )


def not_offered_message(stage: Stage, reason: str) -> str:
    """Why a stage is not offered to a child, in words a health visitor can act on."""
    if reason == REASON_NOT_PROGRAMME_AREA:
        text = _(
            "“%(stage)s” is part of Børneliv i sund balance and is offered only to children who "
            "live in a programme area during its window; this child does not (a comparison area, "
            "or no residence recorded). Record the contact without a stage, or correct the "
            "child's residence if it is wrong."
        )
    elif reason == REASON_PROGRAMME_NOT_STARTED:
        text = _(
            "“%(stage)s” is part of Børneliv i sund balance, and the programme had not started "
            "in the child's area during its window. Record the contact without a stage."
        )
    elif reason == REASON_NOT_VULNERABLE:
        text = _(
            "“%(stage)s” is not offered to this child: it is for vulnerable families, and "
            "the family is not marked vulnerable. Record the contact without a stage, or "
            "mark the family first."
        )
    else:
        text = _("“%(stage)s” follows another stage that was not completed.")
    return text % {"stage": stage.name}


def _schedule_line(child: Child, stage: Stage) -> selectors.ScheduleLine:
    if not stage.is_active:
        raise ValidationError({"stage": _("This stage is no longer part of the schedule.")})
    line = next((x for x in selectors.schedule_for(child, today()) if x.stage.pk == stage.pk), None)
    if line is None:
        raise ValidationError({"stage": _("This stage is no longer part of the schedule.")})
    return line


def _check_stage_applies(child: Child, stage: Stage) -> selectors.ScheduleLine:
    line = _schedule_line(child, stage)
    if line.status.status is Status.WAITING:
        raise ValidationError(
            {
                "stage": _("“%(stage)s” follows another stage that has not been completed yet.")
                % {"stage": stage.name}
            }
        )
    if line.status.status is Status.NOT_ELIGIBLE:
        raise ValidationError({"stage": not_offered_message(stage, line.status.reason)})
    return line


def _check_next_contact(
    child: Child, stage: Stage | None, contact_date: dt.date, next_on: dt.date | None
) -> None:
    """A next contact is planned only in a series, after this contact, within the window."""
    if next_on is None:
        return
    if stage is None or not stage.is_series:
        raise ValidationError(
            {"next_contact_on": _("A next contact is planned only for a series of contacts.")}
        )
    if next_on <= contact_date:
        raise ValidationError(
            {"next_contact_on": _("The next contact must be planned after this one.")}
        )
    window_end = _schedule_line(child, stage).status.window_end
    if window_end is not None and next_on > window_end:
        raise ValidationError(
            {
                "next_contact_on": _(
                    "The series ends on %(date)s; plan the next contact before that, or leave "
                    "the field empty if the series is finished."
                )
                % {"date": window_end.strftime("%d.%m.%Y")}
            }
        )


def _check_not_completed(child: Child, stage: Stage, *, exclude: Contact | None = None) -> None:
    if stage.is_series:
        return  # as many completed contacts as needed
    done = Contact.objects.filter(child=child, stage=stage, outcome=Outcome.COMPLETED)
    if exclude is not None:
        done = done.exclude(pk=exclude.pk)
    first = done.order_by("contact_date").first()
    if first is not None:
        raise ValidationError(
            {
                "stage": _(
                    "“%(stage)s” was completed on %(date)s already. Record this contact without "
                    "a stage, or change the earlier contact."
                )
                % {"stage": stage.name, "date": first.contact_date.strftime("%d.%m.%Y")}
            }
        )


def _check_topics(topics: Iterable[Topic], *, allowed_inactive: Iterable[int] = ()) -> list[Topic]:
    chosen = list(topics)
    keep = set(allowed_inactive)
    retired = [t.name for t in chosen if not t.is_active and t.pk not in keep]
    if retired:
        raise ValidationError(
            {
                "topics": _("No longer in the catalogue: %(topics)s.")
                % {"topics": ", ".join(retired)}
            }
        )
    return chosen


def _lock_child(child: Child) -> None:
    # Serialises writes about one child, so two "completed" contacts cannot slip in side by side.
    Child.objects.select_for_update().filter(pk=child.pk).first()


def _validate_contact(
    *,
    child: Child,
    unit: Institution,
    contact_date: dt.date,
    outcome: str,
    stage: Stage | None,
    next_contact_on: dt.date | None = None,
    existing: Contact | None = None,
) -> None:
    _check_date(child, contact_date, "contact_date")
    _check_unit(child, unit, contact_date)
    if stage is not None:
        previous_stage = existing.stage_id if existing is not None else None
        if previous_stage != stage.pk:
            _check_stage_applies(child, stage)
        if outcome == Outcome.COMPLETED:
            _check_not_completed(child, stage, exclude=existing)
    if outcome == Outcome.DECLINED and next_contact_on is not None:
        raise ValidationError(
            {"next_contact_on": _("A declined contact ends the series: plan no next contact.")}
        )
    _check_next_contact(child, stage, contact_date, next_contact_on)


@dataclass(frozen=True)
class VisitMeasurement:
    """Weight and length (or height) measured on a visit; recorded with the contact."""

    weight_kg: Decimal | None = None
    height_cm: Decimal | None = None
    position: str = ""

    @property
    def empty(self) -> bool:
        return self.weight_kg is None and self.height_cm is None


def _record_measurement(
    *, child: Child, contact: Contact, measurement: VisitMeasurement | None, by: Any
) -> None:
    """The visit's measurement through growth's own service, in the contact's transaction."""
    if measurement is None or measurement.empty:
        return
    if contact.outcome != Outcome.COMPLETED:
        raise ValidationError(
            {"weight_kg": _("A measurement is recorded only on a contact that took place.")}
        )
    try:
        growth_services.measurement_record(
            child=child,
            measured_on=contact.contact_date,
            context=Context.HEALTH_VISIT,
            weight_kg=measurement.weight_kg,
            height_cm=measurement.height_cm,
            position=measurement.position,
            institution=contact.unit,
            measured_by=by,
        )
    except ValidationError as error:
        # growth names its fields after the measurement; the form's date field is contact_date.
        if hasattr(error, "error_dict") and "measured_on" in error.error_dict:
            raise ValidationError({"contact_date": error.error_dict["measured_on"]}) from error
        if not hasattr(error, "error_dict"):
            raise ValidationError({"weight_kg": error.messages}) from error
        raise


@transaction.atomic
def contact_record(
    *,
    child: Child,
    unit: Institution,
    by: Any,
    contact_date: dt.date,
    mode: str,
    outcome: str,
    stage: Stage | None = None,
    topics: Iterable[Topic] = (),
    note: str = "",
    next_contact_on: dt.date | None = None,
    measurement: VisitMeasurement | None = None,
) -> Contact:
    """Record a contact with a child's family (and what was measured on it, if anything)."""
    _lock_child(child)
    _validate_contact(
        child=child,
        unit=unit,
        contact_date=contact_date,
        outcome=outcome,
        stage=stage,
        next_contact_on=next_contact_on,
    )
    chosen = _check_topics(topics)
    now = timezone.now()
    contact = Contact(
        child=child,
        stage=stage,
        contact_date=contact_date,
        mode=mode,
        outcome=outcome,
        unit=unit,
        recorded_by=by,
        note=note.strip(),
        next_contact_on=next_contact_on,
        created_at=now,
        updated_at=now,
    )
    contact.full_clean()
    contact._history_user = by  # type: ignore[attr-defined]
    contact.save()
    if chosen:
        contact.topics.set(chosen)
    _record_measurement(child=child, contact=contact, measurement=measurement, by=by)
    return contact


@transaction.atomic
def contact_update(
    *,
    contact: Contact,
    version: int | None,
    by: Any,
    contact_date: dt.date,
    mode: str,
    outcome: str,
    stage: Stage | None = None,
    topics: Iterable[Topic] = (),
    note: str = "",
    next_contact_on: dt.date | None = None,
) -> Contact:
    """Change a contact if nobody else changed it since ``version`` was read; else refuse."""
    # Claim the next version first: the conditional UPDATE is the lock. Any later failure rolls
    # the claim back with the transaction.
    claim_version(contact, version)
    fresh = Contact.objects.select_related("child", "unit", "stage").get(pk=contact.pk)
    fresh.updated_at = timezone.now()
    previous_topics = set(fresh.topics.values_list("pk", flat=True))
    _lock_child(fresh.child)
    _validate_contact(
        child=fresh.child,
        unit=fresh.unit,
        contact_date=contact_date,
        outcome=outcome,
        stage=stage,
        next_contact_on=next_contact_on,
        existing=fresh,
    )
    chosen = _check_topics(topics, allowed_inactive=previous_topics)
    fresh.contact_date = contact_date
    fresh.mode = mode
    fresh.outcome = outcome
    fresh.stage = stage
    fresh.note = note.strip()
    fresh.next_contact_on = next_contact_on
    fresh.full_clean()
    # Topics first without a history row of their own, then one row for the whole change.
    fresh.skip_history_when_saving = True  # type: ignore[attr-defined]
    try:
        fresh.topics.set(chosen)
    finally:
        del fresh.skip_history_when_saving  # type: ignore[attr-defined]
    fresh._history_user = by  # type: ignore[attr-defined]
    fresh.save()
    return fresh


@transaction.atomic
def stage_skip(
    *,
    child: Child,
    stage: Stage,
    reason: str,
    explanation: str,
    by: Any,
    on: dt.date,
) -> StageSkip:
    """Mark a stage as deliberately not offered to a child; a reason is required."""
    _lock_child(child)
    explanation = explanation.strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason for skipping the stage.")})
    if reason == StageSkip.Reason.OTHER and not explanation:
        raise ValidationError({"explanation": _("Explain the reason when it is “other”.")})
    _check_date(child, on, "skipped_on")
    if StageSkip.objects.filter(child=child, stage=stage).exists():
        raise ValidationError(
            {"stage": _("“%(stage)s” is marked as skipped already.") % {"stage": stage.name}}
        )
    if Contact.objects.filter(Q(child=child, stage=stage, outcome=Outcome.COMPLETED)).exists():
        raise ValidationError(
            {
                "stage": _("“%(stage)s” has been completed; it cannot be skipped.")
                % {"stage": stage.name}
            }
        )
    _check_stage_applies(child, stage)
    skip = StageSkip(
        child=child,
        stage=stage,
        reason=reason,
        explanation=explanation,
        skipped_on=on,
        skipped_by=by,
    )
    skip.full_clean()
    skip._history_user = by  # type: ignore[attr-defined]
    skip.save()
    return skip
