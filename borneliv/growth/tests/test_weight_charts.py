"""The weight charts: weight-for-age (WHO 2006 / 2007 to 10 years) and weight-for-length (under 2).

The curves are checked against what WHO publishes (its z-score tables, ``data/
who_sd_published.csv``, and the z-scores of WHO's software in ``data/golden_public.csv``, see
``data/PROVENANCE.md``); the charts against the child's points; the page against what it shows.
"""

from __future__ import annotations

import csv
import datetime as dt
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.urls import reverse
from django.utils import timezone

from borneliv.children import services as child_services
from borneliv.children.models import AccessLog, Child
from borneliv.children.testing import synthetic_cpr
from borneliv.growth import charts, engine, services
from borneliv.growth.models import Context, Measurement
from borneliv.growth.tests.conftest import ClientFor
from borneliv.testing import World

DATA = Path(__file__).resolve().parent / "data"
SVG = "{http://www.w3.org/2000/svg}"
Z_IDS = ("z-3", "z-2", "z-1", "z+0", "z+1", "z+2", "z+3")
SD_COLUMNS = ("sd3neg", "sd2neg", "sd1neg", "sd0", "sd1", "sd2", "sd3")

TEXT = charts.ChartText(
    title="Weight-for-length, boy",
    description="Four counted, one held.",
    x_label="Length (cm)",
    y_label="Weight (kg)",
    median="WHO median (z = 0)",
    z_lines="WHO z = ±1, ±2, ±3",
    seam="WHO 2006 | WHO 2007",
    counted="Measurement (counted)",
    held="Held for review",
    rejected="Rejected after review",
    rejected_mark="rejected",
)


def published_rows(table: str) -> list[dict[str, str]]:
    with (DATA / "who_sd_published.csv").open(encoding="utf-8") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return [row for row in csv.DictReader(lines) if row["table"] == table]


def half_unit(row: dict[str, str]) -> float:
    """Half a unit of the last decimal WHO printed (the rounding of the published value)."""
    decimals = max(len(row[c].partition(".")[2]) for c in SD_COLUMNS)
    return 0.5 * 10.0**-decimals


def curve_values(curves: list[charts.Curve], prefix: str, x: float) -> list[float]:
    """The seven curves of a piece at ``x``, read linearly between the drawn points."""
    by_id = {c.gid: c for c in curves}
    return [
        float(np.interp(x, by_id[f"{prefix}-{z}"].x, by_id[f"{prefix}-{z}"].values)) for z in Z_IDS
    ]


def parse(svg: bytes) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output


def group_ids(root: ET.Element) -> set[str]:
    return {g.get("id", "") for g in root.iter(f"{SVG}g")}


def markers_in(root: ET.Element, gid: str) -> int:
    """Markers in the groups of that id (each marker shape is a group of its own)."""
    groups = [g for g in root.iter(f"{SVG}g") if g.get("id") == gid]
    return sum(1 for g in groups for _ in g.iter(f"{SVG}use"))


# --- the curves against WHO's publications ------------------------------------------------------


@pytest.mark.parametrize("table", ["wfl"])
def test_the_weight_for_length_curves_are_whos_published_values(table: str) -> None:
    rows = published_rows(table)
    assert len(rows) == 23
    for row in rows:
        curves = charts.weight_for_length_curves(int(row["sex"]))
        ours = curve_values(curves, "wfl", float(row["x"]))
        published = [float(row[c]) for c in SD_COLUMNS]
        # WHO rounds to 0.1 kg: every curve lies within half of that of the printed value.
        assert np.abs(np.subtract(ours, published)).max() <= half_unit(row) + 1e-9, row


@pytest.mark.parametrize(("table", "piece"), [("wfa2006", "who2006"), ("wfa2007", "who2007")])
def test_the_weight_for_age_curves_are_whos_published_values(table: str, piece: str) -> None:
    rows = published_rows(table)
    assert len(rows) in (10, 6)
    for row in rows:
        days = float(row["x"]) * engine.DAYS_PER_MONTH
        curves = charts.who_curves("wfa", int(row["sex"]), max(days + 1, 2 * engine.DAYS_PER_YEAR))
        ours = curve_values(curves, piece, days)
        published = [float(row[c]) for c in SD_COLUMNS]
        assert np.abs(np.subtract(ours, published)).max() <= half_unit(row) + 1e-6, row


