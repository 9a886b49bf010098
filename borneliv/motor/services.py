"""Writes for the motor assessment: sessions, scores, presence, closing, follow-up.

Keyword-only, one transaction each. A ``ValidationError`` carries a message for the user and
nothing is saved: a batch of cells is all or nothing. Every write checks the permission itself
(``rules``), so a view, the API or a script cannot bypass it.

Rules enforced here (and where possible by database constraints too):
- a session is held at a daycare, on a day not in the future, with a published instrument version;
- its children are those enrolled in the group on that day (and of the version's ages when the
  list is taken from the enrolments); a child not enrolled there is refused;
- a score is a value of the item's own scale or "not assessed"; an absent child has no scores;
- a closed session cannot be edited (an administrator may reopen it);
- the dialogue, the follow-up decision and the grid's form without script carry the version they
  showed and refuse to overwrite a newer one (``lib.versioning``); every grid write takes the
  session's next version, so a stale whole-grid form cannot blank cells saved since; closing and
  reopening are checked under the row lock and refused when someone else did it first;
- the summary (``engine.summarise``) is recomputed whenever a child's scores change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from borneliv.accounts.models import today
from borneliv.children.models import Child, Enrolment
from borneliv.lib.versioning import (
    EditConflict,
    StateChanged,
    changed_by,
    changed_by_history,
    claim_version,
)
from borneliv.motor import engine
from borneliv.motor.models import (
    Assessment,
    Choice,
    Dialogue,
    InstrumentVersion,
    Item,
    Level,
    Score,
    Session,
)
from borneliv.organisations.models import Institution

#: A cell's value meaning "observed, but this item was not assessed for the child".
NOT_ASSESSED = "not_assessed"


def _require(user: Any, perm: str, obj: Any = None) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied


def months_between(born: dt.date, on: dt.date) -> int:
    """Completed months of age on ``on``."""
    months = (on.year - born.year) * 12 + (on.month - born.month)
    if on.day < born.day:
        months -= 1
    return months


def enrolled_children(
    institution: Institution, group: str, on: dt.date, *, version: InstrumentVersion | None = None
) -> list[Child]:
    """Children enrolled in the group on ``on``; of the version's ages when one is given."""
    enrolments = Enrolment.objects.valid_on(on).filter(institution=institution, group=group)
    children = list(
        Child.objects.filter(pk__in=enrolments.values("child_id")).order_by(
            "first_name", "last_name", "pk"
        )
    )
    if version is None:
        return children
    return [
        c
        for c in children
        if version.age_min_months <= months_between(c.birth_date, on) <= version.age_max_months
    ]


def _check_session_fields(
    *, institution: Institution, group: str, held_on: dt.date, version: InstrumentVersion
) -> None:
    errors: dict[str, str] = {}
    if institution.kind != Institution.Kind.DAYCARE:
        errors["institution"] = _("A motor assessment session is held in a daycare.")
    if not group.strip():
        errors["group"] = _("Name the group.")
    if held_on > today():
        errors["held_on"] = _("The session date cannot be in the future.")
    if version.status != InstrumentVersion.Status.PUBLISHED:
        errors["version"] = _("Only a published instrument version can be used.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def session_create(
    *,
    by: Any,
    institution: Institution,
    group: str,
    held_on: dt.date,
    version: InstrumentVersion,
    observers: Iterable[Any] = (),
    other_observers: str = "",
    note: str = "",
    children: Sequence[Child] | None = None,
) -> Session:
    """Open a session for a daycare group; its children come from the group's enrolments.

    ``children`` may narrow the list (each must be enrolled in the group on the day); by default
    every child of the group within the version's ages is on it.
    """
    group = group.strip()
    _check_session_fields(institution=institution, group=group, held_on=held_on, version=version)
    probe = Session(institution=institution, group=group, held_on=held_on, version=version)
    _require(by, "motor.add_session")
    _require(by, "motor.view_session", probe)
    if children is None:
        chosen = enrolled_children(institution, group, held_on, version=version)
    else:
        enrolled = {c.pk for c in enrolled_children(institution, group, held_on)}
        strangers = [c for c in children if c.pk not in enrolled]
        if strangers:
            raise ValidationError(
                {
                    "children": _(
                        "%(count)s of the children are not enrolled in %(group)s on %(date)s."
                    )
                    % {
                        "count": len(strangers),
                        "group": group,
                        "date": formats.date_format(held_on, "SHORT_DATE_FORMAT"),
                    }
                }
            )
        chosen = list(dict.fromkeys(children))
    if not chosen:
        raise ValidationError(
            {
                "group": _(
                    "No children of the instrument's ages are enrolled in %(group)s on that day."
                )
                % {"group": group}
            }
        )
    session = Session(
        institution=institution,
        group=group,
        held_on=held_on,
        version=version,
        other_observers=other_observers.strip(),
        note=note,
        created_by=by,
    )
    session.full_clean()
    session.save()
    session.observers.set(list(observers) or [by])
    Assessment.objects.bulk_create([Assessment(session=session, child=c) for c in chosen])
    return session


