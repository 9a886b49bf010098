"""The growth classification engine: BMI, WHO z-scores and categories, IOTF categories.

No Django import: the engine works on numpy arrays (``compute``) and pandas data frames
(``classify``), so researchers can use it directly and it can be tested and benchmarked on its own.
Every step is vectorised over whole columns; there is no Python loop per row.

The contract (also ``borneliv growth classify IN.csv -o OUT.csv [--iotf 2012|2000]``)
    Input columns, by exact header name; any other column passes through unchanged, in order:

    ``sex``
        1/2, M/F or dreng/pige (any case; 1 = boy, 2 = girl).
    ``age_days``, or ``birth_date`` and ``measured_on``
        Age in days (decimals allowed), or ISO dates (YYYY-MM-DD) whose difference in days is
        the age. ``age_days`` wins where both are given (an unreadable ``age_days`` is flagged,
        not replaced by the dates).
    ``weight_kg``, ``height_cm``, ``bmi``
        Any of them (decimal point or decimal comma). With weight and height, BMI is computed
        (from the position-adjusted height, see below) and a given ``bmi`` is only checked: it is
        flagged when it differs by more than 0.1 from both the adjusted and the unadjusted BMI.
    ``position`` (optional)
        ``L`` = measured lying (recumbent length), ``H`` = standing height.

    Output columns, appended in this order (an input column with one of these names is replaced):
    ``bmi``, ``bmi_for_age_z``, ``weight_for_age_z``, ``height_for_age_z``,
    ``weight_for_height_z``, ``who_bmi_category``, ``iotf_adult_bmi``, ``iotf_category``,
    ``flags``, ``reference``. A value that is undefined (no reference at that age, a missing or
    unreadable input) is empty (NaN), never a made-up number. A row that cannot be read gets a
    message in ``flags`` and the run goes on.

WHO rules (as WHO's own software, R packages anthro 1.x and anthroplus 1.1, does it)
    * z = ((X/M)^L - 1) / (L S), with L, M, S interpolated linearly at the exact age: WHO 2006
      between whole days, WHO 2007 between whole months (age in months = days / 30.4375).
      (anthro rounds the age to a whole day instead; for whole-day ages, the usual case, the two
      agree exactly, and they never differ by more than half a day's change of the reference.)
    * WHO 2006 (0-5 y) for ages below 60 months, i.e. below day 1826.25 (anthro computes z only
      for age in months < 60); WHO 2007 (5-19 y) from 60 months (anthroplus from version 1.0 uses
      2007 from 60 months, interpolating from the 60-month row it adds to the WHO 2007 tables).
      In whole days: day 1826 is the last WHO 2006 day, day 1827 the first WHO 2007 day. WHO 2007
      ends below 229 months for BMI and height (anthroplus 1.1: "229 months exclusive"; the 229
      row repeats 228) and below 121 months for weight-for-age; older rows are empty.
    * Length-based tables for ages that round to day 730 or less (age < 730.5 days), height-based
      from day 731 (anthro rounds the age, half up, before applying its ``< 731`` rule). Between
      days 730 and 731 the engine does not interpolate across the length/height seam.
    * Position adjustment: a child measured standing (H) before day 731 gets +0.7 cm, a child
      measured lying (L) from day 731 (at any age, as every reference from 2 years on is
      height-based) gets -0.7 cm; the adjusted value is used for length/height-for-age,
      weight-for-length/height and BMI (so also for IOTF). Standing (H) before 9 months
      (age in months < 9) is implausible: as in anthro, the position is then ignored (no
      adjustment) and the row is flagged.
    * Weight-for-length (45-110 cm) below day 731, weight-for-height (65-120 cm) from day 731,
      below 60 months only, interpolated between the 0.1 cm rows. Without an age, as anthro: by
      the position, or by length < 87 cm when the position is unknown.
    * Restricted tails beyond |z| > 3 for BMI-for-age, weight-for-age and weight-for-length/
      height (not for length/height-for-age): z = 3 + (X - SD3)/(SD3 - SD2) above,
      z = -3 + (X - SD3neg)/(SD2neg - SD3neg) below, SDk = M (1 + L S k)^(1/L).
    * Plausibility flags on z rounded to 2 decimals (as anthro): weight-for-age < -6 or > 5,
      length/height-for-age < -6 or > 6, weight-for-length/height and BMI-for-age < -5 or > 5.
    * BMI categories on BMI-for-age z rounded to 2 decimals (the z that anthro reports and
      counts): WHO 2006 - ``severely_wasted`` z < -3, ``wasted`` z < -2, ``normal``,
      ``possible_risk_of_overweight`` z > 1, ``overweight`` z > 2, ``obese`` z > 3; WHO 2007 -
      ``severe_thinness`` z < -3, ``thinness`` z < -2, ``normal``, ``overweight`` z > 1,
      ``obesity`` z > 2. The category is empty when the BMI-for-age z is flagged implausible
      (WHO leaves flagged values out of prevalence).

IOTF rules (ages 2.0 to 18.0 years, age in years = days / 365.25)
    * ``--iotf 2012`` (default): the adult-equivalent BMI ("ISO-BMI") from Cole & Lobstein 2012:
      z from the child's LMS, then ISO-BMI = M18 (1 + L18 S18 z)^(1/L18) with the LMS at 18.0 y.
      L, M, S are interpolated between the published half-years by the four-point cubic
      (Lagrange) interpolation of Cole's LMSgrowth (and rcpchgrowth), linear in the first and
      last half-year. Categories on ISO-BMI: ``thinness_grade_3`` < 16, ``thinness_grade_2``
      < 17, ``thinness_grade_1`` < 18.5, ``normal``, ``overweight`` >= 25, ``obesity`` >= 30,
      ``morbid_obesity`` >= 35. A child so far above the curves that 1 + L18 S18 z <= 0 has no
      ISO-BMI (it would be infinite; flagged) and is ``morbid_obesity``.
    * ``--iotf 2000``: the Cole 2000 cut-off table (BMI 25 and 30 at half-years, interpolated
      linearly): ``not_overweight``, ``overweight`` >= cut-off 25, ``obesity`` >= cut-off 30. No
      ISO-BMI and no thinness grades (they need the Cole 2007 table, which is not shipped); the
      reference reads "IOTF 2000 (overweight/obesity only)". The lowest category is named
      ``not_overweight`` because it includes thin children.

``reference`` names what the row used, e.g. "WHO 2006; IOTF 2012" or "WHO 2007; IOTF 2000
(overweight/obesity only)"; empty when nothing could be computed. ``REFERENCES`` (in
``references``) has the full citations; ``WHO_CATEGORY_RULES`` and ``IOTF_CATEGORY_RULES`` the
cut-points; ``FLAG_MESSAGES`` every message ``flags`` can hold (joined by "; ").

Arrays (``compute``)
    ``sex`` int8 (1, 2; 0 unknown); ``age_days`` float64 (NaN unknown); measurements float64
    (NaN missing); ``position`` int8 (0 unknown, 1 L, 2 H). Flags are a uint32 bit mask
    (``FLAG_MESSAGES``), categories int8 codes into ``WHO_CATEGORIES``/``IOTF_CATEGORIES``
    (-1 none), references int8 codes into ``REFERENCE_NAMES``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from borneliv.growth.references import (
    IOTF_ADULT_CUTOFFS,
    IOTF_FIRST_AGE_YEARS,
    IOTF_INTERVALS,
    IOTF_LAST_AGE_YEARS,
    WFH_FIRST_CM,
    WFH_LAST_CM,
    WFL_FIRST_CM,
    WFL_LAST_CM,
    WHO2006_LAST_DAY,
    WHO2007_FIRST_MONTH,
    LmsArrays,
    age_table,
    cole2000_table,
    iotf_table,
    size_table,
)

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

DAYS_PER_MONTH = 30.4375
DAYS_PER_YEAR = 365.25
#: WHO 2006 below this age (60 months), WHO 2007 from it.
WHO2007_FROM_DAYS = WHO2007_FIRST_MONTH * DAYS_PER_MONTH  # 1826.25
#: Length-based WHO 2006 tables below this age (days that round, half up, to 730 or less).
HEIGHT_BASED_FROM_DAYS = 730.5
POSITION_ADJUSTMENT_CM = 0.7
STANDING_PLAUSIBLE_FROM_MONTHS = 9.0
WFL_BY_LENGTH_BELOW_CM = 87.0  # anthro's rule when neither age nor position is known
BMI_MISMATCH_TOLERANCE = 0.1  # kg/m², more than the rounding of a BMI given to one decimal

OUTPUT_COLUMNS: tuple[str, ...] = (
    "bmi",
    "bmi_for_age_z",
    "weight_for_age_z",
    "height_for_age_z",
    "weight_for_height_z",
    "who_bmi_category",
    "iotf_adult_bmi",
    "iotf_category",
    "flags",
    "reference",
)
IOTF_VERSIONS = ("2012", "2000")
#: Stored classifications name the engine version; a change that alters results bumps it, and
#: ``borneliv growth recompute`` reclassifies what an older version computed.
ENGINE_VERSION = "1"

# --- flags ---------------------------------------------------------------------------------------

SEX_INVALID = 1 << 0
AGE_MISSING = 1 << 1
AGE_DAYS_INVALID = 1 << 2
DATES_INVALID = 1 << 3
AGE_NEGATIVE = 1 << 4
AGE_BEYOND_REFERENCES = 1 << 5
WEIGHT_INVALID = 1 << 6
HEIGHT_INVALID = 1 << 7
BMI_INVALID = 1 << 8
POSITION_INVALID = 1 << 9
NO_MEASUREMENT = 1 << 10
BMI_MISMATCH = 1 << 11
STANDING_UNDER_9_MONTHS = 1 << 12
BMI_NOT_ADJUSTED = 1 << 13
SIZE_OUTSIDE_TABLE = 1 << 14
ISO_BMI_UNDEFINED = 1 << 15
WHO_FLAG_WAZ = 1 << 16
WHO_FLAG_HAZ = 1 << 17
WHO_FLAG_WHZ = 1 << 18
WHO_FLAG_BAZ = 1 << 19

#: The message of each flag bit, in the order they are listed in the ``flags`` column.
FLAG_MESSAGES: dict[int, str] = {
    SEX_INVALID: "sex missing or not 1/2, M/F or dreng/pige",
    AGE_MISSING: "no age: give age_days, or birth_date and measured_on",
    AGE_DAYS_INVALID: "age_days is not a number",
    DATES_INVALID: "birth_date or measured_on is not an ISO date (YYYY-MM-DD)",
    AGE_NEGATIVE: "age is negative (measured before birth)",
    AGE_BEYOND_REFERENCES: "age 19 years or more: beyond the WHO and IOTF references",
    WEIGHT_INVALID: "weight_kg is not a positive number",
    HEIGHT_INVALID: "height_cm is not a positive number",
    BMI_INVALID: "bmi is not a positive number",
    POSITION_INVALID: "position is not L (lying) or H (standing), so it is ignored",
    NO_MEASUREMENT: "no weight_kg, height_cm or bmi",
    BMI_MISMATCH: "bmi differs from weight_kg / height_cm², so the computed BMI is used",
    STANDING_UNDER_9_MONTHS: "standing height under 9 months is implausible: not adjusted "
    "(as WHO anthro)",
    BMI_NOT_ADJUSTED: "bmi given without height_cm cannot be adjusted for the position",
    SIZE_OUTSIDE_TABLE: "length/height outside the WHO weight-for-length (45-110 cm) or "
    "weight-for-height (65-120 cm) table",
    ISO_BMI_UNDEFINED: "IOTF adult-equivalent BMI undefined this far above the LMS curves",
    WHO_FLAG_WAZ: "WHO flag: weight-for-age z < -6 or > 5",
    WHO_FLAG_HAZ: "WHO flag: length/height-for-age z < -6 or > 6",
    WHO_FLAG_WHZ: "WHO flag: weight-for-length/height z < -5 or > 5",
    WHO_FLAG_BAZ: "WHO flag: BMI-for-age z < -5 or > 5",
}
#: Flags that mean the row (or one of its values) could not be read.
INPUT_FLAGS = (
    SEX_INVALID
    | AGE_MISSING
    | AGE_DAYS_INVALID
    | DATES_INVALID
    | AGE_NEGATIVE
    | WEIGHT_INVALID
    | HEIGHT_INVALID
    | BMI_INVALID
    | POSITION_INVALID
    | NO_MEASUREMENT
)
#: WHO's plausibility flags.
WHO_FLAGS = WHO_FLAG_WAZ | WHO_FLAG_HAZ | WHO_FLAG_WHZ | WHO_FLAG_BAZ


def flag_text(mask: int) -> str:
    """The messages of the bits set in ``mask``, joined by "; "."""
    return "; ".join(message for bit, message in FLAG_MESSAGES.items() if mask & bit)


# --- categories and references -------------------------------------------------------------------

#: WHO BMI-for-age categories (codes index this tuple).
WHO_CATEGORIES: tuple[str, ...] = (
    "severely_wasted",
    "wasted",
    "normal",
    "possible_risk_of_overweight",
    "overweight",
    "obese",
    "severe_thinness",
    "thinness",
    "obesity",
)
# The category by the number of cut-offs -3, -2, 1, 2, 3 that z passes (z >= -3, z >= -2,
# z > 1, z > 2, z > 3): WHO 2006 at 0-5, WHO 2007 at 6-11 (where z > 3 is still obesity).
_WHO_CODES_BY_PASSED = np.array([0, 1, 2, 3, 4, 5, 6, 7, 2, 4, 8, 8], dtype=np.int8)
#: Cut-points, for documentation and pages: (category, reference, rule on z rounded to 2 dp).
WHO_CATEGORY_RULES: tuple[tuple[str, str, str], ...] = (
    ("severely_wasted", "WHO 2006", "z < -3"),
    ("wasted", "WHO 2006", "-3 <= z < -2"),
    ("normal", "WHO 2006", "-2 <= z <= 1"),
    ("possible_risk_of_overweight", "WHO 2006", "1 < z <= 2"),
    ("overweight", "WHO 2006", "2 < z <= 3"),
    ("obese", "WHO 2006", "z > 3"),
    ("severe_thinness", "WHO 2007", "z < -3"),
    ("thinness", "WHO 2007", "-3 <= z < -2"),
    ("normal", "WHO 2007", "-2 <= z <= 1"),
    ("overweight", "WHO 2007", "1 < z <= 2"),
    ("obesity", "WHO 2007", "z > 2"),
)

#: IOTF categories (codes index this tuple).
IOTF_CATEGORIES: tuple[str, ...] = (
    "thinness_grade_3",
    "thinness_grade_2",
    "thinness_grade_1",
    "normal",
    "overweight",
    "obesity",
    "morbid_obesity",
    "not_overweight",
)
_IOTF2000_CODES = np.array([7, 4, 5], dtype=np.int8)
IOTF_CATEGORY_RULES: tuple[tuple[str, str, str], ...] = (
    ("thinness_grade_3", "IOTF 2012", "ISO-BMI < 16"),
    ("thinness_grade_2", "IOTF 2012", "16 <= ISO-BMI < 17"),
    ("thinness_grade_1", "IOTF 2012", "17 <= ISO-BMI < 18.5"),
    ("normal", "IOTF 2012", "18.5 <= ISO-BMI < 25"),
    ("overweight", "IOTF 2012", "25 <= ISO-BMI < 30"),
    ("obesity", "IOTF 2012", "30 <= ISO-BMI < 35"),
    ("morbid_obesity", "IOTF 2012", "ISO-BMI >= 35"),
    ("not_overweight", "IOTF 2000", "BMI < cut-off 25"),
    ("overweight", "IOTF 2000", "cut-off 25 <= BMI < cut-off 30"),
    ("obesity", "IOTF 2000", "BMI >= cut-off 30"),
)

_WHO_REFERENCE_NAMES = ("", "WHO 2006", "WHO 2007")
_IOTF_REFERENCE_NAMES = ("", "IOTF 2012", "IOTF 2000 (overweight/obesity only)")
#: Code = 3 * WHO part + IOTF part.
REFERENCE_NAMES: tuple[str, ...] = tuple(
    "; ".join(part for part in (who, iotf) if part)
    for who in _WHO_REFERENCE_NAMES
    for iotf in _IOTF_REFERENCE_NAMES
)


# --- LMS arithmetic ------------------------------------------------------------------------------


def lms_z(x: FloatArray, L: FloatArray, M: FloatArray, S: FloatArray) -> FloatArray:
    """z = ((x/M)^L - 1) / (L S); ln(x/M)/S where L is 0.

    (x/M)^L - 1 is computed as expm1(L ln(x/M)): faster than ``np.power`` and more accurate
    where L is near 0 (it differs from the ``np.power`` form by at most a few 1e-9 in z there,
    and by rounding noise elsewhere).
    """
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        log_ratio = np.log(x / M)
        z = np.expm1(L * log_ratio) / (L * S)
        tiny = np.abs(L) < 1e-12
        if tiny.any():
            z[tiny] = log_ratio[tiny] / S[tiny]
    return z


def lms_value(z: float | FloatArray, L: FloatArray, M: FloatArray, S: FloatArray) -> FloatArray:
    """The measurement at z: M (1 + L S z)^(1/L); NaN where 1 + L S z <= 0."""
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        return M * np.exp(np.log(1.0 + L * S * z) / L)


def restrict_tails(
    z: FloatArray, x: FloatArray, L: FloatArray, M: FloatArray, S: FloatArray
) -> None:
    """WHO's restricted-tail adjustment beyond |z| > 3, in place."""
    for side, rows in ((3.0, np.flatnonzero(z > 3)), (-3.0, np.flatnonzero(z < -3))):
        if rows.size:
            lam, mu, sigma = L[rows], M[rows], S[rows]
            sd3 = lms_value(side, lam, mu, sigma)
            sd2 = lms_value(side * 2 / 3, lam, mu, sigma)
            # Above: 3 + (X - SD3) / (SD3 - SD2); below: -3 + (X - SD3neg) / (SD2neg - SD3neg).
            z[rows] = side + (x[rows] - sd3) / np.abs(sd3 - sd2)


