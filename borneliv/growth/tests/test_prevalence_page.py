"""Prevalence: the figures read from the database, the page, its chart, CSV and API, and scope.

The scenario (``scenario``) registers synthetic children in the persona world and measures them
through the engine (``services.classify_in_place``), so every figure below is known exactly:

School year 2024/25 (school-start exams, IOTF 2012):

=============  ======  ======================================  ==============================
area           sex     counted                                 also
=============  ======  ======================================  ==============================
Lindholm (P)   girls   20: 4 overweight, 2 obesity, 14 normal  a girl measured twice (overweight
                                                               in September, normal in March);
                                                               a girl who moved to Herstedlund
                                                               after she was measured; a girl
                                                               with only a *held* measurement
               boys    21: 5 overweight, 16 normal             a boy with only a *rejected* one
Vejgaard (C)   girls   10: all normal
               boys    12: 3 overweight, 2 obesity, 7 normal   a boy measured in Vejgaard who
                                                               moved to Lindholm afterwards
Herstedlund    girls   10: 5 overweight, 5 normal
(P, Albertsl.) boys    10: 5 overweight, 5 normal
=============  ======  ======================================  ==============================

School year 2025/26: Lindholm 3 girls and 10 boys, Vejgaard 6 girls and 6 boys, all normal.
Health visiting 6–10 months, 2024: Lindholm 10 girls (normal) and 10 boys (3 overweight,
2 obese by WHO 2006); a girl measured at 7 months in December 2024 (overweight) and at 9 months in
February 2025 (normal) counts once, in 2025. Motor, 2024/25: Lindholm 10 girls without and 12 boys
of whom 5 with difficulties, and one boy whose exam cannot tell.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from openpyxl import load_workbook
from pytest_django import DjangoAssertNumQueries, DjangoDbBlocker

from borneliv.accounts.models import User
from borneliv.children import services as children_services
from borneliv.children.models import Child
from borneliv.children.testing import synthetic_cpr
from borneliv.growth import prevalence_presenter as presenter
from borneliv.growth import prevalence_selectors as selectors
from borneliv.growth import services
from borneliv.growth.models import (
    MOTOR_ITEM_CODES,
    Context,
    Measurement,
    ReviewStatus,
    SchoolStartExam,
)
from borneliv.growth.tests.conftest import ClientFor
from borneliv.lib import downloads
from borneliv.lib.stats import wilson_interval
from borneliv.organisations.models import Area
from borneliv.testing import World
from borneliv.testing_words import error_summary_problems

pytestmark = pytest.mark.django_db

PAGE = "/growth/prevalence/"
CHART = "/growth/prevalence/chart.svg"
API = "/api/v1/growth/prevalence"
TODAY = dt.date(2026, 3, 2)  # in school year 2025/26
SCHOOL = "measure=overweight&setting=school_start&year_from=2024&year_to=2025"

HEIGHT = Decimal("118.0")
WEIGHT = {"normal": Decimal("21.6"), "overweight": Decimal("25.9"), "obesity": Decimal("29.9")}
INFANT_LENGTH = Decimal("70.0")
INFANT_WEIGHT = {"normal": Decimal("8.5"), "overweight": Decimal("10.5"), "obese": Decimal("12.0")}
Remarks = dict[str, bool | None]
THREE_REMARKS: Remarks = {"walk": True, "jump": True, "balance": True, "skip": False}
NO_REMARKS: Remarks = dict.fromkeys(MOTOR_ITEM_CODES, False)
TOO_FEW: Remarks = {"walk": True, "jump": True}  # two remarks, seven items not assessed


@dataclass
class Scenario:
    world: World
    twice: Child
    moved_in: Child
    moved_away: Child
    held: Measurement
    rejected: Measurement
    infant_twice: Child
    children: dict[str, list[Child]] = field(default_factory=dict)


class Builder:
    """Registers children and collects their measurements; ``save()`` classifies them at once."""

    def __init__(self) -> None:
        self.serial = itertools.count()
        self.pending: list[Measurement] = []

    def child(self, area: Area, sex: str, *, first: dt.date = dt.date(2018, 9, 1)) -> Child:
        number = next(self.serial)
        born = first + dt.timedelta(days=number % 90)
        return children_services.child_register(
            cpr=synthetic_cpr(born, 2 * (number // 90), sex=sex),
            first_name="Barn",
            last_name=f"Nr{number:03d}",
            area=area,
            is_synthetic=True,
        )

    def measure(
        self,
        child: Child,
        category: str,
        on: dt.date = dt.date(2024, 10, 1),
        context: str = Context.SCHOOL_START,
    ) -> Measurement:
        infant = context == Context.HEALTH_VISIT
        measurement = Measurement(
            child=child,
            measured_on=on,
            context=context,
            weight_kg=(INFANT_WEIGHT if infant else WEIGHT)[category],
            height_cm=INFANT_LENGTH if infant else HEIGHT,
            position="L" if infant else "H",
        )
        self.pending.append(measurement)
        return measurement

    def group(
        self, area: Area, sex: str, on: dt.date = dt.date(2024, 10, 1), **counts: int
    ) -> list[Child]:
        made = []
        for category, count in counts.items():
            for _ in range(count):
                child = self.child(area, sex, first=dt.date(on.year - 6, 9, 1))
                self.measure(child, category, on)
                made.append(child)
        return made

    def save(self) -> None:
        services.classify_in_place(self.pending)
        assert {m.review_status for m in self.pending} == {ReviewStatus.ACCEPTED}
        Measurement.objects.bulk_create(self.pending)
        self.pending = []


def build_scenario(world: World) -> Scenario:
    b = Builder()
    lindholm, vejgaard, herstedlund = world.lindholm, world.vejgaard, world.herstedlund
    F, M = "F", "M"
    children: dict[str, list[Child]] = {}
    # 2024/25
    children["lindholm_girls"] = b.group(lindholm, F, overweight=4, obesity=2, normal=12)
    twice = b.child(lindholm, F)
    b.measure(twice, "overweight", dt.date(2024, 9, 10))
    b.measure(twice, "normal", dt.date(2025, 3, 3))
    moved_away = b.child(lindholm, F)
    b.measure(moved_away, "normal", dt.date(2024, 11, 1))
    held_girl = b.child(lindholm, F)
    held = b.measure(held_girl, "overweight")
    children["lindholm_boys"] = b.group(lindholm, M, overweight=5, normal=16)
    rejected_boy = b.child(lindholm, M)
    rejected = b.measure(rejected_boy, "obesity")
    b.group(vejgaard, F, normal=10)
    b.group(vejgaard, M, overweight=3, obesity=2, normal=6)
    moved_in = b.child(vejgaard, M)
    b.measure(moved_in, "normal")
    b.group(herstedlund, F, overweight=5, normal=5)
    b.group(herstedlund, M, overweight=5, normal=5)
    # 2025/26
    autumn = dt.date(2025, 10, 1)
    b.group(lindholm, F, autumn, normal=3)
    b.group(lindholm, M, autumn, normal=10)
    b.group(vejgaard, F, autumn, normal=6)
    b.group(vejgaard, M, autumn, normal=6)
    # Health visiting: infants born in autumn 2023, measured at about eight months.
    summer = dt.date(2024, 6, 15)
    for sex, counts in ((F, {"normal": 10}), (M, {"overweight": 3, "obese": 2, "normal": 5})):
        for category, count in counts.items():
            for _ in range(count):
                infant = b.child(lindholm, sex, first=dt.date(2023, 10, 1))
                b.measure(infant, category, summer, Context.HEALTH_VISIT)
    infant_twice = b.child(lindholm, F, first=dt.date(2024, 5, 10))
    b.measure(infant_twice, "overweight", dt.date(2024, 12, 10), Context.HEALTH_VISIT)
    b.measure(infant_twice, "normal", dt.date(2025, 2, 10), Context.HEALTH_VISIT)
    b.save()

    # Held for review and rejected after review: neither counts.
    Measurement.objects.filter(pk=held.pk).update(review_status=ReviewStatus.HELD)
    Measurement.objects.filter(pk=rejected.pk).update(
        review_status=ReviewStatus.REJECTED, reviewed_at=dt.datetime(2025, 1, 6, tzinfo=dt.UTC)
    )
    children_services.child_move(child=moved_in, area=lindholm, on=dt.date(2025, 1, 1))
    children_services.child_move(child=moved_away, area=herstedlund, on=dt.date(2025, 2, 1))

    # Motor difficulties at school start 2024/25 (Lindholm).
    for child in children["lindholm_girls"][:10]:
        services.exam_record(child=child, examined_on=dt.date(2024, 10, 1), remarks=NO_REMARKS)
    for i, child in enumerate(children["lindholm_boys"][:12]):
        remarks = THREE_REMARKS if i < 5 else NO_REMARKS
        services.exam_record(child=child, examined_on=dt.date(2024, 10, 1), remarks=remarks)
    services.exam_record(
        child=children["lindholm_boys"][12], examined_on=dt.date(2024, 10, 1), remarks=TOO_FEW
    )
    return Scenario(
        world=world,
        twice=twice,
        moved_in=moved_in,
        moved_away=moved_away,
        held=held,
        rejected=rejected,
        infant_twice=infant_twice,
        children=children,
    )


@pytest.fixture(scope="module")
def _scenario_for_module(
    _world_for_module: World, django_db_blocker: DjangoDbBlocker
) -> Iterator[Scenario]:
    # Inside the module world's transaction, rolled back with it.
    with django_db_blocker.unblock():
        yield build_scenario(_world_for_module)


@pytest.fixture
def scenario(_scenario_for_module: Scenario, world: World) -> Scenario:
    return _scenario_for_module


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    for module in ("borneliv.growth.views.prevalence", "borneliv.growth.api"):
        monkeypatch.setattr(f"{module}.today", lambda: TODAY, raising=False)
    monkeypatch.setattr("borneliv.growth.api.prevalence_today", lambda: TODAY)


# --- helpers --------------------------------------------------------------------------------------


def figures_for(world: World, persona: str, **query: Any) -> selectors.Prevalence:
    user = world.persona(persona)
    defaults: dict[str, Any] = {
        "measure": "overweight",
        "setting": "school_start",
        "year_from": 2024,
        "year_to": 2025,
        "municipality_code": None,
    }
    defaults.update(query)
    return selectors.prevalence_for(user, selectors.prevalence_query(user, on=TODAY, **defaults))


def line(figures: selectors.Prevalence, label: str, period: str) -> selectors.ShownLine:
    found = [x for x in figures.lines if x.label == label and x.period_label == period]
    assert len(found) == 1, [(x.label, x.period_label) for x in figures.lines]
    return found[0]


def nk(shown: selectors.ShownLine) -> list[tuple[int | None, int | None]]:
    return [(c.n, c.k) for c in shown.cells]


def pct(value: float) -> str:
    """A proportion as the English page writes it (a request leaves Danish active behind it)."""
    with translation.override("en"):
        return presenter.percent_text(value)


def ci(k: int, n: int) -> str:
    low, high = wilson_interval(k, n)
    return f"{pct(float(low))}–{pct(float(high))}"


class TableReader(HTMLParser):
    """The prevalence table's rows as text: [period, label, cell texts…] (colspans spread)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.period = ""
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._colspan = 1
        self._row_kind = ""
        self._in_table = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "table" and "prevalence-table" in (attributes.get("class") or ""):
            self._in_table = True
        if not self._in_table:
            return
        if tag == "tr":
            self._row = []
            self._row_kind = attributes.get("class") or ""
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
            self._colspan = int(attributes.get("colspan") or 1)

    def handle_endtag(self, tag: str) -> None:
        if not self._in_table:
            return
        if tag in ("td", "th") and self._row is not None and self._cell is not None:
            text = " ".join("".join(self._cell).split())
            self._row.extend([text] * (self._colspan if tag == "td" else 1))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if "prevalence-period" in self._row_kind:
                self.period = self._row[0]
            elif "prevalence-kind" not in self._row_kind and len(self._row) == 10:
                self.rows.append([self.period, *self._row])
            self._row = None
        elif tag == "table":
            self._in_table = False

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def page_rows(html: str) -> list[list[str]]:
    reader = TableReader()
    reader.feed(html)
    return reader.rows


