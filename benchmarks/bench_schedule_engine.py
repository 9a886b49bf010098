"""Throughput of the schedule engine on a national-scale synthetic registry (no database).

600,000 children born over six years, about 5 contacts each (3 million rows), 15 % of families
vulnerable, residence in Aalborg, Albertslund or Frederikssund with some moves between programme
areas (four in five, started on different days) and comparison areas, breastfeeding calls that
plan the next one, the seven seeded stages (from the seed migrations, with Albertslund's
overrides, the programme's own stages and the breastfeeding series). Prints children per second of
``schedule_batch`` (median of 5 runs), the time to assemble the batch from column arrays and from
``values_list``-shaped Python rows, and the peer: the straightforward per-child pure-Python schedule
(``borneliv/healthvisits/reference.py``) on a sample, scaled to children per second, with the ratio. The sample's
results are checked to be identical in both.

Run: ``.venv/bin/python benchmarks/bench_schedule_engine.py [--children N] [--runs R]
[--sample S]``.
"""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

import numpy as np
from common import seeded_stage_defs, timed

from borneliv.healthvisits.reference import schedule_one_child
from borneliv.healthvisits.schedule import (
    NO_DAY,
    OPEN_END,
    OUTCOMES,
    ContactFact,
    Period,
    Residence,
    ScheduleBatch,
    SkipFact,
    day_date,
    day_number,
    schedule_batch,
)

STAGES = seeded_stage_defs()
MUNICIPALITIES = np.array(["0851", "0165", "0250"])
TODAY = date(2026, 11, 1)


