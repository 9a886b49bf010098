"""Synthetic children for the demo: families, residences, enrolments, contacts and skipped stages.

``demo_children_load`` fills every area of the demo programme (``data.py``; programme and
comparison areas) with children born over the last six years, about 40–60 births per area and year,
and the health-visiting history a real registry would show on ``today``:

- **Families**: siblings share a family (15 months to 5 years apart); about 15 % of families have
  a vulnerability period, most set at the establishment visit, some in the middle of the first year
  or later, and about a third of those cleared again.
- **Residences**: every child lives in its area from birth; about 5 % of families move, most within
  their municipality, a few to another one (the whole family moves on the same day).
- **Enrolments**: most children start daycare at 9–14 months (nursery group, then
  "Lillegruppen", "Mellemgruppen", "Storegruppen" from the 3rd, 4th and 5th birthday), in a daycare
  of the area they live in; school ("0.A", "0.B") and mostly SFO from 1 August of the year they
  turn six. Comparison areas have no institutions in the demo, so their children have no enrolment.
- **Contacts** with realistic coverage: establishment and 2-month visits nearly all done; the
  4–6-month enhanced visit mostly done inside its window, some late, a few declined or skipped,
  some missed; vulnerable families' phone counselling, 1-year call and 1½-year visit mostly
  reached, with some "not reached" attempts and a few declined. Topics come from the catalogue per
  stage. Contacts are recorded by the health-visiting unit of the municipality the child lived in on
  the day, and by that municipality's demo health visitor where there is one. Høje-Taastrup and
  Ishøj have no health-visiting unit in the demo, so their children have no contacts.
- **Albertslund** (0165) offers the 1-year call and the 1½-year visit to all families: the demo adds
  those ``StageOverride`` rows.

Everything is drawn from one ``random.Random(seed)``, so a given ``today`` and seed always give the
same demo. Every child is marked ``is_synthetic``.

CPR numbers
    Never real: ``DDMMYY-9NNN``, the child's birth date with a serial number from 9000 to 9999
    (``borneliv.children.testing.synthetic_cpr``; the rule is in that module and in
    ``docs/decisions/0003-synthetic-cpr-numbers.md``). The 7th digit 9 gives the century 2000 for
    the two-digit years 00–36 (CPR-kontoret's table, ``borneliv.lib.cpr.century_of``), so every
    number parses to the child's real birth date. Girls get the even serials and boys the odd ones,
    as the last digit gives the sex; up to 500 children of each sex per birth date, all distinct.

How it is written
    Recording ~20,000 contacts one by one through ``healthvisits.services.contact_record`` takes
    ~13 ms each (it recomputes the child's schedule to validate), about four minutes in all, and
    registering children one by one ~8 ms each: too slow for ``make run``'s first start. So the
    loader plans everything in memory, checks it with the same rules the services apply, and
    writes the history in bulk (with history rows, as the services would leave them):

    - registry rows (families, guardians, children, residences, vulnerability periods, enrolments)
      are built as the ``children.services`` functions build them (CPR parsed by
      ``services.cpr_parse``, encrypted, pseudonym by ``services.cpr_pseudonym``), field-validated,
      and bulk-created; the database enforces the constraints;
    - which stages apply to a child and their windows come from the schedule engine run over the
      planned facts (the check ``contact_record`` makes: no contact for a stage that is not offered
      or waits for its prerequisite); contacts lie between birth and ``today``, for the unit of the
      municipality the child lived in that day, at most one completed contact per stage;
    - the contacts of the last ``RECENT_DAYS`` days and every skipped stage go through
      ``contact_record`` and ``stage_skip`` themselves, so the demo also exercises the real write
      path (and fails loudly if the services' rules and the plan ever disagree).
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import numpy as np
from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from borneliv.accounts.models import Membership, Role, User
from borneliv.children import services as child_services
from borneliv.children.models import (
    Child,
    Enrolment,
    Family,
    Guardian,
    Residence,
    VulnerabilityPeriod,
)
from borneliv.children.testing import SERIAL_FIRST, SERIAL_LAST, synthetic_cpr
from borneliv.demo import data
from borneliv.demo.common import Writer, demo_units, local_time, say
from borneliv.demo.examples import demo_examples_load
from borneliv.demo.growth import GrowthDemoResult, demo_growth_load
from borneliv.demo.motor import MotorDemoResult, demo_motor_load
from borneliv.demo.nearby import NearbyDemoResult, demo_nearby_load
from borneliv.healthvisits import selectors as hv_selectors
from borneliv.healthvisits import services as hv_services
from borneliv.healthvisits.models import (
    Contact,
    Eligibility,
    Outcome,
    Stage,
    StageOverride,
    StageSkip,
    Topic,
)
from borneliv.healthvisits.schedule import (
    NO_DAY,
    STATUS_CODE,
    BatchResult,
    ScheduleBatch,
    Status,
    day_date,
    schedule_batch,
)
from borneliv.lib import pseudonym
from borneliv.organisations.models import Area, Institution, InstitutionArea, Municipality

SEED = 20_260_101
YEARS = 6
BIRTHS_PER_AREA_AND_YEAR = (40, 60)
SIBLING_SHARE = 0.35  # of births, a younger sibling in an existing family
VULNERABLE_SHARE = 0.15  # of families
CLEARED_SHARE = 0.35  # of vulnerability periods
MOVING_SHARE = 0.05  # of families
OTHER_MUNICIPALITY_SHARE = 0.25  # of moves
DAYCARE_SHARE = 0.92
SFO_SHARE = 0.85
SPECIAL_SCHOOL_SHARE = 0.02
#: Contacts of the last days go through ``contact_record`` one by one (the real write path).
RECENT_DAYS = 14

ALBERTSLUND = "0165"
ALBERTSLUND_FOR_ALL = ("phone_1y", "visit_18m")

_NOT_OFFERED = {STATUS_CODE[Status.NOT_ELIGIBLE], STATUS_CODE[Status.WAITING]}
#: Of the stages whose window is closing or overdue today, the share still to be done: the
#: health visitors' backlog, so the worklist shows such rows whatever day the demo is made.
BACKLOG = {STATUS_CODE[Status.CLOSING]: 0.45, STATUS_CODE[Status.OVERDUE]: 0.35}


@dataclass
class ChildrenDemoResult:
    """What a call to ``demo_children_load`` did."""

    loaded: bool
    children: int = 0
    families: int = 0
    vulnerable_families: int = 0
    moved_families: int = 0
    enrolments: int = 0
    contacts: int = 0
    contacts_recorded_one_by_one: int = 0
    skips: int = 0
    seconds: float = 0.0
    # Their measurements and school-start exams (``growth.py``).
    growth: GrowthDemoResult | None = None
    # Their motor assessments at 4, with dialogues and follow-ups (``motor.py``).
    motor: MotorDemoResult | None = None
    # The Østerbro demo daycare and its curated proximity circle (``nearby.py``).
    nearby: NearbyDemoResult | None = None


# --- names (invented combinations of common names) ------------------------------------------------

GIRLS = (
    "Emma", "Ida", "Clara", "Freja", "Alma", "Ella", "Sofia", "Agnes", "Karla", "Olivia",
    "Josefine", "Nora", "Anna", "Laura", "Lily", "Ellen", "Aya", "Maja", "Asta", "Luna", "Esther",
    "Frida", "Vigga", "Sara", "Mathilde", "Liva", "Marie", "Zainab", "Hafsa", "Mira", "Lea",
    "Silje", "Ingrid", "Molly", "Alberte", "Malou",
)  # fmt: skip
BOYS = (
    "William", "Noah", "Oscar", "Lucas", "Carl", "Victor", "Malthe", "Alfred", "Emil", "Aksel",
    "Valdemar", "Oliver", "Magnus", "Elias", "August", "Theo", "Arthur", "Frederik", "Anton",
    "Johan", "Alexander", "Adam", "Ali", "Mohammad", "Yusuf", "Storm", "Vincent", "Hugo", "Liam",
    "Otto", "Villads", "Bertram", "Ibrahim", "Mads", "Sebastian", "Konrad",
)  # fmt: skip
WOMEN = (
    "Maria", "Sara", "Louise", "Camilla", "Mette", "Julie", "Anne", "Line", "Katrine", "Stine",
    "Sofie", "Amalie", "Cecilie", "Nanna", "Fatima", "Aisha", "Sana", "Marianne", "Signe",
    "Rikke", "Trine", "Maja", "Emilie", "Ditte", "Nadia", "Helle", "Pernille", "Yasmin",
)  # fmt: skip
MEN = (
    "Mads", "Jonas", "Martin", "Rasmus", "Thomas", "Kasper", "Anders", "Christian", "Mikkel",
    "Jesper", "Simon", "Nikolaj", "Ahmad", "Omar", "Mehmet", "Frederik", "Jakob", "Morten",
    "Henrik", "Peter", "Daniel", "Tobias", "Kristian", "Hassan", "Søren", "Michael",
)  # fmt: skip
SURNAMES = (
    "Nielsen", "Jensen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen",
    "Rasmussen", "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen", "Thomsen",
    "Christiansen", "Poulsen", "Johansen", "Møller", "Mortensen", "Knudsen", "Jakobsen",
    "Mikkelsen", "Olesen", "Frederiksen", "Laursen", "Henriksen", "Lund", "Schmidt", "Eriksen",
    "Holm", "Kristiansen", "Clausen", "Simonsen", "Svendsen", "Andreasen", "Iversen", "Jeppesen",
    "Mogensen", "Bach", "Hussein", "Ahmed", "Yilmaz", "Nguyen", "Kaya", "Abdi", "Hassan",
    "Nowak", "Østergaard", "Dahl",
)  # fmt: skip

VULNERABILITY_REASONS = (
    (VulnerabilityPeriod.Reason.SOCIAL, 30),
    (VulnerabilityPeriod.Reason.MENTAL_HEALTH, 22),
    (VulnerabilityPeriod.Reason.YOUNG_PARENTS, 15),
    (VulnerabilityPeriod.Reason.LANGUAGE, 12),
    (VulnerabilityPeriod.Reason.CHILD_HEALTH, 10),
    (VulnerabilityPeriod.Reason.SUBSTANCE, 5),
    (VulnerabilityPeriod.Reason.OTHER, 6),
)
VULNERABILITY_NOTES: dict[str, str] = {
    VulnerabilityPeriod.Reason.OTHER: "Aftalt med familien ved etableringsbesøget.",
    VulnerabilityPeriod.Reason.YOUNG_PARENTS: "Mor er under 20 år.",
    VulnerabilityPeriod.Reason.LANGUAGE: "Familien er nyankommet; tolk ved besøg.",
}

NURSERY_GROUP = "Vuggestuegruppen"
#: Daycare groups by age in whole years (from that birthday).
DAYCARE_GROUPS = ((3, "Lillegruppen"), (4, "Mellemgruppen"), (5, "Storegruppen"))
SCHOOL_CLASSES = ("0.A", "0.B")


# --- contact profiles per stage --------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    """How a stage tends to go: shares of children (of those it is offered to) by outcome."""

    in_window: float  # completed inside the window
    late: float  # completed after the window closed (before it expires)
    declined: float
    skipped: float
    attempt_before: float  # of the completed ones: a "not reached" attempt first
    topics: tuple[tuple[str, float], ...]  # topic code, chance it is covered
    late_days: int = 25
    # The rest is missed: nothing recorded, or only "not reached" attempts (this share of them).
    unreached_attempts: float = 0.3


PROFILES: dict[str, Profile] = {
    "establishment_visit": Profile(
        0.96, 0.025, 0.005, 0.0, 0.02,
        (("breastfeeding_bottle", 0.95), ("sleep", 0.6), ("parent_wellbeing", 0.7),
         ("language_interaction", 0.2)),
        late_days=12,
    ),
    "feeding_phone": Profile(
        0.80, 0.0, 0.05, 0.0, 0.20,
        (("breastfeeding_bottle", 1.0), ("sleep", 0.4), ("first_foods", 0.3),
         ("parent_wellbeing", 0.3)),
        unreached_attempts=0.8,
    ),
    "visit_2m": Profile(
        0.93, 0.035, 0.01, 0.0, 0.03,
        (("breastfeeding_bottle", 0.85), ("sleep", 0.7), ("motor_play", 0.4),
         ("parent_wellbeing", 0.5)),
    ),
    "enhanced_visit_4_6m": Profile(
        0.82, 0.06, 0.025, 0.012, 0.08,
        (("motor_play", 0.92), ("family_meals", 0.88), ("screen_habits", 0.8),
         ("family_experiences", 0.75), ("first_foods", 0.5), ("sleep", 0.3)),
    ),
    "visit_8_11m": Profile(
        0.86, 0.04, 0.02, 0.006, 0.04,
        (("first_foods", 0.7), ("family_meals", 0.6), ("motor_play", 0.6),
         ("language_interaction", 0.5), ("sleep", 0.4)),
    ),
    "phone_1y": Profile(
        0.76, 0.03, 0.04, 0.0, 0.25,
        (("family_meals", 0.7), ("screen_habits", 0.6), ("sleep", 0.5),
         ("parent_wellbeing", 0.5)),
        unreached_attempts=0.8,
    ),
    "visit_18m": Profile(
        0.72, 0.05, 0.05, 0.01, 0.12,
        (("outdoor_play", 0.8), ("family_experiences", 0.7), ("screen_habits", 0.7),
         ("family_meals", 0.6), ("language_interaction", 0.5)),
        unreached_attempts=0.6,
    ),
}  # fmt: skip
#: For a stage an administrator added that the demo does not know.
DEFAULT_PROFILE = Profile(0.85, 0.04, 0.02, 0.0, 0.05, ())

SKIP_REASONS = (
    (StageSkip.Reason.HOSPITALISED, "Barnet er indlagt på børneafdelingen."),
    (StageSkip.Reason.OTHER_PROVIDER, "Følges af børneafdelingens sygeplejerske."),
    (StageSkip.Reason.PROFESSIONAL, "Vurderet unødvendigt; familien har tæt kontakt i forvejen."),
    (StageSkip.Reason.OTHER, "Familien er på længere ophold i udlandet."),
)
NOTES = (
    "God kontakt med familien.",
    "Talt om tumlelege på gulvet og i legepladsen.",
    "Familien spiser aftensmad sammen de fleste dage.",
    "Aftalt at se på skærmvaner igen ved næste besøg.",
    "Henvist til åben legestue i lokalområdet.",
    "Mor er træt; talt om søvn og hjælp fra netværket.",
    "Far deltog i besøget.",
    "Tolk deltog i besøget.",
)
NOT_REACHED_NOTES = ("Ingen hjemme.", "Telefonen blev ikke taget.", "Aflyst af familien.")


# --- the plan ---------------------------------------------------------------------------------------


@dataclass
class PlannedFamily:
    index: int
    name: str
    area: Area  # where the family lives at its first child's birth
    guardians: list[tuple[str, str]]
    children: list[PlannedChild] = field(default_factory=list)
    vulnerability: tuple[str, dt.date, dt.date | None] | None = None
    move: tuple[dt.date, Area] | None = None


@dataclass
class PlannedChild:
    index: int
    family: PlannedFamily
    first_name: str
    sex: str
    birth: dt.date
    cpr: str = ""
    residences: list[tuple[Area, dt.date, dt.date | None]] = field(default_factory=list)
    enrolments: list[tuple[Institution, str, dt.date, dt.date | None]] = field(default_factory=list)

    def area_on(self, day: dt.date) -> Area | None:
        for area, start, end in self.residences:
            if start <= day and (end is None or day <= end):
                return area
        return None


@dataclass
class PlannedContact:
    child: int
    stage: Stage
    on: dt.date
    outcome: str
    topics: tuple[Topic, ...] = ()
    note: str = ""
    next_on: dt.date | None = None  # the next call of a series, planned at this one


@dataclass
class PlannedSkip:
    child: int
    stage: Stage
    on: dt.date
    reason: str
    explanation: str


@dataclass
class World:
    """What the plan needs from the database: areas, institutions, units, users, stages."""

    areas: list[Area]
    municipality_code: dict[int, str]  # area id → municipality code
    institutions: dict[int, Institution]
    # area id → (institution id, valid_from, valid_to) of its institutions over time
    memberships: dict[int, list[tuple[int, dt.date, dt.date | None]]]
    units: dict[int, Institution]  # municipality id → health-visiting unit
    visitors: dict[int, User]  # municipality id → the demo health visitor
    stages: list[Stage]
    topics: dict[str, Topic]

    def institutions_in(self, area: Area, on: dt.date, kinds: Iterable[str]) -> list[Institution]:
        wanted = set(kinds)
        found = [
            self.institutions[pk]
            for pk, start, end in self.memberships.get(area.pk, [])
            if start <= on and (end is None or on <= end)
        ]
        return sorted((i for i in found if i.kind in wanted), key=lambda i: i.name)


def _weighted(rng: random.Random, choices: Sequence[tuple[Any, int]]) -> Any:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February → 1 March
        return day.replace(year=day.year + years, month=3, day=1)


def _demo_municipality_codes() -> list[str]:
    return [spec.code for spec in data.MUNICIPALITIES]


def demo_children_applicable() -> bool:
    """Whether this database holds the demo programme and no child yet.

    The demo's own health-visiting units (synthetic SOR codes) tell the demo apart from a real
    programme; synthetic children are never added beside real ones.
    """
    return demo_units().exists() and not Child.objects.exists()


def _load_world() -> World:
    codes = _demo_municipality_codes()
    areas = list(
        Area.objects.filter(municipality__code__in=codes)
        .select_related("municipality")
        .order_by("municipality__code", "name")
    )
    institutions = {
        i.pk: i
        for i in Institution.objects.filter(municipality__code__in=codes).select_related(
            "municipality"
        )
    }
    memberships: dict[int, list[tuple[int, dt.date, dt.date | None]]] = defaultdict(list)
    for institution_id, area_id, start, end in InstitutionArea.objects.filter(
        institution_id__in=list(institutions)
    ).values_list("institution_id", "area_id", "valid_from", "valid_to"):
        memberships[area_id].append((institution_id, start, end))
    units = {
        i.municipality_id: i
        for i in sorted(institutions.values(), key=lambda i: i.pk)
        if i.kind == Institution.Kind.HEALTH_VISITING
    }
    usernames = [u.username for u in data.USERS if u.role == Role.HEALTH_VISITOR]
    visitors: dict[int, User] = {}
    for membership in (
        Membership.objects.filter(
            user__username__in=usernames,
            role=Role.HEALTH_VISITOR,
            institution__kind=Institution.Kind.HEALTH_VISITING,
        )
        .select_related("user", "institution")
        .order_by("user__username")
    ):
        assert membership.institution is not None
        visitors.setdefault(membership.institution.municipality_id, membership.user)
    return World(
        areas=areas,
        municipality_code={a.pk: a.municipality.code for a in areas},
        institutions=institutions,
        memberships=memberships,
        units=units,
        visitors=visitors,
        stages=list(Stage.objects.active().order_by("sort_order", "pk")),
        topics={t.code: t for t in Topic.objects.filter(is_active=True)},
    )


def _plan_registry(
    world: World, today: dt.date, rng: random.Random
) -> tuple[list[PlannedFamily], list[PlannedChild]]:
    """Families and children with births, vulnerability, moves, residences and enrolments."""
    families: list[PlannedFamily] = []
    births: list[tuple[dt.date, Area]] = []
    first_day = today - dt.timedelta(days=YEARS * 365)
    for area in world.areas:
        for year in range(YEARS):
            low = today - dt.timedelta(days=(year + 1) * 365)
            high = today - dt.timedelta(days=year * 365 + 1)
            for _ in range(rng.randint(*BIRTHS_PER_AREA_AND_YEAR)):
                day = low + dt.timedelta(days=rng.randint(0, (high - low).days))
                births.append((max(day, first_day), area))
    births.sort(key=lambda b: (b[0], b[1].pk))

    children: list[PlannedChild] = []
    by_area: dict[int, list[PlannedFamily]] = defaultdict(list)
    for birth, area in births:
        family: PlannedFamily | None = None
        if rng.random() < SIBLING_SHARE:
            candidates = [
                f
                for f in by_area[area.pk]
                if len(f.children) < 3 and 456 <= (birth - f.children[-1].birth).days <= 5 * 365
            ]
            if candidates:
                family = rng.choice(candidates)
        if family is None:
            surname = rng.choice(SURNAMES)
            family = PlannedFamily(
                index=len(families),
                name=surname,
                area=area,
                guardians=_guardians(rng, surname),
            )
            families.append(family)
            by_area[area.pk].append(family)
        sex = "F" if rng.random() < 0.487 else "M"
        names = GIRLS if sex == "F" else BOYS
        taken = {c.first_name for c in family.children}
        first_name = rng.choice([n for n in names if n not in taken])
        child = PlannedChild(
            index=len(children), family=family, first_name=first_name, sex=sex, birth=birth
        )
        family.children.append(child)
        children.append(child)

    for family in families:
        _plan_vulnerability(family, today, rng)
        _plan_move(family, world, today, rng)
    _assign_cpr_numbers(children)
    for child in children:
        _plan_residences(child)
        _plan_enrolments(child, world, today, rng)
    return families, children


def _guardians(rng: random.Random, surname: str) -> list[tuple[str, str]]:
    roll = rng.random()
    mother = (f"{rng.choice(WOMEN)} {surname}", Guardian.Relation.MOTHER)
    if roll < 0.10:  # one guardian
        return [mother]
    if roll < 0.16:
        return [
            mother,
            (f"{rng.choice(WOMEN)} {rng.choice(SURNAMES)}", Guardian.Relation.CO_MOTHER),
        ]
    if roll < 0.18:
        return [(f"{rng.choice(WOMEN)} {rng.choice(SURNAMES)}", Guardian.Relation.FOSTER)]
    return [mother, (f"{rng.choice(MEN)} {surname}", Guardian.Relation.FATHER)]


def _plan_vulnerability(family: PlannedFamily, today: dt.date, rng: random.Random) -> None:
    if rng.random() >= VULNERABLE_SHARE:
        return
    child = rng.choice(family.children)
    roll = rng.random()
    if roll < 0.5:  # at the establishment visit
        start = child.birth + dt.timedelta(days=rng.randint(3, 14))
    elif roll < 0.85:  # in the middle of the first year
        start = child.birth + dt.timedelta(days=rng.randint(60, 270))
    else:
        start = child.birth + dt.timedelta(days=rng.randint(300, 700))
    start = min(start, today - dt.timedelta(days=1))
    if start < family.children[0].birth - dt.timedelta(days=60):
        return
    end = None
    if rng.random() < CLEARED_SHARE:
        candidate = start + dt.timedelta(days=rng.randint(150, 720))
        end = candidate if candidate < today else None
    family.vulnerability = (_weighted(rng, VULNERABILITY_REASONS), start, end)


def _plan_move(family: PlannedFamily, world: World, today: dt.date, rng: random.Random) -> None:
    if rng.random() >= MOVING_SHARE:
        return
    youngest = family.children[-1].birth
    earliest = youngest + dt.timedelta(days=20)
    if earliest >= today - dt.timedelta(days=5):
        return
    on = earliest + dt.timedelta(
        days=rng.randint(0, (today - dt.timedelta(days=5) - earliest).days)
    )
    home = family.area
    same = [a for a in world.areas if a.municipality_id == home.municipality_id and a != home]
    other = [a for a in world.areas if a.municipality_id != home.municipality_id]
    choices = other if (rng.random() < OTHER_MUNICIPALITY_SHARE or not same) else same
    family.move = (on, rng.choice(choices))


def _assign_cpr_numbers(children: list[PlannedChild]) -> None:
    # Girls take the even serials, boys the odd ones (the last digit gives the sex).
    used: Counter[tuple[dt.date, str]] = Counter()
    for child in children:
        k = used[(child.birth, child.sex)]
        used[(child.birth, child.sex)] += 1
        serial = 2 * k + (0 if child.sex == "F" else 1)
        if SERIAL_FIRST + serial > SERIAL_LAST:
            raise ValueError("More than 500 demo children of one sex share a birth date.")
        child.cpr = synthetic_cpr(child.birth, serial)


def _plan_residences(child: PlannedChild) -> None:
    family = child.family
    if family.move is None:
        child.residences = [(family.area, child.birth, None)]
        return
    on, new_area = family.move
    if child.birth >= on:
        child.residences = [(new_area, child.birth, None)]
    else:
        child.residences = [
            (family.area, child.birth, on - dt.timedelta(days=1)),
            (new_area, on, None),
        ]


def _care_phases(
    child: PlannedChild, today: dt.date, rng: random.Random
) -> list[tuple[str, str, dt.date, dt.date | None]]:
    """(kind, group, from, to) of daycare and school, before cutting them at moves."""
    phases: list[tuple[str, str, dt.date, dt.date | None]] = []
    school_start = dt.date(child.birth.year + 6, 8, 1)
    if rng.random() < DAYCARE_SHARE:
        start = child.birth + dt.timedelta(days=rng.randint(275, 425))
        edges = [(start, NURSERY_GROUP)] + [
            (_add_years(child.birth, years), group) for years, group in DAYCARE_GROUPS
        ]
        edges.append((school_start, ""))
        for (begin, group), (following, _) in pairwise(edges):
            begin = max(begin, start)
            if begin > today or following <= begin:
                continue
            end = following - dt.timedelta(days=1)
            phases.append(("daycare", group, begin, end if end < today else None))
    if school_start <= today:
        kind = "special_school" if rng.random() < SPECIAL_SCHOOL_SHARE else "school"
        phases.append((kind, rng.choice(SCHOOL_CLASSES), school_start, None))
        if kind == "school" and rng.random() < SFO_SHARE:
            phases.append(("sfo", "", school_start, None))
    return phases


def _plan_enrolments(child: PlannedChild, world: World, today: dt.date, rng: random.Random) -> None:
    previous: dict[str, Institution] = {}
    for kind, group, start, end in _care_phases(child, today, rng):
        for area, live_from, live_to in child.residences:
            begin = max(start, live_from)
            finish = min(d for d in (end, live_to, today) if d is not None)
            if begin > finish:
                continue
            open_end = end if (live_to is None or (end is not None and end <= live_to)) else live_to
            institution = _pick_institution(world, area, begin, kind, group, previous, rng)
            if institution is None:
                continue
            previous[kind] = institution
            child.enrolments.append((institution, group, begin, open_end))


def _pick_institution(
    world: World,
    area: Area,
    on: dt.date,
    kind: str,
    group: str,
    previous: dict[str, Institution],
    rng: random.Random,
) -> Institution | None:
    if kind == "special_school":
        found = world.institutions_in(area, on, ["special_school"]) or [
            i
            for i in world.institutions.values()
            if i.kind == "special_school" and i.municipality_id == area.municipality_id
        ]
        return found[0] if found else None
    candidates = world.institutions_in(area, on, [kind])
    if kind == "daycare":
        nursery = group == NURSERY_GROUP
        suitable = [
            i
            for i in candidates
            if not (nursery and i.name.startswith(("Børnehaven", "Naturbørnehaven")))
            and not (not nursery and i.name.startswith("Vuggestuen"))
        ]
        candidates = suitable or candidates
    if not candidates:
        return None
    kept = previous.get(kind)
    if kept is not None and kept in candidates:
        return kept
    school = previous.get("school")
    if kind == "sfo" and school is not None:  # the SFO of the child's own school
        own = [i for i in candidates if i.name == data.sfo_name(school.name)]
        candidates = own or candidates
    return rng.choice(candidates)


# --- contacts ---------------------------------------------------------------------------------------


def _schedule_without_contacts(
    world: World, children: list[PlannedChild], today: dt.date
) -> tuple[BatchResult, hv_selectors.Catalogue]:
    """The engine's verdict on the planned facts: which stages are offered, and their windows."""
    catalogue = hv_selectors.stage_catalogue()
    batch = ScheduleBatch.from_rows(
        children=[(c.index, c.birth) for c in children],
        vulnerable=[
            (c.index, c.family.vulnerability[1], c.family.vulnerability[2])
            for c in children
            if c.family.vulnerability is not None
        ],
        residence=[
            (c.index, start, end, world.municipality_code[area.pk], _programme_from(area))
            for c in children
            for area, start, end in c.residences
        ],
    )
    return schedule_batch(batch, catalogue.defs, today), catalogue


