"""Small statistics helpers used across apps. Django-free, vectorised over numpy arrays.

``wilson_interval``: the Wilson score interval for a binomial proportion k/n (Wilson 1927),
without continuity correction — the interval of R's ``prop.test(k, n, correct = FALSE)`` and
``binom::binom.wilson``, and of ``scipy.stats.binomtest(k, n).proportion_ci(method="wilson")``.
Unlike the textbook Wald interval p ± z·sqrt(p(1-p)/n), it stays inside [0, 1], is not empty at
k = 0 or k = n, and keeps close to its nominal coverage for the small n of local areas.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

#: The standard normal quantile of 0.975 (a two-sided 95 % interval), to six decimals.
Z_95 = 1.959964

FloatArray = npt.NDArray[np.float64]


def wilson_interval(
    k: npt.ArrayLike, n: npt.ArrayLike, z: float = Z_95
) -> tuple[FloatArray, FloatArray]:
    """Lower and upper bounds of the Wilson score interval for k successes out of n.

    ``k`` and ``n`` broadcast against each other; where ``n`` is 0 both bounds are NaN (there is
    no proportion to bound). The bounds are exactly 0 at k = 0 and exactly 1 at k = n. Raises
    ``ValueError`` for negative counts, k > n, or a non-positive ``z``.

        centre = (p + z²/2n) / (1 + z²/n)
        half   = z / (1 + z²/n) · sqrt(p(1 - p)/n + z²/4n²)
    """
    if not z > 0:
        raise ValueError("z must be positive")
    k_arr, n_arr = np.broadcast_arrays(np.asarray(k, dtype=np.float64), np.asarray(n, dtype=float))
    if np.any(k_arr < 0) or np.any(n_arr < 0):
        raise ValueError("counts cannot be negative")
    if np.any(k_arr > n_arr):
        raise ValueError("k cannot exceed n")
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k_arr / n_arr
        z2 = z * z
        denominator = 1.0 + z2 / n_arr
        centre = (p + z2 / (2.0 * n_arr)) / denominator
        half = z / denominator * np.sqrt(p * (1.0 - p) / n_arr + z2 / (4.0 * n_arr * n_arr))
        low = np.clip(centre - half, 0.0, 1.0)
        high = np.clip(centre + half, 0.0, 1.0)
    # At the edges the formula gives 0 and 1 up to rounding; make them exact.
    low = np.where(k_arr == 0, 0.0, low)
    high = np.where(k_arr == n_arr, 1.0, high)
    empty = n_arr == 0
    low = np.where(empty, np.nan, low)
    high = np.where(empty, np.nan, high)
    return low.astype(np.float64), high.astype(np.float64)
