"""The health-visiting schedule engine: each child's stage statuses from plain facts.

No Django import: the engine works on numpy arrays and plain data so it can be tested, benchmarked
and reused on its own. ``schedule_batch`` is the one implementation of the rules; it evaluates a
whole batch of children at once with vectorised numpy operations (a Python loop runs only over the
handful of stages). ``schedule_for_child`` evaluates one child by calling it with a batch of one.

Stages
    A ``StageDef`` is a contact the programme offers: a window ``[anchor + window_start_days,
    anchor + window_end_days]`` (both ends inclusive), where the anchor is the birth date, or, for a
    stage with ``anchor`` set, the completion date of that prerequisite stage. A stage *expires*
    ``expiry_days`` after its window ends (``expires_on = window_end + expiry_days``) and its window
    is *closing* during its last ``closing_days`` days. Stages are listed with every prerequisite
    before the stages that depend on it; an unknown anchor, an anchor on a later stage or a cycle
    raises ``ValueError``. Windows are counted in days, so a child born on 29 February needs no
    special case.

Rules, in order of precedence, for each stage of each child
    1. A ``completed`` contact for the stage → ``COMPLETED`` (whatever the eligibility).
       ``done_on`` is the earliest completed contact; ``within_window`` tells whether it lies in
       the window (``None`` when the window is unknown because the prerequisite was not completed).
    2. Else a skip → ``SKIPPED``; ``reason`` is the skip's reason (the earliest skip; on the same
       day, the alphabetically first reason).
    3. Else a ``declined`` contact → ``DECLINED`` with reason ``"declined"``.
    4. Else, if the prerequisite stage is not completed, the window is unknown (all window dates
       ``None``): ``WAITING`` (reason ``"prerequisite_open"``) while the prerequisite is still open
       (upcoming, due, window closing, overdue, ongoing or waiting); ``NOT_ELIGIBLE`` (reason
       ``"prerequisite_not_completed"``) once it ended without completion (expired, skipped,
       declined or not eligible).
    5. Else, for a **programme stage** (``StageDef.programme``), the programme area: the stage
       applies only while the child lives in a programme area whose programme has started,
       judged on the stage's window. For a window that has started, the judging day is
       ``min(today, window_end)``: the child must live on that day in an area whose
       ``programme_from`` is on or before it. So a child who moves into a programme area during
       the window gets the stage, one who moves out loses it, and a child whose area becomes a
       programme area during the window gets it from the programme's first day. For a window
       still ahead, the judging day is today (future windows use the current residence) and the
       programme must start no later than the window's last day. Otherwise ``NOT_ELIGIBLE`` with
       reason ``"not_programme_area"`` (a comparison area, or no residence recorded) or
       ``"programme_not_started"`` (a programme area whose programme starts later). Ordinary
       stages apply wherever the child lives. The residence row that covers a day is the one
       that started last (then the higher municipality code, then the earlier programme start).
    6. Else eligibility. The reference day is ``min(window_start, today)``: the window's first day
       once it has started, today for a window still ahead (future windows use the current
       residence). The effective rule is ``overrides.get(municipality, eligibility)`` with the
       municipality the child lives in on the reference day; when no residence period covers it,
       the stage's default ``eligibility``. If residence periods overlap, the one that started
       last wins (on the same start day, the higher municipality code). A ``VULNERABLE`` stage is
       eligible when the family is vulnerable on any day of ``[window_start, min(window_end,
       today)]``, or, for a window not yet started, today. Not eligible → ``NOT_ELIGIBLE``
       (reason ``"not_vulnerable"``; window dates still reported).
    7. Else by date: ``today < window_start`` → ``UPCOMING``; ``today <= window_end -
       closing_days`` → ``DUE``; ``today <= window_end`` → ``CLOSING``; ``today <= expires_on`` →
       ``OVERDUE``; later → ``EXPIRED``. Reason ``""``.

    ``attempts`` is always the number of ``not_reached`` contacts for the stage. Facts about stage
    codes that are not among the stages are ignored; so are periods whose end lies before their
    start.

Series (``StageDef.series``, e.g. breastfeeding counselling through the first half year)
    A series takes as many contacts as needed, each of which may plan the next one
    (``ContactFact.next_on``). ``planned`` is the plan made at the stage's latest contact: the
    latest ``next_on`` among the contacts on the latest contact day, none if a contact on that
    day was declined or the plan does not lie after that day. ``calls`` counts the completed
    contacts. Once a series has a completed contact, rule 1 becomes: ``ONGOING`` while a planned
    contact lies ahead (``today < planned``), ``DUE`` once the planned day has come — both only
    while ``planned <= window_end``, ``today <= window_end`` and the stage still applies by rules
    5 and 6 (judged as above) — and ``COMPLETED`` otherwise (no plan, the window is over, or the
    child no longer qualifies). For every stage ``planned`` and ``calls`` are reported.

Array conventions
    Dates are ``int64`` days since 1970-01-01. ``NO_DAY`` (the int64 minimum, the same bits as
    numpy's ``NaT``) marks a missing date; ``OPEN_END`` (the int64 maximum) marks an open period end.
    Statuses are ``int8`` codes: ``STATUSES[code]`` is the ``Status``, ``STATUS_CODE[status]`` the
    code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from functools import cached_property
from types import MappingProxyType
from typing import Any

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
CodeArray = npt.NDArray[np.int8]
Strings = Sequence[str] | npt.NDArray[np.str_]

NO_DAY = int(np.iinfo(np.int64).min)
OPEN_END = int(np.iinfo(np.int64).max)
_EPOCH = date(1970, 1, 1)
_EPOCH_ORDINAL = _EPOCH.toordinal()


class Status(StrEnum):
    """Where a child stands with one stage of the programme."""

    UPCOMING = "upcoming"
    DUE = "due"
    CLOSING = "window_closing"
    OVERDUE = "overdue"
    EXPIRED = "expired"
    COMPLETED = "completed"
    SKIPPED = "skipped"
    DECLINED = "declined"
    NOT_ELIGIBLE = "not_eligible"
    WAITING = "waiting"
    ONGOING = "ongoing"  # a series under way, its next contact planned


class Eligibility(StrEnum):
    """Which families a stage is offered to."""

    ALL = "all"
    VULNERABLE = "vulnerable"


STATUSES: tuple[Status, ...] = tuple(Status)
STATUS_CODE: Mapping[Status, int] = MappingProxyType({s: i for i, s in enumerate(STATUSES)})
#: A prerequisite in one of these statuses may still be completed: its dependants wait.
OPEN_STATUSES = frozenset(
    {Status.UPCOMING, Status.DUE, Status.CLOSING, Status.OVERDUE, Status.WAITING, Status.ONGOING}
)
OUTCOMES = ("completed", "not_reached", "declined")

REASON_DECLINED = "declined"
REASON_PREREQUISITE_OPEN = "prerequisite_open"
REASON_PREREQUISITE_NOT_COMPLETED = "prerequisite_not_completed"
REASON_NOT_VULNERABLE = "not_vulnerable"
REASON_NOT_PROGRAMME_AREA = "not_programme_area"
REASON_PROGRAMME_NOT_STARTED = "programme_not_started"

_UPCOMING = STATUS_CODE[Status.UPCOMING]
_DUE = STATUS_CODE[Status.DUE]
_CLOSING = STATUS_CODE[Status.CLOSING]
_OVERDUE = STATUS_CODE[Status.OVERDUE]
_EXPIRED = STATUS_CODE[Status.EXPIRED]
_COMPLETED = STATUS_CODE[Status.COMPLETED]
_SKIPPED = STATUS_CODE[Status.SKIPPED]
_DECLINED = STATUS_CODE[Status.DECLINED]
_NOT_ELIGIBLE = STATUS_CODE[Status.NOT_ELIGIBLE]
_WAITING = STATUS_CODE[Status.WAITING]
_ONGOING = STATUS_CODE[Status.ONGOING]
_OPEN_CODES = np.array(sorted(STATUS_CODE[s] for s in OPEN_STATUSES), dtype=np.int8)
_OUTCOME_COMPLETED, _OUTCOME_NOT_REACHED, _OUTCOME_DECLINED = range(3)


# --- plain facts -----------------------------------------------------------------------------


@dataclass(frozen=True)
class StageDef:
    """A stage of the programme: its window, expiry and who it is offered to."""

    code: str
    window_start_days: int
    window_end_days: int
    expiry_days: int
    closing_days: int
    eligibility: Eligibility
    anchor: str | None = None  # code of the prerequisite stage; None = counted from birth
    # municipality code -> eligibility there, e.g. {"0165": Eligibility.ALL}
    overrides: Mapping[str, Eligibility] = field(default_factory=dict, hash=False)
    programme: bool = False  # offered only in programme areas (rule 5)
    series: bool = False  # as many contacts as needed, each planning the next

    def __post_init__(self) -> None:
        if not self.code:
            raise ValueError("A stage needs a code.")
        if self.window_end_days < self.window_start_days:
            raise ValueError(f"Stage {self.code}: the window ends before it starts.")
        if self.expiry_days < 0 or self.closing_days < 0:
            raise ValueError(f"Stage {self.code}: expiry and closing days cannot be negative.")
        object.__setattr__(self, "eligibility", Eligibility(self.eligibility))
        overrides = {str(k): Eligibility(v) for k, v in self.overrides.items()}
        object.__setattr__(self, "overrides", MappingProxyType(overrides))


@dataclass(frozen=True)
class Period:
    """A stretch of days, both ends inclusive; ``end=None`` is still open."""

    start: date
    end: date | None


@dataclass(frozen=True)
class Residence:
    """Where a child lived (municipality code) from ``start`` to ``end`` inclusive.

    ``programme_from`` is the first day of the programme in the area lived in; ``None`` when the
    area is not a programme area (a comparison area).
    """

    start: date
    end: date | None
    municipality: str
    programme_from: date | None = None


@dataclass(frozen=True)
class ContactFact:
    """A contact for a stage: ``outcome`` is ``completed``, ``not_reached`` or ``declined``."""

    stage: str
    on: date
    outcome: str
    next_on: date | None = None  # the next contact planned at this one (series)


@dataclass(frozen=True)
class SkipFact:
    """A stage marked as skipped, with the reason given."""

    stage: str
    on: date
    reason: str


@dataclass(frozen=True)
class StageStatus:
    """One stage's status for one child; dates are ``None`` where they are not defined."""

    code: str
    status: Status
    window_start: date | None
    window_end: date | None
    expires_on: date | None
    done_on: date | None
    within_window: bool | None
    attempts: int
    reason: str
    planned: date | None = None  # the next contact planned at the latest one
    calls: int = 0  # completed contacts