@dataclass(frozen=True)
class Cell:
    """One cell of the grid: a child (by pk), an item (by code) and a value.

    ``value`` is a choice value of the item's scale, ``NOT_ASSESSED``, or "" to clear the cell.
    """

    child_id: int
    item_code: str
    value: str


def _locked_open(
    session: Session, by: Any, perm: str = "motor.change_session", *, version: int | None = None
) -> Session:
    """The session re-read under a row lock, so a concurrent close cannot slip in between.

    Takes the session's next version (``version``: the one the caller's form showed, checked).
    """
    fresh = Session.objects.select_for_update().select_related("institution").get(pk=session.pk)
    if not fresh.is_open:
        raise StateChanged(_("This session is closed; it can no longer be changed."))
    _require(by, perm, fresh)
    claim_version(fresh, version)
    return fresh


@transaction.atomic
def session_claim_version(*, by: Any, session: Session, version: int) -> Session:
    """Refuse a whole-grid save from a page older than the session's last change.

    The ``EditConflict`` names who saved a cell last (the scores' history), not the session's.
    """
    try:
        return _locked_open(session, by, version=version)
    except EditConflict as conflict:
        latest = (
            Score.history.filter(
                assessment_id__in=Assessment.objects.filter(session=session).values("pk")
            )
            .select_related("history_user")
            .order_by("-history_date")
            .first()
        )
        if latest is not None:
            conflict = EditConflict(conflict.current, change=changed_by_history(latest))
        raise conflict from None


def _scales(version: InstrumentVersion) -> tuple[dict[str, Item], dict[str, dict[str, Decimal]]]:
    items = {i.code: i for i in Item.objects.filter(version=version)}
    scales: dict[str, dict[str, Decimal]] = {}
    for choice in Choice.objects.filter(version=version):
        scales.setdefault(choice.list_name, {})[choice.value] = choice.remark_weight
    return items, scales


def _rule(version: InstrumentVersion) -> engine.Rule:
    return engine.Rule(
        few_signs_from=version.few_signs_from,
        challenges_from=version.challenges_from,
        min_assessed=version.min_assessed,
    )


