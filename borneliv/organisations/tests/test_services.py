"""Writes to the registry: good input is saved, bad input is refused clearly and saves nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from borneliv.organisations import services
from borneliv.organisations.models import Area, Institution, InstitutionArea, Municipality, Partner
from borneliv.testing import INSTITUTIONS_FROM, PROGRAMME_START, World

pytestmark = pytest.mark.django_db

SCHOOL = Institution.Kind.SCHOOL
DAYCARE = Institution.Kind.DAYCARE


def registry_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Municipality, Area, Institution, InstitutionArea, Partner)
    }


@contextmanager
def refused(
    message_dict: dict[str, list[str]] | None = None, *, messages: list[str] | None = None
) -> Iterator[None]:
    """Expect a ValidationError with exactly these English messages, and no change in the registry."""
    before = registry_counts()
    with translation.override("en"), pytest.raises(ValidationError) as excinfo:
        yield
    with translation.override("en"):
        if message_dict is not None:
            assert excinfo.value.message_dict == message_dict
        if messages is not None:
            assert excinfo.value.messages == messages
    assert registry_counts() == before


def school(world: World, **overrides: Any) -> Institution:
    """A new Aalborg school in Lindholm, via the service."""
    fields: dict[str, Any] = {
        "municipality": world.aalborg,
        "area": world.lindholm,
        "member_from": PROGRAMME_START,
        "name": "Lindholm Friskole",
        "kind": SCHOOL,
        "official_number": "851099",
    }
    fields.update(overrides)
    return services.institution_create(**fields)


# Municipalities


def test_it_creates_a_municipality_with_a_real_code(world: World) -> None:
    copenhagen = services.municipality_create(name=" København ", code="0101")
    assert Municipality.objects.get(code="0101") == copenhagen
    assert copenhagen.name == "København"


FOUR_DIGITS = "A municipality code has exactly 4 digits, e.g. 0851."


@pytest.mark.parametrize(
    ("code", "messages"),
    [
        ("851", [FOUR_DIGITS]),
        ("08a1", [FOUR_DIGITS]),
        ("٠١٠١", [FOUR_DIGITS]),
        ("08510", [FOUR_DIGITS, "Ensure this value has at most 4 characters (it has 5)."]),
        ("", ["This field cannot be blank."]),
    ],
)
def test_it_refuses_a_municipality_code_that_is_not_four_digits(
    world: World, code: str, messages: list[str]
) -> None:
    with refused({"code": messages}):
        services.municipality_create(name="Nowhere", code=code)


@pytest.mark.parametrize("code", ["0000", "0999", "0852"])
def test_it_refuses_four_digits_that_are_no_municipality(world: World, code: str) -> None:
    with refused({"code": [f"{code} is not the code of a Danish municipality."]}):
        services.municipality_create(name="Nowhere", code=code)


def test_it_refuses_a_second_municipality_with_the_same_code(world: World) -> None:
    with refused({"code": ["A municipality with this code already exists."]}):
        services.municipality_create(name="Aalborg igen", code="0851")


def test_the_database_refuses_a_malformed_code_even_without_the_service(world: World) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Municipality.objects.create(name="Nowhere", code="85a1")


# Areas


def test_it_creates_an_area(world: World) -> None:
    area = services.area_create(
        municipality=world.aalborg,
        name=" Nørresundby ",
        kind=Area.Kind.PROGRAMME,
        start_date=PROGRAMME_START,
    )
    assert area.name == "Nørresundby"
    assert list(Area.objects.filter(municipality=world.aalborg).order_by("name")) == [
        world.lindholm,
        area,
        world.vejgaard,
    ]


def test_it_refuses_a_second_area_with_the_same_name_in_a_municipality(world: World) -> None:
    with refused(messages=["This municipality already has an area with this name."]):
        services.area_create(
            municipality=world.aalborg,
            name="Lindholm",
            kind=Area.Kind.COMPARISON,
            start_date=PROGRAMME_START,
        )


def test_it_allows_the_same_area_name_in_another_municipality(world: World) -> None:
    area = services.area_create(
        municipality=world.albertslund,
        name="Lindholm",
        kind=Area.Kind.PROGRAMME,
        start_date=PROGRAMME_START,
    )
    assert area.municipality == world.albertslund


def test_it_refuses_an_area_of_an_unknown_kind(world: World) -> None:
    with refused({"kind": ["Value 'pilot' is not a valid choice."]}):
        services.area_create(
            municipality=world.aalborg, name="Gug", kind="pilot", start_date=PROGRAMME_START
        )


def test_it_updates_an_area_but_never_its_municipality(world: World) -> None:
    services.area_update(area=world.lindholm, description="Nørresundby, north of the fjord")
    world.lindholm.refresh_from_db()
    assert world.lindholm.description == "Nørresundby, north of the fjord"
    with pytest.raises(TypeError, match="unexpected keyword argument 'municipality'"):
        services.area_update(area=world.lindholm, municipality=world.albertslund)  # type: ignore[call-arg]


# Institutions


def test_it_creates_an_institution_with_its_first_area_membership(world: World) -> None:
    friskole = school(world, street="Lindholmsvej 1", postcode="9400", city="Nørresundby")
    membership = InstitutionArea.objects.get(institution=friskole)
    assert (membership.area, membership.valid_from, membership.valid_to) == (
        world.lindholm,
        PROGRAMME_START,
        None,
    )
    assert friskole.address == "Lindholmsvej 1, 9400 Nørresundby"


@pytest.mark.parametrize("number", ["85109", "8510990", "85a099", "٨٥١٠٩٩"])
def test_it_refuses_an_invalid_instnr(world: World, number: str) -> None:
    with refused(
        {"official_number": ["A school's institution number (INSTNR) has exactly 6 digits."]}
    ):
        school(world, official_number=number)


def test_it_refuses_an_invalid_daycare_number(world: World) -> None:
    with refused({"official_number": ["A Dagtilbudsregister number consists of 3 to 10 digits."]}):
        school(world, kind=DAYCARE, official_number="12")


def test_it_refuses_an_invalid_sor_code(world: World) -> None:
    with refused({"official_number": ["A SOR code consists of 6 to 18 digits."]}):
        school(world, kind=Institution.Kind.HEALTH_VISITING, official_number="12345")


def test_the_database_refuses_a_malformed_instnr_even_without_the_service(world: World) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Institution.objects.create(
            municipality=world.aalborg, name="Bad", kind=SCHOOL, official_number="85109"
        )


def test_it_refuses_a_duplicate_instnr(world: World) -> None:
    with refused(messages=["Another school already has this institution number."]):
        school(world, official_number=world.gl_lindholm_skole.official_number)


def test_it_refuses_an_sfo_with_a_schools_instnr_from_the_same_register(world: World) -> None:
    with refused(messages=["Another school already has this institution number."]):
        school(
            world,
            kind=Institution.Kind.SFO,
            official_number=world.herstedlund_skole.official_number,
        )


def test_it_refuses_a_duplicate_daycare_number(world: World) -> None:
    with refused(messages=["Another daycare already has this Dagtilbudsregister number."]):
        school(world, kind=DAYCARE, official_number=world.troldhoj.official_number)


def test_it_refuses_a_duplicate_sor_code(world: World) -> None:
    with refused(messages=["Another health-visiting unit has this SOR code."]):
        school(
            world,
            kind=Institution.Kind.HEALTH_VISITING,
            official_number=world.aalborg_health.official_number,
        )


def test_it_allows_the_same_digits_in_another_register(world: World) -> None:
    daycare = school(world, kind=DAYCARE, official_number=world.gl_lindholm_skole.official_number)
    assert daycare.official_number == "851012"


def test_it_allows_several_institutions_without_an_official_number(world: World) -> None:
    first = school(world, name="Uden nummer 1", official_number="")
    second = school(world, name="Uden nummer 2", official_number="")
    assert first.official_number == second.official_number == ""


@pytest.mark.parametrize(
    "kind", [SCHOOL, Institution.Kind.SFO, DAYCARE, Institution.Kind.HEALTH_VISITING]
)
def test_the_database_refuses_a_duplicate_official_number_even_without_the_service(
    world: World, kind: str
) -> None:
    taken: str = {
        SCHOOL: world.gl_lindholm_skole,
        Institution.Kind.SFO: world.gl_lindholm_skole,
        DAYCARE: world.troldhoj,
        Institution.Kind.HEALTH_VISITING: world.aalborg_health,
    }[Institution.Kind(kind)].official_number
    with pytest.raises(IntegrityError), transaction.atomic():
        Institution.objects.create(
            municipality=world.aalborg, name="Copy", kind=kind, official_number=taken
        )


def test_it_refuses_an_institution_without_an_area(world: World) -> None:
    with refused({"area": ["An institution must belong to an area. Choose the area it lies in."]}):
        school(world, area=None)


def test_it_refuses_an_area_in_another_municipality(world: World) -> None:
    with refused(
        {"area": ["Herstedlund lies in Albertslund, but Lindholm Friskole belongs to Aalborg."]}
    ):
        school(world, area=world.herstedlund)


def test_it_refuses_a_location_outside_denmark(world: World) -> None:
    with refused(
        {"latitude": ["The location lies outside Denmark; check latitude and longitude (WGS84)."]}
    ):
        school(world, latitude=9.9, longitude=57.06)


def test_it_refuses_half_a_location(world: World) -> None:
    with refused({"latitude": ["Give both latitude and longitude, or neither."]}):
        school(world, latitude=57.06)


def test_it_refuses_an_invalid_postcode(world: World) -> None:
    with refused({"postcode": ["A Danish postcode has 4 digits between 0800 and 9990."]}):
        school(world, postcode="0123")


def test_it_updates_an_institutions_details(world: World) -> None:
    services.institution_update(
        institution=world.gl_lindholm_skole, name=" Gl. Lindholm Skole og SFO ", postcode="9400"
    )
    world.gl_lindholm_skole.refresh_from_db()
    assert (world.gl_lindholm_skole.name, world.gl_lindholm_skole.postcode) == (
        "Gl. Lindholm Skole og SFO",
        "9400",
    )


def test_it_refuses_an_update_with_an_invalid_instnr_and_keeps_the_old_one(world: World) -> None:
    with refused(
        {"official_number": ["A school's institution number (INSTNR) has exactly 6 digits."]}
    ):
        services.institution_update(institution=world.gl_lindholm_skole, official_number="1")
    assert Institution.objects.get(pk=world.gl_lindholm_skole.pk).official_number == "851012"


@pytest.mark.parametrize("field", ["kind", "municipality", "is_synthetic"])
def test_it_never_changes_an_institutions_kind_or_municipality_by_update(
    world: World, field: str
) -> None:
    with pytest.raises(TypeError, match=f"unexpected keyword argument '{field}'"):
        changes: dict[str, Any] = {field: "x"}
        services.institution_update(institution=world.gl_lindholm_skole, **changes)


# Area memberships over time


def test_it_refuses_an_overlapping_area_membership(world: World) -> None:
    with refused(
        {
            "valid_from": [
                "Gl. Lindholm Skole already belongs to Lindholm from 01.08.2024; an institution "
                "belongs to one area at a time. End that membership first."
            ]
        }
    ):
        services.institution_join_area(
            institution=world.gl_lindholm_skole,
            area=world.vejgaard,
            valid_from=dt.date(2025, 1, 1),
        )


def test_it_refuses_a_period_overlapping_an_ended_membership(world: World) -> None:
    membership = InstitutionArea.objects.get(institution=world.gl_lindholm_skole)
    services.institution_area_set_end(membership=membership, valid_to=dt.date(2025, 7, 31))
    with refused(
        {
            "valid_from": [
                "Gl. Lindholm Skole already belongs to Lindholm from 01.08.2024 to 31.07.2025; an "
                "institution belongs to one area at a time. End that membership first."
            ]
        }
    ):
        services.institution_join_area(
            institution=world.gl_lindholm_skole,
            area=world.vejgaard,
            valid_from=dt.date(2025, 7, 31),
        )


def test_it_accepts_a_membership_starting_the_day_after_the_last_ended(world: World) -> None:
    membership = InstitutionArea.objects.get(institution=world.gl_lindholm_skole)
    services.institution_area_set_end(membership=membership, valid_to=dt.date(2025, 7, 31))
    services.institution_join_area(
        institution=world.gl_lindholm_skole, area=world.vejgaard, valid_from=dt.date(2025, 8, 1)
    )
    assert list(
        InstitutionArea.objects.filter(institution=world.gl_lindholm_skole)
        .order_by("valid_from")
        .values_list("area__name", "valid_from", "valid_to")
    ) == [
        ("Lindholm", INSTITUTIONS_FROM, dt.date(2025, 7, 31)),
        ("Vejgaard", dt.date(2025, 8, 1), None),
    ]


def test_it_refuses_a_membership_ending_before_it_starts(world: World) -> None:
    membership = InstitutionArea.objects.get(institution=world.gl_lindholm_skole)
    with refused({"valid_to": ["A membership cannot end before it starts."]}):
        services.institution_area_set_end(membership=membership, valid_to=dt.date(2024, 7, 31))
    membership.refresh_from_db()
    assert membership.valid_to is None


def test_it_refuses_to_reopen_a_membership_over_a_later_one(world: World) -> None:
    services.institution_move_to_area(
        institution=world.gl_lindholm_skole, area=world.vejgaard, on=dt.date(2025, 8, 1)
    )
    first = InstitutionArea.objects.get(institution=world.gl_lindholm_skole, area=world.lindholm)
    with refused(
        {
            "valid_from": [
                "Gl. Lindholm Skole already belongs to Vejgaard from 01.08.2025; an institution "
                "belongs to one area at a time. End that membership first."
            ]
        }
    ):
        services.institution_area_set_end(membership=first, valid_to=None)


def test_it_refuses_joining_an_area_in_another_municipality(world: World) -> None:
    with refused(
        {"area": ["Herstedlund lies in Albertslund, but Gl. Lindholm Skole belongs to Aalborg."]}
    ):
        services.institution_join_area(
            institution=world.gl_lindholm_skole,
            area=world.herstedlund,
            valid_from=dt.date(2030, 1, 1),
        )


def test_moving_an_institution_between_areas_keeps_its_history(world: World) -> None:
    moved_on = dt.date(2025, 8, 1)
    services.institution_move_to_area(
        institution=world.gl_lindholm_skole, area=world.vejgaard, on=moved_on
    )

    day_before = moved_on - dt.timedelta(days=1)
    in_lindholm = Institution.objects.in_area_on
    assert world.gl_lindholm_skole in in_lindholm(world.lindholm, day_before)
    assert world.gl_lindholm_skole not in in_lindholm(world.lindholm, moved_on)
    assert world.gl_lindholm_skole not in in_lindholm(world.vejgaard, day_before)
    assert world.gl_lindholm_skole in in_lindholm(world.vejgaard, moved_on)
    assert list(
        InstitutionArea.objects.filter(institution=world.gl_lindholm_skole)
        .order_by("valid_from")
        .values_list("area__name", "valid_from", "valid_to")
    ) == [("Lindholm", INSTITUTIONS_FROM, day_before), ("Vejgaard", moved_on, None)]
    ended = InstitutionArea.objects.get(institution=world.gl_lindholm_skole, area=world.lindholm)
    assert [(h.history_type, h.valid_to) for h in ended.history.order_by("history_id")] == [
        ("+", None),
        ("~", day_before),
    ]


def test_it_refuses_moving_an_institution_to_the_area_it_is_in(world: World) -> None:
    with refused({"area": ["The institution already belongs to this area."]}):
        services.institution_move_to_area(
            institution=world.gl_lindholm_skole, area=world.lindholm, on=dt.date(2025, 8, 1)
        )


def test_it_refuses_a_move_dated_on_the_day_the_membership_started(world: World) -> None:
    with refused({"valid_from": ["The move must be dated after the current membership started."]}):
        services.institution_move_to_area(
            institution=world.gl_lindholm_skole, area=world.vejgaard, on=INSTITUTIONS_FROM
        )


def test_it_refuses_a_move_before_a_later_membership(world: World) -> None:
    services.institution_move_to_area(
        institution=world.gl_lindholm_skole, area=world.vejgaard, on=dt.date(2026, 8, 1)
    )
    with refused({"valid_from": ["The institution has a later membership; change that one."]}):
        services.institution_move_to_area(
            institution=world.gl_lindholm_skole, area=world.vejgaard, on=dt.date(2025, 8, 1)
        )


def test_a_refused_move_to_another_municipality_leaves_the_current_membership_open(
    world: World,
) -> None:
    with refused(
        {"area": ["Herstedlund lies in Albertslund, but Gl. Lindholm Skole belongs to Aalborg."]}
    ):
        services.institution_move_to_area(
            institution=world.gl_lindholm_skole, area=world.herstedlund, on=dt.date(2025, 8, 1)
        )
    membership = InstitutionArea.objects.get(institution=world.gl_lindholm_skole)
    assert (membership.area, membership.valid_to) == (world.lindholm, None)


# Partners


def test_it_creates_a_partner_in_an_area(world: World) -> None:
    partner = services.partner_create(
        municipality=world.aalborg,
        area=world.lindholm,
        name="Lindholm Bibliotek",
        kind=Partner.Kind.CULTURAL,
        website="https://example.org/bibliotek",
    )
    assert list(Partner.objects.filter(area=world.lindholm).order_by("name")) == [
        partner,
        world.lindholm_if,
    ]


def test_it_refuses_a_partner_in_an_area_of_another_municipality(world: World) -> None:
    with refused({"area": ["The area belongs to another municipality than the partner."]}):
        services.partner_create(
            municipality=world.aalborg,
            area=world.herstedlund,
            name="Vandrer Klubben",
            kind=Partner.Kind.VOLUNTEER,
        )


def test_it_refuses_a_second_partner_with_the_same_name_in_a_municipality(world: World) -> None:
    with refused(messages=["This municipality already has a partner with this name."]):
        services.partner_create(
            municipality=world.aalborg, name="Lindholm IF", kind=Partner.Kind.SPORTS_CLUB
        )


def test_it_refuses_a_partner_with_an_invalid_email(world: World) -> None:
    with refused({"contact_email": ["Enter a valid email address."]}):
        services.partner_create(
            municipality=world.aalborg,
            name="Brugsen",
            kind=Partner.Kind.BUSINESS,
            contact_email="not an address",
        )


def test_it_refuses_moving_a_partner_to_an_area_of_another_municipality(world: World) -> None:
    with refused({"area": ["The area belongs to another municipality than the partner."]}):
        services.partner_update(partner=world.lindholm_if, area=world.herstedlund)
    assert Partner.objects.get(pk=world.lindholm_if.pk).area == world.lindholm


def test_it_never_moves_a_partner_to_another_municipality_by_update(world: World) -> None:
    update: Callable[..., Partner] = services.partner_update
    with pytest.raises(TypeError, match="unexpected keyword argument 'municipality'"):
        update(partner=world.lindholm_if, municipality=world.albertslund)