# --- conversions -----------------------------------------------------------------------------


def day_number(value: date) -> int:
    """Days since 1970-01-01 of a date."""
    return (value - _EPOCH).days


def day_date(value: int) -> date | None:
    """The date of a day number; ``None`` for ``NO_DAY`` or ``OPEN_END``."""
    if value in (NO_DAY, OPEN_END):
        return None
    return _EPOCH + timedelta(days=int(value))


def days_array(values: Any, *, missing: int = NO_DAY) -> IntArray:
    """Day numbers of dates (``date`` objects, ``datetime64`` or ints); ``None``/NaT → ``missing``."""
    if not isinstance(values, np.ndarray):
        items = values if isinstance(values, Sequence) else list(values)
        if len(items) and isinstance(items[0], date):
            # A column of date objects (a values_list): ordinals mapped in C, 10× faster than
            # numpy's conversion of objects to datetime64. A None among them falls through.
            try:
                ordinals = np.fromiter(map(date.toordinal, items), dtype=np.int64, count=len(items))
            except TypeError:
                pass
            else:
                return ordinals - _EPOCH_ORDINAL
        values = np.asarray(items)
    if values.size == 0:
        return np.zeros(values.shape, dtype=np.int64)
    if values.dtype.kind in "iu":
        return values.astype(np.int64)
    days = values.astype("datetime64[D]").view(np.int64).copy()  # None and NaT → NO_DAY
    if missing != NO_DAY:
        days[days == NO_DAY] = missing
    return days


