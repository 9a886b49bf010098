"""Every role walks its main task in headless Chromium, on a laptop (1366 px) and a phone (390 px).

Each test logs in through the login form, reaches its pages through the navigation (on a phone
through the "Menu" button), does the role's main task end to end and asserts on the values the
pages show afterwards (issue #10: "a browser test per role that walks its main task"). After every
page load the walk checks that the page does not scroll sideways (a table may scroll inside its own
``.table-wrap``; the page itself must not), that the browser logged no console error, and that no
link or button on the page is one the persona cannot use: each link is opened and each kind of POST
button pressed (inside a rolled-back transaction) with a test client logged in as the same persona,
and none may answer 403, 404 or a server error. The last page of each walk is saved as a
screenshot in ``var/screenshots/`` at both widths (``walk-<persona>-<width>.png``).
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, resolve

from borneliv.accounts.models import User, today
from borneliv.children import services as children_services
from borneliv.children.models import Child
from borneliv.children.testing import synthetic_cpr
from borneliv.growth.services import measurement_record
from borneliv.healthvisits.models import Stage, Topic
from borneliv.healthvisits.services import contact_record
from borneliv.motor import services as motor_services
from borneliv.motor.models import InstrumentVersion
from borneliv.motor.tests.profile_fixtures import MELLEMGRUPPEN, other_group
from borneliv.nearby import services as nearby_services
from borneliv.nearby.tests.conftest import OSTERBRO, place_on_osterbro
from borneliv.organisations.models import Area
from borneliv.testing import PASSWORD, World, build_world, reload_reference_data
from borneliv.testing_links import PostForm, links_in, post_forms_in
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = [
    pytest.param({"width": 1366, "height": 900}, id="1366"),
    pytest.param({"width": 390, "height": 844}, id="390"),
]
FOCUS_THEMES = ("motor_play", "family_meals", "screen_habits", "family_experiences")
FITS = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def world(transactional_db: Any) -> World:
    reload_reference_data()  # flushed by earlier transactional tests
    return build_world()


@dataclass
class Walk:
    """One persona in one browser window, checking every page it comes to."""

    page: Any
    user: User
    client: Client
    checked: set[str] = field(default_factory=set)
    pressed: set[str] = field(default_factory=set)

    @property
    def phone(self) -> bool:
        return bool(self.page.is_visible(".site-menu > summary"))

    def menu(self, label: str) -> None:
        """Follow the navigation entry ``label``: on a phone through the Menu button, on a laptop
        through the menu of its group (or the plain link when the group has one entry)."""
        page = self.page
        if self.phone:
            page.click(".site-menu > summary")
            page.locator(".site-menu__panel nav").get_by_role(
                "link", name=label, exact=True
            ).click()
        else:
            link = page.locator(".site-nav").get_by_role("link", name=label, exact=True)
            if not link.is_visible():
                group = page.locator(".site-nav .nav-group").filter(
                    has=page.get_by_role("link", name=label, exact=True, include_hidden=True)
                )
                group.locator("summary").click()
            link.click()
        self.arrived()

    def follow(self, locator: Any) -> None:
        locator.click()
        self.arrived()

    def arrived(self) -> None:
        """The checks of every page load: fits, no console error, nothing leads to 403/404."""
        page = self.page
        page.wait_for_load_state()
        url = page.url
        assert page.evaluate(FITS), f"{url} scrolls sideways at {page.viewport_size['width']} px"
        assert page.console_errors == [], url
        self._links_and_buttons(page.content(), _path(url))

    def _links_and_buttons(self, html: str, path: str) -> None:
        broken = []
        for link in links_in(html, path):
            if link in self.checked:
                continue
            self.checked.add(link)
            response = self.client.get(link, follow=True)
            if response.status_code >= 400:
                broken.append((link, response.status_code))
        for form in post_forms_in(html, path):
            route = _route(form.action)
            if form.button is None or route in self.pressed:
                continue
            self.pressed.add(route)
            status = _press(self.client, form)
            if status in (403, 404) or status >= 500:
                broken.append((f"POST {form.action}", status))
        assert broken == [], f"on {path}"

    def shot(self, name: str) -> None:
        screenshot(self.page, f"walk-{name}-{self.page.viewport_size['width']}")


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _route(path: str) -> str:
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return path
    return match.view_name or match.route


def _press(client: Client, form: PostForm) -> int:
    """Press a POST form's first button as the form stands; nothing it does is kept."""
    data = dict(form.data)
    if form.button and form.button[0]:
        data[form.button[0]] = form.button[1]
    cookies = copy.deepcopy(client.cookies)
    with transaction.atomic():
        status = client.post(form.action, data).status_code
        transaction.set_rollback(True)
    client.cookies = cookies
    return int(status)


