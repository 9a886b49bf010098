"""Reads for the motor assessment: each a fixed number of queries, pinned in the tests.

Callers pass objects already scoped by ``Session.objects.visible_to(user)``; nothing here widens
what a user may see.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from borneliv.accounts.models import Membership, Role, User
from borneliv.children.models import Child, Enrolment
from borneliv.motor import engine
from borneliv.motor.models import (
    Assessment,
    Choice,
    Dialogue,
    Domain,
    InstrumentVersion,
    Item,
    Level,
    Score,
    Session,
)
from borneliv.motor.services import NOT_ASSESSED, months_between
from borneliv.motor.services import session_coverage as session_coverage  # a read, shared
from borneliv.organisations.models import Institution

# --- sessions ----------------------------------------------------------------------------------

#: How many closed sessions the observer's list shows below the open ones.
RECENT_CLOSED = 30


def sessions_for_list(user: Any) -> tuple[list[Any], list[Any]]:
    """The user's open sessions and her most recent closed ones, with progress counts.

    Two queries. Each session carries ``present_count`` (children present), ``scored_count``
    (children present with at least one cell filled in) and ``has_dialogue``.
    """
    sessions = (
        Session.objects.visible_to(user)
        .select_related("institution", "version__instrument")
        .annotate(
            present_count=Count("assessments", filter=Q(assessments__present=True), distinct=True),
            scored_count=Count(
                "assessments",
                filter=Q(assessments__present=True, assessments__scores__isnull=False),
                distinct=True,
            ),
            has_dialogue=Exists(Dialogue.objects.filter(session=OuterRef("pk"))),
        )
    )
    open_sessions = list(sessions.open().order_by("-held_on", "institution__name", "group"))
    closed = list(
        sessions.filter(status=Session.Status.CLOSED).order_by("-held_on", "-closed_at")[
            :RECENT_CLOSED
        ]
    )
    return open_sessions, closed


def observable_daycares(user: Any) -> list[Institution]:
    """Daycares where the user may hold a session: her own (pedagogue), her unit's municipalities'
    (health visitor), every daycare (administrator). One query."""
    scope = user.scope
    daycares = Institution.objects.filter(kind=Institution.Kind.DAYCARE).select_related(
        "municipality"
    )
    if not scope.is_admin:
        q = Q(pk__in=[])
        if scope.health_municipality_ids:
            q |= Q(municipality_id__in=scope.health_municipality_ids)
        if scope.institutions_for(Role.PEDAGOGUE):
            q |= Q(pk__in=scope.institutions_for(Role.PEDAGOGUE))
        daycares = daycares.filter(q)
    return list(daycares.order_by("municipality__name", "name"))


def groups_by_daycare(daycares: Sequence[Institution], on: dt.date) -> dict[int, list[str]]:
    """The named groups children are enrolled in at each daycare on ``on`` (or within the year
    before, so a session can be recorded late). One query."""
    since = on - dt.timedelta(days=365)
    rows = (
        Enrolment.objects.filter(institution__in=list(daycares), valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=since))
        .exclude(group="")
        .values_list("institution_id", "group")
        .distinct()
    )
    groups: dict[int, set[str]] = {}
    for institution_id, group in rows:
        groups.setdefault(institution_id, set()).add(group)
    return {pk: sorted(names, key=str.casefold) for pk, names in groups.items()}


@dataclass(frozen=True)
class ObserverChoice:
    user: User
    roles: tuple[str, ...]  # translated role names, for the label
    daycare_ids: frozenset[int]  # daycares the user may observe at


def observer_choices(daycares: Sequence[Institution], on: dt.date) -> list[ObserverChoice]:
    """Users who may observe at these daycares: health visitors of their municipalities and
    pedagogues of the daycares themselves, with memberships valid on ``on``. One query."""
    by_municipality: dict[int, set[int]] = {}
    for daycare in daycares:
        by_municipality.setdefault(daycare.municipality_id, set()).add(daycare.pk)
    daycare_ids = {d.pk for d in daycares}
    memberships = (
        Membership.objects.valid_on(on)
        .filter(
            Q(
                role=Role.HEALTH_VISITOR,
                institution__municipality_id__in=list(by_municipality),
            )
            | Q(role=Role.PEDAGOGUE, institution_id__in=list(daycare_ids)),
            user__is_active=True,
        )
        .select_related("user", "institution")
        .order_by("user__first_name", "user__last_name", "user__username")
    )
    found: dict[int, tuple[User, set[str], set[int]]] = {}
    for membership in memberships:
        assert membership.institution is not None  # both roles are held in an institution
        _user, roles, where = found.setdefault(membership.user_id, (membership.user, set(), set()))
        roles.add(str(Role(membership.role).label))
        if membership.role == Role.HEALTH_VISITOR:
            where |= by_municipality.get(membership.institution.municipality_id, set())
        else:
            where.add(membership.institution.pk)
    return [
        ObserverChoice(user=user, roles=tuple(sorted(roles)), daycare_ids=frozenset(where))
        for user, roles, where in found.values()
    ]


def usable_versions() -> list[InstrumentVersion]:
    """Published instrument versions a new session may use, the 4-year instrument first."""
    versions = list(InstrumentVersion.objects.usable())
    return sorted(versions, key=lambda v: (v.instrument.code != "motor-4", v.instrument.code))


# --- sessions: the grid --------------------------------------------------------------------------

#: Tones of a scale step by remark weight; the glyph shows the step without relying on colour.
GLYPHS = {"none": "○", "part": "◐", "full": "●"}


@dataclass(frozen=True)
class Step:
    """One answer of the grid's segmented control."""

    value: str  # a choice value, NOT_ASSESSED, or "" (clear)
    label: str
    glyph: str
    tone: str  # none | part | full | na | clear