def _columns(rows: Iterable[Sequence[Any]], width: int, *, optional: bool = False) -> list[Any]:
    """Transpose rows (e.g. a ``values_list``) into ``width`` columns, without a Python row loop.

    With ``optional``, rows may carry one more value; the result then always has ``width + 1``
    columns, the last one empty when the rows do not have it.
    """
    columns = list(zip(*rows, strict=True)) if rows else []
    wanted = width + 1 if optional else width
    if not columns:
        return [() for _ in range(wanted)]
    if optional and len(columns) == width:
        return [*columns, ()]
    if len(columns) != wanted:
        raise ValueError(f"Expected rows of {wanted} values, got {len(columns)}.")
    return columns


def _codes_of(values: Any, known: Sequence[str] | None = None) -> tuple[tuple[str, ...], IntArray]:
    """Sorted distinct strings of ``values`` and each value's index into them.

    Stage codes, outcomes, reasons and municipality codes have few distinct values: a dictionary
    look-up mapped over the column (C-level iteration) is an order of magnitude faster than
    ``np.unique`` on unicode arrays, which sorts millions of strings.
    """
    items = values.tolist() if isinstance(values, np.ndarray) else values
    distinct = set(items)
    found = tuple(sorted({str(v) for v in distinct}))
    if known is not None:
        unknown = sorted(set(found) - set(known))
        if unknown:
            raise ValueError(f"Unknown values {unknown}; expected one of {list(known)}.")
    position = {name: i for i, name in enumerate(found)}
    lookup = {v: position[str(v)] for v in distinct}
    inverse = np.fromiter(map(lookup.__getitem__, items), dtype=np.int64, count=len(items))
    return found, inverse


# --- the batch -------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class StageFacts:
    """What happened for one stage, per child of a batch (arrays of shape ``(n,)``)."""

    completed_on: IntArray  # earliest completed contact, NO_DAY if none
    declined: BoolArray  # a declined contact exists
    skipped: BoolArray  # the stage was marked skipped
    skip_reason: IntArray  # index into ScheduleBatch.skip_reasons of the earliest skip, -1 if none
    attempts: IntArray  # number of not-reached contacts
    planned: IntArray  # the next contact planned at the latest contact, NO_DAY if none
    calls: IntArray  # number of completed contacts

    @classmethod
    def empty(cls, n: int) -> StageFacts:
        """No facts for any of ``n`` children."""
        return cls(
            completed_on=np.full(n, NO_DAY, dtype=np.int64),
            declined=np.zeros(n, dtype=bool),
            skipped=np.zeros(n, dtype=bool),
            skip_reason=np.full(n, -1, dtype=np.int64),
            attempts=np.zeros(n, dtype=np.int64),
            planned=np.full(n, NO_DAY, dtype=np.int64),
            calls=np.zeros(n, dtype=np.int64),
        )


