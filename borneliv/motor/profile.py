"""The group profile of a session: how the group is doing, compared, in plain words.

``session_profile(session)`` reads everything the profile page, its PDF/PNG and the dialogue form
need in a fixed number of queries, and builds it with ``engine.group_profile``: the present
children's answers per item and domain (counts, never names), the summary levels, the group's
strengths and focus areas with a sentence a pedagogue would use, joy of movement and courage,
and three comparisons:

*Municipality*
    the municipality's other daycare groups assessed with the same instrument (any version: items
    are matched by code) in the same calendar year as the session.
*Programme*
    the other groups, in any municipality, at daycares that were in a programme area on the day
    of their session, with the same instrument and in the same calendar year.
*Previous*
    the group's own earlier sessions with the same instrument (same daycare and group name).

The window is the calendar year of ``held_on``: simple to explain ("the other groups assessed in
2026") and the way the programme reports. Each other group counts once, with its latest session in
that year that has answers. A pooled comparison value is suppressed (``engine.pooled_comparison``)
when fewer than ``settings.DISCLOSURE_THRESHOLD`` children or fewer than two other groups
contributed to it. The group's own numbers are not suppressed: the profile is for the daycare's
staff and the health visitor, who know the children; it never names one.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from borneliv.accounts.models import Role, User, today
from borneliv.motor import engine
from borneliv.motor.models import (
    Assessment,
    Choice,
    Dialogue,
    Domain,
    Item,
    Level,
    Score,
    Session,
)
from borneliv.organisations.models import Area, Goal, InstitutionArea

#: Widths of a distribution bar are drawn in this many steps (CSS classes, no inline styles).
BAR_UNITS = 40
#: A domain needs this many answers to be called a strength or a focus area.
MIN_HIGHLIGHT_ANSWERS = 3
#: How many of the group's earlier sessions the profile shows.
PREVIOUS_SHOWN = 5
#: Upcoming follow-ups are shown on the landing page this many days ahead.
UPCOMING_DAYS = 14

LEVEL_ORDER = (Level.AGE_APPROPRIATE, Level.FEW_SIGNS, Level.CHALLENGES, Level.INSUFFICIENT)
LEVEL_TONE = {
    Level.AGE_APPROPRIATE: "strong",
    Level.FEW_SIGNS: "mid",
    Level.CHALLENGES: "weak",
    Level.INSUFFICIENT: "none",
}


# --- what the page shows ------------------------------------------------------------------------


@dataclass
class Segment:
    """One part of a distribution bar: an answer (or a level) and how many children gave it."""

    value: str
    label: str
    count: int
    tone: str  # "weak", "mid", "strong" or "none": the colour, by the answer's remark weight
    units: int = 0  # width in BAR_UNITS steps


@dataclass(frozen=True)
class Compared:
    """A comparison value for the page: a percentage, hidden, or no other group at all."""

    mastery: float | None
    children: int = 0
    groups: int = 0
    suppressed: bool = False

    @property
    def percent(self) -> int | None:
        return None if self.mastery is None else round(100 * self.mastery)

    @property
    def state(self) -> str:
        """ "shown", "hidden" (too few children or groups) or "none" (no other group)."""
        if self.mastery is not None:
            return "shown"
        return "hidden" if self.groups else "none"


NO_COMPARISON = Compared(None)


@dataclass
class ItemRow:
    code: str
    label: str
    guidance: str
    domain: str
    observation: bool
    segments: list[Segment]
    assessed: int
    not_assessed: int
    mastery: float | None
    masters: int
    municipality: Compared = NO_COMPARISON
    programme: Compared = NO_COMPARISON

    @property
    def percent(self) -> int | None:
        return None if self.mastery is None else round(100 * self.mastery)

    @property
    def not_mastering(self) -> int:
        return self.assessed - self.masters


@dataclass
class DomainRow:
    domain: str
    label: str
    items: list[ItemRow]
    mastery: float | None
    children: int
    mastering: int
    observation: bool
    municipality: Compared = NO_COMPARISON
    programme: Compared = NO_COMPARISON

    @property
    def percent(self) -> int | None:
        return None if self.mastery is None else round(100 * self.mastery)


@dataclass
class Highlight:
    """A strength or a focus area: the domain and the sentence that says it."""

    domain: str
    label: str
    text: str
    mastery: float | None


@dataclass
class Earlier:
    """One of the group's earlier sessions: mastery per domain (in the page's order), levels."""

    public_id: Any
    held_on: dt.date
    present: int
    version_number: int
    mastery: list[int | None]  # percent per skill domain of the profile, None when not answered
    levels: list[int]  # children per level, in LEVEL_ORDER


@dataclass
class SessionProfile:
    session: Session
    observers: list[User]
    instrument_name: str
    version_number: int
    is_starting_point: bool
    version_note: str
    children: int  # on the session's list
    present: int
    group: engine.GroupProfile
    domains: list[DomainRow]  # skill domains, each with its items
    observations: list[ItemRow]  # joy of movement, courage
    levels: list[Segment]  # children per summary level, present children only
    strengths: list[Highlight]
    focus: list[Highlight]
    municipality_name: str
    year: int
    municipality_groups: int
    programme_groups: int
    previous: list[Earlier]
    dialogues: list[Dialogue]
    threshold: int
    present_child_ids: list[int] = field(default_factory=list)

    @property
    def levels_bar(self) -> list[Segment]:
        """The summary levels weakest first, as every bar reads ("not yet" … "masters")."""
        return [s for s in reversed(self.levels) if s.value != Level.INSUFFICIENT] + [
            s for s in self.levels if s.value == Level.INSUFFICIENT
        ]

    @property
    def observed(self) -> int:
        """Present children with at least one answer."""
        return sum(s.count for s in self.levels)

    @property
    def has_answers(self) -> bool:
        return any(i.assessed for d in self.domains for i in d.items) or any(
            i.assessed for i in self.observations
        )

    @property
    def comparison_hidden(self) -> bool:
        """True when some comparison value is hidden (the page then explains why)."""
        rows: list[DomainRow | ItemRow] = [*self.domains, *self.observations]
        rows += [i for d in self.domains for i in d.items]
        return any(c.state == "hidden" for r in rows for c in (r.municipality, r.programme))


# --- plain words -------------------------------------------------------------------------------


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def strength_text(domain: DomainRow) -> str:
    """E.g. "Most of the group masters balance (8 of 10)."."""
    values = {
        "domain": _lower_first(domain.label),
        "count": domain.mastering,
        "total": domain.children,
    }
    if domain.mastering * 2 > domain.children:
        return _("Most of the group masters %(domain)s (%(count)s of %(total)s).") % values
    return (
        _("The group is well on its way with %(domain)s (%(count)s of %(total)s master all of it).")
        % values
    )


def weakest_item(domain: DomainRow) -> ItemRow | None:
    """The item of a domain the fewest children master yet (the first on the list on a tie)."""
    answered = [i for i in domain.items if i.mastery is not None]
    if not answered:
        return None
    return min(answered, key=lambda i: (i.mastery or 0.0, -i.not_mastering))


def focus_text(domain: DomainRow) -> str:
    """E.g. "Ball skills: 4 of 10 do not yet master “Throws” (1 not yet, 3 on its way)."."""
    item = weakest_item(domain)
    if item is None:
        return domain.label
    breakdown = ", ".join(
        f"{s.count} {_lower_first(s.label)}"
        for s in item.segments
        if s.count and s.tone != "strong"
    )
    values = {
        "domain": domain.label,
        "count": item.not_mastering,
        "total": item.assessed,
        "item": item.label,
        "breakdown": breakdown,
    }
    if not breakdown:
        return _("%(domain)s: the weakest part is “%(item)s”.") % values
    return (
        _("%(domain)s: %(count)s of %(total)s do not yet master “%(item)s” (%(breakdown)s).")
        % values
    )


def observation_text(item: ItemRow) -> str:
    """E.g. "Joy of movement: “Often” for 7 of 10 children."."""
    if not item.assessed:
        return _("%(label)s: not observed.") % {"label": item.label}
    top = max(item.segments, key=lambda s: (s.count, s.tone == "strong"))
    return _("%(label)s: “%(answer)s” for %(count)s of %(total)s children.") % {
        "label": item.label,
        "answer": top.label,
        "count": top.count,
        "total": item.assessed,
    }


def strengths_summary(profile: SessionProfile) -> str:
    """The strengths as lines, to start the dialogue's "what the group is good at"."""
    return "\n".join(h.text for h in profile.strengths)