@pytest.fixture
def walk(page_factory: Any, world: World) -> Callable[[str, dict[str, int]], Walk]:
    """``walk("hanne", size)``: a logged-in walk (through the login form) on that viewport."""

    def start(persona: str, size: dict[str, int]) -> Walk:
        page = page_factory(**size)
        user = world.persona(persona)
        client = Client(raise_request_exception=False)
        client.force_login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "da"
        page.goto("/login/")
        page.fill("#id_username", persona)
        page.fill("#id_password", PASSWORD)
        page.click("form[action='/login/'] button[type=submit]")
        page.wait_for_url(lambda url: not url.endswith("/login/"))
        walker = Walk(page=page, user=user, client=client)
        walker.arrived()
        return walker

    return start


def danish(day: dt.date) -> str:
    return f"{day:%d.%m.%Y}"


# Serials 0–999 (the sex may add one to an even serial): a test never gets the same one twice.
_serials = itertools.cycle(range(0, 1000, 2))


def register(
    area: Area,
    *,
    age_days: int,
    first: str,
    last: str,
    sex: str | None = None,
    family: Any = None,
) -> Child:
    """A child with a synthetic CPR number (``borneliv.children.testing``), born ``age_days``
    ago and living in ``area`` since birth."""
    born = today() - dt.timedelta(days=age_days)
    return children_services.child_register(
        cpr=synthetic_cpr(born, next(_serials), sex=sex),
        first_name=first,
        last_name=last,
        area=area,
        family=family,
        is_synthetic=True,
    )


# --- the health visitor ---------------------------------------------------------------------