@dataclass(frozen=True, eq=False)
class ScheduleBatch:
    """The facts of ``n`` children as arrays: the input of ``schedule_batch``.

    Periods are parallel arrays of rows: the child's index, the first and the last day (``OPEN_END``
    when open). Residence rows also carry an index into ``municipalities`` and the first day of
    the programme in the area (``OPEN_END`` for an area that is not a programme area).
    ``child_ids`` (optional) maps row ``i`` back to the caller's id.
    """

    birth: IntArray
    stage_facts: Mapping[str, StageFacts]
    vulnerable_child: IntArray
    vulnerable_start: IntArray
    vulnerable_end: IntArray
    residence_child: IntArray
    residence_start: IntArray
    residence_end: IntArray
    residence_municipality: IntArray
    municipalities: tuple[str, ...]
    skip_reasons: tuple[str, ...] = ()
    child_ids: npt.NDArray[Any] | None = None
    residence_programme_from: IntArray | None = None  # None: no programme areas at all

    def __post_init__(self) -> None:
        n = len(self.birth)
        if self.residence_programme_from is None:
            object.__setattr__(
                self,
                "residence_programme_from",
                np.full(len(self.residence_child), OPEN_END, dtype=np.int64),
            )
        for code, facts in self.stage_facts.items():
            for name in (
                "completed_on",
                "declined",
                "skipped",
                "skip_reason",
                "attempts",
                "planned",
                "calls",
            ):
                if len(getattr(facts, name)) != n:
                    raise ValueError(f"Stage {code}: {name} does not have one value per child.")
        vulnerable = (self.vulnerable_child, self.vulnerable_start, self.vulnerable_end)
        if len({len(a) for a in vulnerable}) > 1:
            raise ValueError("The vulnerability arrays differ in length.")
        residence = (
            self.residence_child,
            self.residence_start,
            self.residence_end,
            self.residence_municipality,
            self.programme_from,
        )
        if len({len(a) for a in residence}) > 1:
            raise ValueError("The residence arrays differ in length.")
        if self.child_ids is not None and len(self.child_ids) != n:
            raise ValueError("child_ids does not have one id per child.")
        _ = self.residence_ranking  # ranked once, with the batch (counted as assembling it)

    @property
    def n(self) -> int:
        """Number of children."""
        return len(self.birth)

    @cached_property
    def residence_ranking(self) -> IntArray:
        """Residence rows by child, then by preference (start, municipality, earlier programme
        start): for a day, the last covering row of a child is where it lives."""
        return np.lexsort(
            (
                -self.programme_from,
                self.residence_municipality,
                self.residence_start,
                self.residence_child,
            )
        ).astype(np.int64)

    @property
    def programme_from(self) -> IntArray:
        """Per residence row, the programme's first day in the area (``OPEN_END``: none)."""
        assert self.residence_programme_from is not None  # set in __post_init__
        return self.residence_programme_from

    def facts(self, code: str) -> StageFacts:
        """The facts of a stage (no facts at all if the batch has none for it)."""
        found = self.stage_facts.get(code)
        return found if found is not None else StageFacts.empty(self.n)

    @classmethod
    def from_rows(
        cls,
        *,
        children: Iterable[Sequence[Any]],
        contacts: Iterable[Sequence[Any]] = (),
        skips: Iterable[Sequence[Any]] = (),
        vulnerable: Iterable[Sequence[Any]] = (),
        residence: Iterable[Sequence[Any]] = (),
    ) -> ScheduleBatch:
        """Assemble a batch from rows, e.g. the tuples of Django ``values_list`` queries.

        - ``children``: ``(child_id, birth_date)``; ids are unique and mutually comparable;
        - ``contacts``: ``(child_id, stage_code, date, outcome)``, optionally with a fifth value,
          the next contact planned (``None`` if none);
        - ``skips``: ``(child_id, stage_code, date, reason)``;
        - ``vulnerable``: ``(child_id, start, end or None)``;
        - ``residence``: ``(child_id, start, end or None, municipality_code)``, optionally with a
          fifth value, the programme's first day in the area (``None``: not a programme area).

        Rows of children not in ``children`` are ignored. Dates may be ``date`` objects,
        ``datetime64`` values or day numbers.
        """
        child_ids, birth = _columns(_materialise(children), 2)
        contact_rows = _materialise(contacts)
        c_child, c_stage, c_day, c_outcome, c_next = _columns(contact_rows, 4, optional=True)
        s_child, s_stage, s_day, s_reason = _columns(_materialise(skips), 4)
        v_child, v_start, v_end = _columns(_materialise(vulnerable), 3)
        r_child, r_start, r_end, r_municipality, r_programme = _columns(
            _materialise(residence), 4, optional=True
        )
        outcome_names, outcome_index = _codes_of(c_outcome, OUTCOMES)
        outcome_code = np.array([OUTCOMES.index(o) for o in outcome_names], dtype=np.int64)
        return cls.from_arrays(
            child_ids=_id_array(child_ids),
            birth=days_array(birth),
            contact_child=_id_array(c_child),
            contact_stage=c_stage,
            contact_day=days_array(c_day),
            contact_outcome=outcome_code[outcome_index],
            contact_next=days_array(c_next) if len(c_next) else (),
            skip_child=_id_array(s_child),
            skip_stage=s_stage,
            skip_day=days_array(s_day),
            skip_reason=s_reason,
            vulnerable_child=_id_array(v_child),
            vulnerable_start=days_array(v_start),
            vulnerable_end=days_array(v_end, missing=OPEN_END),
            residence_child=_id_array(r_child),
            residence_start=days_array(r_start),
            residence_end=days_array(r_end, missing=OPEN_END),
            residence_municipality=r_municipality,
            residence_programme_from=(
                days_array(r_programme, missing=OPEN_END) if len(r_programme) else ()
            ),
        )

    @classmethod
    def from_arrays(
        cls,
        *,
        child_ids: npt.ArrayLike,
        birth: IntArray,
        contact_child: npt.ArrayLike,
        contact_stage: Strings,
        contact_day: IntArray,
        contact_outcome: IntArray,
        contact_next: npt.ArrayLike = (),
        skip_child: npt.ArrayLike = (),
        skip_stage: Strings = (),
        skip_day: npt.ArrayLike = (),
        skip_reason: Strings = (),
        vulnerable_child: npt.ArrayLike = (),
        vulnerable_start: npt.ArrayLike = (),
        vulnerable_end: npt.ArrayLike = (),
        residence_child: npt.ArrayLike = (),
        residence_start: npt.ArrayLike = (),
        residence_end: npt.ArrayLike = (),
        residence_municipality: Strings = (),
        residence_programme_from: npt.ArrayLike = (),
    ) -> ScheduleBatch:
        """Assemble a batch from column arrays (days as int64, ``OPEN_END`` for open ends).

        ``contact_outcome`` holds indexes into ``OUTCOMES``; stage codes, skip reasons and
        municipality codes are strings. ``contact_next`` (the next contact planned, ``NO_DAY`` for
        none) and ``residence_programme_from`` (``OPEN_END`` for no programme) may be left empty
        when there are none. Rows of unknown children are ignored.
        """
        ids = _id_array(child_ids)
        n = len(ids)
        order = np.argsort(ids, kind="stable")
        sorted_ids = ids[order]
        if n > 1 and bool(np.any(sorted_ids[1:] == sorted_ids[:-1])):
            raise ValueError("A child id occurs twice in the batch.")

        def index_of(row_ids: npt.ArrayLike) -> tuple[IntArray, BoolArray]:
            wanted = _id_array(row_ids)
            if n == 0 or len(wanted) == 0:
                return np.zeros(len(wanted), dtype=np.int64), np.zeros(len(wanted), dtype=bool)
            position = np.searchsorted(sorted_ids, wanted)
            clipped = np.minimum(position, n - 1)
            found = (position < n) & (sorted_ids[clipped] == wanted)
            return order[clipped].astype(np.int64), np.asarray(found, dtype=bool)

        for name, days in (
            ("birth", birth),
            ("contact_day", contact_day),
            ("skip_day", skip_day),
            ("vulnerable_start", vulnerable_start),
            ("residence_start", residence_start),
        ):
            if bool(np.any(np.asarray(days, dtype=np.int64) == NO_DAY)):
                raise ValueError(f"A date is missing in {name}.")
        outcomes = np.asarray(contact_outcome, dtype=np.int64)
        if bool(np.any((outcomes < 0) | (outcomes >= len(OUTCOMES)))):
            raise ValueError(f"contact_outcome holds indexes into {OUTCOMES}.")

        # Contacts and skips → a (stage code × child) table of facts.
        c_child, c_ok = index_of(contact_child)
        s_child, s_ok = index_of(skip_child)
        c_codes, c_stage_index = _codes_of(contact_stage)
        s_codes, s_stage_index = _codes_of(skip_stage)
        stage_codes = tuple(sorted(set(c_codes) | set(s_codes)))
        lookup = np.array(stage_codes, dtype=str)
        c_stage = np.searchsorted(lookup, np.array(c_codes, dtype=str))[c_stage_index]
        s_stage = np.searchsorted(lookup, np.array(s_codes, dtype=str))[s_stage_index]
        cells = len(stage_codes) * n

        c_key = (c_stage * n + c_child)[c_ok]
        c_day = np.asarray(contact_day, dtype=np.int64)[c_ok]
        outcome = outcomes[c_ok]
        is_completed = outcome == _OUTCOME_COMPLETED
        completed_on = np.full(cells, OPEN_END, dtype=np.int64)
        np.minimum.at(completed_on, c_key[is_completed], c_day[is_completed])
        completed_on[completed_on == OPEN_END] = NO_DAY
        declined = np.zeros(cells, dtype=bool)
        declined[c_key[outcome == _OUTCOME_DECLINED]] = True
        not_reached = c_key[outcome == _OUTCOME_NOT_REACHED]
        attempts = np.bincount(not_reached, minlength=cells).astype(np.int64)
        calls = np.bincount(c_key[is_completed], minlength=cells).astype(np.int64)

        # The plan made at each cell's latest contact (the series rule).
        next_all = np.asarray(contact_next, dtype=np.int64)
        if len(next_all) == 0:
            next_all = np.full(len(outcomes), NO_DAY, dtype=np.int64)
        elif len(next_all) != len(outcomes):
            raise ValueError("contact_next does not have one value per contact.")
        c_next = next_all[c_ok]
        last_day = np.full(cells, NO_DAY, dtype=np.int64)
        np.maximum.at(last_day, c_key, c_day)
        on_last = c_day == last_day[c_key]
        planned = np.full(cells, NO_DAY, dtype=np.int64)
        np.maximum.at(planned, c_key[on_last], c_next[on_last])
        declined_last = np.zeros(cells, dtype=bool)
        declined_last[c_key[on_last & (outcome == _OUTCOME_DECLINED)]] = True
        planned[declined_last | (planned <= last_day)] = NO_DAY

        reasons, reason_index = _codes_of(skip_reason)
        s_key = (s_stage * n + s_child)[s_ok]
        s_day = np.asarray(skip_day, dtype=np.int64)[s_ok]
        s_reason = reason_index[s_ok]
        # The earliest skip of each cell; on the same day the first reason (reasons are sorted).
        ranked = np.lexsort((s_reason, s_day, s_key))
        first = np.ones(len(ranked), dtype=bool)
        first[1:] = s_key[ranked][1:] != s_key[ranked][:-1]
        skip_reason_cells = np.full(cells, -1, dtype=np.int64)
        skip_reason_cells[s_key[ranked][first]] = s_reason[ranked][first]

        def stage_slice(values: npt.NDArray[Any], i: int) -> npt.NDArray[Any]:
            return values[i * n : (i + 1) * n]

        stage_facts = {
            code: StageFacts(
                completed_on=stage_slice(completed_on, i),
                declined=stage_slice(declined, i),
                skipped=stage_slice(skip_reason_cells, i) >= 0,
                skip_reason=stage_slice(skip_reason_cells, i),
                attempts=stage_slice(attempts, i),
                planned=stage_slice(planned, i),
                calls=stage_slice(calls, i),
            )
            for i, code in enumerate(stage_codes)
        }

        v_child, v_ok = index_of(vulnerable_child)
        r_child, r_ok = index_of(residence_child)
        municipalities, municipality_index = _codes_of(residence_municipality)
        programme_from = np.asarray(residence_programme_from, dtype=np.int64)
        if len(programme_from) == 0:
            programme_from = np.full(len(r_child), OPEN_END, dtype=np.int64)
        elif len(programme_from) != len(r_child):
            raise ValueError("residence_programme_from does not have one value per residence.")
        programme_from[programme_from == NO_DAY] = OPEN_END
        return cls(
            birth=np.asarray(birth, dtype=np.int64),
            stage_facts=stage_facts,
            vulnerable_child=v_child[v_ok],
            vulnerable_start=np.asarray(vulnerable_start, dtype=np.int64)[v_ok],
            vulnerable_end=np.asarray(vulnerable_end, dtype=np.int64)[v_ok],
            residence_child=r_child[r_ok],
            residence_start=np.asarray(residence_start, dtype=np.int64)[r_ok],
            residence_end=np.asarray(residence_end, dtype=np.int64)[r_ok],
            residence_municipality=municipality_index[r_ok],
            municipalities=municipalities,
            skip_reasons=reasons,
            child_ids=ids,
            residence_programme_from=programme_from[r_ok],
        )


