"""The growth reference tables, loaded from the CSV files in ``data/`` into numpy arrays.

No Django import. Each table is read once per process (``functools.cache``) and checked for a
complete, gap-free grid, so a damaged data file fails loudly instead of giving wrong z-scores.
Where the tables come from, and why each rule below is what it is, is in ``data/PROVENANCE.md``.

Layouts (every array is flat, boys' rows first, then girls' rows; ``sex`` 1 = boys, 2 = girls):

``AgeTable`` (BMI-, weight-, length/height-for-age)
    WHO 2006 by whole day (days 0..1856), followed by WHO 2007 by whole month (months 60..229 for
    BMI and height, 60..121 for weight). ``dL``/``dM``/``dS`` hold the difference to the next row,
    so linear interpolation is ``L[row] + fraction * dL[row]``; the difference is 0 on the last
    row of each reference, so it never reaches into the other reference.
``SizeTable`` (weight-for-length/height)
    WHO 2006 weight-for-length (45.0..110.0 cm by 0.1) followed by weight-for-height
    (65.0..120.0 cm by 0.1), with the same differences.
``IotfTable`` (Cole & Lobstein 2012)
    For each sex, 32 half-year intervals from 2.0 to 18.0 y, each with the coefficients of a cubic
    in the fraction ``u`` of the interval (``c0 + c1 u + c2 u² + c3 u³``) for L, M and S: the
    four-point Lagrange interpolation of LMSgrowth, linear in the first and last interval.
``Cole2000Table``
    The Cole 2000 BMI 25 and 30 cut-offs at half-years 2.0..18.0 with differences for linear
    interpolation.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

DATA_DIR = Path(__file__).resolve().parent / "data"

FloatArray = NDArray[np.float64]

#: Names of the references, as they appear in the ``reference`` output column, with citations.
REFERENCES: dict[str, str] = {
    "WHO 2006": "WHO Child Growth Standards (WHO Multicentre Growth Reference Study Group, 2006), "
    "0-5 years",
    "WHO 2007": "WHO Growth Reference 5-19 years (de Onis et al., Bull World Health Organ "
    "2007;85:660-7)",
    "IOTF 2012": "IOTF adult-equivalent BMI cut-offs from the LMS curves of Cole & Lobstein, "
    "Pediatr Obes 2012;7:284-94",
    "IOTF 2000": "IOTF BMI 25 and 30 cut-offs of Cole, Bellizzi, Flegal & Dietz, BMJ "
    "2000;320:1240 (Table 4)",
}

#: The adult BMI cut-offs that the IOTF categories are defined by, and IOTF 2012's reference age.
IOTF_ADULT_CUTOFFS: tuple[float, ...] = (16.0, 17.0, 18.5, 25.0, 30.0, 35.0)
IOTF_FIRST_AGE_YEARS = 2.0
IOTF_LAST_AGE_YEARS = 18.0
IOTF_INTERVALS = 32  # half-year intervals from 2.0 to 18.0 y

WHO2006_LAST_DAY = 1856
WHO2007_FIRST_MONTH = 60
WFL_FIRST_CM, WFL_LAST_CM = 45.0, 110.0
WFH_FIRST_CM, WFH_LAST_CM = 65.0, 120.0


def read_csv_columns(name: str) -> dict[str, FloatArray]:
    """The columns of a numeric CSV file in ``data/``, by header name."""
    with (DATA_DIR / name).open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    values = np.array(body, dtype=np.float64)
    return {column: values[:, index].copy() for index, column in enumerate(header)}


def _check_grid(name: str, sex: FloatArray, grid: FloatArray, expected: FloatArray) -> None:
    for code in (1, 2):
        got = grid[sex == code]
        if got.shape != expected.shape or not np.allclose(got, expected, rtol=0, atol=1e-9):
            raise ValueError(
                f"growth reference {name}: incomplete or unordered grid for sex {code}"
            )


def _forward_differences(values: FloatArray, segment_ends: list[int]) -> FloatArray:
    """``values[i + 1] - values[i]``, 0 at each segment's last row (given as exclusive ends)."""
    diff = np.zeros_like(values)
    diff[:-1] = values[1:] - values[:-1]
    for end in segment_ends:
        diff[end - 1] = 0.0
    return diff


