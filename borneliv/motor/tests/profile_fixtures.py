"""Known answers for a group profile, and other groups to compare it with.

``MELLEMGRUPPEN`` gives the ten children of the ``session`` fixture (Alma … Johan, in that order)
one answer per item. What the profile must then say (mastery = 1 − mean remark weight):

=================  =====================================  =========  ==========================
domain             items                                  mastery    role
=================  =====================================  =========  ==========================
body awareness     roll 9½/10, imitate 10/10              0.975      strength
balance            one_leg 9/10, beam 9/10                0.90       strength: 8 of 10 master all
locomotion         run 10, jump 9½, hop 8, climb 8 /10    0.8875     strength
ball skills        throw 7, catch 6½, kick 8 /10          0.7167     focus: catch, 5 of 10
fine motor         pencil_grip 6/10                       0.60       focus: 6 of 10
=================  =====================================  =========  ==========================

Summary levels (rule of motor-4 v1: few signs from 1 remark, challenges from 3): Alma–Ella
age-appropriate (5), Frode, Gry, Hugo few signs (3), Ida and Johan challenges (2).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from itertools import count

from borneliv.accounts.models import User
from borneliv.children import services as children_services
from borneliv.children.testing import synthetic_cpr
from borneliv.motor import services
from borneliv.motor.models import InstrumentVersion, Session
from borneliv.organisations import services as organisation_services
from borneliv.organisations.models import Area, Institution

M, W, N = "masters", "on_its_way", "not_yet"
OFTEN, SOMETIMES, RARELY = "often", "sometimes", "rarely"

#: One column per child, Alma … Johan.
MELLEMGRUPPEN: dict[str, tuple[str, ...]] = {
    "run": (M, M, M, M, M, M, M, M, M, M),
    "jump": (M, M, M, M, M, M, M, M, M, W),
    "hop": (M, M, M, M, M, M, W, W, W, W),
    "climb": (M, M, M, M, M, M, M, M, N, N),
    "one_leg": (M, M, M, M, M, M, M, M, W, W),
    "beam": (M, M, M, M, M, M, M, M, M, N),
    "throw": (M, M, M, M, M, M, W, W, N, N),
    "catch": (M, M, M, M, M, W, W, W, N, N),
    "kick": (M, M, M, M, M, M, M, W, W, N),
    "roll": (M, M, M, M, M, M, M, M, M, W),
    "imitate": (M, M, M, M, M, M, M, M, M, M),
    "pencil_grip": (M, M, M, M, W, W, W, W, N, N),
    "joy": (OFTEN,) * 7 + (SOMETIMES, SOMETIMES, RARELY),
    "courage": (OFTEN,) * 5 + (SOMETIMES,) * 3 + (RARELY, RARELY),
}

_serials = count(300)
_numbers = count(86000)


def score(by: User, session: Session, children_ids: Sequence[int], answers: dict) -> None:
    """Save ``answers`` (item code → one value per child, in order) through the service."""
    cells = [
        services.Cell(child_id, code, values[n])
        for code, values in answers.items()
        for n, child_id in enumerate(children_ids)
        if values[n]
    ]
    services.scores_save(by=by, session=session, cells=cells)


def uniform(value: str, size: int) -> dict[str, tuple[str, ...]]:
    """Every skill item answered ``value`` by ``size`` children (joy and courage: often)."""
    answers = {code: (value,) * size for code in MELLEMGRUPPEN}
    answers["joy"] = answers["courage"] = (OFTEN,) * size
    return answers


def daycare(municipality: object, area: Area, name: str) -> Institution:
    return organisation_services.institution_create(
        municipality=municipality,  # type: ignore[arg-type]
        area=area,
        member_from=dt.date(2024, 8, 1),
        name=name,
        kind=Institution.Kind.DAYCARE,
        official_number=str(next(_numbers)),
        latitude=57.05,
        longitude=9.92,
    )


def other_group(
    *,
    by: User,
    institution: Institution,
    area: Area,
    version: InstrumentVersion,
    held_on: dt.date,
    answers: dict[str, tuple[str, ...]],
    group: str = "Bien",
) -> Session:
    """A group of four-year-olds at ``institution``, assessed on ``held_on`` with ``answers``."""
    size = len(next(iter(answers.values())))
    ids = []
    for n in range(size):
        born = held_on.replace(year=held_on.year - 4) - dt.timedelta(days=30 + n)
        child = children_services.child_register(
            cpr=synthetic_cpr(born, next(_serials)),
            first_name=f"Barn{n}",
            last_name=group,
            area=area,
        )
        children_services.enrolment_start(
            child=child,
            institution=institution,
            valid_from=held_on - dt.timedelta(days=300),
            group=group,
        )
        ids.append(child.pk)
    session = services.session_create(
        by=by, institution=institution, group=group, held_on=held_on, version=version
    )
    score(by, session, ids, answers)
    return session
