"""``borneliv nearby circle``: the table, the CSV, the WARNING line, GeoJSON, exit codes, no Django."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from borneliv.cli import main, subcommands
from borneliv.nearby.tests.synthetic import OSTERBRO

SCHOOL = ["--lat", "55.7052", "--lon", "12.5583"]
#: Three minutes' walk and one minute's ride on the lawns of Fælledparken: within the data.
SHORT = ["--lat", "55.7045", "--lon", "12.5650", "--walk-minutes", "3", "--bike-minutes", "1"]


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["nearby", "circle", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_it_is_a_borneliv_subcommand() -> None:
    assert "nearby" in subcommands()


def test_it_prints_the_places_as_an_aligned_table_and_warns_of_the_edge(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = _run(capsys, str(OSTERBRO), *SCHOOL)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["category", "name", "walk", "min", "bike", "min"]
    assert set(lines[1]) == {"-", " "}
    row = next(line for line in lines if "Trafiklegepladsen" in line)
    assert row.startswith("Legeplads ")
    assert row.split()[-2:] == ["12.9", "4.7"]
    # Columns line up: every row is as wide as the rule under the header, at most.
    table = [line for line in lines if not line.startswith("WARNING:")]
    assert max(len(line) for line in table) == len(lines[1])
    assert lines[-1].startswith("WARNING: the walking and the cycling areas reach the edge")
    assert "WARNING:" in err
    assert "nearby circle: 16 places" in err


def test_it_prints_csv_with_csv(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, str(OSTERBRO), *SCHOOL, "--csv")
    assert code == 0
    body, warning = out.rsplit("\n", 2)[0], out.splitlines()[-1]
    rows = list(csv.DictReader(io.StringIO(body)))
    assert list(rows[0]) == [
        "category", "category_label", "name", "walk_minutes", "bike_minutes", "osm"
    ]  # fmt: skip
    trafik = next(r for r in rows if r["name"] == "Trafiklegepladsen")
    assert trafik == {
        "category": "playground",
        "category_label": "Legeplads",
        "name": "Trafiklegepladsen",
        "walk_minutes": "12.9",
        "bike_minutes": "4.7",
        "osm": "osm:way/26794168",
    }
    assert warning.startswith("WARNING:")


def test_no_warning_when_the_areas_stay_inside_the_data(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, str(OSTERBRO), *SHORT)
    assert code == 0
    assert "WARNING" not in out and "WARNING" not in err
    assert "Dansepladsen" in out


def test_it_writes_geojson(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "circle.geojson"
    code, _, _ = _run(capsys, str(OSTERBRO), *SCHOOL, "--geojson", str(target))
    assert code == 0
    collection = json.loads(target.read_text(encoding="utf-8"))
    assert collection["type"] == "FeatureCollection"
    assert collection["cut_by_edge"] is True
    assert collection["attribution"] == "© OpenStreetMap-bidragydere"
    kinds = [f["properties"]["kind"] for f in collection["features"]]
    assert kinds.count("walk") == kinds.count("bike") == kinds.count("start") == 1
    assert kinds.count("place") == 16
    assert kinds.count("basemap") > 100
    walk = next(f for f in collection["features"] if f["properties"]["kind"] == "walk")
    assert walk["geometry"]["type"] == "MultiPolygon"
    ring = walk["geometry"]["coordinates"][0][0]
    assert ring[0] == ring[-1] and 12.5 < ring[0][0] < 12.6 and 55.6 < ring[0][1] < 55.8
    place = next(f for f in collection["features"] if f["properties"].get("name") == "Fælledparken")
    assert place["properties"]["category"] == "park"
    assert place["properties"]["category_da"] == "Park"


def test_a_missing_file_exits_2_with_a_message(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "/no/such/extract.osm.pbf", *SCHOOL)
    assert code == 2
    assert out == ""
    assert err == "borneliv nearby circle: cannot read /no/such/extract.osm.pbf: no such file\n"


def test_a_file_that_is_not_osm_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "x.osm"
    path.write_text("hello", encoding="utf-8")
    code, _, err = _run(capsys, str(path), *SCHOOL)
    assert code == 2
    assert "is not a readable OSM file" in err and "Traceback" not in err


def test_a_point_outside_the_extract_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, str(OSTERBRO), "--lat", "56.2", "--lon", "10.2")
    assert code == 2
    assert "is the point inside the extract?" in err


def test_bad_arguments_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["nearby", "circle", str(OSTERBRO), "--lat", "95", "--lon", "12.5"])
    assert exit_.value.code == 2
    assert "must be between -90 and 90" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(["nearby", "circle", str(OSTERBRO), *SCHOOL, "--walk-minutes", "-3"])
    assert exit_.value.code == 2


def test_a_poster_with_another_suffix_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, str(OSTERBRO), *SCHOOL, "--poster", "out.svg")
    assert code == 2
    assert "--poster must end in .pdf or .png" in err


def test_it_runs_without_django_or_a_database(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from borneliv.cli import main\n"
        f"code = main(['nearby', 'circle', {str(OSTERBRO)!r}, *{SHORT!r}])\n"
        "assert code == 0, code\n"
        "loaded = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "print('DJANGO', loaded)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["BORNELIV_VAR_DIR"] = str(tmp_path)  # nothing is written there either
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "DJANGO []" in result.stdout
    assert list(tmp_path.iterdir()) == []


def test_the_engine_imports_no_django() -> None:
    script = (
        "import sys\n"
        "import borneliv.nearby.engine, borneliv.nearby.geojson, borneliv.nearby.cli\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))\n"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"


def test_it_draws_the_poster(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    pytest.importorskip("borneliv.nearby.poster")
    target = tmp_path / "poster.png"
    code, _, err = _run(capsys, str(OSTERBRO), *SHORT, "--poster", str(target), "--title", "Test")
    assert code == 0, err
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