@dataclass(frozen=True)
class LmsArrays:
    """L, M, S and their forward differences, flat over both sexes."""

    L: FloatArray
    dL: FloatArray
    M: FloatArray
    dM: FloatArray
    S: FloatArray
    dS: FloatArray


@dataclass(frozen=True)
class AgeTable:
    """WHO 2006 by day then WHO 2007 by month, for one age-based indicator."""

    name: str
    rows_per_sex: int
    who2007_row0: int  # row (within a sex) of WHO 2007 month 60
    who2007_end_month: int  # the last row's month; WHO 2007 applies below it (anthroplus)
    lms: LmsArrays


@dataclass(frozen=True)
class SizeTable:
    """WHO 2006 weight-for-length rows then weight-for-height rows."""

    rows_per_sex: int
    wfh_row0: int
    lms: LmsArrays


@dataclass(frozen=True)
class IotfTable:
    """Cubic coefficients of L, M, S per half-year interval, and the LMS at 18.0 years."""

    coefficients: dict[str, tuple[FloatArray, FloatArray, FloatArray, FloatArray]]
    L18: FloatArray  # index 0 boys, 1 girls
    M18: FloatArray
    S18: FloatArray
    grid_L: FloatArray  # the published half-year values, shape (2, 33), for tests and charts
    grid_M: FloatArray
    grid_S: FloatArray


@dataclass(frozen=True)
class Cole2000Table:
    """BMI 25 and 30 cut-offs at half-years 2.0..18.0 (shape (2, 33)) and their differences."""

    bmi25: FloatArray
    d25: FloatArray
    bmi30: FloatArray
    d30: FloatArray


def _lms_arrays(parts: list[dict[str, FloatArray]], rows_per_sex: int) -> LmsArrays:
    """Stack the parts (each with rows for sex 1 then sex 2) into flat per-sex blocks."""
    columns: dict[str, FloatArray] = {}
    ends: list[int] = []
    for key in ("L", "M", "S"):
        blocks = []
        ends = []
        for code in (1, 2):
            for part in parts:
                blocks.append(part[key][part["sex"] == code])
                ends.append(sum(len(block) for block in blocks))
        columns[key] = np.concatenate(blocks)
    if len(columns["L"]) != 2 * rows_per_sex:
        raise ValueError("growth reference: unexpected number of rows")
    return LmsArrays(
        L=columns["L"],
        dL=_forward_differences(columns["L"], ends),
        M=columns["M"],
        dM=_forward_differences(columns["M"], ends),
        S=columns["S"],
        dS=_forward_differences(columns["S"], ends),
    )


@cache
def age_table(indicator: str) -> AgeTable:
    """The table for ``"bfa"`` (BMI), ``"wfa"`` (weight) or ``"lhfa"`` (length/height)."""
    files = {
        "bfa": ("who2006_bfa_by_day.csv", "who2007_bfa_by_month.csv", 229),
        "wfa": ("who2006_wfa_by_day.csv", "who2007_wfa_by_month.csv", 121),
        "lhfa": ("who2006_lhfa_by_day.csv", "who2007_hfa_by_month.csv", 229),
    }
    who2006_file, who2007_file, end_month = files[indicator]
    who2006 = read_csv_columns(who2006_file)
    who2007 = read_csv_columns(who2007_file)
    _check_grid(
        who2006_file, who2006["sex"], who2006["age_days"], np.arange(WHO2006_LAST_DAY + 1.0)
    )
    _check_grid(
        who2007_file,
        who2007["sex"],
        who2007["age_months"],
        np.arange(float(WHO2007_FIRST_MONTH), end_month + 1.0),
    )
    days = WHO2006_LAST_DAY + 1
    months = end_month - WHO2007_FIRST_MONTH + 1
    return AgeTable(
        name=indicator,
        rows_per_sex=days + months,
        who2007_row0=days,
        who2007_end_month=end_month,
        lms=_lms_arrays([who2006, who2007], days + months),
    )


