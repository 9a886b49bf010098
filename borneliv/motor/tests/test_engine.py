"""The motor engine without Django: summaries, the group profile, comparisons, bar widths."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from borneliv.motor import engine

THREE = (
    engine.ScaleStep("not_yet", "Not yet", Decimal("1")),
    engine.ScaleStep("on_its_way", "On its way", Decimal("0.5")),
    engine.ScaleStep("masters", "Masters it", Decimal("0")),
)
OFTEN = (
    engine.ScaleStep("rarely", "Rarely", Decimal("1")),
    engine.ScaleStep("sometimes", "Sometimes", Decimal("0.5")),
    engine.ScaleStep("often", "Often", Decimal("0")),
)
SKILL_DOMAINS = ("balance", "locomotion", "object_control", "body_awareness", "fine_motor")


def spec(code: str, domain: str, *, observation: bool = False) -> engine.ItemSpec:
    steps = OFTEN if observation else THREE
    return engine.ItemSpec(code, code, domain, steps, observation=observation)


ITEMS = [
    spec("one_leg", "balance"),
    spec("beam", "balance"),
    spec("throw", "object_control"),
    spec("catch", "object_control"),
    spec("joy", "joy", observation=True),
]


# --- summarise ----------------------------------------------------------------------------------


def test_three_remarks_are_challenges() -> None:
    rule = engine.Rule(min_assessed=3)
    weights = [Decimal(1), Decimal(1), Decimal(1), Decimal(0)]
    assert engine.summarise(weights, rule).level == engine.CHALLENGES


def test_too_few_items_observed_gives_no_summary() -> None:
    rule = engine.Rule(min_assessed=4)
    summary = engine.summarise([Decimal(0), None, None, Decimal(0)], rule)
    assert (summary.level, summary.assessed) == (engine.INSUFFICIENT, 2)


# --- the group profile --------------------------------------------------------------------------


def test_it_profiles_a_small_group() -> None:
    answers: dict[Any, dict[str, str | None]] = {
        "a": {"one_leg": "masters", "beam": "masters", "throw": "not_yet", "joy": "often"},
        "b": {"one_leg": "masters", "beam": "on_its_way", "throw": "not_yet", "joy": "rarely"},
        "c": {"one_leg": "masters", "beam": "masters", "throw": None, "catch": "on_its_way"},
        "absent": {"one_leg": "not_yet"},
    }
    profile = engine.group_profile(ITEMS, answers, present=["a", "b", "c"])
    beam = profile.item("beam")
    assert beam is not None
    assert beam.counts == {"not_yet": 0, "on_its_way": 1, "masters": 2}
    assert beam.masters == 2 and beam.mastery == pytest.approx(5 / 6)
    throw = profile.item("throw")
    assert throw is not None and (throw.assessed, throw.not_assessed) == (2, 1)
    balance = profile.domain("balance")
    assert balance is not None
    assert (balance.children, balance.mastering) == (3, 2)
    assert balance.mastery == pytest.approx(11 / 12)
    # Three children, none with a summary: the figures, but no advice.
    assert profile.coverage == engine.Coverage(present=3, summarised=0)
    assert not profile.advice and profile.strengths == profile.focus == []


def test_an_answer_off_the_scale_is_an_error() -> None:
    with pytest.raises(ValueError, match="not on the scale"):
        engine.group_profile(ITEMS, {"a": {"beam": "often"}}, present=["a"])


# --- the rule for strengths and focus areas ---------------------------------------------------

M, W, N = "masters", "on_its_way", "not_yet"
ISSUE_ITEMS = [
    spec("one_leg", "balance"),
    spec("beam", "balance"),
    spec("throw", "object_control"),
    spec("catch", "object_control"),
    spec("pencil_grip", "fine_motor"),
    spec("joy", "joy", observation=True),
]


def _column(*runs: tuple[str, int]) -> list[str]:
    return [value for value, n in runs for _ in range(n)]


def _issue_group() -> engine.GroupProfile:
    """The group of issue #10: 22 children, 4 with challenges, fine motor skills 86 %."""
    columns = {
        "one_leg": _column((M, 22)),
        "beam": _column((M, 22)),
        "throw": _column((M, 16), (W, 4), (N, 2)),
        "catch": _column((M, 16), (W, 4), (N, 2)),
        "pencil_grip": _column((M, 18), (W, 2), (N, 2)),
        "joy": _column(("often", 22)),
    }
    answers: dict[Any, dict[str, str | None]] = {
        n: {code: values[n] for code, values in columns.items()} for n in range(22)
    }
    levels = _column((engine.AGE_APPROPRIATE, 15), (engine.FEW_SIGNS, 3), (engine.CHALLENGES, 4))
    return engine.group_profile(
        ISSUE_ITEMS, answers, present=range(22), levels=dict(enumerate(levels))
    )


