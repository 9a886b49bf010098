"""Reads for health visiting: stage definitions, schedule batches, one child's schedule, worklists.

Every function here takes a fixed number of queries, whatever the number of children: the facts of
a whole set of children are read with one ``values_list`` query per kind of fact and handed to the
schedule engine (``schedule.py``) as arrays. The worklist is filtered, counted and sorted with
numpy over the engine's result; only the rows of the page being shown become Python objects.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
import numpy.typing as npt
from django.db.models import Case, F, QuerySet, When

from borneliv.children.models import Child, Residence, VulnerabilityPeriod
from borneliv.healthvisits.models import Contact, Stage, StageOverride, StageSkip
from borneliv.healthvisits.schedule import (
    NO_DAY,
    OPEN_END,
    STATUS_CODE,
    STATUSES,
    BatchResult,
    ScheduleBatch,
    StageDef,
    StageStatus,
    Status,
    day_date,
    day_number,
    days_array,
    schedule_batch,
)
from borneliv.lib.db import DayNumber, among, days_since_epoch, id_array
from borneliv.organisations.models import Area

IntArray = npt.NDArray[np.int64]

#: The worklist shows children up to this age, and older ones only while a stage can be open.
WORKLIST_AGE_DAYS = 730
PAGE_SIZE = 50

# --- stages ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Catalogue:
    """The active stages in schedule order, as models (for display) and as engine definitions."""

    stages: tuple[Stage, ...]
    defs: tuple[StageDef, ...]

    def index_of(self, code: str) -> int:
        for i, stage in enumerate(self.stages):
            if stage.code == code:
                return i
        raise KeyError(code)

    def stage(self, code: str) -> Stage:
        return self.stages[self.index_of(code)]

    def horizon_days(self) -> int:
        """Days after birth until which some stage may still be open (prerequisites chained)."""
        ends: dict[str, int] = {}
        for d in self.defs:
            base = ends[d.anchor] if d.anchor else 0
            ends[d.code] = base + d.window_end_days + d.expiry_days
        return max(ends.values(), default=0)


def _prerequisites_first(stages: Sequence[Stage]) -> list[Stage]:
    """Stages in their configured order, each after its prerequisite; unreachable ones dropped.

    A stage whose prerequisite is inactive (or itself dropped) cannot have a window, so it is left
    out rather than letting one admin change break every schedule.
    """
    remaining = list(stages)
    placed: list[Stage] = []
    codes: set[str] = set()
    progress = True
    while remaining and progress:
        progress = False
        for stage in list(remaining):
            anchor = stage.anchor.code if stage.anchor_id and stage.anchor else None
            if anchor is None or anchor in codes:
                placed.append(stage)
                codes.add(stage.code)
                remaining.remove(stage)
                progress = True
    return placed


def stage_catalogue(municipality_codes: Iterable[str] | None = None) -> Catalogue:
    """Active stages with their municipal overrides (all municipalities when ``None``); 2 queries."""
    stages = _prerequisites_first(list(Stage.objects.active().select_related("anchor")))
    overrides = StageOverride.objects.filter(stage__is_active=True)
    if municipality_codes is not None:
        overrides = overrides.filter(municipality__code__in=list(municipality_codes))
    by_stage: dict[int, dict[str, str]] = {}
    for stage_id, code, eligibility in overrides.values_list(
        "stage_id", "municipality__code", "eligibility"
    ):
        by_stage.setdefault(stage_id, {})[code] = eligibility
    defs = tuple(
        StageDef(
            code=stage.code,
            window_start_days=stage.window_start_days,
            window_end_days=stage.window_end_days,
            expiry_days=stage.expiry_days,
            closing_days=stage.closing_days,
            eligibility=stage.eligibility,  # type: ignore[arg-type]
            anchor=stage.anchor.code if stage.anchor_id and stage.anchor else None,
            overrides=by_stage.get(stage.pk, {}),  # type: ignore[arg-type]
            programme=stage.is_programme,
            series=stage.is_series,
        )
        for stage in stages
    )
    return Catalogue(stages=tuple(stages), defs=defs)


def stage_defs(municipality_codes: Iterable[str] | None = None) -> list[StageDef]:
    """The engine's definitions of the active stages, prerequisites first."""
    return list(stage_catalogue(municipality_codes).defs)