@pytest.mark.parametrize("size", VIEWPORTS)
def test_a_health_visitor_records_the_enhanced_visit_and_a_breastfeeding_call(
    walk: Any, world: World, size: dict[str, int]
) -> None:
    on = today()
    register(world.lindholm, age_days=130, first="Alma", last="Andersen", sex="F")
    register(world.vejgaard, age_days=130, first="Vilma", last="Vestergaard", sex="F")
    family = children_services.family_create(name="Frost")
    children_services.vulnerability_set(
        family=family, reason="social", valid_from=on - dt.timedelta(days=40), by=world.hanne
    )
    register(world.lindholm, age_days=40, first="Emil", last="Frost", sex="M", family=family)

    hanne = walk("hanne", size)
    page = hanne.page
    schedule = page.locator("section[aria-labelledby=schedule-heading] tbody tr")
    assert page.inner_text("h1") == "Arbejdsliste"
    alma = page.locator("tbody.worklist-child", has_text="Alma Andersen")
    assert "Udvidet hjemmebesøg ved 4–6 måneder" in alma.inner_text()
    # The comparison area stays untouched: Vilma, as old as Alma, is offered no enhanced visit.
    assert "Vilma" not in page.inner_text("main")
    page.select_option("#id_stage", "enhanced_visit_4_6m")
    hanne.follow(page.locator("form.filters button[type=submit]"))
    names = page.locator("tbody.worklist-child .worklist-child__name a").all_inner_texts()
    assert names == ["Alma Andersen"]

    # Alma's record, then the enhanced visit with its four focus themes and the measurement.
    hanne.follow(page.get_by_role("link", name="Alma Andersen", exact=True))
    assert page.inner_text("h1").startswith("Alma Andersen")
    enhanced = schedule.filter(has_text="Udvidet hjemmebesøg ved 4–6 måneder")
    hanne.follow(enhanced.get_by_role("link", name="Registrér", exact=True))
    assert page.inner_text("h1") == "Registrér kontakt"
    themes = page.locator("[data-focus-themes] input[type=checkbox]")
    assert themes.count() == 4
    for n in range(4):
        themes.nth(n).check()
    page.check("input[name=outcome][value=completed]")
    page.fill("#id_weight_kg", "7,45")
    page.fill("#id_height_cm", "66,5")
    page.check("input[name=position][value=L]")
    page.fill("#id_note", "Tumleleg på gulvet; familien spiser sammen de fleste dage.")
    hanne.follow(page.locator("main form.contact-form button[type=submit]"))
    assert page.inner_text("h1").startswith("Alma Andersen")
    enhanced = schedule.filter(has_text="Udvidet hjemmebesøg ved 4–6 måneder")
    assert enhanced.locator(".status--completed").inner_text() == "Gennemført"
    assert danish(on) in enhanced.inner_text()
    contact = page.locator("section[aria-labelledby=contacts-heading] tbody tr").first
    for theme in (
        "Tumleleg og motorisk leg",
        "Familiemåltider",
        "Skærmvaner",
        "Familieoplevelser i lokalområdet",
    ):
        assert theme in contact.inner_text()

    # The same registration recorded the measurement on her growth page.
    hanne.follow(page.locator(".page-header__actions").get_by_role("link", name="Vækst"))
    row = page.locator("tbody.growth-row").first
    cells = row.locator("tr").first.inner_text()
    assert danish(on) in cells and "7,45" in cells and "66,5" in cells
    # Under two years her weight is also drawn against her length (the chart loads lazily).
    chart = page.locator("#weight-for-length img")
    chart.scroll_into_view_if_needed()
    page.wait_for_function(
        "(img) => img.complete && img.naturalWidth > 0", arg=chart.element_handle()
    )

    # A breastfeeding call for the vulnerable Frost family, planning the next call in five days.
    hanne.menu("Arbejdsliste")
    hanne.follow(page.locator("ul.tabs a", has_text="Sårbare familier"))
    emil = page.locator("tbody.worklist-child", has_text="Emil Frost")
    feeding = emil.locator("tr", has_text="Telefonisk rådgivning om amning og flaske")
    hanne.follow(feeding.get_by_role("link", name="Registrér kontakt"))
    assert page.input_value("#id_mode") == "phone"
    page.check("input[name=outcome][value=completed]")
    page.get_by_label("Amning og flaske").check()
    planned = on + dt.timedelta(days=5)
    page.fill("#id_next_contact_on", planned.isoformat())
    hanne.follow(page.locator("main form.contact-form button[type=submit]"))
    feeding = schedule.filter(has_text="Telefonisk rådgivning om amning og flaske")
    assert "1 opkald indtil nu" in feeding.inner_text()
    assert f"næste planlagt {danish(planned)}" in feeding.inner_text()

    # The planned call comes back on the worklist, in the week before it.
    hanne.menu("Arbejdsliste")
    hanne.follow(page.locator("ul.tabs a", has_text="Åbner inden for 7 dage"))
    emil = page.locator("tbody.worklist-child", has_text="Emil Frost")
    feeding = emil.locator("tr", has_text="Telefonisk rådgivning om amning og flaske")
    assert feeding.count() == 1
    assert danish(planned) in feeding.inner_text()
    hanne.shot("hanne")


# --- the pedagogue --------------------------------------------------------------------------