def focus_summary(profile: SessionProfile) -> str:
    """The focus areas as lines, to start the dialogue's agreed pedagogical focus."""
    return "\n".join(h.text for h in profile.focus)


# --- reading the database -----------------------------------------------------------------------


@dataclass
class _Version:
    specs: list[engine.ItemSpec]
    items_by_pk: dict[int, Item]
    steps: dict[str, list[engine.ScaleStep]]  # by list_name


def _tone(weight: Decimal) -> str:
    if weight <= 0:
        return "strong"
    if weight >= 1:
        return "weak"
    return "mid"


def _versions(version_ids: set[int]) -> dict[int, _Version]:
    """Items and scales of the given versions: two queries."""
    steps: dict[tuple[int, str], list[engine.ScaleStep]] = defaultdict(list)
    for choice in Choice.objects.filter(version_id__in=version_ids).order_by(
        "version_id", "list_name", "position", "pk"
    ):
        steps[(choice.version_id, choice.list_name)].append(
            engine.ScaleStep(choice.value, choice.label, choice.remark_weight)
        )
    result: dict[int, _Version] = {
        pk: _Version(specs=[], items_by_pk={}, steps={}) for pk in version_ids
    }
    for item in Item.objects.filter(version_id__in=version_ids).order_by(
        "version_id", "position", "code"
    ):
        version = result[item.version_id]
        # Weakest first: the engine and the bars read scales from "not yet" to "masters".
        scale = sorted(steps[(item.version_id, item.list_name)], key=lambda s: -s.weight)
        version.steps[item.list_name] = scale
        version.items_by_pk[item.pk] = item
        version.specs.append(
            engine.ItemSpec(
                code=item.code,
                label=item.label,
                domain=item.domain,
                steps=scale,
                observation=item.is_observation,
            )
        )
    return result