MUNICIPALITY = {"fine_motor": 0.97, "balance": 0.95, "object_control": 0.80}


def _against_municipality(profile: engine.GroupProfile) -> engine.GroupProfile:
    domains = {d: [engine.Comparison("municipality", v)] for d, v in MUNICIPALITY.items()}
    return engine.judge_profile(
        profile,
        domain_comparisons=domains,
        item_comparisons={"pencil_grip": [engine.Comparison("municipality", 0.97)]},
    )


def test_the_issues_group_is_not_told_that_nothing_stands_out() -> None:
    profile = _against_municipality(_issue_group())
    fine = profile.verdicts["fine_motor"]
    assert (fine.kind, fine.reason, fine.percent) == (engine.FOCUS, engine.BELOW_OTHERS, 86)
    assert fine.comparisons == (("municipality", 97),)
    assert [h.domain for h in profile.focus] == ["fine_motor"]
    assert [d.domain for d in profile.strengths] == ["balance"]
    assert profile.verdicts["object_control"].kind == engine.NEITHER  # 82 % against 80 %
    levels = profile.levels_verdict
    assert (levels.kind, levels.challenges, levels.summarised) == (engine.FOCUS, 4, 22)
    assert (levels.few_signs, levels.age_appropriate) == (3, 15)


def test_without_a_comparison_86_percent_is_a_strength() -> None:
    # The same figure is judged against what is shown beside it: alone, 86 % is high.
    profile = _issue_group()
    assert profile.verdicts["fine_motor"] == engine.Verdict(engine.STRENGTH, engine.HIGH, 86, 22)
    assert "fine_motor" in [d.domain for d in profile.strengths]


def test_a_single_skill_can_be_a_focus_inside_an_area_that_is_not_one() -> None:
    profile = engine.judge_profile(
        _issue_group(),
        item_comparisons={"throw": [engine.Comparison("programme", 0.95)]},
    )
    assert profile.verdicts["object_control"].kind == engine.NEITHER
    assert profile.item_verdicts["throw"].kind == engine.FOCUS  # 82 % against 95 %
    assert [getattr(h, "code", None) for h in profile.focus] == ["throw"]


@pytest.mark.parametrize(
    ("present", "summarised", "enough"),
    [(14, 3, False), (10, 5, True), (12, 5, False), (4, 4, False), (0, 0, False), (9, 5, True)],
)
def test_advice_needs_enough_children_with_a_summary(
    present: int, summarised: int, enough: bool
) -> None:
    assert engine.Coverage(present=present, summarised=summarised).enough is enough


def test_a_thin_group_gets_figures_but_no_advice() -> None:
    answers: dict[Any, dict[str, str | None]] = {
        n: {"one_leg": N, "beam": N, "throw": N, "catch": N} for n in range(14)
    }
    levels: dict[Any, str] = {0: engine.CHALLENGES, 1: engine.CHALLENGES, 2: engine.CHALLENGES}
    levels |= {n: engine.INSUFFICIENT for n in range(3, 14)}
    profile = engine.group_profile(ITEMS, answers, present=range(14), levels=levels)
    assert profile.coverage == engine.Coverage(present=14, summarised=3)
    assert profile.domain("balance") is not None
    assert profile.verdicts["balance"].kind == engine.FOCUS  # 0 %, judged…
    assert not profile.advice and profile.strengths == profile.focus == []  # …but not said
    assert profile.levels_verdict.kind == engine.TOO_FEW


