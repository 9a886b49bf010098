"""The demo's motor assessments: sessions over two school years, levels, follow-ups, dialogues.

The demo (programme, children, growth and motor data) is loaded once for the module, as of the
real today, since the services refuse sessions and dialogues dated in the future.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator

import pytest
from pytest_django import DjangoDbBlocker

from borneliv.accounts.models import User, today
from borneliv.demo.children import demo_children_load
from borneliv.demo.motor import DUE_DAYCARE, GROUP, MIN_CHILDREN, OPEN_DAYCARES
from borneliv.demo.services import DemoResult, demo_load
from borneliv.motor import engine
from borneliv.motor.models import Assessment, Dialogue, Score, Session
from borneliv.organisations.models import Area, Institution
from borneliv.testing import loaded_once

PASSWORD = "gynge-kastanje-fjord-2024"


@pytest.fixture(scope="module")
def _demo_for_module(
    django_db_setup: None, django_db_blocker: DjangoDbBlocker
) -> Iterator[DemoResult]:
    # Loaded once per test process and copied in (``borneliv.testing.loaded_once``).
    with django_db_blocker.unblock(), loaded_once("demo", _load_demo) as result:
        yield result


def _load_demo() -> DemoResult:
    return demo_load(password=PASSWORD, with_children=True)


@pytest.fixture
def demo(_demo_for_module: DemoResult, db: None) -> DemoResult:
    return _demo_for_module


def _school_year(on: dt.date) -> int:
    return on.year if on.month >= 8 else on.year - 1


@pytest.mark.django_db
def test_it_loads_sessions_in_at_least_two_school_years_none_in_the_future(
    demo: DemoResult,
) -> None:
    assert demo.children is not None and demo.children.motor is not None
    result = demo.children.motor
    assert result.loaded
    sessions = list(Session.objects.select_related("institution", "version__instrument"))
    assert len(sessions) == result.sessions >= 20
    assert len({_school_year(s.held_on) for s in sessions}) >= 2
    assert all(s.held_on <= today() for s in sessions)
    assert {s.group for s in sessions} == {GROUP}
    assert {s.version.instrument.code for s in sessions} == {"motor-4"}
    assert {s.institution.kind for s in sessions} == {Institution.Kind.DAYCARE}
    for session in sessions:
        assert session.assessments.count() >= MIN_CHILDREN


@pytest.mark.django_db
def test_every_programme_area_has_observed_daycares(demo: DemoResult) -> None:
    observed = set(
        Session.objects.values_list("institution__area_memberships__area__name", flat=True)
    )
    programme = set(Area.objects.filter(kind=Area.Kind.PROGRAMME).values_list("name", flat=True))
    assert programme <= observed


@pytest.mark.django_db
def test_the_levels_are_plausible_with_more_challenges_in_albertslund(demo: DemoResult) -> None:
    summarised = Assessment.objects.filter(present=True, level__in=engine.LEVELS)
    levels = Counter(summarised.values_list("level", flat=True))
    total = sum(levels.values())
    assert 0.03 <= levels[engine.CHALLENGES] / total <= 0.20
    assert levels[engine.AGE_APPROPRIATE] / total >= 0.6
    # Some children with at least one item not mastered: a quarter or so.
    weaker = Score.objects.filter(
        assessment__in=summarised, value__in=["on_its_way", "not_yet"]
    ).values("assessment_id")
    share = summarised.filter(pk__in=weaker).count() / total
    assert 0.18 <= share <= 0.40

    def challenges(code: str) -> float:
        found = Counter(
            summarised.filter(session__institution__municipality__code=code).values_list(
                "level", flat=True
            )
        )
        return found[engine.CHALLENGES] / sum(found.values())

    assert challenges("0165") > 1.5 * challenges("0851")  # Albertslund, Aalborg
    # Absent children, cells not assessed, children observed too little for a summary.
    assert Assessment.objects.filter(present=False).exists()
    assert Score.objects.filter(not_assessed=True).exists()
    assert Assessment.objects.filter(present=True, level=engine.INSUFFICIENT).exists()
    assert not Score.objects.filter(assessment__present=False).exists()


@pytest.mark.django_db
def test_summaries_follow_the_instrument_rule(demo: DemoResult) -> None:
    for assessment in Assessment.objects.filter(present=True).exclude(level="")[:200]:
        if assessment.level == engine.INSUFFICIENT:
            assert assessment.assessed_items < 6
        elif assessment.level == engine.CHALLENGES:
            assert assessment.remarks is not None and assessment.remarks >= 3
        elif assessment.level == engine.FEW_SIGNS:
            assert assessment.remarks is not None and 1 <= assessment.remarks < 3
        else:
            assert assessment.remarks is not None and assessment.remarks < 1
    assert Score.history.count() == Score.objects.count()


@pytest.mark.django_db
def test_the_newest_sessions_are_open_to_resume_the_rest_closed(demo: DemoResult) -> None:
    open_sessions = list(Session.objects.open().select_related("institution"))
    assert 1 <= len(open_sessions) <= 2
    assert {s.institution.name for s in open_sessions} <= set(OPEN_DAYCARES)
    newest = max(Session.objects.values_list("held_on", flat=True))
    assert all(s.held_on == newest for s in open_sessions)
    for session in open_sessions:
        present = session.assessments.filter(present=True)
        unscored = present.filter(scores__isnull=True)
        # Part of the group is scored, the rest waits for the grid.
        assert 0 < unscored.count() < present.count()
    closed = Session.objects.exclude(status=Session.Status.OPEN)
    assert not closed.filter(closed_at__isnull=True).exists()


@pytest.mark.django_db
def test_every_closed_session_has_a_dialogue(demo: DemoResult) -> None:
    closed = Session.objects.exclude(status=Session.Status.OPEN)
    assert closed.count() >= 10
    assert not closed.filter(dialogues__isnull=True).exists()
    assert not Dialogue.objects.filter(session__status=Session.Status.OPEN).exists()
    for dialogue in Dialogue.objects.select_related("session").prefetch_related("goals"):
        assert dialogue.session.held_on <= dialogue.held_on <= today()
        assert dialogue.strengths and dialogue.focus
        assert "play" in {g.code for g in dialogue.goals.all()}
        assert dialogue.follow_up_on is not None and dialogue.follow_up_on >= dialogue.held_on
        assert dialogue.participants.exists()
    # Last year's follow-ups are done; this year's mostly lie ahead.
    assert Dialogue.objects.filter(follow_up_done_on__isnull=False).exists()


@pytest.mark.django_db
def test_most_children_with_challenges_are_flagged_for_a_talk_with_the_parents(
    demo: DemoResult,
) -> None:
    challenges = Assessment.objects.filter(
        level=engine.CHALLENGES, session__status=Session.Status.CLOSED
    )
    flagged = challenges.filter(follow_up=True)
    assert flagged.count() >= 0.7 * challenges.count()
    for assessment in flagged.select_related("follow_up_by"):
        assert assessment.follow_up_note
        assert assessment.follow_up_by is not None
    assert not Assessment.objects.filter(follow_up=True, present=False).exists()


@pytest.mark.django_db
def test_the_demo_pedagogue_has_a_due_follow_up(demo: DemoResult) -> None:
    pedagogue = User.objects.get(username="paedagog")
    due = Dialogue.objects.visible_to(pedagogue).follow_up_due(today())
    assert [d.session.institution.name for d in due] == [DUE_DAYCARE]
    assert due[0].follow_up_on is not None and due[0].follow_up_on >= today() - dt.timedelta(7)
    # She observed with Frederikssund's demo health visitor.
    session = due[0].session
    assert {u.username for u in session.observers.all()} == {"sundhedsplejerske3", "paedagog"}


@pytest.mark.django_db
def test_loading_again_adds_no_sessions(demo: DemoResult) -> None:
    before = (Session.objects.count(), Score.objects.count(), Dialogue.objects.count())
    again = demo_children_load(today=today())
    assert again.motor is not None and not again.motor.loaded
    assert (Session.objects.count(), Score.objects.count(), Dialogue.objects.count()) == before
