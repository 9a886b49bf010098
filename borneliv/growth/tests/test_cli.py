"""``borneliv growth classify`` on small files, through a real subprocess."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from borneliv import cli as borneliv_cli
from borneliv.growth import engine

PROJECT_DIR = Path(__file__).resolve().parents[3]

INPUT = """\
child,sex,age_days,weight_kg,height_cm,position,note
a,1,683,10.4,84.8,,plain
b,pige,2200,"20,5",115,H,"with, a comma"
c,X,100,5,60,L,bad sex
d,2,abc,5,60,L,bad age
e,M,1000,14,95,,
f,1,500,11,80,L,too,many,fields
g,2,800,,,,nothing measured
"""


def run_classify(
    *args: str, stdin: str | None = None, module: str = "borneliv.growth.cli"
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", module]
    if module == "borneliv":
        command.append("growth")
    return subprocess.run(  # noqa: S603 - our own interpreter and module
        [*command, "classify", *args],
        capture_output=True,
        text=True,
        input=stdin,
        cwd=PROJECT_DIR,
        env={**os.environ, "PYTHONPATH": str(PROJECT_DIR)},
        check=False,
    )


def read(path: Path, delimiter: str = ",") -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter=delimiter))


def test_it_classifies_a_file_and_passes_other_columns_through(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text(INPUT, encoding="utf-8")
    target = tmp_path / "out.csv"
    result = run_classify(str(source), "-o", str(target))
    assert result.returncode == 0, result.stderr
    rows = read(target)
    with target.open(encoding="utf-8") as handle:
        header = handle.readline().strip().split(",")
    assert header == [
        "child", "sex", "age_days", "weight_kg", "height_cm", "position", "note",
        *engine.OUTPUT_COLUMNS,
    ]  # fmt: skip
    # The malformed line (f) is reported, not guessed at; every other row is there, in order.
    assert [row["child"] for row in rows] == ["a", "b", "c", "d", "e", "g"]
    by_child = {row["child"]: row for row in rows}
    assert by_child["b"]["weight_kg"] == "20,5" and by_child["b"]["note"] == "with, a comma"
    assert by_child["b"]["reference"] == "WHO 2007; IOTF 2012"
    assert by_child["a"]["flags"] == "" and by_child["a"]["reference"] == "WHO 2006"
    assert by_child["a"]["iotf_category"] == ""  # under 2 years
    assert float(by_child["e"]["bmi"]) == pytest.approx(14 / 0.95**2, abs=1e-4)
    assert by_child["c"]["flags"] == engine.FLAG_MESSAGES[engine.SEX_INVALID]
    assert by_child["c"]["bmi_for_age_z"] == ""
    assert by_child["d"]["flags"] == engine.FLAG_MESSAGES[engine.AGE_DAYS_INVALID]
    assert by_child["g"]["flags"] == engine.FLAG_MESSAGES[engine.NO_MEASUREMENT]
    assert "growth classify: 6 rows, 3 with flags" in result.stderr
    assert "1 malformed line(s) not read" in result.stderr and "line 7" in result.stderr


def test_it_matches_the_python_engine(tmp_path: Path) -> None:
    import pandas as pd

    source = tmp_path / "in.csv"
    source.write_text(INPUT, encoding="utf-8")
    target = tmp_path / "out.csv"
    assert run_classify(str(source), "-o", str(target), "--iotf", "2000").returncode == 0
    written = pd.read_csv(target, dtype=str, keep_default_na=False)
    frame = pd.read_csv(source, dtype=str, keep_default_na=False, on_bad_lines="skip")
    expected = engine.classify(frame, iotf="2000")
    for column in ("bmi_for_age_z", "weight_for_height_z"):
        got = pd.to_numeric(written[column]).to_numpy()
        want = expected[column].to_numpy()
        assert list(pd.isna(got)) == list(pd.isna(want))
        assert got[~pd.isna(got)] == pytest.approx(want[~pd.isna(want)], abs=5e-5)
    categories = expected["iotf_category"].astype(object).fillna("").tolist()
    assert written["iotf_category"].tolist() == categories


def test_semicolons_stdin_stdout_and_small_chunks(tmp_path: Path) -> None:
    text = (
        INPUT.replace(",", ";").replace('"20;5"', "20,5").replace('"with; a comma"', "with a comma")
    )
    text = "\n".join(line for line in text.splitlines() if not line.startswith("f;")) + "\n"
    result = run_classify("-", "-o", "-", "--chunk-rows", "2", stdin="\ufeff" + text)
    assert result.returncode == 0, result.stderr
    out = tmp_path / "out.csv"
    out.write_text(result.stdout, encoding="utf-8")
    rows = read(out, delimiter=";")
    assert [row["child"] for row in rows] == ["a", "b", "c", "d", "e", "g"]
    assert rows[1]["weight_kg"] == "20,5" and rows[1]["bmi_for_age_z"] != ""
    assert "6 rows, 3 with flags" in result.stderr


def test_a_header_only_file_gives_a_header_only_output(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("sex,age_days,bmi\n", encoding="utf-8")
    target = tmp_path / "out.csv"
    result = run_classify(str(source), "-o", str(target))
    assert result.returncode == 0, result.stderr
    assert target.read_text(encoding="utf-8").strip() == ",".join(
        ["sex", "age_days", *engine.OUTPUT_COLUMNS]
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [("name,age_days,bmi\nx,1,2\n", "'sex' is missing"), ("", "is empty")],
)
def test_file_level_errors_stop_with_a_message(tmp_path: Path, content: str, message: str) -> None:
    source = tmp_path / "in.csv"
    source.write_text(content, encoding="utf-8")
    result = run_classify(str(source), "-o", str(tmp_path / "out.csv"))
    assert result.returncode == 2
    assert message in result.stderr


def test_a_missing_input_file(tmp_path: Path) -> None:
    result = run_classify(str(tmp_path / "nope.csv"), "-o", str(tmp_path / "out.csv"))
    assert result.returncode == 2 and "cannot read" in result.stderr


@pytest.mark.skipif(
    "borneliv.growth.cli" not in borneliv_cli.SUBCOMMAND_MODULES,
    reason="the growth subcommand is not registered in borneliv.cli.SUBCOMMAND_MODULES yet",
)
def test_python_m_borneliv_growth_classify(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("sex,age_days,bmi\n1,1000,16\n", encoding="utf-8")
    target = tmp_path / "out.csv"
    result = run_classify(str(source), "-o", str(target), module="borneliv")
    assert result.returncode == 0, result.stderr
    assert read(target)[0]["reference"] == "WHO 2006; IOTF 2012"