@dataclass(frozen=True)
class Scale:
    name: str
    steps: tuple[Step, ...]  # the scale's own answers, weakest first


@dataclass(frozen=True)
class GridItem:
    item: Item
    code: str
    label: str
    guidance: str
    domain: str
    domain_label: str
    observation: bool
    scale: Scale
    steps: tuple[Step, ...]  # the scale's answers, then "not assessed" and "clear"
    starts_domain: bool  # first column of its domain (a divider is drawn before it)


@dataclass(frozen=True)
class DomainHeader:
    domain: str
    label: str
    span: int
    observation: bool


@dataclass
class GridCell:
    item: GridItem
    value: str  # "" when nothing is recorded yet


@dataclass
class GridRow:
    assessment: Assessment
    child: Child
    name: str  # first name and initial of the last name
    age_months: int
    age_text: str
    present: bool
    level: str
    level_label: str
    level_short: str
    detail: str
    cells: list[GridCell]
    error: bool = False

    @property
    def public_id(self) -> str:
        return str(self.child.public_id)

    @property
    def filled(self) -> int:
        return sum(1 for c in self.cells if c.value)


@dataclass
class Grid:
    session: Session
    items: list[GridItem]
    domains: list[DomainHeader]
    scales: list[Scale]  # the scales in use, for the legend
    rows: list[GridRow]
    addable: list[Child]  # children of the group not on the list
    observers: list[User]
    rule: RuleText
    scale_names: dict[str, str] = field(default_factory=dict)

    @property
    def present(self) -> int:
        return sum(1 for r in self.rows if r.present)

    @property
    def scored(self) -> int:
        return sum(1 for r in self.rows if r.present and r.filled)

    @property
    def coverage(self) -> engine.Coverage:
        """Children present and those with a summary (as ``services.session_coverage``)."""
        summarised = sum(1 for r in self.rows if r.present and r.level in engine.LEVELS)
        return engine.Coverage(present=self.present, summarised=summarised)

    def row(self, public_id: str) -> GridRow | None:
        return next((r for r in self.rows if r.public_id == public_id), None)

    def apply(self, values: Mapping[tuple[str, str], str], present: Mapping[str, bool]) -> None:
        """Show posted values instead of the saved ones (a form that could not be saved)."""
        for row in self.rows:
            if row.public_id in present:
                row.present = present[row.public_id]
            for cell in row.cells:
                key = (row.public_id, cell.item.code)
                if key in values:
                    cell.value = values[key]


@dataclass(frozen=True)
class RuleText:
    """The version's summary rule in words, from its own numbers."""

    few_signs_from: str
    challenges_from: str
    min_assessed: int
    weights: list[tuple[str, str]]  # (answer label, remark weight as text), per skill scale

    @property
    def sentences(self) -> list[str]:
        weights = ", ".join(
            _("“%(answer)s” %(weight)s") % {"answer": label, "weight": weight}
            for label, weight in self.weights
        )
        return [
            _(
                "Each skill item answered adds remarks: %(weights)s. Items not assessed, joy of "
                "movement and courage to challenge the body never count."
            )
            % {"weights": weights},
            _(
                "%(few)s or more remarks: few signs of challenged motor skills; %(challenges)s or "
                "more: challenges with motor skills; fewer: age-appropriate motor skills."
            )
            % {"few": self.few_signs_from, "challenges": self.challenges_from},
            ngettext(
                "A summary needs at least %(count)d skill item observed; with fewer it says "
                "“too little observed”.",
                "A summary needs at least %(count)d skill items observed; with fewer it says "
                "“too little observed”.",
                self.min_assessed,
            )
            % {"count": self.min_assessed},
        ]


