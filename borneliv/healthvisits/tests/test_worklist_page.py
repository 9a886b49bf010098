"""The worklist page reads at a glance: tabs that mean what they say, a child's contacts together,
and the rules of the windows explained from the stage settings."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from borneliv.children.models import Child
from borneliv.healthvisits import selectors
from borneliv.healthvisits.models import Stage
from borneliv.healthvisits.schedule import Status
from borneliv.healthvisits.selectors import Bucket, WorklistFilters
from borneliv.healthvisits.tests.conftest import TODAY, MakeChild
from borneliv.testing import World

pytestmark = pytest.mark.django_db

ClientFor = Callable[[str], Client]


@pytest.fixture
def english(client_for: ClientFor) -> ClientFor:
    """A logged-in client that chose English (the pages are Danish by default)."""

    def make(persona: str) -> Client:
        client = client_for(persona)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make


@pytest.fixture
def children(world: World, make_child: MakeChild) -> dict[str, Child]:
    """One child per tab on TODAY, and a vulnerable one with two contacts open at once."""
    return {
        "opening": make_child(age_days=116, first_name="Dina", last_name="Eriksen"),
        "due": make_child(age_days=130, first_name="Alma", last_name="Andersen"),
        "closing": make_child(age_days=175, first_name="Bo", last_name="Berg"),
        "overdue": make_child(age_days=200, first_name="Carl", last_name="Dahl"),
        "two": make_child(age_days=60, first_name="Emil", last_name="Frost", vulnerable=True),
    }


def test_the_tabs_are_named_for_what_they_hold_in_the_order_a_contact_passes(
    children: dict[str, Child], client_for: ClientFor, frozen: dt.date
) -> None:
    response = client_for("hanne").get("/healthvisits/")
    with translation.override("en"):
        tabs = [(t["value"], str(t["label"]), t["count"]) for t in response.context["tabs"]]
    assert tabs == [
        ("", "All on the list", 6),
        ("opening", "Opening within 7 days", 1),
        ("due", "Open now", 3),
        ("closing", "Window closing", 1),
        ("overdue", "Overdue", 1),
        ("vulnerable", "Vulnerable families", 2),
    ]


def test_the_four_time_buckets_split_the_list_without_overlap(
    children: dict[str, Child], world: World
) -> None:
    everything = selectors.worklist(world.hanne, TODAY)
    seen: list[tuple[int, str]] = []
    expected = {
        Bucket.OPENING: {Status.UPCOMING},
        Bucket.DUE: {Status.DUE},
        Bucket.CLOSING: {Status.CLOSING},
        Bucket.OVERDUE: {Status.OVERDUE},
    }
    for bucket, statuses in expected.items():
        work = selectors.worklist(world.hanne, TODAY, WorklistFilters(bucket=bucket))
        rows = work.rows(work.order)
        assert {row.status for row in rows} == statuses
        assert len(rows) == everything.counts[bucket.value]
        seen += [(row.child_id, row.stage.code) for row in rows]
    assert sorted(seen) == sorted(
        (row.child_id, row.stage.code) for row in everything.rows(everything.order)
    )
    assert sum(everything.counts[b.value] for b in expected) == everything.counts["all"]


def test_a_window_opening_today_is_open_and_one_opening_in_8_days_is_not_listed(
    world: World, make_child: MakeChild
) -> None:
    # The enhanced visit opens on day 120.
    make_child(age_days=120, first_name="Today")
    make_child(age_days=112, first_name="Eight")
    work = selectors.worklist(world.hanne, TODAY, WorklistFilters(stage="enhanced_visit_4_6m"))
    assert [(r.first_name, r.status) for r in work.rows(work.order)] == [("Today", Status.DUE)]


def test_a_childs_contacts_are_shown_together_as_one_group(
    children: dict[str, Child], client_for: ClientFor, frozen: dt.date
) -> None:
    response = client_for("hanne").get("/healthvisits/?sort=window_end")
    rows = [row.first_name for row in response.context["rows"]]
    groups = response.context["groups"]
    # The children in the order of their first row; each child once, with all its rows.
    assert [g.first.row.first_name for g in groups] == list(dict.fromkeys(rows))
    assert {g.first.row.first_name: len(g.rows) for g in groups}["Emil"] == 2
    assert sum(len(g.rows) for g in groups) == len(rows)
    html = response.content.decode()
    bodies = re.findall(r'<tbody class="worklist-child">(.*?)</tbody>', html, re.S)
    assert len(bodies) == len(groups)
    (emil,) = [body for body in bodies if "Emil Frost" in body]
    assert emil.count("Emil Frost</a>") == 1  # the name once, for both contacts
    assert emil.count('class="button button--small"') == 2
    assert 'rowspan="2"' in emil


def test_each_contact_button_names_the_contact_and_the_child_for_screen_readers(
    children: dict[str, Child], english: ClientFor, frozen: dt.date
) -> None:
    html = english("hanne").get("/healthvisits/").content.decode()
    stage = Stage.objects.get(code="enhanced_visit_4_6m")
    hidden = f'<span class="visually-hidden">: {stage.name_en}, Alma Andersen</span>'
    assert f"Record contact{hidden}</a>" in html


def test_the_page_explains_the_windows_from_the_stage_settings(
    children: dict[str, Child], english: ClientFor, frozen: dt.date
) -> None:
    response = english("hanne").get("/healthvisits/")
    html = response.content.decode()
    assert "<summary>When is a contact open, overdue or expired?</summary>" in html
    # "Opening within 7 days" spelt out as dates: tomorrow to a week from today.
    assert "(2025-03-11–2025-03-17)" in html
    rules = {rule.name: rule for rule in response.context["stage_rules"]}
    for stage in Stage.objects.active():
        rule = rules[stage.name_en]
        assert f"{stage.window_start_days}–{stage.window_end_days}" in rule.window
        assert str(stage.closing_days) in rule.closing
        if stage.expiry_days:
            assert rule.expiry.startswith(f"{stage.expiry_days} day")
        else:
            assert rule.expiry == "when the window closes"
        assert rule.name in html and rule.expiry in html
    enhanced = Stage.objects.get(code="enhanced_visit_4_6m")
    assert (
        rules[enhanced.name_en].window
        == f"days {enhanced.window_start_days}–{enhanced.window_end_days} after birth"
    )


def test_the_page_is_in_danish_by_default(
    children: dict[str, Child], world: World, frozen: dt.date
) -> None:
    client = Client()
    client.force_login(world.hanne)
    html = client.get("/healthvisits/").content.decode()
    for danish in ("Åbner inden for 7 dage", "Åbne nu", "Hvornår er en kontakt"):
        assert danish in html
    assert "Opening within 7 days" not in html and "All on the list" not in html