@cache
def size_table() -> SizeTable:
    """WHO 2006 weight-for-length and weight-for-height."""
    wfl = read_csv_columns("who2006_wfl_by_length.csv")
    wfh = read_csv_columns("who2006_wfh_by_height.csv")
    wfl_grid = np.round(np.arange(WFL_FIRST_CM * 10, WFL_LAST_CM * 10 + 1) / 10, 1)
    wfh_grid = np.round(np.arange(WFH_FIRST_CM * 10, WFH_LAST_CM * 10 + 1) / 10, 1)
    _check_grid("who2006_wfl_by_length.csv", wfl["sex"], wfl["length_cm"], wfl_grid)
    _check_grid("who2006_wfh_by_height.csv", wfh["sex"], wfh["height_cm"], wfh_grid)
    rows = len(wfl_grid) + len(wfh_grid)
    return SizeTable(rows_per_sex=rows, wfh_row0=len(wfl_grid), lms=_lms_arrays([wfl, wfh], rows))


def _cubic_coefficients(grid: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Per interval, the cubic ``c0 + c1 u + c2 u² + c3 u³`` through the four nearest points.

    ``grid`` has shape (2, 33). Interval ``i`` runs from point ``i`` to ``i + 1``. Inside, it is the
    Lagrange cubic through points ``i - 1 .. i + 2`` (what LMSgrowth and rcpchgrowth do); in the
    first and last interval, where a point is missing, the straight line.
    """
    p0, p1, p2, p3 = (grid[:, k : k + IOTF_INTERVALS - 2] for k in range(4))
    # Lagrange basis on nodes -1, 0, 1, 2 expanded in powers of u.
    c0 = p1
    c1 = -p0 / 3 - p1 / 2 + p2 - p3 / 6
    c2 = p0 / 2 - p1 + p2 / 2
    c3 = -p0 / 6 + p1 / 2 - p2 / 2 + p3 / 6
    shape = (2, IOTF_INTERVALS)
    out = tuple(np.zeros(shape) for _ in range(4))
    for target, inner in zip(out, (c0, c1, c2, c3), strict=True):
        target[:, 1 : IOTF_INTERVALS - 1] = inner
    for interval in (0, IOTF_INTERVALS - 1):
        out[0][:, interval] = grid[:, interval]
        out[1][:, interval] = grid[:, interval + 1] - grid[:, interval]
        out[2][:, interval] = 0.0
        out[3][:, interval] = 0.0
    return out[0].ravel(), out[1].ravel(), out[2].ravel(), out[3].ravel()


@cache
def iotf_table() -> IotfTable:
    """Cole & Lobstein 2012 LMS, ready for cubic interpolation."""
    raw = read_csv_columns("iotf_lms_by_halfyear.csv")
    grid_years = np.arange(IOTF_INTERVALS + 1) / 2 + IOTF_FIRST_AGE_YEARS
    _check_grid("iotf_lms_by_halfyear.csv", raw["sex"], raw["age_years"], grid_years)
    grids = {key: np.stack([raw[key][raw["sex"] == code] for code in (1, 2)]) for key in "LMS"}
    return IotfTable(
        coefficients={key: _cubic_coefficients(grids[key]) for key in "LMS"},
        L18=grids["L"][:, -1].copy(),
        M18=grids["M"][:, -1].copy(),
        S18=grids["S"][:, -1].copy(),
        grid_L=grids["L"],
        grid_M=grids["M"],
        grid_S=grids["S"],
    )


@cache
def cole2000_table() -> Cole2000Table:
    """Cole 2000 cut-offs for BMI 25 and 30."""
    raw = read_csv_columns("iotf_cole2000_cutoffs.csv")
    grid_years = np.arange(IOTF_INTERVALS + 1) / 2 + IOTF_FIRST_AGE_YEARS
    _check_grid("iotf_cole2000_cutoffs.csv", raw["sex"], raw["age_years"], grid_years)
    bmi25 = np.stack([raw["bmi25"][raw["sex"] == code] for code in (1, 2)])
    bmi30 = np.stack([raw["bmi30"][raw["sex"] == code] for code in (1, 2)])

    def differences(values: FloatArray) -> FloatArray:
        diff = np.zeros_like(values)
        diff[:, :-1] = values[:, 1:] - values[:, :-1]
        return diff

    return Cole2000Table(bmi25=bmi25, d25=differences(bmi25), bmi30=bmi30, d30=differences(bmi30))
