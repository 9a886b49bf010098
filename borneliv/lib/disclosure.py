"""Small-cell suppression for every aggregate that leaves the system. Django-free.

Rules (DOMAIN.md, "Rules the data must follow"):
- a count of persons between 1 and ``threshold - 1`` is never shown (primary suppression);
- a share ``k / n`` is shown only when ``n``, and ``k`` and ``n - k`` where they are not zero,
  are all at least ``threshold``: otherwise the number of children with, or without, the
  property could be read off it (also primary);
- where totals are published beside a table, no hidden cell may follow from the published ones
  (complementary suppression, ``protect``).
The threshold is never below 3.

Linked tables
    An aggregate is a table of lines × columns whose last column is each line's total, cut into
    additive **sub-tables**: lists of line indices whose last line is the total of the others,
    column by column. A line may sit in several sub-tables — a municipality's total closes the
    sub-table of its areas and is a member of the sub-table of the municipalities' totals — so
    the sub-tables share margins. Every line and every column of every sub-table is one linear
    relation among published and hidden cells (parts add up to their total).

    ``protect`` hides more cells until (1) no relation has exactly one hidden cell, taking the
    smallest other cell of that relation (the rule readers can follow), and (2) no hidden cell
    follows from the published ones by any combination of relations: a hidden cell whose value
    every table consistent with the published figures shares (``recoverable``; e.g. two
    2 × 2 blocks of hidden cells joined by one hidden cell: each line has two hidden cells, yet
    the joining cell is the difference of the blocks' line totals). Step 2 hides the smallest
    published cell that frees such a cell again; both steps repeat until nothing changes.

    ``whole_line=True`` is for tables whose cells each show their line's total beside them —
    the motor trends show each level as k of n children —: a line whose total is hidden is then
    hidden whole, or every shown cell would print the hidden total. Tables whose cells carry
    their own denominator (prevalence by sex, coverage shares) do not need it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

MIN_THRESHOLD = 3

SMALL = "small"  # hidden: too few persons (primary suppression)
COMPLEMENTARY = "complementary"  # hidden so that a hidden cell cannot be worked out

BoolArray = npt.NDArray[np.bool_]
SubTables = Sequence[Sequence[int]]

#: Below this a singular value counts as zero (relations hold small integer coefficients).
_TOLERANCE = 1e-9


def _check(threshold: int) -> int:
    if threshold < MIN_THRESHOLD:
        raise ValueError(f"The suppression threshold must be at least {MIN_THRESHOLD}.")
    return threshold


def primary_mask(counts: npt.ArrayLike, threshold: int) -> BoolArray:
    """True where a count is small enough to identify persons (1 … threshold-1)."""
    values = np.asarray(counts)
    _check(threshold)
    return (values > 0) & (values < threshold)


def share_mask(numerators: npt.ArrayLike, denominators: npt.ArrayLike, threshold: int) -> BoolArray:
    """True where a share k/n must be hidden (see module docstring)."""
    k = np.asarray(numerators)
    n = np.asarray(denominators)
    _check(threshold)
    rest = n - k
    return (n < threshold) | ((k > 0) & (k < threshold)) | ((rest > 0) & (rest < threshold))


def with_totals(values: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """The table with row totals as a last column and column totals as a last row.

    The result is one sub-table (``protect`` with the default ``sub_tables``).
    """
    table = np.asarray(values, dtype=np.int64)
    rows, columns = table.shape
    out = np.zeros((rows + 1, columns + 1), dtype=np.int64)
    out[:rows, :columns] = table
    out[:rows, columns] = table.sum(axis=1)
    out[rows, :columns] = table.sum(axis=0)
    out[rows, columns] = table.sum()
    return out


def complementary_mask(
    counts: npt.ArrayLike,
    suppressed: BoolArray,
    *,
    rows: bool = True,
    columns: bool = True,
) -> BoolArray:
    """Extend a 2-D mask so no row/column with a published total has a single hidden cell.

    One table, lines only (step 1 of ``protect``); ``protect`` is the whole rule.
    """
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
                pick = _smallest(line_values, ~line_mask)
                if pick is None:
                    continue
                if axis == 1:
                    mask[index, pick] = True
                else:
                    mask[pick, index] = True
                changed = True
    return mask


def _smallest(values: npt.NDArray[np.float64], allowed: BoolArray) -> int | None:
    """The index of the smallest allowed value, a positive one if there is any."""
    candidates = np.flatnonzero(allowed & (values > 0))
    if candidates.size == 0:
        candidates = np.flatnonzero(allowed)
    if candidates.size == 0:
        return None
    return int(candidates[np.argmin(values[candidates])])


def _tables(lines: int, sub_tables: SubTables | None) -> list[npt.NDArray[np.intp]]:
    if sub_tables is None:
        return [np.arange(lines, dtype=np.intp)]
    return [np.asarray(rows, dtype=np.intp) for rows in sub_tables]


def relations(shape: tuple[int, int], sub_tables: SubTables | None = None) -> npt.NDArray[np.int8]:
    """Every additive relation of the linked tables, one row each over the flattened cells.

    A row is +1 on the parts and -1 on their total (the relation says the row sums to zero):
    each line's cells and its total (the last column), and each column of each sub-table.
    """
    lines, columns = shape
    found: list[npt.NDArray[np.int8]] = []
    for line in range(lines):
        if columns > 1:
            row = np.zeros(lines * columns, dtype=np.int8)
            row[line * columns : (line + 1) * columns - 1] = 1
            row[(line + 1) * columns - 1] = -1
            found.append(row)
    for rows in _tables(lines, sub_tables):
        if rows.size < 2:
            continue
        for column in range(columns):
            row = np.zeros(lines * columns, dtype=np.int8)
            row[rows[:-1] * columns + column] = 1
            row[rows[-1] * columns + column] = -1
            found.append(row)
    if not found:
        return np.zeros((0, lines * columns), dtype=np.int8)
    return np.unique(np.vstack(found), axis=0)


def recoverable(mask: BoolArray, matrix: npt.NDArray[np.int8]) -> BoolArray:
    """Hidden cells whose value follows from the published ones and the relations.

    With the published cells known, the relations restricted to the hidden cells, ``A x = b``,
    fix a hidden cell exactly when every solution has the same value there: when its coordinate
    is zero along the whole null space of ``A``.
    """
    flat = np.asarray(mask, dtype=bool).reshape(-1)
    hidden = np.flatnonzero(flat)
    result = np.zeros(flat.shape, dtype=bool)
    if hidden.size == 0:
        return result.reshape(np.shape(mask))
    a = matrix[:, hidden].astype(np.float64)
    a = a[np.any(a != 0, axis=1)]
    if a.shape[0] == 0:
        return result.reshape(np.shape(mask))
    _u, singular, vh = np.linalg.svd(a)
    rank = int(np.count_nonzero(singular > _TOLERANCE * max(1.0, float(singular.max()))))
    null = vh[rank:].T  # hidden cells × directions they may move in together
    fixed = np.all(np.abs(null) < 1e-7, axis=1) if null.shape[1] else np.ones(hidden.size, bool)
    result[hidden[fixed]] = True
    return result.reshape(np.shape(mask))


def _close_lines(
    values: npt.NDArray[np.float64],
    mask: BoolArray,
    tables: list[npt.NDArray[np.intp]],
    whole_line: bool,
) -> BoolArray:
    """Step 1: every line and column of every sub-table has no hidden cell or at least two.

    A change in one sub-table can open a line in another, so the round repeats until stable.
    """
    changed = True
    while changed:
        before = mask.copy()
        for rows in tables:
            mask[rows] = complementary_mask(values[rows], mask[rows])
        if whole_line:
            mask[mask[:, -1], :] = True
        changed = not np.array_equal(before, mask)
    return mask


def _free(
    values: npt.NDArray[np.float64], mask: BoolArray, matrix: npt.NDArray[np.int8], cell: int
) -> int | None:
    """Step 2: the smallest published cell whose hiding leaves ``cell`` not recoverable.

    The cells of the relations through ``cell`` are tried first, then every other one.
    """
    flat_mask = mask.reshape(-1)
    flat_values = values.reshape(-1)
    near = np.any(matrix[matrix[:, cell] != 0] != 0, axis=0)
    for group in (near & ~flat_mask, ~near & ~flat_mask):
        candidates = np.flatnonzero(group)
        order = np.lexsort((flat_values[candidates], flat_values[candidates] <= 0))
        for candidate in candidates[order]:
            trial = flat_mask.copy()
            trial[candidate] = True
            if not recoverable(trial, matrix)[cell]:
                return int(candidate)
    return None


def protect(
    counts: npt.ArrayLike,
    primary: npt.ArrayLike,
    *,
    sub_tables: SubTables | None = None,
    whole_line: bool = False,
) -> BoolArray:
    """The cells to hide: ``primary`` and the complementary cells that protect them.

    ``counts`` is lines × columns, its last column each line's total; ``sub_tables`` lists the
    line indices of each additive sub-table, its last line the total of the others (by default
    the whole table is one, as ``with_totals`` makes it). See the module docstring.
    """
    values = np.asarray(counts, dtype=np.float64)
    if values.ndim != 2:
        raise ValueError("complementary suppression needs a 2-D table")
    mask = np.array(primary, dtype=bool, copy=True)
    if whole_line:
        mask[mask[:, -1], :] = True
    tables = _tables(values.shape[0], sub_tables)
    matrix = relations((values.shape[0], values.shape[1]), sub_tables)
    while True:
        mask = _close_lines(values, mask, tables, whole_line)
        found = np.flatnonzero(recoverable(mask, matrix).reshape(-1))
        if found.size == 0:
            return mask
        pick = _free(values, mask, matrix, int(found[0]))
        if pick is None:  # no single cell frees it: hide the table (never seen, but safe)
            mask[:] = True
            return mask
        mask.reshape(-1)[pick] = True


def reasons(primary: BoolArray, hidden: BoolArray) -> npt.NDArray[np.str_]:
    """Why each cell is hidden: "", ``SMALL`` or ``COMPLEMENTARY``."""
    return np.where(primary, SMALL, np.where(hidden, COMPLEMENTARY, "")).astype(np.str_)


def suppress_table(
    counts: npt.ArrayLike, threshold: int, *, rows: bool = True, columns: bool = True
) -> BoolArray:
    """Primary plus complementary suppression for one 2-D table of counts with its totals.

    With both ``rows`` and ``columns`` (a table as ``with_totals`` makes it) this is ``protect``;
    otherwise the lines of one direction only.
    """
    values = np.asarray(counts)
    small = primary_mask(values, threshold)
    if rows and columns:
        return protect(values, small)
    return complementary_mask(values, small, rows=rows, columns=columns)
