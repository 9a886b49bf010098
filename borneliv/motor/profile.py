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

Strengths and focus areas follow the engine's rule (``engine`` module docstring), judged against
the comparisons shown beside the group: no advice when too few children have a summary, no
verdict on an item or area observed for fewer than ``engine.MIN_CHILDREN`` children, and each
sentence carries the very figures (whole percent) it was judged on.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
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
    verdict: engine.Verdict | None = None  # skill items only

    @property
    def percent(self) -> int | None:
        return None if self.mastery is None else engine.percent(self.mastery)

    @property
    def not_mastering(self) -> int:
        return self.assessed - self.masters

    @property
    def few(self) -> bool:
        """Observed, but for too few children for a percentage or a verdict."""
        return 0 < self.assessed < engine.MIN_CHILDREN

    @property
    def shown_percent(self) -> int | None:
        return None if self.few else self.percent


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
    verdict: engine.Verdict | None = None

    @property
    def percent(self) -> int | None:
        return None if self.mastery is None else engine.percent(self.mastery)

    @property
    def few(self) -> bool:
        """Observed, but for too few children for a percentage or a verdict."""
        return 0 < self.children < engine.MIN_CHILDREN

    @property
    def shown_percent(self) -> int | None:
        return None if self.few else self.percent


@dataclass
class Highlight:
    """A strength or a focus area: the domain (or ``LEVELS_HIGHLIGHT``) and its sentence.

    ``item`` is set when the highlight is one item of a domain that is not one itself.
    """

    domain: str
    label: str
    text: str
    mastery: float | None
    item: str = ""


#: The ``domain`` of the highlight about KL's three levels.
LEVELS_HIGHLIGHT = "levels"


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
    def coverage(self) -> engine.Coverage:
        return self.group.coverage

    @property
    def advice(self) -> bool:
        """True when enough children have a summary for strengths and focus areas."""
        return self.group.advice

    @property
    def thin_notice(self) -> str:
        return thin_text(self.coverage)

    @property
    def no_strengths(self) -> str:
        return no_strengths_text()

    @property
    def no_focus(self) -> str:
        return no_focus_text()

    @property
    def rule(self) -> list[str]:
        return rule_sentences()

    @property
    def min_children(self) -> int:
        return engine.MIN_CHILDREN

    @property
    def few_shown(self) -> bool:
        """True when some item or area is shown without a percentage (too few children)."""
        return any(d.few or any(i.few for i in d.items) for d in self.domains)

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


def comparison_names(municipality: str) -> dict[str, str]:
    """What a sentence calls each comparison, e.g. {"municipality": "Aalborg Municipality"}."""
    return {
        "municipality": _("%(municipality)s Municipality") % {"municipality": municipality},
        "programme": _("the programme's areas"),
    }


def _figures(verdict: engine.Verdict, names: Mapping[str, str]) -> str:
    """E.g. "86 % mastery (other groups: Aalborg Municipality 97 %)": the figures judged."""
    if not verdict.comparisons:
        return _("%(percent)s %% mastery") % {"percent": verdict.percent}
    others = ", ".join(f"{names.get(name, name)} {value} %" for name, value in verdict.comparisons)
    return _("%(percent)s %% mastery (other groups: %(others)s)") % {
        "percent": verdict.percent,
        "others": others,
    }


def _breakdown(item: ItemRow) -> str:
    """E.g. "2 not yet, 3 on its way": the children who do not master the item yet."""
    return ", ".join(
        f"{s.count} {_lower_first(s.label)}"
        for s in item.segments
        if s.count and s.tone != "strong"
    )


def strength_text(domain: DomainRow, verdict: engine.Verdict, names: Mapping[str, str]) -> str:
    """E.g. "Balance: 90 % mastery; 8 of 10 children master all of it."."""
    return _("%(domain)s: %(figures)s; %(count)s of %(total)s children master all of it.") % {
        "domain": domain.label,
        "figures": _figures(verdict, names),
        "count": domain.mastering,
        "total": domain.children,
    }


def weakest_item(domain: DomainRow) -> ItemRow | None:
    """The item of a domain the fewest children master yet (the first on the list on a tie),
    among those observed for enough children to be judged."""
    answered = [i for i in domain.items if i.mastery is not None and not i.few]
    if not answered:
        return None
    return min(answered, key=lambda i: (i.mastery or 0.0, -i.not_mastering))