def _resummarise(assessments: Iterable[Assessment], version: InstrumentVersion) -> None:
    items, scales = _scales(version)
    rule = _rule(version)
    items_by_pk = {i.pk: i for i in items.values()}
    by_pk = {a.pk: a for a in assessments}
    weights: dict[int, list[Decimal | None]] = {pk: [] for pk in by_pk}
    for assessment_id, item_id, value in Score.objects.filter(
        assessment_id__in=list(by_pk)
    ).values_list("assessment_id", "item_id", "value"):
        item = items_by_pk.get(item_id)
        if item is None or item.is_observation:
            continue
        weights[assessment_id].append(scales[item.list_name][value] if value else None)
    for pk, assessment in by_pk.items():
        if not assessment.present:
            assessment.remarks, assessment.assessed_items, assessment.level = None, 0, ""
        else:
            summary = engine.summarise(weights[pk], rule)
            assessment.remarks = summary.remarks
            assessment.assessed_items = summary.assessed
            assessment.level = summary.level if weights[pk] else ""
        assessment.save(update_fields=["remarks", "assessed_items", "level", "updated_at"])


@transaction.atomic
def scores_save(*, by: Any, session: Session, cells: Sequence[Cell]) -> list[Assessment]:
    """Save a batch of grid cells, all or nothing; returns the children's updated assessments."""
    session = _locked_open(session, by)
    items, scales = _scales(session.version)
    assessments = {
        a.child_id: a for a in Assessment.objects.filter(session=session).select_related("child")
    }
    errors: list[str] = []
    for n, cell in enumerate(cells, start=1):
        assessment = assessments.get(cell.child_id)
        item = items.get(cell.item_code)
        if assessment is None:
            errors.append(_("Cell %(n)s: the child is not on this session's list.") % {"n": n})
        elif item is None:
            errors.append(
                _("Cell %(n)s: %(item)s is not an item of this instrument version.")
                % {"n": n, "item": cell.item_code}
            )
        elif not assessment.present and cell.value:
            errors.append(
                _("Cell %(n)s: %(child)s is marked absent, so has no scores.")
                % {"n": n, "child": assessment.child.first_name}
            )
        elif cell.value and cell.value != NOT_ASSESSED and cell.value not in scales[item.list_name]:
            errors.append(
                _("Cell %(n)s: %(value)s is not an answer of the item %(item)s.")
                % {"n": n, "value": cell.value, "item": item.label}
            )
    if errors:
        raise ValidationError(errors)
    touched: dict[int, Assessment] = {}
    for cell in cells:
        assessment = assessments[cell.child_id]
        item = items[cell.item_code]
        if not cell.value:
            Score.objects.filter(assessment=assessment, item=item).delete()
        else:
            not_assessed = cell.value == NOT_ASSESSED
            Score.objects.update_or_create(
                assessment=assessment,
                item=item,
                defaults={
                    "value": "" if not_assessed else cell.value,
                    "not_assessed": not_assessed,
                },
            )
        touched[assessment.pk] = assessment
    _resummarise(touched.values(), session.version)
    return list(touched.values())


@transaction.atomic
def assessment_set_present(
    *, by: Any, session: Session, child_id: int, present: bool
) -> Assessment:
    """Mark a child present or absent; an absent child's scores are removed (none is a score)."""
    session = _locked_open(session, by)
    assessment = Assessment.objects.filter(session=session, child_id=child_id).first()
    if assessment is None:
        raise ValidationError(_("The child is not on this session's list."))
    if assessment.present == present:
        return assessment
    assessment.present = present
    if not present:
        assessment.scores.all().delete()
        # An absent child has no summary (a database constraint): clear it in the same save.
        assessment.remarks, assessment.assessed_items, assessment.level = None, 0, ""
    assessment.save(update_fields=["present", "remarks", "assessed_items", "level", "updated_at"])
    _resummarise([assessment], session.version)
    return assessment


@transaction.atomic
def session_add_child(*, by: Any, session: Session, child: Child) -> Assessment:
    """Add a child of the group who was not on the list (e.g. enrolled since, or of other age)."""
    session = _locked_open(session, by)
    enrolled = Enrolment.objects.valid_on(session.held_on).filter(
        child=child, institution_id=session.institution_id, group=session.group
    )
    if not enrolled.exists():
        raise ValidationError(
            _("The child is not enrolled in %(group)s on %(date)s.")
            % {
                "group": session.group,
                "date": formats.date_format(session.held_on, "SHORT_DATE_FORMAT"),
            }
        )
    assessment, _created = Assessment.objects.get_or_create(session=session, child=child)
    return assessment


