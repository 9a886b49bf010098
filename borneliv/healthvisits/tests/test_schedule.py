"""The schedule engine: examples for every rule, window edges, and the batch against a reference.

No Django and no database: the engine is plain Python and numpy.
"""

from __future__ import annotations

import random
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from borneliv.healthvisits.reference import schedule_one_child as reference_schedule
from borneliv.healthvisits.schedule import (
    NO_DAY,
    OPEN_END,
    STATUS_CODE,
    ContactFact,
    Eligibility,
    Period,
    Residence,
    ScheduleBatch,
    SkipFact,
    StageDef,
    StageStatus,
    Status,
    check_stages,
    day_number,
    schedule_batch,
    schedule_for_child,
)

ALL = Eligibility.ALL
VULNERABLE = Eligibility.VULNERABLE
AALBORG, ALBERTSLUND, FREDERIKSSUND = "0851", "0165", "0250"

# The programme's stages for these tests. Every stage closes in its last 14 days and expires 60
# days after its window ends (the values the seeded stages start from; municipalities may tune).
CLOSING_DAYS = 14
EXPIRY_DAYS = 60


def programme_stage(
    code: str,
    start: int,
    end: int,
    eligibility: Eligibility = ALL,
    *,
    anchor: str | None = None,
    overrides: dict[str, Eligibility] | None = None,
) -> StageDef:
    return StageDef(
        code=code,
        window_start_days=start,
        window_end_days=end,
        expiry_days=EXPIRY_DAYS,
        closing_days=CLOSING_DAYS,
        eligibility=eligibility,
        anchor=anchor,
        overrides=overrides or {},
    )


VISIT_2_MONTHS = programme_stage("visit_2_months", 45, 75)
ENHANCED_VISIT = programme_stage("enhanced_visit_4_6_months", 120, 183)
FEEDING_COUNSELLING = programme_stage("feeding_counselling", 7, 183, VULNERABLE)
VISIT_8_11_MONTHS = programme_stage("visit_8_11_months", 240, 335)
CALL_1_YEAR = programme_stage("call_1_year", 350, 395, VULNERABLE, overrides={ALBERTSLUND: ALL})
VISIT_1_5_YEARS = programme_stage(
    "visit_1_5_years", 530, 580, VULNERABLE, overrides={ALBERTSLUND: ALL}
)
PROGRAMME = (
    FEEDING_COUNSELLING,
    VISIT_2_MONTHS,
    ENHANCED_VISIT,
    VISIT_8_11_MONTHS,
    CALL_1_YEAR,
    VISIT_1_5_YEARS,
)
# A stage counted from another's completion, to exercise prerequisites.
FOLLOW_UP = programme_stage("enhanced_follow_up", 14, 28, anchor=ENHANCED_VISIT.code)
WITH_FOLLOW_UP = (*PROGRAMME, FOLLOW_UP)
# The same stages as the platform seeds them: the programme's own contacts only in programme
# areas, breastfeeding counselling as a series of calls.
PROGRAMME_AREAS_ONLY = tuple(
    replace(
        stage,
        programme=stage.code
        in {"enhanced_visit_4_6_months", "feeding_counselling", "call_1_year", "visit_1_5_years"},
        series=stage.code == "feeding_counselling",
    )
    for stage in WITH_FOLLOW_UP
)

BIRTH = date(2023, 3, 10)


def on_day(days: int, birth: date = BIRTH) -> date:
    return birth + timedelta(days=days)


def schedule(
    *,
    birth_date: date = BIRTH,
    stages: Sequence[StageDef] = WITH_FOLLOW_UP,
    vulnerable: Sequence[Period] = (),
    residence: Sequence[Residence] = (),
    contacts: Sequence[ContactFact] = (),
    skips: Sequence[SkipFact] = (),
    today: date,
) -> dict[str, StageStatus]:
    rows = schedule_for_child(
        birth_date=birth_date,
        stages=stages,
        vulnerable=vulnerable,
        residence=residence,
        contacts=contacts,
        skips=skips,
        today=today,
    )
    assert [r.code for r in rows] == [s.code for s in stages]
    return {r.code: r for r in rows}


def status_of(stage: StageDef, **facts: object) -> StageStatus:
    return schedule(**facts)[stage.code]  # type: ignore[arg-type]


# --- window edges ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (119, Status.UPCOMING),  # the day before the window
        (120, Status.DUE),  # window start
        (183 - CLOSING_DAYS, Status.DUE),  # the last day before the window starts closing
        (183 - CLOSING_DAYS + 1, Status.CLOSING),
        (183, Status.CLOSING),  # window end
        (184, Status.OVERDUE),
        (183 + EXPIRY_DAYS, Status.OVERDUE),  # expires_on
        (183 + EXPIRY_DAYS + 1, Status.EXPIRED),
    ],
)
def test_it_gives_the_status_on_each_edge_of_the_window(day: int, expected: Status) -> None:
    result = status_of(ENHANCED_VISIT, today=on_day(day))
    assert result.status is expected
    assert result.window_start == on_day(120)
    assert result.window_end == on_day(183)
    assert result.expires_on == on_day(183 + EXPIRY_DAYS)
    assert result.reason == ""
    assert (result.done_on, result.within_window, result.attempts) == (None, None, 0)


