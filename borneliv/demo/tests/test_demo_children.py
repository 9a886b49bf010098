"""The demo's synthetic children: numbers, families, moves, enrolments, contacts and worklists.

The demo (programme and children) is loaded once for the module, as of the real today, since the
health-visiting services refuse contacts dated in the future.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from collections import Counter, defaultdict
from collections.abc import Iterator
from itertools import pairwise

import numpy as np
import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models
from pytest_django import DjangoDbBlocker

from borneliv.accounts.models import User, today
from borneliv.children.models import (
    Child,
    Enrolment,
    Family,
    Guardian,
    Residence,
    VulnerabilityPeriod,
)
from borneliv.children.services import cpr_of
from borneliv.children.testing import is_synthetic_cpr
from borneliv.demo import data
from borneliv.demo.children import (
    ALBERTSLUND_FOR_ALL,
    BIRTHS_PER_AREA_AND_YEAR,
    YEARS,
    demo_children_load,
)
from borneliv.demo.examples import EXAMPLE_CHILDREN, example_child_ids
from borneliv.demo.growth import IMPLAUSIBLE
from borneliv.demo.services import DemoResult, demo_load
from borneliv.growth import engine
from borneliv.growth import services as growth_services
from borneliv.growth.models import Measurement, ReviewStatus, SchoolStartExam
from borneliv.healthvisits import selectors
from borneliv.healthvisits.models import Contact, Outcome, StageOverride, StageSkip
from borneliv.healthvisits.schedule import (
    NO_DAY,
    STATUS_CODE,
    BatchResult,
    Status,
    day_number,
    schedule_batch,
)
from borneliv.lib.cpr import parse_cpr
from borneliv.organisations.models import Area, InstitutionArea
from borneliv.testing import loaded_once

PASSWORD = "gynge-kastanje-fjord-2024"
WITH_UNIT = ("0851", "0250", "0165")  # the demo municipalities with a health-visiting unit


@pytest.fixture(scope="module")
def _demo_for_module(
    django_db_setup: None, django_db_blocker: DjangoDbBlocker
) -> Iterator[DemoResult]:
    # Loaded once per test process and copied in (``borneliv.testing.loaded_once``).
    with django_db_blocker.unblock(), loaded_once("demo", _load_demo) as result:
        yield result


def _load_demo() -> DemoResult:
    return demo_load(password=PASSWORD, with_children=True)


@pytest.fixture
def demo(_demo_for_module: DemoResult, db: None) -> DemoResult:
    return _demo_for_module


def _schedule(*, without_contacts: bool = False) -> tuple[BatchResult, selectors.Facts]:
    """The engine's verdict for the children living in a municipality with a unit."""
    children = Child.objects.filter(residences__area__municipality__code__in=WITH_UNIT).distinct()
    facts = selectors.load_facts(children, today())
    batch = facts.batch
    if without_contacts:
        batch = dataclasses.replace(batch, stage_facts={})
    return schedule_batch(batch, selectors.stage_defs(), today()), facts


def _closed(result: BatchResult, code: str) -> np.ndarray:
    end = result[code].window_end
    return (end != NO_DAY) & (end < day_number(today()))


def _share(result: BatchResult, code: str, *, within: bool) -> float:
    """Of the children offered the stage (not skipped) whose window has closed, the share done."""
    stage = result[code]
    offered = _closed(result, code) & ~np.isin(
        stage.status, [STATUS_CODE[Status.NOT_ELIGIBLE], STATUS_CODE[Status.SKIPPED]]
    )
    done = stage.within_window == 1 if within else stage.status == STATUS_CODE[Status.COMPLETED]
    return float((done & offered).sum() / offered.sum())


# --- loading --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_loads_children_born_over_six_years_in_every_area(demo: DemoResult) -> None:
    assert demo.children is not None and demo.children.loaded
    # The fixed children of the shipped example files (demo/examples.py) are not the demo's.
    examples = example_child_ids()
    assert len(examples) == len(EXAMPLE_CHILDREN)
    first_area = dict(
        Residence.objects.exclude(child__in=examples)
        .order_by("child_id", "valid_from")
        .values_list("child_id", "area__name")
        .distinct()
    )
    born = dict(Child.objects.exclude(pk__in=examples).values_list("pk", "birth_date"))
    per_area = Counter(first_area.values())
    low, high = BIRTHS_PER_AREA_AND_YEAR
    for area in Area.objects.all():
        # Children moving in add a few to an area; its own births are 40–60 a year.
        assert YEARS * low <= per_area[area.name] <= YEARS * high * 1.15, area.name
        years = {
            (today() - born[child]).days // 365
            for child, name in first_area.items()
            if name == area.name
        }
        assert years >= set(range(YEARS)), area.name
    assert min(born.values()) >= today() - dt.timedelta(days=YEARS * 365)
    assert max(born.values()) < today()


