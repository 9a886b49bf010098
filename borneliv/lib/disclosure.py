"""Small-cell suppression for every aggregate that leaves the system. Django-free.

Rules (DOMAIN.md, "Rules the data must follow"):
- a count of persons between 1 and ``threshold - 1`` is never shown (primary suppression);
- where totals are published beside a table, a row or column with exactly one suppressed cell
  would let a reader recompute it by subtraction, so a second cell in that row or column — the
  smallest one left — is suppressed too (complementary suppression), repeated until stable;
- a share ``k / n`` is shown only when ``n``, and ``k`` and ``n - k`` where they are not zero,
  are all at least ``threshold``: otherwise the number of children with, or without, the
  property could be read off it.
The threshold is never below 3.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

MIN_THRESHOLD = 3


def _check(threshold: int) -> int:
    if threshold < MIN_THRESHOLD:
        raise ValueError(f"The suppression threshold must be at least {MIN_THRESHOLD}.")
    return threshold


def primary_mask(counts: npt.ArrayLike, threshold: int) -> npt.NDArray[np.bool_]:
    """True where a count is small enough to identify persons (1 … threshold-1)."""
    values = np.asarray(counts)
    _check(threshold)
    return (values > 0) & (values < threshold)


def share_mask(
    numerators: npt.ArrayLike, denominators: npt.ArrayLike, threshold: int
) -> npt.NDArray[np.bool_]:
    """True where a share k/n must be hidden (see module docstring)."""
    k = np.asarray(numerators)
    n = np.asarray(denominators)
    _check(threshold)
    rest = n - k
    return (n < threshold) | ((k > 0) & (k < threshold)) | ((rest > 0) & (rest < threshold))


def complementary_mask(
    counts: npt.ArrayLike,
    suppressed: npt.NDArray[np.bool_],
    *,
    rows: bool = True,
    columns: bool = True,
) -> npt.NDArray[np.bool_]:
    """Extend a 2-D mask so no row/column with a published total has a single hidden cell."""
    values = np.asarray(counts, dtype=float)
    if values.ndim != 2:
        raise ValueError("complementary suppression needs a 2-D table")
    mask = np.array(suppressed, dtype=bool, copy=True)
    changed = True
    while changed:
        changed = False
        for axis, enabled in ((1, rows), (0, columns)):
            if not enabled:
                continue
            lines = mask.shape[0] if axis == 1 else mask.shape[1]
            for index in range(lines):
                line_mask = mask[index, :] if axis == 1 else mask[:, index]
                line_values = values[index, :] if axis == 1 else values[:, index]
                if line_mask.sum() != 1:
                    continue
                candidates = np.where(~line_mask & (line_values > 0))[0]
                if candidates.size == 0:
                    candidates = np.where(~line_mask)[0]
                if candidates.size == 0:
                    continue
                pick = candidates[np.argmin(line_values[candidates])]
                if axis == 1:
                    mask[index, pick] = True
                else:
                    mask[pick, index] = True
                changed = True
    return mask


def suppress_table(
    counts: npt.ArrayLike, threshold: int, *, rows: bool = True, columns: bool = True
) -> npt.NDArray[np.bool_]:
    """Primary plus complementary suppression for a 2-D table of counts with totals."""
    values = np.asarray(counts)
    return complementary_mask(values, primary_mask(values, threshold), rows=rows, columns=columns)
