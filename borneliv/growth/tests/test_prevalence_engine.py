"""The prevalence engine: counts, shares, Wilson intervals, suppression, one row per child."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from borneliv.growth import prevalence as engine
from borneliv.growth.prevalence import (
    ALL,
    BOYS,
    COMPARISON,
    COMPLEMENTARY,
    GIRLS,
    PROGRAMME,
    SMALL,
    AreaSpec,
    Cell,
    Line,
)
from borneliv.lib import disclosure
from borneliv.lib.stats import wilson_interval

AALBORG, ALBERTSLUND = 851, 165
LINDHOLM = AreaSpec(1, PROGRAMME, AALBORG, "Lindholm")
AAVANGEN = AreaSpec(2, PROGRAMME, AALBORG, "Aavangen")
VEJGAARD = AreaSpec(3, COMPARISON, AALBORG, "Vejgaard")
HERSTEDLUND = AreaSpec(4, PROGRAMME, ALBERTSLUND, "Herstedlund")
AREAS = [LINDHOLM, AAVANGEN, HERSTEDLUND, VEJGAARD]


def rows(*groups: tuple[int, int, str, int, int]) -> dict[str, np.ndarray]:
    """(area, period, sex, children, of whom with the property) → one row per child."""
    area, period, sex, flag = [], [], [], []
    for a, p, s, n, k in groups:
        area += [a] * n
        period += [p] * n
        sex += [s] * n
        flag += [True] * k + [False] * (n - k)
    return {
        "area": np.array(area, dtype=np.int64),
        "period": np.array(period, dtype=np.int64),
        "sex": np.array(sex),
        "flag": np.array(flag, dtype=bool),
    }


def tabulate(
    data: dict[str, np.ndarray], periods: list[int] | None = None, threshold: int = 5
) -> engine.Table:
    return engine.tabulate(**data, areas=AREAS, periods=periods or [2024], threshold=threshold)


def shown(cell: Cell) -> tuple[int | None, int | None]:
    return cell.n, cell.k


def get(line: Line | None) -> Line:
    assert line is not None
    return line


def sub_tables(table: engine.Table, period: int) -> list[list[Line]]:
    """The additive sub-tables: each group's areas + its total; the groups' totals + the total."""
    out = []
    for kind in (PROGRAMME, COMPARISON):
        lines = [line for line in table.lines_in(period) if line.kind == kind]
        groups = [line.group for line in lines if line.level == engine.GROUP]
        for group in groups:
            out.append([line for line in lines if line.group == group])
        out.append([line for line in lines if line.level in (engine.GROUP, engine.TOTAL)])
    return out


def assert_closed(table: engine.Table, period: int) -> None:
    """No line of any sub-table (a row girls/boys/all, or a column) has one hidden cell."""
    for lines in sub_tables(table, period):
        hidden = np.array([[c.is_hidden for c in line.cells] for line in lines])
        for line in (*hidden, *hidden.T):
            assert line.sum() != 1, hidden


def test_it_counts_children_per_area_period_and_sex_with_totals() -> None:
    table = tabulate(
        rows(
            (1, 2024, GIRLS, 20, 5),
            (1, 2024, BOYS, 30, 6),
            (2, 2024, GIRLS, 10, 0),
            (2, 2024, BOYS, 12, 5),
            (4, 2024, GIRLS, 15, 5),
            (4, 2024, BOYS, 15, 6),
            (3, 2024, GIRLS, 25, 10),
            (3, 2024, BOYS, 25, 5),
        )
    )
    assert [shown(c) for c in get(table.line(1, 2024)).cells] == [(20, 5), (30, 6), (50, 11)]
    aalborg = get(table.group_total(PROGRAMME, AALBORG, 2024))
    assert [shown(c) for c in aalborg.cells] == [(30, 5), (42, 11), (72, 16)]
    albertslund = get(table.group_total(PROGRAMME, ALBERTSLUND, 2024))
    assert [shown(c) for c in albertslund.cells] == [(15, 5), (15, 6), (30, 11)]
    programme = get(table.total(PROGRAMME, 2024))
    assert [shown(c) for c in programme.cells] == [(45, 10), (57, 17), (102, 27)]
    comparison = get(table.total(COMPARISON, 2024))
    assert [shown(c) for c in comparison.cells] == [(25, 10), (25, 5), (50, 15)]
    # Kinds in order; in each, a group's areas then the group's total; then the kind's total.
    assert [
        (line.kind, line.level, line.area.id if line.area else line.group) for line in table.lines
    ] == [
        (PROGRAMME, engine.AREA, 1),
        (PROGRAMME, engine.AREA, 2),
        (PROGRAMME, engine.GROUP, AALBORG),
        (PROGRAMME, engine.AREA, 4),
        (PROGRAMME, engine.GROUP, ALBERTSLUND),
        (PROGRAMME, engine.TOTAL, None),
        (COMPARISON, engine.AREA, 3),
        (COMPARISON, engine.GROUP, AALBORG),
        (COMPARISON, engine.TOTAL, None),
    ]
    assert not table.has_hidden


def test_each_shown_cell_has_its_share_and_wilson_interval() -> None:
    table = tabulate(rows((3, 2024, GIRLS, 25, 10), (3, 2024, BOYS, 25, 5)))
    cell = get(table.line(3, 2024)).cell(ALL)
    assert cell.share == pytest.approx(15 / 50)
    low, high = wilson_interval(15, 50)
    assert (cell.low, cell.high) == (pytest.approx(float(low)), pytest.approx(float(high)))
    # R: prop.test(15, 50, correct = FALSE)$conf.int: 0.1910355 0.4375035.
    assert cell.low == pytest.approx(0.1910355, abs=1e-7)
    assert cell.high == pytest.approx(0.4375035, abs=1e-7)


def test_a_cell_of_three_children_is_hidden_with_a_partner_so_totals_do_not_reveal_it() -> None:
    table = tabulate(
        rows(
            (1, 2024, GIRLS, 3, 0),  # three girls in Lindholm
            (1, 2024, BOYS, 30, 10),
            (2, 2024, GIRLS, 20, 5),
            (2, 2024, BOYS, 25, 5),
            (4, 2024, GIRLS, 30, 10),
            (4, 2024, BOYS, 30, 10),
        )
    )
    lindholm = get(table.line(1, 2024))
    assert lindholm.cell(GIRLS) == Cell(None, None, None, None, None, SMALL)
    # Lindholm's boys (the smallest other figure in its row) and Aavangen's girls (in its
    # column) are hidden with it, and the closure goes on until every line is safe.
    assert lindholm.cell(BOYS).hidden == COMPLEMENTARY
    assert get(table.line(2, 2024)).cell(GIRLS).hidden == COMPLEMENTARY
    assert_closed(table, 2024)
    # The totals that are shown cannot give the three away: the Aalborg total's girls is shown
    # (23), but both of its areas' girls are hidden.
    assert shown(get(table.group_total(PROGRAMME, AALBORG, 2024)).cell(GIRLS)) == (23, 5)


def test_a_hidden_cell_in_one_municipality_hides_a_partner_in_another() -> None:
    """Herstedlund's 3 of 8 girls is hidden; the Albertslund total equals it, so the partner
    must come from another municipality — or the programme total would give it away when set
    beside the Aalborg total that Aalborg's project leader sees."""
    table = tabulate(
        rows(
            (1, 2024, GIRLS, 20, 6),
            (1, 2024, BOYS, 21, 5),
            (4, 2024, GIRLS, 8, 3),
            (4, 2024, BOYS, 10, 5),
        )
    )
    assert get(table.line(4, 2024)).cell(GIRLS).hidden == SMALL
    assert get(table.group_total(PROGRAMME, ALBERTSLUND, 2024)).cell(GIRLS).is_hidden
    assert get(table.group_total(PROGRAMME, AALBORG, 2024)).cell(GIRLS).is_hidden
    assert get(table.line(1, 2024)).cell(GIRLS).is_hidden
    assert shown(get(table.total(PROGRAMME, 2024)).cell(GIRLS)) == (28, 9)
    assert_closed(table, 2024)