@pytest.mark.parametrize("size", VIEWPORTS)
def test_a_pedagogue_reads_her_groups_profile_records_the_dialogue_and_opens_her_circle(
    walk: Any, world: World, size: dict[str, int]
) -> None:
    held_on = today() - dt.timedelta(days=14)
    session = other_group(
        by=world.pia,
        institution=world.troldhoj,
        area=world.slangerup,
        version=InstrumentVersion.objects.get(instrument__code="motor-4", number=1),
        held_on=held_on,
        answers=MELLEMGRUPPEN,
        group="Bien",
    )
    motor_services.session_close(by=world.pia, session=session)
    place_on_osterbro(world)  # the only map data shipped is Østerbro's
    nearby_services.extract_import(by=world.ada, municipality=world.frederikssund, path=OSTERBRO)
    nearby_services.circle_compute(institution=world.troldhoj, by=world.pia)

    pia = walk("pia", size)
    page = pia.page
    assert "Børnehuset Troldhøj" in page.inner_text("main")

    pia.menu("Motorikvurdering")
    row = page.locator("main tr", has_text="Bien")
    assert "Børnehuset Troldhøj" in row.inner_text()
    pia.follow(row.get_by_role("link", name="Gruppeprofil"))
    profile = page.inner_text("main")
    assert "10 af 10 børn var til stede" in profile
    assert "Barn0" not in profile  # the profile never names a child
    strengths = page.locator("main").get_by_text("Balance: 90 % mestring")
    assert strengths.inner_text() == "Balance: 90 % mestring; 8 af 10 børn mestrer det hele."
    assert "Boldfærdigheder: 72 % mestring" in profile
    assert "Finmotorik: 60 % mestring" in profile

    pia.follow(page.locator("main").get_by_role("link", name="Registrér dialogen").first)
    assert "Balance" in page.input_value("#id_strengths")  # the profile's strengths, to edit
    page.fill("#id_focus", "Kaste og gribe: boldlege hver formiddag.")
    follow_up = today() + dt.timedelta(days=30)
    page.fill("#id_follow_up_on", follow_up.isoformat())
    pia.follow(page.locator("main form.form button[type=submit]"))
    dialogues = page.inner_text("#dialogues")
    assert "Kaste og gribe: boldlege hver formiddag." in dialogues
    assert danish(follow_up) in dialogues

    pia.menu("Nærhedscirkel")
    pia.follow(page.locator("main").get_by_role("link", name="Børnehuset Troldhøj"))
    page.wait_for_selector('[data-circle-map][data-map-ready="true"]')
    assert page.inner_text("h1") == "Børnehuset Troldhøj"
    places = page.locator("tr[data-place]")
    assert places.count() >= 10
    assert page.locator("tr[data-place]", has_text="Zoologisk Museum").count() == 1
    assert page.evaluate(FITS) and page.console_errors == []  # the map drawn, still in the page
    pia.shot("pia")


# --- the teacher and the club contact -------------------------------------------------------


@pytest.mark.parametrize("size", VIEWPORTS)
def test_a_teacher_reads_her_schools_page_and_its_circle(
    walk: Any, world: World, size: dict[str, int]
) -> None:
    tina = walk("tina", size)
    page = tina.page
    assert page.inner_text("h1") == "Velkommen, Tina"
    tina.follow(page.locator("main").get_by_role("link", name="Gl. Lindholm Skole"))
    facts = page.inner_text("main")
    assert "851012" in facts and "Aalborg (0851)" in facts
    assert "Lindholm siden 01.08.2024" in facts
    # Her school's staff keep its address up to date (the rest of the registry is read-only).
    tina.follow(page.locator("main").get_by_role("link", name="Redigér oplysninger"))
    page.fill("#id_street", "Lindholm Brygge 9")
    page.fill("#id_postcode", "9400")
    page.fill("#id_city", "Nørresundby")
    tina.follow(page.locator("main form button[type=submit]"))
    assert "Lindholm Brygge 9, 9400 Nørresundby" in page.inner_text("main")

    tina.menu("Nærhedscirkel")
    tina.follow(page.locator("main").get_by_role("link", name="Gl. Lindholm Skole"))
    notice = page.inner_text("main")
    assert "Der er endnu ikke importeret kortdata for Aalborg." in notice
    assert "Bed din administrator om at importere kortdata." in notice
    assert "borneliv" not in notice.lower()  # no server commands for a teacher
    tina.shot("tina")