# --- what is counted ---------------------------------------------------------------------------


def test_the_project_leader_sees_correct_figures_for_programme_and_comparison_areas(
    scenario: Scenario,
) -> None:
    figures = figures_for(scenario.world, "lars")
    # Lindholm 2024/25: girls 6 of 20 (4 overweight + 2 obesity), boys 5 of 21.
    assert nk(line(figures, "Lindholm", "2024/25")) == [(20, 6), (21, 5), (41, 11)]
    assert nk(line(figures, "Vejgaard", "2024/25")) == [(10, 0), (12, 5), (22, 5)]
    # Aalborg has one area of each kind: its totals are those areas.
    assert nk(line(figures, "All programme areas", "2024/25")) == [(20, 6), (21, 5), (41, 11)]
    assert nk(line(figures, "All comparison areas", "2024/25")) == [(10, 0), (12, 5), (22, 5)]
    cell = line(figures, "Lindholm", "2024/25").cells[0]
    assert (cell.percent, cell.low, cell.high) == ("30.0", "14.5", "51.9")
    low, high = wilson_interval(6, 20)
    assert cell.cell.low == pytest.approx(float(low)) and cell.cell.high == pytest.approx(
        float(high)
    )
    assert figures.reference.startswith("IOTF 2012 (Cole & Lobstein): adult-equivalent BMI 25")
    assert [a.name for a in figures.shown_areas] == ["Lindholm", "Vejgaard"]