def test_it_counts_windows_in_days_for_a_child_born_on_a_leap_day() -> None:
    leap_child = date(2024, 2, 29)
    rows = schedule(
        birth_date=leap_child,
        residence=[Residence(leap_child, None, ALBERTSLUND)],
        today=date(2025, 2, 28),
    )
    assert rows[ENHANCED_VISIT.code].window_start == date(2024, 6, 28)
    assert rows[ENHANCED_VISIT.code].window_end == date(2024, 8, 30)
    assert rows[ENHANCED_VISIT.code].expires_on == date(2024, 10, 29)
    assert rows[ENHANCED_VISIT.code].status is Status.EXPIRED
    call = rows[CALL_1_YEAR.code]
    assert (call.window_start, call.window_end) == (date(2025, 2, 13), date(2025, 3, 30))
    assert call.status is Status.DUE
    visit = rows[VISIT_1_5_YEARS.code]
    assert (visit.window_start, visit.window_end) == (date(2025, 8, 12), date(2025, 10, 1))
    assert visit.status is Status.UPCOMING


def test_it_lets_a_window_close_for_its_whole_length_when_closing_days_exceed_it() -> None:
    short = StageDef("short", 10, 12, expiry_days=0, closing_days=30, eligibility=ALL)
    assert status_of(short, stages=[short], today=on_day(10)).status is Status.CLOSING
    assert status_of(short, stages=[short], today=on_day(13)).status is Status.EXPIRED


# --- outcomes --------------------------------------------------------------------------------


def test_it_marks_a_stage_completed_on_the_earliest_completed_contact() -> None:
    result = status_of(
        ENHANCED_VISIT,
        contacts=[
            ContactFact(ENHANCED_VISIT.code, on_day(150), "completed"),
            ContactFact(ENHANCED_VISIT.code, on_day(130), "completed"),
            ContactFact(ENHANCED_VISIT.code, on_day(125), "not_reached"),
        ],
        today=on_day(400),
    )
    assert result.status is Status.COMPLETED
    assert result.done_on == on_day(130)
    assert result.within_window is True
    assert result.attempts == 1


@pytest.mark.parametrize(("day", "within"), [(119, False), (120, True), (183, True), (184, False)])
def test_it_tells_whether_the_completion_lies_in_the_window(day: int, within: bool) -> None:
    result = status_of(
        ENHANCED_VISIT,
        contacts=[ContactFact(ENHANCED_VISIT.code, on_day(day), "completed")],
        today=on_day(200),
    )
    assert result.status is Status.COMPLETED
    assert result.within_window is within


def test_it_counts_a_completed_contact_even_for_a_family_not_eligible() -> None:
    result = status_of(
        FEEDING_COUNSELLING,
        contacts=[ContactFact(FEEDING_COUNSELLING.code, on_day(20), "completed")],
        today=on_day(30),
    )
    assert result.status is Status.COMPLETED


def test_it_marks_a_skipped_stage_with_its_reason() -> None:
    result = status_of(
        ENHANCED_VISIT,
        skips=[SkipFact(ENHANCED_VISIT.code, on_day(121), "moved_abroad")],
        contacts=[ContactFact(ENHANCED_VISIT.code, on_day(120), "not_reached")],
        today=on_day(130),
    )
    assert (result.status, result.reason, result.attempts) == (Status.SKIPPED, "moved_abroad", 1)
    assert result.window_start == on_day(120)


def test_it_takes_the_earliest_skip_and_on_the_same_day_the_first_reason() -> None:
    skips = [
        SkipFact(ENHANCED_VISIT.code, on_day(125), "b_reason"),
        SkipFact(ENHANCED_VISIT.code, on_day(125), "a_reason"),
        SkipFact(ENHANCED_VISIT.code, on_day(140), "0_later"),
    ]
    assert status_of(ENHANCED_VISIT, skips=skips, today=on_day(150)).reason == "a_reason"


def test_it_marks_a_declined_stage() -> None:
    result = status_of(
        ENHANCED_VISIT,
        contacts=[ContactFact(ENHANCED_VISIT.code, on_day(122), "declined")],
        today=on_day(130),
    )
    assert (result.status, result.reason) == (Status.DECLINED, "declined")


def test_a_completion_outranks_a_skip_which_outranks_a_decline() -> None:
    declined = ContactFact(ENHANCED_VISIT.code, on_day(122), "declined")
    skipped = SkipFact(ENHANCED_VISIT.code, on_day(123), "family_request")
    completed = ContactFact(ENHANCED_VISIT.code, on_day(160), "completed")
    today = on_day(170)
    assert status_of(ENHANCED_VISIT, contacts=[declined], skips=[skipped], today=today).status is (
        Status.SKIPPED
    )
    both = status_of(ENHANCED_VISIT, contacts=[declined, completed], skips=[skipped], today=today)
    assert (both.status, both.reason) == (Status.COMPLETED, "")


def test_it_counts_attempts_not_reached_whatever_the_status() -> None:
    contacts = [ContactFact(ENHANCED_VISIT.code, on_day(d), "not_reached") for d in (121, 122, 125)]
    result = status_of(ENHANCED_VISIT, contacts=contacts, today=on_day(126))
    assert (result.status, result.attempts) == (Status.DUE, 3)


def test_it_ignores_facts_about_stages_it_does_not_know() -> None:
    rows = schedule(
        contacts=[ContactFact("retired_stage", on_day(10), "completed")],
        skips=[SkipFact("retired_stage", on_day(10), "gone")],
        today=on_day(10),
    )
    assert "retired_stage" not in rows
    assert rows[VISIT_2_MONTHS.code].status is Status.UPCOMING


# --- prerequisites ---------------------------------------------------------------------------


