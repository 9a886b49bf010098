"""Properties that must hold for any input (hypothesis)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from borneliv.growth import engine
from borneliv.growth.references import age_table

SEX = st.sampled_from([1, 2])
AGE = st.floats(min_value=0, max_value=229 * 30.4375 - 1e-6, allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(
    sex=SEX,
    age=AGE,
    bmis=hnp.arrays(np.float64, st.integers(2, 40), elements=st.floats(5.0, 60.0)),
)
def test_z_and_adult_bmi_rise_with_bmi_at_fixed_age_and_sex(
    sex: int, age: float, bmis: np.ndarray
) -> None:
    bmis = np.unique(bmis)  # strictly increasing
    n = len(bmis)
    sexes = np.full(n, sex, np.int8)
    ages = np.full(n, age)
    apart = np.diff(bmis) > 1e-6  # closer values may round to the same z
    z = engine.who_age_z("bfa", sexes, ages, bmis)
    assert np.all(np.diff(z) >= 0) and np.all(np.diff(z)[apart] > 0)
    iso, code = engine.iotf_adult_bmi(sexes, ages, bmis)
    finite = np.isfinite(iso)
    assert np.all(np.diff(iso[finite]) >= 0)
    assert np.all(np.diff(code) >= 0)
    result = engine.compute(sex=sexes, age_days=ages, bmi=bmis)
    assert np.all(np.diff(np.round(result.bmi_for_age_z, 2)) >= 0)


def _row_z(indicator: str, sex: int, row: int, value: np.ndarray) -> np.ndarray:
    table = age_table(indicator)
    i = (sex - 1) * table.rows_per_sex + row
    L, M, S = table.lms.L[i], table.lms.M[i], table.lms.S[i]
    z = ((value / M) ** L - 1) / (L * S)
    if indicator != "lhfa":
        # the same restricted tails, written out independently
        sd = {k: M * (1 + L * S * k) ** (1 / L) for k in (-3, -2, 2, 3)}
        z = np.where(z > 3, 3 + (value - sd[3]) / (sd[3] - sd[2]), z)
        z = np.where(z < -3, -3 + (value - sd[-3]) / (sd[-2] - sd[-3]), z)
    return z


@settings(max_examples=200, deadline=None)
@given(sex=SEX, value=st.floats(0.5, 3.0), indicator=st.sampled_from(["bfa", "wfa", "lhfa"]))
def test_the_jump_at_60_months_is_the_references_own(
    sex: int, value: float, indicator: str
) -> None:
    """Across the WHO 2006/2007 switch, z jumps exactly as the two references' seam rows do.

    The engine adds nothing: its z on day 1826 is WHO 2006's day-1826 row, at 60.0 months WHO
    2007's 60-month row, and its jump equals the jump between those rows (whose M curves are
    themselves discontinuous there, e.g. boys' BMI M 15.1917 -> 15.2679).
    """
    table = age_table(indicator)
    typical = {"bfa": 15.5, "wfa": 18.5, "lhfa": 110.0}[indicator]
    x = np.array([typical * value ** (0.3 if indicator == "lhfa" else 1.0)])
    sexes = np.array([sex], np.int8)
    before = engine.who_age_z(indicator, sexes, np.array([1826.0]), x)
    after = engine.who_age_z(indicator, sexes, np.array([60 * 30.4375]), x)
    seam = _row_z(indicator, sex, table.who2007_row0, x) - _row_z(indicator, sex, 1826, x)
    np.testing.assert_allclose(after - before, seam, atol=1e-9)
    # ... and the references' own jump in M is what bounds it, for a child on the median.
    i = (sex - 1) * table.rows_per_sex
    m_before, m_after = table.lms.M[i + 1826], table.lms.M[i + table.who2007_row0]
    median = np.array([m_before])
    jump = engine.who_age_z(indicator, sexes, np.array([60 * 30.4375]), median)[0]
    s_after = table.lms.S[i + table.who2007_row0]
    assert abs(jump) <= abs(np.log(m_before / m_after)) / s_after * 1.01


@settings(max_examples=300, deadline=None)
@given(
    sex=SEX,
    age=st.floats(min_value=0, max_value=229 * 30.4375 - 1, allow_nan=False),
    bmi=st.floats(8.0, 40.0),
    indicator=st.sampled_from(["bfa", "wfa", "lhfa"]),
)
def test_z_is_continuous_in_age_within_a_reference(
    sex: int, age: float, bmi: float, indicator: str
) -> None:
    """A ten-thousandth of a day later moves z by next to nothing, except at the two seams."""
    later = age + 1e-4
    if any(age < seam <= later for seam in (730.5, engine.WHO2007_FROM_DAYS)):
        return
    if indicator == "wfa" and later >= 121 * 30.4375:
        return
    value = {"bfa": bmi, "wfa": bmi * 1.2, "lhfa": bmi * 5}[indicator]
    sexes = np.array([sex, sex], np.int8)
    z = engine.who_age_z(indicator, sexes, np.array([age, later]), np.array([value, value]))
    assert abs(z[1] - z[0]) < 1e-3


@settings(max_examples=50, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1), n=st.integers(1, 300), iotf=st.sampled_from(["2012", "2000"])
)
def test_results_do_not_depend_on_row_order(seed: int, n: int, iotf: str) -> None:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "id": np.arange(n),
            "sex": rng.choice(["1", "2", "M", "pige", "x", ""], n),
            "age_days": rng.choice(
                [*np.round(rng.uniform(-10, 7500, 20), 1).astype(str), "", "abc"], n
            ),
            "weight_kg": np.round(rng.uniform(-1, 90, n), 1).astype(str),
            "height_cm": np.round(rng.uniform(40, 190, n), 1).astype(str),
            "position": rng.choice(["L", "H", "", "q"], n),
        }
    )
    result = engine.classify(frame, iotf=iotf)
    order = rng.permutation(n)
    shuffled = engine.classify(frame.iloc[order], iotf=iotf)
    pd.testing.assert_frame_equal(
        shuffled.sort_values("id").astype(str), result.astype(str), check_like=False
    )


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 200), block=st.integers(1, 50))
def test_blocks_give_the_same_results_as_one_pass(seed: int, n: int, block: int) -> None:
    rng = np.random.default_rng(seed)
    arrays: dict[str, Any] = {
        "sex": rng.integers(0, 3, n).astype(np.int8),
        "age_days": rng.uniform(-10, 7500, n),
        "weight_kg": rng.uniform(-1, 90, n),
        "height_cm": rng.uniform(40, 190, n),
        "bmi": rng.choice([np.nan, 16.0, 25.0], n),
        "position": rng.integers(0, 3, n).astype(np.int8),
        "flags": rng.integers(0, 2, n).astype(np.uint32),
    }
    whole = engine.compute(**arrays)
    saved = engine.BLOCK_ROWS
    try:
        engine.BLOCK_ROWS = block
        blocks = engine.compute(**arrays)
    finally:
        engine.BLOCK_ROWS = saved
    for field in engine.Computed.__dataclass_fields__:
        np.testing.assert_array_equal(getattr(blocks, field), getattr(whole, field))