def synthetic_columns(children: int, seed: int = 20261101) -> dict[str, np.ndarray]:
    """Column arrays of a synthetic registry (vectorised; about 5 contacts per child)."""
    rng = np.random.default_rng(seed)
    ids = rng.permutation(children).astype(np.int64) + 1_000_000
    today = day_number(TODAY)
    birth = today - rng.integers(0, 6 * 365, size=children)

    # Contacts: ~5 per child once future-dated ones are dropped, for a random stage, near that
    # stage's window, mostly completed.
    contacts = rng.poisson(5.7, size=children)
    contact_child = np.repeat(np.arange(children), contacts)
    stage_index = rng.integers(0, len(STAGES), size=len(contact_child))
    window_start = np.array([s.window_start_days for s in STAGES])[stage_index]
    contact_day = birth[contact_child] + window_start + rng.integers(-20, 120, len(contact_child))
    contact_outcome = rng.choice(3, size=len(contact_child), p=[0.7, 0.2, 0.1])
    # Half the contacts plan a next one 10–28 days later (only a series reads it).
    contact_next = np.where(
        rng.random(len(contact_child)) < 0.5,
        contact_day + rng.integers(10, 29, len(contact_child)),
        NO_DAY,
    )
    keep = contact_day <= today
    stage_codes = np.array([s.code for s in STAGES])

    skip_child = rng.choice(children, size=children // 50, replace=False)
    skip_stage = stage_codes[rng.integers(0, len(STAGES), size=len(skip_child))]

    vulnerable_child = rng.choice(children, size=int(children * 0.15), replace=False)
    vulnerable_start = birth[vulnerable_child] + rng.integers(-200, 500, len(vulnerable_child))
    vulnerable_end = np.where(
        rng.random(len(vulnerable_child)) < 0.5,
        OPEN_END,
        vulnerable_start + rng.integers(30, 700, len(vulnerable_child)),
    )

    # Everyone lives somewhere from birth; a tenth move once.
    first = rng.integers(0, 3, children)
    movers = rng.choice(children, size=children // 10, replace=False)
    moved_on = birth[movers] + rng.integers(1, 900, len(movers))
    first_end = np.full(children, OPEN_END)
    first_end[movers] = moved_on - 1
    residence_child = np.concatenate([np.arange(children), movers])
    residence_start = np.concatenate([birth, moved_on])
    residence_end = np.concatenate([first_end, np.full(len(movers), OPEN_END)])
    residence_municipality = MUNICIPALITIES[
        np.concatenate([first, rng.integers(0, 3, len(movers))])
    ]
    # Four areas in five are programme areas, their programmes starting over three years.
    programme_area = rng.random(len(residence_child)) < 0.8
    residence_programme_from = np.where(
        programme_area, today - rng.integers(0, 3 * 365, len(residence_child)), OPEN_END
    )

    return {
        "child_ids": ids,
        "birth": birth,
        "contact_child": ids[contact_child[keep]],
        "contact_stage": stage_codes[stage_index[keep]],
        "contact_day": contact_day[keep],
        "contact_outcome": contact_outcome[keep],
        "contact_next": contact_next[keep],
        "skip_child": ids[skip_child],
        "skip_stage": skip_stage,
        "skip_day": birth[skip_child] + 100,
        "skip_reason": np.array(["hospitalised", "other_provider"])[
            rng.integers(0, 2, len(skip_child))
        ],
        "vulnerable_child": ids[vulnerable_child],
        "vulnerable_start": vulnerable_start,
        "vulnerable_end": vulnerable_end,
        "residence_child": ids[residence_child],
        "residence_start": residence_start,
        "residence_end": residence_end,
        "residence_municipality": residence_municipality,
        "residence_programme_from": residence_programme_from,
    }


def per_child_facts(columns: dict[str, np.ndarray], count: int) -> list[dict[str, Any]]:
    """The first ``count`` children's facts as the per-child function takes them."""
    ids = columns["child_ids"][:count]
    row_of = {int(child): i for i, child in enumerate(ids.tolist())}
    facts: list[dict[str, Any]] = [
        {
            "birth_date": day_date(int(day)),
            "vulnerable": [],
            "residence": [],
            "contacts": [],
            "skips": [],
        }
        for day in columns["birth"][:count].tolist()
    ]

    def rows(prefix: str, *names: str) -> list[tuple[Any, ...]]:
        child = columns[f"{prefix}_child"]
        keep = np.isin(child, ids)
        return list(
            zip(*(columns[f"{prefix}_{n}"][keep].tolist() for n in ("child", *names)), strict=True)
        )

    for child, stage, day, outcome, planned in rows("contact", "stage", "day", "outcome", "next"):
        facts[row_of[child]]["contacts"].append(
            ContactFact(stage, day_date(day), OUTCOMES[outcome], day_date(planned))
        )
    for child, stage, day, reason in rows("skip", "stage", "day", "reason"):
        facts[row_of[child]]["skips"].append(SkipFact(stage, day_date(day), reason))
    for child, start, end in rows("vulnerable", "start", "end"):
        facts[row_of[child]]["vulnerable"].append(Period(day_date(start), day_date(end)))
    for child, start, end, code, programme in rows(
        "residence", "start", "end", "municipality", "programme_from"
    ):
        facts[row_of[child]]["residence"].append(
            Residence(day_date(start), day_date(end), code, day_date(programme))
        )
    return facts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=600_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rows-sample", type=int, default=60_000, help="children for from_rows")
    parser.add_argument(
        "--sample", type=int, default=20_000, help="children for the per-child peer"
    )
    args = parser.parse_args()

    columns = synthetic_columns(args.children)
    contacts = len(columns["contact_child"])
    print(
        f"schedule engine: {args.children:,} children, {contacts:,} contacts "
        f"({contacts / args.children:.1f} per child), {len(STAGES)} stages"
    )

    build_seconds, batch = timed(lambda: ScheduleBatch.from_arrays(**columns), args.runs)
    run_seconds, result = timed(lambda: schedule_batch(batch, STAGES, TODAY), args.runs)
    print(
        f"  schedule_batch:          {run_seconds * 1000:8.1f} ms median of {args.runs}"
        f"  → {args.children / run_seconds:,.0f} children/s"
    )
    print(
        f"  from_arrays (assemble):  {build_seconds * 1000:8.1f} ms"
        f"  → {args.children / build_seconds:,.0f} children/s"
    )
    print(
        f"  assemble + schedule:     {(build_seconds + run_seconds) * 1000:8.1f} ms"
        f"  → {args.children / (build_seconds + run_seconds):,.0f} children/s"
    )

    # The shape a Django values_list returns: Python tuples with date objects and strings.
    sample = min(args.rows_sample, args.children)
    small = synthetic_columns(sample, seed=7)
    as_date = np.vectorize(day_date, otypes=[object])
    children_rows = list(zip(small["child_ids"].tolist(), as_date(small["birth"]), strict=True))
    contact_rows = list(
        zip(
            small["contact_child"].tolist(),
            small["contact_stage"].tolist(),
            as_date(small["contact_day"]),
            [OUTCOMES[o] for o in small["contact_outcome"].tolist()],
            as_date(small["contact_next"]),
            strict=True,
        )
    )
    rows_seconds, _ = timed(
        lambda: ScheduleBatch.from_rows(children=children_rows, contacts=contact_rows), args.runs
    )
    print(
        f"  from_rows ({sample:,} children, {len(contact_rows):,} contact tuples): "
        f"{rows_seconds * 1000:.1f} ms → {sample / rows_seconds:,.0f} children/s"
    )
    counts = result.counts_by_status()
    enhanced = counts["enhanced_visit_4_6m"]
    print("  enhanced visit statuses: " + ", ".join(f"{s}={c:,}" for s, c in enhanced.items()))

    # The peer: one child at a time in plain Python, on a sample, scaled to children per second.
    peer = min(args.sample, args.children)
    facts = per_child_facts(columns, peer)
    peer_seconds, peer_rows = timed(
        lambda: [schedule_one_child(stages=STAGES, today=TODAY, **f) for f in facts], args.runs
    )
    assert all(result.row(i) == peer_rows[i] for i in range(peer)), "engine and peer disagree"
    engine_rate = args.children / (build_seconds + run_seconds)
    peer_rate = peer / peer_seconds
    print(
        f"  per-child pure Python (peer, {peer:,} children): {peer_seconds * 1000:8.1f} ms median "
        f"of {args.runs}  → {peer_rate:,.0f} children/s (same results as the engine)"
    )
    print(
        f"  ratio: engine (assemble + schedule) {engine_rate:,.0f} children/s vs peer "
        f"{peer_rate:,.0f} children/s = {engine_rate / peer_rate:,.0f}×; schedule_batch alone "
        f"{args.children / run_seconds / peer_rate:,.0f}×"
    )


if __name__ == "__main__":
    main()
