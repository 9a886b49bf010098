"""Synthetic CPR numbers for tests and the demo: never a real person's number on purpose.

The synthetic range
-------------------
A synthetic number is ``DDMMYY-9NNN``: the real birth date, then a serial number from **9000 to
9999**. The 7th digit 9 is the right century digit for birth years **1937–2036** (CPR-kontoret's
table: 9 with a two-digit year 00–36 means 2000–2036, 37–99 means 1937–1999), which covers every
child in the programme and every adult guardian of working age. The last digit gives the sex as
in real numbers (even: girl, odd: boy), and the modulus-11 check is ignored, as it is for numbers
issued since 2007.

The CPR register has no reserved test range, so a synthetic number may by chance equal a real
one; that is why these numbers are only ever used with invented names, marked ``is_synthetic``
in the demo, and never mixed with a real extract. Tests and the demo share this range; nothing
else needs to coordinate with it.
"""

from __future__ import annotations

import datetime as dt

from borneliv.lib.cpr import parse_cpr

SERIAL_FIRST = 9000
SERIAL_LAST = 9999
YEARS = (1937, 2036)


def synthetic_cpr(birth_date: dt.date, serial: int = 0, *, sex: str | None = None) -> str:
    """The synthetic CPR number ``DDMMYY-9NNN`` for ``birth_date``.

    ``serial`` (0–999) tells children with the same birth date apart. With ``sex`` ("F" or "M")
    the last digit is adjusted to match (the next serial of the right parity), so the serials
    of one sex are the even or the odd ones.
    """
    if not YEARS[0] <= birth_date.year <= YEARS[1]:
        raise ValueError(f"synthetic CPR numbers cover birth years {YEARS[0]}–{YEARS[1]}")
    if not 0 <= serial <= SERIAL_LAST - SERIAL_FIRST:
        raise ValueError("serial must be 0–999")
    number = SERIAL_FIRST + serial
    if sex is not None:
        if sex not in ("F", "M"):
            raise ValueError('sex must be "F" or "M"')
        wanted = 0 if sex == "F" else 1
        if number % 2 != wanted:
            number = number + 1 if number < SERIAL_LAST else number - 1
    text = f"{birth_date:%d%m%y}-{number:04d}"
    assert parse_cpr(text).birth_date == birth_date  # the century digit fits the year
    return text


def is_synthetic_cpr(text: str) -> bool:
    """The number lies in the synthetic range (serial 9000–9999, birth year 1937–2036)."""
    parsed = parse_cpr(text)
    return (
        SERIAL_FIRST <= int(parsed.digits[6:]) <= SERIAL_LAST
        and YEARS[0] <= parsed.birth_date.year <= YEARS[1]
    )
