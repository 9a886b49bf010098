"""Throughput of the growth engine against pedgrowth's array path and rcpchgrowth (no database).

1,000,000 measurements, ages uniform over 0-10 years (in days), both sexes, BMI drawn around the
WHO median for the age. Prints rows per second, median of ``--runs`` runs, for:

* the engine (``borneliv.growth.engine.compute``, numpy only): BMI-for-age z + IOTF 2012
  adult-equivalent BMI and category + WHO category + flags (the goal: >= 10 M rows/s), and
  BMI-for-age z alone (``who_age_z``, the same work as the pedgrowth call);
* the same with weight and height instead of BMI (all four WHO z-scores), and through
  ``classify`` on a pandas frame of text columns (what the CLI does per chunk, parsing included);
* the peers: pedgrowth's array path (``GrowthChartsCalculator.zscores_numpy``, BMI-for-age z only,
  linear interpolation, one call per sex) on all rows, and rcpchgrowth (``sds_for_measurement``,
  one row per call) on a sample, scaled — with the ratios, and the largest difference between
  the engine's z and each peer's on the rows where both use the same reference.

pedgrowth's WHO tables are built offline from the project's tables (checked against pedgrowth's
hashes of WHO's files, see ``borneliv/growth/tests/pedgrowth_offline.py``). pedgrowth's legacy
path has no table between 60.98 and 61 months, so those few rows go to it as 61.0 months; it
uses WHO 2006 to 1856 days and rcpchgrowth does too, where the engine switches at 60 months, so
differences are compared outside 1826-1857 days (and, for pedgrowth, 729.5-731.5 days, where it
interpolates across the length/height seam). A peer that is not installed is skipped.

Run: ``.venv/bin/python benchmarks/bench_growth.py [--rows N] [--runs R] [--sample S]``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
from common import timed

from borneliv.growth import engine
from borneliv.growth.references import age_table


def synthetic(rows: int, seed: int = 1) -> dict[str, np.ndarray]:
    """Ages 0-10 y, both sexes, BMI, weight and height near the WHO medians."""
    rng = np.random.default_rng(seed)
    sex = rng.integers(1, 3, rows).astype(np.int8)
    age = rng.uniform(0, 3652.5, rows)
    table = age_table("bfa")
    months = age / engine.DAYS_PER_MONTH
    row = (
        np.where(
            age < engine.WHO2007_FROM_DAYS,
            np.floor(age),
            table.who2007_row0 + np.floor(months) - 60,
        ).astype(np.intp)
        + (sex == 2) * table.rows_per_sex
    )
    bmi = table.lms.M[row] * np.exp(rng.normal(0, 1, rows) * table.lms.S[row])
    height = np.where(age < 731, 50 + 35 * age / 730, 85 + 6 * (age - 730) / 365.25)
    height = height * np.exp(rng.normal(0, 0.04, rows))
    weight = bmi * (height / 100) ** 2
    return {"sex": sex, "age": age, "bmi": bmi, "weight": weight, "height": height}


def compared(age: np.ndarray, *, seam: bool) -> np.ndarray:
    keep = ~((age >= 1826) & (age < 1857))
    if seam:
        keep &= ~((age > 729.5) & (age < 731.5))
    return keep


def pedgrowth_peer(data: dict[str, np.ndarray], runs: int) -> tuple[float, np.ndarray] | None:
    try:
        from pedgrowth import GrowthChartsCalculator

        from borneliv.growth.tests import pedgrowth_offline
    except ImportError as exc:
        print(f"  pedgrowth: not installed ({exc}); skipped")
        return None
    directory = Path(tempfile.mkdtemp(prefix="pedgrowth-"))
    try:
        pedgrowth_offline.use(directory)
    except ImportError as exc:
        print(f"  pedgrowth: WHO providers not installed ({exc}); skipped")
        return None
    calculator = GrowthChartsCalculator(interpolation="linear")
    months = data["age"] / engine.DAYS_PER_MONTH
    months = np.where((months > 1856 / engine.DAYS_PER_MONTH) & (months < 61), 61.0, months)
    boys = data["sex"] == 1

    def run() -> np.ndarray:
        z = np.empty(len(months))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for chosen, sex in ((boys, "M"), (~boys, "F")):
                z[chosen] = calculator.zscores_numpy(
                    "bmifa", data["bmi"][chosen], months[chosen], sex
                )
        return z

    seconds, z = timed(run, runs)
    return seconds, z


def rcpchgrowth_peer(
    data: dict[str, np.ndarray], sample: int
) -> tuple[float, np.ndarray, np.ndarray] | None:
    try:
        from rcpchgrowth.global_functions import sds_for_measurement
    except ImportError as exc:
        print(f"  rcpchgrowth: not installed ({exc}); skipped")
        return None
    rng = np.random.default_rng(3)
    chosen = rng.choice(len(data["age"]), sample, replace=False)
    # rcpchgrowth snaps ages within 0.00005 y of a table age to it: give it whole days.
    age = np.floor(data["age"][chosen])
    arguments = [
        (float(a) / 365.25, float(b), "male" if s == 1 else "female")
        for a, b, s in zip(age, data["bmi"][chosen], data["sex"][chosen], strict=True)
    ]
    started = time.perf_counter()
    z = np.array(
        [
            sds_for_measurement(
                reference="who", age=a, measurement_method="bmi", observation_value=b, sex=s
            )
            for a, b, s in arguments
        ]
    )
    seconds = time.perf_counter() - started
    ours = engine.who_age_z("bfa", data["sex"][chosen], age, data["bmi"][chosen])
    keep = compared(age, seam=False)
    return seconds, np.abs(z - ours)[keep], age


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sample", type=int, default=2_000, help="rows for rcpchgrowth")
    args = parser.parse_args()

    data = synthetic(args.rows)
    rows = args.rows
    print(f"growth engine: {rows:,} measurements, ages 0-10 y, both sexes")

    engine.compute(sex=data["sex"][:10], age_days=data["age"][:10], bmi=data["bmi"][:10])  # warm
    seconds, result = timed(
        lambda: engine.compute(sex=data["sex"], age_days=data["age"], bmi=data["bmi"]), args.runs
    )
    engine_rate = rows / seconds
    print(
        f"  engine, BMI-for-age z + IOTF 2012 + WHO category + flags (numpy):"
        f" {seconds * 1000:7.1f} ms → {engine_rate:,.0f} rows/s"
    )
    z_seconds, _ = timed(
        lambda: engine.who_age_z("bfa", data["sex"], data["age"], data["bmi"]), args.runs
    )
    print(
        f"  engine, BMI-for-age z only (who_age_z, like the pedgrowth call below):"
        f" {z_seconds * 1000:5.1f} ms → {rows / z_seconds:,.0f} rows/s"
    )
    full_seconds, _ = timed(
        lambda: engine.compute(
            sex=data["sex"],
            age_days=data["age"],
            weight_kg=data["weight"],
            height_cm=data["height"],
        ),
        args.runs,
    )
    print(
        f"  engine, weight + height: BMI, all four WHO z, categories, flags:"
        f"   {full_seconds * 1000:7.1f} ms → {rows / full_seconds:,.0f} rows/s"
    )
    import pandas as pd

    frame = pd.DataFrame(
        {
            "sex": data["sex"].astype(str),
            "age_days": np.floor(data["age"]).astype(int).astype(str),
            "weight_kg": np.round(data["weight"], 1).astype(str),
            "height_cm": np.round(data["height"], 1).astype(str),
        }
    )
    classify_seconds, classified = timed(lambda: engine.classify(frame), max(1, args.runs // 2))
    print(
        f"  classify(): text columns parsed, weight + height, output frame:"
        f"    {classify_seconds * 1000:7.1f} ms → {rows / classify_seconds:,.0f} rows/s"
    )
    counts: Any = classified["iotf_category"].value_counts()
    print("  IOTF categories: " + ", ".join(f"{k}={v:,}" for k, v in counts.items() if v))

    peer = pedgrowth_peer(data, args.runs)
    if peer is not None:
        peer_seconds, peer_z = peer
        keep = compared(data["age"], seam=True)
        difference = np.nanmax(np.abs(peer_z - result.bmi_for_age_z)[keep])
        print(
            f"  pedgrowth zscores_numpy, BMI-for-age z only:"
            f"                       {peer_seconds * 1000:7.1f} ms → {rows / peer_seconds:,.0f} rows/s"
        )
        print(
            f"    ratio engine / pedgrowth: {peer_seconds / seconds:.1f}x"
            f" (the engine also does IOTF, categories and flags);"
            f" BMI-for-age z alone: {peer_seconds / z_seconds:.1f}x;"
            f" max |z difference| {difference:.1e} on {int(keep.sum()):,} rows"
        )
    rcpch = rcpchgrowth_peer(data, min(args.sample, rows))
    if rcpch is not None:
        rcpch_seconds, difference, _ = rcpch
        rcpch_rate = min(args.sample, rows) / rcpch_seconds
        print(
            f"  rcpchgrowth sds_for_measurement, one row per call ({min(args.sample, rows):,} rows,"
            f" scaled): {rcpch_rate:,.0f} rows/s"
        )
        print(
            f"    ratio engine / rcpchgrowth: {engine_rate / rcpch_rate:,.0f}x;"
            f" max |z difference| {np.max(difference):.1e} on {len(difference):,} rows"
        )


if __name__ == "__main__":
    main()
