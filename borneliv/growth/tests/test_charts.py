"""The chart engine: valid, accessible, reproducible SVG with the reference curves and the points."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from borneliv.growth import charts, engine
from borneliv.growth.references import age_table

PROJECT_DIR = Path(__file__).resolve().parents[3]
SVG = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"

TEXT = charts.ChartText(
    title="BMI-for-age, girl",
    description="Three counted, one held, one rejected.",
    x_label="Age (years)",
    y_label="BMI (kg/m²)",
    median="WHO median (z = 0)",
    z_lines="WHO z = ±1, ±2, ±3",
    seam="WHO 2006 | WHO 2007",
    counted="Measurement (counted)",
    held="Held for review",
    rejected="Rejected after review",
    rejected_mark="rejected",
    iotf25="IOTF cut-off, adult BMI 25",
    iotf30="IOTF cut-off, adult BMI 30",
)

AGES = [10.0, 120.0, 400.0, 800.0, 1500.0, 2200.0]
BMIS = [13.0, 16.5, 17.0, 16.0, 19.0, 17.5]
STATUS = ["counted", "counted", "held", "counted", "rejected", "counted"]


def bmi_chart(**overrides: object) -> bytes:
    arguments: dict[str, object] = {
        "sex": 2,
        "age_days": AGES,
        "bmi": BMIS,
        "status": STATUS,
        "text": TEXT,
    }
    arguments.update(overrides)
    return charts.bmi_for_age_svg(**arguments)  # type: ignore[arg-type]


def parse(svg: bytes) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output


def group(root: ET.Element, gid: str) -> ET.Element | None:
    return next((g for g in root.iter(f"{SVG}g") if g.get("id") == gid), None)


def group_ids(root: ET.Element) -> set[str]:
    return {g.get("id", "") for g in root.iter(f"{SVG}g")}


def markers_in(root: ET.Element, gid: str) -> int:
    """How many markers a points group draws (matplotlib draws each as a ``<use>``)."""
    found = group(root, gid)
    return 0 if found is None else sum(1 for _ in found.iter(f"{SVG}use"))


def texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def test_it_is_an_svg_with_a_title_and_description_first() -> None:
    root = parse(bmi_chart())
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "chart-title chart-desc"
    first, second = list(root)[:2]
    assert first.tag == f"{SVG}title" and first.text == "BMI-for-age, girl"
    assert second.tag == f"{SVG}desc" and second.text == "Three counted, one held, one rejected."


def test_the_title_and_description_are_escaped() -> None:
    root = parse(bmi_chart(text=TEXT.__class__(**{**TEXT.__dict__, "title": "A <b> & c"})))
    assert root.find(f"{SVG}title").text == "A <b> & c"  # type: ignore[union-attr]


def test_it_draws_the_seven_who_curves_in_each_piece_with_the_seam_at_5_years() -> None:
    ids = group_ids(parse(bmi_chart()))
    for z in ("z-3", "z-2", "z-1", "z+0", "z+1", "z+2", "z+3"):
        assert f"who2006-{z}" in ids  # length-based, to day 730
        assert f"who2006-height-{z}" in ids  # height-based, days 731-1826
        assert f"who2007-{z}" in ids  # from 60 months
    assert "who-seam" in ids


def test_it_draws_the_iotf_cut_offs_unless_asked_not_to() -> None:
    assert {"iotf-25", "iotf-30"} <= group_ids(parse(bmi_chart()))
    assert {"iotf-25", "iotf-30"} <= group_ids(parse(bmi_chart(iotf="2000")))
    assert not {"iotf-25", "iotf-30"} & group_ids(parse(bmi_chart(iotf=None)))


def test_it_draws_each_point_by_its_status() -> None:
    root = parse(bmi_chart())
    assert markers_in(root, "points-counted") == 4
    assert markers_in(root, "points-held") == 1
    assert markers_in(root, "points-rejected") == 1
    assert "trajectory" in group_ids(root)
    # The rejected point is hollow and labelled.
    rejected = group(root, "points-rejected")
    assert rejected is not None
    (marker,) = rejected.iter(f"{SVG}use")
    assert "fill-opacity: 0" in marker.get("style", "")
    counted = group(root, "points-counted")
    assert counted is not None
    assert all("fill: #" in use.get("style", "") for use in counted.iter(f"{SVG}use"))
    assert texts(root).count("rejected") == 1


def test_points_lie_left_to_right_in_age_order() -> None:
    root = parse(bmi_chart())
    counted = group(root, "points-counted")
    assert counted is not None
    xs = [float(use.get("x", "nan")) for use in counted.iter(f"{SVG}use")]
    assert xs == sorted(xs) and len(set(xs)) == 4


def test_a_point_without_a_bmi_is_left_out() -> None:
    root = parse(bmi_chart(bmi=[13.0, np.nan, 17.0, 16.0, 19.0, 17.5]))
    assert markers_in(root, "points-counted") == 3


def test_a_value_far_off_the_curves_is_drawn_at_the_edge_as_a_triangle() -> None:
    root = parse(bmi_chart(bmi=[13.0, 16.5, 17.0, 16.0, 95.0, 17.5]))
    assert markers_in(root, "points-rejected") == 0
    assert markers_in(root, "points-rejected-edge") == 1


def test_the_legend_and_axes_use_the_texts_given() -> None:
    danish = TEXT.__class__(
        **{**TEXT.__dict__, "x_label": "Alder (år)", "held": "Tilbageholdt til kontrol"}
    )
    words = texts(parse(bmi_chart(text=danish)))
    assert "Alder (år)" in words and "Tilbageholdt til kontrol" in words
    assert "WHO 2006 | WHO 2007" in words and "IOTF cut-off, adult BMI 25" in words


def test_the_output_is_reproducible_and_undated() -> None:
    first, second = bmi_chart(), bmi_chart()
    assert first == second
    assert b"<dc:date>" not in first


def test_the_axis_runs_from_birth_to_a_bit_past_the_last_measurement() -> None:
    year = engine.DAYS_PER_YEAR
    assert charts.axis_end_days([]) == pytest.approx(2 * year)
    assert charts.axis_end_days([100.0]) == pytest.approx(2 * year)
    assert charts.axis_end_days([6.2 * year]) == pytest.approx(7 * year)
    assert charts.axis_end_days([30 * year]) == pytest.approx(19 * year)


def test_a_chart_of_an_infant_stops_before_the_seam() -> None:
    ids = group_ids(parse(bmi_chart(age_days=[30.0], bmi=[14.0], status=["counted"])))
    assert "who2006-z+0" in ids
    assert "who2007-z+0" not in ids and "who-seam" not in ids


def test_the_curves_are_the_who_lms_values() -> None:
    table = age_table("bfa")
    girls = table.rows_per_sex
    curves = {c.gid: c for c in charts.who_curves("bfa", 2, 7 * engine.DAYS_PER_YEAR)}
    median = curves["who2006-z+0"]
    assert median.age_days[0] == 0 and median.values[0] == table.lms.M[girls]
    assert median.values[730] == table.lms.M[girls + 730]
    # WHO 2007 at 84 months, z = +2: M (1 + L S 2)^(1/L).
    row = girls + table.who2007_row0 + (84 - 60)
    lam, mu, sigma = table.lms.L[row], table.lms.M[row], table.lms.S[row]
    plus2 = curves["who2007-z+2"]
    at84 = int(np.flatnonzero(plus2.age_days == 84 * engine.DAYS_PER_MONTH)[0])
    assert plus2.values[at84] == pytest.approx(mu * (1 + lam * sigma * 2) ** (1 / lam), rel=1e-12)
    # The height-based piece starts at day 731; the length-based one ends at day 730.
    assert curves["who2006-height-z+0"].age_days[0] == 731
    assert curves["who2006-z+0"].age_days[-1] == 730


def test_the_iotf_curves_pass_through_the_published_cut_offs() -> None:
    # Cole & Lobstein 2012 (Table 4 of Cole 2000 gives 19.8 for girls, 19.9 for boys at 10 y).
    ten = 10 * engine.DAYS_PER_YEAR
    cut25 = next(c for c in charts.iotf_curves(2, ten, "2012") if c.gid == "iotf-25")
    assert cut25.age_days[0] == pytest.approx(2 * engine.DAYS_PER_YEAR)
    assert cut25.values[-1] == pytest.approx(19.8, abs=0.1)
    assert charts.iotf_curves(2, engine.DAYS_PER_YEAR) == []


def test_a_height_chart_has_the_who_height_curves_and_no_iotf() -> None:
    svg = charts.height_for_age_svg(
        sex=1,
        age_days=[30.0, 300.0],
        height_cm=[54.0, 72.0],
        status=["counted", "held"],
        text=TEXT,
    )
    root = parse(svg)
    ids = group_ids(root)
    assert "who2006-z+0" in ids and "iotf-25" not in ids
    assert markers_in(root, "points-counted") == 1 and markers_in(root, "points-held") == 1


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="status"):
        bmi_chart(status=["counted", "counted", "held", "counted", "lost", "counted"])
    with pytest.raises(ValueError, match="same length"):
        bmi_chart(bmi=[13.0])
    with pytest.raises(ValueError, match="sex"):
        charts.who_curves("bfa", 0, 1000)


def test_the_chart_engine_imports_no_django() -> None:
    code = (
        "import sys, borneliv.growth.charts; "
        "print(','.join(m for m in sys.modules if m == 'django' or m.startswith('django.')))"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(PROJECT_DIR)},
    )
    assert result.stdout.strip() == ""