# --- facts of a set of children -----------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Facts:
    """The schedule batch of a set of children, with the columns pages need beside it.

    Row ``i`` of every child column is child ``i`` of the batch (the order of the children query).
    Residence and vulnerability rows carry the child's row index.
    """

    batch: ScheduleBatch
    child_ids: IntArray
    birth: IntArray
    extra: dict[str, npt.NDArray[Any]]  # further child columns, by field name
    residence_child: IntArray
    residence_start: IntArray
    residence_end: IntArray
    residence_area: IntArray
    residence_area_name: npt.NDArray[Any]
    vulnerable_child: IntArray
    vulnerable_start: IntArray
    vulnerable_end: IntArray

    @property
    def n(self) -> int:
        return len(self.child_ids)

    def vulnerable_on(self, day: IntArray | int) -> npt.NDArray[np.bool_]:
        """Per child, whether the family is vulnerable on ``day`` (one day, or one per child)."""
        return self.vulnerable_between(day, day)

    def vulnerable_between(
        self, first: IntArray | int, last: IntArray | int
    ) -> npt.NDArray[np.bool_]:
        """Per child, whether a vulnerability period shares a day with ``[first, last]``."""
        low = np.broadcast_to(np.asarray(first, dtype=np.int64), (self.n,))
        high = np.broadcast_to(np.asarray(last, dtype=np.int64), (self.n,))
        child = self.vulnerable_child
        hit = (self.vulnerable_start <= high[child]) & (self.vulnerable_end >= low[child])
        result = np.zeros(self.n, dtype=bool)
        result[child[hit]] = True
        return result

    def residence_on(self, day: IntArray | int) -> IntArray:
        """Per child, the index of the residence row covering ``day`` (latest start), or -1."""
        days = np.broadcast_to(np.asarray(day, dtype=np.int64), (self.n,))
        child = self.residence_child
        covers = np.nonzero(
            (self.residence_start <= days[child]) & (days[child] <= self.residence_end)
        )[0]
        found = np.full(self.n, -1, dtype=np.int64)
        if len(covers):
            ranked = covers[np.lexsort((self.residence_start[covers], child[covers]))]
            last = np.ones(len(ranked), dtype=bool)
            last[:-1] = child[ranked][1:] != child[ranked][:-1]
            found[child[ranked][last]] = ranked[last]
        return found

    def area_on(self, day: IntArray | int) -> IntArray:
        """Per child, the id of the area it lives in on ``day``; -1 where none is recorded."""
        row = self.residence_on(day)
        return np.where(row >= 0, self.residence_area[np.maximum(row, 0)], -1)


def _columns(rows: list[tuple[Any, ...]], width: int) -> list[tuple[Any, ...]]:
    if not rows:
        return [() for _ in range(width)]
    return list(zip(*rows, strict=True))


def _vulnerability_rows(
    children: QuerySet[Child], ids: IntArray, families: Sequence[int | None]
) -> list[tuple[int, int, int]]:
    """``(child id, first day, last day)`` (day numbers; open end ``OPEN_END``) for every vulnerability
    period of each child's family.

    Read by family (the families are known from the child rows), then matched to the children
    with numpy: one index scan instead of a join through families and children.
    """
    family = np.asarray([-1 if f is None else f for f in families], dtype=np.int64)
    family_ids = np.unique(family[family >= 0]).tolist()
    periods = list(
        VulnerabilityPeriod.objects.filter(
            among("family_id", family_ids, children, column="family_id")
        )
        .order_by()
        .values_list(
            "family_id",
            days_since_epoch("valid_from"),
            days_since_epoch("valid_to", missing=OPEN_END),
        )
    )
    if not periods:
        return []
    p_family = np.asarray([p[0] for p in periods], dtype=np.int64)
    by_family = np.argsort(family, kind="stable")
    sorted_family = family[by_family]
    left = np.searchsorted(sorted_family, p_family, side="left")
    counts = np.searchsorted(sorted_family, p_family, side="right") - left
    period_of = np.repeat(np.arange(len(periods)), counts)
    offsets = np.arange(len(period_of)) - np.repeat(np.cumsum(counts) - counts, counts)
    child_of = by_family[np.repeat(left, counts) + offsets]
    child_ids = ids[child_of].tolist()
    return [
        (child_id, periods[p][1], periods[p][2])
        for child_id, p in zip(child_ids, period_of.tolist(), strict=True)
    ]


