"""The motor engine: a child's summary in KL's three levels, and a group's profile.

Plain Python (no Django import), so the rule can be read, tested and reused on its own.

The summary rule (``summarise``), per child and session:

1. Only *skill* items count; the two observations (joy of movement, courage to challenge the body)
   never do. Items not assessed count neither way.
2. Each answer carries a *remark weight* from its scale: "not yet" 1, "on its way" ½, "masters it"
   0; on a pass/fail scale "fail" 1 and "pass" 0 (the school-start exam's "remark"). The child's
   *remarks* are the sum of the weights.
3. Fewer than ``min_assessed`` skill items observed: ``insufficient`` (no summary is guessed).
   Otherwise ``challenges`` when remarks ≥ ``challenges_from`` (default 3, as the school-start
   exam's "three or more remarks"), ``few_signs`` when remarks ≥ ``few_signs_from`` (default 1),
   else ``age_appropriate``.

All three numbers are set per instrument version by the administrator.

The group profile's verdicts (``judge``, ``judge_levels``, ``coverage``, ``judge_profile``):
which skill areas the profile calls a *strength* or a *focus area*, and when it gives no advice.
Every verdict is judged on the whole percentages the pages print (``percent``), so a sentence
can never disagree with the figure beside it through rounding.

1. **Enough data.** The group gets advice only when at least ``MIN_CHILDREN`` (5) present
   children have a summary *and* at least ``MIN_SUMMARISED_PERCENT`` (50 %) of the present
   children do; otherwise the profile says the data are too thin and names no strength and no
   focus. An item or a domain gets a verdict only when at least ``MIN_CHILDREN`` children were
   observed in it (an item observed for 2 children is shown, but judged ``too_few``).
2. **Focus area** (a skill domain, or an item of a domain that is not one already): mastery
   below ``FOCUS_BELOW`` (75 %), whatever the other groups do; or ``COMPARISON_GAP`` (10)
   percentage points or more below a comparison shown beside it (the municipality's or the
   programme's other groups).
3. **Strength** (a skill domain): not a focus area, never more than ``COMPARISON_TOLERANCE`` (5)
   points below any comparison shown, and either mastery of at least ``STRENGTH_FROM`` (85 %) or
   ``COMPARISON_GAP`` points or more above a comparison. Between the two: neither.
4. **KL's three levels**: a focus when at least ``CHALLENGES_MIN_CHILDREN`` (2) children and
   at least ``CHALLENGES_FROM_PERCENT`` (10 %, above the 6–8 % with motor difficulties at school
   start) of the children with a summary have *challenges*; a strength when none has and at
   least ``AGE_APPROPRIATE_FROM_PERCENT`` (85 %) are *age-appropriate*.
5. Joy of movement and courage are observations, never strengths or focus areas. At most
   ``MAX_HIGHLIGHTS`` domains/items each (the KL line comes on top), strengths best first,
   focus areas weakest first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

AGE_APPROPRIATE = "age_appropriate"
FEW_SIGNS = "few_signs"
CHALLENGES = "challenges"
INSUFFICIENT = "insufficient"
LEVELS = (AGE_APPROPRIATE, FEW_SIGNS, CHALLENGES)


@dataclass(frozen=True)
class Rule:
    few_signs_from: Decimal = Decimal("1")
    challenges_from: Decimal = Decimal("3")
    min_assessed: int = 4

    def __post_init__(self) -> None:
        if self.few_signs_from <= 0:
            raise ValueError("few_signs_from must be positive")
        if self.challenges_from < self.few_signs_from:
            raise ValueError("challenges_from must be at least few_signs_from")
        if self.min_assessed < 0:
            raise ValueError("min_assessed cannot be negative")


@dataclass(frozen=True)
class Summary:
    level: str
    remarks: Decimal
    assessed: int


def summarise(weights: Iterable[Decimal | None], rule: Rule) -> Summary:
    """The summary from the remark weights of a child's skill items (None = not assessed)."""
    observed = [Decimal(w) for w in weights if w is not None]
    remarks = sum(observed, Decimal("0"))
    if len(observed) < rule.min_assessed or not observed:
        return Summary(INSUFFICIENT, remarks, len(observed))
    if remarks >= rule.challenges_from:
        level = CHALLENGES
    elif remarks >= rule.few_signs_from:
        level = FEW_SIGNS
    else:
        level = AGE_APPROPRIATE
    return Summary(level, remarks, len(observed))