def test_whos_published_weight_for_age_z_scores_fall_between_the_right_curves() -> None:
    """Every published weight-for-age z within ±3 puts its weight between the curves around it.

    490 rows: WHO's igrowup output for its example survey, and the anthro/anthroplus tests. The
    igrowup rows at 60–61 months are left out: igrowup used WHO 2006 there, the chart (like the
    engine, anthro and anthroplus) WHO 2007 from 60 months.
    """
    with (DATA / "golden_public.csv").open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["indicator"] == "weight_for_age"]
    assert len(rows) == 492
    checked = 0
    for row in rows:
        age = float(row["age"]) * (engine.DAYS_PER_MONTH if row["age_unit"] == "months" else 1)
        igrowup = "pygrowup" in row["source_file"]
        expected = float(row["expected"])
        tolerance = float(row["tolerance"])
        if (igrowup and age >= engine.WHO2007_FROM_DAYS) or abs(expected) > 3 - tolerance:
            continue
        curves = charts.who_curves("wfa", int(row["sex"]), max(age + 1, 2 * engine.DAYS_PER_YEAR))
        piece = "who2006" if age < engine.WHO2007_FROM_DAYS else "who2007"
        at_age = dict(zip(range(-3, 4), curve_values(curves, piece, age), strict=True))
        below = int(np.floor(expected - tolerance))
        above = int(np.ceil(expected + tolerance))
        weight = float(row["input_value"])
        assert at_age[below] - 1e-3 <= weight <= at_age[above] + 1e-3, row
        checked += 1
    assert checked > 450


def test_weight_for_age_is_one_who_2006_piece_then_who_2007_to_ten_years() -> None:
    curves = {c.gid: c for c in charts.who_curves("wfa", 2, 12 * engine.DAYS_PER_YEAR)}
    assert not any("height" in gid for gid in curves)  # weight has no lying/standing switch
    assert curves["who2006-z+0"].x[0] == 0 and curves["who2006-z+0"].x[-1] == 1826
    # WHO publishes weight-for-age to 10 years (120 months): the curves end there.
    assert curves["who2007-z+0"].x[0] == pytest.approx(60 * engine.DAYS_PER_MONTH)
    assert curves["who2007-z+0"].x[-1] == pytest.approx(120 * engine.DAYS_PER_MONTH)


def test_a_weight_on_a_curve_has_that_z_score() -> None:
    # The engine's weight-for-length z of a point on the +2 curve at 80 cm is 2 (and so on).
    curves = {c.gid: c for c in charts.weight_for_length_curves(1)}
    at = int(np.flatnonzero(curves["wfl-z+0"].x == 80.0)[0])
    for z, gid in zip(range(-3, 4), Z_IDS, strict=True):
        weight = curves[f"wfl-{gid}"].values[at]
        found, outside = engine.who_size_z(
            np.array([1], dtype=np.int8),
            np.array([300.0]),
            np.array([80.0]),
            np.array([weight]),
            np.array([1], dtype=np.int8),
        )
        assert found[0] == pytest.approx(z, abs=1e-9) and not outside[0]


# --- the weight-for-length points ----------------------------------------------------------------


def test_weight_for_length_uses_the_measurements_before_two_years_at_the_engines_length() -> None:
    lengths = charts.weight_for_length_points(
        age_days=[100, 300, 300, 700, 731, 1000, np.nan],
        length_cm=[60.0, 72.0, 72.0, 85.0, 86.0, 90.0, 70.0],
        position=["H", "H", "L", "", "L", "H", "L"],
    )
    # Standing before 9 months is not adjusted (as anthro); standing from 9 months +0.7 cm;
    # lying or unknown as measured; from day 731 (and without an age) no weight-for-length.
    np.testing.assert_allclose(lengths[:4], [60.0, 72.7, 72.0, 85.0])
    assert np.isnan(lengths[4:]).all()


