"""Fixtures of the motor tests, on top of the children tests' module world.

``mellemgruppen``: ten children born 2022 (about four years old on ``SESSION_DAY``), living in
Lindholm (Aalborg) and enrolled in "Mellemgruppen" of the Lindholm daycare, plus one
five-year-old (``older``) in the same group, outside the 4-year instrument's ages, and one child
(``elsewhere``) enrolled in another group. ``petra`` is a pedagogue of the Lindholm daycare;
hanne (health visitor, Aalborg) serves it; pia (pedagogue of Troldhøj) and astrid (health
visitor, Albertslund) do not.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from borneliv.accounts import services as account_services
from borneliv.accounts.models import Role, User
from borneliv.children import services as children_services
from borneliv.children.models import Child
from borneliv.children.testing import synthetic_cpr
from borneliv.children.tests.conftest import (  # noqa: F401  (fixtures, registered by import)
    ClientFor,
    _in_english,
    client_for,
    world,
)
from borneliv.motor import services
from borneliv.motor.models import InstrumentVersion, Session
from borneliv.testing import MEMBERS_FROM, World, make_user

GROUP = "Mellemgruppen"
SESSION_DAY = dt.date(2026, 10, 6)
NAMES = ("Alma", "Bertram", "Clara", "Damir", "Ella", "Frode", "Gry", "Hugo", "Ida", "Johan")


@dataclass
class Group:
    children: list[Child]  # the ten four-year-olds, by first name
    older: Child
    elsewhere: Child
    petra: User

    def child(self, first_name: str) -> Child:
        return next(c for c in self.children if c.first_name == first_name)


@pytest.fixture
def motor4() -> InstrumentVersion:
    return InstrumentVersion.objects.get(instrument__code="motor-4", number=1)


@pytest.fixture
def mellemgruppen(world: World) -> Group:  # noqa: F811
    daycare = world.lindholm_daycare
    children = []
    for n, name in enumerate(NAMES):
        born = dt.date(2022, 1 + n, 10 + n)
        child = children_services.child_register(
            cpr=synthetic_cpr(born, 100 + n),
            first_name=name,
            last_name="Lindholm",
            area=world.lindholm,
        )
        children_services.enrolment_start(
            child=child, institution=daycare, valid_from=dt.date(2025, 8, 1), group=GROUP
        )
        children.append(child)
    older = children_services.child_register(
        cpr=synthetic_cpr(dt.date(2021, 3, 3), 200),
        first_name="Karla",
        last_name="Lindholm",
        area=world.lindholm,
    )
    children_services.enrolment_start(
        child=older, institution=daycare, valid_from=dt.date(2025, 8, 1), group=GROUP
    )
    elsewhere = children_services.child_register(
        cpr=synthetic_cpr(dt.date(2022, 6, 6), 201),
        first_name="Lauge",
        last_name="Lindholm",
        area=world.lindholm,
    )
    children_services.enrolment_start(
        child=elsewhere, institution=daycare, valid_from=dt.date(2025, 8, 1), group="Storegruppen"
    )
    petra = make_user("petra", "Petra", "Poulsen")
    account_services.membership_create(
        user=petra, role=Role.PEDAGOGUE, institution=daycare, valid_from=MEMBERS_FROM
    )
    return Group(children=children, older=older, elsewhere=elsewhere, petra=petra)


@pytest.fixture
def session(
    world: World,  # noqa: F811
    mellemgruppen: Group,
    motor4: InstrumentVersion,
) -> Session:
    """An open session of Mellemgruppen on SESSION_DAY, by hanne with petra observing."""
    return services.session_create(
        by=world.hanne,
        institution=world.lindholm_daycare,
        group=GROUP,
        held_on=SESSION_DAY,
        version=motor4,
        observers=[world.hanne, mellemgruppen.petra],
    )