@pytest.mark.django_db
def test_loading_again_changes_nothing(demo: DemoResult) -> None:
    models = (
        Child, Family, Guardian, Residence, Enrolment, VulnerabilityPeriod, Contact,
        Measurement, SchoolStartExam,
    )  # fmt: skip
    historical_topics = apps.get_model("healthvisits", "HistoricalContact_topics")

    def snapshot() -> dict[str, int]:
        counts = {m.__name__: m.objects.count() for m in (*models, StageSkip, StageOverride)}
        counts |= {f"history {m.__name__}": m.history.count() for m in models}
        counts["topics"] = Contact.topics.through.objects.count()
        counts["history topics"] = historical_topics.objects.count()
        return counts

    before = snapshot()
    assert not demo_children_load(today=today()).loaded
    assert not demo_load(password=PASSWORD, with_children=True).loaded
    out = io.StringIO()
    call_command("load_demo", password=PASSWORD, stdout=out)
    assert "already holds a programme" in out.getvalue()
    assert snapshot() == before


@pytest.mark.django_db
def test_every_child_is_synthetic_with_a_number_from_the_synthetic_range(
    demo: DemoResult,
) -> None:
    children = list(Child.objects.all())
    numbers = [cpr_of(child) for child in children]
    assert len(set(numbers)) == len(numbers)
    for child, number in zip(children, numbers, strict=True):
        assert child.is_synthetic
        parsed = parse_cpr(number)
        assert is_synthetic_cpr(number)
        assert 9000 <= int(parsed.digits[6:]) <= 9999
        assert parsed.birth_date == child.birth_date
        assert parsed.sex == child.sex
    assert 0.4 < Counter(c.sex for c in children)["F"] / len(children) < 0.6


# --- families, residences, enrolments -------------------------------------------------------------


@pytest.mark.django_db
def test_siblings_share_a_family(demo: DemoResult) -> None:
    births: dict[int, list[dt.date]] = defaultdict(list)
    for family_id, born in Child.objects.values_list("family_id", "birth_date"):
        assert family_id is not None
        births[family_id].append(born)
    with_siblings = [sorted(days) for days in births.values() if len(days) > 1]
    assert 0.1 < len(with_siblings) / len(births) < 0.5
    for days in with_siblings:
        assert all((b - a).days >= 456 for a, b in pairwise(days))
    assert Guardian.objects.count() >= len(births)


@pytest.mark.django_db
def test_about_15_percent_of_families_are_vulnerable(demo: DemoResult) -> None:
    families = Family.objects.count()
    periods = list(VulnerabilityPeriod.objects.select_related("family"))
    assert 0.10 <= len({p.family_id for p in periods}) / families <= 0.20
    assert any(p.valid_to is not None for p in periods)  # some cleared
    assert any(p.valid_to is None for p in periods)
    first_birth = {
        family: min(days)
        for family, days in _births_by_family().items()
        if family in {p.family_id for p in periods}
    }
    # Some set at the establishment visit, some in the middle of the first year.
    offsets = [(p.valid_from - first_birth[p.family_id]).days for p in periods]
    assert any(offset <= 14 for offset in offsets)
    assert any(60 <= offset <= 300 for offset in offsets)
    assert set(VulnerabilityPeriod.objects.values_list("set_by__username", flat=True)) >= {
        "sundhedsplejerske",
        "sundhedsplejerske2",
    }


def _births_by_family() -> dict[int, list[dt.date]]:
    births: dict[int, list[dt.date]] = defaultdict(list)
    for family_id, born in Child.objects.values_list("family_id", "birth_date"):
        births[family_id].append(born)
    return births


@pytest.mark.django_db
def test_some_children_move_between_areas_and_a_few_between_municipalities(
    demo: DemoResult,
) -> None:
    residences: dict[int, list[tuple[dt.date, dt.date | None, str]]] = defaultdict(list)
    for child, start, end, code in Residence.objects.order_by("valid_from").values_list(
        "child_id", "valid_from", "valid_to", "area__municipality__code"
    ):
        residences[child].append((start, end, code))
    moved = [rows for rows in residences.values() if len(rows) > 1]
    assert 0.02 <= len(moved) / len(residences) <= 0.10
    across = [rows for rows in moved if rows[0][2] != rows[1][2]]
    assert 0 < len(across) < len(moved)
    for rows in moved:
        (_, first_end, _), (second_start, second_end, _) = rows
        assert first_end == second_start - dt.timedelta(days=1)
        assert second_end is None
    for rows in residences.values():
        assert rows[-1][1] is None  # everyone lives somewhere today