def _nan_unless(values: FloatArray, ok: BoolArray) -> FloatArray:
    """``values`` where ``ok``, NaN elsewhere.

    Written as values * (ok / ok) (1 or 0/0 = NaN) because ``np.where`` on a mask that changes
    from row to row at random costs several times more.
    """
    with np.errstate(invalid="ignore"):
        keep = ok.astype(np.float64)
        return values * (keep / keep)


def _codes_unless(codes: NDArray[np.int8], ok: BoolArray) -> NDArray[np.int8]:
    """``codes`` where ``ok``, -1 elsewhere (branch-free, as ``_nan_unless``)."""
    return ((codes + 1) * ok - 1).astype(np.int8)


# --- WHO -----------------------------------------------------------------------------------------


def who_age_z(
    indicator: str,
    sex: NDArray[np.int8],
    age_days: FloatArray,
    value: FloatArray,
    *,
    who2006_only: bool = False,
) -> FloatArray:
    """WHO z-scores for ``"bfa"``, ``"wfa"`` or ``"lhfa"`` at the exact age; NaN where undefined.

    ``value`` must already be position-adjusted (for ``"lhfa"`` and a BMI from length/height).
    ``who2006_only`` uses WHO 2006 for every age it covers (to day 1856), as WHO's older igrowup
    macros did between 60 and 61 months; the default is the WHO 2006/2007 rule of the module
    docstring.
    """
    table = age_table(indicator)
    with np.errstate(invalid="ignore"):
        ok = ((sex == 1) | (sex == 2)) & (age_days >= 0) & (value > 0)
        age = np.fmax(age_days, 0.0)  # NaN and negative ages: any safe row, masked below
        day = np.floor(age)
        if who2006_only:
            ok &= age <= WHO2006_LAST_DAY
            row = np.minimum(day, WHO2006_LAST_DAY)
            fraction = age - day
        else:
            months = age / DAYS_PER_MONTH
            month = np.floor(months)
            is_who2006 = age < WHO2007_FROM_DAYS
            ok &= is_who2006 | (months < table.who2007_end_month)
            # Both rows are whole numbers, so this blend is exact; it avoids np.where's cost.
            row_2007 = np.minimum(month, table.who2007_end_month) + (
                table.who2007_row0 - WHO2007_FIRST_MONTH
            )
            row = row_2007 + is_who2006 * (day - row_2007)
            fraction_2007 = months - month
            fraction = fraction_2007 + is_who2006 * ((age - day) - fraction_2007)
    if indicator != "wfa":
        # Day 730 is length-based, day 731 height-based: no interpolation across that seam.
        seam = np.flatnonzero((row == 730) & ok)
        if seam.size:
            fraction[seam] = 0.0
            row[seam] = np.where(age[seam] >= HEIGHT_BASED_FROM_DAYS, 731.0, 730.0)
    index = row.astype(np.intp) + (sex == 2) * table.rows_per_sex
    z = _interpolated_z(table.lms, index, fraction, value, restricted_tails=indicator != "lhfa")
    return _nan_unless(z, ok)