def _programme_from(area: Area) -> dt.date | None:
    """The programme's first day in an area; None for a comparison area."""
    return area.start_date if area.kind == Area.Kind.PROGRAMME else None


def _in_programme_area(child: PlannedChild, day: dt.date) -> bool:
    """Whether the child lives in a programme area whose programme has started on ``day``."""
    area = child.area_on(day)
    start = _programme_from(area) if area is not None else None
    return start is not None and start <= day


def _triangular_day(rng: random.Random, low: int, high: int, mode: int) -> int:
    if high <= low:
        return low
    return round(rng.triangular(low, high, min(max(mode, low), high)))


def _plan_contacts(
    world: World, children: list[PlannedChild], today: dt.date, rng: random.Random
) -> tuple[list[PlannedContact], list[PlannedSkip]]:
    result, catalogue = _schedule_without_contacts(world, children, today)
    contacts: list[PlannedContact] = []
    skips: list[PlannedSkip] = []
    for stage, definition in zip(catalogue.stages, catalogue.defs, strict=True):
        if definition.anchor is not None:
            continue  # its window depends on another stage's contacts; not planned by the demo
        profile = PROFILES.get(stage.code, DEFAULT_PROFILE)
        verdict = result[stage.code]
        offered = ~np.isin(verdict.status, list(_NOT_OFFERED)) & (verdict.window_start != NO_DAY)
        for i in np.nonzero(offered)[0].tolist():
            child = children[i]
            start = day_date(int(verdict.window_start[i]))
            end = day_date(int(verdict.window_end[i]))
            assert start is not None and end is not None
            if start > today:
                continue
            backlog = BACKLOG.get(int(verdict.status[i]), 0.0)
            if backlog and rng.random() < backlog:
                # Still to do: the worklist's "window closing" and "overdue" rows.
                if rng.random() < 0.4:
                    on = start + dt.timedelta(days=rng.randint(0, (today - start).days))
                    contacts.append(
                        PlannedContact(
                            child.index, stage, on, Outcome.NOT_REACHED,
                            note=rng.choice(NOT_REACHED_NOTES),
                        )
                    )  # fmt: skip
                continue
            _plan_stage(
                child, stage, start, end, definition.expiry_days, profile, world, today, rng,
                contacts, skips,
            )  # fmt: skip
    # The comparison stays clean: a programme contact only where and when the child lived in a
    # programme area whose programme had started (what `borneliv datacheck` checks).
    contacts = [
        c
        for c in contacts
        if not c.stage.is_programme or _in_programme_area(children[c.child], c.on)
    ]
    return contacts, skips


