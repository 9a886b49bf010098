"""The engine against independent implementations: pedgrowth and rcpchgrowth, ages 0-10 y.

Both are test-only dependencies. pedgrowth's WHO providers download WHO's spreadsheets on first
use, which cannot happen offline; ``pedgrowth_offline`` builds their cache from our tables and
checks every one against pedgrowth's recorded hash of WHO's file. rcpchgrowth ships its own copy
of the WHO tables (JSON, by decimal age).

Where they differ from the engine by design, those ages are left out, and the test says so:

* 1826-1857 days: pedgrowth and rcpchgrowth use WHO 2006 to day 1856 (the expanded tables'
  end); the engine switches to WHO 2007 at 60 months, as anthro/anthroplus do.
* 729.5-731.5 days (length/height seam): pedgrowth's legacy path interpolates across it.
* rcpchgrowth applies the restricted tails to height under 5 years too (not WHO's rule), so
  heights are compared where |z| < 3; and it snaps an age within 0.00005 years of a table age to
  that age, so its inputs are whole days.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from borneliv.growth import engine
from borneliv.growth.references import age_table, iotf_table

rng_seed = 20261126
N = 4000


def random_children(
    n: int, seed: int, *, whole_days: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    age = rng.uniform(0, 3652, n)
    if whole_days:
        age = np.floor(age)
    keep = ~(((age > 729.5) & (age < 731.5)) | ((age >= 1826) & (age < 1857)))
    sex = rng.integers(1, 3, n).astype(np.int8)
    return sex[keep], age[keep]


def plausible_values(indicator: str, sex: np.ndarray, age: np.ndarray, seed: int) -> np.ndarray:
    """Values from z in [-4, 4] at the table row of the age (for generating inputs only)."""
    table = age_table(indicator)
    rng = np.random.default_rng(seed)
    months = age / engine.DAYS_PER_MONTH
    row = (
        np.where(
            age < engine.WHO2007_FROM_DAYS,
            np.floor(age),
            table.who2007_row0 + np.floor(months) - 60,
        ).astype(int)
        + (sex == 2) * table.rows_per_sex
    )
    L, M, S = table.lms.L[row], table.lms.M[row], table.lms.S[row]
    z = rng.uniform(-4, 4, len(age))
    return M * (1 + L * S * z) ** (1 / L)


# --- pedgrowth -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pedgrowth_calculator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    pytest.importorskip(
        "pedgrowth", reason="pedgrowth is a test dependency (pip install pedgrowth)"
    )
    pytest.importorskip(
        "pedgrowth.data.who2006", reason="needs pedgrowth-data-who2006 and pedgrowth-data-who2007"
    )
    pytest.importorskip("pedgrowth.data.who2007", reason="needs pedgrowth-data-who2007")
    from pedgrowth import GrowthChartsCalculator

    from borneliv.growth.tests import pedgrowth_offline

    previous = os.environ.get("PEDGROWTH_REFERENCE_DIR")
    pedgrowth_offline.use(Path(tmp_path_factory.mktemp("pedgrowth")))
    yield GrowthChartsCalculator(interpolation="linear")
    if previous is None:
        os.environ.pop("PEDGROWTH_REFERENCE_DIR", None)
    else:
        os.environ["PEDGROWTH_REFERENCE_DIR"] = previous


def _pedgrowth_z(
    calculator: Any, indicator: str, values: np.ndarray, index: np.ndarray, sex: np.ndarray
) -> np.ndarray:
    out = np.full(len(values), np.nan)
    for code, name in ((1, "M"), (2, "F")):
        chosen = sex == code
        if chosen.any():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out[chosen] = calculator.zscores_numpy(
                    indicator, values[chosen], index[chosen], name
                )
    return out


@pytest.mark.parametrize(
    ("indicator", "young", "old"),
    [("bfa", "bmifa", "bmifa"), ("wfa", "wfa", "wfa"), ("lhfa", "lfa", "hfa")],
)
def test_age_indicators_match_pedgrowth(
    pedgrowth_calculator: Any, indicator: str, young: str, old: str
) -> None:
    sex, age = random_children(N, rng_seed)
    value = plausible_values(indicator, sex, age, rng_seed + 1)
    ours = engine.who_age_z(indicator, sex, age, value)
    months = age / engine.DAYS_PER_MONTH
    theirs = np.full(len(age), np.nan)
    for name, chosen in ((young, months < 60), (old, months >= 61)):
        if indicator == "wfa":
            chosen = chosen & (months <= 120)
        theirs[chosen] = _pedgrowth_z(
            pedgrowth_calculator, name, value[chosen], months[chosen], sex[chosen]
        )
    compared = ~np.isnan(theirs)
    assert compared.sum() > 0.9 * len(age) * (0.8 if indicator != "wfa" else 0.95)
    np.testing.assert_allclose(ours[compared], theirs[compared], rtol=0, atol=1e-9)
    if indicator == "wfa":
        assert np.array_equal(np.isnan(ours), months >= 121)
    else:
        assert not np.isnan(ours).any()


def test_weight_for_length_and_height_match_pedgrowth(pedgrowth_calculator: Any) -> None:
    rng = np.random.default_rng(rng_seed + 2)
    n = N
    sex = rng.integers(1, 3, n).astype(np.int8)
    age = np.where(rng.random(n) < 0.5, rng.uniform(0, 729, n), rng.uniform(732, 1825, n))
    size = np.where(age < 730.5, rng.uniform(45, 110, n), rng.uniform(65, 120, n))
    weight = np.exp(rng.uniform(np.log(1.5), np.log(30), n))
    ours, outside = engine.who_size_z(sex, age, size, weight, np.zeros(n, np.int8))
    assert not outside.any()
    theirs = np.full(n, np.nan)
    for name, chosen in (("wfl", age < 730.5), ("wfh", age >= 730.5)):
        theirs[chosen] = _pedgrowth_z(
            pedgrowth_calculator, name, weight[chosen], size[chosen], sex[chosen]
        )
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-9)


# --- rcpchgrowth ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rcpch() -> Any:
    return pytest.importorskip(
        "rcpchgrowth.global_functions", reason="rcpchgrowth is a test dependency"
    )


@pytest.mark.parametrize(
    ("indicator", "method"), [("bfa", "bmi"), ("wfa", "weight"), ("lhfa", "height")]
)
def test_age_indicators_match_rcpchgrowth(rcpch: Any, indicator: str, method: str) -> None:
    sex, age = random_children(300, rng_seed + 3, whole_days=True)
    value = plausible_values(indicator, sex, age, rng_seed + 4)
    ours = engine.who_age_z(indicator, sex, age, value)
    theirs = np.array(
        [
            rcpch.sds_for_measurement(
                reference="who",
                age=float(a) / 365.25,
                measurement_method=method,
                observation_value=float(v),
                sex="male" if s == 1 else "female",
            )
            if not (indicator == "wfa" and a / 365.25 > 10)
            else np.nan
            for s, a, v in zip(sex, age, value, strict=True)
        ]
    )
    compared = ~np.isnan(theirs)
    if indicator == "lhfa":
        compared &= np.abs(ours) < 3
    assert compared.sum() > 150
    np.testing.assert_allclose(ours[compared], theirs[compared], rtol=0, atol=1e-6)


def test_iotf_interpolation_matches_rcpchgrowths_lmsgrowth_cubic(rcpch: Any) -> None:
    """Cubic between half-years, linear in the end intervals, as rcpchgrowth's ``fetch_lms``."""
    table = iotf_table()
    rng = np.random.default_rng(rng_seed + 5)
    years = np.concatenate([rng.uniform(2, 18, 400), [2.0, 2.2, 2.5, 10.0, 17.7, 18.0]])
    for sex in (1, 2):
        rows = [
            {
                "decimal_age": 2 + k / 2,
                "L": table.grid_L[sex - 1, k],
                "M": table.grid_M[sex - 1, k],
                "S": table.grid_S[sex - 1, k],
            }
            for k in range(33)
        ]
        theirs = np.array(
            [[float(rcpch.fetch_lms(float(y), rows)[key]) for key in "lms"] for y in years]
        )
        ok, L, M, S = engine.iotf_lms(np.full(len(years), sex, np.int8), years * 365.25)
        assert ok.all()
        np.testing.assert_allclose(np.stack([L, M, S], axis=1), theirs, rtol=0, atol=1e-10)
        # ... and the adult-equivalent BMI written out with rcpchgrowth's LMS functions.
        bmi = rng.uniform(12, 30, len(years))
        iso, _ = engine.iotf_adult_bmi(np.full(len(years), sex, np.int8), years * 365.25, bmi)
        adult = [
            rcpch.measurement_for_z(
                rcpch.z_score(lam, mu, sigma, b),
                table.grid_L[sex - 1, -1],
                table.grid_M[sex - 1, -1],
                table.grid_S[sex - 1, -1],
            )
            for (lam, mu, sigma), b in zip(theirs, bmi, strict=True)
        ]
        expected = np.array([np.nan if e is None else e for e in adult], dtype=float)
        np.testing.assert_allclose(iso, expected, rtol=1e-9, equal_nan=True)