# --- the group profile --------------------------------------------------------------------------


@dataclass(frozen=True)
class ScaleStep:
    value: str
    label: str
    weight: Decimal


@dataclass(frozen=True)
class ItemSpec:
    code: str
    label: str
    domain: str
    steps: Sequence[ScaleStep]  # weakest first
    observation: bool = False


@dataclass
class ItemProfile:
    code: str
    label: str
    domain: str
    observation: bool
    counts: dict[str, int]  # value → children, in scale order
    assessed: int
    not_assessed: int
    # 1 − mean remark weight over the children assessed: 1 = all master it, 0 = none yet.
    mastery: float | None
    masters: int = 0  # children whose answer carries no remark (the scale's strongest step)

    def share(self, value: str) -> float | None:
        return self.counts.get(value, 0) / self.assessed if self.assessed else None


@dataclass
class DomainProfile:
    domain: str
    items: list[str]
    answers: int
    mastery: float | None
    children: int = 0  # present children with at least one answer in the domain
    mastering: int = 0  # of those, the children who master every item observed in it


@dataclass(frozen=True)
class Comparison:
    """A comparison shown beside the group's own figure, e.g. ("municipality", 0.97)."""

    name: str
    mastery: float


@dataclass(frozen=True)
class Verdict:
    """What the rule says about one domain or item, with the whole percentages it judged."""

    kind: str  # STRENGTH, FOCUS, NEITHER or TOO_FEW
    reason: str = ""  # LOW, BELOW_OTHERS, HIGH or ABOVE_OTHERS ("" for NEITHER and TOO_FEW)
    percent: int | None = None
    children: int = 0
    comparisons: tuple[tuple[str, int], ...] = ()  # (name, percent) of the comparisons shown


@dataclass(frozen=True)
class Coverage:
    """How many present children have a summary: the profile's advice needs enough of them."""

    present: int
    summarised: int

    @property
    def enough(self) -> bool:
        return (
            self.summarised >= MIN_CHILDREN
            and 100 * self.summarised >= MIN_SUMMARISED_PERCENT * self.present
        )


@dataclass(frozen=True)
class LevelsVerdict:
    """The rule applied to the children's summaries in KL's three levels."""

    kind: str  # STRENGTH, FOCUS, NEITHER or TOO_FEW
    summarised: int = 0
    age_appropriate: int = 0
    few_signs: int = 0
    challenges: int = 0


@dataclass
class GroupProfile:
    children: int  # on the list of the session
    present: int
    items: list[ItemProfile]
    domains: list[DomainProfile]
    levels: dict[str, int] = field(default_factory=dict)  # summary level → children
    strengths: list[DomainProfile | ItemProfile] = field(default_factory=list)
    focus: list[DomainProfile | ItemProfile] = field(default_factory=list)
    coverage: Coverage = field(default_factory=lambda: Coverage(0, 0))
    verdicts: dict[str, Verdict] = field(default_factory=dict)  # skill domain → verdict
    item_verdicts: dict[str, Verdict] = field(default_factory=dict)  # skill item → verdict
    levels_verdict: LevelsVerdict = field(default_factory=lambda: LevelsVerdict(TOO_FEW))

    def item(self, code: str) -> ItemProfile | None:
        return next((i for i in self.items if i.code == code), None)

    def domain(self, code: str) -> DomainProfile | None:
        return next((d for d in self.domains if d.domain == code), None)

    @property
    def advice(self) -> bool:
        """True when the data are enough for the profile to name strengths and focus areas."""
        return self.coverage.enough


# --- the rule for strengths and focus areas (see the module docstring) --------------------------

#: A verdict on an item or domain needs this many children observed in it; advice on a group
#: needs this many present children with a summary.
MIN_CHILDREN = 5
#: …and at least this share (percent) of the present children with a summary.
MIN_SUMMARISED_PERCENT = 50
#: Mastery (whole percent) below this is a focus area, whatever the other groups do.
FOCUS_BELOW = 75
#: Mastery (whole percent) from this is a strength, unless the group is behind the others.
STRENGTH_FROM = 85
#: Percentage points below a comparison that make a focus area (above: a strength).
COMPARISON_GAP = 10
#: A strength is never more than this many points below a comparison shown beside it.
COMPARISON_TOLERANCE = 5
#: KL's levels: a focus when this many children, and this share (percent), have challenges.
CHALLENGES_MIN_CHILDREN = 2
CHALLENGES_FROM_PERCENT = 10
#: KL's levels: a strength when none has challenges and this share (percent) is age-appropriate.
AGE_APPROPRIATE_FROM_PERCENT = 85
#: At most this many strengths and this many focus areas (domains and items).
MAX_HIGHLIGHTS = 3