def test_the_adjusted_length_is_the_one_the_engine_classifies_with() -> None:
    rng = np.random.default_rng(7)
    n = 5000
    age = rng.uniform(0, 1900, n)
    height = rng.uniform(45, 120, n)
    weight = rng.uniform(2, 25, n)
    position = rng.integers(0, 3, n).astype(np.int8)
    sex = rng.integers(1, 3, n).astype(np.int8)
    result = engine.compute(
        sex=sex, age_days=age, weight_kg=weight, height_cm=height, position=position
    )
    adjusted = engine.position_adjusted_height(age, height, position)
    np.testing.assert_allclose(100 * np.sqrt(weight / result.bmi), adjusted, rtol=1e-12)


# --- the charts ------------------------------------------------------------------------------------


def wfl_chart(**overrides: Any) -> bytes:
    arguments: dict[str, Any] = {
        "sex": 1,
        "age_days": [3, 60, 130, 300, 500, 900],
        "length_cm": [50.0, 58.0, 64.0, 73.0, 79.0, 90.0],
        "weight_kg": [3.3, 5.4, 7.2, 9.1, 12.9, 13.0],
        "position": ["L", "L", "L", "H", "L", "H"],
        "status": ["counted", "counted", "counted", "counted", "held", "counted"],
        "text": TEXT,
    }
    arguments.update(overrides)
    return charts.weight_for_length_svg(**arguments)


def test_the_weight_for_length_chart_draws_the_curves_and_the_points_under_two() -> None:
    root = parse(wfl_chart())
    ids = group_ids(root)
    assert {f"wfl-{z}" for z in Z_IDS} <= ids
    assert "who-seam" not in ids and "iotf-25" not in ids
    # The measurement at 900 days is past weight-for-length: four counted points, one held.
    assert markers_in(root, "points-counted") == 4
    assert markers_in(root, "points-held") == 1
    assert "trajectory" in ids
    assert root.find(f"{SVG}title").text == "Weight-for-length, boy"  # type: ignore[union-attr]
    assert "Length (cm)" in ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def test_a_length_off_the_table_sits_on_the_edge() -> None:
    root = parse(
        wfl_chart(
            age_days=[1, 600],
            length_cm=[44.0, 112.0],
            weight_kg=[2.2, 17.0],
            position=["L", "L"],
            status=["counted", "counted"],
        )
    )
    assert markers_in(root, "points-counted") == 0
    assert markers_in(root, "points-counted-edge") == 2


def test_the_weight_for_age_chart_has_no_length_switch_and_stops_at_ten() -> None:
    root = parse(
        charts.weight_for_age_svg(
            sex=2,
            age_days=[30, 400, 2500, 4000],
            weight_kg=[4.2, 9.5, 22.0, 38.0],
            status=["counted", "counted", "held", "counted"],
            text=TEXT,
        )
    )
    ids = group_ids(root)
    assert {"who2006-z+0", "who2007-z+3", "who-seam"} <= ids
    assert "who2006-height-z+0" not in ids and "iotf-25" not in ids
    # The point at 11 years is drawn, without curves under it.
    assert markers_in(root, "points-counted") == 3 and markers_in(root, "points-held") == 1


def test_the_weight_charts_are_reproducible() -> None:
    assert wfl_chart() == wfl_chart()


# --- the page --------------------------------------------------------------------------------------


def register(world: World, born: dt.date, serial: int, sex: str, name: str) -> Child:
    return child_services.child_register(
        cpr=synthetic_cpr(born, serial, sex=sex),
        first_name=name,
        last_name="Vægt",
        area=world.lindholm,
    )


def measure(child: Child, on: dt.date, weight: str, height: str | None, position: str) -> Any:
    return services.measurement_record(
        child=child,
        measured_on=on,
        context=Context.HEALTH_VISIT,
        weight_kg=Decimal(weight),
        height_cm=None if height is None else Decimal(height),
        position=position if height else "",
    )