def test_an_item_observed_for_two_children_gets_no_verdict() -> None:
    answers: dict[Any, dict[str, str | None]] = {
        n: {"one_leg": M, "beam": N if n < 2 else None} for n in range(10)
    }
    levels: dict[Any, str] = dict.fromkeys(range(10), engine.AGE_APPROPRIATE)
    profile = engine.group_profile(ITEMS, answers, present=range(10), levels=levels)
    beam = profile.item_verdicts["beam"]
    assert (beam.kind, beam.percent, beam.children) == (engine.TOO_FEW, 0, 2)
    assert all(getattr(h, "code", "") != "beam" for h in profile.focus)
    assert profile.verdicts["balance"].kind == engine.NEITHER  # 10 of 12 answers: 83 %


@pytest.mark.parametrize(
    ("mastery", "others", "kind", "reason"),
    [
        (0.74, [], engine.FOCUS, engine.LOW),
        (0.75, [], engine.NEITHER, ""),
        (0.84, [], engine.NEITHER, ""),
        (0.85, [], engine.STRENGTH, engine.HIGH),
        (0.70, [0.50], engine.FOCUS, engine.LOW),  # low, even ahead of the others
        (0.86, [0.97], engine.FOCUS, engine.BELOW_OTHERS),
        (0.90, [0.95], engine.STRENGTH, engine.HIGH),  # 5 points behind: still on par
        (0.90, [0.96], engine.NEITHER, ""),  # 6 points behind: not a strength
        (0.90, [0.80, 1.0], engine.FOCUS, engine.BELOW_OTHERS),  # behind one of the two
        (0.80, [0.70], engine.STRENGTH, engine.ABOVE_OTHERS),
        (0.80, [0.71], engine.NEITHER, ""),
        (0.7449, [], engine.FOCUS, engine.LOW),  # judged on the whole percent shown: 74
    ],
)
def test_the_rule_at_its_edges(mastery: float, others: list[float], kind: str, reason: str) -> None:
    comparisons = [engine.Comparison(f"c{n}", value) for n, value in enumerate(others)]
    verdict = engine.judge(mastery, 10, comparisons)
    assert (verdict.kind, verdict.reason) == (kind, reason)
    assert verdict.percent == engine.percent(mastery)


def test_too_few_children_get_no_verdict() -> None:
    assert engine.judge(0.1, engine.MIN_CHILDREN - 1).kind == engine.TOO_FEW
    assert engine.judge(None, 20).kind == engine.TOO_FEW
    assert engine.judge(0.1, engine.MIN_CHILDREN).kind == engine.FOCUS


@pytest.mark.parametrize(
    ("counts", "kind"),
    [
        ((18, 2, 2), engine.NEITHER),  # 2 of 22 is 9 %: under CHALLENGES_FROM_PERCENT
        ((16, 2, 2), engine.FOCUS),  # 2 of 20 is 10 %
        ((15, 3, 4), engine.FOCUS),
        ((8, 0, 1), engine.NEITHER),  # one child is not a pattern
        ((17, 3, 0), engine.STRENGTH),  # 85 %, none with challenges
        ((16, 4, 0), engine.NEITHER),
        ((3, 0, 1), engine.TOO_FEW),
    ],
)
def test_kl_levels(counts: tuple[int, int, int], kind: str) -> None:
    fine, few, challenges = counts
    levels = {engine.AGE_APPROPRIATE: fine, engine.FEW_SIGNS: few, engine.CHALLENGES: challenges}
    assert engine.judge_levels(levels).kind == kind