def _materialise(rows: Iterable[Sequence[Any]]) -> list[Sequence[Any]]:
    return rows if isinstance(rows, list) else list(rows)


def _id_array(values: npt.ArrayLike) -> npt.NDArray[Any]:
    array = np.asarray(values)
    if array.size == 0:
        return np.zeros(0, dtype=np.int64)
    return array


# --- the result ------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class StageResult:
    """One stage's outcome for every child of a batch (arrays of shape ``(n,)``)."""

    status: CodeArray  # STATUS_CODE values
    window_start: IntArray  # NO_DAY while the prerequisite is not completed
    window_end: IntArray
    expires_on: IntArray
    done_on: IntArray  # earliest completed contact, NO_DAY if none
    within_window: CodeArray  # 1 = yes, 0 = no, -1 = not completed or window unknown
    attempts: IntArray
    skip_reason: IntArray  # index into BatchResult.skip_reasons, -1 if not skipped
    planned: IntArray  # the next contact planned at the latest contact, NO_DAY if none
    calls: IntArray  # completed contacts
    # Why a stage with a known window is not offered: INELIGIBLE_REASONS[code] ("" = it is).
    ineligible: CodeArray


#: ``StageResult.ineligible`` codes → the ``StageStatus.reason`` of a ``NOT_ELIGIBLE`` stage.
INELIGIBLE_REASONS = (
    "",
    REASON_NOT_VULNERABLE,
    REASON_NOT_PROGRAMME_AREA,
    REASON_PROGRAMME_NOT_STARTED,
)
_NOT_VULNERABLE_CODE, _NOT_PROGRAMME_AREA_CODE, _PROGRAMME_NOT_STARTED_CODE = 1, 2, 3