@pytest.mark.parametrize("size", VIEWPORTS)
def test_a_club_contact_reads_his_partner_page(
    walk: Any, world: World, size: dict[str, int]
) -> None:
    carl = walk("carl", size)
    page = carl.page
    assert page.inner_text("h1") == "Velkommen, Carl"
    carl.follow(page.locator("main").get_by_role("link", name="Lindholm IF"))
    facts = page.inner_text("main")
    assert "Idrætsforening" in facts and "Carl Christensen" in facts
    assert "carl@example.org" in facts and "Lindholm" in facts
    carl.menu("Mål og delindsatser")
    carl.shot("carl")


# --- the project leader and the researcher --------------------------------------------------


@dataclass
class Covered:
    """What ``covered`` registered: the day the windows closed, its quarter, and the year the
    children were weighed (prevalence at the health-visiting ages is by calendar year)."""

    closed: dt.date
    quarter: str
    measured_year: str


@pytest.fixture
def covered(world: World) -> Covered:
    """Six Lindholm children whose enhanced-visit windows closed in one week of a past month,
    each visited within the window with all four focus themes, and five Vejgaard children of the
    same ages, never visited; all eleven weighed and measured at 190 days (6 months)."""
    closed = (today() - dt.timedelta(days=45)).replace(day=15)
    themes = list(Topic.objects.filter(code__in=FOCUS_THEMES))
    enhanced = Stage.objects.get(code="enhanced_visit_4_6m")
    children = []
    for n in range(11):
        lindholm = n < 6
        child = register(
            world.lindholm if lindholm else world.vejgaard,
            age_days=(today() - closed).days + 183 + n % 6,  # windows close on day 183
            first=f"Barn{n}",
            last="Lindholm" if lindholm else "Vejgaard",
            sex="FM"[n % 2],  # too few of each sex to be shown apart
        )
        if lindholm:
            contact_record(
                child=child,
                unit=world.aalborg_health,
                by=world.hanne,
                # In the window's last days, so visit and close fall in the same month.
                contact_date=child.birth_date + dt.timedelta(days=175),
                mode="home_visit",
                outcome="completed",
                stage=enhanced,
                topics=themes,
            )
        measurement_record(
            child=child,
            measured_on=child.birth_date + dt.timedelta(days=190),
            context="health_visit",
            weight_kg=Decimal("7.6"),
            height_cm=Decimal("67.0"),
            position="L",
            institution=world.aalborg_health,
            measured_by=world.hanne,
        )
        children.append(child)
    return Covered(
        closed=closed,
        quarter=f"K{(closed.month - 1) // 3 + 1}",
        measured_year=str((children[0].birth_date + dt.timedelta(days=190)).year),
    )


def csv_rows(download: Any) -> list[list[str]]:
    with open(download.path(), encoding="utf-8-sig", newline="") as file:
        return list(csv.reader(file, delimiter=";"))


def figures(table: Any) -> dict[str, list[str]]:
    """A figures table as {row heading: its cells}."""
    rows = {}
    for row in table.locator("tbody tr, tfoot tr").all():
        rows[row.locator("th").inner_text().strip()] = [
            cell.strip() for cell in row.locator("td").all_inner_texts()
        ]
    return rows


def prevalence_row(page: Any, covered: Covered, area: str) -> list[str]:
    """The cells of an area's row in the prevalence table's block of the measurements' year."""
    block = page.locator(".prevalence-table tbody").filter(
        has=page.locator(".prevalence-period th", has_text=covered.measured_year)
    )
    row = block.locator("tr").filter(has=page.locator("th", has_text=area))
    return [cell.strip() for cell in row.locator("td").all_inner_texts()]