def _plan_stage(
    child: PlannedChild,
    stage: Stage,
    start: dt.date,
    end: dt.date,
    expiry_days: int,
    profile: Profile,
    world: World,
    today: dt.date,
    rng: random.Random,
    contacts: list[PlannedContact],
    skips: list[PlannedSkip],
) -> None:
    # A contact for a vulnerable families' stage comes after the family was marked vulnerable.
    vulnerability = child.family.vulnerability
    if stage.eligibility == Eligibility.VULNERABLE and vulnerability is not None:
        start = max(start, vulnerability[1])
    if start > end:
        start = end
    low, high = (start - child.birth).days, (end - child.birth).days
    target = stage.target_age_days

    def day(offset: int) -> dt.date:
        return child.birth + dt.timedelta(days=offset)

    roll = rng.random()
    shares = (profile.in_window, profile.late, profile.declined, profile.skipped)
    if roll < shares[0]:
        done = day(_triangular_day(rng, low, high, target))
    elif roll < sum(shares[:2]) and expiry_days > 0:
        done = end + dt.timedelta(days=rng.randint(1, max(1, min(expiry_days, profile.late_days))))
    elif roll < sum(shares[:3]):
        contacts.append(
            PlannedContact(child.index, stage, day(rng.randint(low, high)), Outcome.DECLINED)
        )
        return
    elif roll < sum(shares):
        reason, explanation = rng.choice(SKIP_REASONS)
        on = day(rng.randint(low, high))
        if on <= today:
            skips.append(PlannedSkip(child.index, stage, on, reason, explanation))
        return
    else:  # missed: perhaps a few attempts nobody answered
        if rng.random() < profile.unreached_attempts:
            for _ in range(rng.randint(1, 3)):
                contacts.append(
                    PlannedContact(
                        child.index, stage, day(rng.randint(low, high)), Outcome.NOT_REACHED,
                        note=rng.choice(NOT_REACHED_NOTES),
                    )
                )  # fmt: skip
        return
    if rng.random() < profile.attempt_before and done - dt.timedelta(days=2) >= start:
        attempt = start + dt.timedelta(days=rng.randint(0, (done - start).days - 2))
        contacts.append(
            PlannedContact(
                child.index, stage, attempt, Outcome.NOT_REACHED, note=rng.choice(NOT_REACHED_NOTES)
            )
        )
    topics = tuple(
        world.topics[code]
        for code, chance in profile.topics
        if code in world.topics and rng.random() < chance
    )
    if not topics and profile.topics and profile.topics[0][0] in world.topics:
        topics = (world.topics[profile.topics[0][0]],)
    note = rng.choice(NOTES) if rng.random() < 0.25 else ""
    contacts.append(PlannedContact(child.index, stage, done, Outcome.COMPLETED, topics, note))
    if stage.is_series:
        _plan_series(child, stage, end, today, rng, contacts, topics)