def _interpolated_z(
    lms: LmsArrays,
    row: NDArray[np.intp],
    fraction: FloatArray,
    value: FloatArray,
    *,
    restricted_tails: bool,
) -> FloatArray:
    # ``take`` is markedly faster than fancy indexing for these gathers.
    L = lms.L.take(row) + fraction * lms.dL.take(row)
    M = lms.M.take(row) + fraction * lms.dM.take(row)
    S = lms.S.take(row) + fraction * lms.dS.take(row)
    z = lms_z(value, L, M, S)
    if restricted_tails:
        restrict_tails(z, value, L, M, S)
    return z


def who_size_z(
    sex: NDArray[np.int8],
    age_days: FloatArray,
    size_cm: FloatArray,
    weight_kg: FloatArray,
    position: NDArray[np.int8],
) -> tuple[FloatArray, BoolArray]:
    """WHO 2006 weight-for-length/height z, and where the size lies outside the table.

    ``size_cm`` is the position-adjusted length/height. With an age: weight-for-length below day
    731 (age < 730.5), weight-for-height from it, nothing from 60 months or for a negative age.
    Without an age (NaN): by ``position`` (1 L, 2 H), else by ``size_cm`` < 87.
    """
    table = size_table()
    with np.errstate(invalid="ignore"):
        age_known = ~np.isnan(age_days)
        ok = ((sex == 1) | (sex == 2)) & (weight_kg > 0) & (size_cm > 0)
        ok &= ~age_known | ((age_days >= 0) & (age_days < WHO2007_FROM_DAYS))
        by_length = np.where(
            age_known,
            age_days < HEIGHT_BASED_FROM_DAYS,
            np.where(
                position == 1,
                True,
                np.where(position == 2, False, size_cm < WFL_BY_LENGTH_BELOW_CM),
            ),
        )
        in_table = np.where(
            by_length,
            (size_cm >= WFL_FIRST_CM) & (size_cm <= WFL_LAST_CM),
            (size_cm >= WFH_FIRST_CM) & (size_cm <= WFH_LAST_CM),
        )
        outside = ok & ~in_table
        ok &= in_table
        coordinate = np.where(
            by_length,
            (size_cm - WFL_FIRST_CM) * 10,
            (size_cm - WFH_FIRST_CM) * 10 + table.wfh_row0,
        )
        coordinate = np.clip(np.where(ok, coordinate, 0.0), 0.0, table.rows_per_sex - 1.0)
    # The grid is 0.1 cm: a value like 85.3 must land on its row, not a hair below it.
    base = np.floor(coordinate + 1e-7)
    fraction = np.maximum(coordinate - base, 0.0)
    row = base.astype(np.intp) + (sex == 2) * table.rows_per_sex
    z = _interpolated_z(table.lms, row, fraction, weight_kg, restricted_tails=True)
    return _nan_unless(z, ok), outside