@pytest.fixture
def baby(world: World) -> Child:
    """A boy of 10 months today, measured lying at birth, 2, 5 and 9 months."""
    on = timezone.localdate()
    born = on - dt.timedelta(days=300)
    child = register(world, born, 11, "M", "Aksel")
    for days, weight, length in ((3, "3.4", "50.5"), (60, "5.6", "58.0"), (150, "7.4", "65.5")):
        measure(child, born + dt.timedelta(days=days), weight, length, "L")
    measure(child, born + dt.timedelta(days=280), "9.2", None, "")
    return child


@pytest.fixture
def schoolgirl(world: World) -> list[Measurement]:
    """A girl of 6: a weight at 3 years and one at 6 years, nothing before 2."""
    born = dt.date(2020, 5, 2)
    child = register(world, born, 12, "F", "Sigrid")
    return [
        measure(child, dt.date(2023, 5, 10), "14.5", "96.0", "H"),
        measure(child, dt.date(2026, 5, 4), "21.0", None, ""),
    ]


def chart_url(child: Child, indicator: str) -> str:
    return reverse("growth:child_chart", args=[child.public_id]) + f"?indicator={indicator}"


def test_the_page_offers_both_weight_charts_under_two_and_opens_weight_for_length(
    client_for: ClientFor, baby: Child
) -> None:
    response = client_for("hanne").get(reverse("growth:child", args=[baby.public_id]))
    assert response.status_code == 200
    html = response.content.decode()
    assert chart_url(baby, "weight").replace("&", "&amp;") in html
    assert chart_url(baby, "weight_for_length") in html
    assert '<details class="growth-chart-more" id="weight-for-length" open>' in html
    assert '<details class="growth-chart-more" id="weight-for-age">' in html
    assert "Weight-for-length chart (under 2 years)" in html


def test_an_older_child_gets_weight_for_age_without_weight_for_length(
    client_for: ClientFor, schoolgirl: list[Measurement]
) -> None:
    child = schoolgirl[0].child
    html = client_for("hanne").get(reverse("growth:child", args=[child.public_id])).content.decode()
    assert chart_url(child, "weight") in html
    assert "indicator=weight_for_length" not in html


def test_the_weight_charts_show_the_childs_points_and_log_the_read(
    client_for: ClientFor, baby: Child, world: World
) -> None:
    client = client_for("hanne")
    weight = client.get(chart_url(baby, "weight"))
    assert weight.status_code == 200 and weight["Content-Type"] == "image/svg+xml"
    root = parse(weight.content)
    assert root.find(f"{SVG}title").text == "Weight-for-age, boy"  # type: ignore[union-attr]
    assert markers_in(root, "points-counted") == 4  # every weight, with or without a length
    assert "4 counted, 0 held for review, 0 rejected" in (root.find(f"{SVG}desc").text or "")  # type: ignore[union-attr]

    by_length = client.get(chart_url(baby, "weight_for_length"))
    root = parse(by_length.content)
    assert root.find(f"{SVG}title").text == "Weight-for-length, boy"  # type: ignore[union-attr]
    assert markers_in(root, "points-counted") == 3  # the weight without a length has no place
    assert "3 counted" in (root.find(f"{SVG}desc").text or "")  # type: ignore[union-attr]
    assert list(AccessLog.objects.values_list("view", flat=True)) == ["growth_chart"] * 2


def test_a_weight_for_length_chart_without_points_still_draws_the_curves(
    client_for: ClientFor, schoolgirl: list[Measurement]
) -> None:
    child = schoolgirl[0].child
    response = client_for("hanne").get(chart_url(child, "weight_for_length"))
    assert response.status_code == 200
    root = parse(response.content)
    assert "wfl-z+0" in group_ids(root) and markers_in(root, "points-counted") == 0


@pytest.mark.parametrize("persona", ["astrid", "pia", "otto"])
def test_the_weight_charts_are_not_found_outside_the_scope(
    client_for: ClientFor, baby: Child, persona: str
) -> None:
    client = client_for(persona)
    for indicator in ("weight", "weight_for_length"):
        assert client.get(chart_url(baby, indicator)).status_code == 404
    assert not AccessLog.objects.exists()
