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
    assert [d.domain for d in profile.strengths] == ["balance"]
    assert [d.domain for d in profile.focus] == ["object_control"]


def test_an_answer_off_the_scale_is_an_error() -> None:
    with pytest.raises(ValueError, match="not on the scale"):
        engine.group_profile(ITEMS, {"a": {"beam": "often"}}, present=["a"])


def test_a_domain_with_too_few_answers_is_neither_strength_nor_focus() -> None:
    answers: dict[Any, dict[str, str | None]] = {"a": {"beam": "not_yet", "one_leg": "not_yet"}}
    profile = engine.group_profile(ITEMS, answers, present=["a"], min_answers=3)
    assert profile.strengths == profile.focus == []


answer_for_skill = st.sampled_from([None, "not_yet", "on_its_way", "masters"])
answer_for_joy = st.sampled_from([None, "rarely", "sometimes", "often"])


@st.composite
def groups(draw: st.DrawFn) -> tuple[list[engine.ItemSpec], dict, list]:
    domains = draw(st.lists(st.sampled_from(SKILL_DOMAINS), min_size=1, max_size=5, unique=True))
    items = [
        spec(f"{domain}_{n}", domain) for domain in domains for n in range(draw(st.integers(1, 3)))
    ]
    items += [spec("joy", "joy", observation=True), spec("courage", "courage", observation=True)]
    size = draw(st.integers(0, 12))
    answers = {
        child: {
            item.code: draw(answer_for_joy if item.observation else answer_for_skill)
            for item in items
        }
        for child in range(size)
    }
    present = draw(st.lists(st.sampled_from(range(size)), unique=True)) if size else []
    return items, answers, present


@settings(max_examples=150, deadline=None)
@given(groups(), st.integers(1, 4))
def test_profile_properties(group: tuple, min_answers: int) -> None:
    items, answers, present = group
    profile = engine.group_profile(items, answers, present=present, min_answers=min_answers)
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
    focus = {d.domain for d in profile.focus}
    assert not strengths & focus
    assert len(profile.strengths) <= engine.MAX_HIGHLIGHTS
    assert len(profile.focus) <= engine.MAX_HIGHLIGHTS
    assert not (strengths | focus) & {"joy", "courage"}
    for d in profile.strengths:
        assert isinstance(d, engine.DomainProfile) and d.answers >= min_answers
        assert d.mastery is not None and d.mastery >= engine.STRENGTH_MASTERY
    for d in profile.focus:
        assert isinstance(d, engine.DomainProfile) and d.answers >= min_answers
        assert d.mastery is not None and d.mastery < engine.FOCUS_MASTERY
    # Strengths best first, focus weakest first.
    best = [d.mastery or 0.0 for d in profile.strengths]
    weakest = [d.mastery or 0.0 for d in profile.focus]
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