def test_a_stage_waits_while_its_prerequisite_is_open() -> None:
    result = status_of(FOLLOW_UP, today=on_day(130))
    assert (result.status, result.reason) == (Status.WAITING, "prerequisite_open")
    assert (result.window_start, result.window_end, result.expires_on) == (None, None, None)


def test_a_stage_waits_on_a_prerequisite_that_waits() -> None:
    second = StageDef("second_follow_up", 7, 14, 30, 3, ALL, anchor=FOLLOW_UP.code)
    result = status_of(second, stages=[*WITH_FOLLOW_UP, second], today=on_day(130))
    assert result.status is Status.WAITING


@pytest.mark.parametrize(
    ("contacts", "skips", "today"),
    [
        ([], [], on_day(183 + EXPIRY_DAYS + 1)),  # expired
        ([ContactFact(ENHANCED_VISIT.code, on_day(130), "declined")], [], on_day(131)),
        ([], [SkipFact(ENHANCED_VISIT.code, on_day(130), "in_hospital")], on_day(131)),
    ],
)
def test_a_stage_is_not_eligible_when_its_prerequisite_ended_uncompleted(
    contacts: list[ContactFact], skips: list[SkipFact], today: date
) -> None:
    result = status_of(FOLLOW_UP, contacts=contacts, skips=skips, today=today)
    assert (result.status, result.reason) == (Status.NOT_ELIGIBLE, "prerequisite_not_completed")
    assert result.window_start is None


def test_a_stage_is_not_eligible_when_its_prerequisite_was_not_eligible() -> None:
    counselling_follow_up = StageDef(
        "counselling_follow_up", 7, 14, 30, 3, ALL, anchor=FEEDING_COUNSELLING.code
    )
    result = status_of(
        counselling_follow_up, stages=[FEEDING_COUNSELLING, counselling_follow_up], today=on_day(9)
    )
    assert result.status is Status.NOT_ELIGIBLE


def test_a_stage_counts_its_window_from_the_completion_of_its_prerequisite() -> None:
    completed = ContactFact(ENHANCED_VISIT.code, on_day(140), "completed")
    result = status_of(FOLLOW_UP, contacts=[completed], today=on_day(154))
    assert result.window_start == on_day(154)
    assert result.window_end == on_day(168)
    assert result.status is Status.DUE


def test_a_stage_done_before_its_prerequisite_is_completed_has_no_window() -> None:
    result = status_of(
        FOLLOW_UP,
        contacts=[ContactFact(FOLLOW_UP.code, on_day(150), "completed")],
        today=on_day(160),
    )
    assert (result.status, result.done_on) == (Status.COMPLETED, on_day(150))
    assert (result.window_start, result.within_window) == (None, None)


def test_it_refuses_an_anchor_on_an_unknown_stage() -> None:
    orphan = StageDef("orphan", 1, 2, 3, 0, ALL, anchor="nowhere")
    with pytest.raises(ValueError, match="unknown stage nowhere"):
        check_stages([orphan])


def test_it_refuses_stages_anchored_in_a_cycle() -> None:
    a = StageDef("a", 1, 2, 3, 0, ALL, anchor="b")
    b = StageDef("b", 1, 2, 3, 0, ALL, anchor="a")
    with pytest.raises(ValueError, match="cycle"):
        check_stages([a, b])
    selfish = StageDef("self", 1, 2, 3, 0, ALL, anchor="self")
    with pytest.raises(ValueError, match="cycle"):
        schedule(stages=[selfish], today=BIRTH)


def test_it_refuses_a_stage_listed_before_its_prerequisite() -> None:
    with pytest.raises(ValueError, match="before its prerequisite"):
        check_stages([FOLLOW_UP, ENHANCED_VISIT])


def test_it_refuses_a_stage_listed_twice() -> None:
    with pytest.raises(ValueError, match="twice"):
        check_stages([ENHANCED_VISIT, ENHANCED_VISIT])


def test_it_refuses_a_window_that_ends_before_it_starts() -> None:
    with pytest.raises(ValueError, match="ends before it starts"):
        StageDef("backwards", 10, 5, 0, 0, ALL)


# --- eligibility: vulnerability --------------------------------------------------------------


def test_a_vulnerable_stage_is_not_offered_to_a_family_never_vulnerable() -> None:
    result = status_of(FEEDING_COUNSELLING, today=on_day(30))
    assert (result.status, result.reason) == (Status.NOT_ELIGIBLE, "not_vulnerable")
    assert result.window_start == on_day(7)  # windows are still reported


def test_a_vulnerable_stage_is_offered_to_a_vulnerable_family() -> None:
    result = status_of(FEEDING_COUNSELLING, vulnerable=[Period(BIRTH, None)], today=on_day(30))
    assert result.status is Status.DUE


def test_vulnerability_set_the_day_before_the_window_ends_makes_the_family_eligible() -> None:
    vulnerable = [Period(on_day(182), None)]
    result = status_of(FEEDING_COUNSELLING, vulnerable=vulnerable, today=on_day(200))
    assert result.status is Status.OVERDUE


def test_vulnerability_set_after_the_window_ended_does_not_count() -> None:
    vulnerable = [Period(on_day(184), None)]
    result = status_of(FEEDING_COUNSELLING, vulnerable=vulnerable, today=on_day(200))
    assert result.status is Status.NOT_ELIGIBLE


