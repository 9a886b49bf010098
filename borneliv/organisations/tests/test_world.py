"""The test world itself: built through the real services, as ``borneliv.testing`` promises."""

from __future__ import annotations

import pytest

from borneliv.accounts.models import Membership, User
from borneliv.organisations.models import Area, Institution, InstitutionArea, Municipality, Partner
from borneliv.testing import (
    INSTITUTIONS_FROM,
    PASSWORD,
    PERSONAS,
    World,
    add_daycares,
    build_world,
)


@pytest.mark.django_db
def test_build_world_creates_a_small_registry_and_one_persona_per_role() -> None:
    world = build_world()
    assert sorted(Municipality.objects.values_list("code", "name")) == [
        ("0165", "Albertslund"),
        ("0250", "Frederikssund"),
        ("0851", "Aalborg"),
    ]
    assert (Area.objects.count(), Area.objects.comparison().get()) == (4, world.vejgaard)
    assert Institution.objects.count() == InstitutionArea.objects.count() == 8
    assert Partner.objects.count() == 2
    assert sorted(User.objects.values_list("username", flat=True)) == sorted(PERSONAS)
    assert Membership.objects.count() == len(PERSONAS) - 1  # otto has none
    assert all(world.persona(name).check_password(PASSWORD) for name in PERSONAS)
    assert [u.username for u in User.objects.filter(is_staff=True)] == ["ada", "lars"]
    # Created through the services, so history has recorded every row.
    assert world.gl_lindholm_skole.history.get().history_type == "+"
    assert world.gl_lindholm_skole.official_number == "851012"


@pytest.mark.django_db
def test_add_daycares_can_be_called_again_without_clashing() -> None:
    world = build_world()
    first = add_daycares(world, 2)
    second = add_daycares(world, 2)
    assert len({d.official_number for d in first + second}) == 4
    assert Institution.objects.in_area_on(world.lindholm, INSTITUTIONS_FROM).count() == 7
    assert Institution.objects.in_area_on(world.lindholm, world.lindholm.start_date).count() == 0


def test_a_persona_must_be_one_of_the_named_personas(world: World) -> None:
    assert world.persona("hanne").username == "hanne"
    with pytest.raises(KeyError, match="bob is not a persona"):
        world.persona("bob")
    with pytest.raises(KeyError):
        world.persona("lindholm")  # an object of the world, but no persona
