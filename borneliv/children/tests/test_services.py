"""Writes to the registry: registering (and refusing duplicates), moves, vulnerability, enrolment."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from borneliv.accounts.models import today
from borneliv.children import services
from borneliv.children.models import Child, Family, Residence, VulnerabilityPeriod
from borneliv.children.testing import is_synthetic_cpr, synthetic_cpr
from borneliv.children.tests.conftest import Kids, register
from borneliv.lib import pseudonym
from borneliv.testing import World

pytestmark = pytest.mark.django_db

NEXT_YEAR = synthetic_cpr(today().replace(day=1) + dt.timedelta(days=366), 1)


# Registering


def test_it_registers_a_child_with_birth_date_sex_and_residence(world: World) -> None:
    cpr = synthetic_cpr(dt.date(2024, 2, 29), 7)  # serial 9007: odd, a boy
    child = services.child_register(
        cpr=cpr, first_name=" Karl ", last_name="Kro", area=world.lindholm, by=world.hanne
    )
    child.refresh_from_db()
    assert (child.first_name, child.last_name) == ("Karl", "Kro")
    assert child.birth_date == dt.date(2024, 2, 29)
    assert child.sex == "M"
    residence = Residence.objects.get(child=child)
    assert (residence.area, residence.valid_from, residence.valid_to) == (
        world.lindholm,
        dt.date(2024, 2, 29),
        None,
    )


def test_it_stores_the_cpr_number_only_encrypted_beside_a_keyed_pseudonym(world: World) -> None:
    cpr = synthetic_cpr(dt.date(2024, 5, 1), 10)
    child = services.child_register(cpr=cpr, first_name="A", last_name="B", area=world.lindholm)
    digits = cpr.replace("-", "")
    row = Child.objects.filter(pk=child.pk).values().get()
    assert not any(digits in str(value) for value in row.values())
    assert not any(cpr in str(value) for value in row.values())
    assert row["cpr_pseudonym"] == pseudonym.pseudonym(settings.PSEUDONYM_KEY, digits)
    assert services.cpr_of(child) == digits


def test_the_history_of_a_child_keeps_no_cpr_number(world: World) -> None:
    child, cpr = register(world.lindholm, "Ida", dt.date(2024, 5, 2), 11)
    services.child_update(child=child, first_name="Ida Marie", last_name="Testesen")
    for row in child.history.values():
        assert "cpr_ciphertext" not in row and "cpr_pseudonym" not in row
        assert not any(cpr.replace("-", "") in str(v) for v in row.values())


def test_it_starts_the_residence_on_the_given_date(world: World) -> None:
    child, _cpr = register(
        world.lindholm, "Ane", dt.date(2023, 5, 2), 12, resident_from=dt.date(2024, 1, 1)
    )
    assert Residence.objects.get(child=child).valid_from == dt.date(2024, 1, 1)


def test_it_refuses_a_residence_before_birth(world: World) -> None:
    with pytest.raises(ValidationError) as info:
        register(world.lindholm, "Ane", dt.date(2023, 5, 2), 12, resident_from=dt.date(2023, 5, 1))
    assert "resident_from" in info.value.message_dict
    assert not Child.objects.exists()


@pytest.mark.parametrize(
    ("cpr", "message"),
    [
        ("12345", "A CPR number has the form DDMMYY-SSSS (10 digits)."),
        ("320124-9001", "The first six digits of the CPR number are not a real date."),
        (NEXT_YEAR, "The CPR number gives a birth date in the future."),
    ],
)
def test_it_refuses_an_invalid_cpr_number_without_echoing_it(
    world: World, cpr: str, message: str
) -> None:
    with pytest.raises(ValidationError) as info:
        services.child_register(cpr=cpr, first_name="A", last_name="B", area=world.lindholm)
    assert info.value.message_dict == {"cpr": [message]}
    assert info.value.__cause__ is None  # the traceback carries no CprError with the input
    assert not Child.objects.exists()


def test_it_refuses_a_duplicate_and_points_to_the_child_the_user_can_see(
    world: World, kids: Kids
) -> None:
    with pytest.raises(services.DuplicateChildError) as info:
        services.child_register(
            cpr=kids.cpr["emma"], first_name="E", last_name="H", area=world.lindholm, by=world.hanne
        )
    assert info.value.existing == kids.emma
    assert info.value.messages == ["This child is registered already: Emma Holm, born 15.03.2024."]
    assert Child.objects.count() == 4


def test_it_refuses_a_duplicate_without_revealing_a_child_the_user_cannot_see(
    world: World, kids: Kids
) -> None:
    with pytest.raises(services.DuplicateChildError) as info:
        services.child_register(
            cpr=kids.cpr["emma"],
            first_name="E",
            last_name="H",
            area=world.herstedlund,
            by=world.astrid,
        )
    assert info.value.existing is None
    message = info.value.messages[0]
    assert message.startswith("A child with this CPR number is registered already")
    assert "Emma" not in message and "Holm" not in message and "2024" not in message


def test_a_duplicate_written_differently_is_still_a_duplicate(world: World, kids: Kids) -> None:
    with pytest.raises(services.DuplicateChildError):
        services.child_register(
            cpr=kids.cpr["emma"].replace("-", " "),
            first_name="E",
            last_name="H",
            area=world.lindholm,
        )


def test_registering_in_a_new_family_is_all_or_nothing(world: World, kids: Kids) -> None:
    families = Family.objects.count()
    with pytest.raises(services.DuplicateChildError):
        services.child_register_with_family(
            family_name="Ny",
            guardians=[{"name": "Mor", "relation": "mother"}],
            cpr=kids.cpr["noah"],
            first_name="N",
            last_name="N",
            area=world.lindholm,
        )
    assert Family.objects.count() == families
    child = services.child_register_with_family(
        family_name="Ny",
        guardians=[{"name": "Mor", "relation": "mother"}],
        cpr=synthetic_cpr(dt.date(2025, 2, 1), 20),
        first_name="N",
        last_name="N",
        area=world.lindholm,
    )
    assert child.family is not None and child.family.name == "Ny"
    assert [g.name for g in child.family.guardians.all()] == ["Mor"]


# Synthetic numbers


def test_synthetic_numbers_are_valid_and_in_the_documented_range() -> None:
    for born in (
        dt.date(1937, 1, 1),
        dt.date(1999, 12, 31),
        dt.date(2000, 1, 1),
        dt.date(2036, 12, 31),
    ):
        for serial in (0, 999):
            assert is_synthetic_cpr(synthetic_cpr(born, serial))
    assert synthetic_cpr(dt.date(2024, 1, 1), 0, sex="M").endswith("9001")
    assert synthetic_cpr(dt.date(2024, 1, 1), 999, sex="F").endswith("9998")
    with pytest.raises(ValueError):
        synthetic_cpr(dt.date(2037, 1, 1))
    with pytest.raises(ValueError):
        synthetic_cpr(dt.date(2024, 1, 1), 1000)


# Moving


def test_a_move_ends_the_current_residence_the_day_before(world: World, kids: Kids) -> None:
    services.child_move(child=kids.emma, area=world.herstedlund, on=dt.date(2025, 6, 1))
    rows = list(
        Residence.objects.filter(child=kids.emma)
        .order_by("valid_from")
        .values_list("area__name", "valid_from", "valid_to")
    )
    assert rows == [
        ("Lindholm", dt.date(2024, 3, 15), dt.date(2025, 5, 31)),
        ("Herstedlund", dt.date(2025, 6, 1), None),
    ]


def test_a_move_keeps_the_history_and_changes_who_sees_the_child(world: World, kids: Kids) -> None:
    services.child_move(child=kids.emma, area=world.vejgaard, on=dt.date(2025, 1, 1))
    services.child_move(child=kids.emma, area=world.herstedlund, on=dt.date(2025, 6, 1))
    assert Residence.objects.filter(child=kids.emma).count() == 3
    assert not Child.objects.visible_to(world.hanne).filter(pk=kids.emma.pk).exists()
    assert Child.objects.visible_to(world.astrid).filter(pk=kids.emma.pk).exists()


@pytest.mark.parametrize(
    ("area", "on", "field"),
    [
        ("lindholm", dt.date(2025, 1, 1), "area"),  # lives there already
        ("vejgaard", dt.date(2024, 3, 15), "valid_from"),  # on the current residence's start
        ("vejgaard", dt.date(2024, 1, 1), "valid_from"),  # before birth
    ],
)
def test_it_refuses_an_impossible_move(
    world: World, kids: Kids, area: str, on: dt.date, field: str
) -> None:
    with pytest.raises(ValidationError) as info:
        services.child_move(child=kids.emma, area=world.get(area), on=on)  # type: ignore[arg-type]
    assert field in info.value.message_dict
    assert Residence.objects.filter(child=kids.emma).count() == 1


# Vulnerability


def test_it_sets_and_clears_a_vulnerability_marker(world: World, kids: Kids) -> None:
    berg = kids.freja.family
    assert berg is not None
    period = services.vulnerability_set(
        family=berg, reason="social", valid_from=dt.date(2024, 7, 1), by=world.astrid, note="n"
    )
    assert VulnerabilityPeriod.objects.valid_on(dt.date(2024, 8, 1)).filter(family=berg).exists()
    services.vulnerability_clear(period=period, on=dt.date(2024, 12, 31), by=world.astrid)
    period.refresh_from_db()
    assert (period.valid_to, period.set_by, period.cleared_by) == (
        dt.date(2024, 12, 31),
        world.astrid,
        world.astrid,
    )
    assert (
        not VulnerabilityPeriod.objects.valid_on(dt.date(2025, 1, 1)).filter(family=berg).exists()
    )


@pytest.mark.parametrize(
    "valid_from",
    [dt.date(2024, 1, 1), dt.date(2024, 6, 1), dt.date(2024, 12, 31)],
    ids=["before", "inside", "last day"],
)
def test_it_refuses_a_marker_overlapping_a_closed_one(
    world: World, kids: Kids, valid_from: dt.date
) -> None:
    berg = kids.freja.family
    assert berg is not None
    period = services.vulnerability_set(
        family=berg, reason="social", valid_from=dt.date(2024, 3, 1), by=None
    )
    services.vulnerability_clear(period=period, on=dt.date(2024, 12, 31), by=None)
    with pytest.raises(ValidationError) as info:
        services.vulnerability_set(family=berg, reason="other", valid_from=valid_from, by=None)
    assert "already marked vulnerable" in info.value.message_dict["valid_from"][0]
    # The day after the marker ended is free.
    services.vulnerability_set(family=berg, reason="other", valid_from=dt.date(2025, 1, 1), by=None)


def test_it_refuses_a_second_open_marker(world: World, kids: Kids) -> None:
    holm = kids.emma.family
    assert holm is not None
    with pytest.raises(ValidationError):
        services.vulnerability_set(
            family=holm, reason="other", valid_from=dt.date(2026, 1, 1), by=world.hanne
        )


def test_it_refuses_clearing_twice_or_before_the_start(world: World, kids: Kids) -> None:
    period = VulnerabilityPeriod.objects.get(family=kids.emma.family)
    with pytest.raises(ValidationError):
        services.vulnerability_clear(period=period, on=dt.date(2024, 3, 14), by=None)
    services.vulnerability_clear(period=period, on=dt.date(2024, 3, 15), by=None)
    with pytest.raises(ValidationError):
        services.vulnerability_clear(period=period, on=dt.date(2024, 4, 1), by=None)


# Enrolment


def test_it_enrols_a_child_and_ends_the_place(world: World, kids: Kids) -> None:
    enrolment = services.enrolment_start(
        child=kids.oscar,
        institution=world.lindholm_daycare,
        valid_from=dt.date(2023, 8, 1),
        group=" Myretuen ",
    )
    assert enrolment.group == "Myretuen"
    services.enrolment_end(enrolment=enrolment, on=dt.date(2025, 7, 31))
    enrolment.refresh_from_db()
    assert enrolment.valid_to == dt.date(2025, 7, 31)


def test_it_refuses_two_daycares_at_once_but_allows_a_daycare_and_a_school(
    world: World, kids: Kids
) -> None:
    services.enrolment_start(
        child=kids.oscar, institution=world.lindholm_daycare, valid_from=dt.date(2023, 8, 1)
    )
    with pytest.raises(ValidationError):
        services.enrolment_start(
            child=kids.oscar, institution=world.lindholm_daycare, valid_from=dt.date(2024, 1, 1)
        )
    services.enrolment_start(
        child=kids.oscar, institution=world.gl_lindholm_skole, valid_from=dt.date(2024, 1, 1)
    )


def test_it_refuses_enrolment_in_a_health_visiting_unit_or_before_birth(
    world: World, kids: Kids
) -> None:
    with pytest.raises(ValidationError) as info:
        services.enrolment_start(
            child=kids.oscar, institution=world.aalborg_health, valid_from=dt.date(2023, 8, 1)
        )
    assert "institution" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        services.enrolment_start(
            child=kids.oscar, institution=world.lindholm_daycare, valid_from=dt.date(2022, 1, 1)
        )
    assert "valid_from" in info.value.message_dict


def test_it_refuses_ending_an_enrolment_before_it_starts(world: World, kids: Kids) -> None:
    enrolment = services.enrolment_start(
        child=kids.oscar, institution=world.lindholm_daycare, valid_from=dt.date(2023, 8, 1)
    )
    with pytest.raises(ValidationError):
        services.enrolment_end(enrolment=enrolment, on=dt.date(2023, 7, 31))


# Families


def test_a_family_is_created_for_a_child_without_one(world: World, kids: Kids) -> None:
    family = services.family_create_for_child(child=kids.noah, name="Nielsen")
    kids.noah.refresh_from_db()
    assert kids.noah.family == family
    with pytest.raises(ValidationError):
        services.family_create_for_child(child=kids.noah, name="Again")


def test_the_masked_number_is_the_birth_date_part(world: World, kids: Kids) -> None:
    from borneliv.lib.cpr import mask

    for child in kids.all():
        assert child.cpr_masked == mask(services.cpr_of(child))