def test_vulnerability_cleared_the_day_before_the_window_starts_does_not_count() -> None:
    vulnerable = [Period(BIRTH - timedelta(days=100), on_day(349))]
    result = status_of(CALL_1_YEAR, vulnerable=vulnerable, today=on_day(360))
    assert result.status is Status.NOT_ELIGIBLE
    on_the_first_day = [Period(BIRTH - timedelta(days=100), on_day(350))]
    assert status_of(CALL_1_YEAR, vulnerable=on_the_first_day, today=on_day(360)).status is (
        Status.DUE
    )


def test_vulnerability_cleared_mid_window_keeps_the_family_eligible() -> None:
    vulnerable = [Period(BIRTH, on_day(360))]
    assert status_of(CALL_1_YEAR, vulnerable=vulnerable, today=on_day(390)).status is (
        Status.CLOSING
    )


def test_vulnerability_recorded_for_a_later_day_does_not_count_yet() -> None:
    vulnerable = [Period(on_day(370), None)]
    assert status_of(CALL_1_YEAR, vulnerable=vulnerable, today=on_day(360)).status is (
        Status.NOT_ELIGIBLE
    )


def test_a_future_window_is_offered_when_the_family_is_vulnerable_today() -> None:
    assert status_of(
        CALL_1_YEAR, vulnerable=[Period(on_day(100), None)], today=on_day(200)
    ).status is (Status.UPCOMING)
    cleared = [Period(BIRTH, on_day(199))]
    assert status_of(CALL_1_YEAR, vulnerable=cleared, today=on_day(200)).status is (
        Status.NOT_ELIGIBLE
    )


def test_an_empty_vulnerability_period_is_ignored() -> None:
    backwards = [Period(on_day(400), on_day(300))]
    assert status_of(CALL_1_YEAR, vulnerable=backwards, today=on_day(360)).status is (
        Status.NOT_ELIGIBLE
    )


# --- eligibility: municipality ---------------------------------------------------------------


def test_albertslund_offers_the_1_year_call_and_1_5_year_visit_to_all_families() -> None:
    rows = schedule(residence=[Residence(BIRTH, None, ALBERTSLUND)], today=on_day(360))
    assert rows[CALL_1_YEAR.code].status is Status.DUE
    assert rows[VISIT_1_5_YEARS.code].status is Status.UPCOMING
    assert rows[FEEDING_COUNSELLING.code].status is Status.NOT_ELIGIBLE  # no override there


def test_aalborg_offers_them_to_vulnerable_families_only() -> None:
    rows = schedule(residence=[Residence(BIRTH, None, AALBORG)], today=on_day(360))
    assert rows[CALL_1_YEAR.code].status is Status.NOT_ELIGIBLE
    assert rows[VISIT_1_5_YEARS.code].status is Status.NOT_ELIGIBLE


def test_a_child_moving_from_aalborg_to_albertslund_before_the_window_is_offered_the_call() -> None:
    residence = [
        Residence(BIRTH, on_day(299), AALBORG),
        Residence(on_day(300), None, ALBERTSLUND),
    ]
    assert status_of(CALL_1_YEAR, residence=residence, today=on_day(351)).status is Status.DUE


def test_a_child_moving_from_albertslund_to_aalborg_before_the_window_is_not() -> None:
    residence = [
        Residence(BIRTH, on_day(299), ALBERTSLUND),
        Residence(on_day(300), None, AALBORG),
    ]
    result = status_of(CALL_1_YEAR, residence=residence, today=on_day(351))
    assert result.status is Status.NOT_ELIGIBLE


def test_the_residence_on_the_first_day_of_the_window_decides() -> None:
    moves_in_on_day_one = [
        Residence(BIRTH, on_day(349), AALBORG),
        Residence(on_day(350), None, ALBERTSLUND),
    ]
    moves_in_on_day_two = [
        Residence(BIRTH, on_day(350), AALBORG),
        Residence(on_day(351), None, ALBERTSLUND),
    ]
    assert status_of(CALL_1_YEAR, residence=moves_in_on_day_one, today=on_day(360)).status is (
        Status.DUE
    )
    assert status_of(CALL_1_YEAR, residence=moves_in_on_day_two, today=on_day(360)).status is (
        Status.NOT_ELIGIBLE
    )


def test_a_future_window_follows_the_current_residence() -> None:
    residence = [Residence(BIRTH, on_day(99), AALBORG), Residence(on_day(100), None, ALBERTSLUND)]
    assert status_of(CALL_1_YEAR, residence=residence, today=on_day(99)).status is (
        Status.NOT_ELIGIBLE
    )
    assert status_of(CALL_1_YEAR, residence=residence, today=on_day(100)).status is (
        Status.UPCOMING
    )


def test_without_a_known_residence_the_default_eligibility_applies() -> None:
    left = [Residence(BIRTH, on_day(200), ALBERTSLUND)]  # then moved somewhere not recorded
    assert status_of(CALL_1_YEAR, residence=left, today=on_day(360)).status is (Status.NOT_ELIGIBLE)


def test_of_overlapping_residences_the_one_that_started_last_wins() -> None:
    residence = [Residence(BIRTH, None, AALBORG), Residence(on_day(300), on_day(400), ALBERTSLUND)]
    assert status_of(CALL_1_YEAR, residence=residence, today=on_day(360)).status is Status.DUE


# --- the batch -------------------------------------------------------------------------------