STRENGTH = "strength"
FOCUS = "focus"
NEITHER = "neither"
TOO_FEW = "too_few"
LOW = "low"
BELOW_OTHERS = "below_others"
HIGH = "high"
ABOVE_OTHERS = "above_others"


def percent(share: float) -> int:
    """A share as the whole percent the pages print; every verdict is judged on it."""
    return round(100 * share)


def judge(
    mastery: float | None,
    children: int,
    comparisons: Sequence[Comparison] = (),
    *,
    min_children: int = MIN_CHILDREN,
) -> Verdict:
    """Strength, focus, neither or too few, for one domain or item (rules 1–3 above)."""
    if mastery is None or children < min_children:
        shown = None if mastery is None else percent(mastery)
        return Verdict(TOO_FEW, percent=shown, children=children)
    own = percent(mastery)
    others = tuple((c.name, percent(c.mastery)) for c in comparisons)
    behind = max((other - own for _, other in others), default=None)
    ahead = max((own - other for _, other in others), default=None)
    kind, reason = NEITHER, ""
    if own < FOCUS_BELOW:
        kind, reason = FOCUS, LOW
    elif behind is not None and behind >= COMPARISON_GAP:
        kind, reason = FOCUS, BELOW_OTHERS
    elif behind is None or behind <= COMPARISON_TOLERANCE:
        if own >= STRENGTH_FROM:
            kind, reason = STRENGTH, HIGH
        elif ahead is not None and ahead >= COMPARISON_GAP:
            kind, reason = STRENGTH, ABOVE_OTHERS
    return Verdict(kind, reason, own, children, others)


def coverage(levels: Mapping[str, int], present: int) -> Coverage:
    """Present children, and those of them with a summary in one of KL's three levels."""
    return Coverage(present, sum(levels.get(level, 0) for level in LEVELS))


def judge_levels(levels: Mapping[str, int], *, enough: bool = True) -> LevelsVerdict:
    """Rule 4: the children's summaries in KL's three levels; TOO_FEW when not ``enough``."""
    counts = {level: levels.get(level, 0) for level in LEVELS}
    total = sum(counts.values())
    figures = {
        "summarised": total,
        "age_appropriate": counts[AGE_APPROPRIATE],
        "few_signs": counts[FEW_SIGNS],
        "challenges": counts[CHALLENGES],
    }
    if not enough or total < MIN_CHILDREN:
        return LevelsVerdict(TOO_FEW, **figures)
    challenges = counts[CHALLENGES]
    if (
        challenges >= CHALLENGES_MIN_CHILDREN
        and 100 * challenges >= CHALLENGES_FROM_PERCENT * total
    ):
        return LevelsVerdict(FOCUS, **figures)
    if not challenges and 100 * counts[AGE_APPROPRIATE] >= AGE_APPROPRIATE_FROM_PERCENT * total:
        return LevelsVerdict(STRENGTH, **figures)
    return LevelsVerdict(NEITHER, **figures)