def load_facts(
    children: QuerySet[Child],
    today: dt.date,
    *,
    child_fields: Sequence[str] = (),
    order_by: Sequence[str] = ("pk",),
) -> Facts:
    """Read the facts of ``children`` known on ``today``: five queries, one per kind of fact.

    Contacts and skips dated after ``today`` are left out, so a past ``today`` shows the schedule
    as it stood then.
    """
    child_rows = list(
        children.order_by(*order_by).values_list(
            "pk", days_since_epoch("birth_date"), "family_id", *child_fields
        )
    )
    columns = _columns(child_rows, 3 + len(child_fields))
    ids = np.asarray(columns[0], dtype=np.int64)
    id_list = ids.tolist()
    literal = id_array(id_list)
    contacts = list(
        Contact.objects.filter(
            among("child_id", id_list, children, literal=literal),
            stage__isnull=False,
            contact_date__lte=today,
        )
        .order_by()  # the engine is order-invariant; the model's default ordering costs a sort
        .values_list(
            "child_id",
            "stage__code",
            days_since_epoch("contact_date"),
            "outcome",
            days_since_epoch("next_contact_on", missing=NO_DAY),
        )
    )
    skips = list(
        StageSkip.objects.filter(
            among("child_id", id_list, children, literal=literal), skipped_on__lte=today
        )
        .order_by()
        .values_list("child_id", "stage__code", days_since_epoch("skipped_on"), "reason")
    )
    vulnerable = _vulnerability_rows(children, ids, columns[2])
    residences = list(
        Residence.objects.filter(among("child_id", id_list, children, literal=literal))
        .order_by()
        .values_list(
            "child_id",
            days_since_epoch("valid_from"),
            days_since_epoch("valid_to", missing=OPEN_END),
            "area__municipality__code",
            "area_id",
            "area__name",
            programme_start_day("area__"),
        )
    )
    r_child, r_start, r_end, r_code, r_area, r_area_name, r_programme = _columns(residences, 7)
    batch = ScheduleBatch.from_rows(
        children=[(pk, born) for pk, born, *_rest in child_rows],
        contacts=contacts,
        skips=skips,
        vulnerable=vulnerable,
        residence=list(zip(r_child, r_start, r_end, r_code, r_programme, strict=True)),
    )
    v_child, v_start, v_end = _columns(vulnerable, 3)
    order = np.argsort(ids, kind="stable")

    def index_of(values: Sequence[Any]) -> IntArray:
        wanted = np.asarray(values, dtype=np.int64)
        if len(ids) == 0 or len(wanted) == 0:
            return np.zeros(0, dtype=np.int64)
        return order[np.searchsorted(ids[order], wanted)].astype(np.int64)

    return Facts(
        batch=batch,
        child_ids=ids,
        birth=days_array(list(columns[1])) if child_rows else np.zeros(0, dtype=np.int64),
        extra={
            name: np.asarray(columns[3 + i], dtype=object) for i, name in enumerate(child_fields)
        },
        residence_child=index_of(r_child),
        residence_start=_days(r_start),
        residence_end=_days(r_end, missing=OPEN_END),
        residence_area=np.asarray(r_area, dtype=np.int64),
        residence_area_name=np.asarray(r_area_name, dtype=object),
        vulnerable_child=index_of(v_child),
        vulnerable_start=_days(v_start),
        vulnerable_end=_days(v_end, missing=OPEN_END),
    )