@dataclass(frozen=True, eq=False)
class BatchResult:
    """The schedule of every child of a batch, stage by stage."""

    stages: tuple[StageDef, ...]
    by_stage: Mapping[str, StageResult]
    skip_reasons: tuple[str, ...]
    n: int
    child_ids: npt.NDArray[Any] | None = None

    def __getitem__(self, code: str) -> StageResult:
        return self.by_stage[code]

    def has_status(self, code: str, *statuses: Status) -> BoolArray:
        """Which children have stage ``code`` in one of ``statuses``."""
        wanted = np.array([STATUS_CODE[s] for s in statuses], dtype=np.int8)
        return np.isin(self.by_stage[code].status, wanted)

    def counts_by_status(self) -> dict[str, dict[Status, int]]:
        """For each stage, how many children are in each status (every status listed)."""
        return {
            stage.code: dict(
                zip(
                    STATUSES,
                    (
                        int(c)
                        for c in np.bincount(
                            self.by_stage[stage.code].status, minlength=len(STATUSES)
                        )
                    ),
                    strict=True,
                )
            )
            for stage in self.stages
        }

    def row(self, i: int) -> list[StageStatus]:
        """Child ``i``'s schedule as plain objects, in stage order."""
        return [self._stage_status(stage, i) for stage in self.stages]

    def _stage_status(self, stage: StageDef, i: int) -> StageStatus:
        result = self.by_stage[stage.code]
        status = STATUSES[int(result.status[i])]
        window_known = int(result.window_start[i]) != NO_DAY
        if status is Status.SKIPPED:
            reason = self.skip_reasons[int(result.skip_reason[i])]
        elif status is Status.DECLINED:
            reason = REASON_DECLINED
        elif status is Status.WAITING:
            reason = REASON_PREREQUISITE_OPEN
        elif status is Status.NOT_ELIGIBLE:
            reason = (
                INELIGIBLE_REASONS[int(result.ineligible[i])]
                if window_known
                else REASON_PREREQUISITE_NOT_COMPLETED
            )
        else:
            reason = ""
        within = int(result.within_window[i])
        return StageStatus(
            code=stage.code,
            status=status,
            window_start=day_date(int(result.window_start[i])),
            window_end=day_date(int(result.window_end[i])),
            expires_on=day_date(int(result.expires_on[i])),
            done_on=day_date(int(result.done_on[i])),
            within_window=None if within < 0 else bool(within),
            attempts=int(result.attempts[i]),
            reason=reason,
            planned=day_date(int(result.planned[i])),
            calls=int(result.calls[i]),
        )