def test_a_small_cell_and_its_partner_are_hidden_and_show_no_numbers(scenario: Scenario) -> None:
    figures = figures_for(scenario.world, "lars")
    lindholm = line(figures, "Lindholm", "2025/26")
    girls, boys, everyone = lindholm.cells
    assert (girls.hidden, girls.n, girls.k, girls.percent, girls.low) == (
        "small",
        None,
        None,
        "",
        "",
    )
    assert (boys.hidden, boys.n, boys.k) == ("complementary", None, None)
    assert (everyone.n, everyone.k, everyone.percent) == (13, 0, "0.0")
    total = line(figures, "All programme areas", "2025/26")
    assert [c.hidden for c in total.cells] == ["small", "complementary", ""]
    assert nk(line(figures, "Vejgaard", "2025/26")) == [(6, 0), (6, 0), (12, 0)]


def test_a_share_is_hidden_when_few_children_have_the_property(scenario: Scenario) -> None:
    figures = figures_for(scenario.world, "lars", measure="obesity")
    # Two obese girls in Lindholm: hidden, and so is the all-children figure (2 of 41).
    assert [c.hidden for c in line(figures, "Lindholm", "2024/25").cells] == ["small", "", "small"]
    assert nk(line(figures, "Lindholm", "2024/25"))[1] == (21, 0)
    assert figures.reference.startswith("IOTF 2012 (Cole & Lobstein): adult-equivalent BMI 30")