def number(value: Decimal | float | int | None) -> str:
    """A remark count in the active language's format: "1", "1,5"."""
    if value is None:
        return ""
    as_decimal = Decimal(value).normalize()
    places = max(0, -as_decimal.as_tuple().exponent)  # type: ignore[operator]
    return number_format(as_decimal, decimal_pos=places)


def age_in_words(months: int) -> str:
    """A four-year-old's age, compact enough for the grid: "4 y 2 m"."""
    years, rest = divmod(months, 12)
    return _("%(years)d y %(months)d m") % {"years": years, "months": rest}


def short_name(child: Child) -> str:
    initial = child.last_name[:1]
    return f"{child.first_name} {initial}." if initial else child.first_name


def summary_text(*, present: bool, level: str, remarks: Any, assessed: int) -> tuple[str, str]:
    """The summary badge's label and the detail line under it."""
    if not present:
        return _("Absent"), ""
    if not level:
        return _("Not scored yet"), ""
    label = str(Level(level).label)
    observed = ngettext("%(count)d skill observed", "%(count)d skills observed", assessed) % {
        "count": assessed
    }
    if remarks is None:
        return label, observed
    count = Decimal(remarks)
    remark_text = _("1 remark") if count == 1 else _("%(count)s remarks") % {"count": number(count)}
    return label, f"{remark_text} · {observed}"


def level_short(*, present: bool, level: str) -> str:
    """The summary in a word or two, for the grid's narrow child column."""
    if not present:
        return _("Absent")
    short: dict[str, str] = {
        Level.AGE_APPROPRIATE: _("Age-appropriate"),
        Level.FEW_SIGNS: _("Few signs"),
        Level.CHALLENGES: _("Challenges"),
        Level.INSUFFICIENT: _("Too little observed"),
    }
    return short.get(level, _("Not scored yet")) if level else _("Not scored yet")


def _steps_for(choices: Iterable[Choice]) -> tuple[Step, ...]:
    ordered = sorted(choices, key=lambda c: (c.position, c.pk))
    tones = []
    for choice in ordered:
        weight = Decimal(choice.remark_weight)
        tones.append("full" if weight == 0 else "none" if weight >= 1 else "part")
    distinct = len(set(tones)) == len(tones)
    return tuple(
        Step(
            value=choice.value,
            label=choice.label,
            glyph=GLYPHS[tone] if distinct else str(n),
            tone=tone,
        )
        for n, (choice, tone) in enumerate(zip(ordered, tones, strict=True), start=1)
    )


def _rule_text(version: InstrumentVersion, scales: Mapping[str, Sequence[Choice]]) -> RuleText:
    weights: list[tuple[str, str]] = []
    for name in sorted(scales):
        for choice in sorted(scales[name], key=lambda c: c.position):
            weights.append((choice.label, number(choice.remark_weight)))
    return RuleText(
        few_signs_from=number(version.few_signs_from),
        challenges_from=number(version.challenges_from),
        min_assessed=version.min_assessed,
        weights=weights,
    )


def instrument_layout(
    version: InstrumentVersion,
) -> tuple[list[GridItem], list[DomainHeader], list[Scale], RuleText]:
    """The version's items as grid columns (skills first, then the two observations), its
    domain header cells, its scales and its rule in words. Two queries."""
    choices = list(Choice.objects.filter(version=version).order_by("list_name", "position"))
    by_scale: dict[str, list[Choice]] = {}
    for choice in choices:
        by_scale.setdefault(choice.list_name, []).append(choice)
    scales = {name: Scale(name, _steps_for(group)) for name, group in by_scale.items()}
    extra = (
        Step(NOT_ASSESSED, _("Not assessed"), "–", "na"),
        Step("", _("Clear"), "×", "clear"),
    )
    items = list(Item.objects.filter(version=version).order_by("position", "code"))
    # Skills first, grouped by domain in the order they first appear; observations last.
    domain_order: dict[str, int] = {}
    for item in items:
        domain_order.setdefault(item.domain, len(domain_order))
    items.sort(key=lambda i: (i.is_observation, domain_order[i.domain], i.position, i.code))
    columns: list[GridItem] = []
    headers: list[DomainHeader] = []
    previous = None
    for item in items:
        scale = scales.get(item.list_name, Scale(item.list_name, ()))
        starts = item.domain != previous
        domain_label = str(Domain(item.domain).label) if item.domain in Domain.values else ""
        columns.append(
            GridItem(
                item=item,
                code=item.code,
                label=item.label,
                guidance=item.guidance,
                domain=item.domain,
                domain_label=domain_label,
                observation=item.is_observation,
                scale=scale,
                steps=scale.steps + extra,
                starts_domain=starts,
            )
        )
        if starts:
            headers.append(DomainHeader(item.domain, domain_label, 0, item.is_observation))
        last = headers[-1]
        headers[-1] = DomainHeader(last.domain, last.label, last.span + 1, last.observation)
        previous = item.domain
    used = [scales[name] for name in dict.fromkeys(i.list_name for i in items) if name in scales]
    skill_scales = {
        name: by_scale[name]
        for name in {i.list_name for i in items if not i.is_observation}
        if name in by_scale
    }
    return columns, headers, used, _rule_text(version, skill_scales)


