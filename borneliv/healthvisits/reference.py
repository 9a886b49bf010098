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


def residence_on(residence: Sequence[Residence], day: date) -> Residence | None:
    covering = [r for r in residence if r.start <= day and (r.end is None or day <= r.end)]
    if not covering:
        return None
    # Latest start, then the higher municipality code, then the earlier programme start.
    return max(
        covering,
        key=lambda r: (
            r.start,
            r.municipality,
            -(r.programme_from.toordinal() if r.programme_from else 10**9),
        ),
    )


def living_in(residence: Sequence[Residence], day: date) -> str | None:
    found = residence_on(residence, day)
    return None if found is None else found.municipality


def outside_programme(residence: Sequence[Residence], start: date, end: date, today: date) -> str:
    """Why a programme stage does not apply ("" when it does)."""
    judged_on = today if today < start else min(today, end)
    deadline = end if today < start else judged_on
    found = residence_on(residence, judged_on)
    if found is None or found.programme_from is None:
        return "not_programme_area"
    if found.programme_from > deadline:
        return "programme_not_started"
    return ""


def planned_next(contacts: Sequence[ContactFact]) -> date | None:
    """The next contact planned at the latest contact, if any (the series rule)."""
    if not contacts:
        return None
    last_day = max(c.on for c in contacts)
    latest = [c for c in contacts if c.on == last_day]
    if any(c.outcome == "declined" for c in latest):
        return None
    plans = [c.next_on for c in latest if c.next_on is not None]
    if not plans or max(plans) <= last_day:
        return None
    return max(plans)


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
        calls = sum(1 for c in mine if c.outcome == "completed")
        planned = planned_next(mine)
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
        # Whether the stage applies (rules 5 and 6), when its window is known.
        why_not = ""
        if start is not None and end is not None:
            if stage.programme:
                why_not = outside_programme(residence, start, end, today)
            if not why_not:
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
                    why_not = "not_vulnerable"
        if completed_on is not None:
            status = Status.COMPLETED
            if (
                stage.series
                and end is not None
                and planned is not None
                and planned <= end
                and today <= end
                and not why_not
            ):
                status = Status.ONGOING if today < planned else Status.DUE
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
        elif why_not:
            status, reason = Status.NOT_ELIGIBLE, why_not
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
            planned=planned,
            calls=calls,
        )
    return [done[stage.code] for stage in stages]