def test_held_and_rejected_measurements_never_count_until_confirmed(scenario: Scenario) -> None:
    assert nk(line(figures_for(scenario.world, "lars"), "Lindholm", "2024/25"))[0] == (20, 6)
    services.measurement_review(
        measurement=scenario.held, user=scenario.world.hanne, decision=ReviewStatus.CONFIRMED
    )
    assert nk(line(figures_for(scenario.world, "lars"), "Lindholm", "2024/25"))[0] == (21, 7)
    # The rejected boy's measurement stays out.
    assert nk(line(figures_for(scenario.world, "lars"), "Lindholm", "2024/25"))[1] == (21, 5)


def test_a_child_counts_once_per_school_year_with_its_last_measurement(
    scenario: Scenario,
) -> None:
    # The girl measured twice counts once, as normal (her March measurement).
    assert nk(line(figures_for(scenario.world, "lars"), "Lindholm", "2024/25"))[0] == (20, 6)
    builder = Builder()
    builder.measure(scenario.twice, "obesity", dt.date(2025, 6, 20))
    builder.save()
    # Her June measurement is now the last of the school year: still one child, now obese.
    assert nk(line(figures_for(scenario.world, "lars"), "Lindholm", "2024/25"))[0] == (20, 7)


def test_a_child_counts_in_the_area_it_lived_in_on_the_day_it_was_measured(
    scenario: Scenario,
) -> None:
    figures = figures_for(scenario.world, "rikke")
    # The boy measured in Vejgaard before he moved to Lindholm counts in Vejgaard; the girl
    # measured in Lindholm before she moved to Herstedlund counts in Lindholm.
    assert nk(line(figures, "Vejgaard", "2024/25"))[1] == (12, 5)
    assert nk(line(figures, "Lindholm", "2024/25")) == [(20, 6), (21, 5), (41, 11)]
    assert nk(line(figures, "Herstedlund", "2024/25")) == [(10, 5), (10, 5), (20, 10)]


def test_infants_count_once_in_the_age_band_in_the_year_of_their_last_measurement(
    scenario: Scenario,
) -> None:
    figures = figures_for(
        scenario.world, "lars", setting="6_10_months", year_from=2024, year_to=2025
    )
    assert nk(line(figures, "Lindholm", "2024")) == [(10, 0), (10, 5), (20, 5)]
    # The girl measured at 7 and 9 months counts in 2025 only (normal): one child, hidden.
    assert [c.hidden for c in line(figures, "Lindholm", "2025").cells] == ["small", "", "small"]
    assert figures.reference.startswith(
        "WHO 2006 Child Growth Standards: BMI-for-age z-score above +2"
    )
    assert figures.national is not None and figures.national.percent_low == 5.0


def test_motor_difficulties_at_school_start_leave_out_exams_that_cannot_tell(
    scenario: Scenario,
) -> None:
    figures = figures_for(scenario.world, "lars", measure="motor_difficulties")
    assert nk(line(figures, "Lindholm", "2024/25")) == [(10, 0), (12, 5), (22, 5)]
    assert figures.notes == [
        "fewer than 5 children are left out as not determinable: too few motor items were "
        "assessed to tell."
    ]
    assert figures.national is not None and figures.national.percent_low == 6.3


def test_measurements_classified_with_another_iotf_version_are_left_out_and_said_so(
    scenario: Scenario,
) -> None:
    Measurement.objects.filter(child__in=scenario.children["lindholm_boys"]).update(
        iotf_version="2000"
    )
    figures = figures_for(scenario.world, "lars")
    assert nk(line(figures, "Lindholm", "2024/25"))[1] == (0, 0)
    assert "21 children are left out" in figures.notes[0]
    assert "IOTF 2012" in figures.notes[0]