@dataclass
class _Answers:
    """Per session: who is on the list, who is present, answers and levels by child."""

    children: set[int] = field(default_factory=set)
    present: list[int] = field(default_factory=list)
    # Keyed by child pk (typed Any: the engine takes any hashable key).
    levels: dict[Any, str] = field(default_factory=dict)
    answers: dict[Any, dict[str, str | None]] = field(default_factory=dict)


def _answers(
    session_ids: list[int], versions: dict[int, _Version], version_of: dict[int, int]
) -> dict[int, _Answers]:
    """Assessments and scores of the sessions: two queries."""
    result: dict[int, _Answers] = {pk: _Answers() for pk in session_ids}
    for session_id, child_id, present, level in Assessment.objects.filter(
        session_id__in=session_ids
    ).values_list("session_id", "child_id", "present", "level"):
        answers = result[session_id]
        answers.children.add(child_id)
        if present:
            answers.present.append(child_id)
            if level:
                answers.levels[child_id] = level
    for session_id, child_id, item_id, value in Score.objects.filter(
        assessment__session_id__in=session_ids, assessment__present=True
    ).values_list("assessment__session_id", "assessment__child_id", "item_id", "value"):
        item = versions[version_of[session_id]].items_by_pk.get(item_id)
        if item is not None:
            result[session_id].answers.setdefault(child_id, {})[item.code] = value or None
    return result


def _group_profile(answers: _Answers, version: _Version) -> engine.GroupProfile:
    return engine.group_profile(
        version.specs,
        answers.answers,
        present=answers.present,
        levels=answers.levels,
        min_answers=MIN_HIGHLIGHT_ANSWERS,
    )


def _in_programme(
    memberships: dict[int, list[tuple[dt.date, dt.date | None]]], institution_id: int, on: dt.date
) -> bool:
    return any(
        start <= on and (end is None or end >= on) for start, end in memberships[institution_id]
    )


def _compared(pooled: engine.Pooled | None) -> Compared:
    if pooled is None:
        return NO_COMPARISON
    return Compared(pooled.mastery, pooled.children, pooled.groups, pooled.suppressed)