@pytest.mark.django_db
def test_children_go_to_daycare_and_school_in_the_area_they_live_in(demo: DemoResult) -> None:
    memberships: dict[int, list[tuple[int, dt.date, dt.date | None]]] = defaultdict(list)
    for institution, area, start, end in InstitutionArea.objects.values_list(
        "institution_id", "area_id", "valid_from", "valid_to"
    ):
        memberships[institution].append((area, start, end))
    residences: dict[int, list[tuple[int, dt.date, dt.date | None]]] = defaultdict(list)
    for child, area, start, end in Residence.objects.values_list(
        "child_id", "area_id", "valid_from", "valid_to"
    ):
        residences[child].append((area, start, end))

    def covers(rows: list[tuple[int, dt.date, dt.date | None]], day: dt.date) -> set[int]:
        return {a for a, s, e in rows if s <= day and (e is None or day <= e)}

    enrolments = list(
        Enrolment.objects.values_list(
            "child_id", "institution_id", "institution__kind", "group", "valid_from", "valid_to"
        )
    )
    for child, institution, _kind, _group, start, end in enrolments:
        assert end is None or end >= start
        assert covers(residences[child], start) & covers(memberships[institution], start)
    by_kind = Counter(kind for _c, _i, kind, _g, _s, _e in enrolments)
    assert by_kind["daycare"] > 1000
    assert {"Mellemgruppen", "Storegruppen"} <= {g for *_x, g, _s, _e in enrolments}
    # Daycare places of one child do not overlap.
    daycare: dict[int, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    for child, _i, kind, _g, start, end in enrolments:
        if kind == "daycare":
            daycare[child].append((start, end))
    for periods in daycare.values():
        periods.sort()
        for (_, end), (start, _) in pairwise(periods):
            assert end is not None and end < start


# --- contacts -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_most_enhanced_visits_are_done_in_the_window_some_late_some_missed(
    demo: DemoResult,
) -> None:
    result, _facts = _schedule()
    code = "enhanced_visit_4_6m"
    assert 0.70 <= _share(result, code, within=True) <= 0.95
    stage = result[code]
    closed = _closed(result, code)
    late = closed & (stage.status == STATUS_CODE[Status.COMPLETED]) & (stage.within_window == 0)
    assert late.sum() > 0
    for status in (Status.EXPIRED, Status.DECLINED, Status.SKIPPED):
        assert (closed & (stage.status == STATUS_CODE[status])).sum() > 0, status


@pytest.mark.django_db
def test_establishment_and_2_month_visits_are_nearly_all_done(demo: DemoResult) -> None:
    result, _facts = _schedule()
    assert _share(result, "establishment_visit", within=False) >= 0.93
    assert _share(result, "visit_2m", within=False) >= 0.90


@pytest.mark.django_db
def test_vulnerable_families_are_mostly_reached(demo: DemoResult) -> None:
    result, _facts = _schedule()
    for code in ("feeding_phone", "phone_1y", "visit_18m"):
        assert 0.65 <= _share(result, code, within=False) <= 0.95, code
        outcomes = Counter(
            Contact.objects.filter(stage__code=code).values_list("outcome", flat=True)
        )
        assert outcomes[Outcome.NOT_REACHED] > 0, code
        assert outcomes[Outcome.DECLINED] > 0, code


@pytest.mark.django_db
def test_the_comparison_areas_get_no_programme_contact(demo: DemoResult) -> None:
    from borneliv.healthvisits.checks import programme_contacts_outside_programme_areas

    assert programme_contacts_outside_programme_areas().count() == 0
    # ... while they get the ordinary visits, and the programme areas get the programme's.
    ordinary = Contact.objects.filter(
        child__residences__area__kind="comparison", stage__is_programme=False
    )
    assert ordinary.exists()
    assert Contact.objects.filter(stage__code="enhanced_visit_4_6m").count() > 1000


@pytest.mark.django_db
def test_breastfeeding_counselling_is_a_series_of_planned_calls(demo: DemoResult) -> None:
    calls = Counter(
        Contact.objects.filter(stage__code="feeding_phone", outcome=Outcome.COMPLETED).values_list(
            "child_id", flat=True
        )
    )
    per_child = Counter(calls.values())
    assert per_child[1] > 0 and sum(n for calls, n in per_child.items() if calls >= 3) > 0
    planned = Contact.objects.filter(stage__code="feeding_phone", next_contact_on__isnull=False)
    assert planned.exists()
    assert not planned.filter(next_contact_on__lte=models.F("contact_date")).exists()