def test_motor_difficulties_are_only_assessed_at_school_start(scenario: Scenario) -> None:
    with pytest.raises(Exception, match="school start"):
        figures_for(scenario.world, "lars", measure="motor_difficulties", setting="6_10_months")


# --- scope ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "areas"),
    [
        ("lars", ["Lindholm", "Vejgaard"]),
        ("hanne", ["Lindholm", "Vejgaard"]),
        ("astrid", ["Herstedlund"]),
        ("rikke", ["Lindholm", "Herstedlund", "Slangerup", "Vejgaard"]),
        ("ada", ["Lindholm", "Herstedlund", "Slangerup", "Vejgaard"]),
    ],
)
def test_each_role_sees_the_areas_of_its_scope(
    scenario: Scenario, persona: str, areas: list[str]
) -> None:
    figures = figures_for(scenario.world, persona)
    shown = [x.label for x in figures.lines if x.period_label == "2024/25" and not x.is_total]
    assert shown == areas


def test_the_researchers_totals_are_of_every_area(scenario: Scenario) -> None:
    figures = figures_for(scenario.world, "rikke")
    assert nk(line(figures, "All programme areas", "2024/25")) == [(30, 11), (31, 10), (61, 21)]
    aalborg = figures_for(scenario.world, "rikke", municipality_code="0851")
    assert nk(line(aalborg, "All programme areas", "2024/25")) == [(20, 6), (21, 5), (41, 11)]


def test_every_view_is_cut_from_the_same_suppressed_table(scenario: Scenario) -> None:
    """The project leader's Aalborg and the researcher's Aalborg show the same cells; the
    researcher's whole programme shows the same area cells too, only another total."""

    def cells(figures: selectors.Prevalence) -> dict[tuple[str, str], list[Any]]:
        return {(x.period_label, x.label): [c.cell for c in x.cells] for x in figures.lines}

    lars = cells(figures_for(scenario.world, "lars"))
    assert lars == cells(figures_for(scenario.world, "rikke", municipality_code="0851"))
    everything = cells(figures_for(scenario.world, "rikke"))
    for key in [("2025/26", "Lindholm"), ("2024/25", "Vejgaard"), ("2024/25", "Lindholm")]:
        assert lars[key] == everything[key]


def test_a_leader_of_two_of_the_municipalities_sees_each_ones_total_but_not_their_sum(
    scenario: Scenario,
) -> None:
    from borneliv.accounts.models import Role
    from borneliv.accounts.services import membership_create
    from borneliv.testing import MEMBERS_FROM, make_user

    world = scenario.world
    leader = make_user("lis", "Lis", "Leder")
    for municipality in (world.aalborg, world.albertslund):
        membership_create(
            user=leader,
            role=Role.PROJECT_LEADER,
            municipality=municipality,
            valid_from=MEMBERS_FROM,
        )
    leader = User.objects.get(pk=leader.pk)  # a fresh scope
    query = selectors.prevalence_query(
        leader,
        measure="overweight",
        setting="school_start",
        year_from=2024,
        year_to=2024,
        municipality_code=None,
        on=TODAY,
    )
    figures = selectors.prevalence_for(leader, query)
    assert [x.label for x in figures.lines] == [
        "Lindholm",
        "All programme areas in Aalborg",
        "Herstedlund",
        "All programme areas in Albertslund",
        "Vejgaard",
        "All comparison areas in Aalborg",
    ]
    assert figures.series("programme") == []  # no one total to draw


def test_a_municipality_outside_the_scope_is_not_found(
    scenario: Scenario, client_for: ClientFor
) -> None:
    assert client_for("lars").get(f"{PAGE}?municipality=0165").status_code == 404
    assert client_for("lars").get(f"{API}?municipality=0165").status_code == 404
    assert client_for("rikke").get(f"{PAGE}?municipality=9999").status_code == 404
    assert client_for("rikke").get(f"{PAGE}?municipality=0165").status_code == 200


@pytest.mark.parametrize("persona", ["otto", "pia", "carl"])
def test_people_without_the_permission_are_refused(
    scenario: Scenario, client_for: ClientFor, persona: str
) -> None:
    client = client_for(persona)
    assert client.get(PAGE).status_code == 403
    assert client.get(CHART).status_code == 403
    assert client.get(f"{PAGE}?format=csv").status_code == 403
    assert client.get(API).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(scenario: Scenario) -> None:
    response = Client().get(PAGE)
    assert response.status_code == 302 and "login" in response["Location"]
    assert Client().get(API).status_code == 401


# --- the page ----------------------------------------------------------------------------------


