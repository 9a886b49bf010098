from __future__ import annotations

from decimal import Decimal

from borneliv.motor import services
from borneliv.motor.models import Level
from borneliv.motor.tests.conftest import Group


def test_session_lists_the_groups_four_year_olds(session, mellemgruppen: Group) -> None:
    names = sorted(a.child.first_name for a in session.assessments.all())
    assert names == sorted(c.first_name for c in mellemgruppen.children)


def test_scores_give_the_summary(world, session, mellemgruppen: Group) -> None:
    alma = mellemgruppen.child("Alma")
    codes = ["run", "jump", "hop", "climb", "one_leg", "beam"]
    cells = [services.Cell(alma.pk, code, "masters") for code in codes]
    cells[0] = services.Cell(alma.pk, "run", "not_yet")
    (assessment,) = services.scores_save(by=world.hanne, session=session, cells=cells)
    assert assessment.level == Level.FEW_SIGNS
    assert assessment.remarks == Decimal("1")
    assert assessment.assessed_items == 6