def test_it_schedules_a_batch_of_children_from_values_list_rows() -> None:
    batch = ScheduleBatch.from_rows(
        children=[(17, BIRTH), (4, on_day(-200)), (99, on_day(-400))],
        contacts=[
            (4, ENHANCED_VISIT.code, on_day(-70), "completed"),
            (99, ENHANCED_VISIT.code, on_day(-260), "not_reached"),
            (12345, ENHANCED_VISIT.code, on_day(-70), "completed"),  # not in the batch: ignored
        ],
        skips=[(99, VISIT_2_MONTHS.code, on_day(-340), "hospital")],
        vulnerable=[(17, BIRTH, None)],
        residence=[(99, on_day(-400), None, ALBERTSLUND)],
    )
    result = schedule_batch(batch, PROGRAMME, today=BIRTH + timedelta(days=10))
    assert result.child_ids is not None
    assert result.child_ids.tolist() == [17, 4, 99]
    enhanced = result[ENHANCED_VISIT.code]
    assert [int(s) for s in enhanced.status] == [
        STATUS_CODE[Status.UPCOMING],
        STATUS_CODE[Status.COMPLETED],
        STATUS_CODE[Status.EXPIRED],
    ]
    assert int(enhanced.done_on[1]) == day_number(on_day(-70))
    assert int(enhanced.done_on[0]) == NO_DAY
    assert [int(a) for a in enhanced.attempts] == [0, 0, 1]
    assert [int(w) for w in enhanced.within_window] == [-1, 1, -1]
    assert result.row(2)[1].reason == "hospital"
    assert result.row(0)[0].status is Status.DUE  # the vulnerable newborn's counselling
    counts = result.counts_by_status()
    assert counts[ENHANCED_VISIT.code][Status.COMPLETED] == 1
    assert sum(counts[CALL_1_YEAR.code].values()) == 3
    assert counts[CALL_1_YEAR.code][Status.UPCOMING] == 1  # 99 lives in Albertslund
    assert result.has_status(ENHANCED_VISIT.code, Status.UPCOMING, Status.EXPIRED).tolist() == [
        True,
        False,
        True,
    ]


def test_it_schedules_a_batch_built_from_arrays() -> None:
    batch = ScheduleBatch.from_arrays(
        child_ids=np.array([3, 1]),
        birth=np.array([day_number(BIRTH), day_number(BIRTH)]),
        contact_child=np.array([1]),
        contact_stage=np.array([CALL_1_YEAR.code]),
        contact_day=np.array([day_number(on_day(355))]),
        contact_outcome=np.array([0]),
        vulnerable_child=np.array([3]),
        vulnerable_start=np.array([day_number(BIRTH)]),
        vulnerable_end=np.array([OPEN_END]),
    )
    result = schedule_batch(batch, PROGRAMME, today=on_day(360))
    assert [r.status for r in (result.row(0)[4], result.row(1)[4])] == [
        Status.DUE,
        Status.COMPLETED,
    ]


def test_a_batch_takes_pseudonymous_string_ids() -> None:
    batch = ScheduleBatch.from_rows(
        children=[("c-b", BIRTH), ("c-a", on_day(-130))],
        contacts=[("c-a", ENHANCED_VISIT.code, on_day(-5), "declined")],
    )
    result = schedule_batch(batch, PROGRAMME, today=BIRTH)
    assert [row[2].status for row in (result.row(0), result.row(1))] == [
        Status.UPCOMING,
        Status.DECLINED,
    ]


def test_a_stage_definition_is_hashable_and_immutable() -> None:
    assert hash(CALL_1_YEAR) == hash(
        programme_stage("call_1_year", 350, 395, VULNERABLE, overrides={ALBERTSLUND: ALL})
    )
    with pytest.raises(TypeError):
        CALL_1_YEAR.overrides[AALBORG] = ALL  # type: ignore[index]


def test_an_empty_batch_has_an_empty_schedule() -> None:
    result = schedule_batch(ScheduleBatch.from_rows(children=[]), PROGRAMME, today=BIRTH)
    assert result.n == 0
    assert result.counts_by_status()[ENHANCED_VISIT.code][Status.DUE] == 0


def test_a_batch_refuses_a_child_listed_twice() -> None:
    with pytest.raises(ValueError, match="twice"):
        ScheduleBatch.from_rows(children=[(1, BIRTH), (1, BIRTH)])


def test_a_batch_refuses_an_unknown_outcome() -> None:
    with pytest.raises(ValueError, match="Unknown values"):
        ScheduleBatch.from_rows(
            children=[(1, BIRTH)], contacts=[(1, ENHANCED_VISIT.code, BIRTH, "maybe")]
        )


