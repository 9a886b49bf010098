"""CPR numbers: format, real dates, the century from the 7th digit, sex, modulus 11 ignored."""

from __future__ import annotations

import datetime as dt

import pytest

from borneliv.lib.cpr import (
    Cpr,
    CprError,
    century_of,
    is_valid,
    mask,
    normalise,
    parse_cpr,
    passes_modulus_11,
)


def number(day: int, month: int, year2: int, serial: int) -> str:
    """A test number from its parts (synthetic: only its structure matters here)."""
    return f"{day:02d}{month:02d}{year2:02d}-{serial:04d}"


# Format


@pytest.mark.parametrize(
    "text",
    ["010224-9001", "0102249001", " 010224-9001 ", "010224 9001", "01 02 24 - 9001", "010224–9001"],
)
def test_it_accepts_the_usual_ways_of_writing_a_number(text: str) -> None:
    parsed = parse_cpr(text)
    assert parsed.digits == "0102249001"
    assert parsed.formatted == "010224-9001"
    assert parsed.birth_date == dt.date(2024, 2, 1)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "01022490",  # too short
        "01022490011",  # too long
        "010224--9001",
        "0102-249001",
        "01022a-9001",
        "٠١٠٢٢٤-٩٠٠١",  # Arabic-Indic digits are digits to Python, not to the CPR register
        "010224/9001",
    ],
)
def test_it_refuses_a_malformed_number(text: str) -> None:
    with pytest.raises(CprError) as info:
        parse_cpr(text)
    assert info.value.code == "format"


@pytest.mark.parametrize(
    "text",
    [
        number(32, 1, 24, 9001),
        number(0, 1, 24, 9001),
        number(1, 13, 24, 9001),
        number(1, 0, 24, 9001),
        number(31, 4, 24, 9001),
        number(30, 2, 24, 9001),
        number(29, 2, 23, 9001),  # 2023 is no leap year
        number(29, 2, 0, 3001),  # 1900 was no leap year (7th digit 3: 1900s)
    ],
)
def test_it_refuses_a_date_that_does_not_exist(text: str) -> None:
    with pytest.raises(CprError) as info:
        parse_cpr(text)
    assert info.value.code == "date"


@pytest.mark.parametrize(
    ("text", "born"),
    [
        (number(29, 2, 24, 9001), dt.date(2024, 2, 29)),
        (number(29, 2, 0, 4001), dt.date(2000, 2, 29)),  # 2000 was a leap year
        (number(29, 2, 96, 1001), dt.date(1996, 2, 29)),
        (number(31, 12, 99, 9001), dt.date(1999, 12, 31)),
    ],
)
def test_it_accepts_leap_days_and_year_ends(text: str, born: dt.date) -> None:
    assert parse_cpr(text).birth_date == born


@pytest.mark.parametrize("text", ["3202249001", "not a number 0102249001", "01022499999"])
def test_its_error_messages_never_contain_the_digits(text: str) -> None:
    with pytest.raises(CprError) as info:
        parse_cpr(text)
    message = str(info.value)
    assert not any(c.isdigit() for c in message.replace("10 digits", ""))


# The century from the 7th digit (CPR-kontoret's table)

CENTURY_TABLE = [
    # (7th digit, year2, century)
    *[(d, y, 1900) for d in (0, 1, 2, 3) for y in (0, 36, 37, 57, 58, 99)],
    *[(d, y, 2000) for d in (4, 9) for y in (0, 36)],
    *[(d, y, 1900) for d in (4, 9) for y in (37, 57, 58, 99)],
    *[(d, y, 2000) for d in (5, 6, 7, 8) for y in (0, 36, 37, 57)],
    *[(d, y, 1800) for d in (5, 6, 7, 8) for y in (58, 99)],
]


@pytest.mark.parametrize(("seventh", "year2", "century"), CENTURY_TABLE)
def test_the_seventh_digit_gives_the_century(seventh: int, year2: int, century: int) -> None:
    assert century_of(year2, seventh) == century
    parsed = parse_cpr(number(15, 6, year2, seventh * 1000 + 1))
    assert parsed.birth_date == dt.date(century + year2, 6, 15)


def test_every_seventh_digit_is_covered() -> None:
    assert {row[0] for row in CENTURY_TABLE} == set(range(10))


@pytest.mark.parametrize(("seventh", "year2"), [(10, 0), (-1, 0), (0, 100)])
def test_century_of_refuses_impossible_input(seventh: int, year2: int) -> None:
    with pytest.raises(ValueError):
        century_of(year2, seventh)


# Sex and modulus 11


@pytest.mark.parametrize(
    ("last", "sex"), [(0, "F"), (2, "F"), (8, "F"), (1, "M"), (3, "M"), (9, "M")]
)
def test_the_last_digit_gives_the_sex(last: int, sex: str) -> None:
    assert parse_cpr(number(1, 2, 24, 9000 + last)).sex == sex


def test_a_number_failing_modulus_11_is_valid() -> None:
    text = number(1, 2, 24, 9001)
    assert not passes_modulus_11(text)
    assert is_valid(text)
    assert parse_cpr(text).birth_date == dt.date(2024, 2, 1)


def test_modulus_11_is_computed_with_the_official_weights() -> None:
    # 0102249 00?: weights 4 3 2 7 6 5 4 3 2 1 → find the control digit that makes it pass.
    stem = "010224900"
    passing = [d for d in range(10) if passes_modulus_11(stem + str(d))]
    total = sum(int(c) * w for c, w in zip(stem, (4, 3, 2, 7, 6, 5, 4, 3, 2), strict=True))
    assert passing == ([(11 - total % 11) % 11] if (11 - total % 11) % 11 < 10 else [])


# Showing a number


def test_mask_shows_only_the_birth_date_part() -> None:
    assert mask("0102249001") == "010224-xxxx"
    assert mask("010224-9001") == "010224-xxxx"
    assert parse_cpr("0102249001").masked == "010224-xxxx"


def test_a_parsed_number_does_not_print_itself() -> None:
    parsed = parse_cpr("010224-9001")
    assert "9001" not in repr(parsed)
    assert "9001" not in str(parsed)
    assert "9001" not in f"{parsed}"
    assert "9001" not in repr([parsed])
    assert isinstance(parsed, Cpr)


def test_normalise_drops_spaces_and_unifies_dashes() -> None:
    assert normalise(" 01 02 24\u00a0—\u20089001 ") == "010224-9001"
    assert normalise(None) == ""  # type: ignore[arg-type]