def programme_start_day(prefix: str = "") -> DayNumber:
    """The day number on which the programme starts in an area (``OPEN_END``: not a programme
    area), for a query whose area is reached through ``prefix``."""
    return DayNumber(
        Case(When(**{f"{prefix}kind": Area.Kind.PROGRAMME}, then=F(f"{prefix}start_date"))),
        missing=OPEN_END,
    )


def _days(values: Sequence[Any], *, missing: int = NO_DAY) -> IntArray:
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64)
    return days_array(list(values), missing=missing)


def schedule_rows_for(children: QuerySet[Child], today: dt.date) -> ScheduleBatch:
    """The engine's batch for ``children`` (their facts known on ``today``); five queries."""
    return load_facts(children, today).batch


# --- one child ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScheduleLine:
    """One stage of a child's schedule: the stage (for display) and the engine's verdict."""

    stage: Stage
    status: StageStatus
    today: dt.date

    @property
    def days_left(self) -> int | None:
        """Days until the window closes (negative once closed); None while it is unknown."""
        end = self.status.window_end
        return None if end is None else (end - self.today).days


def schedule_for(child: Child, today: dt.date) -> list[ScheduleLine]:
    """One child's schedule on ``today``, stage by stage (seven queries)."""
    catalogue = stage_catalogue()
    facts = load_facts(Child.objects.filter(pk=child.pk), today)
    if facts.n == 0:
        return []
    result = schedule_batch(facts.batch, catalogue.defs, today)
    return [
        ScheduleLine(stage=stage, status=status, today=today)
        for stage, status in zip(catalogue.stages, result.row(0), strict=True)
    ]


# --- the worklist ------------------------------------------------------------------------------


class Bucket(StrEnum):
    """The worklist's tabs. The first four split the worklist's rows; the fifth cuts across them.

    ``OPENING``: the window opens within the next ``OPENING_DAYS`` days (tomorrow up to and
    including today + 7); ``DUE``: open now and not yet in its closing days; ``CLOSING``: in the
    window's last ``closing_days`` days; ``OVERDUE``: the window has closed and the stage has not
    yet expired; ``VULNERABLE``: any of these for a family marked vulnerable today.
    """

    OPENING = "opening"
    DUE = "due"
    CLOSING = "closing"
    OVERDUE = "overdue"
    VULNERABLE = "vulnerable"


#: A window opening within this many days (from tomorrow) is on the worklist already.
OPENING_DAYS = 7


class Sort(StrEnum):
    NAME = "name"
    BIRTH = "birth"
    STAGE = "stage"
    WINDOW_END = "window_end"
    STATUS = "status"


DEFAULT_SORT = Sort.WINDOW_END
# Most urgent first when sorting by status.
_SEVERITY = np.full(len(STATUSES), 9, dtype=np.int64)
for _rank, _status in enumerate((Status.OVERDUE, Status.CLOSING, Status.DUE, Status.UPCOMING)):
    _SEVERITY[STATUS_CODE[_status]] = _rank
_UPCOMING = STATUS_CODE[Status.UPCOMING]
_DUE = STATUS_CODE[Status.DUE]
_CLOSING = STATUS_CODE[Status.CLOSING]
_OVERDUE = STATUS_CODE[Status.OVERDUE]
_ONGOING = STATUS_CODE[Status.ONGOING]


@dataclass(frozen=True)
class WorklistFilters:
    bucket: Bucket | None = None  # None: every open stage
    area_id: int | None = None
    stage: str = ""
    programme_only: bool = False
    sort: Sort = DEFAULT_SORT
    descending: bool = False


@dataclass(frozen=True)
class WorklistRow:
    child_id: int
    public_id: uuid.UUID
    first_name: str
    last_name: str
    birth_date: dt.date
    area_name: str
    stage: Stage
    status: Status
    window_start: dt.date
    window_end: dt.date
    expires_on: dt.date
    days_left: int  # days until the window closes; negative once it has closed
    vulnerable: bool
    attempts: int

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def days_overdue(self) -> int:
        return -self.days_left

    @property
    def days_to_open(self) -> int:
        return self.days_left - (self.window_end - self.window_start).days