def test_the_engine_does_not_import_django() -> None:
    code = (
        "import sys; import borneliv.healthvisits.schedule; "
        "sys.exit(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0  # noqa: S603


# --- programme areas: the comparison stays untouched ------------------------------------------

ENHANCED = replace(ENHANCED_VISIT, programme=True)
SERIES = replace(FEEDING_COUNSELLING, programme=True, series=True)
PROGRAMME_START = BIRTH - timedelta(days=365)


def lives(*rows: tuple[int, int | None, date | None]) -> list[Residence]:
    """Residence rows (first day, last day or None, programme start or None) in Aalborg."""
    return [
        Residence(on_day(first), None if last is None else on_day(last), AALBORG, programme)
        for first, last, programme in rows
    ]


def only(stage: StageDef, **facts: object) -> StageStatus:
    """The status of ``stage`` scheduled on its own."""
    return schedule(stages=(stage,), **facts)[stage.code]  # type: ignore[arg-type]


def test_a_programme_stage_is_due_in_a_programme_area() -> None:
    result = only(ENHANCED, residence=lives((0, None, PROGRAMME_START)), today=on_day(130))
    assert (result.status, result.reason) == (Status.DUE, "")


def test_a_programme_stage_does_not_reach_a_comparison_area() -> None:
    result = only(ENHANCED, residence=lives((0, None, None)), today=on_day(130))
    assert (result.status, result.reason) == (Status.NOT_ELIGIBLE, "not_programme_area")
    # The window dates are still known, so the page can say which window it would have been.
    assert result.window_start == on_day(120)


def test_ordinary_stages_stay_for_everyone() -> None:
    result = only(VISIT_2_MONTHS, residence=lives((0, None, None)), today=on_day(50))
    assert result.status is Status.DUE


def test_a_child_without_a_recorded_residence_gets_no_programme_stage() -> None:
    assert only(ENHANCED, today=on_day(130)).reason == "not_programme_area"


def test_a_child_who_moves_into_a_programme_area_during_the_window_gets_the_stage() -> None:
    residence = lives((0, 139, None), (140, None, PROGRAMME_START))
    assert only(ENHANCED, residence=residence, today=on_day(130)).status is (Status.NOT_ELIGIBLE)
    assert only(ENHANCED, residence=residence, today=on_day(140)).status is Status.DUE
    # After the window: judged on its last day, when the child lived in the programme area.
    assert only(ENHANCED, residence=residence, today=on_day(200)).status is Status.OVERDUE


def test_a_child_who_moves_out_during_the_window_loses_the_stage() -> None:
    residence = lives((0, 149, PROGRAMME_START), (150, None, None))
    assert only(ENHANCED, residence=residence, today=on_day(149)).status is Status.DUE
    moved = only(ENHANCED, residence=residence, today=on_day(150))
    assert (moved.status, moved.reason) == (Status.NOT_ELIGIBLE, "not_programme_area")
    assert only(ENHANCED, residence=residence, today=on_day(400)).status is (Status.NOT_ELIGIBLE)


def test_a_child_who_moves_out_after_the_window_keeps_its_history() -> None:
    residence = lives((0, 200, PROGRAMME_START), (201, None, None))
    assert only(ENHANCED, residence=residence, today=on_day(220)).status is Status.OVERDUE


def test_a_completed_programme_contact_stays_completed_after_a_move() -> None:
    residence = lives((0, 149, PROGRAMME_START), (150, None, None))
    done = [ContactFact(ENHANCED.code, on_day(130), "completed")]
    result = only(ENHANCED, residence=residence, contacts=done, today=on_day(300))
    assert (result.status, result.within_window) == (Status.COMPLETED, True)


def test_a_programme_that_starts_during_the_window_offers_the_stage_from_its_first_day() -> None:
    residence = lives((0, None, on_day(150)))
    before = only(ENHANCED, residence=residence, today=on_day(140))
    assert (before.status, before.reason) == (Status.NOT_ELIGIBLE, "programme_not_started")
    assert only(ENHANCED, residence=residence, today=on_day(150)).status is Status.DUE


def test_a_window_ahead_counts_a_programme_that_starts_before_it_ends() -> None:
    starts_in_window = lives((0, None, on_day(170)))
    assert only(ENHANCED, residence=starts_in_window, today=on_day(100)).status is (Status.UPCOMING)
    starts_after = lives((0, None, on_day(190)))
    later = only(ENHANCED, residence=starts_after, today=on_day(100))
    assert (later.status, later.reason) == (Status.NOT_ELIGIBLE, "programme_not_started")


def test_a_comparison_area_that_later_becomes_a_programme_area() -> None:
    # The area turns into a programme area when this child is 300 days old: the enhanced visit
    # (window to day 183) stays out of reach, the 1½-year visit (from day 530) is offered.
    residence = lives((0, None, on_day(300)))
    visit_18m = replace(VISIT_1_5_YEARS, programme=True, eligibility=ALL)
    rows = schedule(stages=(ENHANCED, visit_18m), residence=residence, today=on_day(540))
    assert rows[ENHANCED.code].status is Status.NOT_ELIGIBLE
    assert rows[ENHANCED.code].reason == "programme_not_started"
    assert rows[visit_18m.code].status is Status.DUE


def test_programme_area_comes_before_vulnerability_as_the_reason() -> None:
    result = only(SERIES, residence=lives((0, None, None)), today=on_day(30))
    assert result.reason == "not_programme_area"


# --- series: breastfeeding counselling ------------------------------------------------------

IN_PROGRAMME = lives((0, None, PROGRAMME_START))
VULNERABLE_FAMILY = [Period(BIRTH, None)]


def series_status(contacts: Sequence[ContactFact], today: date, **facts: object) -> StageStatus:
    arguments: dict[str, object] = {
        "residence": IN_PROGRAMME,
        "vulnerable": VULNERABLE_FAMILY,
        "contacts": contacts,
        "today": today,
    }
    arguments.update(facts)
    return only(SERIES, **arguments)


def call(day: int, next_day: int | None = None, outcome: str = "completed") -> ContactFact:
    return ContactFact(
        SERIES.code, on_day(day), outcome, None if next_day is None else on_day(next_day)
    )


def test_a_series_is_ongoing_while_its_next_call_lies_ahead() -> None:
    result = series_status([call(10, 24)], on_day(20))
    assert (result.status, result.planned, result.calls) == (Status.ONGOING, on_day(24), 1)


def test_a_planned_call_is_due_on_its_day() -> None:
    assert series_status([call(10, 24)], on_day(24)).status is Status.DUE
    assert series_status([call(10, 24)], on_day(60)).status is Status.DUE


def test_a_series_without_a_planned_call_is_completed() -> None:
    result = series_status([call(10, 24), call(24), call(40, None)], on_day(41))
    assert (result.status, result.calls, result.planned) == (Status.COMPLETED, 3, None)
    assert result.done_on == on_day(10)


def test_the_plan_of_the_latest_call_counts() -> None:
    # The call on day 24 replaced the plan made on day 10 with a new one.
    result = series_status([call(10, 24), call(24, 50)], on_day(30))
    assert (result.status, result.planned, result.calls) == (Status.ONGOING, on_day(50), 2)
    # A call that did not reach the family can plan the next try.
    retry = series_status([call(10, 24), call(24, 27, "not_reached")], on_day(25))
    assert (retry.status, retry.planned, retry.attempts) == (Status.ONGOING, on_day(27), 1)


def test_a_declined_call_ends_the_series() -> None:
    result = series_status([call(10, 24), call(20, 40, "declined")], on_day(30))
    assert (result.status, result.planned) == (Status.COMPLETED, None)


def test_a_series_ends_with_its_window() -> None:
    result = series_status([call(170, 180)], on_day(184))
    assert result.status is Status.COMPLETED
    beyond = series_status([call(170, 190)], on_day(175))
    assert (beyond.status, beyond.planned) == (Status.COMPLETED, on_day(190))


def test_a_series_stops_when_the_family_moves_to_a_comparison_area() -> None:
    moved = lives((0, 29, PROGRAMME_START), (30, None, None))
    result = series_status([call(10, 40)], on_day(35), residence=moved)
    assert (result.status, result.calls) == (Status.COMPLETED, 1)


def test_a_series_follows_the_vulnerability_rule() -> None:
    # Vulnerable on some day of the window so far: the series still applies (as rule 6 says).
    result = series_status([call(10, 40)], on_day(35), vulnerable=[Period(BIRTH, on_day(20))])
    assert result.status is Status.ONGOING
    assert series_status([call(10, 40)], on_day(35), vulnerable=[]).status is Status.COMPLETED


def test_an_ordinary_stage_ignores_plans() -> None:
    visit = ContactFact(VISIT_2_MONTHS.code, on_day(50), "completed", on_day(60))
    result = only(VISIT_2_MONTHS, contacts=[visit], today=on_day(55))
    assert (result.status, result.planned) == (Status.COMPLETED, on_day(60))


# --- properties: the batch engine equals the reference ---------------------------------------

MUNICIPALITIES = (AALBORG, ALBERTSLUND, FREDERIKSSUND)
REASONS = ("moved_abroad", "in_hospital", "family_request")


@dataclass(frozen=True)
class Child:
    id: int
    birth_date: date
    vulnerable: tuple[Period, ...]
    residence: tuple[Residence, ...]
    contacts: tuple[ContactFact, ...]
    skips: tuple[SkipFact, ...]


births = st.one_of(
    st.dates(date(2016, 1, 1), date(2026, 12, 31)),
    st.sampled_from([date(2016, 2, 29), date(2020, 2, 29), date(2024, 2, 29)]),
)


@st.composite
def periods(draw: st.DrawFn, birth: date) -> Period:
    start = birth + timedelta(days=draw(st.integers(-200, 800)))
    length = draw(st.none() | st.integers(0, 400))
    return Period(start, None if length is None else start + timedelta(days=length))


@st.composite
def residence_histories(draw: st.DrawFn, birth: date) -> tuple[Residence, ...]:
    rows: list[Residence] = []
    start = birth + timedelta(days=draw(st.integers(-100, 30)))
    # Areas: comparison (None) or programme areas starting before, during or after the windows.
    programme_starts = st.none() | st.integers(-400, 700).map(lambda d: birth + timedelta(days=d))
    for _ in range(draw(st.integers(0, 4))):
        length = draw(st.integers(0, 400))
        rows.append(
            Residence(
                start,
                start + timedelta(days=length),
                draw(st.sampled_from(MUNICIPALITIES)),
                draw(programme_starts),
            )
        )
        start += timedelta(days=length + 1 + draw(st.sampled_from([0, 0, 0, 30])))
    still_living_there = draw(st.booleans())
    if rows and still_living_there:
        last = rows[-1]
        rows[-1] = Residence(last.start, None, last.municipality, last.programme_from)
    return tuple(rows)


@st.composite
def children(draw: st.DrawFn, child_id: int, codes: Sequence[str]) -> Child:
    birth = draw(births)
    stage_codes = st.sampled_from([*codes, "unknown_stage"])
    days = st.integers(-10, 800).map(lambda d: birth + timedelta(days=d))
    contacts = draw(
        st.lists(
            st.builds(
                ContactFact,
                stage_codes,
                days,
                st.sampled_from(["completed", "not_reached", "declined"]),
                st.none() | st.integers(-10, 800).map(lambda d: birth + timedelta(days=d)),
            ),
            max_size=8,
        )
    )
    skips = draw(
        st.lists(st.builds(SkipFact, stage_codes, days, st.sampled_from(REASONS)), max_size=2)
    )
    return Child(
        id=child_id,
        birth_date=birth,
        vulnerable=tuple(draw(st.lists(periods(birth), max_size=3))),
        residence=draw(residence_histories(birth)),
        contacts=tuple(contacts),
        skips=tuple(skips),
    )


@st.composite
def stage_lists(draw: st.DrawFn) -> tuple[StageDef, ...]:
    stages: list[StageDef] = []
    for i in range(draw(st.integers(1, 5))):
        start = draw(st.integers(-10, 400))
        anchor = draw(st.none() | st.sampled_from([s.code for s in stages])) if stages else None
        stages.append(
            StageDef(
                code=f"stage_{i}",
                window_start_days=start,
                window_end_days=start + draw(st.integers(0, 200)),
                expiry_days=draw(st.integers(0, 90)),
                closing_days=draw(st.integers(0, 60)),
                eligibility=draw(st.sampled_from(Eligibility)),
                anchor=anchor,
                overrides=draw(
                    st.dictionaries(st.sampled_from(MUNICIPALITIES), st.sampled_from(Eligibility))
                ),
                programme=draw(st.booleans()),
                series=draw(st.booleans()),
            )
        )
    return tuple(stages)


@st.composite
def scenarios(
    draw: st.DrawFn, stages: st.SearchStrategy[tuple[StageDef, ...]]
) -> tuple[tuple[StageDef, ...], list[Child], date]:
    chosen = draw(stages)
    codes = [s.code for s in chosen]
    count = draw(st.integers(1, 6))
    ids = draw(st.lists(st.integers(0, 10**6), min_size=count, max_size=count, unique=True))
    kids = [draw(children(child_id, codes)) for child_id in ids]
    anchor = draw(st.sampled_from(kids)).birth_date
    today = anchor + timedelta(days=draw(st.integers(-30, 900)))
    return chosen, kids, today


def batch_of(kids: Sequence[Child]) -> ScheduleBatch:
    return ScheduleBatch.from_rows(
        children=[(k.id, k.birth_date) for k in kids],
        contacts=[(k.id, c.stage, c.on, c.outcome, c.next_on) for k in kids for c in k.contacts],
        skips=[(k.id, s.stage, s.on, s.reason) for k in kids for s in k.skips],
        vulnerable=[(k.id, p.start, p.end) for k in kids for p in k.vulnerable],
        residence=[
            (k.id, r.start, r.end, r.municipality, r.programme_from)
            for k in kids
            for r in k.residence
        ],
    )


def reference_for(kid: Child, stages: Sequence[StageDef], today: date) -> list[StageStatus]:
    return reference_schedule(
        birth_date=kid.birth_date,
        stages=stages,
        vulnerable=kid.vulnerable,
        residence=kid.residence,
        contacts=kid.contacts,
        skips=kid.skips,
        today=today,
    )


programme_scenarios = scenarios(st.sampled_from([PROGRAMME, WITH_FOLLOW_UP, PROGRAMME_AREAS_ONLY]))
random_scenarios = scenarios(stage_lists())


@settings(max_examples=300, deadline=None)
@given(programme_scenarios)
def test_the_batch_engine_equals_the_reference_for_the_programme(
    scenario: tuple[tuple[StageDef, ...], list[Child], date],
) -> None:
    stages, kids, today = scenario
    result = schedule_batch(batch_of(kids), stages, today)
    for i, kid in enumerate(kids):
        assert result.row(i) == reference_for(kid, stages, today)


@settings(max_examples=300, deadline=None)
@given(random_scenarios)
def test_the_batch_engine_equals_the_reference_for_any_stages(
    scenario: tuple[tuple[StageDef, ...], list[Child], date],
) -> None:
    stages, kids, today = scenario
    result = schedule_batch(batch_of(kids), stages, today)
    for i, kid in enumerate(kids):
        assert result.row(i) == reference_for(kid, stages, today)


@settings(max_examples=100, deadline=None)
@given(random_scenarios, st.randoms(use_true_random=False))
def test_the_order_of_children_and_rows_does_not_matter(
    scenario: tuple[tuple[StageDef, ...], list[Child], date], rng: random.Random
) -> None:
    stages, kids, today = scenario
    before = schedule_batch(batch_of(kids), stages, today)
    shuffled = list(kids)
    rng.shuffle(shuffled)
    # Shuffle the fact rows across children too, not only the children.
    contacts = [(k.id, c.stage, c.on, c.outcome, c.next_on) for k in kids for c in k.contacts]
    skips = [(k.id, s.stage, s.on, s.reason) for k in kids for s in k.skips]
    rng.shuffle(contacts)
    rng.shuffle(skips)
    rows = ScheduleBatch.from_rows(
        children=[(k.id, k.birth_date) for k in shuffled],
        contacts=contacts,
        skips=skips,
        vulnerable=[(k.id, p.start, p.end) for k in reversed(kids) for p in k.vulnerable],
        residence=[
            (k.id, r.start, r.end, r.municipality, r.programme_from)
            for k in reversed(kids)
            for r in k.residence
        ],
    )
    after = schedule_batch(rows, stages, today)
    assert after.child_ids is not None
    position = {int(child_id): i for i, child_id in enumerate(after.child_ids)}
    for i, kid in enumerate(kids):
        assert after.row(position[kid.id]) == before.row(i)


@settings(max_examples=100, deadline=None)
@given(programme_scenarios)
def test_schedule_for_child_equals_the_reference(
    scenario: tuple[tuple[StageDef, ...], list[Child], date],
) -> None:
    stages, kids, today = scenario
    kid = kids[0]
    assert schedule_for_child(
        birth_date=kid.birth_date,
        stages=stages,
        vulnerable=kid.vulnerable,
        residence=kid.residence,
        contacts=kid.contacts,
        skips=kid.skips,
        today=today,
    ) == reference_for(kid, stages, today)