def focus_text(domain: DomainRow, verdict: engine.Verdict, names: Mapping[str, str]) -> str:
    """E.g. "Ball skills: 72 % mastery; 5 of 10 children do not yet master “Catches” (2 not yet,
    3 on its way)."."""
    figures = _figures(verdict, names)
    item = weakest_item(domain)
    breakdown = _breakdown(item) if item is not None else ""
    if item is None or not breakdown:
        return _("%(domain)s: %(figures)s.") % {"domain": domain.label, "figures": figures}
    return _(
        "%(domain)s: %(figures)s; %(count)s of %(total)s children do not yet master "
        "“%(item)s” (%(breakdown)s)."
    ) % {
        "domain": domain.label,
        "figures": figures,
        "count": item.not_mastering,
        "total": item.assessed,
        "item": item.label,
        "breakdown": breakdown,
    }


def item_focus_text(
    item: ItemRow, domain: DomainRow, verdict: engine.Verdict, names: Mapping[str, str]
) -> str:
    """E.g. "Moving the body, “Hops”: 60 % mastery; 6 of 10 children do not yet master it
    (2 not yet, 4 on its way)."."""
    return _(
        "%(domain)s, “%(item)s”: %(figures)s; %(count)s of %(total)s children do not yet "
        "master it (%(breakdown)s)."
    ) % {
        "domain": domain.label,
        "item": item.label,
        "figures": _figures(verdict, names),
        "count": item.not_mastering,
        "total": item.assessed,
        "breakdown": _breakdown(item),
    }


def levels_text(verdict: engine.LevelsVerdict) -> str:
    """KL's three levels in one sentence, e.g. "4 of 22 children have challenges with their motor
    skills; …" for a focus, "… have age-appropriate motor skills …" for a strength."""
    values = {
        "total": verdict.summarised,
        "challenges": verdict.challenges,
        "few": verdict.few_signs,
        "fine": verdict.age_appropriate,
    }
    if verdict.kind == engine.STRENGTH:
        return (
            _(
                "%(fine)s of %(total)s children have age-appropriate motor skills, and none has "
                "challenges with their motor skills (KL's three levels)."
            )
            % values
        )
    return (
        _(
            "%(challenges)s of %(total)s children have challenges with their motor skills; a few "
            "signs: %(few)s, age-appropriate: %(fine)s (KL's three levels)."
        )
        % values
    )


def thin_text(coverage: engine.Coverage) -> str:
    """Why the profile gives no advice: the numbers, and what it needs."""
    return _(
        "Only %(summarised)s of %(present)s children present have enough observations to get "
        "a summary. The profile names strengths and focus areas only "
        "when at least %(n)s children, and at least %(share)s %% of those present, have one; the "
        "figures describe only the children observed."
    ) % {
        "summarised": coverage.summarised,
        "present": coverage.present,
        "n": engine.MIN_CHILDREN,
        "share": engine.MIN_SUMMARISED_PERCENT,
    }


def no_strengths_text() -> str:
    """Shown when the rule finds no strength: it says which rule, so it is never untrue."""
    return _(
        "No skill area observed for at least %(n)s children has %(high)s %% mastery or more, or "
        "lies %(gap)s percentage points or more above the other groups, without lying more than "
        "%(tolerance)s points below them."
    ) % {
        "n": engine.MIN_CHILDREN,
        "high": engine.STRENGTH_FROM,
        "gap": engine.COMPARISON_GAP,
        "tolerance": engine.COMPARISON_TOLERANCE,
    }


def no_focus_text() -> str:
    """Shown when the rule finds no focus area: it says which rule, so it is never untrue."""
    return _(
        "No skill area observed for at least %(n)s children is below %(low)s %% mastery or "
        "%(gap)s percentage points or more below the other groups."
    ) % {"n": engine.MIN_CHILDREN, "low": engine.FOCUS_BELOW, "gap": engine.COMPARISON_GAP}


