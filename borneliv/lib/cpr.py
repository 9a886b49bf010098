"""Danish CPR numbers (personnummer): parsing, validation, birth date, sex. Django-free.

A CPR number is ``DDMMYY-SSSS``. The 7th digit together with the two-digit year gives the
century (CPR-kontoret's table in ``century_of``). The last digit is even for women and odd for
men. Since 2007 the modulus-11 check is *not* a validity rule: numbers failing it are issued and
must be accepted, so ``parse_cpr`` never rejects on it (``passes_modulus_11`` is informational).

Error messages never contain the number (or any part of it): they are shown to users and may end
up in logs. ``CprError.code`` says what was wrong, so that callers can show a translated message.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

_CPR = re.compile(r"(\d{2})(\d{2})(\d{2})-?(\d{4})", re.ASCII)
# Spaces (incl. non-breaking ones) are dropped; typographic dashes count as the hyphen.
_SPACES = re.compile(r"\s+")
_DASHES = str.maketrans({"‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "−": "-"})
_WEIGHTS = (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)


class CprError(ValueError):
    """The text is not a valid CPR number; the message is safe to show (no digits echoed).

    ``code`` is ``"format"`` (not ten digits in the form DDMMYY-SSSS) or ``"date"`` (the first
    six digits with the century from the 7th digit are not a real date).
    """

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Cpr:
    """A valid CPR number. Its ``repr``/``str`` hide the number, so it cannot leak into logs."""

    digits: str = field(repr=False)  # ten digits, no hyphen
    birth_date: dt.date
    sex: str  # "F" or "M"

    @property
    def formatted(self) -> str:
        return f"{self.digits[:6]}-{self.digits[6:]}"

    @property
    def masked(self) -> str:
        return mask(self.digits)

    def __repr__(self) -> str:  # never print the number itself
        return "Cpr(<hidden>)"

    __str__ = __repr__


def century_of(year2: int, seventh: int) -> int:
    """The century (1800, 1900, 2000) for a two-digit year and the 7th digit.

    ======== ========= ========= =========
    7th      00–36     37–57     58–99
    ======== ========= ========= =========
    0–3      1900      1900      1900
    4, 9     2000      1900      1900
    5–8      2000      2000      1800
    ======== ========= ========= =========
    """
    if not 0 <= seventh <= 9 or not 0 <= year2 <= 99:
        raise ValueError("year2 must be 0–99 and seventh 0–9")
    if seventh <= 3:
        return 1900
    if seventh in (4, 9):
        return 2000 if year2 <= 36 else 1900
    # 5, 6, 7, 8
    return 2000 if year2 <= 57 else 1800


def normalise(text: str) -> str:
    """The text without spaces and with typographic dashes as ``-`` (no validation)."""
    return _SPACES.sub("", (text or "").translate(_DASHES))


def parse_cpr(text: str) -> Cpr:
    """Validate format and date; return the normalised number with its birth date and sex."""
    match = _CPR.fullmatch(normalise(text))
    if not match:
        raise CprError("A CPR number has the form DDMMYY-SSSS (10 digits).", code="format")
    day, month, year2, serial = match.groups()
    year = century_of(int(year2), int(serial[0])) + int(year2)
    try:
        birth = dt.date(year, int(month), int(day))
    except ValueError as exc:
        raise CprError(
            "The first six digits of the CPR number are not a real date.", code="date"
        ) from exc
    digits = day + month + year2 + serial
    return Cpr(digits=digits, birth_date=birth, sex="F" if int(serial[-1]) % 2 == 0 else "M")


def is_valid(text: str) -> bool:
    try:
        parse_cpr(text)
    except CprError:
        return False
    return True


def passes_modulus_11(digits: str) -> bool:
    """The pre-2007 control: weighted digit sum divisible by 11 (informational only)."""
    digits = digits.replace("-", "")
    return sum(int(d) * w for d, w in zip(digits, _WEIGHTS, strict=True)) % 11 == 0


def mask(digits: str) -> str:
    """Show only the birth-date part: ``DDMMYY-xxxx``."""
    digits = digits.replace("-", "")
    return f"{digits[:6]}-xxxx"