@dataclass(frozen=True, eq=False)
class Worklist:
    """The open stages of a health visitor's children, filtered and sorted (not yet paged).

    ``order`` holds positions into the row arrays, in display order; ``rows(positions)`` turns a
    slice of it (a page) into ``WorklistRow`` objects. ``counts`` has one entry per bucket and
    ``"all"``, counted after the area/stage/programme filters but before the bucket filter.
    """

    today: dt.date
    catalogue: Catalogue
    facts: Facts
    order: IntArray
    counts: dict[str, int]
    row_child: IntArray
    row_stage: IntArray
    row_status: npt.NDArray[np.int8]
    row_start: IntArray
    row_end: IntArray
    row_expires: IntArray
    row_attempts: IntArray
    child_vulnerable: npt.NDArray[np.bool_]
    child_residence: IntArray

    def __len__(self) -> int:
        return len(self.order)

    def rows(self, positions: npt.ArrayLike) -> list[WorklistRow]:
        rows = np.asarray(positions, dtype=np.int64)
        now = day_number(self.today)
        extra = self.facts.extra
        out: list[WorklistRow] = []
        for r in rows.tolist():
            c = int(self.row_child[r])
            residence = int(self.child_residence[c])
            out.append(
                WorklistRow(
                    child_id=int(self.facts.child_ids[c]),
                    public_id=extra["public_id"][c],
                    first_name=extra["first_name"][c],
                    last_name=extra["last_name"][c],
                    birth_date=day_date(int(self.facts.birth[c])),  # type: ignore[arg-type]
                    area_name=(
                        str(self.facts.residence_area_name[residence]) if residence >= 0 else ""
                    ),
                    stage=self.catalogue.stages[int(self.row_stage[r])],
                    status=STATUSES[int(self.row_status[r])],
                    window_start=day_date(int(self.row_start[r])),  # type: ignore[arg-type]
                    window_end=day_date(int(self.row_end[r])),  # type: ignore[arg-type]
                    expires_on=day_date(int(self.row_expires[r])),  # type: ignore[arg-type]
                    days_left=int(self.row_end[r]) - now,
                    vulnerable=bool(self.child_vulnerable[c]),
                    attempts=int(self.row_attempts[r]),
                )
            )
        return out

    def child_ids_at(self, positions: npt.ArrayLike) -> list[int]:
        """The distinct children of some rows, in order of first appearance."""
        rows = np.asarray(positions, dtype=np.int64)
        ids = self.facts.child_ids[self.row_child[rows]].tolist()
        return list(dict.fromkeys(int(i) for i in ids))


def worklist(
    user: Any,
    today: dt.date,
    filters: WorklistFilters | None = None,
    *,
    catalogue: Catalogue | None = None,
) -> Worklist:
    """The open stages of the children in the user's health-visiting units, on ``today``.

    Rows are stages that are due, whose window is closing or which are overdue, plus stages
    whose window opens within the next ``OPENING_DAYS`` days (tomorrow to today + 7). The buckets
    (``Bucket``) split them by status: ``opening``, ``due``, ``closing``, ``overdue``; and
    ``vulnerable`` takes any of them for a family marked vulnerable today. Children older than two
    years appear only while a stage can still be open for them.
    """
    filters = filters or WorklistFilters()
    catalogue = catalogue or stage_catalogue()
    horizon = max(WORKLIST_AGE_DAYS, catalogue.horizon_days())
    children = Child.objects.visible_to(user).filter(
        birth_date__gte=today - dt.timedelta(days=horizon)
    )
    if user.scope.is_admin:
        # An administrator sees every child; her worklist is still her units' children. (For
        # everyone else, visible_to is already "living in her units' municipalities today".)
        children = children.living_in(user.scope.health_municipality_ids, today)
    facts = load_facts(
        children,
        today,
        child_fields=("first_name", "last_name", "public_id"),
        order_by=("last_name", "first_name", "pk"),
    )
    result = schedule_batch(facts.batch, catalogue.defs, today)
    return _worklist_from(result, facts, catalogue, today, filters)