def rule_sentences() -> list[str]:
    """The engine's rule for strengths and focus areas, in plain words with its numbers."""
    values = {
        "n": engine.MIN_CHILDREN,
        "share": engine.MIN_SUMMARISED_PERCENT,
        "low": engine.FOCUS_BELOW,
        "high": engine.STRENGTH_FROM,
        "gap": engine.COMPARISON_GAP,
        "tolerance": engine.COMPARISON_TOLERANCE,
        "challenges_n": engine.CHALLENGES_MIN_CHILDREN,
        "challenges_share": engine.CHALLENGES_FROM_PERCENT,
        "fine": engine.AGE_APPROPRIATE_FROM_PERCENT,
        "max": engine.MAX_HIGHLIGHTS,
    }
    return [
        _(
            "The profile gives advice only when at least %(n)s children, and at least "
            "%(share)s %% of those present, have a summary. An area or a skill is judged only "
            "when at least %(n)s children were observed in it."
        )
        % values,
        _(
            "Focus area: less than %(low)s %% mastery, or %(gap)s percentage points or more "
            "below the other groups in the municipality or in the programme's areas. A single "
            "skill can be a focus area in an area that is not one."
        )
        % values,
        _(
            "Strength: not a focus area, no more than %(tolerance)s points below the other "
            "groups, and either %(high)s %% mastery or more or %(gap)s points or more above the "
            "other groups."
        )
        % values,
        _(
            "KL's three levels: a focus when at least %(challenges_n)s children and at least "
            "%(challenges_share)s %% of those with a summary have challenges with their motor "
            "skills; a strength when none has and at least %(fine)s %% have age-appropriate motor "
            "skills."
        )
        % values,
        _(
            "Joy of movement and courage are described, never judged. At most %(max)s areas or "
            "skills are named under each heading, besides the levels; the percentages are the "
            "ones in the table."
        )
        % values,
    ]


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
    # The verdicts are judged against exactly the comparison values the page shows.
    group = engine.judge_profile(
        group,
        domain_comparisons=_shown(municipal_domains, programme_domains),
        item_comparisons=_shown(municipal_items, programme_items),
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
            verdict=group.item_verdicts.get(item.code),
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
            verdict=group.verdicts.get(domain.domain),
        )
        domains.append(row)
        by_domain[domain.domain] = row

    names = comparison_names(session.institution.municipality.name)
    strengths, focus = _highlights(group, by_domain, rows, names)

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


def _shown(
    municipality: Mapping[str, engine.Pooled], programme: Mapping[str, engine.Pooled]
) -> dict[str, list[engine.Comparison]]:
    """Per code, the comparison values the page shows (hidden and missing ones left out)."""
    shown: dict[str, list[engine.Comparison]] = defaultdict(list)
    for name, pooled in (("municipality", municipality), ("programme", programme)):
        for code, value in pooled.items():
            if value.mastery is not None:
                shown[code].append(engine.Comparison(name, value.mastery))
    return shown


def _highlights(
    group: engine.GroupProfile,
    by_domain: Mapping[str, DomainRow],
    rows: Mapping[str, ItemRow],
    names: Mapping[str, str],
) -> tuple[list[Highlight], list[Highlight]]:
    """The strengths and focus areas as sentences: KL's levels first, then areas and skills."""
    strengths: list[Highlight] = []
    focus: list[Highlight] = []
    if not group.advice:
        return strengths, focus
    levels = group.levels_verdict
    if levels.kind in (engine.STRENGTH, engine.FOCUS):
        highlight = Highlight(LEVELS_HIGHLIGHT, _("KL's three levels"), levels_text(levels), None)
        (strengths if levels.kind == engine.STRENGTH else focus).append(highlight)
    for chosen in group.strengths:
        row = by_domain[chosen.domain]
        strengths.append(
            Highlight(row.domain, row.label, strength_text(row, _verdict(row), names), row.mastery)
        )
    for chosen in group.focus:
        row = by_domain[chosen.domain]
        if isinstance(chosen, engine.ItemProfile):
            item = rows[chosen.code]
            text = item_focus_text(item, row, _verdict(item), names)
            focus.append(Highlight(row.domain, item.label, text, item.mastery, item=item.code))
        else:
            text = focus_text(row, _verdict(row), names)
            focus.append(Highlight(row.domain, row.label, text, row.mastery))
    return strengths, focus


def _verdict(row: DomainRow | ItemRow) -> engine.Verdict:
    if row.verdict is None:  # every skill domain and item is judged by ``judge_profile``
        raise ValueError(f"{row!r} has no verdict")
    return row.verdict


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