# --- the engine ------------------------------------------------------------------------------


def check_stages(stages: Sequence[StageDef]) -> None:
    """Raise ``ValueError`` unless codes are unique and every anchor is an earlier stage."""
    by_code: dict[str, StageDef] = {}
    for stage in stages:
        if stage.code in by_code:
            raise ValueError(f"Stage {stage.code} is listed twice.")
        by_code[stage.code] = stage
    seen: set[str] = set()
    for stage in stages:
        if stage.anchor is not None:
            if stage.anchor not in by_code:
                raise ValueError(f"Stage {stage.code} is anchored on unknown stage {stage.anchor}.")
            chain = [stage.code]
            cursor: str | None = stage.anchor
            while cursor is not None and cursor not in chain:
                chain.append(cursor)
                cursor = by_code[cursor].anchor
            if cursor is not None:
                raise ValueError(f"Stages anchored in a cycle: {' → '.join([*chain, cursor])}.")
            if stage.anchor not in seen:
                raise ValueError(
                    f"Stage {stage.code} is listed before its prerequisite {stage.anchor}."
                )
        seen.add(stage.code)


def schedule_batch(batch: ScheduleBatch, stages: Sequence[StageDef], today: date) -> BatchResult:
    """Every stage's status for every child of ``batch`` on ``today`` (see the module's rules)."""
    check_stages(stages)
    now = day_number(today)
    n = batch.n
    results: dict[str, StageResult] = {}
    for stage in stages:
        facts = batch.facts(stage.code)
        if stage.anchor is None:
            anchor = batch.birth
            known = np.ones(n, dtype=bool)
        else:
            anchor = results[stage.anchor].done_on
            known = anchor != NO_DAY
        base = np.where(known, anchor, 0)
        start = base + stage.window_start_days
        end = base + stage.window_end_days
        expires = end + stage.expiry_days

        status = np.select(
            [now < start, now <= end - stage.closing_days, now <= end, now <= expires],
            [_UPCOMING, _DUE, _CLOSING, _OVERDUE],
            _EXPIRED,
        ).astype(np.int8)

        ineligible = np.zeros(n, dtype=np.int8)
        eligibility = _effective_eligibility(batch, stage, np.minimum(start, now))
        needs_vulnerability = eligibility == _VULNERABLE
        if bool(np.any(needs_vulnerability & known)):
            vulnerable = _any_period_overlaps(
                n,
                batch.vulnerable_child,
                batch.vulnerable_start,
                batch.vulnerable_end,
                np.minimum(start, now),
                np.minimum(end, now),
            )
            ineligible[needs_vulnerability & ~vulnerable] = _NOT_VULNERABLE_CODE
        if stage.programme:
            outside = _outside_programme(batch, start, end, now)
            ineligible = np.where(outside > 0, outside, ineligible).astype(np.int8)
        status[ineligible > 0] = _NOT_ELIGIBLE

        if stage.anchor is not None:
            prerequisite_open = np.isin(results[stage.anchor].status, _OPEN_CODES)
            status[~known & prerequisite_open] = _WAITING
            status[~known & ~prerequisite_open] = _NOT_ELIGIBLE

        completed = facts.completed_on != NO_DAY
        status[facts.declined] = _DECLINED
        status[facts.skipped] = _SKIPPED
        status[completed] = _COMPLETED
        if stage.series:
            # A series stays open while its next contact is planned within the window and the
            # stage still applies to the child.
            planned = facts.planned
            going_on = (
                completed
                & known
                & (planned != NO_DAY)
                & (planned <= end)
                & (now <= end)
                & (ineligible == 0)
            )
            status[going_on & (now < planned)] = _ONGOING
            status[going_on & (now >= planned)] = _DUE

        inside = (facts.completed_on >= start) & (facts.completed_on <= end)
        results[stage.code] = StageResult(
            status=status,
            window_start=np.where(known, start, NO_DAY),
            window_end=np.where(known, end, NO_DAY),
            expires_on=np.where(known, expires, NO_DAY),
            done_on=facts.completed_on,
            within_window=np.where(completed & known, inside, -1).astype(np.int8),
            attempts=facts.attempts,
            skip_reason=np.where(facts.skipped & ~completed, facts.skip_reason, -1),
            planned=facts.planned,
            calls=facts.calls,
            ineligible=np.where(known, ineligible, 0).astype(np.int8),
        )
    return BatchResult(
        stages=tuple(stages),
        by_stage=results,
        skip_reasons=batch.skip_reasons,
        n=n,
        child_ids=batch.child_ids,
    )