def test_the_project_leader_opens_the_page_and_sees_suppressed_referenced_figures_with_cis(
    scenario: Scenario, client_for: ClientFor, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    """The "done when" of issue #4."""
    client = client_for("lars")
    # Session, user, memberships (the scope), the municipalities in scope, every area, the
    # measurements (one query: values only, the residence area as a subquery), the footer's
    # programme municipalities.
    with django_assert_max_num_queries(7):
        response = client.get(f"{PAGE}?{SCHOOL}")
    assert response.status_code == 200
    html = response.content.decode()
    rows = page_rows(html)
    assert rows == [
        [
            "2024/25",
            "Lindholm",
            "20",
            "30.0 %",
            ci(6, 20),
            "21",
            "23.8 %",
            ci(5, 21),
            "41",
            "26.8 %",
            ci(11, 41),
        ],
        [
            "2024/25",
            "All programme areas",
            "20",
            "30.0 %",
            ci(6, 20),
            "21",
            "23.8 %",
            ci(5, 21),
            "41",
            "26.8 %",
            ci(11, 41),
        ],
        [
            "2024/25",
            "Vejgaard",
            "10",
            "0.0 %",
            ci(0, 10),
            "12",
            "41.7 %",
            ci(5, 12),
            "22",
            "22.7 %",
            ci(5, 22),
        ],
        [
            "2024/25",
            "All comparison areas",
            "10",
            "0.0 %",
            ci(0, 10),
            "12",
            "41.7 %",
            ci(5, 12),
            "22",
            "22.7 %",
            ci(5, 22),
        ],
        ["2025/26", "Lindholm", "–", "–", "–", "–", "–", "–", "13", "0.0 %", ci(0, 13)],
        ["2025/26", "All programme areas", "–", "–", "–", "–", "–", "–", "13", "0.0 %", ci(0, 13)],
        [
            "2025/26",
            "Vejgaard",
            "6",
            "0.0 %",
            ci(0, 6),
            "6",
            "0.0 %",
            ci(0, 6),
            "12",
            "0.0 %",
            ci(0, 12),
        ],
        [
            "2025/26",
            "All comparison areas",
            "6",
            "0.0 %",
            ci(0, 6),
            "6",
            "0.0 %",
            ci(0, 6),
            "12",
            "0.0 %",
            ci(0, 12),
        ],
    ]
    assert ci(6, 20) == "14.5–51.9"
    assert "IOTF 2012 (Cole &amp; Lobstein): adult-equivalent BMI 25 or more" in html
    assert "Hidden: fewer than 5 children" in html
    assert "fewer than 5 children, or hidden so that another hidden figure" in html
    # The national figure, with its period and source.
    assert (
        "12.0–13.0 %" in html and "2012–2018" in html and "Danish child-health statistics" in html
    )
    assert f'src="{CHART}?{SCHOOL}"' in html.replace("&amp;", "&")
    assert 'href="?' in html and "format=csv" in html


def test_where_no_national_figure_is_published_the_page_says_so(
    scenario: Scenario, client_for: ClientFor
) -> None:
    response = client_for("lars").get(PAGE, {"measure": "obesity", "setting": "school_start"})
    assert (
        "No national figure is published for this measure at this age." in response.content.decode()
    )


def test_the_page_defaults_to_the_last_five_periods(
    scenario: Scenario, client_for: ClientFor
) -> None:
    response = client_for("lars").get(PAGE)
    figures = response.context["figures"]
    assert (figures.query.year_from, figures.query.year_to) == (2021, 2025)
    assert figures.query.measure == "overweight" and figures.query.setting == "school_start"
    query = client_for("lars").get(PAGE, {"year_to": 2023}).context["figures"].query
    assert (query.year_from, query.year_to) == (2019, 2023)
    query = client_for("lars").get(PAGE, {"setting": "6_10_months"}).context["figures"].query
    assert (query.year_from, query.year_to) == (2022, 2026)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("year_from=abc", "Choose a year."),
        ("year_from=2025&year_to=2024", "The first year comes after the last."),
        ("year_from=2010&year_to=2025", "Choose at most 10 years."),
        ("year_to=2031", "Choose years from 2000 to 2025."),
        ("measure=bmi", "Unknown measure."),
        ("measure=motor_difficulties&setting=6_10_months", "assessed at school start only"),
    ],
)
def test_bad_choices_are_explained(
    scenario: Scenario, client_for: ClientFor, query: str, message: str
) -> None:
    response = client_for("lars").get(f"{PAGE}?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()
    assert response.context["figures"] is None
    assert client_for("lars").get(f"{PAGE}?{query}&format=csv").status_code == 400
    assert client_for("lars").get(f"{API}?{query}").status_code == 422


def test_the_navigation_links_the_page_for_those_who_may_see_it(
    scenario: Scenario, client_for: ClientFor
) -> None:
    assert 'href="/growth/prevalence/"' in client_for("lars").get("/").content.decode()
    assert 'href="/growth/prevalence/"' not in client_for("otto").get("/").content.decode()


def test_a_municipality_can_be_chosen_by_those_who_see_several(
    scenario: Scenario, client_for: ClientFor
) -> None:
    assert 'name="municipality"' in client_for("rikke").get(PAGE).content.decode()
    assert 'name="municipality"' not in client_for("lars").get(PAGE).content.decode()


# --- CSV ----------------------------------------------------------------------------------------


def read_csv(response: Any) -> list[list[str]]:
    raw = response.content
    assert raw.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def test_the_csv_is_the_pages_table_and_holds_no_hidden_number(
    scenario: Scenario, client_for: ClientFor
) -> None:
    client = client_for("lars")
    html = client.get(f"{PAGE}?{SCHOOL}").content.decode()
    response = client.get(f"{PAGE}?{SCHOOL}&format=csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    header, *rows = read_csv(response)
    assert header[:10] == [
        "Period",
        "Kind",
        "Area",
        "Municipality",
        "Sex",
        "Children counted (n)",
        "With the property (k)",
        "Percent",
        "95 % CI from",
        "95 % CI to",
    ]
    # The page's rows, rebuilt from the CSV: one CSV row per area (or total) and sex.
    rebuilt: list[list[str]] = []
    for period, _kind, area, _municipality, sex, n, _k, percent, low, high, _ref, note in rows:
        if sex == "Girls":
            rebuilt.append([period, area])
        if note.startswith("hidden"):
            assert (n, _k, percent, low, high) == ("", "", "", "", "")
            rebuilt[-1] += ["–", "–", "–"]
        else:
            rebuilt[-1] += [n, f"{percent} %", f"{low}–{high}"]
    assert rebuilt == page_rows(html)
    assert len(rows) == 8 * 3
    # Lindholm's three girls of 2025/26: no trace of the 3.
    lindholm_girls = [
        r for r in rows if r[0] == "2025/26" and r[2] == "Lindholm" and r[4] == "Girls"
    ]
    assert lindholm_girls[0][5:10] == ["", "", "", "", ""]
    assert lindholm_girls[0][11] == "hidden: fewer than 5 children"
    assert all(r[10].startswith("IOTF 2012") for r in rows)


def test_the_table_downloads_as_xlsx_with_the_csvs_rows(
    scenario: Scenario, client_for: ClientFor
) -> None:
    client = client_for("lars")
    csv_rows = read_csv(client.get(f"{PAGE}?{SCHOOL}&format=csv"))
    response = client.get(f"{PAGE}?{SCHOOL}&format=xlsx")
    assert response["Content-Type"] == downloads.XLSX_TYPE
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    xlsx_rows = [["" if v is None else str(v) for v in row] for row in sheet.values]
    assert xlsx_rows == csv_rows


def test_the_csv_uses_the_decimal_comma_in_danish(
    scenario: Scenario, client_for: ClientFor
) -> None:
    client = client_for("lars")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "da"
    with translation.override("da"):
        rows = read_csv(client.get(f"{PAGE}?{SCHOOL}&format=csv"))
    assert ["20", "6", "30,0", "14,5", "51,9"] in [r[5:10] for r in rows]


# --- chart --------------------------------------------------------------------------------------


def test_the_chart_is_an_svg_of_the_totals_without_hidden_points(
    scenario: Scenario, client_for: ClientFor
) -> None:
    response = client_for("lars").get(f"{CHART}?{SCHOOL}")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    svg = response.content.decode()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert 'id="series-programme"' in svg and 'id="series-comparison"' in svg
    assert 'id="national"' in svg
    figures = figures_for(scenario.world, "lars")
    # 2025/26: the programme total of all children (13, none overweight) is shown; both kinds
    # have a point in each year.
    assert [p.period for p in figures.series("programme")] == [2024, 2025]
    assert [round(p.percent, 1) for p in figures.series("comparison")] == [22.7, 0.0]
    assert client_for("lars").get(f"{CHART}?year_from=x").status_code == 400


def test_hidden_totals_are_left_out_of_the_chart(scenario: Scenario) -> None:
    figures = figures_for(scenario.world, "lars", measure="obesity")
    # 2024/25: 2 of 41 obese in Lindholm: hidden, so no programme point that year.
    assert [p.period for p in figures.series("programme")] == [2025]


# --- API ----------------------------------------------------------------------------------------


def test_the_api_gives_the_same_suppressed_figures(
    scenario: Scenario, client_for: ClientFor
) -> None:
    client = client_for("lars")
    response = client.get(f"{API}?{SCHOOL}")
    assert response.status_code == 200
    body = response.json()
    assert body["reference"].startswith("IOTF 2012")
    assert body["threshold"] == 5
    assert body["national"]["percent_low"] == 12.0 and body["national"]["period"] == "2012–2018"
    cells = {(c["period"], c["area"], c["sex"]): c for c in body["cells"]}
    lindholm = cells[("2024/25", "Lindholm", "F")]
    assert (lindholm["n"], lindholm["k"], lindholm["suppressed"]) == (20, 6, False)
    assert lindholm["share"] == pytest.approx(0.3)
    assert lindholm["kind"] == "programme" and lindholm["municipality_code"] == "0851"
    hidden = cells[("2025/26", "Lindholm", "F")]
    assert hidden == {
        **hidden,
        "suppressed": True,
        "suppression": "small",
        "n": None,
        "k": None,
        "share": None,
        "ci_low": None,
        "ci_high": None,
    }
    # The same figures as the CSV, cell by cell.
    rows = read_csv(client.get(f"{PAGE}?{SCHOOL}&format=csv"))[1:]
    sexes = {"Girls": "F", "Boys": "M", "All": "all"}
    assert len(rows) == len(body["cells"])
    for row in rows:
        cell = cells[(row[0], row[2], sexes[row[4]])]
        if cell["suppressed"]:
            assert row[5:10] == ["", "", "", "", ""]
        else:
            assert row[5] == str(cell["n"]) and row[6] == str(cell["k"])
            if cell["n"]:
                assert row[7] == pct(cell["share"])
                assert row[8] == pct(cell["ci_low"])
                assert row[9] == pct(cell["ci_high"])


def test_the_api_answers_researchers_for_every_area_and_one_municipality(
    scenario: Scenario, client_for: ClientFor
) -> None:
    body = client_for("rikke").get(f"{API}?{SCHOOL}&municipality=0165").json()
    assert body["municipality"] == "0165"
    assert {c["area"] for c in body["cells"]} == {"Herstedlund", "All programme areas"}
    everything = client_for("rikke").get(f"{API}?{SCHOOL}").json()
    total = next(
        c
        for c in everything["cells"]
        if c["is_total"]
        and c["kind"] == "programme"
        and c["sex"] == "all"
        and c["period"] == "2024/25"
    )
    assert (total["n"], total["k"]) == (61, 21)


def test_the_api_has_no_national_figure_where_none_is_published(
    scenario: Scenario, client_for: ClientFor
) -> None:
    body = client_for("lars").get(f"{API}?measure=obesity&setting=2_3_years").json()
    assert body["national"] is None
    assert body["reference"].startswith("IOTF 2012")


def test_no_childs_record_is_read_so_nothing_is_logged(
    scenario: Scenario, client_for: ClientFor
) -> None:
    from borneliv.children.models import AccessLog

    before = AccessLog.objects.count()
    client = client_for("lars")
    client.get(f"{PAGE}?{SCHOOL}")
    client.get(f"{API}?{SCHOOL}")
    assert AccessLog.objects.count() == before


def test_exams_are_counted_by_the_exam_not_by_a_measurement(scenario: Scenario) -> None:
    assert SchoolStartExam.objects.count() == 23


# --- words (#10) ----------------------------------------------------------------------------------


def danish(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "da"
    return client


def test_the_national_figures_source_is_danish_on_a_danish_page(
    scenario: Scenario, client_for: ClientFor
) -> None:
    html = danish(client_for("lars")).get(f"{PAGE}?{SCHOOL}").content.decode()
    assert "Den danske børnesundhedsstatistik (skolesundhedsplejens journaler)" in html
    assert "Danish child-health statistics" not in html
    english = client_for("lars").get(f"{PAGE}?{SCHOOL}").content.decode()
    assert "Danish child-health statistics (school health records)" in english


def test_the_csv_file_is_named_in_the_readers_language(
    scenario: Scenario, client_for: ClientFor
) -> None:
    response = danish(client_for("lars")).get(f"{PAGE}?{SCHOOL}&format=csv")
    assert response["Content-Disposition"] == (
        'attachment; filename="forekomst-overvaegt-inkl-svaer-overvaegt-skolestart-2024-2025.csv"'
    )
    response = client_for("lars").get(f"{PAGE}?{SCHOOL}&format=csv")
    assert response["Content-Disposition"] == (
        'attachment; filename="prevalence-overweight-incl-obesity-school-start-2024-2025.csv"'
    )


def test_a_bad_choice_is_summed_up_first_and_marked_at_its_field(
    scenario: Scenario, client_for: ClientFor
) -> None:
    response = danish(client_for("lars")).get(f"{PAGE}?year_from=soon")
    assert response.status_code == 400
    html = response.content.decode()
    assert error_summary_problems(html) == []
    assert '<li><a href="#id_year_from">Vælg et år.</a></li>' in html
    assert 'id="id_year_from" aria-invalid="true" aria-describedby="id_year_from_error"' in html