@pytest.mark.parametrize(
    ("n", "k", "hidden"),
    [
        (30, 2, True),  # only two with the property
        (30, 28, True),  # only two without it
        (30, 0, False),  # nobody has it: 0 % is shown
        (30, 30, False),  # everybody has it
        (30, 5, False),
        (4, 0, True),  # too few counted
    ],
)
def test_a_share_is_hidden_when_the_children_with_or_without_it_are_few(
    n: int, k: int, hidden: bool
) -> None:
    table = tabulate(rows((3, 2024, GIRLS, n, k)))
    cell = get(table.line(3, 2024)).cell(GIRLS)
    assert cell.is_hidden is hidden
    if hidden:
        assert cell.n is None and cell.share is None
    assert_closed(table, 2024)


def test_an_empty_cell_is_empty_not_hidden() -> None:
    table = tabulate(rows((1, 2024, GIRLS, 20, 5), (1, 2024, BOYS, 20, 5)))
    cell = get(table.line(2, 2024)).cell(GIRLS)
    assert cell.is_empty and not cell.is_hidden
    assert cell.share is None


def test_cells_hidden_for_their_count_are_the_same_whatever_the_property() -> None:
    """Overweight and obesity share n: their tables hide the same small-n cells and partners,
    so comparing the two tables cannot reveal a count."""
    base = [(1, 2024, GIRLS, 3), (1, 2024, BOYS, 40), (2, 2024, GIRLS, 50), (2, 2024, BOYS, 45)]
    overweight = tabulate(rows(*[(a, p, s, n, n // 4) for a, p, s, n in base]))
    obesity = tabulate(rows(*[(a, p, s, n, 0) for a, p, s, n in base]))
    counts_only = engine.tabulate(
        **rows(*[(a, p, s, n, 0) for a, p, s, n in base]),
        areas=AREAS,
        periods=[2024],
        threshold=5,
    )

    def hidden(table: engine.Table) -> set[tuple[str, int | None, str]]:
        return {
            (line.level, line.area.id if line.area else line.group, sex)
            for line in table.lines
            for sex in engine.SEXES
            if line.cell(sex).is_hidden
        }

    by_count = hidden(counts_only)
    assert by_count  # the three girls and their partners
    assert by_count <= hidden(overweight)
    assert by_count <= hidden(obesity)


def test_rows_outside_the_areas_or_periods_are_left_out() -> None:
    table = tabulate(
        rows((1, 2024, GIRLS, 10, 5), (99, 2024, GIRLS, 10, 5), (1, 2023, GIRLS, 10, 5)),
        periods=[2024],
    )
    assert get(table.line(1, 2024)).cell(GIRLS).n == 10
    assert get(table.total(PROGRAMME, 2024)).cell(GIRLS).n == 10
    assert table.periods == (2024,)


def test_a_kind_without_areas_has_no_lines() -> None:
    table = engine.tabulate(
        **rows((1, 2024, GIRLS, 10, 5)), areas=[LINDHOLM], periods=[2024], threshold=5
    )
    assert table.total(COMPARISON, 2024) is None
    assert [line.level for line in table.lines] == [engine.AREA, engine.GROUP, engine.TOTAL]


def test_one_block_per_period() -> None:
    table = tabulate(rows((1, 2023, GIRLS, 10, 5), (1, 2024, GIRLS, 12, 6)), periods=[2023, 2024])
    assert [line.period for line in table.lines] == [2023] * 9 + [2024] * 9
    assert get(table.line(1, 2023)).cell(GIRLS).n == 10
    assert get(table.line(1, 2024)).cell(GIRLS).n == 12


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), min_size=8, max_size=8),
    st.integers(3, 6),
)
def test_no_line_with_a_published_total_has_exactly_one_hidden_cell(
    counts: list[tuple[int, int]], threshold: int
) -> None:
    places = [(a.id, sex) for a in AREAS for sex in (GIRLS, BOYS)]
    groups = [
        (area, 2024, sex, n, min(k, n)) for (n, k), (area, sex) in zip(counts, places, strict=True)
    ]
    table = tabulate(rows(*groups), threshold=threshold)
    assert_closed(table, 2024)
    for line in table.lines:
        for cell in line.cells:
            if cell.is_hidden:
                assert (cell.n, cell.k, cell.share, cell.low, cell.high) == (None,) * 5
            elif cell.n:
                assert cell.k is not None
                assert not disclosure.share_mask(cell.k, cell.n, threshold)
                assert not disclosure.primary_mask(cell.n, threshold)


# --- one row per child -----------------------------------------------------------------------


def test_the_last_row_of_each_child_and_period_is_chosen() -> None:
    child = np.array([7, 7, 8, 7, 8])
    group = np.array([2024, 2024, 2024, 2025, 2024])
    day = np.array(
        ["2024-09-01", "2025-03-01", "2024-10-01", "2025-09-01", "2024-10-01"],
        dtype="datetime64[D]",
    )
    tiebreak = np.array([1, 2, 3, 4, 5])
    # Child 7: the March measurement of 2024/25 and the one of 2025/26; child 8: a tie on the
    # day, broken by the larger tiebreak (the later record).
    assert engine.latest_per_child(child, group, day, tiebreak).tolist() == [1, 3, 4]


def test_no_rows_no_choice() -> None:
    empty = np.zeros(0, dtype=np.int64)
    assert engine.latest_per_child(empty, empty, empty).size == 0


def test_school_years_run_from_august_to_july() -> None:
    days = np.array(["2025-07-31", "2025-08-01", "2026-01-15"], dtype="datetime64[D]")
    assert engine.school_year(days).tolist() == [2024, 2025, 2025]
    assert engine.calendar_year(days).tolist() == [2025, 2025, 2026]
    assert engine.school_year_label(2025) == "2025/26"
    assert engine.school_year_label(2099) == "2099/00"


@pytest.mark.parametrize(
    ("age_days", "band", "inside"),
    [
        (182, "6_10_months", False),  # 5.98 months
        (183, "6_10_months", True),
        (334, "6_10_months", True),  # 10.97 months: still 10 completed months
        (335, "6_10_months", False),
        (730, "1_2_years", True),  # 23.98 months: WHO, below IOTF's 2.0 years
        (731, "1_2_years", False),
        (731, "2_3_years", True),
        (1826, "3_5_years", True),
        (1827, "3_5_years", False),
    ],
)
def test_age_bands_by_months(age_days: int, band: str, inside: bool) -> None:
    assert bool(engine.in_band([age_days], engine.AGE_BANDS_BY_CODE[band])[0]) is inside


def test_bands_below_two_years_use_who_and_from_two_years_iotf() -> None:
    assert [b.reference for b in engine.AGE_BANDS] == [
        engine.WHO,
        engine.WHO,
        engine.IOTF,
        engine.IOTF,
    ]


def test_national_figures_name_their_period_and_source() -> None:
    school = engine.NATIONAL_FIGURES[("overweight", "school_start")]
    assert (school.percent_low, school.percent_high, school.period) == (12.0, 13.0, "2012–2018")
    motor = engine.NATIONAL_FIGURES[("motor_difficulties", "school_start")]
    assert (motor.percent_low, motor.period) == (6.3, "2018/19") and not motor.is_range
    infants = engine.NATIONAL_FIGURES[("overweight", "6_10_months")]
    assert infants.percent_low == 5.0
    assert ("obesity", "school_start") not in engine.NATIONAL_FIGURES
    assert all(figure.source for figure in engine.NATIONAL_FIGURES.values())


def test_the_engine_does_not_import_django() -> None:
    import ast
    from pathlib import Path

    tree = ast.parse(Path(engine.__file__).read_text())
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not any(name.startswith("django") for name in imported)