#: The ``code`` of the ValidationError when a session with too few observations is closed
#: without ``accept_few_observations``; its ``params`` carry ``summarised`` and ``present``.
FEW_OBSERVATIONS = "few_observations"


def session_coverage(session: Session) -> engine.Coverage:
    """Children present, and those of them with a summary in one of KL's levels. One query."""
    counts = Assessment.objects.filter(session=session, present=True).aggregate(
        present=Count("pk"), summarised=Count("pk", filter=Q(level__in=engine.LEVELS))
    )
    return engine.Coverage(present=counts["present"], summarised=counts["summarised"])


@transaction.atomic
def session_close(*, by: Any, session: Session, accept_few_observations: bool = False) -> Session:
    """Close a session: from now on its scores are a record, not a draft.

    When too few children have a summary for the group profile to give advice
    (``engine.Coverage.enough``), closing is refused with code ``FEW_OBSERVATIONS`` unless the
    caller passes ``accept_few_observations`` (the user confirmed it). Checked under the lock.
    """
    session = _locked_open(session, by, "motor.close_session")
    covered = session_coverage(session)
    if not covered.enough and not accept_few_observations:
        raise ValidationError(
            _(
                "Only %(summarised)s of %(present)s children present have enough observations "
                "to get a summary."
            ),
            code=FEW_OBSERVATIONS,
            params={"summarised": covered.summarised, "present": covered.present},
        )
    session.status = Session.Status.CLOSED
    session.closed_at = timezone.now()
    session.closed_by = by
    session.full_clean()
    session._history_user = by  # type: ignore[attr-defined]
    session.save(update_fields=["status", "closed_at", "closed_by", "lock_version"])
    return session


@transaction.atomic
def session_reopen(*, by: Any, session: Session) -> Session:
    _require(by, "motor.reopen_session", session)
    session = Session.objects.select_for_update().get(pk=session.pk)
    if session.is_open:
        raise StateChanged(
            _("The session is open already. %(change)s") % {"change": changed_by(session).headline}
        )
    claim_version(session, None)
    session.status = Session.Status.OPEN
    session.closed_at = None
    session.closed_by = None
    session._history_user = by  # type: ignore[attr-defined]
    session.save(update_fields=["status", "closed_at", "closed_by", "lock_version"])
    return session


@transaction.atomic
def follow_up_decide(
    *,
    by: Any,
    assessment: Assessment,
    follow_up: bool,
    note: str = "",
    version: int | None = None,
) -> Assessment:
    """The health visitor's decision to talk with the parents / follow up, with a note.

    Allowed on a closed session too: the decision often comes after the observation.
    """
    assessment = (
        Assessment.objects.select_for_update()
        .select_related("session__institution")
        .get(pk=assessment.pk)
    )
    _require(by, "motor.decide_follow_up", assessment.session)
    claim_version(assessment, version)
    if follow_up and not assessment.present:
        raise ValidationError(_("An absent child was not observed; record a follow-up later."))
    assessment.follow_up = follow_up
    assessment.follow_up_note = note.strip()
    assessment.follow_up_by = by
    assessment.save(update_fields=["follow_up", "follow_up_note", "follow_up_by", "updated_at"])
    return assessment


def level_label(level: str) -> str:
    return str(Level(level).label) if level else ""


# --- the dialogue ------------------------------------------------------------------------------


def _check_dialogue(session: Session, held_on: dt.date, follow_up_on: dt.date | None) -> None:
    errors: dict[str, str] = {}
    if held_on > today():
        errors["held_on"] = _("The dialogue date cannot be in the future.")
    elif held_on < session.held_on:
        errors["held_on"] = _("The dialogue cannot come before the session it discusses.")
    if follow_up_on is not None and follow_up_on < held_on:
        errors["follow_up_on"] = _("The follow-up cannot come before the dialogue.")
    if errors:
        raise ValidationError(errors)