percents = st.floats(0.0, 1.0, allow_nan=False)


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(st.none(), percents),
    st.integers(0, 30),
    st.lists(percents, max_size=2),
)
def test_a_verdict_never_contradicts_its_figures(
    mastery: float | None, children: int, others: list[float]
) -> None:
    comparisons = [engine.Comparison(f"c{n}", v) for n, v in enumerate(others)]
    verdict = engine.judge(mastery, children, comparisons)
    if mastery is None or children < engine.MIN_CHILDREN:
        assert verdict.kind == engine.TOO_FEW
        return
    own = verdict.percent
    assert own == engine.percent(mastery)  # the figure printed beside the sentence
    shown = [value for _, value in verdict.comparisons]
    assert shown == [engine.percent(v) for v in others]
    behind = max((o - own for o in shown), default=0)
    ahead = max((own - o for o in shown), default=0)
    low = own < engine.FOCUS_BELOW
    far_behind = behind >= engine.COMPARISON_GAP
    if verdict.kind == engine.STRENGTH:
        # Never "good at" below the absolute floor or clearly behind the others.
        assert not low and behind <= engine.COMPARISON_TOLERANCE
        assert own >= engine.STRENGTH_FROM or ahead >= engine.COMPARISON_GAP
    elif verdict.kind == engine.FOCUS:
        assert low or far_behind
    else:
        # Saying nothing is honest only when the figures are neither low nor clearly behind,
        # nor high (or clearly ahead) while keeping up.
        assert verdict.kind == engine.NEITHER
        assert not low and not far_behind
        keeping_up = behind <= engine.COMPARISON_TOLERANCE
        assert not (keeping_up and (own >= engine.STRENGTH_FROM or ahead >= engine.COMPARISON_GAP))


answer_for_skill = st.sampled_from([None, "not_yet", "on_its_way", "masters"])
answer_for_joy = st.sampled_from([None, "rarely", "sometimes", "often"])
level_of_child = st.sampled_from([None, *engine.LEVELS, engine.INSUFFICIENT])


@st.composite
def groups(draw: st.DrawFn) -> tuple[list[engine.ItemSpec], dict, list, dict]:
    domains = draw(st.lists(st.sampled_from(SKILL_DOMAINS), min_size=1, max_size=5, unique=True))
    items = [
        spec(f"{domain}_{n}", domain) for domain in domains for n in range(draw(st.integers(1, 3)))
    ]
    items += [spec("joy", "joy", observation=True), spec("courage", "courage", observation=True)]
    size = draw(st.integers(0, 24))
    answers = {
        child: {
            item.code: draw(answer_for_joy if item.observation else answer_for_skill)
            for item in items
        }
        for child in range(size)
    }
    present = draw(st.lists(st.sampled_from(range(size)), unique=True)) if size else []
    levels = {child: level for child in range(size) if (level := draw(level_of_child))}
    return items, answers, present, levels


@settings(max_examples=150, deadline=None)
@given(groups(), st.dictionaries(st.sampled_from(SKILL_DOMAINS), percents, max_size=5))
def test_profile_properties(group: tuple, compared: dict[str, float]) -> None:
    items, answers, present, levels = group
    profile = engine.judge_profile(
        engine.group_profile(items, answers, present=present, levels=levels),
        domain_comparisons={d: [engine.Comparison("municipality", v)] for d, v in compared.items()},
    )
    assert profile.present == len(present)
    for item in profile.items:
        assert item.assessed + item.not_assessed == len(present)
        assert sum(item.counts.values()) == item.assessed
        assert 0 <= item.masters <= item.assessed
        if item.assessed:
            assert sum(item.share(v) or 0 for v in item.counts) == pytest.approx(1.0)
            assert item.mastery is not None and 0.0 <= item.mastery <= 1.0
        else:
            assert item.mastery is None and item.share("masters") is None
    for domain in profile.domains:
        assert 0 <= domain.mastering <= domain.children <= len(present)
    strengths = {d.domain for d in profile.strengths}
    focus_domains = {h.domain for h in profile.focus if isinstance(h, engine.DomainProfile)}
    assert not strengths & focus_domains
    assert len(profile.strengths) <= engine.MAX_HIGHLIGHTS
    assert len(profile.focus) <= engine.MAX_HIGHLIGHTS
    assert not (strengths | {h.domain for h in profile.focus}) & {"joy", "courage"}
    assert profile.coverage.present == len(present)
    if not profile.advice:
        assert profile.strengths == profile.focus == []
        assert profile.levels_verdict.kind == engine.TOO_FEW
        return
    for d in profile.strengths:
        assert isinstance(d, engine.DomainProfile)
        assert profile.verdicts[d.domain].kind == engine.STRENGTH
        assert d.children >= engine.MIN_CHILDREN
    for h in profile.focus:
        verdict = (
            profile.verdicts[h.domain]
            if isinstance(h, engine.DomainProfile)
            else profile.item_verdicts[h.code]
        )
        assert verdict.kind == engine.FOCUS and verdict.children >= engine.MIN_CHILDREN
        if isinstance(h, engine.ItemProfile):
            assert profile.verdicts[h.domain].kind != engine.FOCUS
    # "Nothing stands out" is said only when nothing does.
    if not profile.focus:
        assert engine.FOCUS not in {v.kind for v in profile.verdicts.values()}
        assert engine.FOCUS not in {v.kind for v in profile.item_verdicts.values()}
    if not profile.strengths:
        assert engine.STRENGTH not in {v.kind for v in profile.verdicts.values()}
    # Strengths best first, focus weakest first.
    best = [d.mastery or 0.0 for d in profile.strengths]
    weakest = [h.mastery or 0.0 for h in profile.focus]
    assert best == sorted(best, reverse=True)
    assert weakest == sorted(weakest)