# --- IOTF ----------------------------------------------------------------------------------------


def _iotf_position(
    sex: NDArray[np.int8], age_days: FloatArray
) -> tuple[BoolArray, NDArray[np.intp], FloatArray]:
    """Rows with an IOTF age (2.0-18.0 y), their half-year interval (both sexes) and fraction."""
    last = 2 * (IOTF_LAST_AGE_YEARS - IOTF_FIRST_AGE_YEARS)
    with np.errstate(invalid="ignore"):
        halfyears = (age_days / DAYS_PER_YEAR - IOTF_FIRST_AGE_YEARS) * 2
        ok = ((sex == 1) | (sex == 2)) & (halfyears >= 0) & (halfyears <= last)
        halfyears = np.clip(np.fmax(halfyears, 0.0), 0.0, last)  # NaN -> 0; masked by ok
    interval = np.minimum(np.floor(halfyears), IOTF_INTERVALS - 1)
    fraction = halfyears - interval
    index = interval.astype(np.intp) + (sex == 2) * IOTF_INTERVALS
    return ok, index, fraction


def iotf_lms(
    sex: NDArray[np.int8], age_days: FloatArray
) -> tuple[BoolArray, FloatArray, FloatArray, FloatArray]:
    """Where defined, and Cole & Lobstein 2012 L, M, S at the exact age (cubic between half-years)."""
    ok, index, u = _iotf_position(sex, age_days)
    table = iotf_table()
    out = []
    for key in "LMS":
        c0, c1, c2, c3 = table.coefficients[key]
        out.append(
            ((c3.take(index) * u + c2.take(index)) * u + c1.take(index)) * u + c0.take(index)
        )
    return ok, out[0], out[1], out[2]