def _dialogue_save(
    dialogue: Dialogue,
    *,
    by: Any,
    held_on: dt.date,
    strengths: str,
    focus: str,
    participants: Iterable[Any],
    other_participants: str,
    goals: Iterable[Any],
    follow_up_on: dt.date | None,
) -> Dialogue:
    """Check and save a new or changed dialogue; the participants are ``by`` unless named."""
    _check_dialogue(dialogue.session, held_on, follow_up_on)
    dialogue.held_on = held_on
    dialogue.strengths = strengths.strip()
    dialogue.focus = focus.strip()
    dialogue.other_participants = other_participants.strip()
    dialogue.follow_up_on = follow_up_on
    dialogue.full_clean()
    dialogue.save()
    dialogue.participants.set(list(participants) or [by])
    dialogue.goals.set(list(goals))
    return dialogue


@transaction.atomic
def dialogue_record(
    *,
    by: Any,
    session: Session,
    held_on: dt.date,
    strengths: str,
    focus: str,
    participants: Iterable[Any] = (),
    other_participants: str = "",
    goals: Iterable[Any] = (),
    follow_up_on: dt.date | None = None,
) -> Dialogue:
    """Record the dialogue about a session's group profile: strengths, focus, follow-up date."""
    _require(by, "motor.add_dialogue", session)
    return _dialogue_save(
        Dialogue(session=session, created_by=by),
        by=by,
        held_on=held_on,
        strengths=strengths,
        focus=focus,
        participants=participants,
        other_participants=other_participants,
        goals=goals,
        follow_up_on=follow_up_on,
    )


@transaction.atomic
def dialogue_update(
    *,
    by: Any,
    dialogue: Dialogue,
    held_on: dt.date,
    strengths: str,
    focus: str,
    participants: Iterable[Any] = (),
    other_participants: str = "",
    goals: Iterable[Any] = (),
    follow_up_on: dt.date | None = None,
    version: int | None = None,
) -> Dialogue:
    """Change the dialogue if nobody else did since ``version`` was read; else ``EditConflict``."""
    dialogue = (
        Dialogue.objects.select_for_update()
        .select_related("session__institution")
        .get(pk=dialogue.pk)
    )
    _require(by, "motor.change_dialogue", dialogue.session)
    claim_version(dialogue, version)
    return _dialogue_save(
        dialogue,
        by=by,
        held_on=held_on,
        strengths=strengths,
        focus=focus,
        participants=participants,
        other_participants=other_participants,
        goals=goals,
        follow_up_on=follow_up_on,
    )


@transaction.atomic
def dialogue_follow_up_done(
    *, by: Any, dialogue: Dialogue, done_on: dt.date, note: str = ""
) -> Dialogue:
    """Mark the agreed follow-up as held; it leaves the daycare's landing page."""
    dialogue = (
        Dialogue.objects.select_for_update()
        .select_related("session__institution")
        .get(pk=dialogue.pk)
    )
    _require(by, "motor.change_dialogue", dialogue.session)
    if dialogue.follow_up_done_on is not None:
        raise StateChanged(
            _("The follow-up was marked as held already. %(change)s")
            % {"change": changed_by(dialogue).headline}
        )
    claim_version(dialogue, None)
    if done_on > today():
        raise ValidationError({"done_on": _("The date cannot be in the future.")})
    if done_on < dialogue.held_on:
        raise ValidationError({"done_on": _("The follow-up cannot come before the dialogue.")})
    dialogue.follow_up_done_on = done_on
    dialogue.follow_up_note = note.strip()
    dialogue.save(update_fields=["follow_up_done_on", "follow_up_note", "lock_version"])
    return dialogue
