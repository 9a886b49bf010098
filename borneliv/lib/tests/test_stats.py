"""The Wilson score interval against published values and an independent implementation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import binomtest

from borneliv.lib.stats import Z_95, wilson_interval


@pytest.mark.parametrize(
    ("k", "n", "low", "high", "decimals"),
    [
        # R: prop.test(k, n, correct = FALSE)$conf.int, to the 7 decimals R prints.
        (0, 10, 0.0000000, 0.2775328, 7),
        (5, 10, 0.2365931, 0.7634069, 7),
        (10, 10, 0.7224672, 1.0000000, 7),
        # Newcombe (1998), Statistics in Medicine 17:857-872, table II, method 3 (Wilson score
        # without continuity correction), to the 4 decimals published.
        (81, 263, 0.2553, 0.3662, 4),
        (15, 148, 0.0624, 0.1605, 4),
        (0, 20, 0.0000, 0.1611, 4),
        (1, 29, 0.0061, 0.1718, 4),
    ],
)
def test_it_matches_published_values(
    k: int, n: int, low: float, high: float, decimals: int
) -> None:
    lo, hi = wilson_interval(k, n)
    assert float(lo) == pytest.approx(low, abs=0.5 * 10**-decimals)
    assert float(hi) == pytest.approx(high, abs=0.5 * 10**-decimals)


def test_it_is_the_formula_from_first_principles() -> None:
    # The interval's bounds are the two roots p of (p̂ - p)² = z² p (1 - p) / n.
    k, n = 7, 23
    p_hat = k / n
    a = 1 + Z_95**2 / n
    b = -(2 * p_hat + Z_95**2 / n)
    c = p_hat**2
    roots = sorted(
        (
            (-b - math.sqrt(b * b - 4 * a * c)) / (2 * a),
            (-b + math.sqrt(b * b - 4 * a * c)) / (2 * a),
        )
    )
    lo, hi = wilson_interval(k, n)
    assert float(lo) == pytest.approx(roots[0], abs=1e-12)
    assert float(hi) == pytest.approx(roots[1], abs=1e-12)


def test_z_is_the_normal_quantile() -> None:
    from scipy.stats import norm

    assert pytest.approx(float(norm.ppf(0.975)), abs=5e-7) == Z_95


@given(
    st.integers(min_value=1, max_value=5000).flatmap(
        lambda n: st.tuples(st.integers(0, n), st.just(n))
    )
)
def test_it_agrees_with_scipy(case: tuple[int, int]) -> None:
    k, n = case
    lo, hi = wilson_interval(k, n)
    reference = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    # scipy uses the exact quantile; ours is rounded to 6 decimals.
    assert float(lo) == pytest.approx(reference.low, abs=1e-6)
    assert float(hi) == pytest.approx(reference.high, abs=1e-6)
    assert 0.0 <= float(lo) <= k / n <= float(hi) <= 1.0


def test_it_works_on_arrays_and_broadcasts() -> None:
    lo, hi = wilson_interval(np.array([0, 5, 10]), 10)
    assert lo.shape == hi.shape == (3,)
    assert lo[0] == 0.0 and hi[2] == 1.0
    assert lo[1] == pytest.approx(1 - hi[1])  # symmetric around one half


def test_it_has_no_interval_without_observations() -> None:
    lo, hi = wilson_interval([0, 1], [0, 2])
    assert math.isnan(lo[0]) and math.isnan(hi[0])
    assert not math.isnan(lo[1])


def test_a_wider_z_gives_a_wider_interval() -> None:
    lo95, hi95 = wilson_interval(30, 100)
    lo99, hi99 = wilson_interval(30, 100, z=2.575829)
    assert lo99 < lo95 and hi99 > hi95


@pytest.mark.parametrize(
    ("k", "n", "z"), [(-1, 10, Z_95), (11, 10, Z_95), (1, -2, Z_95), (1, 2, 0)]
)
def test_it_refuses_impossible_input(k: int, n: int, z: float) -> None:
    with pytest.raises(ValueError):
        wilson_interval(k, n, z=z)