def judge_profile(
    profile: GroupProfile,
    *,
    domain_comparisons: Mapping[str, Sequence[Comparison]] | None = None,
    item_comparisons: Mapping[str, Sequence[Comparison]] | None = None,
    min_children: int = MIN_CHILDREN,
) -> GroupProfile:
    """The profile with its verdicts, strengths and focus areas, against the comparisons shown.

    ``domain_comparisons`` / ``item_comparisons`` map a domain / item code to the comparison
    values shown beside it (hidden ones left out). A new profile is returned.
    """
    domain_comparisons = domain_comparisons or {}
    item_comparisons = item_comparisons or {}
    observation_domains = {i.domain for i in profile.items if i.observation}
    skills = [d for d in profile.domains if d.domain not in observation_domains]
    verdicts = {
        d.domain: judge(
            d.mastery, d.children, domain_comparisons.get(d.domain, ()), min_children=min_children
        )
        for d in skills
    }
    skill_items = [i for i in profile.items if i.domain in verdicts and not i.observation]
    item_verdicts = {
        i.code: judge(
            i.mastery, i.assessed, item_comparisons.get(i.code, ()), min_children=min_children
        )
        for i in skill_items
    }
    covered = coverage(profile.levels, profile.present)
    strengths: list[DomainProfile | ItemProfile] = []
    focus: list[DomainProfile | ItemProfile] = []
    if covered.enough:
        strengths.extend(
            sorted(
                (d for d in skills if verdicts[d.domain].kind == STRENGTH),
                key=lambda d: (-(d.mastery or 0.0), d.domain),
            )[:MAX_HIGHLIGHTS]
        )
        weak: list[DomainProfile | ItemProfile] = [
            d for d in skills if verdicts[d.domain].kind == FOCUS
        ]
        weak += [
            i
            for i in skill_items
            if item_verdicts[i.code].kind == FOCUS and verdicts[i.domain].kind != FOCUS
        ]
        focus = sorted(weak, key=_weakest_first)[:MAX_HIGHLIGHTS]
    return replace(
        profile,
        strengths=strengths,
        focus=focus,
        coverage=covered,
        verdicts=verdicts,
        item_verdicts=item_verdicts,
        levels_verdict=judge_levels(profile.levels, enough=covered.enough),
    )


def _weakest_first(highlight: DomainProfile | ItemProfile) -> tuple[float, int, str]:
    # On a tie a domain comes before an item of another domain.
    if isinstance(highlight, DomainProfile):
        return (highlight.mastery or 0.0, 0, highlight.domain)
    return (highlight.mastery or 0.0, 1, highlight.code)


def group_profile(
    items: Sequence[ItemSpec],
    answers: Mapping[object, Mapping[str, str | None]],
    *,
    present: Iterable[object],
    levels: Mapping[object, str] | None = None,
    min_children: int = MIN_CHILDREN,
) -> GroupProfile:
    """How a group is doing, per item and per domain, without naming a child.

    ``answers`` maps a child key to {item code: choice value, or None when not assessed}; only
    children in ``present`` count. ``levels`` maps child keys to their summary level. The
    strengths and focus areas follow the rule of the module docstring without comparisons; call
    ``judge_profile`` with the comparisons shown beside the group to judge against them too.
    """
    present_keys = list(dict.fromkeys(present))
    present_set = set(present_keys)
    profiles: list[ItemProfile] = []
    child_domains: dict[tuple[object, str], bool] = {}
    for spec in items:
        weight_of = {s.value: s.weight for s in spec.steps}
        counts = {s.value: 0 for s in spec.steps}
        not_assessed = 0
        weights: list[Decimal] = []
        for key in present_keys:
            value = answers.get(key, {}).get(spec.code)
            if value is None:
                not_assessed += 1
                continue
            if value not in weight_of:
                raise ValueError(f"{value!r} is not on the scale of item {spec.code!r}")
            counts[value] += 1
            weights.append(weight_of[value])
            # Per child and domain: answered at all, and whether every answer is a "masters".
            seen = child_domains.setdefault((key, spec.domain), True)
            child_domains[(key, spec.domain)] = seen and weight_of[value] == 0
        assessed = len(weights)
        mastery = 1 - float(sum(weights, Decimal("0"))) / assessed if assessed else None
        profiles.append(
            ItemProfile(
                code=spec.code,
                label=spec.label,
                domain=spec.domain,
                observation=spec.observation,
                counts=counts,
                assessed=assessed,
                not_assessed=not_assessed,
                mastery=mastery,
                masters=sum(1 for w in weights if w == 0),
            )
        )

    domains: list[DomainProfile] = []
    for domain in dict.fromkeys(p.domain for p in profiles):
        members = [p for p in profiles if p.domain == domain]
        answered = sum(p.assessed for p in members)
        weighted = sum((p.mastery or 0.0) * p.assessed for p in members)
        per_child = [all_masters for (_, d), all_masters in child_domains.items() if d == domain]
        domains.append(
            DomainProfile(
                domain=domain,
                items=[p.code for p in members],
                answers=answered,
                mastery=weighted / answered if answered else None,
                children=len(per_child),
                mastering=sum(per_child),
            )
        )

    level_counts = {level: 0 for level in (*LEVELS, INSUFFICIENT)}
    for key, level in (levels or {}).items():
        if key in present_set and level in level_counts:
            level_counts[level] += 1
    profile = GroupProfile(
        children=len(answers) if answers else len(present_keys),
        present=len(present_keys),
        items=profiles,
        domains=domains,
        levels=level_counts,
    )
    return judge_profile(profile, min_children=min_children)


