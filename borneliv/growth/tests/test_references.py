"""The shipped tables: unchanged, complete, and consistent with their derived cut-offs."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from borneliv.growth import engine
from borneliv.growth.references import (
    DATA_DIR,
    age_table,
    cole2000_table,
    iotf_table,
    read_csv_columns,
    size_table,
)


def test_the_data_files_are_the_ones_provenance_describes() -> None:
    sums = (DATA_DIR / "SHA256SUMS").read_text(encoding="utf-8").split("\n")
    listed = {}
    for line in filter(None, sums):
        digest, name = line.split()
        listed[name] = digest
    assert set(listed) == {path.name for path in DATA_DIR.glob("*.csv")}
    for name, digest in listed.items():
        assert hashlib.sha256((DATA_DIR / name).read_bytes()).hexdigest() == digest, name


def test_the_tables_load_with_their_grids() -> None:
    assert age_table("bfa").rows_per_sex == 1857 + 170
    assert age_table("wfa").rows_per_sex == 1857 + 62
    assert age_table("lhfa").who2007_end_month == 229
    assert size_table().rows_per_sex == 651 + 551
    assert iotf_table().grid_M.shape == (2, 33)
    assert cole2000_table().bmi25.shape == (2, 33)


def test_differences_never_reach_into_the_next_reference() -> None:
    for indicator in ("bfa", "wfa", "lhfa"):
        table = age_table(indicator)
        for sex in (0, 1):
            last_day = sex * table.rows_per_sex + table.who2007_row0 - 1
            last_month = (sex + 1) * table.rows_per_sex - 1
            assert table.lms.dM[last_day] == 0 and table.lms.dM[last_month] == 0


def test_derived_cutoffs_follow_from_the_2012_lms() -> None:
    derived = read_csv_columns("iotf_cutoffs_from_lms_DERIVED.csv")
    sex = derived["sex"].astype(np.int8)
    age = derived["age_years"] * engine.DAYS_PER_YEAR
    for adult in (16, 17, 18.5, 23, 25, 27, 30, 35):
        got = engine.iotf2012_cutoff(sex, age, float(adult))
        np.testing.assert_allclose(got, derived[f"bmi{adult:g}"], rtol=0, atol=5e-5 + 1e-9)


def test_iotf_z_cutoffs_at_18_match_provenance() -> None:
    table = iotf_table()
    for adult, boys, girls in (
        (25, 1.3103, 1.2439),
        (30, 2.2876, 2.1918),
        (18.5, -1.0139, -0.9749),
    ):
        z = ((adult / table.M18) ** table.L18 - 1) / (table.L18 * table.S18)
        assert z == pytest.approx([boys, girls], abs=1e-4)  # 4 dp there; -1.01385 is "-1.0139"


def test_cole2000_and_2012_cutoffs_differ_only_by_the_documented_amounts() -> None:
    table = cole2000_table()
    years = np.arange(33) / 2 + 2
    for sex in (1, 2):
        sexes = np.full(33, sex, np.int8)
        ages = years * engine.DAYS_PER_YEAR
        assert (
            np.max(np.abs(engine.iotf2012_cutoff(sexes, ages, 25.0) - table.bmi25[sex - 1])) < 0.1
        )
        assert (
            np.max(np.abs(engine.iotf2012_cutoff(sexes, ages, 30.0) - table.bmi30[sex - 1])) < 0.2
        )