def _plan_series(
    child: PlannedChild,
    stage: Stage,
    end: dt.date,
    today: dt.date,
    rng: random.Random,
    contacts: list[PlannedContact],
    topics: tuple[Topic, ...],
) -> None:
    """Further calls of a series after its first (``contacts[-1]``), each planned at the one
    before: none for a third of the families, up to four more for the others; the last may be
    planned for a day still ahead."""
    more = _weighted(rng, ((0, 3), (1, 3), (2, 2), (3, 1), (4, 1)))
    previous = contacts[-1]
    for _ in range(more):
        planned = previous.on + dt.timedelta(days=rng.randint(10, 28))
        if planned > end:
            return
        previous.next_on = planned
        if planned > today:
            return  # the next call is still ahead: the series is under way
        call = PlannedContact(child.index, stage, planned, Outcome.COMPLETED, topics[:1])
        contacts.append(call)
        previous = call


# --- writing -----------------------------------------------------------------------------------------


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    """An aware datetime on ``day`` (local time), never in the future."""
    return local_time(day, hour, timezone.now())


def _stamped(obj: Any, when: dt.datetime, by: User | None = None) -> Any:
    """Date (and user) of the history row that ``bulk_create_with_history`` writes for ``obj``."""
    obj._history_date = when
    if by is not None:
        obj._history_user = by
    return obj


