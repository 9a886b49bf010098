"""The health visitor's worklist: buckets, filters, sorting, pagination, exports, logging, queries."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import translation
from openpyxl import load_workbook
from pytest_django import DjangoAssertNumQueries

from borneliv.children.models import AccessLog, Child
from borneliv.children.services import cpr_of
from borneliv.healthvisits import selectors
from borneliv.healthvisits.schedule import Status
from borneliv.healthvisits.selectors import Bucket, Sort, WorklistFilters
from borneliv.healthvisits.templatetags.healthvisits import status_label
from borneliv.healthvisits.tests.conftest import TODAY, MakeChild
from borneliv.testing import World

pytestmark = pytest.mark.django_db

ClientFor = Callable[[str], Client]

# The session, the user and her memberships (3); stages and overrides (2); the areas of the filter
# (1); the facts: children, contacts, skips, vulnerability, residences (5); the access log (1);
# the page's footer, the programme municipalities (1). The export makes the same queries but the
# footer's: it only swaps the page for a file.
WORKLIST_QUERIES = 13
EXPORT_QUERIES = 12


@pytest.fixture
def children(world: World, make_child: MakeChild) -> dict[str, Child]:
    """Hanne's children on TODAY, one per situation, plus some she must not see."""
    return {
        "due": make_child(age_days=130, first_name="Alma", last_name="Andersen"),
        "closing": make_child(age_days=175, first_name="Bo", last_name="Berg"),
        "overdue": make_child(age_days=200, first_name="Carl", last_name="Dahl"),
        "opening": make_child(age_days=116, first_name="Dina", last_name="Eriksen"),
        "vulnerable": make_child(
            age_days=60, first_name="Emil", last_name="Frost", vulnerable=True
        ),
        # Vejgaard is a comparison area: ordinary stages only.
        "vejgaard": make_child(
            age_days=60, first_name="Frida", last_name="Gade", area=world.vejgaard
        ),
        "old": make_child(age_days=3 * 365, first_name="Gorm", last_name="Holm"),
        "albertslund": make_child(
            age_days=130, first_name="Hans", last_name="Juhl", area=world.herstedlund
        ),
    }


def listed(client: Client, query: str = "") -> list[tuple[str, str, str]]:
    response = client.get(f"/healthvisits/{query}")
    assert response.status_code == 200
    return [(row.first_name, row.stage.code, row.status.value) for row in response.context["rows"]]


def test_it_lists_the_open_stages_of_her_units_children(
    children: dict[str, Child], client_for: ClientFor, frozen: dt.date
) -> None:
    rows = listed(client_for("hanne"), "?sort=name")
    assert rows == [
        ("Alma", "enhanced_visit_4_6m", "due"),
        ("Bo", "enhanced_visit_4_6m", "window_closing"),
        ("Carl", "enhanced_visit_4_6m", "overdue"),
        ("Dina", "enhanced_visit_4_6m", "upcoming"),
        # Ties fall back to the window's end: the 2-month visit closes first.
        ("Emil", "visit_2m", "due"),
        ("Emil", "feeding_phone", "due"),
        ("Frida", "visit_2m", "due"),
    ]


def test_the_buckets_split_the_open_stages_and_count_them(
    children: dict[str, Child], client_for: ClientFor, frozen: dt.date
) -> None:
    client = client_for("hanne")
    response = client.get("/healthvisits/")
    counts = {tab["value"] or "all": tab["count"] for tab in response.context["tabs"]}
    assert counts == {
        "all": 7,
        "opening": 1,
        "due": 4,
        "closing": 1,
        "overdue": 1,
        "vulnerable": 2,
    }
    assert {name for name, *_ in listed(client, "?bucket=due")} == {"Alma", "Emil", "Frida"}
    assert listed(client, "?bucket=opening") == [("Dina", "enhanced_visit_4_6m", "upcoming")]
    assert listed(client, "?bucket=closing") == [("Bo", "enhanced_visit_4_6m", "window_closing")]
    assert listed(client, "?bucket=overdue") == [("Carl", "enhanced_visit_4_6m", "overdue")]
    assert listed(client, "?bucket=vulnerable&sort=stage") == [
        ("Emil", "feeding_phone", "due"),
        ("Emil", "visit_2m", "due"),
    ]