def _worklist_from(
    result: BatchResult,
    facts: Facts,
    catalogue: Catalogue,
    today: dt.date,
    filters: WorklistFilters,
) -> Worklist:
    now = day_number(today)
    parts: dict[str, list[npt.NDArray[Any]]] = {
        k: [] for k in ("child", "stage", "status", "start", "end", "expires", "attempts")
    }
    for i, d in enumerate(catalogue.defs):
        stage = result[d.code]
        status = stage.status
        open_now = np.isin(status, [_DUE, _CLOSING, _OVERDUE])
        opening = (status == _UPCOMING) & (stage.window_start <= now + OPENING_DAYS)
        start = stage.window_start
        if d.series:
            # A series' next call is on the worklist from the day it is planned, and in the
            # week before as opening: its row starts on the planned day.
            planned = stage.planned
            has_plan = (planned != NO_DAY) & np.isin(status, [_DUE, _ONGOING])
            opening |= (status == _ONGOING) & (planned <= now + OPENING_DAYS)
            start = np.where(has_plan, planned, start)
            status = np.where(status == _ONGOING, _UPCOMING, status).astype(np.int8)
        rows = np.nonzero(open_now | opening)[0]
        parts["child"].append(rows)
        parts["stage"].append(np.full(len(rows), i, dtype=np.int64))
        parts["status"].append(status[rows])
        parts["start"].append(start[rows])
        parts["end"].append(stage.window_end[rows])
        parts["expires"].append(stage.expires_on[rows])
        parts["attempts"].append(stage.attempts[rows])

    def joined(name: str, dtype: Any) -> npt.NDArray[Any]:
        return np.concatenate(parts[name]).astype(dtype) if parts[name] else np.zeros(0, dtype)

    row_child = joined("child", np.int64)
    row_stage = joined("stage", np.int64)
    row_status = joined("status", np.int8)
    row_start = joined("start", np.int64)
    row_end = joined("end", np.int64)
    row_expires = joined("expires", np.int64)
    row_attempts = joined("attempts", np.int64)

    child_vulnerable = facts.vulnerable_on(now)
    child_residence = facts.residence_on(now)
    child_area = np.where(
        child_residence >= 0, facts.residence_area[np.maximum(child_residence, 0)], -1
    )

    keep = np.ones(len(row_child), dtype=bool)
    if filters.area_id is not None:
        keep &= child_area[row_child] == filters.area_id
    if filters.stage:
        try:
            keep &= row_stage == catalogue.index_of(filters.stage)
        except KeyError:
            keep[:] = False
    if filters.programme_only:
        programme = np.array([s.is_programme for s in catalogue.stages] or [False], dtype=bool)
        keep &= programme[row_stage]

    masks = {
        Bucket.OPENING: row_status == _UPCOMING,
        Bucket.DUE: row_status == _DUE,
        Bucket.CLOSING: row_status == _CLOSING,
        Bucket.OVERDUE: row_status == _OVERDUE,
        Bucket.VULNERABLE: child_vulnerable[row_child],
    }
    counts = {"all": int(keep.sum())}
    counts.update({bucket.value: int((keep & mask).sum()) for bucket, mask in masks.items()})
    if filters.bucket is not None:
        keep &= masks[filters.bucket]

    selected = np.nonzero(keep)[0]
    primary = {
        Sort.NAME: row_child,
        Sort.BIRTH: facts.birth[row_child] if len(row_child) else row_child,
        Sort.STAGE: row_stage,
        Sort.WINDOW_END: row_end,
        Sort.STATUS: _SEVERITY[row_status],
    }[filters.sort][selected]
    if filters.descending:
        primary = -primary
    # np.lexsort sorts by the last key first; ties fall back to window end, name, stage.
    order = selected[
        np.lexsort((row_stage[selected], row_child[selected], row_end[selected], primary))
    ]
    return Worklist(
        today=today,
        catalogue=catalogue,
        facts=facts,
        order=order.astype(np.int64),
        counts=counts,
        row_child=row_child,
        row_stage=row_stage,
        row_status=row_status,
        row_start=row_start,
        row_end=row_end,
        row_expires=row_expires,
        row_attempts=row_attempts,
        child_vulnerable=child_vulnerable,
        child_residence=child_residence,
    )