@pytest.mark.parametrize("size", VIEWPORTS)
def test_a_project_leader_reads_coverage_and_prevalence_and_creates_a_user(
    walk: Any, world: World, covered: Covered, size: dict[str, int]
) -> None:
    lars = walk("lars", size)
    page = lars.page
    assert page.inner_text("h1") == "Velkommen, Lars"

    # Coverage by quarter: the programme area's table beside the comparison area's.
    lars.menu("Dækning")
    page.select_option("#id_year", str(covered.closed.year))
    page.select_option("#id_period", "quarter")
    lars.follow(page.locator("main form.filters button[type=submit]"))
    tables = page.locator("section[aria-labelledby=enhanced-heading] table")
    assert page.locator("#enhanced-programme").inner_text() == "Programområder"
    assert page.locator("#enhanced-comparison").inner_text() == "Sammenligningsområder"
    programme, comparison = figures(tables.nth(0)), figures(tables.nth(1))
    column = ["K1", "K2", "K3", "K4"].index(covered.quarter)
    assert programme["Lindholm"][column] == "100 % (6/6)"
    assert "Vejgaard" not in programme
    assert comparison["Vejgaard"][column] == "0 % (0/5)"
    assert "Lindholm" not in comparison
    themes = figures(page.locator("section[aria-labelledby=themes-heading] table").nth(0))
    assert themes["Lindholm"][column] == "100 % (6/6)"
    with page.expect_download() as download:
        page.locator("main a[href*='format=csv']").click()
    assert download.value.suggested_filename == f"daekning-{covered.closed.year}-pr-kvartal.csv"
    rows = csv_rows(download.value)
    assert rows[0][:5] == ["tabel", "lokalområder", "lokalområde", "kolonne", "vist"]
    shown = {(row[1], row[2], row[3]): row[4] for row in rows[1:] if row[0] == rows[1][0]}
    assert shown[("Programområder", "Lindholm", covered.quarter)] == "100 % (6/6)"
    assert shown[("Sammenligningsområder", "Vejgaard", covered.quarter)] == "0 % (0/5)"

    # Prevalence of overweight at 6–10 months, where the children were weighed.
    lars.menu("Forekomst")
    page.select_option("#id_setting", "6_10_months")
    lars.follow(page.locator("main form.prevalence-filters button[type=submit]"))
    assert prevalence_row(page, covered, "Lindholm") == ["–", "–", "6", "0,0 %", "0,0–39,0"]
    assert prevalence_row(page, covered, "Vejgaard") == ["–", "–", "5", "0,0 %", "0,0–43,4"]
    assert "5,0 %" in page.inner_text(".prevalence-national")  # the national figure beside
    with page.expect_download() as download:
        page.locator("main a[href*='format=csv']").click()
    name = download.value.suggested_filename
    assert name.startswith("forekomst-overvaegt-inkl-svaer-overvaegt-sundhedspleje-6-10-maaneder")
    lindholm = [
        row for row in csv_rows(download.value) if row[2:5] == ["Lindholm", "Aalborg", "Alle"]
    ]
    assert [row[5:10] for row in lindholm if row[0] == covered.measured_year] == [
        ["6", "0", "0,0", "0,0", "39,0"]
    ]

    # A new health visitor for his municipality.
    lars.menu("Brugere")
    lars.follow(page.locator("main").get_by_role("link", name="Opret en bruger"))
    page.fill("#id_username", "ida.iversen")
    page.fill("#id_first_name", "Ida")
    page.fill("#id_last_name", "Iversen")
    page.select_option("#id_role", "health_visitor")
    page.select_option("#id_organisation", label="Sundhedsplejen Aalborg")
    lars.follow(page.locator("main form button[type=submit]", has_text="Opret brugeren"))
    assert len(page.inner_text("code.secret").strip()) == 14
    lars.follow(page.locator("main").get_by_role("link", name="Tilbage til brugeren"))
    assert page.inner_text("h1").startswith("Ida Iversen")
    assert "Sundhedsplejerske · Sundhedsplejen Aalborg" in page.inner_text("main")
    lars.shot("lars")