@pytest.mark.django_db
def test_no_contact_is_for_a_stage_the_child_was_not_offered(demo: DemoResult) -> None:
    offered, facts = _schedule(without_contacts=True)
    row_of = {int(pk): i for i, pk in enumerate(facts.child_ids)}
    not_offered = [STATUS_CODE[Status.NOT_ELIGIBLE], STATUS_CODE[Status.WAITING]]
    for code in ("feeding_phone", "phone_1y", "visit_18m"):
        rows = [
            row_of[child]
            for child in Contact.objects.filter(stage__code=code).values_list("child_id", flat=True)
        ]
        assert rows
        assert not np.isin(offered[code].status[rows], not_offered).any(), code


@pytest.mark.django_db
def test_contacts_are_recorded_by_the_unit_of_the_municipality_the_child_lived_in(
    demo: DemoResult,
) -> None:
    residences: dict[int, list[tuple[dt.date, dt.date | None, str]]] = defaultdict(list)
    for child, start, end, code in Residence.objects.values_list(
        "child_id", "valid_from", "valid_to", "area__municipality__code"
    ):
        residences[child].append((start, end, code))
    visitors: Counter[tuple[str, str | None]] = Counter()
    contacts = Contact.objects.values_list(
        "child_id", "contact_date", "unit__municipality__code", "recorded_by__username"
    )
    for child, on, unit_code, username in contacts:
        lived = {c for s, e, c in residences[child] if s <= on and (e is None or on <= e)}
        assert lived == {unit_code}
        visitors[(unit_code, username)] += 1
    assert visitors[("0851", "sundhedsplejerske")] > 1000
    assert visitors[("0165", "sundhedsplejerske2")] > 1000
    assert visitors[("0250", "sundhedsplejerske3")] > 500
    assert {code for code, _user in visitors} == set(WITH_UNIT)
    assert not Contact.objects.filter(contact_date__gt=today()).exists()


@pytest.mark.django_db
def test_completed_contacts_cover_topics_from_the_catalogue(demo: DemoResult) -> None:
    enhanced = Contact.objects.filter(stage__code="enhanced_visit_4_6m", outcome="completed")
    covered = Counter(enhanced.values_list("topics__code", flat=True))
    for code in ("motor_play", "family_meals", "screen_habits", "family_experiences"):
        assert covered[code] > 0.6 * enhanced.count(), code
    assert not enhanced.filter(topics__isnull=True).exists()
    assert not Contact.objects.exclude(outcome="completed").filter(topics__isnull=False).exists()


@pytest.mark.django_db
def test_every_contact_has_its_history_with_its_topics(demo: DemoResult) -> None:
    historical_topics = apps.get_model("healthvisits", "HistoricalContact_topics")
    assert Contact.history.filter(history_type="+").count() == Contact.objects.count()
    assert historical_topics.objects.count() == Contact.topics.through.objects.count()
    recorded = Contact.history.filter(
        history_type="+", history_user__username="sundhedsplejerske"
    ).count()
    assert recorded == Contact.objects.filter(recorded_by__username="sundhedsplejerske").count()


@pytest.mark.django_db
def test_a_few_stages_are_skipped_with_a_reason(demo: DemoResult) -> None:
    skips = list(StageSkip.objects.all())
    assert 10 <= len(skips) <= 0.01 * Child.objects.count() * 7
    for skip in skips:
        assert skip.reason
        assert skip.reason != StageSkip.Reason.OTHER or skip.explanation
        assert not Contact.objects.filter(
            child=skip.child_id, stage=skip.stage_id, outcome="completed"
        ).exists()


@pytest.mark.django_db
def test_albertslund_offers_the_1_year_call_and_1_5_year_visit_to_all_families(
    demo: DemoResult,
) -> None:
    overrides = set(
        StageOverride.objects.values_list("municipality__code", "stage__code", "eligibility")
    )
    assert overrides >= {("0165", code, "all") for code in ALBERTSLUND_FOR_ALL}
    never_vulnerable = Contact.objects.filter(
        stage__code="phone_1y",
        outcome="completed",
        unit__municipality__code="0165",
        child__family__vulnerability_periods__isnull=True,
    )
    assert never_vulnerable.count() > 100


# --- worklists ------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["sundhedsplejerske", "sundhedsplejerske2"])
def test_the_demo_health_visitors_have_due_closing_and_overdue_rows(
    demo: DemoResult, username: str
) -> None:
    assert username in {u.username for u in data.USERS}
    worklist = selectors.worklist(User.objects.get(username=username), today())
    assert len(worklist) > 0
    for bucket in ("due", "closing", "overdue", "vulnerable"):
        assert worklist.counts[bucket] > 0, bucket