def iotf_classify(
    sex: NDArray[np.int8], age_days: FloatArray, bmi: FloatArray
) -> tuple[FloatArray, NDArray[np.int8], BoolArray]:
    """ISO-BMI, IOTF 2012 category codes (-1 where none), and where ISO-BMI is undefined.

    ISO-BMI = M18 (1 + L18 S18 z)^(1/L18) is undefined where 1 + L18 S18 z <= 0: L18 is
    negative, so ISO-BMI grows without bound as that base falls to 0, and such a child (far
    above every curve) is ``morbid_obesity`` with an empty ISO-BMI.
    """
    ok, L, M, S = iotf_lms(sex, age_days)
    with np.errstate(invalid="ignore"):
        ok &= bmi > 0
    z = lms_z(bmi, L, M, S)
    table = iotf_table()
    girl = (sex == 2).astype(np.intp)
    L18, M18, S18 = table.L18.take(girl), table.M18.take(girl), table.S18.take(girl)
    with np.errstate(invalid="ignore", divide="ignore"):
        base = 1.0 + L18 * S18 * z
        iso = M18 * np.exp(np.log(base) / L18)
        beyond = ok & (base <= 0)
        code = beyond * np.int8(len(IOTF_ADULT_CUTOFFS))
        for cutoff in IOTF_ADULT_CUTOFFS:
            code += iso >= cutoff
    return _nan_unless(iso, ok & ~beyond), _codes_unless(code, ok), beyond


def iotf_adult_bmi(
    sex: NDArray[np.int8], age_days: FloatArray, bmi: FloatArray
) -> tuple[FloatArray, NDArray[np.int8]]:
    """ISO-BMI (NaN where undefined) and the IOTF 2012 category codes (-1 where none)."""
    iso, code, _beyond = iotf_classify(sex, age_days, bmi)
    return iso, code


def iotf2012_cutoff(sex: NDArray[np.int8], age_days: FloatArray, adult_bmi: float) -> FloatArray:
    """The child's BMI equivalent to ``adult_bmi`` at 18 y (Cole & Lobstein 2012), NaN outside."""
    ok, L, M, S = iotf_lms(sex, age_days)
    table = iotf_table()
    girl = (sex == 2).astype(np.intp)
    L18, M18, S18 = table.L18[girl], table.M18[girl], table.S18[girl]
    z = lms_z(np.full(len(L18), adult_bmi), L18, M18, S18)
    return _nan_unless(lms_value(z, L, M, S), ok)


def iotf2000_cutoffs(sex: NDArray[np.int8], age_days: FloatArray) -> tuple[FloatArray, FloatArray]:
    """The Cole 2000 BMI 25 and 30 cut-offs at the exact age (linear between half-years)."""
    ok, index, u = _iotf_position(sex, age_days)
    table = cole2000_table()
    # 33 half-year points per sex: interval i of the girls (index 32 + i) starts at point 33 + i.
    point = index + (sex == 2)
    cut25 = table.bmi25.ravel()[point] + u * table.d25.ravel()[point]
    cut30 = table.bmi30.ravel()[point] + u * table.d30.ravel()[point]
    return _nan_unless(cut25, ok), _nan_unless(cut30, ok)


def iotf2000_category(
    sex: NDArray[np.int8], age_days: FloatArray, bmi: FloatArray
) -> NDArray[np.int8]:
    """Cole 2000 category codes (``not_overweight``/``overweight``/``obesity``; -1 where none)."""
    cut25, cut30 = iotf2000_cutoffs(sex, age_days)
    with np.errstate(invalid="ignore"):
        ok = ~np.isnan(cut25) & (bmi > 0)
        passed = (bmi >= cut25).astype(np.int8) + (bmi >= cut30)
    return _codes_unless(_IOTF2000_CODES[passed], ok)


# --- everything at once --------------------------------------------------------------------------


@dataclass(frozen=True)
class Computed:
    """The engine's results as arrays (see the module docstring for the codes)."""

    bmi: FloatArray
    bmi_for_age_z: FloatArray
    weight_for_age_z: FloatArray
    height_for_age_z: FloatArray
    weight_for_height_z: FloatArray
    who_category: NDArray[np.int8]
    iotf_adult_bmi: FloatArray
    iotf_category: NDArray[np.int8]
    flags: NDArray[np.uint32]
    reference: NDArray[np.int8]


def _flag(mask: NDArray[np.uint32], condition: BoolArray, flag: int) -> None:
    """Set ``flag`` in ``mask`` where ``condition`` holds, in place (branch-free)."""
    np.bitwise_or(mask, condition * np.uint32(flag), out=mask)