def test_opening_within_7_days_means_tomorrow_up_to_a_week_from_today(
    world: World, make_child: MakeChild
) -> None:
    # The enhanced visit opens on day 120: in 7 days for a child of 113 days, in 8 for 112.
    in_seven = make_child(age_days=113, first_name="Seven")
    make_child(age_days=112, first_name="Eight")
    work = selectors.worklist(world.hanne, TODAY, WorklistFilters(bucket=Bucket.OPENING))
    rows = work.rows(work.order)
    assert [r.first_name for r in rows] == ["Seven"]
    assert rows[0].days_to_open == 7 and rows[0].window_start == TODAY + dt.timedelta(days=7)
    assert rows[0].public_id == in_seven.public_id
    # Not yet open, so not in "open now".
    assert not selectors.worklist(world.hanne, TODAY, WorklistFilters(bucket=Bucket.DUE)).order.size


def test_the_filters_narrow_by_area_stage_and_programme(
    world: World, children: dict[str, Child], client_for: ClientFor, frozen: dt.date
) -> None:
    client = client_for("hanne")
    assert listed(client, f"?area={world.vejgaard.pk}") == [("Frida", "visit_2m", "due")]
    assert listed(client, "?stage=visit_2m") == [
        ("Emil", "visit_2m", "due"),
        ("Frida", "visit_2m", "due"),
    ]
    # Programme contacts only: the ordinary 2-month visit drops out, feeding counselling stays.
    assert ("Emil", "visit_2m", "due") not in listed(client, "?programme=on")
    assert ("Emil", "feeding_phone", "due") in listed(client, "?programme=on")
    # Counts follow the filters; a bucket and a filter combine.
    response = client.get(f"/healthvisits/?area={world.lindholm.pk}&bucket=due")
    assert response.context["tabs"][0]["count"] == 6
    assert {r.first_name for r in response.context["rows"]} == {"Alma", "Emil"}


def test_a_stale_filter_value_is_ignored_rather_than_failing(
    children: dict[str, Child], client_for: ClientFor, frozen: dt.date
) -> None:
    rows = listed(client_for("hanne"), "?area=999999&bucket=closing&sort=nonsense")
    assert rows == [("Bo", "enhanced_visit_4_6m", "window_closing")]


@pytest.mark.parametrize(
    ("sort", "names"),
    [
        ("name", ["Alma", "Bo", "Carl", "Dina", "Emil", "Emil", "Frida"]),
        ("-name", ["Frida", "Emil", "Emil", "Dina", "Carl", "Bo", "Alma"]),
        ("birth", ["Carl", "Bo", "Alma", "Dina", "Emil", "Frida", "Emil"]),
        ("-birth", ["Emil", "Frida", "Emil", "Dina", "Alma", "Bo", "Carl"]),
        ("status", ["Carl", "Bo", "Emil", "Frida", "Alma", "Emil", "Dina"]),
        ("window_end", ["Carl", "Bo", "Emil", "Frida", "Alma", "Dina", "Emil"]),
        ("-window_end", ["Emil", "Dina", "Alma", "Emil", "Frida", "Bo", "Carl"]),
    ],
)
def test_it_sorts_by_each_column(
    children: dict[str, Child],
    client_for: ClientFor,
    frozen: dt.date,
    sort: str,
    names: list[str],
) -> None:
    assert [name for name, *_ in listed(client_for("hanne"), f"?sort={sort}")] == names


def test_sorting_by_stage_follows_the_schedule_order(
    children: dict[str, Child], world: World
) -> None:
    work = selectors.worklist(world.hanne, TODAY, WorklistFilters(sort=Sort.STAGE))
    orders = [row.stage.sort_order for row in work.rows(work.order)]
    assert orders == sorted(orders)
    assert work.rows(work.order)[0].stage.code == "feeding_phone"


def test_a_column_header_toggles_the_direction(
    children: dict[str, Child], client_for: ClientFor, frozen: dt.date
) -> None:
    client = client_for("hanne")
    columns = client.get("/healthvisits/?sort=name").context["columns"]
    assert columns[0]["next"] == "-name" and columns[0]["aria_sort"] == "ascending"
    assert columns[1]["next"] == "birth" and columns[1]["aria_sort"] == ""
    columns = client.get("/healthvisits/?sort=-name").context["columns"]
    assert columns[0]["next"] == "name" and columns[0]["aria_sort"] == "descending"


