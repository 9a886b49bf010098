"""Shared by the benchmarks: the seeded stages as engine definitions, timing helpers."""

from __future__ import annotations

import importlib
import math
import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any

from borneliv.healthvisits.schedule import Eligibility, StageDef

#: Albertslund offers the 1-year call and the 1½-year visit to all families (the demo's override).
OVERRIDES = {"phone_1y": {"0165": Eligibility.ALL}, "visit_18m": {"0165": Eligibility.ALL}}


def seed_stages() -> list[tuple[Any, ...]]:
    """The stage rows of the seed migration (code, names, KL code, mode, target, window …)."""
    migration = importlib.import_module("borneliv.healthvisits.migrations.0002_stages_and_topics")
    return list(migration.STAGES)


#: The stages healthvisits' migration 0004 seeds as series (its module needs Django settings,
#: which the engine's benchmark does without).
SERIES_STAGES = ("feeding_phone",)


def seeded_stage_defs() -> tuple[StageDef, ...]:
    """The seeded stages as the engine sees them, with Albertslund's overrides, the programme's
    own stages only in programme areas and breastfeeding counselling as a series."""
    defs = []
    series = set(SERIES_STAGES)
    for row in seed_stages():
        code, _da, _en, _kl, _kl_name, _mode, _target, start, end, closing, expiry, elig, prog = row
        defs.append(
            StageDef(
                code=code,
                window_start_days=start,
                window_end_days=end,
                expiry_days=expiry,
                closing_days=closing,
                eligibility=Eligibility(elig),
                overrides=OVERRIDES.get(code, {}),
                programme=prog,
                series=code in series,
            )
        )
    return tuple(defs)


def timed(function: Callable[[], Any], runs: int) -> tuple[float, Any]:
    """Median seconds over ``runs`` calls of ``function``, and its last result."""
    seconds = []
    result: Any = None
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds), result


def percentile(values: Sequence[float], share: float) -> float:
    """The ``share`` (0–1) percentile, nearest rank."""
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]
