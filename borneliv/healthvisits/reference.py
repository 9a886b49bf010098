"""The schedule rules written out plainly, one child at a time: test oracle and benchmark peer.

The straightforward implementation a first version would have: a Python loop over stages for each
child, lists of the child's facts, ``date`` arithmetic. It follows the rules of
``borneliv.healthvisits.schedule`` (see its module docstring) and gives the same ``StageStatus``
rows. ``tests/test_schedule.py`` checks the vectorised engine against it (hypothesis), and
``benchmarks/bench_schedule_engine.py`` runs it as the per-child peer. No Django import.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from borneliv.healthvisits.schedule import (
    OPEN_STATUSES,
    ContactFact,
    Eligibility,
    Period,
    Residence,
    SkipFact,
    StageDef,
    StageStatus,
    Status,
)


def living_in(residence: Sequence[Residence], day: date) -> str | None:
    covering = [r for r in residence if r.start <= day and (r.end is None or day <= r.end)]
    if not covering:
        return None
    return max(covering, key=lambda r: (r.start, r.municipality)).municipality


def vulnerable_between(periods: Sequence[Period], first: date, last: date) -> bool:
    return any(
        p.start <= last and (p.end is None or (p.end >= first and p.end >= p.start))
        for p in periods
    )


def schedule_one_child(
    *,
    birth_date: date,
    stages: Sequence[StageDef],
    vulnerable: Sequence[Period],
    residence: Sequence[Residence],
    contacts: Sequence[ContactFact],
    skips: Sequence[SkipFact],
    today: date,
) -> list[StageStatus]:
    """One child's schedule on ``today``, stage by stage."""
    done: dict[str, StageStatus] = {}
    for stage in stages:
        mine = [c for c in contacts if c.stage == stage.code]
        completed_on = min((c.on for c in mine if c.outcome == "completed"), default=None)
        attempts = sum(1 for c in mine if c.outcome == "not_reached")
        declined = any(c.outcome == "declined" for c in mine)
        first_skip = min(((s.on, s.reason) for s in skips if s.stage == stage.code), default=None)
        anchor = birth_date if stage.anchor is None else done[stage.anchor].done_on
        start = end = expires = None
        if anchor is not None:
            start = anchor + timedelta(days=stage.window_start_days)
            end = anchor + timedelta(days=stage.window_end_days)
            expires = end + timedelta(days=stage.expiry_days)
        within = None
        if completed_on is not None and start is not None and end is not None:
            within = start <= completed_on <= end

        reason = ""
        if completed_on is not None:
            status = Status.COMPLETED
        elif first_skip is not None:
            status, reason = Status.SKIPPED, first_skip[1]
        elif declined:
            status, reason = Status.DECLINED, "declined"
        elif start is None or end is None or expires is None:
            assert stage.anchor is not None
            if done[stage.anchor].status in OPEN_STATUSES:
                status, reason = Status.WAITING, "prerequisite_open"
            else:
                status, reason = Status.NOT_ELIGIBLE, "prerequisite_not_completed"
        else:
            reference_day = start if start <= today else today
            municipality = living_in(residence, reference_day)
            rule = stage.eligibility
            if municipality is not None:
                rule = stage.overrides.get(municipality, stage.eligibility)
            if start <= today:
                eligible = vulnerable_between(vulnerable, start, min(end, today))
            else:
                eligible = vulnerable_between(vulnerable, today, today)
            if rule is Eligibility.VULNERABLE and not eligible:
                status, reason = Status.NOT_ELIGIBLE, "not_vulnerable"
            elif today < start:
                status = Status.UPCOMING
            elif today <= end - timedelta(days=stage.closing_days):
                status = Status.DUE
            elif today <= end:
                status = Status.CLOSING
            elif today <= expires:
                status = Status.OVERDUE
            else:
                status = Status.EXPIRED
        done[stage.code] = StageStatus(
            code=stage.code,
            status=status,
            window_start=start,
            window_end=end,
            expires_on=expires,
            done_on=completed_on,
            within_window=within,
            attempts=attempts,
            reason=reason,
        )
    return [done[stage.code] for stage in stages]
