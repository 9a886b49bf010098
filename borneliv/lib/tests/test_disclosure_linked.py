"""Complementary suppression over linked tables: no hidden cell can be worked out.

The tables are built as the aggregates build them: groups of lines (areas, daycares), each group
closed by its total line, the group totals closed by the overall total; every line's last column
the total of the others. The reader knows every published cell and that parts add up to their
totals. The audit here is written apart from ``disclosure.recoverable``: a hidden cell is given
away when its unit vector lies in the row space of the relations restricted to the hidden cells
(then some combination of published rows, columns and totals — their differences — equals it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import assume, find, given, settings
from hypothesis import strategies as st

from borneliv.lib import disclosure


@dataclass(frozen=True)
class Linked:
    values: np.ndarray  # lines × columns, the last column each line's total
    sub_tables: list[list[int]]  # line indices, the last line the total of the others


def linked(groups: list[np.ndarray]) -> Linked:
    """Lines of each group, the group's total, then the total of the groups' totals."""
    lines: list[np.ndarray] = []
    sub_tables: list[list[int]] = []
    group_totals: list[int] = []
    for body in groups:
        first = len(lines)
        lines.extend(body)
        lines.append(body.sum(axis=0))
        sub_tables.append(list(range(first, len(lines))))
        group_totals.append(len(lines) - 1)
    lines.append(np.sum([lines[i] for i in group_totals], axis=0))
    sub_tables.append([*group_totals, len(lines) - 1])
    parts = np.array(lines, dtype=np.int64)
    values = np.column_stack([parts, parts.sum(axis=1)]) if parts.shape[1] > 1 else parts
    return Linked(values, sub_tables)


@st.composite
def linked_tables(draw: st.DrawFn) -> Linked:
    columns = draw(st.integers(1, 3))
    small = st.integers(0, 12)
    groups = [
        np.array(
            draw(
                st.lists(
                    st.lists(small, min_size=columns, max_size=columns), min_size=1, max_size=4
                )
            ),
            dtype=np.int64,
        )
        for _ in range(draw(st.integers(1, 3)))
    ]
    return linked(groups)


def relation_rows(table: Linked) -> list[np.ndarray]:
    """Each published sum: a line's cells and its total, a sub-table's column and its total."""
    lines, columns = table.values.shape
    index = np.arange(lines * columns).reshape(lines, columns)
    found = []
    if columns > 1:
        for line in range(lines):
            row = np.zeros(lines * columns)
            row[index[line, :-1]] = 1
            row[index[line, -1]] = -1
            found.append(row)
    for rows in table.sub_tables:
        for column in range(columns):
            row = np.zeros(lines * columns)
            row[index[rows[:-1], column]] = 1
            row[index[rows[-1], column]] = -1
            found.append(row)
    return found


def given_away(table: Linked, mask: np.ndarray) -> list[tuple[int, int]]:
    """The hidden cells that some combination of the published sums pins down exactly."""
    flat = mask.reshape(-1)
    hidden = np.flatnonzero(flat)
    if hidden.size == 0:
        return []
    a = np.array(relation_rows(table))[:, hidden]
    rank = np.linalg.matrix_rank(a) if a.size else 0
    out = []
    for position, cell in enumerate(hidden):
        unit = np.zeros((1, hidden.size))
        unit[0, position] = 1
        if np.linalg.matrix_rank(np.vstack([a, unit])) == rank:
            out.append(divmod(int(cell), table.values.shape[1]))
    return out


def single_hidden_lines(table: Linked, mask: np.ndarray) -> int:
    """Published sums (lines, columns of sub-tables) with exactly one hidden cell."""
    flat = mask.reshape(-1)
    return sum(1 for row in relation_rows(table) if flat[row != 0].sum() == 1)


def protected(table: Linked, threshold: int, *, whole_line: bool = False) -> np.ndarray:
    primary = disclosure.primary_mask(table.values, threshold)
    return disclosure.protect(
        table.values, primary, sub_tables=table.sub_tables, whole_line=whole_line
    )


@settings(max_examples=300, deadline=None)
@given(table=linked_tables(), threshold=st.integers(3, 6))
def test_no_hidden_cell_follows_from_the_published_margins(table: Linked, threshold: int) -> None:
    mask = protected(table, threshold)
    primary = disclosure.primary_mask(table.values, threshold)
    assert (mask | ~primary).all(), "every small count stays hidden"
    assert single_hidden_lines(table, mask) == 0
    assert given_away(table, mask) == []


@settings(max_examples=200, deadline=None)
@given(table=linked_tables(), threshold=st.integers(3, 6))
def test_a_line_whose_total_is_hidden_is_hidden_whole_when_its_cells_show_it(
    table: Linked, threshold: int
) -> None:
    mask = protected(table, threshold, whole_line=True)
    assert (mask[mask[:, -1]]).all()
    assert single_hidden_lines(table, mask) == 0
    assert given_away(table, mask) == []


@settings(max_examples=200, deadline=None)
@given(table=linked_tables(), threshold=st.integers(3, 6), data=st.data())
def test_shares_hidden_beside_small_counts_are_protected_too(
    table: Linked, threshold: int, data: st.DataObject
) -> None:
    """Any primary pattern (a share refused, say) is protected, not only small counts."""
    extra = data.draw(
        st.lists(st.booleans(), min_size=table.values.size, max_size=table.values.size)
    )
    primary = disclosure.primary_mask(table.values, threshold) | np.array(extra).reshape(
        table.values.shape
    ) & (table.values > 0)
    mask = disclosure.protect(table.values, primary, sub_tables=table.sub_tables)
    assert (mask | ~primary).all()
    assert given_away(table, mask) == []


@settings(max_examples=200, deadline=None)
@given(table=linked_tables(), threshold=st.integers(3, 6))
def test_recoverable_agrees_with_the_audit(table: Linked, threshold: int) -> None:
    primary = disclosure.primary_mask(table.values, threshold)
    matrix = disclosure.relations(table.values.shape, table.sub_tables)
    found = disclosure.recoverable(primary, matrix)
    assert sorted(zip(*np.nonzero(found), strict=True)) == given_away(table, primary)


def test_the_audit_catches_primary_suppression_alone() -> None:
    """With the complementary step switched off, a small count is given away by a total."""
    table = find(
        linked_tables(),
        lambda t: bool(given_away(t, disclosure.primary_mask(t.values, 3))),
        settings=settings(database=None),
    )
    assert given_away(table, disclosure.primary_mask(table.values, 3))


def test_the_audit_catches_lines_shared_between_linked_tables() -> None:
    """Closing each sub-table alone, once, misses what a shared total line gives away."""

    def each_table_once(t: Linked) -> np.ndarray:
        mask = disclosure.primary_mask(t.values, 3)
        for rows in t.sub_tables:
            mask[rows] = disclosure.complementary_mask(t.values[rows], mask[rows])
        return mask

    def leaks(t: Linked) -> bool:
        assume(len(t.sub_tables) > 2)
        return bool(given_away(t, each_table_once(t)))

    table = find(linked_tables(), leaks, settings=settings(database=None, max_examples=5000))
    assert given_away(table, protected(table, 3)) == []


def test_two_hidden_blocks_joined_by_one_cell_do_not_give_the_joining_cell_away() -> None:
    """Every line has two hidden cells, yet the difference of the blocks' totals is the cell
    between them: the rule of lines alone is not enough, ``protect`` hides one cell more."""
    body = np.array(
        [
            [1, 2, 20, 30],
            [2, 1, 2, 40],
            [50, 60, 1, 2],
            [70, 80, 2, 1],
        ]
    )
    table = Linked(disclosure.with_totals(body), [list(range(5))])
    hidden = np.zeros(table.values.shape, dtype=bool)
    hidden[:2, :2] = hidden[2:4, 2:4] = True
    hidden[1, 2] = True  # the joining cell: row 1 and column 2 have three hidden cells each
    lines_only = disclosure.complementary_mask(table.values, hidden)
    assert (lines_only == hidden).all(), "no line has a single hidden cell"
    assert given_away(table, lines_only) == [(1, 2)]
    mask = disclosure.protect(table.values, hidden)
    assert given_away(table, mask) == []
    assert int(mask.sum()) == int(hidden.sum()) + 1


def test_protect_keeps_the_smallest_partner_rule_of_lines() -> None:
    counts = disclosure.with_totals(np.array([[2, 10, 7], [8, 9, 12]]))
    mask = disclosure.protect(counts, disclosure.primary_mask(counts, 5))
    assert mask[:2, :3].tolist() == [[True, False, True], [True, False, True]]
    assert not mask[:, 3].any() and not mask[2].any()


def test_reasons_name_small_and_complementary_cells() -> None:
    primary = np.array([[True, False, False]])
    hidden = np.array([[True, True, False]])
    assert disclosure.reasons(primary, hidden).tolist() == [
        [disclosure.SMALL, disclosure.COMPLEMENTARY, ""]
    ]