def session_grid(session: Session) -> Grid:
    """Everything the grid page shows: six queries, however many children and items.

    ``session`` must come with ``institution`` and ``version__instrument`` selected.
    """
    version = session.version
    items, headers, scales, rule = instrument_layout(version)  # 2 queries
    assessments = list(
        Assessment.objects.filter(session=session)
        .select_related("child")
        .order_by("child__first_name", "child__last_name", "child_id")
    )
    values: dict[int, dict[int, str]] = {}
    for assessment_id, item_id, value, not_assessed in Score.objects.filter(
        assessment__session=session
    ).values_list("assessment_id", "item_id", "value", "not_assessed"):
        values.setdefault(assessment_id, {})[item_id] = NOT_ASSESSED if not_assessed else value
    rows = []
    for assessment in assessments:
        child = assessment.child
        months = months_between(child.birth_date, session.held_on)
        label, detail = summary_text(
            present=assessment.present,
            level=assessment.level,
            remarks=assessment.remarks,
            assessed=assessment.assessed_items,
        )
        saved = values.get(assessment.pk, {})
        rows.append(
            GridRow(
                assessment=assessment,
                child=child,
                name=short_name(child),
                age_months=months,
                age_text=age_in_words(months),
                present=assessment.present,
                level=assessment.level if assessment.present else "",
                level_label=label,
                level_short=level_short(present=assessment.present, level=assessment.level),
                detail=detail,
                cells=[GridCell(item=i, value=saved.get(i.item.pk, "")) for i in items],
            )
        )
    addable: list[Child] = []
    if session.is_open:
        on_list = [a.child_id for a in assessments]
        enrolled = Enrolment.objects.valid_on(session.held_on).filter(
            institution_id=session.institution_id, group=session.group
        )
        addable = list(
            Child.objects.filter(pk__in=enrolled.values("child_id"))
            .exclude(pk__in=on_list)
            .order_by("first_name", "last_name", "pk")
        )
    observers = list(session.observers.order_by("first_name", "last_name"))
    return Grid(
        session=session,
        items=items,
        domains=headers,
        scales=scales,
        rows=rows,
        addable=addable,
        observers=observers,
        rule=rule,
    )


def session_progress(session: Session) -> tuple[int, int]:
    """(children present with a cell filled in, children present). One query."""
    counts = Assessment.objects.filter(session=session, present=True).aggregate(
        present=Count("pk", distinct=True),
        scored=Count("pk", filter=Q(scores__isnull=False), distinct=True),
    )
    return counts["scored"], counts["present"]


# --- sessions: one child's assessment ------------------------------------------------------------


@dataclass(frozen=True)
class ScoreLine:
    item: GridItem
    value: str
    answer: str  # the answer's label, "Not assessed", or "" when nothing is recorded


@dataclass
class AssessmentDetail:
    assessment: Assessment
    lines: list[ScoreLine]
    rule: RuleText
    level_label: str
    detail: str
    age_text: str
    earlier: list[Assessment]


def assessment_detail(user: Any, assessment: Assessment) -> AssessmentDetail:
    """One child's assessment with its scores, the rule in words and the child's other motor
    assessments the user may see. Four queries.

    ``assessment`` must come with ``child`` and ``session__institution``/``version`` selected.
    """
    session = assessment.session
    items, _headers, _scales, rule = instrument_layout(session.version)  # 2 queries
    saved = {
        item_id: NOT_ASSESSED if not_assessed else value
        for item_id, value, not_assessed in assessment.scores.values_list(
            "item_id", "value", "not_assessed"
        )
    }
    lines = []
    for column in items:
        value = saved.get(column.item.pk, "")
        answer = next((s.label for s in column.steps if s.value == value and value), "")
        lines.append(ScoreLine(item=column, value=value, answer=answer))
    label, detail = summary_text(
        present=assessment.present,
        level=assessment.level,
        remarks=assessment.remarks,
        assessed=assessment.assessed_items,
    )
    earlier = list(
        Assessment.objects.visible_to(user)
        .filter(child_id=assessment.child_id)
        .exclude(pk=assessment.pk)
        .select_related("session__institution", "session__version__instrument")
        .order_by("-session__held_on")
    )
    return AssessmentDetail(
        assessment=assessment,
        lines=lines,
        rule=rule,
        level_label=label,
        detail=detail,
        age_text=age_in_words(months_between(assessment.child.birth_date, session.held_on)),
        earlier=earlier,
    )
