"""The motor services refuse bad input with a clear message and save nothing partial."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from borneliv.accounts.models import today
from borneliv.children.models import Child
from borneliv.motor import engine, services
from borneliv.motor.models import Assessment, InstrumentVersion, Level, Score, Session
from borneliv.motor.services import NOT_ASSESSED, Cell
from borneliv.motor.tests.conftest import GROUP, SESSION_DAY, Group
from borneliv.testing import World

pytestmark = pytest.mark.django_db

SKILLS = ["run", "jump", "hop", "climb", "one_leg", "beam", "throw", "catch", "kick", "roll"]


def messages_of(exc: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(exc.value.messages)


def assessment_of(session: Session, child: Child) -> Assessment:
    return Assessment.objects.get(session=session, child=child)


# --- creating a session ------------------------------------------------------------------------


def test_a_session_lists_the_groups_children_of_the_instruments_ages(
    session: Session, mellemgruppen: Group
) -> None:
    names = sorted(a.child.first_name for a in session.assessments.select_related("child"))
    assert names == sorted(c.first_name for c in mellemgruppen.children)
    assert "Karla" not in names  # five, outside the 4-year instrument's ages
    assert "Lauge" not in names  # another group
    assert set(session.observers.values_list("username", flat=True)) == {"hanne", "petra"}


def test_a_pedagogue_of_the_daycare_can_open_a_session(
    world: World, mellemgruppen: Group, motor4: InstrumentVersion
) -> None:
    created = services.session_create(
        by=mellemgruppen.petra,
        institution=world.lindholm_daycare,
        group=GROUP,
        held_on=SESSION_DAY,
        version=motor4,
    )
    assert created.created_by == mellemgruppen.petra
    assert list(created.observers.all()) == [mellemgruppen.petra]
    assert created.assessments.count() == 10


@pytest.mark.parametrize("persona", ["pia", "astrid", "lars", "rikke", "otto"])
def test_others_cannot_open_a_session_at_lindholm(
    world: World, mellemgruppen: Group, motor4: InstrumentVersion, persona: str
) -> None:
    with pytest.raises(PermissionDenied):
        services.session_create(
            by=world.persona(persona),
            institution=world.lindholm_daycare,
            group=GROUP,
            held_on=SESSION_DAY,
            version=motor4,
        )
    assert not Session.objects.exists()


def test_a_session_date_in_the_future_is_refused(
    world: World, mellemgruppen: Group, motor4: InstrumentVersion
) -> None:
    with pytest.raises(ValidationError) as exc:
        services.session_create(
            by=world.hanne,
            institution=world.lindholm_daycare,
            group=GROUP,
            held_on=today() + dt.timedelta(days=1),
            version=motor4,
        )
    assert exc.value.message_dict == {"held_on": ["The session date cannot be in the future."]}
    assert not Session.objects.exists()


def test_a_session_is_held_in_a_daycare(
    world: World, mellemgruppen: Group, motor4: InstrumentVersion
) -> None:
    with pytest.raises(ValidationError) as exc:
        services.session_create(
            by=world.hanne,
            institution=world.gl_lindholm_skole,
            group="0.A",
            held_on=SESSION_DAY,
            version=motor4,
        )
    assert exc.value.message_dict["institution"] == [
        "A motor assessment session is held in a daycare."
    ]


def test_a_draft_version_cannot_be_used(
    world: World, mellemgruppen: Group, motor4: InstrumentVersion
) -> None:
    draft = InstrumentVersion.objects.create(instrument=motor4.instrument, number=2)
    assert draft.status == InstrumentVersion.Status.DRAFT
    with pytest.raises(ValidationError) as exc:
        services.session_create(
            by=world.hanne,
            institution=world.lindholm_daycare,
            group=GROUP,
            held_on=SESSION_DAY,
            version=draft,
        )
    assert exc.value.message_dict["version"] == ["Only a published instrument version can be used."]


def test_a_group_without_children_of_the_ages_is_refused(
    world: World, mellemgruppen: Group, motor4: InstrumentVersion
) -> None:
    with pytest.raises(ValidationError) as exc:
        services.session_create(
            by=world.hanne,
            institution=world.lindholm_daycare,
            group="Vuggestuen",
            held_on=SESSION_DAY,
            version=motor4,
        )
    assert "No children of the instrument's ages" in exc.value.message_dict["group"][0]


def test_children_not_enrolled_in_the_group_are_refused(
    world: World, mellemgruppen: Group, motor4: InstrumentVersion
) -> None:
    with pytest.raises(ValidationError) as exc:
        services.session_create(
            by=world.hanne,
            institution=world.lindholm_daycare,
            group=GROUP,
            held_on=SESSION_DAY,
            version=motor4,
            children=[mellemgruppen.child("Alma"), mellemgruppen.elsewhere],
        )
    assert exc.value.message_dict["children"] == [
        "1 of the children are not enrolled in Mellemgruppen on 2026-10-06."
    ]
    assert not Session.objects.exists()


def test_an_explicit_list_may_include_a_child_of_another_age(
    world: World, mellemgruppen: Group, motor4: InstrumentVersion
) -> None:
    created = services.session_create(
        by=world.hanne,
        institution=world.lindholm_daycare,
        group=GROUP,
        held_on=SESSION_DAY,
        version=motor4,
        children=[mellemgruppen.child("Alma"), mellemgruppen.older],
    )
    assert {a.child.first_name for a in created.assessments.select_related("child")} == {
        "Alma",
        "Karla",
    }


def test_the_same_group_twice_on_a_day_is_refused(
    world: World, session: Session, motor4: InstrumentVersion
) -> None:
    with pytest.raises(ValidationError) as exc:
        services.session_create(
            by=world.hanne,
            institution=world.lindholm_daycare,
            group=GROUP,
            held_on=SESSION_DAY,
            version=motor4,
        )
    assert "already has a session with this instrument on that day" in messages_of(exc)
    assert Session.objects.count() == 1


# --- scores ------------------------------------------------------------------------------------


def test_a_score_outside_the_items_scale_is_refused(
    world: World, session: Session, mellemgruppen: Group
) -> None:
    alma = mellemgruppen.child("Alma")
    with pytest.raises(ValidationError) as exc:
        # "often" belongs to the joy/courage scale, not to running's.
        services.scores_save(by=world.hanne, session=session, cells=[Cell(alma.pk, "run", "often")])
    assert exc.value.messages == ["Cell 1: often is not an answer of the item Runs."]
    assert not Score.objects.exists()


def test_an_unknown_item_is_refused(world: World, session: Session, mellemgruppen: Group) -> None:
    alma = mellemgruppen.child("Alma")
    with pytest.raises(ValidationError) as exc:
        services.scores_save(
            by=world.hanne, session=session, cells=[Cell(alma.pk, "swim", "masters")]
        )
    assert exc.value.messages == ["Cell 1: swim is not an item of this instrument version."]


def test_a_child_not_on_the_list_is_refused(
    world: World, session: Session, mellemgruppen: Group
) -> None:
    with pytest.raises(ValidationError) as exc:
        services.scores_save(
            by=world.hanne,
            session=session,
            cells=[Cell(mellemgruppen.older.pk, "run", "masters")],
        )
    assert exc.value.messages == ["Cell 1: the child is not on this session's list."]


def test_an_absent_child_cannot_be_scored(
    world: World, session: Session, mellemgruppen: Group
) -> None:
    bertram = mellemgruppen.child("Bertram")
    services.assessment_set_present(
        by=world.hanne, session=session, child_id=bertram.pk, present=False
    )
    with pytest.raises(ValidationError) as exc:
        services.scores_save(
            by=world.hanne, session=session, cells=[Cell(bertram.pk, "run", "masters")]
        )
    assert exc.value.messages == ["Cell 1: Bertram is marked absent, so has no scores."]
    assert not Score.objects.exists()


def test_a_batch_with_one_bad_cell_saves_nothing(
    world: World, session: Session, mellemgruppen: Group
) -> None:
    alma, clara = mellemgruppen.child("Alma"), mellemgruppen.child("Clara")
    cells = [Cell(alma.pk, code, "masters") for code in SKILLS[:6]]
    cells.append(Cell(clara.pk, "jump", "brilliant"))
    cells.append(Cell(clara.pk, "run", "masters"))
    with pytest.raises(ValidationError) as exc:
        services.scores_save(by=world.hanne, session=session, cells=cells)
    assert exc.value.messages == [
        "Cell 7: brilliant is not an answer of the item Jumps with both feet."
    ]
    assert not Score.objects.exists()
    alma_assessment = assessment_of(session, alma)
    assert (alma_assessment.level, alma_assessment.assessed_items) == ("", 0)


def test_every_bad_cell_is_named(world: World, session: Session, mellemgruppen: Group) -> None:
    alma = mellemgruppen.child("Alma")
    with pytest.raises(ValidationError) as exc:
        services.scores_save(
            by=world.hanne,
            session=session,
            cells=[
                Cell(alma.pk, "run", "masters"),
                Cell(alma.pk, "nope", "masters"),
                Cell(0, "run", "masters"),
            ],
        )
    assert len(exc.value.messages) == 2
    assert exc.value.messages[0].startswith("Cell 2:")
    assert exc.value.messages[1].startswith("Cell 3:")


def test_not_assessed_is_recorded_and_a_cleared_cell_is_gone(
    world: World, session: Session, mellemgruppen: Group
) -> None:
    alma = mellemgruppen.child("Alma")
    services.scores_save(
        by=world.hanne,
        session=session,
        cells=[Cell(alma.pk, "run", NOT_ASSESSED), Cell(alma.pk, "jump", "masters")],
    )
    run = Score.objects.get(item__code="run")
    assert (run.value, run.not_assessed) == ("", True)
    services.scores_save(by=world.hanne, session=session, cells=[Cell(alma.pk, "jump", "")])
    assert list(Score.objects.values_list("item__code", flat=True)) == ["run"]


def test_marking_a_child_absent_removes_the_scores(
    world: World, session: Session, mellemgruppen: Group
) -> None:
    alma = mellemgruppen.child("Alma")
    services.scores_save(
        by=world.hanne,
        session=session,
        cells=[Cell(alma.pk, code, "masters") for code in SKILLS[:6]],
    )
    assert assessment_of(session, alma).level == Level.AGE_APPROPRIATE
    services.assessment_set_present(
        by=world.hanne, session=session, child_id=alma.pk, present=False
    )
    absent = assessment_of(session, alma)
    assert (absent.present, absent.level, absent.assessed_items, absent.remarks) == (
        False,
        "",
        0,
        None,
    )
    assert not Score.objects.filter(assessment=absent).exists()


# --- the summary at the rule's edges (motor-4 v1: few signs from 1, challenges from 3, six
# skill items observed at least) ----------------------------------------------------------------


def _score(world: World, session: Session, child_pk: int, answers: dict[str, str]) -> Assessment:
    (assessment,) = services.scores_save(
        by=world.hanne,
        session=session,
        cells=[Cell(child_pk, code, value) for code, value in answers.items()],
    )
    return assessment


@pytest.mark.parametrize(
    ("answers", "level", "remarks", "assessed"),
    [
        # Five skills observed: one short of a summary.
        ({c: "masters" for c in SKILLS[:5]}, Level.INSUFFICIENT, "0", 5),
        # "Not assessed" does not count as observed.
        (
            {**{c: "masters" for c in SKILLS[:5]}, "roll": NOT_ASSESSED},
            Level.INSUFFICIENT,
            "0",
            5,
        ),
        ({c: "masters" for c in SKILLS[:6]}, Level.AGE_APPROPRIATE, "0", 6),
        # Half a remark: still age-appropriate.
        (
            {**{c: "masters" for c in SKILLS[:5]}, "beam": "on_its_way"},
            Level.AGE_APPROPRIATE,
            "0.5",
            6,
        ),
        # Exactly one remark: few signs.
        ({**{c: "masters" for c in SKILLS[:5]}, "beam": "not_yet"}, Level.FEW_SIGNS, "1", 6),
        # 2.5 remarks: still few signs.
        (
            {
                **{c: "masters" for c in SKILLS[:6]},
                "run": "not_yet",
                "jump": "not_yet",
                "hop": "on_its_way",
            },
            Level.FEW_SIGNS,
            "2.5",
            6,
        ),
        # Exactly three remarks: challenges.
        (
            {
                **{c: "masters" for c in SKILLS[:6]},
                "run": "not_yet",
                "jump": "not_yet",
                "hop": "not_yet",
            },
            Level.CHALLENGES,
            "3",
            6,
        ),
        # Joy and courage never count, however rare.
        (
            {**{c: "masters" for c in SKILLS[:6]}, "joy": "rarely", "courage": "rarely"},
            Level.AGE_APPROPRIATE,
            "0",
            6,
        ),
    ],
    ids=[
        "5-observed",
        "not-assessed-does-not-count",
        "0-remarks",
        "half-a-remark",
        "1-remark",
        "2.5-remarks",
        "3-remarks",
        "observations-never-count",
    ],
)
def test_the_summary_at_the_rules_edges(
    world: World,
    session: Session,
    mellemgruppen: Group,
    answers: dict[str, str],
    level: str,
    remarks: str,
    assessed: int,
) -> None:
    result = _score(world, session, mellemgruppen.child("Alma").pk, answers)
    stored = assessment_of(session, mellemgruppen.child("Alma"))
    assert (stored.level, stored.remarks, stored.assessed_items) == (
        level,
        Decimal(remarks),
        assessed,
    )
    assert result.level == level


def test_the_engine_follows_the_versions_numbers() -> None:
    rule = engine.Rule(few_signs_from=Decimal("2"), challenges_from=Decimal("4"), min_assessed=2)
    one, half, none = Decimal("1"), Decimal("0.5"), Decimal("0")
    assert engine.summarise([one, half, None], rule).level == engine.AGE_APPROPRIATE
    assert engine.summarise([one, one], rule).level == engine.FEW_SIGNS
    assert engine.summarise([one, one, one, half, half], rule).level == engine.CHALLENGES
    assert engine.summarise([none, None, None], rule) == engine.Summary(
        engine.INSUFFICIENT, Decimal("0"), 1
    )


# --- the list, closing, reopening, follow-up ---------------------------------------------------


def test_a_child_of_the_group_can_be_added(
    world: World, session: Session, mellemgruppen: Group
) -> None:
    added = services.session_add_child(by=world.hanne, session=session, child=mellemgruppen.older)
    assert added.session == session and added.present
    assert session.assessments.count() == 11


def test_a_child_of_another_group_cannot_be_added(
    world: World, session: Session, mellemgruppen: Group
) -> None:
    with pytest.raises(ValidationError) as exc:
        services.session_add_child(by=world.hanne, session=session, child=mellemgruppen.elsewhere)
    assert exc.value.messages == ["The child is not enrolled in Mellemgruppen on 2026-10-06."]
    assert session.assessments.count() == 10


def test_a_closed_session_cannot_be_edited(
    world: World, session: Session, mellemgruppen: Group
) -> None:
    alma = mellemgruppen.child("Alma")
    services.session_close(by=mellemgruppen.petra, session=session, accept_few_observations=True)
    closed = "This session is closed; it can no longer be changed."
    with pytest.raises(ValidationError) as exc:
        services.scores_save(
            by=world.hanne, session=session, cells=[Cell(alma.pk, "run", "masters")]
        )
    assert exc.value.messages == [closed]
    with pytest.raises(ValidationError) as exc:
        services.assessment_set_present(
            by=world.hanne, session=session, child_id=alma.pk, present=False
        )
    assert exc.value.messages == [closed]
    with pytest.raises(ValidationError) as exc:
        services.session_add_child(by=world.hanne, session=session, child=mellemgruppen.older)
    assert exc.value.messages == [closed]
    with pytest.raises(ValidationError):
        services.session_close(by=world.hanne, session=session, accept_few_observations=True)
    assert not Score.objects.exists()
    assert assessment_of(session, alma).present


def test_closing_with_too_few_summaries_needs_the_users_consent(
    world: World, session: Session
) -> None:
    with pytest.raises(ValidationError) as exc:
        services.session_close(by=world.hanne, session=session)
    assert exc.value.error_list[0].code == services.FEW_OBSERVATIONS
    assert exc.value.messages == [
        "Only 0 of 10 children present have enough observations to get a summary."
    ]
    session.refresh_from_db()
    assert session.is_open
    closed = services.session_close(by=world.hanne, session=session, accept_few_observations=True)
    assert not closed.is_open
    assert services.session_coverage(closed) == engine.Coverage(present=10, summarised=0)


def test_only_an_administrator_reopens_a_session(world: World, session: Session) -> None:
    services.session_close(by=world.hanne, session=session, accept_few_observations=True)
    with pytest.raises(PermissionDenied):
        services.session_reopen(by=world.hanne, session=session)
    reopened = services.session_reopen(by=world.ada, session=session)
    assert reopened.is_open and reopened.closed_at is None and reopened.closed_by is None


def test_the_follow_up_is_the_health_visitors_decision(
    world: World, session: Session, mellemgruppen: Group
) -> None:
    assessment = assessment_of(session, mellemgruppen.child("Alma"))
    with pytest.raises(PermissionDenied):
        services.follow_up_decide(by=mellemgruppen.petra, assessment=assessment, follow_up=True)
    decided = services.follow_up_decide(
        by=world.hanne, assessment=assessment, follow_up=True, note="  Talk at pick-up.  "
    )
    assert (decided.follow_up, decided.follow_up_note, decided.follow_up_by) == (
        True,
        "Talk at pick-up.",
        world.hanne,
    )


def test_an_absent_child_gets_no_follow_up(
    world: World, session: Session, mellemgruppen: Group
) -> None:
    ida = mellemgruppen.child("Ida")
    services.assessment_set_present(by=world.hanne, session=session, child_id=ida.pk, present=False)
    with pytest.raises(ValidationError):
        services.follow_up_decide(
            by=world.hanne, assessment=assessment_of(session, ida), follow_up=True
        )


@pytest.mark.parametrize("persona", ["pia", "astrid"])
def test_others_cannot_score_a_session_outside_their_scope(
    world: World, session: Session, mellemgruppen: Group, persona: str
) -> None:
    with pytest.raises(PermissionDenied):
        services.scores_save(
            by=world.persona(persona),
            session=session,
            cells=[Cell(mellemgruppen.child("Alma").pk, "run", "masters")],
        )
    assert not Score.objects.exists()
