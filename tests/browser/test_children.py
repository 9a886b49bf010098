"""In headless Chromium: a health visitor finds a child by CPR, reads the record, reveals the
number with a purpose; another municipality's health visitor cannot reach the child."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from borneliv.children import services
from borneliv.children.models import AccessLog
from borneliv.children.testing import synthetic_cpr
from borneliv.testing import PASSWORD, World, build_world, reload_reference_data
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CPR = synthetic_cpr(dt.date(2025, 5, 14), 600)


@pytest.fixture
def world(transactional_db: Any) -> World:
    reload_reference_data()
    return build_world()


def log_in(page: Any, username: str) -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form[action='/login/'] button[type=submit]")
    page.wait_for_url("**/")


def test_a_health_visitor_finds_reads_and_reveals_and_another_cannot(
    page_factory: Any,
    world: World,
) -> None:
    family = services.family_create(
        name="Holm", guardians=[{"name": "Mette Holm", "relation": "mother"}]
    )
    child = services.child_register(
        cpr=CPR, first_name="Emma", last_name="Holm", area=world.lindholm, family=family
    )
    page = page_factory()
    log_in(page, "hanne")
    page.goto("/children/")
    page.fill("#id_cpr", CPR)
    page.click("form[method=post][action='/children/'] button[type=submit]")
    page.wait_for_url(f"**/children/{child.public_id}/")
    assert CPR not in page.url
    main = page.inner_text("main")
    assert "Emma Holm" in main and "140525-xxxx" in main and CPR not in main
    assert "Mette Holm" in main
    screenshot(page, "child-record-health-visitor-da")

    page.click("details:has(form[action$='/cpr/']) > summary")
    page.fill("#id_reveal-purpose", "Henvisning til egen læge")
    page.click("form[action$='/cpr/'] button[type=submit]")
    page.wait_for_selector("code.secret")
    assert page.inner_text("code.secret") == CPR
    assert CPR not in page.url
    screenshot(page, "child-record-cpr-revealed-da")

    # The forms open without scripts (details/summary), within the CSP.
    page.goto(f"/children/{child.public_id}/")
    assert not page.is_visible("#id_move-valid_from")
    page.click("details:has(form[action$='/move/']) > summary")
    assert page.is_visible("#id_move-valid_from")
    screenshot(page, "child-record-move-form-da")
    assert page.console_errors == []

    other = page_factory()
    log_in(other, "astrid")
    assert other.goto(f"/children/{child.public_id}/").status == 404
    assert other.request.get(f"/api/v1/children/{child.public_id}").status == 404
    other.goto("/children/")
    other.fill("#id_cpr", CPR)
    other.click("form[method=post][action='/children/'] button[type=submit]")
    other.wait_for_selector(".form-errors")
    assert CPR not in other.content()
    assert other.console_errors == []

    views = list(AccessLog.objects.order_by("pk").values_list("user__username", "view"))
    assert views == [
        ("hanne", "find_by_cpr"),
        ("hanne", "child_detail"),
        ("hanne", "cpr_reveal"),
        ("hanne", "child_detail"),
    ]


def test_a_health_visitor_imports_a_file_after_the_dry_run(
    page_factory: Any,
    world: World,
    tmp_path: Any,
) -> None:
    good = synthetic_cpr(dt.date(2025, 6, 1), 601)
    path = tmp_path / "births.csv"
    path.write_text(
        "cpr;fornavn;efternavn;omraade;familie\n"
        f"{good};Alma;Ager;Lindholm;Ager\n"
        "3106259602;Bo;Ager;Lindholm;Ager\n",
        encoding="utf-8",
    )
    page = page_factory()
    log_in(page, "hanne")
    page.goto("/children/import/")
    page.set_input_files("#id_file", str(path))
    page.click("form[enctype] button[type=submit]")
    page.wait_for_selector("table.data")
    assert page.locator("button[type=submit]", has_text="Indlæs").count() == 0
    assert "3106259602" not in page.content() and good not in page.content()
    screenshot(page, "children-import-errors-da")

    path.write_text(f"cpr;fornavn;efternavn;omraade\n{good};Alma;Ager;Lindholm\n", encoding="utf-8")
    page.set_input_files("#id_file", str(path))
    page.click("form[enctype] button[type=submit]")
    page.wait_for_selector("input[name=commit]", state="attached")
    screenshot(page, "children-import-ready-da")
    page.click("form:has(input[name=commit]) button[type=submit]")
    # Hanne sees the children of Aalborg only, so the new number goes to an administrator
    # (children/README.md), whether or not it is registered elsewhere.
    page.wait_for_url("**/children/referrals/")
    page.wait_for_selector(".message--success")
    assert "Alma Ager" in page.inner_text("main")
    assert page.console_errors == []
    from borneliv.children.models import Child

    assert not Child.objects.exists()
    admin = page_factory()
    log_in(admin, "ada")
    assert "venter på en administrator" in admin.inner_text("main")
    admin.goto("/children/referrals/")
    screenshot(admin, "children-referrals-admin-da")
    admin.click("form[action*='/referrals/imports/'] button[type=submit]")
    admin.wait_for_selector(".message--success")
    assert admin.console_errors == []
    assert list(Child.objects.values_list("first_name", flat=True)) == ["Alma"]


FITS = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.mark.parametrize("width", [1366, 390])
def test_a_referral_reads_without_sideways_scrolling_for_sender_and_administrator(
    page_factory: Any, world: World, width: int
) -> None:
    from borneliv.children import referrals
    from borneliv.children.models import Referral

    services.child_register(cpr=CPR, first_name="Emma", last_name="Holm", area=world.lindholm)
    # Astrid (Albertslund) registers Emma's number: it goes to an administrator.
    sent = referrals.child_register_or_refer(
        by=world.astrid,
        cpr=CPR,
        first_name="Emma",
        last_name="Holm-Andersen",
        area=world.herstedlund,
        family_name="Holm-Andersen",
        guardians=[{"name": "Mette Holm-Andersen", "relation": "mother", "phone": "12 34 56 78"}],
    )
    assert isinstance(sent, Referral)
    sender = page_factory(width=width, height=844 if width == 390 else 900)
    log_in(sender, "astrid")
    sender.goto("/children/referrals/")
    assert "Afventer en administrator" in sender.inner_text("main")
    assert sender.evaluate(FITS)
    sender.goto(f"/children/referrals/{sent.public_id}/")
    assert "Emma Holm-Andersen" in sender.inner_text("main")
    assert sender.evaluate(FITS)

    admin = page_factory(width=width, height=844 if width == 390 else 900)
    log_in(admin, "ada")
    admin.goto(f"/children/referrals/{sent.public_id}/")
    main = admin.inner_text("main")
    assert "Cpr-nummeret er registreret: Emma Holm" in main
    assert admin.evaluate(FITS)
    screenshot(admin, f"children-referral-admin-{width}")
    admin.fill("#id_valid_from", "2025-06-01")
    admin.click("form[action$='/move/'] button[type=submit]")
    admin.wait_for_selector(".message--success")
    assert admin.console_errors == [] and sender.console_errors == []