def _outside_programme(batch: ScheduleBatch, start: IntArray, end: IntArray, now: int) -> CodeArray:
    """Per child, why a programme stage does not apply (0: it applies); rule 5 of the module."""
    ahead = now < start
    judged_on = np.where(ahead, now, np.minimum(now, end))
    row = _residence_on(batch, judged_on)
    programme_from = np.full(batch.n, OPEN_END, dtype=np.int64)
    if len(batch.programme_from):
        programme_from = np.where(row >= 0, batch.programme_from[np.maximum(row, 0)], OPEN_END)
    # A window still ahead needs the programme to start by its last day; a started window, by
    # the judging day.
    deadline = np.where(ahead, end, judged_on)
    reason = np.zeros(batch.n, dtype=np.int8)
    reason[programme_from == OPEN_END] = _NOT_PROGRAMME_AREA_CODE
    reason[(programme_from != OPEN_END) & (programme_from > deadline)] = _PROGRAMME_NOT_STARTED_CODE
    return reason


_ALL = 0
_VULNERABLE = 1


def _effective_eligibility(batch: ScheduleBatch, stage: StageDef, day: IntArray) -> CodeArray:
    """Per child, the stage's eligibility (``_ALL``/``_VULNERABLE``) where it lives on ``day``."""
    default = _VULNERABLE if stage.eligibility is Eligibility.VULNERABLE else _ALL
    if not stage.overrides:
        return np.full(batch.n, default, dtype=np.int8)
    # One entry per municipality of the batch, and a last one for "no residence known".
    by_municipality = np.array(
        [
            _VULNERABLE
            if stage.overrides.get(code, stage.eligibility) is Eligibility.VULNERABLE
            else _ALL
            for code in batch.municipalities
        ]
        + [default],
        dtype=np.int8,
    )
    return by_municipality[_municipality_on(batch, day)]


def _municipality_on(batch: ScheduleBatch, day: IntArray) -> IntArray:
    """Per child, the index of the municipality it lives in on ``day``; ``len(municipalities)``
    when no residence period covers that day."""
    row = _residence_on(batch, day)
    if len(batch.residence_municipality) == 0:
        return np.full(batch.n, len(batch.municipalities), dtype=np.int64)
    return np.where(
        row >= 0, batch.residence_municipality[np.maximum(row, 0)], len(batch.municipalities)
    ).astype(np.int64)


def _residence_on(batch: ScheduleBatch, day: IntArray) -> IntArray:
    """Per child, the residence row covering ``day`` (one day per child), -1 where none does.

    Of overlapping rows the one that started last wins; on the same start, the higher
    municipality code; then the earlier programme start. The rows are ranked once per batch
    (``ScheduleBatch.residence_ranking``), so each look-up is a linear pass.
    """
    found = np.full(batch.n, -1, dtype=np.int64)
    ranked = batch.residence_ranking
    if len(ranked) == 0:
        return found
    child = batch.residence_child[ranked]
    wanted = day[child]
    start = batch.residence_start[ranked]
    end = batch.residence_end[ranked]
    covering = np.nonzero((start <= end) & (start <= wanted) & (wanted <= end))[0]
    if len(covering) == 0:
        return found
    # Rows are sorted by child, then ascending preference: the last covering row of each wins.
    owners = child[covering]
    last = np.ones(len(covering), dtype=bool)
    last[:-1] = owners[1:] != owners[:-1]
    found[owners[last]] = ranked[covering[last]]
    return found


def _any_period_overlaps(
    n: int,
    child: IntArray,
    period_start: IntArray,
    period_end: IntArray,
    low: IntArray,
    high: IntArray,
) -> BoolArray:
    """Per child, whether one of its periods shares a day with ``[low, high]``."""
    hit = (period_start <= period_end) & (period_start <= high[child]) & (period_end >= low[child])
    overlaps = np.zeros(n, dtype=bool)
    overlaps[child[hit]] = True
    return overlaps


def schedule_for_child(
    *,
    birth_date: date,
    stages: Sequence[StageDef],
    vulnerable: Sequence[Period],
    residence: Sequence[Residence],
    contacts: Sequence[ContactFact],
    skips: Sequence[SkipFact],
    today: date,
) -> list[StageStatus]:
    """One child's schedule on ``today``: ``schedule_batch`` on a batch of one."""
    batch = ScheduleBatch.from_rows(
        children=[(0, birth_date)],
        contacts=[(0, c.stage, c.on, c.outcome, c.next_on) for c in contacts],
        skips=[(0, s.stage, s.on, s.reason) for s in skips],
        vulnerable=[(0, p.start, p.end) for p in vulnerable],
        residence=[(0, r.start, r.end, r.municipality, r.programme_from) for r in residence],
    )
    return schedule_batch(batch, stages, today).row(0)
