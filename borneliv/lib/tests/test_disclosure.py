"""Small-cell suppression: primary, share and complementary masks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from borneliv.lib import disclosure


def test_counts_from_one_to_below_the_threshold_are_hidden() -> None:
    mask = disclosure.primary_mask([0, 1, 4, 5, 17], 5)
    assert mask.tolist() == [False, True, True, False, False]


def test_the_threshold_is_never_below_three() -> None:
    with pytest.raises(ValueError):
        disclosure.primary_mask([1], 2)
    with pytest.raises(ValueError):
        disclosure.share_mask([1], [10], 2)
    assert disclosure.primary_mask([2], 3).tolist() == [True]


@pytest.mark.parametrize(
    ("k", "n", "hidden"),
    [
        (5, 10, False),  # 5 with, 5 without
        (0, 10, False),  # nobody has it: 0 %, nobody to single out
        (10, 10, False),  # everybody has it: 100 %
        (4, 10, True),  # 4 children with the property
        (6, 10, True),  # 4 children without it
        (4, 4, True),  # too few counted at all
        (0, 0, True),  # nothing to show
        (0, 4, True),
        (7, 12, False),
    ],
)
def test_a_share_is_shown_only_when_both_groups_are_large_enough(
    k: int, n: int, hidden: bool
) -> None:
    assert bool(disclosure.share_mask(k, n, 5)) is hidden


def test_a_single_hidden_cell_in_a_row_gets_a_partner() -> None:
    counts = np.array([[2, 10, 7], [8, 9, 12]])
    mask = disclosure.suppress_table(counts, 5)
    # Row 0: 2 is hidden; the smallest other (7) joins it. Columns 0 and 2 then have one hidden
    # cell each, so row 1 loses its cells there too (8 and 12), which balances row 1 as well.
    assert mask.tolist() == [[True, False, True], [True, False, True]]


def test_a_line_without_other_cells_stays_alone() -> None:
    mask = disclosure.suppress_table(np.array([[3]]), 5)
    assert mask.tolist() == [[True]]


def test_zeros_are_chosen_only_when_no_positive_cell_is_left() -> None:
    mask = disclosure.complementary_mask(
        np.array([[2, 0, 0]]), np.array([[True, False, False]]), columns=False
    )
    assert mask.sum() == 2 and bool(mask[0, 0])


def test_rows_or_columns_can_be_left_out() -> None:
    counts = np.array([[2, 10], [30, 40]])
    primary = disclosure.primary_mask(counts, 5)
    only_rows = disclosure.complementary_mask(counts, primary, columns=False)
    assert only_rows.tolist() == [[True, True], [False, False]]


def test_complementary_suppression_needs_a_table() -> None:
    with pytest.raises(ValueError):
        disclosure.complementary_mask(np.array([1, 2]), np.array([True, False]))


def test_the_input_mask_is_not_changed() -> None:
    counts = np.array([[2, 10], [30, 40]])
    primary = disclosure.primary_mask(counts, 5)
    before = primary.copy()
    disclosure.complementary_mask(counts, primary)
    assert (primary == before).all()


tables = arrays(
    dtype=np.int64,
    shape=st.tuples(st.integers(1, 6), st.integers(1, 6)),
    elements=st.integers(0, 30),
)


@settings(max_examples=300, deadline=None)
@given(counts=tables, threshold=st.integers(3, 10))
def test_no_line_keeps_a_single_hidden_cell_that_totals_would_reveal(
    counts: np.ndarray, threshold: int
) -> None:
    primary = disclosure.primary_mask(counts, threshold)
    mask = disclosure.suppress_table(counts, threshold)
    assert (mask | ~primary).all(), "every small count stays hidden"
    rows, columns = mask.shape
    if columns > 1:
        assert not (mask.sum(axis=1) == 1).any()
    if rows > 1:
        assert not (mask.sum(axis=0) == 1).any()


@settings(max_examples=200, deadline=None)
@given(counts=tables, threshold=st.integers(3, 10))
def test_a_table_without_small_counts_is_shown_whole(counts: np.ndarray, threshold: int) -> None:
    counts = np.where((counts > 0) & (counts < threshold), threshold, counts)
    assert not disclosure.suppress_table(counts, threshold).any()
