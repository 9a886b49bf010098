"""The Django-free checks of Danish identifiers."""

from __future__ import annotations

import pytest

from borneliv.lib import dk


def test_it_knows_the_98_municipalities_by_four_digit_code() -> None:
    assert len(dk.MUNICIPALITIES) == 98
    assert all(len(code) == 4 and code.isdigit() for code in dk.MUNICIPALITIES)
    assert dk.MUNICIPALITIES["0851"] == "Aalborg"
    assert dk.MUNICIPALITIES["0165"] == "Albertslund"
    assert dk.MUNICIPALITIES["0250"] == "Frederikssund"


@pytest.mark.parametrize("code", ["0851", "0101", "0165", "0250", "0860"])
def test_it_accepts_a_municipality_code(code: str) -> None:
    assert dk.check_municipality_code(code) is None


@pytest.mark.parametrize("code", ["851", "08510", "08a1", "", " 0851", "0851 ", "٠٨٥١"])
def test_it_refuses_a_municipality_code_that_is_not_four_digits(code: str) -> None:
    assert dk.check_municipality_code(code) == (
        "A municipality code has exactly 4 digits, e.g. 0851."
    )


@pytest.mark.parametrize("code", ["0000", "0999", "0852", "9999"])
def test_it_refuses_four_digits_that_are_no_municipality(code: str) -> None:
    assert dk.check_municipality_code(code) == (
        "%(code)s is not the code of a Danish municipality."
    )


def test_it_accepts_a_six_digit_school_number() -> None:
    assert dk.check_school_number("851012") is None


@pytest.mark.parametrize("number", ["85101", "8510123", "85101a", "", "851 012", "٨٥١٠١٢"])
def test_it_refuses_a_school_number_that_is_not_six_digits(number: str) -> None:
    assert dk.check_school_number(number) == (
        "A school's institution number (INSTNR) has exactly 6 digits."
    )


@pytest.mark.parametrize("number", ["123", "1234567890"])
def test_it_accepts_a_daycare_number_of_3_to_10_digits(number: str) -> None:
    assert dk.check_daycare_number(number) is None


@pytest.mark.parametrize("number", ["12", "12345678901", "12a4", "", "١٢٣٤"])
def test_it_refuses_a_daycare_number_outside_3_to_10_digits(number: str) -> None:
    assert dk.check_daycare_number(number) == (
        "A Dagtilbudsregister number consists of 3 to 10 digits."
    )


@pytest.mark.parametrize("code", ["123456", "851000100001", "123456789012345678"])
def test_it_accepts_a_sor_code_of_6_to_18_digits(code: str) -> None:
    assert dk.check_sor_code(code) is None


@pytest.mark.parametrize("code", ["12345", "1234567890123456789", "SOR123456", "١٢٣٤٥٦"])
def test_it_refuses_a_sor_code_outside_6_to_18_digits(code: str) -> None:
    assert dk.check_sor_code(code) == "A SOR code consists of 6 to 18 digits."


@pytest.mark.parametrize("code", ["0800", "2620", "9000", "9990"])
def test_it_accepts_a_danish_postcode(code: str) -> None:
    assert dk.check_postcode(code) is None


@pytest.mark.parametrize("code", ["0799", "9991", "800", "26200", "26a0", "", "٢٦٢٠"])
def test_it_refuses_a_postcode_outside_0800_to_9990(code: str) -> None:
    assert dk.check_postcode(code) == "A Danish postcode has 4 digits between 0800 and 9990."


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [(57.0662, 9.9066), (55.6687, 12.3429), (55.1, 14.9), (54.4, 7.9), (57.9, 15.3)],
)
def test_it_accepts_a_location_in_denmark(latitude: float, longitude: float) -> None:
    assert dk.check_in_denmark(latitude, longitude) is None


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [(9.9066, 57.0662), (52.52, 13.40), (59.91, 10.75), (54.39, 10.0), (56.0, 15.31)],
)
def test_it_refuses_a_location_outside_denmark(latitude: float, longitude: float) -> None:
    assert dk.check_in_denmark(latitude, longitude) == (
        "The location lies outside Denmark; check latitude and longitude (WGS84)."
    )