def _positive(values: FloatArray | None) -> tuple[FloatArray | None, BoolArray | None]:
    """The values with non-positive and infinite ones set to NaN, and where that happened."""
    if values is None:
        return None, None
    values = np.asarray(values, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        bad = (values <= 0) | np.isinf(values)
    if bad.any():
        values = np.where(bad, np.nan, values)
    return values, bad


def _hundredths(z: FloatArray) -> FloatArray:
    """``z`` in hundredths, rounded as ``np.round(z, 2) * 100``: the z anthro reports, exactly."""
    return np.rint(z * 100.0)


#: Rows per block in ``compute``: each block's arrays stay in the CPU cache, which makes the
#: whole run about twice as fast as one pass over millions of rows.
BLOCK_ROWS = 65_536


def position_adjusted_height(
    age_days: FloatArray, height_cm: FloatArray, position: NDArray[np.int8]
) -> FloatArray:
    """The length/height the WHO references are read with, as ``compute`` adjusts it.

    ``position`` 1 = lying, 2 = standing, 0 = unknown. Standing before day 731 (age < 730.5) adds
    0.7 cm, lying from day 731 takes 0.7 cm off; standing before 9 months is implausible and
    left unadjusted (as anthro); an unknown position or age changes nothing.
    """
    age = np.asarray(age_days, dtype=np.float64)
    height = np.asarray(height_cm, dtype=np.float64)
    code = np.asarray(position, dtype=np.int8)
    with np.errstate(invalid="ignore"):
        early_standing = (code == 2) & (age < STANDING_PLAUSIBLE_FROM_MONTHS * DAYS_PER_MONTH)
        standing_young = (code == 2) & ~early_standing & (age < HEIGHT_BASED_FROM_DAYS)
        lying_old = (code == 1) & (age >= HEIGHT_BASED_FROM_DAYS)
    return height + np.where(
        standing_young, POSITION_ADJUSTMENT_CM, np.where(lying_old, -POSITION_ADJUSTMENT_CM, 0.0)
    )


def compute(
    *,
    sex: NDArray[np.int8],
    age_days: FloatArray,
    weight_kg: FloatArray | None = None,
    height_cm: FloatArray | None = None,
    bmi: FloatArray | None = None,
    position: NDArray[np.int8] | None = None,
    iotf: str = "2012",
    flags: NDArray[np.uint32] | None = None,
) -> Computed:
    """Classify whole arrays. Absent measurements may be ``None``; ``flags`` adds input flags.

    Works through the arrays in blocks of ``BLOCK_ROWS`` (a loop over blocks, not rows).
    """
    if iotf not in IOTF_VERSIONS:
        raise ValueError(f"iotf must be one of {', '.join(IOTF_VERSIONS)}, not {iotf!r}")
    columns: dict[str, Any] = {
        "sex": np.asarray(sex, dtype=np.int8),
        "age_days": np.asarray(age_days, dtype=np.float64),
        "weight_kg": None if weight_kg is None else np.asarray(weight_kg, dtype=np.float64),
        "height_cm": None if height_cm is None else np.asarray(height_cm, dtype=np.float64),
        "bmi": None if bmi is None else np.asarray(bmi, dtype=np.float64),
        "position": None if position is None else np.asarray(position, dtype=np.int8),
        "flags": None if flags is None else np.asarray(flags, dtype=np.uint32),
    }
    n = len(columns["age_days"])
    if n <= BLOCK_ROWS:
        return _compute_block(iotf=iotf, **columns)
    out: Computed | None = None
    for start in range(0, n, BLOCK_ROWS):
        sliced: dict[str, Any] = {
            key: None if values is None else values[start : start + BLOCK_ROWS]
            for key, values in columns.items()
        }
        block = _compute_block(iotf=iotf, **sliced)
        if out is None:
            out = Computed(
                **{
                    field: np.empty(n, dtype=getattr(block, field).dtype)
                    for field in Computed.__dataclass_fields__
                }
            )
        # Copied while the block is still in the cache.
        for field in Computed.__dataclass_fields__:
            getattr(out, field)[start : start + BLOCK_ROWS] = getattr(block, field)
    assert out is not None
    return out


def _compute_block(
    *,
    sex: NDArray[np.int8],
    age_days: FloatArray,
    weight_kg: FloatArray | None,
    height_cm: FloatArray | None,
    bmi: FloatArray | None,
    position: NDArray[np.int8] | None,
    iotf: str,
    flags: NDArray[np.uint32] | None,
) -> Computed:
    n = len(age_days)

    def nan() -> FloatArray:
        return np.full(n, np.nan)

    mask = np.zeros(n, dtype=np.uint32) if flags is None else np.array(flags, dtype=np.uint32)
    _flag(mask, (sex != 1) & (sex != 2), SEX_INVALID)

    weight, bad_weight = _positive(weight_kg)
    measured_height, bad_height = _positive(height_cm)
    given_bmi, bad_bmi = _positive(bmi)
    none_given = np.ones(n, dtype=bool)
    for values, bad, flag in (
        (weight, bad_weight, WEIGHT_INVALID),
        (measured_height, bad_height, HEIGHT_INVALID),
        (given_bmi, bad_bmi, BMI_INVALID),
    ):
        if values is not None and bad is not None:
            _flag(mask, bad, flag)
            none_given &= np.isnan(values)
    unreadable = (mask & (WEIGHT_INVALID | HEIGHT_INVALID | BMI_INVALID)) != 0
    _flag(mask, none_given & ~unreadable, NO_MEASUREMENT)

    with np.errstate(invalid="ignore"):
        _flag(mask, age_days < 0, AGE_NEGATIVE)
        _flag(mask, age_days >= 229 * DAYS_PER_MONTH, AGE_BEYOND_REFERENCES)
        age = np.where(age_days >= 0, age_days, np.nan)  # NaN: unknown or unusable

    # Position: H before 9 months is ignored (as anthro does), then the ±0.7 cm rule.
    mismatched = None
    if position is not None and (measured_height is not None or given_bmi is not None):
        position = np.asarray(position, dtype=np.int8)
        with np.errstate(invalid="ignore"):
            early_standing = (position == 2) & (
                age < STANDING_PLAUSIBLE_FROM_MONTHS * DAYS_PER_MONTH
            )
            _flag(mask, early_standing, STANDING_UNDER_9_MONTHS)
            position = np.where(early_standing, np.int8(0), position).astype(np.int8)
            mismatched = ((age < HEIGHT_BASED_FROM_DAYS) & (position == 2)) | (
                (age >= HEIGHT_BASED_FROM_DAYS) & (position == 1)
            )
    else:
        position = np.zeros(n, dtype=np.int8)
    height = measured_height
    if measured_height is not None and mismatched is not None:
        adjustment = np.where(position == 2, POSITION_ADJUSTMENT_CM, -POSITION_ADJUSTMENT_CM)
        height = measured_height + np.where(mismatched, adjustment, 0.0)

    # BMI: from weight and (adjusted) height where both are there, else as given.
    bmi_used = nan()
    if weight is not None and height is not None and measured_height is not None:
        bmi_used = weight / (height / 100.0) ** 2
        if given_bmi is not None:
            unadjusted = weight / (measured_height / 100.0) ** 2
            with np.errstate(invalid="ignore"):
                mismatch = (np.abs(given_bmi - bmi_used) > BMI_MISMATCH_TOLERANCE) & (
                    np.abs(given_bmi - unadjusted) > BMI_MISMATCH_TOLERANCE
                )
            _flag(mask, mismatch, BMI_MISMATCH)
    if given_bmi is not None:
        if weight is None or height is None:
            from_given = ~np.isnan(given_bmi)
            bmi_used = given_bmi
        else:
            from_given = np.isnan(bmi_used) & ~np.isnan(given_bmi)
            bmi_used = np.where(from_given, given_bmi, bmi_used)
        if mismatched is not None:
            _flag(mask, from_given & mismatched, BMI_NOT_ADJUSTED)

    # WHO z-scores, plausibility flags on z rounded to 2 decimals as anthro reports them.
    bfa = who_age_z("bfa", sex, age, bmi_used)
    bfa_hundredths = _hundredths(bfa)
    with np.errstate(invalid="ignore"):
        baz_flagged = np.abs(bfa_hundredths) > 500
    _flag(mask, baz_flagged, WHO_FLAG_BAZ)
    any_who = ~np.isnan(bfa)
    wfa, lhfa, wfh = nan(), nan(), nan()
    with np.errstate(invalid="ignore"):
        if weight is not None:
            wfa = who_age_z("wfa", sex, age, weight)
            hundredths = _hundredths(wfa)
            _flag(mask, (hundredths < -600) | (hundredths > 500), WHO_FLAG_WAZ)
            any_who |= ~np.isnan(wfa)
        if height is not None:
            lhfa = who_age_z("lhfa", sex, age, height)
            _flag(mask, np.abs(_hundredths(lhfa)) > 600, WHO_FLAG_HAZ)
            any_who |= ~np.isnan(lhfa)
        if weight is not None and height is not None:
            wfh, outside = who_size_z(sex, age_days, height, weight, position)
            _flag(mask, outside, SIZE_OUTSIDE_TABLE)
            _flag(mask, np.abs(_hundredths(wfh)) > 500, WHO_FLAG_WHZ)
            any_who |= ~np.isnan(wfh)

    # WHO BMI categories: count the cut-offs passed (on the rounded z), then name the band.
    with np.errstate(invalid="ignore"):
        is_who2007 = age >= WHO2007_FROM_DAYS
        passed = (
            (bfa_hundredths >= -300).astype(np.int8)
            + (bfa_hundredths >= -200)
            + (bfa_hundredths > 100)
            + (bfa_hundredths > 200)
            + (bfa_hundredths > 300)
        )
    who_category = _WHO_CODES_BY_PASSED.take(passed + is_who2007 * np.int8(6))
    who_category = _codes_unless(who_category, ~np.isnan(bfa) & ~baz_flagged)

    if iotf == "2012":
        iso, iotf_category, beyond = iotf_classify(sex, age, bmi_used)
        _flag(mask, beyond, ISO_BMI_UNDEFINED)
        iotf_part = (iotf_category >= 0) * np.int8(1)
    else:
        iso = nan()
        iotf_category = iotf2000_category(sex, age, bmi_used)
        iotf_part = (iotf_category >= 0) * np.int8(2)

    who_part = any_who * (1 + is_who2007)
    return Computed(
        bmi=bmi_used,
        bmi_for_age_z=bfa,
        weight_for_age_z=wfa,
        height_for_age_z=lhfa,
        weight_for_height_z=wfh,
        who_category=who_category.astype(np.int8),
        iotf_adult_bmi=iso,
        iotf_category=iotf_category,
        flags=mask,
        reference=(3 * who_part + iotf_part).astype(np.int8),
    )


# --- data frames ---------------------------------------------------------------------------------

_SEX_CODES = {"1": 1, "m": 1, "dreng": 1, "2": 2, "f": 2, "pige": 2}
_POSITION_CODES = {"l": 1, "h": 2}


def _is_number_column(column: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_bool_dtype(
        column.dtype
    )


def _text_codes(column: pd.Series, codes: dict[str, int]) -> tuple[NDArray[np.int8], BoolArray]:
    """Map a column through ``codes`` (case and surrounding space ignored), one look-up per value.

    Returns the codes (0 where missing or not known) and where a non-empty value was not known.
    """
    if _is_number_column(column):
        numbers = column.to_numpy(dtype=np.float64, na_value=np.nan)
        known_numbers = {float(key): code for key, code in codes.items() if key.isdigit()}
        result = np.zeros(len(numbers), dtype=np.int8)
        for number, code in known_numbers.items():
            result += (numbers == number) * np.int8(code)
        return result, (result == 0) & ~np.isnan(numbers)
    row_codes, uniques = pd.factorize(column.astype(object), use_na_sentinel=True)
    # One more slot at the end: the missing values' sentinel -1 indexes it.
    known = np.zeros(len(uniques) + 1, dtype=np.int8)
    unknown = np.zeros(len(uniques) + 1, dtype=bool)
    for index, value in enumerate(uniques):
        cleaned = str(value).strip().lower()
        known[index] = codes.get(cleaned, 0)
        unknown[index] = cleaned != "" and cleaned not in codes
    return known[row_codes], unknown[row_codes]


def _numbers(column: pd.Series) -> tuple[FloatArray, BoolArray]:
    """Parse a numeric column (decimal point or comma); returns values and unreadable cells."""
    if _is_number_column(column):
        values = column.to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
        return values, np.zeros(len(values), dtype=bool)
    values = pd.to_numeric(column, errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan, copy=True
    )
    missing = np.isnan(values)
    unreadable = np.zeros(len(values), dtype=bool)
    if missing.any():
        # Only the cells the fast path could not read: empty, spaced, decimal comma or garbage.
        text = column[missing].astype(object)
        cleaned = text.where(text.notna(), "").astype(str).str.strip()
        cleaned = cleaned.str.replace(",", ".", regex=False)
        retried = pd.to_numeric(cleaned, errors="coerce").to_numpy(
            dtype=np.float64, na_value=np.nan
        )
        values[missing] = retried
        unreadable[missing] = np.isnan(retried) & (cleaned != "").to_numpy()
    return values, unreadable


def _dates(column: pd.Series) -> tuple[NDArray[np.datetime64], BoolArray]:
    """Parse ISO dates (YYYY-MM-DD); returns datetime64 values (NaT where missing) and bad cells."""
    text = column.astype(object)
    cleaned = text.where(text.notna(), "").astype(str).str.strip()
    empty = (cleaned == "").to_numpy()
    parsed = pd.to_datetime(cleaned.where(~empty, None), format="%Y-%m-%d", errors="coerce")
    values = np.asarray(parsed, dtype="datetime64[ns]")
    return values, np.isnat(values) & ~empty


def classify(frame: pd.DataFrame, iotf: str = "2012") -> pd.DataFrame:
    """Classify the measurements in ``frame`` (columns as in the module docstring).

    Returns a new frame: the input columns (any named like an output column dropped) followed by
    ``OUTPUT_COLUMNS``, with the input's index. Raises ``ValueError`` when a needed column is
    missing altogether (a problem of the file, not of a row).
    """
    if iotf not in IOTF_VERSIONS:
        raise ValueError(f"iotf must be one of {', '.join(IOTF_VERSIONS)}, not {iotf!r}")
    columns = set(frame.columns)
    if "sex" not in columns:
        raise ValueError("the column 'sex' is missing")
    if "age_days" not in columns and not {"birth_date", "measured_on"} <= columns:
        raise ValueError("no age: neither 'age_days' nor 'birth_date' and 'measured_on' are there")
    if not columns & {"weight_kg", "height_cm", "bmi"}:
        raise ValueError("no measurement: none of the columns 'weight_kg', 'height_cm', 'bmi'")
    n = len(frame)
    mask = np.zeros(n, dtype=np.uint32)

    sex, _unknown = _text_codes(frame["sex"], _SEX_CODES)  # compute flags both as SEX_INVALID
    age = np.full(n, np.nan)
    age_unreadable = np.zeros(n, dtype=bool)
    if "age_days" in columns:
        age, age_unreadable = _numbers(frame["age_days"])
        age_unreadable |= np.isinf(age)
        age[age_unreadable] = np.nan
        _flag(mask, age_unreadable, AGE_DAYS_INVALID)
    if {"birth_date", "measured_on"} <= columns:
        need = np.isnan(age) & ~age_unreadable
        if need.any():
            birth, birth_bad = _dates(frame["birth_date"])
            measured, measured_bad = _dates(frame["measured_on"])
            age = np.where(need, (measured - birth) / np.timedelta64(1, "D"), age)
            _flag(mask, need & (birth_bad | measured_bad), DATES_INVALID)
    unreadable_age = (mask & (AGE_DAYS_INVALID | DATES_INVALID)) != 0
    _flag(mask, np.isnan(age) & ~unreadable_age, AGE_MISSING)

    measurements: dict[str, FloatArray | None] = {}
    for name, flag in (
        ("weight_kg", WEIGHT_INVALID),
        ("height_cm", HEIGHT_INVALID),
        ("bmi", BMI_INVALID),
    ):
        measurements[name] = None
        if name in columns:
            values, unreadable = _numbers(frame[name])
            _flag(mask, unreadable, flag)
            measurements[name] = values
    position = None
    if "position" in columns:
        position, position_unknown = _text_codes(frame["position"], _POSITION_CODES)
        _flag(mask, position_unknown, POSITION_INVALID)

    result = compute(
        sex=sex,
        age_days=age,
        weight_kg=measurements["weight_kg"],
        height_cm=measurements["height_cm"],
        bmi=measurements["bmi"],
        position=position,
        iotf=iotf,
        flags=mask,
    )
    return with_results(frame, result)


def _categorical(codes: NDArray[np.int8], names: tuple[str, ...]) -> pd.Categorical:
    return pd.Categorical.from_codes(codes.astype(np.int16), categories=list(names))


def with_results(frame: pd.DataFrame, result: Computed) -> pd.DataFrame:
    """``frame`` (any columns named like an output column dropped) with the results appended."""
    flag_codes, flag_masks = pd.factorize(result.flags, sort=True)
    output = pd.DataFrame(
        {
            "bmi": result.bmi,
            "bmi_for_age_z": result.bmi_for_age_z,
            "weight_for_age_z": result.weight_for_age_z,
            "height_for_age_z": result.height_for_age_z,
            "weight_for_height_z": result.weight_for_height_z,
            "who_bmi_category": _categorical(result.who_category, WHO_CATEGORIES),
            "iotf_adult_bmi": result.iotf_adult_bmi,
            "iotf_category": _categorical(result.iotf_category, IOTF_CATEGORIES),
            "flags": pd.Categorical.from_codes(
                flag_codes, categories=[flag_text(int(value)) for value in flag_masks]
            ),
            "reference": _categorical(result.reference, REFERENCE_NAMES),
        },
        index=frame.index,
    )
    kept = frame.drop(columns=[column for column in OUTPUT_COLUMNS if column in frame.columns])
    return pd.concat([kept, output], axis=1)