def _segments(counts: dict[str, int], steps: list[engine.ScaleStep]) -> list[Segment]:
    segments = [Segment(s.value, s.label, counts.get(s.value, 0), _tone(s.weight)) for s in steps]
    for segment, units in zip(
        segments, engine.apportion([s.count for s in segments], BAR_UNITS), strict=True
    ):
        segment.units = units
    return segments


def session_profile(session: Session) -> SessionProfile:
    """Everything the profile page needs about one session, in a fixed number of queries."""
    threshold = int(settings.DISCLOSURE_THRESHOLD)
    session = Session.objects.select_related(
        "institution__municipality", "version__instrument"
    ).get(pk=session.pk)
    observers = list(session.observers.order_by("first_name", "last_name", "pk"))
    year = session.held_on.year
    own = (session.institution_id, session.group)

    # Sessions to compare with, in one query: the instrument's sessions this year, and this
    # group's earlier ones.
    candidates = list(
        Session.objects.filter(version__instrument_id=session.version.instrument_id)
        .exclude(pk=session.pk)
        .filter(
            Q(held_on__year=year)
            | Q(
                institution_id=session.institution_id,
                group=session.group,
                held_on__lt=session.held_on,
            )
        )
        .order_by("-held_on", "-pk")
        .values_list(
            "pk",
            "institution_id",
            "institution__municipality_id",
            "group",
            "held_on",
            "version_id",
            "version__number",
            "public_id",
        )
    )
    memberships: dict[int, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    for institution_id, valid_from, valid_to in InstitutionArea.objects.filter(
        institution_id__in={row[1] for row in candidates}, area__kind=Area.Kind.PROGRAMME
    ).values_list("institution_id", "valid_from", "valid_to"):
        memberships[institution_id].append((valid_from, valid_to))

    version_of = {row[0]: row[5] for row in candidates}
    version_of[session.pk] = session.version_id
    versions = _versions(set(version_of.values()))
    answers = _answers(list(version_of), versions, version_of)
    version = versions[session.version_id]
    mine = answers[session.pk]
    group = _group_profile(mine, version)

    # Each other group once: its latest session this year with answers.
    municipality_profiles: list[engine.GroupProfile] = []
    programme_profiles: list[engine.GroupProfile] = []
    earlier_rows = []
    seen: set[tuple[int, str]] = set()
    for (
        pk,
        institution_id,
        municipality_id,
        name,
        held_on,
        version_id,
        number,
        public_id,
    ) in candidates:
        key = (institution_id, name)
        if key == own:
            if held_on < session.held_on:
                earlier_rows.append((pk, held_on, version_id, number, public_id))
            continue
        if held_on.year != year or key in seen or not answers[pk].answers:
            continue
        seen.add(key)
        other = _group_profile(answers[pk], versions[version_id])
        if municipality_id == session.institution.municipality_id:
            municipality_profiles.append(other)
        if _in_programme(memberships, institution_id, held_on):
            programme_profiles.append(other)
    municipal_items, municipal_domains = engine.pooled_comparison(
        municipality_profiles, threshold=threshold
    )
    programme_items, programme_domains = engine.pooled_comparison(
        programme_profiles, threshold=threshold
    )

    steps_by_code = {spec.code: list(spec.steps) for spec in version.specs}
    guidance = {item.code: item.guidance for item in version.items_by_pk.values()}
    rows: dict[str, ItemRow] = {}
    for item in group.items:
        rows[item.code] = ItemRow(
            code=item.code,
            label=item.label,
            guidance=guidance.get(item.code, ""),
            domain=item.domain,
            observation=item.observation,
            segments=_segments(item.counts, steps_by_code[item.code]),
            assessed=item.assessed,
            not_assessed=item.not_assessed,
            mastery=item.mastery,
            masters=item.masters,
            municipality=_compared(municipal_items.get(item.code)),
            programme=_compared(programme_items.get(item.code)),
        )
    domains: list[DomainRow] = []
    observations: list[ItemRow] = []
    by_domain: dict[str, DomainRow] = {}
    for domain in group.domains:
        members = [rows[code] for code in domain.items]
        if all(m.observation for m in members):
            observations.extend(members)
            continue
        row = DomainRow(
            domain=domain.domain,
            label=_domain_label(domain.domain),
            items=members,
            mastery=domain.mastery,
            children=domain.children,
            mastering=domain.mastering,
            observation=False,
            municipality=_compared(municipal_domains.get(domain.domain)),
            programme=_compared(programme_domains.get(domain.domain)),
        )
        domains.append(row)
        by_domain[domain.domain] = row

    strengths = [
        Highlight(
            d.domain, by_domain[d.domain].label, strength_text(by_domain[d.domain]), d.mastery
        )
        for d in group.strengths
    ]
    focus = [
        Highlight(d.domain, by_domain[d.domain].label, focus_text(by_domain[d.domain]), d.mastery)
        for d in group.focus
    ]

    levels = [
        Segment(str(level), str(level.label), group.levels.get(str(level), 0), LEVEL_TONE[level])
        for level in LEVEL_ORDER
    ]
    for segment, units in zip(
        levels, engine.apportion([s.count for s in levels], BAR_UNITS), strict=True
    ):
        segment.units = units

    previous: list[Earlier] = []
    for pk, held_on, version_id, number, public_id in earlier_rows[:PREVIOUS_SHOWN]:
        earlier = _group_profile(answers[pk], versions[version_id])
        percent = {
            d.domain: round(100 * d.mastery) for d in earlier.domains if d.mastery is not None
        }
        previous.append(
            Earlier(
                public_id=public_id,
                held_on=held_on,
                present=earlier.present,
                version_number=number,
                mastery=[percent.get(d.domain) for d in domains],
                levels=[earlier.levels.get(str(level), 0) for level in LEVEL_ORDER],
            )
        )

    dialogues = list(
        Dialogue.objects.filter(session=session)
        .order_by("-held_on", "-created_at")
        .prefetch_related(
            Prefetch("participants", queryset=User.objects.order_by("first_name", "last_name")),
            Prefetch("goals", queryset=Goal.objects.order_by("sort_order")),
        )
    )
    return SessionProfile(
        session=session,
        observers=observers,
        instrument_name=session.version.instrument.name,
        version_number=session.version.number,
        is_starting_point=session.version.is_starting_point,
        version_note=session.version.note,
        children=len(mine.children),
        present=len(mine.present),
        group=group,
        domains=domains,
        observations=observations,
        levels=levels,
        strengths=strengths,
        focus=focus,
        municipality_name=session.institution.municipality.name,
        year=year,
        municipality_groups=len(municipality_profiles),
        programme_groups=len(programme_profiles),
        previous=previous,
        dialogues=dialogues,
        threshold=threshold,
        present_child_ids=list(mine.present),
    )


def _domain_label(code: str) -> str:
    try:
        return str(Domain(code).label)
    except ValueError:
        return code


# --- follow-ups on the daycare's landing page ---------------------------------------------------


def follow_ups_for(user: Any, on: dt.date, *, days_ahead: int = UPCOMING_DAYS) -> list[Dialogue]:
    """Open follow-ups of a pedagogue's daycares, due by ``on`` or within ``days_ahead``."""
    institutions = user.scope.institutions_for(Role.PEDAGOGUE)
    if not institutions:
        return []
    return list(
        Dialogue.objects.visible_to(user)
        .filter(
            session__institution_id__in=institutions,
            follow_up_on__isnull=False,
            follow_up_done_on__isnull=True,
            follow_up_on__lte=on + dt.timedelta(days=days_ahead),
        )
        .select_related("session__institution")
        .order_by("follow_up_on", "session__group", "pk")
    )


def landing_panel(user: Any) -> dict[str, Any] | None:
    """The landing page's panel of dialogue follow-ups (``accounts.landing``); None if none."""
    if not user.is_authenticated:
        return None
    on = today()
    dialogues = follow_ups_for(user, on)
    if not dialogues:
        return None
    for dialogue in dialogues:
        dialogue.profile_url = reverse("motor:profile", args=[dialogue.session.public_id])  # type: ignore[attr-defined]
        dialogue.days_overdue = (on - dialogue.follow_up_on).days  # type: ignore[attr-defined, operator]
    return {
        "template": "motor/includes/followups_panel.html",
        "context": {
            "due": [d for d in dialogues if d.follow_up_on and d.follow_up_on <= on],
            "upcoming": [d for d in dialogues if d.follow_up_on and d.follow_up_on > on],
            "today": on,
        },
        "order": 10,
    }