def test_it_paginates_fifty_rows_a_page(
    world: World, make_child: MakeChild, client_for: ClientFor, frozen: dt.date
) -> None:
    for i in range(60):
        make_child(age_days=125 + i % 40, first_name=f"C{i:02d}")
    client = client_for("hanne")
    first = client.get("/healthvisits/?sort=name")
    second = client.get("/healthvisits/?sort=name&page=2")
    assert len(first.context["rows"]) == 50 and len(second.context["rows"]) == 10
    names = [r.first_name for r in first.context["rows"]] + [
        r.first_name for r in second.context["rows"]
    ]
    assert names == [f"C{i:02d}" for i in range(60)]
    assert "page=2" in first.content.decode()
    # A page past the end shows the last one.
    assert len(client.get("/healthvisits/?page=9").context["rows"]) == 10


def test_it_logs_one_read_per_child_shown(
    children: dict[str, Child], client_for: ClientFor, frozen: dt.date, world: World
) -> None:
    client_for("hanne").get("/healthvisits/")
    logged = AccessLog.objects.filter(view="worklist", user=world.hanne)
    shown = {
        children[k].pk for k in ("due", "closing", "overdue", "opening", "vulnerable", "vejgaard")
    }
    assert sorted(logged.values_list("child_id", flat=True)) == sorted(shown)


def test_an_empty_worklist_logs_nothing(client_for: ClientFor, frozen: dt.date) -> None:
    response = client_for("hanne").get("/healthvisits/")
    assert response.status_code == 200
    assert "no open contacts" in response.content.decode().lower() or not response.context["rows"]
    assert not AccessLog.objects.exists()


@pytest.mark.parametrize("persona", ["lars", "rikke", "pia", "otto", "ada"])
def test_only_health_visitors_have_a_worklist(client_for: ClientFor, persona: str) -> None:
    assert client_for(persona).get("/healthvisits/").status_code == 403


def test_it_asks_an_anonymous_visitor_to_log_in() -> None:
    response = Client().get("/healthvisits/")
    assert response.status_code == 302 and "/login" in response["Location"]


def test_astrid_sees_only_her_municipalitys_children(
    children: dict[str, Child], client_for: ClientFor, frozen: dt.date
) -> None:
    assert listed(client_for("astrid")) == [("Hans", "enhanced_visit_4_6m", "due")]


# Exports


def test_the_csv_export_has_the_filtered_rows_and_no_cpr(
    children: dict[str, Child], client_for: ClientFor, frozen: dt.date, world: World
) -> None:
    response = client_for("hanne").get("/healthvisits/?format=csv&bucket=due&sort=name")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="arbejdsliste-2025-03-10.csv"' in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert len(rows) == 1 + 4  # "open now": Alma, Emil twice, Frida (not Dina: opening)
    alma = next(r for r in rows if r[0] == "Alma Andersen")
    born = children["due"].birth_date
    assert alma[1:] == [
        born.isoformat(),
        "Lindholm",
        alma[3],
        alma[4],
        (born + dt.timedelta(days=120)).isoformat(),
        (born + dt.timedelta(days=183)).isoformat(),
    ]
    for child in children.values():
        digits = cpr_of(child)
        assert digits not in text and f"{digits[:6]}-{digits[6:]}" not in text
    assert str(children["due"].public_id) not in text
    logged = AccessLog.objects.filter(view="worklist_export")
    assert logged.count() == 3  # Alma, Emil (twice in the file, once in the log), Frida


def test_the_xlsx_export_has_the_same_rows(
    children: dict[str, Child], client_for: ClientFor, frozen: dt.date
) -> None:
    response = client_for("hanne").get("/healthvisits/?format=xlsx&sort=name")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert len(values) == 1 + 7
    assert values[1][0] == "Alma Andersen"
    assert values[1][1].date() == children["due"].birth_date  # a real date cell
    assert values[1][2] == "Lindholm"
    flat = " ".join(str(v) for row in values for v in row)
    for child in children.values():
        assert cpr_of(child) not in flat
    assert AccessLog.objects.filter(view="worklist_export").count() == 6