# --- comparisons ------------------------------------------------------------------------------


def _uniform_group(size: int, value: str) -> engine.GroupProfile:
    answers: dict[Any, dict[str, str | None]] = {
        n: {"beam": value, "one_leg": value} for n in range(size)
    }
    return engine.group_profile(ITEMS, answers, present=range(size))


@pytest.mark.parametrize(
    ("sizes", "threshold", "shown"),
    [
        ((2, 2), 5, False),  # 4 children
        ((2, 3), 5, True),  # exactly the threshold
        ((9,), 5, False),  # one other group only
        ((3, 3), 7, False),
        ((3, 4), 7, True),
        ((1, 1, 1), 3, True),
    ],
)
def test_a_comparison_is_suppressed_below_the_threshold_or_two_groups(
    sizes: tuple[int, ...], threshold: int, shown: bool
) -> None:
    profiles = [_uniform_group(size, "masters") for size in sizes]
    items, domains = engine.pooled_comparison(profiles, threshold=threshold)
    for pooled in (items["beam"], domains["balance"]):
        assert pooled.children == sum(sizes) and pooled.groups == len(sizes)
        assert pooled.suppressed is not shown
        assert (pooled.mastery == 1.0) if shown else (pooled.mastery is None)
    assert "throw" not in items  # no group answered it


def test_a_comparison_pools_by_answers() -> None:
    profiles = [_uniform_group(6, "masters"), _uniform_group(4, "on_its_way")]
    items, domains = engine.pooled_comparison(profiles, threshold=5)
    assert items["beam"].mastery == pytest.approx((6 * 1 + 4 * 0.5) / 10)
    assert domains["balance"].mastery == pytest.approx(0.8)
    assert engine.pooled_mastery(profiles)[1]["balance"] == (pytest.approx(0.8), 20)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 15), max_size=6), st.integers(3, 10))
def test_suppression_properties(sizes: list[int], threshold: int) -> None:
    profiles = [_uniform_group(size, "masters") for size in sizes]
    items, _domains = engine.pooled_comparison(profiles, threshold=threshold)
    contributing = [s for s in sizes if s]
    if not contributing:
        assert items == {}
        return
    beam = items["beam"]
    assert beam.children == sum(contributing) and beam.groups == len(contributing)
    hidden = sum(contributing) < threshold or len(contributing) < 2
    assert beam.suppressed is hidden
    assert (beam.mastery is None) is hidden


# --- bar widths ----------------------------------------------------------------------------


def test_apportion_rounds_to_the_total() -> None:
    assert engine.apportion([2, 3, 5], 40) == [8, 12, 20]
    assert engine.apportion([1, 1, 1], 40) == [14, 13, 13]
    assert engine.apportion([0, 0], 40) == [0, 0]
    with pytest.raises(ValueError):
        engine.apportion([-1, 2], 40)


@given(st.lists(st.integers(0, 60), min_size=1, max_size=6), st.integers(0, 100))
def test_apportion_properties(counts: list[int], total: int) -> None:
    units = engine.apportion(counts, total)
    whole = sum(counts)
    if whole == 0:
        assert units == [0] * len(counts)
        return
    assert sum(units) == total
    for count, unit in zip(counts, units, strict=True):
        exact = count * total / whole
        assert exact - 1 < unit < exact + 1
        if count == 0:
            assert unit == 0
