"""Motor trends: the figures read from the database, suppression, scope, the page and its CSV.

The scenario (``scenario``) records sessions through the services in the persona world, so every
figure is known exactly. Levels: AA age-appropriate, FS few signs, CH challenges.

School year 2025/26 (sessions 7 October 2025; nothing is small):

==============================  ========================  ====  ====  ====
area (daycare)                  children                   AA    FS    CH
==============================  ========================  ====  ====  ====
Lindholm (Lindholm daycare)     20                         10     5     5
Vejgaard, comparison (Lindh.)   5, at the Lindholm daycare  5     0     0
Herstedlund (Galaksen)          10                          5     0     5
Slangerup (Troldhøj)            8                           8     0     0
==============================  ========================  ====  ====  ====

Lindholm's 10 AA include a child observed twice (CH in October, AA in March: counts once, AA), a
child with no address on the session day (counted in the daycare's area, Lindholm) and a child who
moved to Herstedlund afterwards (counted in Lindholm). Left out: a child observed on two items
only (``insufficient``), one present with no scores, one absent. School start 2025/26: 10 boys in
Lindholm, 5 with motor difficulties.

School year 2026/27 (6 October 2026): Lindholm 24 — 21 at the Lindholm daycare (14 AA, 5 FS,
2 CH) and 3 AA at a second Aalborg daycare (too few to show) —, Herstedlund 10 (5 AA, 5 CH).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from openpyxl import load_workbook
from pytest_django import DjangoAssertNumQueries, DjangoDbBlocker

from borneliv.accounts.context_processors import navigation
from borneliv.children import services as children_services
from borneliv.children.models import Child
from borneliv.children.testing import synthetic_cpr
from borneliv.growth import services as growth_services
from borneliv.growth.models import MOTOR_ITEM_CODES
from borneliv.lib import downloads
from borneliv.lib.stats import wilson_interval
from borneliv.motor import services
from borneliv.motor import trends as engine
from borneliv.motor import trends_presenter as presenter
from borneliv.motor import trends_selectors as selectors
from borneliv.motor.models import Instrument, InstrumentVersion, Session
from borneliv.motor.tests.conftest import ClientFor
from borneliv.organisations.models import Area, Institution
from borneliv.testing import World, add_daycares
from borneliv.testing_words import error_summary_problems

pytestmark = pytest.mark.django_db

PAGE = "/motor/trends/"
TODAY = dt.date(2026, 11, 26)  # in school year 2026/27
YEARS = "year_from=2025&year_to=2026"
GROUP = "Mellemgruppen"
AUTUMN_2025 = dt.date(2025, 10, 7)
SPRING_2026 = dt.date(2026, 3, 10)
AUTUMN_2026 = dt.date(2026, 10, 6)
SKILLS = ("run", "jump", "hop", "climb", "one_leg", "beam")
NOT_YET = {"AA": 0, "FS": 1, "CH": 3}


@dataclass
class Scenario:
    world: World
    second_daycare: Institution
    twice: Child


class Builder:
    """Registers and enrols children, records sessions and their scores through the services."""

    def __init__(self, world: World, version: InstrumentVersion) -> None:
        self.world = world
        self.version = version
        self.serial = itertools.count()

    def child(
        self,
        area: Area,
        daycare: Institution | None,
        born: dt.date,
        *,
        resident_from: dt.date | None = None,
        sex: str | None = None,
    ) -> Child:
        number = next(self.serial)
        child = children_services.child_register(
            cpr=synthetic_cpr(born + dt.timedelta(days=number % 60), number // 60 * 2, sex=sex),
            first_name="Barn",
            last_name=f"Nr{number:03d}",
            area=area,
            resident_from=resident_from,
            is_synthetic=True,
        )
        if daycare is not None:
            children_services.enrolment_start(
                child=child, institution=daycare, valid_from=dt.date(2025, 8, 1), group=GROUP
            )
        return child

    def session(self, by: Any, daycare: Institution, on: dt.date, children: list[Child]) -> Session:
        return services.session_create(
            by=by,
            institution=daycare,
            group=GROUP,
            held_on=on,
            version=self.version,
            children=children,
        )

    def score(self, by: Any, session: Session, levels: dict[Child, str]) -> None:
        cells = []
        for child, level in levels.items():
            remarks = NOT_YET[level]
            for i, code in enumerate(SKILLS):
                cells.append(services.Cell(child.pk, code, "not_yet" if i < remarks else "masters"))
            cells.append(services.Cell(child.pk, "joy", "often"))
        services.scores_save(by=by, session=session, cells=cells)


def build_scenario(world: World) -> Scenario:
    version = InstrumentVersion.objects.get(instrument__code="motor-4", number=1)
    b = Builder(world, version)
    lindholm, vejgaard = world.lindholm, world.vejgaard
    herstedlund, slangerup = world.herstedlund, world.slangerup
    daycare, galaksen, troldhoj = (
        world.lindholm_daycare,
        world.albertslund_daycare,
        world.troldhoj,
    )
    born = dt.date(2021, 3, 1)

    # --- 2025/26 ---
    levels: dict[Child, str] = {}
    twice = b.child(lindholm, daycare, born)
    no_address = b.child(lindholm, daycare, born, resident_from=dt.date(2026, 1, 1))
    mover = b.child(lindholm, daycare, born)
    levels |= {no_address: "AA", mover: "AA"}
    levels |= {b.child(lindholm, daycare, born): "AA" for _ in range(7)}
    levels |= {b.child(lindholm, daycare, born): "FS" for _ in range(5)}
    levels |= {b.child(lindholm, daycare, born): "CH" for _ in range(5)}
    levels |= {b.child(vejgaard, daycare, born): "AA" for _ in range(5)}
    insufficient = b.child(lindholm, daycare, born)
    unscored = b.child(lindholm, daycare, born)
    absent = b.child(lindholm, daycare, born)
    autumn = b.session(
        world.hanne, daycare, AUTUMN_2025, [twice, *levels, insufficient, unscored, absent]
    )
    b.score(world.hanne, autumn, {**levels, twice: "CH"})
    services.scores_save(
        by=world.hanne,
        session=autumn,
        cells=[services.Cell(insufficient.pk, code, "masters") for code in SKILLS[:2]],
    )
    services.assessment_set_present(
        by=world.hanne, session=autumn, child_id=absent.pk, present=False
    )
    services.session_close(by=world.hanne, session=autumn, accept_few_observations=True)
    spring = b.session(world.hanne, daycare, SPRING_2026, [twice])
    b.score(world.hanne, spring, {twice: "AA"})
    children_services.child_move(child=mover, area=herstedlund, on=dt.date(2026, 1, 1))

    albertslund = {b.child(herstedlund, galaksen, born): "AA" for _ in range(5)}
    albertslund |= {b.child(herstedlund, galaksen, born): "CH" for _ in range(5)}
    session = b.session(world.astrid, galaksen, AUTUMN_2025, list(albertslund))
    b.score(world.astrid, session, albertslund)

    frederikssund = {b.child(slangerup, troldhoj, born): "AA" for _ in range(8)}
    session = b.session(world.pia, troldhoj, AUTUMN_2025, list(frederikssund))
    b.score(world.pia, session, frederikssund)

    # School start 2025/26: ten boys in Lindholm, five with motor difficulties.
    for i in range(10):
        child = b.child(lindholm, None, dt.date(2019, 9, 1), sex="M")
        remarks: dict[str, bool | None] = dict.fromkeys(MOTOR_ITEM_CODES, False)
        if i < 5:
            remarks |= {"walk": True, "jump": True, "balance": True}
        growth_services.exam_record(child=child, examined_on=dt.date(2025, 11, 3), remarks=remarks)

    # --- 2026/27 ---
    younger = dt.date(2022, 3, 1)
    second = add_daycares(world, 1)[0]
    levels = {b.child(lindholm, daycare, younger): "AA" for _ in range(14)}
    levels |= {b.child(lindholm, daycare, younger): "FS" for _ in range(5)}
    levels |= {b.child(lindholm, daycare, younger): "CH" for _ in range(2)}
    session = b.session(world.hanne, daycare, AUTUMN_2026, list(levels))
    b.score(world.hanne, session, levels)
    few = {b.child(lindholm, second, younger): "AA" for _ in range(3)}
    session = b.session(world.hanne, second, AUTUMN_2026, list(few))
    b.score(world.hanne, session, few)
    albertslund = {b.child(herstedlund, galaksen, younger): "AA" for _ in range(5)}
    albertslund |= {b.child(herstedlund, galaksen, younger): "CH" for _ in range(5)}
    session = b.session(world.astrid, galaksen, AUTUMN_2026, list(albertslund))
    b.score(world.astrid, session, albertslund)
    return Scenario(world=world, second_daycare=second, twice=twice)


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
def _setup(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    settings.DISCLOSURE_THRESHOLD = 5
    monkeypatch.setattr("borneliv.motor.views.trends.today", lambda: TODAY)


# --- helpers --------------------------------------------------------------------------------------


def trends_for(world: World, persona: str, **query: Any) -> presenter.Trends:
    user = world.persona(persona)
    values: dict[str, Any] = {
        "year_from": 2025,
        "year_to": 2026,
        "municipality_code": None,
        "instrument_code": None,
    }
    values.update(query)
    instruments = list(Instrument.objects.order_by("code"))
    return selectors.trends_for(
        user,
        selectors.trends_query(user, on=TODAY, instruments=instruments, **values),
    )


def line(lines: list[presenter.ShownLine], label: str, period: str) -> presenter.ShownLine:
    found = [x for x in lines if x.label == label and x.period_label == period]
    assert len(found) == 1, [(x.label, x.period_label) for x in lines]
    return found[0]


def counts(shown: presenter.ShownLine) -> tuple[int | None, list[int | None]]:
    return shown.line.n, [f.k for f in shown.line.figures]


def ci(k: int, n: int) -> tuple[float, float]:
    low, high = wilson_interval(k, n)
    return float(low), float(high)


# --- the figures ------------------------------------------------------------------------------------


def test_it_counts_each_child_once_a_year_in_the_area_it_lived_in(scenario: Scenario) -> None:
    figures = trends_for(scenario.world, "ada")
    lines = figures.area_lines
    assert counts(line(lines, "Lindholm", "2025/26")) == (20, [10, 5, 5])
    assert counts(line(lines, "Vejgaard", "2025/26")) == (5, [5, 0, 0])
    assert counts(line(lines, "Herstedlund", "2025/26")) == (10, [5, 0, 5])
    assert counts(line(lines, "Slangerup", "2025/26")) == (8, [8, 0, 0])
    assert counts(line(lines, "All programme areas", "2025/26")) == (38, [23, 5, 10])
    assert counts(line(lines, "All comparison areas", "2025/26")) == (5, [5, 0, 0])


def test_shares_come_with_wilson_intervals(scenario: Scenario) -> None:
    lindholm = line(trends_for(scenario.world, "ada").area_lines, "Lindholm", "2025/26")
    age_appropriate, few_signs, challenges = lindholm.line.figures
    assert (age_appropriate.share, few_signs.share, challenges.share) == (0.5, 0.25, 0.25)
    assert (challenges.low, challenges.high) == pytest.approx(ci(5, 20))
    assert (age_appropriate.low, age_appropriate.high) == pytest.approx(ci(10, 20))
    slangerup = line(trends_for(scenario.world, "ada").area_lines, "Slangerup", "2025/26")
    assert slangerup.line.figures[0].share == 1.0
    assert slangerup.line.figures[2].share == 0.0


def test_children_without_a_summary_are_left_out_and_counted(scenario: Scenario) -> None:
    figures = trends_for(scenario.world, "ada")
    # The child observed on two items and the one with no scores; the absent child not at all.
    assert figures.unsummarised == 2
    assert figures.unsummarised_text == "fewer than 5"


def test_the_daycare_table_counts_children_where_they_were_observed(scenario: Scenario) -> None:
    figures = trends_for(scenario.world, "ada")
    daycares = figures.daycare_lines
    assert counts(line(daycares, "Børnehaven Lindholm Å", "2025/26")) == (25, [15, 5, 5])
    assert counts(line(daycares, "Børnehuset Galaksen", "2025/26")) == (10, [5, 0, 5])
    assert counts(line(daycares, "All daycares in Aalborg", "2025/26")) == (25, [15, 5, 5])
    assert counts(line(daycares, "Børnehuset Troldhøj", "2025/26")) == (8, [8, 0, 0])


def test_the_4_year_figure_stands_beside_the_prevalence_pages_school_start_figure(
    scenario: Scenario,
) -> None:
    lindholm = line(trends_for(scenario.world, "ada").comparison_lines, "Lindholm", "2025/26")
    assert (lindholm.line.challenges.k, lindholm.line.challenges.n) == (5, 20)
    school = lindholm.school_start_figure
    assert (school.n, school.k, school.share) == (10, 5, 0.5)
    assert (school.low, school.high) == pytest.approx(ci(5, 10))
    # 2026/27: no exams yet.
    later = line(trends_for(scenario.world, "ada").comparison_lines, "Lindholm", "2026/27")
    assert later.school_start_figure.is_empty


# --- suppression --------------------------------------------------------------------------------


def test_a_level_below_the_threshold_is_hidden_with_a_partner(scenario: Scenario) -> None:
    lindholm = line(trends_for(scenario.world, "lars").area_lines, "Lindholm", "2026/27")
    assert lindholm.line.n == 24  # 17 AA, 5 FS, 2 CH
    age_appropriate, few_signs, challenges = lindholm.line.figures
    assert challenges.hidden == "small"
    assert challenges.k is None and challenges.share is None and challenges.low is None
    # With n shown, one hidden level could be worked out from the others: a second is hidden.
    assert sum(1 for f in (age_appropriate, few_signs) if f.hidden) >= 1


def _hidden(shown: presenter.ShownLine) -> list[bool]:
    return [bool(f.hidden) for f in shown.line.figures] + [bool(shown.hidden)]


def _assert_no_single_hidden(label: str, lines: list[presenter.ShownLine]) -> None:
    rows = [_hidden(x) for x in lines]
    for row in rows:
        assert sum(row) != 1, (label, rows)
    if len(rows) > 1:
        for column in np.array(rows).T:
            assert column.sum() != 1, (label, rows)


@pytest.mark.parametrize("persona", ["ada", "rikke", "lars", "hanne"])
def test_no_shown_line_or_column_has_a_single_hidden_figure(
    scenario: Scenario, persona: str
) -> None:
    """Every hidden figure has a hidden partner in its line, and in its column beside the total
    shown (the areas and the kind's total, or one municipality's areas and its total)."""
    figures = trends_for(scenario.world, persona)
    for block in figures.area_blocks:
        for group in block.groups:
            _assert_no_single_hidden(f"{block.label} {group.label}", group.lines)
    if persona == "lars":
        return  # a project leader is not shown the daycares whose lines are hidden
    for block in figures.daycare_blocks:
        by_municipality: dict[str, list[presenter.ShownLine]] = {}
        for x in block.groups[0].lines:
            by_municipality.setdefault(x.municipality, []).append(x)
        for municipality, lines in by_municipality.items():
            _assert_no_single_hidden(f"{block.label} {municipality}", lines)


def test_suppress_levels_hides_small_counts_and_their_partners() -> None:
    # Two areas and their total; area 2 has 2 children with challenges.
    table = [[10, 5, 5], [12, 6, 2], [22, 11, 7]]
    reasons = engine.suppress_levels(table, 5)
    # Its line hides few signs beside it (the smaller partner); each column then hides area 1's.
    assert reasons.tolist() == [
        ["", "complementary", "complementary", ""],
        ["", "complementary", "small", ""],
        ["", "", "", ""],
    ]
    # A line of fewer than five children is hidden whole, and so is a partner line.
    reasons = engine.suppress_levels([[3, 0, 0], [20, 5, 5], [23, 5, 5]], 5)
    assert reasons[0].tolist() == ["small"] * 4
    assert all(reasons[1]) or all(reasons[2])


# --- scope --------------------------------------------------------------------------------------


def test_the_project_leader_sees_only_her_municipality(scenario: Scenario) -> None:
    figures = trends_for(scenario.world, "lars")
    labels = {x.label for x in figures.area_lines}
    assert labels == {"Lindholm", "Vejgaard", "All programme areas", "All comparison areas"}
    assert figures.shows_daycares
    daycares = {x.label for x in figures.daycare_lines}
    # The second daycare's three children are too few: a project leader does not see the line.
    assert scenario.second_daycare.name not in daycares
    assert "Børnehaven Lindholm Å" in daycares and "Børnehuset Galaksen" not in daycares


def test_the_health_visitor_sees_her_units_daycares_even_when_hidden(scenario: Scenario) -> None:
    figures = trends_for(scenario.world, "hanne")
    second = line(figures.daycare_lines, scenario.second_daycare.name, "2026/27")
    assert second.hidden == "small" and second.line.n is None
    assert {x.municipality for x in figures.daycare_lines} == {"Aalborg"}
    assert "Herstedlund" not in {x.label for x in figures.area_lines}
    astrid = trends_for(scenario.world, "astrid")
    assert {x.label for x in astrid.daycare_lines} >= {"Børnehuset Galaksen"}
    assert "Lindholm" not in {x.label for x in astrid.area_lines}


def test_the_researcher_sees_every_area_but_no_daycare(scenario: Scenario) -> None:
    figures = trends_for(scenario.world, "rikke")
    assert {"Lindholm", "Herstedlund", "Slangerup", "Vejgaard"} <= {
        x.label for x in figures.area_lines
    }
    assert not figures.shows_daycares and figures.daycare_lines == []


def test_a_municipality_outside_the_scope_answers_404(
    scenario: Scenario, client_for: ClientFor
) -> None:
    client = client_for("lars")
    assert client.get(f"{PAGE}?municipality=0165").status_code == 404
    assert client.get(f"{PAGE}?municipality=0851&{YEARS}").status_code == 200


@pytest.mark.parametrize("persona", ["pia", "tina", "carl", "otto"])
def test_others_may_not_open_the_trends(
    scenario: Scenario, client_for: ClientFor, persona: str
) -> None:
    client = client_for(persona)
    assert client.get(PAGE).status_code == 403
    assert client.get(f"{PAGE}?format=csv").status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(scenario: Scenario) -> None:
    response = Client().get(PAGE)
    assert response.status_code == 302 and "login" in response["Location"]


# --- the page -----------------------------------------------------------------------------------


def test_the_project_leader_sees_aggregates_only(
    scenario: Scenario,
    client_for: ClientFor,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    client = client_for("lars")
    # Session, user, memberships (the scope), the municipalities in scope, the instruments, the
    # areas, the school-start exams, the daycares, the assessments, the footer's programme
    # municipalities.
    with django_assert_num_queries(10):
        response = client.get(f"{PAGE}?{YEARS}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Motor skills over time" in html
    assert "school years" in html
    assert "Lindholm" in html and "Herstedlund" not in html
    assert "Nr0" not in html  # no child's name
    assert "50.0 %" in html  # Lindholm's school-start figure, 2025/26
    assert "fewer than 5" in html


def test_the_query_count_does_not_grow_with_the_data(
    scenario: Scenario,
    client_for: ClientFor,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    client = client_for("ada")
    with django_assert_num_queries(10):
        assert client.get(f"{PAGE}?year_from=2017&year_to=2026").status_code == 200


def test_bad_choices_are_refused_with_a_message(scenario: Scenario, client_for: ClientFor) -> None:
    client = client_for("rikke")
    response = client.get(f"{PAGE}?year_from=2026&year_to=2025")
    assert response.status_code == 400
    assert "The first year comes after the last." in response.content.decode()
    response = client.get(f"{PAGE}?year_from=soon")
    assert response.status_code == 400 and "Choose a year." in response.content.decode()
    assert client.get(f"{PAGE}?instrument=nope").status_code == 400
    assert client.get(f"{PAGE}?year_from=2010&year_to=2026").status_code == 400
    assert client.get(f"{PAGE}?year_from=2027&year_to=2027").status_code == 400
    assert client.get(f"{PAGE}?year_to=2024&year_from=2025&format=csv").status_code == 400


def test_another_instrument_has_no_observations_yet(
    scenario: Scenario, client_for: ClientFor
) -> None:
    response = client_for("ada").get(f"{PAGE}?instrument=school-start&{YEARS}")
    assert response.status_code == 200
    assert "No observations to show yet" in response.content.decode()


# --- CSV ----------------------------------------------------------------------------------------


def test_the_tables_download_as_xlsx_with_the_csvs_rows(
    scenario: Scenario, client_for: ClientFor
) -> None:
    client = client_for("lars")
    body = client.get(f"{PAGE}?{YEARS}&format=csv").content.decode("utf-8-sig")
    csv_rows = list(csv.reader(io.StringIO(body), delimiter=";"))
    response = client.get(f"{PAGE}?{YEARS}&format=xlsx")
    assert response["Content-Type"] == downloads.XLSX_TYPE
    assert response["Content-Disposition"] == (
        'attachment; filename="motor-skills-over-time-motor-4-2025-2026.xlsx"'
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    assert [["" if v is None else str(v) for v in row] for row in sheet.values] == csv_rows


def test_the_csv_holds_the_pages_figures_with_hidden_ones_empty(
    scenario: Scenario, client_for: ClientFor
) -> None:
    response = client_for("lars").get(f"{PAGE}?{YEARS}&format=csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == [
        "Table",
        "School year",
        "Kind",
        "Area or daycare",
        "Municipality",
        "Figure",
        "Children counted (n)",
        "Of them (k)",
        "Percent",
        "95 % CI from",
        "95 % CI to",
        "Status",
    ]
    by_key = {(r[0], r[1], r[3], r[5]): r for r in rows[1:]}
    low, high = ci(5, 20)
    challenges = "Challenges with motor skills"
    shown = by_key[("By area", "2025/26", "Lindholm", challenges)]
    assert shown[6:] == ["20", "5", "25.0", f"{100 * low:.1f}", f"{100 * high:.1f}", "shown"]
    hidden = by_key[("By area", "2026/27", "Lindholm", challenges)]
    assert hidden[6:] == ["", "", "", "", "", "hidden: fewer than 5 children"]
    school = by_key[
        ("At 4 beside school start", "2025/26", "Lindholm", "Motor difficulties at school start")
    ]
    assert school[6:9] == ["10", "5", "50.0"]
    assert not any(r[3] == "Herstedlund" for r in rows)
    assert not any(r[3] == scenario.second_daycare.name for r in rows)


# --- navigation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("hanne", {"Motor assessment", "Motor trends"}),
        ("pia", {"Motor assessment"}),
        ("lars", {"Motor trends"}),
        ("rikke", {"Motor trends"}),
        ("ada", {"Motor assessment", "Motor trends", "Instruments"}),
        ("otto", set()),
    ],
)
def test_the_navigation_offers_the_motor_pages_by_role(
    world: World, persona: str, expected: set[str]
) -> None:
    request = RequestFactory().get("/motor/trends/")
    request.user = world.persona(persona)
    items = {str(item["label"]): item for item in navigation(request)["nav_items"]}
    motor = {"Motor assessment", "Motor trends", "Instruments"}
    assert motor & set(items) == expected
    urls = {
        "Motor assessment": "/motor/",
        "Motor trends": PAGE,
        "Instruments": "/motor/instruments/",
    }
    for label in expected:
        assert items[label]["url"] == urls[label]
    if "Motor trends" in expected:
        assert items["Motor trends"]["active"]


# --- words (#10) ----------------------------------------------------------------------------------


def test_the_csv_file_is_named_in_danish_on_a_danish_page(
    scenario: Scenario, client_for: ClientFor
) -> None:
    client = client_for("lars")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "da"
    response = client.get(f"{PAGE}?{YEARS}&format=csv")
    assert response["Content-Disposition"].startswith('attachment; filename="motorik-over-tid-')
    english = client_for("lars").get(f"{PAGE}?{YEARS}&format=csv")
    assert english["Content-Disposition"].startswith(
        'attachment; filename="motor-skills-over-time-'
    )


def test_a_bad_year_is_summed_up_first_and_marked_at_its_field(
    scenario: Scenario, client_for: ClientFor
) -> None:
    response = client_for("rikke").get(f"{PAGE}?year_from=soon")
    assert response.status_code == 400
    html = response.content.decode()
    assert error_summary_problems(html, heading="There is a problem") == []
    assert '<li><a href="#id_year_from">Choose a year.</a></li>' in html
