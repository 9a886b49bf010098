"""Let pedgrowth run offline on the WHO tables this project ships, verified by pedgrowth's hashes.

pedgrowth's WHO providers (``pedgrowth-data-who2006``/``-who2007``) ship no coefficients: on first
use they download WHO's xlsx files, normalise them to a CSV whose sha256 their ``SOURCES.json``
records, and cache a packed copy. There is no internet here or in CI, so this module builds the
same normalised CSV from our CSV files, checks its sha256 against pedgrowth's record (so pedgrowth
computes on exactly WHO's published values, and our files are proven identical to them), packs it
with pedgrowth's own encoder and writes the cache that ``PEDGROWTH_REFERENCE_DIR`` points to.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from pathlib import Path

from borneliv.growth.references import DATA_DIR

#: pedgrowth table stem -> (our file, index factor, inclusive range of the grid WHO's xlsx has).
TABLES: dict[str, tuple[str, float | None, tuple[float, float] | None]] = {
    "who_bmi_for_age": ("who2006_bfa_by_day.csv", 1 / 30.4375, None),
    "who_weight_for_age": ("who2006_wfa_by_day.csv", 1 / 30.4375, None),
    "who_length_for_age": ("who2006_lhfa_by_day.csv", 1 / 30.4375, None),
    "who_weight_for_length": ("who2006_wfl_by_length.csv", None, None),
    "who_weight_for_height": ("who2006_wfh_by_height.csv", None, None),
    # anthroplus's extra 60- and 229/121-month rows are not in WHO's xlsx.
    "who2007_bmi_for_age": ("who2007_bfa_by_month.csv", None, (61, 228)),
    "who2007_height_for_age": ("who2007_hfa_by_month.csv", None, (61, 228)),
    "who2007_weight_for_age": ("who2007_wfa_by_month.csv", None, (61, 120)),
}


def _manifests() -> dict[str, dict[str, str]]:
    import pedgrowth.data.who2006 as who2006
    import pedgrowth.data.who2007 as who2007

    tables: dict[str, dict[str, str]] = {}
    for module in (who2006, who2007):
        path = Path(module.__file__ or "").parent / "data" / "SOURCES.json"
        tables.update(json.loads(path.read_text(encoding="utf-8"))["tables"])
    return tables


def normalised_csv(stem: str, sex: str) -> bytes:
    """pedgrowth's normalised CSV of one WHO table, rebuilt from our file."""
    from pedgrowth.reference_data import CSV_FIELDS

    filename, factor, grid_range = TABLES[stem]
    with (DATA_DIR / filename).open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    grid_column = next(column for column in rows[0] if column not in ("sex", "L", "M", "S"))
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    for row in rows:
        if row["sex"] != sex:
            continue
        x = float(row[grid_column])
        if grid_range and not grid_range[0] <= x <= grid_range[1]:
            continue
        if factor is not None:
            x *= factor
        values = (repr(x), repr(float(row["L"])), repr(float(row["M"])), repr(float(row["S"])))
        writer.writerow(["", *values, ""])
    return out.getvalue().encode("utf-8")


def install(directory: Path) -> list[str]:
    """Write pedgrowth's verified cache for our tables into ``directory``; returns the names.

    Raises ``ValueError`` if a rebuilt table does not hash to pedgrowth's record of WHO's file.
    """
    from pedgrowth.compiled import encode_csv

    manifests = _manifests()
    directory.mkdir(parents=True, exist_ok=True)
    names = []
    for stem in TABLES:
        for sex, sex_name in (("1", "boys"), ("2", "girls")):
            name = f"{stem}_{sex_name}"
            data = normalised_csv(stem, sex)
            if hashlib.sha256(data).hexdigest() != manifests[name]["csv_sha256"]:
                raise ValueError(f"{name}: our table differs from WHO's published file")
            packed = encode_csv(data)
            if hashlib.sha256(packed).hexdigest() != manifests[name]["lmsb_sha256"]:
                raise ValueError(f"{name}: packed table differs from pedgrowth's record")
            (directory / f"{name}.lmsb").write_bytes(packed)
            names.append(name)
    return names


def use(directory: Path) -> list[str]:
    """``install`` and point pedgrowth at ``directory`` (sets ``PEDGROWTH_REFERENCE_DIR``)."""
    names = install(directory)
    os.environ["PEDGROWTH_REFERENCE_DIR"] = str(directory)
    return names