# --- growth ---------------------------------------------------------------------------------------

OVERWEIGHT = ("overweight", "obesity", "morbid_obesity")


@pytest.mark.django_db
def test_every_completed_home_visit_has_a_measurement(demo: DemoResult) -> None:
    assert demo.children is not None and demo.children.growth is not None
    assert demo.children.growth.loaded
    visits = set(
        Contact.objects.filter(outcome="completed", mode="home_visit").values_list(
            "child_id", "contact_date"
        )
    )
    measured = set(
        Measurement.objects.filter(context="health_visit").values_list("child_id", "measured_on")
    )
    assert measured == visits
    assert len(measured) > 10_000
    assert Measurement.history.count() == Measurement.objects.count()
    lying = Measurement.objects.filter(context="health_visit", position="L").count()
    assert lying >= len(measured) - sum(1 for e in IMPLAUSIBLE if e.position == "H")
    assert not Measurement.objects.filter(classified_at=None).exists()
    assert set(Measurement.objects.values_list("iotf_version", flat=True)) == {"2012"}


@pytest.mark.django_db
def test_children_of_five_and_a_half_have_a_school_start_exam(demo: DemoResult) -> None:
    exams = list(SchoolStartExam.objects.select_related("measurement", "child"))
    assert len(exams) > 200
    school_year = dt.date(today().year - (1 if today().month >= 8 else 2), 8, 1)
    for exam in exams:
        assert exam.measurement is not None
        assert exam.measurement.context == "school_start"
        assert exam.measurement.measured_on == exam.examined_on
        assert school_year <= exam.examined_on <= today()
        assert 2009 <= (exam.examined_on - exam.child.birth_date).days <= 2557
        assert exam.examined_on.weekday() < 5
    assert Measurement.objects.filter(context="school_start").count() == len(exams)
    assert SchoolStartExam.history.count() == len(exams)


@pytest.mark.django_db
def test_overweight_at_school_start_is_near_the_danish_figure(demo: DemoResult) -> None:
    school_start = Measurement.objects.counted().filter(context="school_start")
    share = school_start.filter(iotf_category__in=OVERWEIGHT).count() / school_start.count()
    assert 0.10 <= share <= 0.16  # DOMAIN.md: 12-13 %
    assert demo.children is not None and demo.children.growth is not None
    assert demo.children.growth.overweight_at_school_start == pytest.approx(share)
    infants = Measurement.objects.counted().filter(age_days__gte=183, age_days__lte=304)
    heavy = infants.filter(who_category__in=("overweight", "obese")).count() / infants.count()
    assert 0.03 <= heavy <= 0.08  # DOMAIN.md: about 5 % at 6-10 months


@pytest.mark.django_db
def test_motor_difficulties_are_near_the_danish_figures(demo: DemoResult) -> None:
    exams = SchoolStartExam.objects.all()
    assert 0.05 <= exams.filter(motor_difficulties=True).count() / exams.count() <= 0.10
    assert 0.24 <= exams.filter(remarks=1).count() / exams.count() <= 0.34
    albertslund = exams.filter(child__residences__area__municipality__code="0165").distinct()
    elsewhere = exams.exclude(pk__in=albertslund)
    rate_a = albertslund.filter(motor_difficulties=True).count() / albertslund.count()
    rate_e = elsewhere.filter(motor_difficulties=True).count() / elsewhere.count()
    assert rate_a > 1.4 * rate_e
    for exam in exams:
        items = exam.item_remarks()
        assert exam.remarks == sum(1 for v in items.values() if v)
        assert exam.items_assessed == sum(1 for v in items.values() if v is not None)


@pytest.mark.django_db
def test_the_planted_implausible_entries_wait_in_the_review_queue(demo: DemoResult) -> None:
    held = list(Measurement.objects.held())
    assert len(held) == len(IMPLAUSIBLE) == 10
    for m in held:
        assert m.flags & growth_services.HOLD_FLAGS, m.pk
        assert growth_services.hold_reasons(m)
        assert m.reviewed_at is None
    assert sum(1 for m in held if m.flags & engine.STANDING_UNDER_9_MONTHS) == 2
    assert sum(1 for m in held if m.context == "school_start") == 2
    counted = Measurement.objects.counted().values_list("flags", flat=True)
    assert all(flags & growth_services.HOLD_FLAGS == 0 for flags in counted)
    assert set(Measurement.objects.values_list("review_status", flat=True)) == {
        ReviewStatus.ACCEPTED,
        ReviewStatus.HELD,
    }