def pooled_mastery(
    profiles: Iterable[GroupProfile],
) -> tuple[dict[str, tuple[float, int]], dict[str, tuple[float, int]]]:
    """Mastery per item code and per domain over several groups, weighted by answers.

    Returns ({item code: (mastery, answers)}, {domain: (mastery, answers)}); comparisons use it to
    set one group beside the municipality's or the programme's other groups.
    """
    items: dict[str, list[float]] = {}
    domains: dict[str, list[float]] = {}
    for profile in profiles:
        for item in profile.items:
            if item.mastery is not None:
                acc = items.setdefault(item.code, [0.0, 0.0])
                acc[0] += item.mastery * item.assessed
                acc[1] += item.assessed
        for domain in profile.domains:
            if domain.mastery is not None:
                acc = domains.setdefault(domain.domain, [0.0, 0.0])
                acc[0] += domain.mastery * domain.answers
                acc[1] += domain.answers
    return (
        {k: (v[0] / v[1], int(v[1])) for k, v in items.items() if v[1]},
        {k: (v[0] / v[1], int(v[1])) for k, v in domains.items() if v[1]},
    )


# --- comparisons, suppressed --------------------------------------------------------------------


#: A comparison pools at least this many *other* groups, so no single group can be read off it.
MIN_COMPARISON_GROUPS = 2


@dataclass(frozen=True)
class Pooled:
    """One pooled comparison value: mastery over other groups, or hidden when they are few.

    ``mastery`` is None when hidden (``suppressed``) or when no other group answered at all
    (``groups == 0``). ``children`` counts the children who contributed (per item: those
    assessed on it; per domain: those with an answer in it).
    """

    mastery: float | None
    children: int
    groups: int
    suppressed: bool


def pooled_comparison(
    profiles: Sequence[GroupProfile], *, threshold: int, min_groups: int = MIN_COMPARISON_GROUPS
) -> tuple[dict[str, Pooled], dict[str, Pooled]]:
    """``pooled_mastery`` with small-cell suppression, per item code and per domain.

    A value is shown only when at least ``threshold`` children and at least ``min_groups``
    groups contributed to it; otherwise it is suppressed (its mastery is None). Items and domains
    that no group answered are left out.
    """
    if threshold < 1 or min_groups < 1:
        raise ValueError("threshold and min_groups must be positive")
    item_mastery, domain_mastery = pooled_mastery(profiles)
    item_counts: dict[str, list[int]] = {}
    domain_counts: dict[str, list[int]] = {}
    for profile in profiles:
        for item in profile.items:
            if item.assessed:
                acc = item_counts.setdefault(item.code, [0, 0])
                acc[0] += item.assessed
                acc[1] += 1
        for domain in profile.domains:
            if domain.answers:
                # Children with an answer in the domain (never fewer than its best-answered item).
                members = [i.assessed for i in profile.items if i.domain == domain.domain]
                acc = domain_counts.setdefault(domain.domain, [0, 0])
                acc[0] += max(domain.children, max(members, default=0))
                acc[1] += 1

    def pooled(
        mastery: dict[str, tuple[float, int]], counts: dict[str, list[int]]
    ) -> dict[str, Pooled]:
        result: dict[str, Pooled] = {}
        for code, (children, groups) in counts.items():
            hidden = children < threshold or groups < min_groups
            value = None if hidden else mastery[code][0]
            result[code] = Pooled(value, children, groups, hidden)
        return result

    return pooled(item_mastery, item_counts), pooled(domain_mastery, domain_counts)


def apportion(counts: Sequence[int], total: int) -> list[int]:
    """Whole units proportional to ``counts`` that add up to ``total`` (largest remainder).

    Used to draw a distribution with a fixed number of width steps. All zero counts give all
    zero units; a positive count never gets a negative share.
    """
    if total < 0 or any(c < 0 for c in counts):
        raise ValueError("counts and total cannot be negative")
    whole = sum(counts)
    if whole == 0:
        return [0 for _ in counts]
    exact = [c * total / whole for c in counts]
    units = [int(x) for x in exact]
    short = total - sum(units)
    order = sorted(range(len(counts)), key=lambda i: (-(exact[i] - units[i]), -counts[i], i))
    for i in order[:short]:
        units[i] += 1
    return units
