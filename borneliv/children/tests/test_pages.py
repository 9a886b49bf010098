"""The registry pages: find, register, the child's record with its forms, the access log."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from borneliv.children.models import AccessLog, Child, Enrolment, Residence, VulnerabilityPeriod
from borneliv.children.testing import synthetic_cpr
from borneliv.children.tests.conftest import ClientFor, Kids
from borneliv.testing import World

pytestmark = pytest.mark.django_db


def detail_url(child: Child) -> str:
    return f"/children/{child.public_id}/"


# Find


def test_the_find_page_offers_both_searches_and_registering(client_for: ClientFor) -> None:
    response = client_for("hanne").get("/children/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'method="post"' in html and 'name="cpr"' in html
    assert 'name="q"' in html
    assert 'href="/children/register/"' in html
    assert 'href="/children/import/"' in html


@pytest.mark.parametrize("persona", ["pia", "tina", "carl", "lars", "rikke", "otto"])
def test_the_find_page_is_for_health_visitors_and_admins_only(
    client_for: ClientFor, persona: str
) -> None:
    assert client_for(persona).get("/children/").status_code == 403


def test_the_find_page_needs_a_login(world: World) -> None:
    response = Client().get("/children/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_finding_by_cpr_redirects_to_the_childs_page(client_for: ClientFor, kids: Kids) -> None:
    response = client_for("hanne").post("/children/", {"cpr": kids.cpr["emma"]})
    assert response.status_code == 302
    assert response["Location"] == detail_url(kids.emma)


def test_finding_by_cpr_accepts_the_number_without_hyphen(
    client_for: ClientFor, kids: Kids
) -> None:
    response = client_for("hanne").post("/children/", {"cpr": kids.cpr["emma"].replace("-", "")})
    assert response["Location"] == detail_url(kids.emma)


@pytest.mark.parametrize(
    ("persona", "name"),
    [("astrid", "emma"), ("hanne", "freja")],
    ids=["another municipality's child", "a child living elsewhere"],
)
def test_finding_a_child_out_of_scope_says_no_child_in_your_area(
    client_for: ClientFor, kids: Kids, persona: str, name: str
) -> None:
    response = client_for(persona).post("/children/", {"cpr": kids.cpr[name]})
    assert response.status_code == 400
    html = response.content.decode()
    assert "No child with this CPR number lives in your area." in html
    assert kids.cpr[name] not in html and kids.cpr[name].replace("-", "") not in html


def test_finding_by_an_invalid_number_explains_the_format(client_for: ClientFor) -> None:
    response = client_for("hanne").post("/children/", {"cpr": "310224-9001"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "are not a real date" in html
    assert "310224" not in html


def test_the_name_search_finds_children_in_scope(client_for: ClientFor, kids: Kids) -> None:
    response = client_for("hanne").get("/children/", {"q": "holm"})
    assert response.status_code == 200
    assert [c.first_name for c in response.context["page"].object_list] == ["Emma", "Oscar"]
    html = response.content.decode()
    assert detail_url(kids.emma) in html
    assert "vulnerable" in html


def test_the_name_search_matches_every_word(client_for: ClientFor, kids: Kids) -> None:
    response = client_for("hanne").get("/children/", {"q": "Emma Holm"})
    assert [c.first_name for c in response.context["page"].object_list] == ["Emma"]


def test_the_name_search_stays_in_scope(client_for: ClientFor, kids: Kids) -> None:
    response = client_for("astrid").get("/children/", {"q": "Holm"})
    assert list(response.context["page"].object_list) == []
    assert "No child in your area has that name." in response.content.decode()


def test_the_name_search_refuses_digits_and_does_not_show_them(
    client_for: ClientFor, kids: Kids
) -> None:
    response = client_for("hanne").get("/children/", {"q": "150324"}, follow=True)
    assert response.redirect_chain == [("/children/", 302)]
    assert response.context["page"] is None
    html = response.content.decode()
    assert "Names have no digits" in html
    assert "150324" not in html


def test_the_name_search_paginates(world: World, client_for: ClientFor) -> None:
    from borneliv.children.tests.conftest import register

    for serial in range(30):
        register(
            world.lindholm, f"Barn{serial:02d}", dt.date(2024, 1, 1), serial, last_name="Mange"
        )
    client = client_for("hanne")
    first = client.get("/children/", {"q": "Mange"})
    assert len(first.context["page"].object_list) == 25
    assert "?q=Mange&amp;page=2" in first.content.decode()
    second = client.get("/children/", {"q": "Mange", "page": "2"})
    assert [c.first_name for c in second.context["page"].object_list] == [
        f"Barn{n:02d}" for n in range(25, 30)
    ]


# Register


def register_data(world: World, cpr: str, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "cpr": cpr,
        "first_name": "Liva",
        "last_name": "Lund",
        "area": world.lindholm.pk,
        "resident_from": "",
        "family": "none",
    }
    data.update(overrides)
    return data


def test_the_register_form_offers_the_areas_of_her_unit(
    world: World, client_for: ClientFor
) -> None:
    form = client_for("hanne").get("/children/register/").context["form"]
    assert [a.name for a in form.fields["area"].queryset] == ["Lindholm", "Vejgaard"]
    form = client_for("ada").get("/children/register/").context["form"]
    assert form.fields["area"].queryset.count() == 4


def test_registering_a_child_redirects_to_its_page(world: World, client_for: ClientFor) -> None:
    cpr = synthetic_cpr(dt.date(2025, 4, 1), 40)
    response = client_for("ada").post("/children/register/", register_data(world, cpr))
    child = Child.objects.get(first_name="Liva")
    assert response.status_code == 302
    assert response["Location"] == detail_url(child)
    assert Residence.objects.get(child=child).valid_from == dt.date(2025, 4, 1)
    assert child.family is None


def test_registering_a_child_in_a_new_family_with_guardians(
    world: World, client_for: ClientFor
) -> None:
    cpr = synthetic_cpr(dt.date(2025, 4, 1), 41)
    data = register_data(
        world,
        cpr,
        family="new",
        family_name="Lund",
        guardian_1_name="Lise Lund",
        guardian_1_relation="mother",
        guardian_1_phone="12345678",
        guardian_2_name="",
        resident_from="2025-05-01",
    )
    response = client_for("ada").post("/children/register/", data)
    assert response.status_code == 302
    child = Child.objects.get(first_name="Liva")
    assert child.family is not None and child.family.name == "Lund"
    assert [(g.name, g.relation) for g in child.family.guardians.all()] == [("Lise Lund", "mother")]
    assert Residence.objects.get(child=child).valid_from == dt.date(2025, 5, 1)


def test_a_new_family_needs_a_name_and_guardians_a_relation(
    world: World, client_for: ClientFor
) -> None:
    cpr = synthetic_cpr(dt.date(2025, 4, 1), 42)
    data = register_data(world, cpr, family="new", family_name="", guardian_1_name="Lise")
    response = client_for("hanne").post("/children/register/", data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"family_name", "guardian_1_relation"}
    assert not Child.objects.filter(first_name="Liva").exists()


def test_registering_a_duplicate_points_to_the_existing_child(
    world: World, client_for: ClientFor, kids: Kids
) -> None:
    response = client_for("hanne").post(
        "/children/register/", register_data(world, kids.cpr["emma"])
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "This child is registered already: Emma Holm, born 15.03.2024." in html
    assert detail_url(kids.emma) in html
    assert kids.cpr["emma"] not in html
    assert Child.objects.count() == 4


def test_registering_a_duplicate_out_of_scope_reveals_nothing(
    world: World, client_for: ClientFor, kids: Kids
) -> None:
    data = register_data(world, kids.cpr["emma"], area=world.herstedlund.pk)
    response = client_for("astrid").post("/children/register/", data, follow=True)
    html = response.content.decode()
    assert "sendt til en administrator" in html or "sent to an administrator" in html
    assert "Emma" not in html and detail_url(kids.emma) not in html
    assert "This child is registered already" not in html


def test_registering_with_an_invalid_cpr_number_explains_without_echoing(
    world: World, client_for: ClientFor
) -> None:
    response = client_for("hanne").post("/children/register/", register_data(world, "0113249001"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "not a real date" in html
    assert "0113249001" not in html and "011324" not in html


def test_the_cpr_field_is_empty_when_the_form_comes_back(
    world: World, client_for: ClientFor
) -> None:
    cpr = synthetic_cpr(dt.date(2025, 4, 1), 43)
    response = client_for("hanne").post(
        "/children/register/", register_data(world, cpr, last_name="")
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert cpr not in html and cpr.replace("-", "") not in html
    assert 'value="Liva"' in html  # other fields are kept


def test_registering_in_an_area_out_of_scope_is_refused(
    world: World, client_for: ClientFor
) -> None:
    cpr = synthetic_cpr(dt.date(2025, 4, 1), 44)
    data = register_data(world, cpr, area=world.herstedlund.pk)
    response = client_for("hanne").post("/children/register/", data)
    assert response.status_code == 400
    assert "area" in response.context["form"].errors
    assert not Child.objects.filter(first_name="Liva").exists()


@pytest.mark.parametrize("persona", ["pia", "lars", "rikke", "otto"])
def test_only_health_visitors_and_admins_register(
    world: World, client_for: ClientFor, persona: str
) -> None:
    cpr = synthetic_cpr(dt.date(2025, 4, 1), 45)
    client = client_for(persona)
    assert client.get("/children/register/").status_code == 403
    assert client.post("/children/register/", register_data(world, cpr)).status_code == 403


# The child's record


def test_the_record_shows_the_registry_data_with_the_cpr_number_masked(
    client_for: ClientFor, kids: Kids
) -> None:
    response = client_for("hanne").get(detail_url(kids.emma))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Emma Holm" in html
    assert "150324-xxxx" in html
    assert kids.cpr["emma"] not in html and kids.cpr["emma"].replace("-", "") not in html
    assert "Mette Holm" in html  # guardian
    assert "Young parents" in html  # vulnerability reason
    assert "Lindholm" in html
    assert detail_url(kids.oscar) in html  # sibling
    assert "no-store" in response["Cache-Control"]


def test_the_record_links_the_health_visiting_record_when_that_page_exists(
    client_for: ClientFor, kids: Kids
) -> None:
    from django.urls import NoReverseMatch, reverse

    html = client_for("hanne").get(detail_url(kids.emma)).content.decode()
    try:
        url = reverse("healthvisits:child", args=[kids.emma.public_id])
    except NoReverseMatch:
        assert "Health-visiting record" not in html
    else:
        assert f'href="{url}"' in html


def test_revealing_the_cpr_number_needs_a_purpose(client_for: ClientFor, kids: Kids) -> None:
    client = client_for("hanne")
    response = client.post(f"/children/{kids.emma.public_id}/cpr/", {"reveal-purpose": ""})
    assert response.status_code == 400
    assert kids.cpr["emma"] not in response.content.decode()
    response = client.post(
        f"/children/{kids.emma.public_id}/cpr/", {"reveal-purpose": "Report to the municipality"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count(kids.cpr["emma"]) == 1
    assert "no-store" in response["Cache-Control"]
    # Reloading the record hides it again.
    assert kids.cpr["emma"] not in client.get(detail_url(kids.emma)).content.decode()


def test_revealing_is_a_post(client_for: ClientFor, kids: Kids) -> None:
    assert client_for("hanne").get(f"/children/{kids.emma.public_id}/cpr/").status_code == 405


def test_marking_a_family_vulnerable_and_clearing_it(
    world: World, client_for: ClientFor, kids: Kids
) -> None:
    client = client_for("astrid")
    url = f"/children/{kids.freja.public_id}/vulnerability/"
    response = client.post(
        url,
        {
            "vulnerable-reason": "social",
            "vulnerable-valid_from": "2024-08-01",
            "vulnerable-note": "",
        },
    )
    assert response.status_code == 302
    period = VulnerabilityPeriod.objects.get(family=kids.freja.family)
    assert (period.reason, period.valid_from, period.set_by) == (
        "social",
        dt.date(2024, 8, 1),
        world.astrid,
    )
    response = client.post(
        f"{url}{period.pk}/clear/", {f"clear-{period.pk}-valid_to": "2025-01-31"}
    )
    assert response.status_code == 302
    period.refresh_from_db()
    assert (period.valid_to, period.cleared_by) == (dt.date(2025, 1, 31), world.astrid)


def test_an_overlapping_marker_is_refused_with_a_message(client_for: ClientFor, kids: Kids) -> None:
    response = client_for("hanne").post(
        f"/children/{kids.emma.public_id}/vulnerability/",
        {"vulnerable-reason": "social", "vulnerable-valid_from": "2025-01-01"},
    )
    assert response.status_code == 400
    assert "already marked vulnerable" in response.content.decode()
    assert VulnerabilityPeriod.objects.filter(family=kids.emma.family).count() == 1


def test_a_marker_needs_a_reason_and_a_date(client_for: ClientFor, kids: Kids) -> None:
    response = client_for("astrid").post(
        f"/children/{kids.freja.public_id}/vulnerability/", {"vulnerable-reason": ""}
    )
    assert response.status_code == 400
    assert set(response.context["vulnerability_form"].errors) == {"reason", "valid_from"}


def test_a_marker_needs_a_family(client_for: ClientFor, kids: Kids) -> None:
    response = client_for("hanne").post(
        f"/children/{kids.noah.public_id}/vulnerability/",
        {"vulnerable-reason": "social", "vulnerable-valid_from": "2025-02-01"},
    )
    assert response.status_code == 400
    assert "create the child&#x27;s family first" in response.content.decode()


def test_clearing_needs_a_date_and_a_marker_of_this_family(
    client_for: ClientFor, kids: Kids
) -> None:
    period = VulnerabilityPeriod.objects.get(family=kids.emma.family)
    client = client_for("hanne")
    url = f"/children/{kids.emma.public_id}/vulnerability/{period.pk}/clear/"
    assert client.post(url, {}).status_code == 400
    other = f"/children/{kids.noah.public_id}/vulnerability/{period.pk}/clear/"
    assert client.post(other, {f"clear-{period.pk}-valid_to": "2025-01-01"}).status_code == 404
    period.refresh_from_db()
    assert period.valid_to is None


def test_recording_a_move_keeps_the_history(
    world: World, client_for: ClientFor, kids: Kids
) -> None:
    client = client_for("hanne")
    response = client.post(
        f"/children/{kids.emma.public_id}/move/",
        {"move-area": world.vejgaard.pk, "move-valid_from": "2025-03-01"},
    )
    assert response.status_code == 302
    html = client.get(detail_url(kids.emma)).content.decode()
    assert "Lindholm" in html and "Vejgaard" in html
    assert Residence.objects.filter(child=kids.emma).count() == 2


def test_a_move_to_an_area_out_of_scope_is_refused(
    world: World, client_for: ClientFor, kids: Kids
) -> None:
    response = client_for("hanne").post(
        f"/children/{kids.emma.public_id}/move/",
        {"move-area": world.herstedlund.pk, "move-valid_from": "2025-03-01"},
    )
    assert response.status_code == 400
    assert "area" in response.context["move_form"].errors


def test_enrolling_and_ending_the_enrolment(
    world: World, client_for: ClientFor, kids: Kids
) -> None:
    client = client_for("hanne")
    response = client.post(
        f"/children/{kids.oscar.public_id}/enrolments/",
        {
            "enrol-institution": world.lindholm_daycare.pk,
            "enrol-group": "Myretuen",
            "enrol-valid_from": "2023-08-01",
        },
    )
    assert response.status_code == 302
    enrolment = Enrolment.objects.get(child=kids.oscar)
    response = client.post(
        f"/children/{kids.oscar.public_id}/enrolments/{enrolment.pk}/end/",
        {f"end-{enrolment.pk}-valid_to": "2025-07-31"},
    )
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.valid_to == dt.date(2025, 7, 31)


def test_enrolling_in_an_institution_out_of_scope_is_refused(
    world: World, client_for: ClientFor, kids: Kids
) -> None:
    response = client_for("hanne").post(
        f"/children/{kids.oscar.public_id}/enrolments/",
        {"enrol-institution": world.albertslund_daycare.pk, "enrol-valid_from": "2023-08-01"},
    )
    assert response.status_code == 400


def test_an_overlapping_enrolment_is_refused_with_a_message(
    world: World, client_for: ClientFor, kids: Kids
) -> None:
    client = client_for("hanne")
    data = {"enrol-institution": world.lindholm_daycare.pk, "enrol-valid_from": "2023-08-01"}
    assert client.post(f"/children/{kids.oscar.public_id}/enrolments/", data).status_code == 302
    response = client.post(f"/children/{kids.oscar.public_id}/enrolments/", data)
    assert response.status_code == 400
    assert "overlapping place" in response.content.decode()


def test_creating_a_family_and_adding_a_guardian(client_for: ClientFor, kids: Kids) -> None:
    client = client_for("hanne")
    response = client.post(f"/children/{kids.noah.public_id}/family/", {"family-name": "Nielsen"})
    assert response.status_code == 302
    kids.noah.refresh_from_db()
    assert kids.noah.family is not None
    response = client.post(
        f"/children/{kids.noah.public_id}/guardians/",
        {"guardian-name": "Niels Nielsen", "guardian-relation": "father"},
    )
    assert response.status_code == 302
    assert [g.name for g in kids.noah.family.guardians.all()] == ["Niels Nielsen"]


@pytest.mark.parametrize(
    "action", ["move/", "enrolments/", "vulnerability/", "family/", "guardians/", "cpr/"]
)
def test_actions_on_a_child_out_of_scope_answer_404(
    client_for: ClientFor, kids: Kids, action: str
) -> None:
    response = client_for("astrid").post(f"/children/{kids.emma.public_id}/{action}", {})
    assert response.status_code == 404


# Access log page


def test_the_access_log_is_for_administrators(client_for: ClientFor, kids: Kids) -> None:
    assert client_for("ada").get("/children/access-log/").status_code == 200
    for persona in ("hanne", "astrid", "lars", "rikke", "otto"):
        assert client_for(persona).get("/children/access-log/").status_code == 403


def test_the_access_log_shows_reads_newest_first(
    world: World, client_for: ClientFor, kids: Kids
) -> None:
    client_for("hanne").get(detail_url(kids.emma))
    client_for("astrid").get(detail_url(kids.freja))
    response = client_for("ada").get("/children/access-log/")
    entries = response.context["entries"]
    assert [(e.user.username, e.child.first_name, e.view) for e in entries] == [
        ("astrid", "Freja", "child_detail"),
        ("hanne", "Emma", "child_detail"),
    ]
    html = response.content.decode()
    assert str(kids.freja.public_id)[:8] in html
    assert "record page" in html


def test_the_access_log_filters_by_user_child_and_date(
    world: World, client_for: ClientFor, kids: Kids
) -> None:
    client_for("hanne").get(detail_url(kids.emma))
    client_for("hanne").get(detail_url(kids.oscar))
    client_for("astrid").get(detail_url(kids.freja))
    AccessLog.objects.filter(child=kids.oscar).update(
        at=dt.datetime(2025, 1, 10, 12, tzinfo=dt.UTC)
    )
    ada = client_for("ada")

    def children(**params: str | int) -> list[str]:
        response = ada.get("/children/access-log/", params)
        assert response.status_code == 200
        # Leaving out the rows of Ada's own earlier reads of the log (tested below).
        return [e.child.first_name for e in response.context["entries"] if e.view != "access_log"]

    assert children(reader=world.astrid.pk) == ["Freja"]
    assert children(child="holm") == ["Emma", "Oscar"]
    assert children(child=str(kids.freja.public_id)) == ["Freja"]
    assert children(child=str(kids.freja.public_id)[:8]) == ["Freja"]
    assert children(date_from="2025-01-10", date_to="2025-01-10") == ["Oscar"]
    assert children(reader=world.hanne.pk, date_from="2025-01-11") == ["Emma"]


def test_reading_the_access_log_is_logged_once_per_child_shown(
    world: World, client_for: ClientFor, kids: Kids
) -> None:
    for _ in range(3):
        client_for("hanne").get(detail_url(kids.emma))
    client_for("astrid").get(detail_url(kids.freja))
    response = client_for("ada").get("/children/access-log/")
    assert [e.child.first_name for e in response.context["entries"]] == ["Freja"] + ["Emma"] * 3
    own = AccessLog.objects.filter(user=world.ada).order_by("child__first_name")
    assert [(e.child.first_name, e.view) for e in own] == [
        ("Emma", "access_log"),
        ("Freja", "access_log"),
    ]
    # The next read shows the log's own read, labelled as such.
    html = client_for("ada").get("/children/access-log/").content.decode()
    assert "listed in the access log" in html or "vist i adgangsloggen" in html


def test_the_access_log_in_the_admin_logs_its_reads_too(
    world: World, client_for: ClientFor, kids: Kids
) -> None:
    client_for("hanne").get(detail_url(kids.emma))
    entry = AccessLog.objects.get()
    ada = client_for("ada")
    assert ada.get("/admin/children/accesslog/").status_code == 200
    assert ada.get(f"/admin/children/accesslog/{entry.pk}/change/").status_code == 200
    assert list(
        AccessLog.objects.filter(user=world.ada).values_list("child__first_name", "view")
    ) == [("Emma", "access_log"), ("Emma", "access_log")]


def test_the_access_log_filter_refuses_a_backwards_range(client_for: ClientFor) -> None:
    response = client_for("ada").get(
        "/children/access-log/", {"date_from": "2025-02-01", "date_to": "2025-01-01"}
    )
    assert "date_to" in response.context["form"].errors