@pytest.mark.parametrize("size", VIEWPORTS)
def test_a_researcher_reads_coverage_and_prevalence_and_no_child(
    walk: Any, world: World, covered: Covered, size: dict[str, int]
) -> None:
    rikke = walk("rikke", size)
    page = rikke.page
    assert page.inner_text("h1") == "Velkommen, Rikke"
    rikke.menu("Dækning")
    page.select_option("#id_year", str(covered.closed.year))
    page.select_option("#id_period", "quarter")
    rikke.follow(page.locator("main form.filters button[type=submit]"))
    tables = page.locator("section[aria-labelledby=enhanced-heading] table")
    column = ["K1", "K2", "K3", "K4"].index(covered.quarter)
    assert figures(tables.nth(0))["Lindholm"][column] == "100 % (6/6)"
    assert figures(tables.nth(1))["Vejgaard"][column] == "0 % (0/5)"

    rikke.menu("Forekomst")
    page.select_option("#id_setting", "6_10_months")
    rikke.follow(page.locator("main form.prevalence-filters button[type=submit]"))
    assert prevalence_row(page, covered, "Lindholm") == ["–", "–", "6", "0,0 %", "0,0–39,0"]
    with page.expect_download() as download:
        page.locator("main a[href*='format=csv']").click()
    vejgaard = [
        row for row in csv_rows(download.value) if row[2:5] == ["Vejgaard", "Aalborg", "Alle"]
    ]
    assert [row[5:10] for row in vejgaard if row[0] == covered.measured_year] == [
        ["5", "0", "0,0", "0,0", "43,4"]
    ]

    # No child's data anywhere she was offered, nor by a guessed address.
    assert not [url for url in rikke.checked if "/children/" in url]
    child = Child.objects.get(first_name="Barn0")
    for url in (
        f"/healthvisits/children/{child.public_id}/",
        f"/growth/children/{child.public_id}/",
        f"/children/{child.public_id}/",
        f"/api/v1/children/{child.public_id}/schedule",
    ):
        assert page.request.get(url).status in (403, 404), url
    rikke.shot("rikke")


# --- the administrator ----------------------------------------------------------------------


@pytest.mark.parametrize("size", VIEWPORTS)
def test_an_administrator_follows_the_data_check_into_the_admin(
    walk: Any, world: World, size: dict[str, int]
) -> None:
    # A visit recorded while the child lived in Lindholm; her move to Vejgaard, registered
    # late, dates from before it: the programme reached a comparison-area child.
    child = register(world.lindholm, age_days=150, first="Vera", last="Vestergaard", sex="F")
    contact_record(
        child=child,
        unit=world.aalborg_health,
        by=world.hanne,
        contact_date=today() - dt.timedelta(days=10),
        mode="home_visit",
        outcome="completed",
        stage=Stage.objects.get(code="enhanced_visit_4_6m"),
    )
    children_services.child_move(
        child=child, area=world.vejgaard, on=today() - dt.timedelta(days=20)
    )

    ada = walk("ada", size)
    page = ada.page
    waiting = page.locator("section[aria-labelledby=attention-heading] li")
    assert waiting.all_inner_texts() == [
        "Programkontakter registreret uden for et programområde\n1"
    ]
    ada.follow(waiting.get_by_role("link"))
    assert page.inner_text("h1") == "Datakontrol"
    finding = page.locator("main .findings li")
    assert finding.count() == 1
    visited = danish(today() - dt.timedelta(days=10))
    assert f"Udvidet hjemmebesøg ved 4–6 måneder den {visited}" in finding.inner_text()
    assert "Aalborg: Vejgaard, et sammenligningsområde" in finding.inner_text()
    assert "Vera" not in finding.inner_text()  # no names in the findings

    # The area's settings in the registry administration.
    ada.menu("Registeradministration")
    ada.follow(page.get_by_role("link", name="Lokalområder", exact=True))
    row = page.locator("#result_list tbody tr", has_text="Vejgaard")
    assert "Sammenligningsområde" in row.inner_text()
    ada.follow(row.get_by_role("link", name="Vejgaard"))
    assert page.input_value("#id_name") == "Vejgaard"
    assert page.input_value("#id_kind") == "comparison"
    ada.shot("ada")