def _checked(obj: Any, *exclude: str) -> Any:
    """Field validation as ``full_clean`` does it, without a query per row.

    Foreign keys point at rows just written or read, and the database enforces unique and check
    constraints on insert; what is left for Python is each field's own validation.
    """
    obj.clean_fields(exclude=list(exclude))
    obj.clean()
    return obj


def _insert_rows(model: Any, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """Insert plain rows into a model's table with one ``executemany``."""
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608


def _unit_for(
    world: World, child: PlannedChild, on: dt.date
) -> tuple[Institution | None, User | None]:
    area = child.area_on(on)
    if area is None:
        area = child.residences[-1][0]  # the latest residence, as the service falls back to
    unit = world.units.get(area.municipality_id)
    return unit, world.visitors.get(area.municipality_id)


def _ensure_albertslund_overrides() -> int:
    municipality = Municipality.objects.filter(code=ALBERTSLUND).first()
    if municipality is None:
        return 0
    made = 0
    for stage in Stage.objects.filter(code__in=ALBERTSLUND_FOR_ALL):
        if StageOverride.objects.filter(municipality=municipality, stage=stage).exists():
            continue
        override = StageOverride(
            municipality=municipality, stage=stage, eligibility=Eligibility.ALL
        )
        override.full_clean()
        override.save()
        made += 1
    return made


def _write_registry(
    world: World, families: list[PlannedFamily], children: list[PlannedChild]
) -> tuple[dict[int, Child], int]:
    """Families, guardians, children, residences, vulnerability and enrolments; bulk-created."""
    family_rows = []
    for family in families:
        row = _checked(Family(name=family.name))
        row.created_at = _at(family.children[0].birth + dt.timedelta(days=2))
        family_rows.append(_stamped(row, row.created_at))
    family_rows = bulk_create_with_history(family_rows, Family)
    bulk_create_with_history(
        [
            _checked(Guardian(family=family_rows[f.index], name=name, relation=relation), "family")
            for f in families
            for name, relation in f.guardians
        ],
        Guardian,
    )

    child_rows = []
    for child in children:
        parsed = child_services.cpr_parse(child.cpr)
        row = Child(
            cpr_ciphertext=pseudonym.encrypt(settings.CPR_KEY, parsed.digits),
            cpr_pseudonym=child_services.cpr_pseudonym(parsed.digits),
            birth_date=parsed.birth_date,
            sex=parsed.sex,
            first_name=child.first_name,
            last_name=child.family.name,
            family=family_rows[child.family.index],
            is_synthetic=True,
        )
        row.created_at = _at(child.birth + dt.timedelta(days=2), 9)
        child_rows.append(_stamped(_checked(row, "family"), row.created_at))
    child_rows = bulk_create_with_history(child_rows, Child)
    by_index = {c.index: row for c, row in zip(children, child_rows, strict=True)}

    residences = []
    enrolments = []
    for child in children:
        row = by_index[child.index]
        for area, start, end in child.residences:
            residence = Residence(child=row, area=area, valid_from=start, valid_to=end)
            residences.append(_stamped(_checked(residence, "child", "area"), _at(start, 9)))
        for institution, group, start, end in child.enrolments:
            enrolment = Enrolment(
                child=row, institution=institution, group=group, valid_from=start, valid_to=end
            )
            enrolments.append(_stamped(_checked(enrolment, "child", "institution"), _at(start, 8)))
    bulk_create_with_history(residences, Residence, batch_size=2000)
    bulk_create_with_history(enrolments, Enrolment, batch_size=2000)

    periods = []
    for family in families:
        if family.vulnerability is None:
            continue
        reason, start, end = family.vulnerability
        first = family.children[0]
        _unit, set_by = _unit_for(world, first, max(start, first.birth))
        period = VulnerabilityPeriod(
            family=family_rows[family.index],
            reason=reason,
            valid_from=start,
            valid_to=end,
            note=VULNERABILITY_NOTES.get(reason, ""),
            set_by=set_by,
            cleared_by=set_by if end is not None else None,
        )
        periods.append(
            _stamped(_checked(period, "family", "set_by", "cleared_by"), _at(start), set_by)
        )
    bulk_create_with_history(periods, VulnerabilityPeriod)
    return by_index, len(enrolments)


def _write_contacts(
    world: World,
    children: list[PlannedChild],
    rows: dict[int, Child],
    planned: list[PlannedContact],
    today: dt.date,
) -> tuple[int, list[PlannedContact]]:
    """Bulk-create the older contacts (with history and topics); return the recent ones."""
    completed: Counter[tuple[int, int]] = Counter()
    older: list[tuple[Contact, PlannedContact]] = []
    recent: list[PlannedContact] = []
    for plan in sorted(planned, key=lambda p: (p.on, p.child, p.stage.sort_order)):
        child = children[plan.child]
        if plan.on > today or plan.on < child.birth:
            continue
        unit, visitor = _unit_for(world, child, plan.on)
        if unit is None:
            continue  # no health-visiting unit serves that municipality in the demo
        if plan.outcome == Outcome.COMPLETED and not plan.stage.is_series:
            completed[(plan.child, plan.stage.pk)] += 1
            if completed[(plan.child, plan.stage.pk)] > 1:
                raise ValueError("The demo planned two completed contacts for one stage.")
        if plan.on > today - dt.timedelta(days=RECENT_DAYS):
            recent.append(plan)
            continue
        moment = _at(plan.on, 11 + plan.stage.sort_order % 5)
        contact = Contact(
            child=rows[plan.child],
            stage=plan.stage,
            contact_date=plan.on,
            mode=plan.stage.mode,
            outcome=plan.outcome,
            unit=unit,
            recorded_by=visitor,
            note=plan.note,
            next_contact_on=plan.next_on,
            lock_version=1,
            created_at=moment,
            updated_at=moment,
        )
        checked = _checked(contact, "child", "stage", "unit", "recorded_by")
        older.append((_stamped(checked, moment, visitor), plan))
    saved = bulk_create_with_history([c for c, _ in older], Contact, batch_size=2000)
    # Topic links and their history rows: plain link tables, written with one executemany each
    # (a model instance per link costs more than the rest of the contact put together).
    through = Contact.topics.through
    _insert_rows(
        through,
        ("contact_id", "topic_id"),
        [
            (contact.pk, topic.pk)
            for contact, (_c, plan) in zip(saved, older, strict=True)
            for topic in plan.topics
        ],
    )
    historical = Contact.history.model
    history_of = dict(
        historical.objects.filter(child__is_synthetic=True, history_type="+").values_list(
            "id", "history_id"
        )
    )
    # The history row of each new contact lists its topics, as ``contact_record`` leaves it.
    _insert_rows(
        apps.get_model("healthvisits", "HistoricalContact_topics"),
        ("id", "contact_id", "topic_id", "history_id"),
        [
            (link_id, contact_id, topic_id, history_of[contact_id])
            for link_id, contact_id, topic_id in through.objects.filter(
                contact__child__is_synthetic=True
            ).values_list("id", "contact_id", "topic_id")
        ],
    )
    return len(saved), recent


def _record_one_by_one(
    world: World,
    children: list[PlannedChild],
    rows: dict[int, Child],
    recent: list[PlannedContact],
    skips: list[PlannedSkip],
) -> tuple[int, int]:
    """The recent contacts and every skip, through the healthvisits services."""
    for skip in sorted(skips, key=lambda s: (s.on, s.child)):
        _unit, visitor = _unit_for(world, children[skip.child], skip.on)
        hv_services.stage_skip(
            child=rows[skip.child],
            stage=skip.stage,
            reason=skip.reason,
            explanation=skip.explanation,
            by=visitor,
            on=skip.on,
        )
    for plan in recent:
        child = children[plan.child]
        unit, visitor = _unit_for(world, child, plan.on)
        assert unit is not None
        hv_services.contact_record(
            child=rows[plan.child],
            unit=unit,
            by=visitor,
            contact_date=plan.on,
            mode=plan.stage.mode,
            outcome=plan.outcome,
            stage=plan.stage,
            topics=plan.topics,
            note=plan.note,
            next_contact_on=plan.next_on,
        )
    return len(recent), len(skips)


def demo_children_load(
    *, today: dt.date, seed: int = SEED, stdout: Writer | None = None
) -> ChildrenDemoResult:
    """Load the synthetic children of the demo, unless the registry holds children already.

    ``today`` is the day the demo is made for (normally ``accounts.models.today()``; never later,
    since the services refuse contacts in the future). One transaction: on any error nothing is
    saved. Does nothing outside the demo programme (see ``demo_children_applicable``).
    """
    started = time.monotonic()
    with transaction.atomic():
        if not demo_children_applicable():
            # A demo database from before the growth (or motor) data gets them now.
            result = ChildrenDemoResult(
                loaded=False,
                growth=demo_growth_load(today=today, stdout=stdout),
                motor=demo_motor_load(today=today, stdout=stdout),
                nearby=demo_nearby_load(stdout=stdout),
            )
            demo_examples_load()  # the children of docs/examples/, once
            return result
        _ensure_albertslund_overrides()
        world = _load_world()
        rng = random.Random(seed)
        families, children = _plan_registry(world, today, rng)
        rows, enrolments = _write_registry(world, families, children)
        planned, skips = _plan_contacts(world, children, today, rng)
        bulk, recent = _write_contacts(world, children, rows, planned, today)
        one_by_one, skipped = _record_one_by_one(world, children, rows, recent, skips)
        growth = demo_growth_load(today=today)
        motor = demo_motor_load(today=today)
        nearby = demo_nearby_load()
        # After the generated data, so that these fixed children get none of it: the shipped
        # example files (docs/examples/) refer to them (``examples.py``).
        demo_examples_load()
    result = ChildrenDemoResult(
        loaded=True,
        children=len(children),
        families=len(families),
        vulnerable_families=sum(1 for f in families if f.vulnerability is not None),
        moved_families=sum(1 for f in families if f.move is not None),
        enrolments=enrolments,
        contacts=bulk + one_by_one,
        contacts_recorded_one_by_one=one_by_one,
        skips=skipped,
        seconds=time.monotonic() - started,
        growth=growth,
        motor=motor,
        nearby=nearby,
    )
    say(
        stdout,
        f"  Children: {result.children:,} synthetic children in {result.families:,} families "
        f"({result.vulnerable_families:,} vulnerable, {result.moved_families:,} moved), "
        f"{result.enrolments:,} enrolments, {result.contacts:,} contacts, "
        f"{result.skips:,} skipped stages ({result.seconds:.1f} s)",
    )
    if growth.loaded:
        say(stdout, growth.summary())
    if motor.loaded:
        say(stdout, motor.summary())
    if nearby.loaded:
        say(stdout, nearby.summary())
    return result
