"""Coverage indicators: correct on a small constructed world, suppressed below the threshold."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

import pytest
from django.test import Client
from openpyxl import load_workbook
from pytest_django import DjangoAssertNumQueries, Settings

from borneliv.children.models import Child
from borneliv.children.services import family_create, vulnerability_set
from borneliv.healthvisits import coverage, services
from borneliv.healthvisits.coverage import By, Table
from borneliv.healthvisits.models import Contact, Topic
from borneliv.healthvisits.tests.conftest import TODAY, MakeChild, stage
from borneliv.lib import downloads
from borneliv.organisations.models import Area
from borneliv.testing import World

pytestmark = pytest.mark.django_db

ClientFor = Callable[[str], Client]
Record = Callable[..., Contact]
JUNE, JULY, AUGUST = 5, 6, 7


def texts(table: Table, row: str) -> list[str]:
    cells = dict(zip(table.row_labels, table.cells, strict=True))[row]
    return [c.text for c in cells]


def row_total(table: Table, row: str) -> str:
    return dict(zip(table.row_labels, table.row_totals, strict=True))[row].text


@pytest.fixture
def enhanced_world(world: World, make_child: MakeChild, record: Record) -> None:
    """Lindholm's enhanced visits whose windows closed in June, July and August 2024.

    June (born 10.12.2023): 11 children: 5 visited within the window, 1 visited late, 1 skipped,
    4 not visited. July (born 10.01.2024): 2 children, 1 visited. August (born 10.02.2024): 5
    children, all visited. Plus Albertslund children, which Aalborg's figures must not include.
    """

    def group(born: dt.date, visited: int, others: int, area: Area | None = None) -> list[Child]:
        made = []
        for i in range(visited + others):
            child = make_child(born=born, area=area)
            if i < visited:
                by = world.astrid if area is world.herstedlund else world.hanne
                record(child, "enhanced_visit_4_6m", on=born + dt.timedelta(days=150), by=by)
            made.append(child)
        return made

    june = group(dt.date(2023, 12, 10), visited=5, others=6)
    record(june[5], "enhanced_visit_4_6m", on=june[5].birth_date + dt.timedelta(days=190))
    services.stage_skip(
        child=june[6],
        stage=stage("enhanced_visit_4_6m"),
        reason="hospitalised",
        explanation="",
        by=world.hanne,
        on=june[6].birth_date + dt.timedelta(days=100),
    )
    group(dt.date(2024, 1, 10), visited=1, others=1)
    group(dt.date(2024, 2, 10), visited=5, others=0)
    group(dt.date(2023, 12, 10), visited=6, others=0, area=world.herstedlund)


def test_the_enhanced_visit_share_is_counted_by_the_month_the_window_closed(
    enhanced_world: None, world: World
) -> None:
    figures = coverage.compute(world.lars, year=2024, by=By.WINDOW, today=TODAY)
    assert figures.programme.enhanced.row_labels == ["Lindholm"]
    row = texts(figures.programme.enhanced, "Lindholm")
    # June: 5 of 10 within the window (the late visit counts as not done, the skip not at all).
    assert row[JUNE] == "50 % (5/10)"
    # July has 2 children: hidden. August (5/5) is hidden too, or July = total − June − August.
    assert (row[JULY], row[AUGUST]) == ("–", "–")
    cells = dict(
        zip(figures.programme.enhanced.row_labels, figures.programme.enhanced.cells, strict=True)
    )
    assert cells["Lindholm"][JULY].hidden == "small"
    assert cells["Lindholm"][AUGUST].hidden == "complementary"
    assert row_total(figures.programme.enhanced, "Lindholm") == "65 % (11/17)"
    # With one row, August's column total would give August away: hidden as well.
    assert figures.programme.enhanced.column_totals[AUGUST].text == "–"
    assert figures.programme.enhanced.column_totals[JUNE].text == "50 % (5/10)"
    assert figures.programme.enhanced.total.text == "65 % (11/17)"
    assert row[0] == "·"  # nobody's window closed in January


def test_the_enhanced_visit_share_by_birth_cohort(enhanced_world: None, world: World) -> None:
    figures = coverage.compute(world.lars, year=2023, by=By.BIRTH, today=TODAY)
    row = texts(figures.programme.enhanced, "Lindholm")
    assert row[11] == "50 % (5/10)"  # born in December 2023
    assert row_total(figures.programme.enhanced, "Lindholm") == "50 % (5/10)"


def test_every_cell_is_shown_at_a_threshold_of_three(
    enhanced_world: None, world: World, settings: Settings
) -> None:
    settings.DISCLOSURE_THRESHOLD = 3
    figures = coverage.compute(world.lars, year=2024, by=By.WINDOW, today=TODAY)
    row = texts(figures.programme.enhanced, "Lindholm")
    # July (1 of 2) is still hidden: 2 children are fewer than 3.
    assert row[JULY] == "–" and row[AUGUST] == "–"
    settings.DISCLOSURE_THRESHOLD = 5


def test_each_role_sees_the_areas_of_its_scope(enhanced_world: None, world: World) -> None:
    def areas(persona: str) -> list[str]:
        user = world.persona(persona)
        return coverage.compute(
            user, year=2024, by=By.WINDOW, today=TODAY
        ).programme.enhanced.row_labels

    assert areas("lars") == areas("hanne") == ["Lindholm"]
    assert areas("astrid") == ["Herstedlund"]
    assert areas("ada") == areas("rikke") == ["Lindholm", "Herstedlund", "Slangerup"]
    figures = coverage.compute(world.astrid, year=2024, by=By.WINDOW, today=TODAY)
    assert texts(figures.programme.enhanced, "Herstedlund")[JUNE] == "100 % (6/6)"


def test_vulnerable_families_are_counted_once_per_area_and_stage(
    world: World, make_child: MakeChild, record: Record, settings: Settings
) -> None:
    settings.DISCLOSURE_THRESHOLD = 3
    born = dt.date(2024, 1, 15)
    twins = family_create(name="Tvillingerne")
    vulnerability_set(family=twins, reason="young_parents", valid_from=born, by=world.hanne)
    first = make_child(born=born, family=twins)
    make_child(born=born, family=twins)  # the twin: never phoned, but the family was reached
    record(first, "feeding_phone", on=born + dt.timedelta(days=30), mode="phone")
    for _ in range(3):
        child = make_child(born=born, vulnerable=True)
        record(child, "feeding_phone", on=born + dt.timedelta(days=40), mode="phone")
    make_child(born=born)  # not vulnerable: not counted

    figures = coverage.compute(world.lars, year=2024, by=By.WINDOW, today=TODAY)
    labels = figures.programme.vulnerable.column_labels
    row = dict(zip(labels, texts(figures.programme.vulnerable, "Lindholm"), strict=True))
    assert row[stage("feeding_phone").name] == "100 % (4/4)"
    assert row[stage("enhanced_visit_4_6m").name] == "0 % (0/4)"
    assert row[stage("phone_1y").name] == "·"  # the window has not closed yet
    assert labels == [
        stage(c).name for c in ("feeding_phone", "enhanced_visit_4_6m", "phone_1y", "visit_18m")
    ]


def test_topics_are_counted_per_area_and_small_counts_hidden(
    world: World, make_child: MakeChild, record: Record
) -> None:
    child = make_child(born=dt.date(2023, 6, 1))
    day = dt.date(2024, 3, 1)
    for i in range(6):
        record(child, on=day + dt.timedelta(days=i), topics=("motor_play",))
    for i in range(7):
        extra = ("sleep",) if i < 2 else ()
        record(child, on=day + dt.timedelta(days=10 + i), topics=("family_meals", *extra))
    record(child, on=day, topics=("screen_habits",), outcome="not_reached")  # not covered
    record(child, on=dt.date(2025, 1, 5), topics=("screen_habits",))  # another year

    figures = coverage.compute(world.hanne, year=2024, by=By.WINDOW, today=TODAY)
    labels = figures.programme.topics.column_labels
    row = dict(zip(labels, texts(figures.programme.topics, "Lindholm"), strict=True))
    names = {
        code: Topic.objects.get(code=code).name
        for code in ("motor_play", "family_meals", "sleep", "screen_habits")
    }
    assert row[names["family_meals"]] == "7"
    assert row[names["sleep"]] == "<5"
    assert row[names["motor_play"]] == "–"  # hidden so that 'sleep' cannot be worked out
    assert row[names["screen_habits"]] == "0"
    assert row_total(figures.programme.topics, "Lindholm") == "15"


def test_a_contact_counts_in_the_area_the_child_lived_in_that_day(
    world: World, make_child: MakeChild, record: Record, settings: Settings
) -> None:
    from borneliv.children.services import child_move

    settings.DISCLOSURE_THRESHOLD = 3
    child = make_child(born=dt.date(2023, 6, 1))
    for i in range(3):
        record(child, on=dt.date(2024, 3, 1 + i), topics=("sleep",))
    child_move(child=child, area=world.herstedlund, on=dt.date(2024, 6, 1))
    for i in range(4):
        services.contact_record(
            child=child,
            unit=world.albertslund_health,
            by=world.astrid,
            contact_date=dt.date(2024, 7, 1 + i),
            mode="phone",
            outcome="completed",
            topics=[Topic.objects.get(code="sleep")],
        )
    figures = coverage.compute(world.ada, year=2024, by=By.WINDOW, today=TODAY)
    sleep = figures.programme.topics.column_labels.index(Topic.objects.get(code="sleep").name)
    assert texts(figures.programme.topics, "Lindholm")[sleep] == "3"
    assert texts(figures.programme.topics, "Herstedlund")[sleep] == "4"


# The page


@pytest.mark.parametrize("persona", ["ada", "lars", "hanne", "rikke"])
def test_the_page_is_open_to_leaders_health_visitors_and_researchers(
    enhanced_world: None, client_for: ClientFor, frozen: dt.date, persona: str
) -> None:
    response = client_for(persona).get("/healthvisits/coverage/?year=2024&by=window")
    assert response.status_code == 200
    page = response.content.decode()
    assert "50 % (5/10)" in page
    assert "Hidden: too few children" in page or "<abbr" in page


@pytest.mark.parametrize("persona", ["pia", "otto", "carl"])
def test_the_page_is_closed_to_others(client_for: ClientFor, persona: str) -> None:
    assert client_for(persona).get("/healthvisits/coverage/").status_code == 403


def test_the_page_reads_no_child_record(
    enhanced_world: None, client_for: ClientFor, frozen: dt.date
) -> None:
    from borneliv.children.models import AccessLog

    client_for("lars").get("/healthvisits/coverage/?year=2024")
    assert not AccessLog.objects.exists()


def test_a_bad_year_falls_back_to_this_year(client_for: ClientFor, frozen: dt.date) -> None:
    response = client_for("lars").get("/healthvisits/coverage/?year=abc&by=nonsense")
    assert response.status_code == 200
    assert response.context["year"] == TODAY.year and response.context["by"] == By.WINDOW


@pytest.mark.parametrize("count", [3, 12])
def test_the_page_takes_a_fixed_number_of_queries(
    world: World,
    make_child: MakeChild,
    record: Record,
    client_for: ClientFor,
    frozen: dt.date,
    django_assert_num_queries: DjangoAssertNumQueries,
    count: int,
) -> None:
    for i in range(count):
        child = make_child(born=dt.date(2024, 1, 1) + dt.timedelta(days=i), vulnerable=i % 2 == 0)
        record(child, "enhanced_visit_4_6m", on=child.birth_date + dt.timedelta(days=130))
    client = client_for("lars")
    # Session, user, memberships (3); programme and comparison areas (2); stages and overrides
    # (2); the enhanced visit's focus themes (1); the facts (5); topics (1), their counts (1) and
    # the focus themes' counts (1); the footer's programme municipalities (1).
    with django_assert_num_queries(17):
        response = client.get("/healthvisits/coverage/?year=2024")
    assert response.status_code == 200


# Programme and comparison areas, periods, focus themes, breastfeeding, CSV and charts


def test_comparison_areas_are_a_second_series_in_which_the_programme_must_not_show(
    world: World, make_child: MakeChild, record: Record, settings: Settings
) -> None:
    settings.DISCLOSURE_THRESHOLD = 3
    born = dt.date(2024, 1, 10)
    for _ in range(4):
        make_child(born=born, area=world.vejgaard)  # window closed in July 2024, not offered
    figures = coverage.compute(world.lars, year=2024, by=By.WINDOW, today=TODAY)
    assert [a.kind for a in figures.arms] == ["programme", "comparison"]
    assert figures.comparison.enhanced.row_labels == ["Vejgaard"]
    # Every Vejgaard child is counted, and none had the programme's visit.
    assert texts(figures.comparison.enhanced, "Vejgaard")[JULY] == "0 % (0/4)"
    # The programme arm does not count them.
    assert figures.programme.enhanced.total.text == "·"


def test_a_programme_contact_in_a_comparison_area_shows_as_contamination(
    world: World, make_child: MakeChild, settings: Settings
) -> None:
    from borneliv.children.services import child_move

    settings.DISCLOSURE_THRESHOLD = 3
    born = dt.date(2024, 1, 10)
    children = [make_child(born=born) for _ in range(3)]
    for child in children:  # visited in Lindholm, then the family moved to Vejgaard
        services.contact_record(
            child=child,
            unit=world.aalborg_health,
            by=world.hanne,
            contact_date=born + dt.timedelta(days=130),
            mode="home_visit",
            outcome="completed",
            stage=stage("enhanced_visit_4_6m"),
        )
        child_move(child=child, area=world.vejgaard, on=born + dt.timedelta(days=140))
    figures = coverage.compute(world.lars, year=2024, by=By.WINDOW, today=TODAY)
    assert texts(figures.comparison.enhanced, "Vejgaard")[JULY] == "100 % (3/3)"


@pytest.mark.parametrize(
    ("period", "labels", "shown"),
    [
        # June, July and August: 5/10, 1/2 and 5/5. Q3 (6/7) is still hidden — one child not
        # visited is too few — and so Q2, which the year's total would give away.
        ("quarter", ["K1", "K2", "K3", "K4"], ["·", "–", "–", "·"]),
        ("year", ["2024"], ["65 % (11/17)"]),
    ],
)
def test_quarters_and_the_whole_year_gather_small_months(
    enhanced_world: None, world: World, period: str, labels: list[str], shown: list[str]
) -> None:
    from django.utils import translation

    with translation.override("da"):
        figures = coverage.compute(world.lars, year=2024, by=By.WINDOW, today=TODAY, period=period)
    assert figures.programme.enhanced.column_labels == labels
    assert texts(figures.programme.enhanced, "Lindholm") == shown


def test_the_enhanced_visits_covering_all_four_focus_themes(
    world: World, make_child: MakeChild, record: Record, settings: Settings
) -> None:
    settings.DISCLOSURE_THRESHOLD = 3
    four = ("motor_play", "family_meals", "screen_habits", "family_experiences")
    born = dt.date(2024, 1, 10)
    for i in range(6):
        child = make_child(born=born)
        themes = four if i < 3 else four[:3]
        record(child, "enhanced_visit_4_6m", on=dt.date(2024, 6, 1), topics=themes)
    figures = coverage.compute(world.lars, year=2024, by=By.WINDOW, today=TODAY)
    assert texts(figures.programme.themes, "Lindholm")[JUNE] == "50 % (3/6)"
    assert len(figures.focus_themes) == 4


def test_breastfeeding_counts_families_reached_and_calls_per_family(
    world: World, make_child: MakeChild, settings: Settings
) -> None:
    settings.DISCLOSURE_THRESHOLD = 3
    born = dt.date(2024, 1, 10)  # the half year ends in July 2024
    reached = [make_child(born=born, vulnerable=True) for _ in range(3)]
    for _ in range(3):
        make_child(born=born, vulnerable=True)  # never reached
    make_child(born=born)  # not vulnerable: not counted
    calls = {0: 1, 1: 3, 2: 4}
    for i, child in enumerate(reached):
        day = born + dt.timedelta(days=20)
        for n in range(calls[i]):
            services.contact_record(
                child=child,
                unit=world.aalborg_health,
                by=world.hanne,
                contact_date=day + dt.timedelta(days=14 * n),
                mode="phone",
                outcome="completed",
                stage=stage("feeding_phone"),
            )
    figures = coverage.compute(world.lars, year=2024, by=By.WINDOW, today=TODAY)
    assert texts(figures.programme.feeding_reached, "Lindholm")[JULY] == "50 % (3/6)"
    assert texts(figures.programme.feeding_calls, "Lindholm")[JULY] == "2,7 (8/3)"
    settings.DISCLOSURE_THRESHOLD = 5
    figures = coverage.compute(world.lars, year=2024, by=By.WINDOW, today=TODAY)
    assert texts(figures.programme.feeding_calls, "Lindholm")[JULY] == "–"


def test_the_csv_has_every_figure_as_shown(
    enhanced_world: None, client_for: ClientFor, frozen: dt.date
) -> None:
    import csv as csv_module
    import io

    response = client_for("lars").get("/healthvisits/coverage/?year=2024&period=year&format=csv")
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="daekning-2024-hele-aaret.csv"'
    )
    text = response.content.decode("utf-8-sig")
    rows = list(csv_module.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == [
        "tabel", "lokalområder", "lokalområde", "kolonne", "vist", "tæller", "nævner", "status",
    ]  # fmt: skip
    enhanced = [r for r in rows if r[0].startswith("Udvidet hjemmebesøg") and r[2] == "Lindholm"]
    assert enhanced[0] == [
        enhanced[0][0], "Programområder", "Lindholm", "2024", "65 % (11/17)", "11", "17", "vist",
    ]  # fmt: skip
    hidden = [r for r in rows if r[7].startswith("skjult")]
    assert all(r[5] == r[6] == "" for r in hidden)


def test_the_coverage_downloads_as_xlsx(
    enhanced_world: None, client_for: ClientFor, frozen: dt.date
) -> None:
    response = client_for("lars").get("/healthvisits/coverage/?year=2024&period=year&format=xlsx")
    assert response["Content-Type"] == downloads.XLSX_TYPE
    assert response["Content-Disposition"] == (
        'attachment; filename="daekning-2024-hele-aaret.xlsx"'
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.values)
    assert rows[0][:3] == ("tabel", "lokalområder", "lokalområde")
    lindholm = [r for r in rows if r[2] == "Lindholm" and r[3] == "2024"]
    assert lindholm[0][4:7] == ("65 % (11/17)", 11, 17)


def test_the_chart_draws_both_series(
    enhanced_world: None,
    client_for: ClientFor,
    frozen: dt.date,
    world: World,
    make_child: MakeChild,
) -> None:
    for _ in range(5):
        make_child(born=dt.date(2024, 1, 10), area=world.vejgaard)
    response = client_for("lars").get("/healthvisits/coverage/enhanced.svg?year=2024")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    svg = response.content.decode()
    assert 'id="series-programme"' in svg and 'id="series-comparison"' in svg
    assert client_for("lars").get("/healthvisits/coverage/nonsense.svg").status_code == 404
    assert client_for("pia").get("/healthvisits/coverage/enhanced.svg").status_code == 403