def test_an_export_defuses_text_that_looks_like_a_formula(
    world: World, make_child: MakeChild, client_for: ClientFor, frozen: dt.date
) -> None:
    make_child(age_days=130, first_name="=HYPERLINK(1)", last_name="X")
    client = client_for("hanne")
    text = client.get("/healthvisits/?format=csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK(1) X" in text
    sheet = load_workbook(io.BytesIO(client.get("/healthvisits/?format=xlsx").content)).active
    assert sheet is not None
    assert (sheet["A2"].value, sheet["A2"].data_type) == ("=HYPERLINK(1) X", "s")


def test_the_export_shows_statuses_in_the_users_language(
    children: dict[str, Child], client_for: ClientFor, frozen: dt.date
) -> None:
    text = (
        client_for("hanne")
        .get("/healthvisits/?format=csv&bucket=overdue")
        .content.decode("utf-8-sig")
    )
    with translation.override("da"):
        label = str(status_label(Status.OVERDUE))
    assert label == "Overskredet"
    assert text.splitlines()[1].split(";")[4] == label


# Query counts


@pytest.mark.parametrize("count", [10, 60])
def test_the_worklist_takes_a_fixed_number_of_queries(
    world: World,
    make_child: MakeChild,
    client_for: ClientFor,
    frozen: dt.date,
    django_assert_num_queries: DjangoAssertNumQueries,
    count: int,
) -> None:
    for i in range(count):
        make_child(age_days=60 + 3 * i, vulnerable=i % 4 == 0)
    client = client_for("hanne")
    with django_assert_num_queries(WORKLIST_QUERIES):
        response = client.get("/healthvisits/?sort=status")
    assert response.status_code == 200
    assert len(response.context["rows"]) == min(50, response.context["total"])
    assert response.context["total"] >= count // 2


@pytest.mark.parametrize("count", [10, 60])
def test_the_export_takes_a_fixed_number_of_queries(
    world: World,
    make_child: MakeChild,
    client_for: ClientFor,
    frozen: dt.date,
    django_assert_num_queries: DjangoAssertNumQueries,
    count: int,
) -> None:
    for i in range(count):
        make_child(age_days=60 + 3 * i)
    client = client_for("hanne")
    with django_assert_num_queries(EXPORT_QUERIES):
        response = client.get("/healthvisits/?format=xlsx")
    assert response.status_code == 200


def test_a_comparison_area_child_gets_no_programme_stage(
    world: World, make_child: MakeChild
) -> None:
    # A vulnerable family in Vejgaard: the ordinary 2-month visit, no breastfeeding calls; and
    # no enhanced visit at 4–6 months for an older child there.
    make_child(age_days=60, first_name="Ane", area=world.vejgaard, vulnerable=True)
    make_child(age_days=130, first_name="Bent", area=world.vejgaard)
    work = selectors.worklist(world.hanne, TODAY)
    assert [(r.first_name, r.stage.code) for r in work.rows(work.order)] == [("Ane", "visit_2m")]


def test_the_selector_counts_statuses_like_the_engine(
    children: dict[str, Child], world: World
) -> None:
    work = selectors.worklist(world.hanne, TODAY)
    statuses = [row.status for row in work.rows(work.order)]
    assert statuses.count(Status.DUE) == 4 and statuses.count(Status.UPCOMING) == 1


def test_an_administrator_who_visits_too_sees_only_her_units_children(
    children: dict[str, Child], world: World
) -> None:
    from borneliv.accounts.models import Role
    from borneliv.accounts.services import membership_create
    from borneliv.testing import MEMBERS_FROM

    membership_create(
        user=world.ada,
        role=Role.HEALTH_VISITOR,
        institution=world.albertslund_health,
        valid_from=MEMBERS_FROM,
    )
    world.ada.forget_scope()
    work = selectors.worklist(world.ada, TODAY)
    assert [r.first_name for r in work.rows(work.order)] == ["Hans"]


def test_a_planned_breastfeeding_call_comes_back_on_the_worklist(
    world: World, make_child: MakeChild, record: Callable[..., object]
) -> None:
    from borneliv.healthvisits import services
    from borneliv.healthvisits.tests.conftest import stage, unit_of

    child = make_child(age_days=40, first_name="Ida", vulnerable=True)
    services.contact_record(
        child=child,
        unit=unit_of(world, child),
        by=world.hanne,
        contact_date=TODAY - dt.timedelta(days=2),
        mode="phone",
        outcome="completed",
        stage=stage("feeding_phone"),
        next_contact_on=TODAY + dt.timedelta(days=5),
    )

    def feeding_rows(on: dt.date) -> list[tuple[str, dt.date]]:
        work = selectors.worklist(world.hanne, on)
        return [
            (r.status.value, r.window_start)
            for r in work.rows(work.order)
            if r.stage.code == "feeding_phone"
        ]

    planned = TODAY + dt.timedelta(days=5)
    assert feeding_rows(TODAY) == [("upcoming", planned)]  # within the week ahead
    before = TODAY - dt.timedelta(days=3)  # the series had not started: the window is due
    assert feeding_rows(before) == [("due", child.birth_date + dt.timedelta(days=7))]
    assert feeding_rows(planned) == [("due", planned)]
