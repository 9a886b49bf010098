"""No existence oracle: a registration of a number the user cannot see goes to an administrator.

Astrid (Albertslund) cannot see Emma (Aalborg). Whether she registers Emma's number or a new
one, she gets the same answer, and the same report in an import; an administrator decides.
Every duplicate check that hits a child leaves an access-log row.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from borneliv.children import imports, referrals, services
from borneliv.children.models import AccessLog, Child, Family, Referral, Residence
from borneliv.children.testing import synthetic_cpr
from borneliv.children.tests.conftest import ClientFor, Kids
from borneliv.lib.versioning import StateChanged
from borneliv.testing import World

pytestmark = pytest.mark.django_db

# Born the same day as Emma, a girl too: only the serial differs, so nothing shown differs.
NEW = synthetic_cpr(dt.date(2024, 3, 15), 10, sex="F")


def register_data(world: World, cpr: str, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "cpr": cpr,
        "first_name": "Ida",
        "last_name": "Ibsen",
        "area": world.herstedlund.pk,
        "resident_from": "2025-02-01",
        "family": "none",
    }
    data.update(overrides)
    return data


def normalised(html: str) -> str:
    """The page without what differs between any two requests (tokens, the referral's id)."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r"/children/referrals/[0-9a-f-]{36}/", "/children/referrals/ID/", html)


def test_registering_a_number_registered_elsewhere_answers_like_a_new_one(
    world: World, client_for: ClientFor, kids: Kids
) -> None:
    answers = []
    for cpr in (kids.cpr["emma"], NEW):
        client = client_for("astrid")
        response = client.post("/children/register/", register_data(world, cpr))
        referral = Referral.objects.get(cpr_pseudonym=services.cpr_pseudonym(cpr.replace("-", "")))
        list_page = client.get("/children/referrals/")
        detail = client.get(f"/children/referrals/{referral.public_id}/")
        answers.append(
            (
                response.status_code,
                response["Location"],
                [str(m) for m in list_page.context["messages"]],
                normalised(list_page.content.decode()).replace(str(referral.public_id), "ID"),
                normalised(detail.content.decode()),
            )
        )
        # Reset, so the second answer is compared against the same starting point.
        Referral.objects.filter(pk=referral.pk).delete()
    assert answers[0] == answers[1]
    status, location, messages, _list, _detail = answers[0]
    assert (status, location) == (302, "/children/referrals/")
    assert messages == [
        "The registration has been sent to an administrator for checking. You will find the "
        "child in the registry when it has been approved."
    ]
    assert Child.objects.count() == 4  # no duplicate, no new child yet


def test_the_hit_she_was_not_told_about_is_logged(
    world: World, client_for: ClientFor, kids: Kids
) -> None:
    client_for("astrid").post("/children/register/", register_data(world, kids.cpr["emma"]))
    client_for("astrid").post("/children/register/", register_data(world, NEW))
    assert list(AccessLog.objects.values_list("user__username", "child__first_name", "view")) == [
        ("astrid", "Emma", "register_referred")
    ]


def test_a_visible_duplicate_is_named_and_the_read_logged(
    world: World, client_for: ClientFor, kids: Kids
) -> None:
    data = register_data(world, kids.cpr["emma"], area=world.lindholm.pk)
    response = client_for("hanne").post("/children/register/", data)
    assert response.status_code == 400
    assert "This child is registered already: Emma Holm, born 15.03.2024." in (
        response.content.decode()
    )
    assert list(AccessLog.objects.values_list("user__username", "child", "view")) == [
        ("hanne", kids.emma.pk, "register_check")
    ]
    assert not Referral.objects.exists()


def test_sending_the_same_child_twice_is_refused_with_her_own_date(
    world: World, client_for: ClientFor
) -> None:
    client = client_for("astrid")
    client.post("/children/register/", register_data(world, NEW))
    response = client.post("/children/register/", register_data(world, NEW))
    assert response.status_code == 400
    assert "You sent this child to an administrator on" in response.content.decode()
    assert Referral.objects.count() == 1


def test_an_administrator_registers_at_once(world: World, client_for: ClientFor) -> None:
    response = client_for("ada").post("/children/register/", register_data(world, NEW))
    child = Child.objects.get(first_name="Ida")
    assert response["Location"] == f"/children/{child.public_id}/"
    assert not Referral.objects.exists()


def test_the_sender_sees_only_her_own_referrals(
    world: World, client_for: ClientFor, kids: Kids
) -> None:
    client_for("astrid").post("/children/register/", register_data(world, NEW))
    referral = Referral.objects.get()
    assert client_for("astrid").get(f"/children/referrals/{referral.public_id}/").status_code == 200
    assert client_for("hanne").get(f"/children/referrals/{referral.public_id}/").status_code == 404
    assert client_for("hanne").get("/children/referrals/").context["page"].paginator.count == 0
    for persona in ("pia", "lars", "rikke", "otto"):
        assert client_for(persona).get("/children/referrals/").status_code == 403
    for action in ("register", "decline"):
        url = f"/children/referrals/{referral.public_id}/{action}/"
        assert client_for("astrid").post(url, {"answer": "x"}).status_code == 403


# The administrator decides


def test_a_new_number_is_registered_with_its_family(world: World, client_for: ClientFor) -> None:
    data = register_data(
        world,
        NEW,
        family="new",
        family_name="Ibsen",
        guardian_1_name="Ulla Ibsen",
        guardian_1_relation="mother",
        guardian_1_phone="12345678",
    )
    client_for("astrid").post("/children/register/", data)
    referral = Referral.objects.get()
    page = client_for("ada").get(f"/children/referrals/{referral.public_id}/")
    assert "The CPR number is not registered: the child is new." in page.content.decode()
    response = client_for("ada").post(f"/children/referrals/{referral.public_id}/register/")
    assert response.status_code == 302
    child = Child.objects.get(first_name="Ida")
    assert child.family is not None and child.family.name == "Ibsen"
    assert list(child.family.guardians.values_list("name", "phone")) == [
        ("Ulla Ibsen", "12 34 56 78")
    ]
    referral.refresh_from_db()
    assert (referral.status, referral.child, referral.decided_by) == (
        "registered",
        child,
        world.ada,
    )
    # Astrid now sees the child and finds the link on her referral.
    html = client_for("astrid").get(f"/children/referrals/{referral.public_id}/").content.decode()
    assert f"/children/{child.public_id}/" in html


def test_a_registered_number_is_moved_to_her_area_after_a_logged_look(
    world: World, client_for: ClientFor, kids: Kids
) -> None:
    client_for("astrid").post("/children/register/", register_data(world, kids.cpr["emma"]))
    referral = Referral.objects.get()
    AccessLog.objects.all().delete()
    page = client_for("ada").get(f"/children/referrals/{referral.public_id}/")
    assert "This CPR number is registered: Emma Holm, born 2024-03-15." in page.content.decode()
    assert list(AccessLog.objects.values_list("user__username", "child", "view")) == [
        ("ada", kids.emma.pk, "referral_check")
    ]
    response = client_for("ada").post(
        f"/children/referrals/{referral.public_id}/move/", {"valid_from": "2025-02-01"}
    )
    assert response.status_code == 302
    current = Residence.objects.filter(child=kids.emma).order_by("-valid_from").first()
    assert current is not None
    assert (current.area, current.valid_from) == (world.herstedlund, dt.date(2025, 2, 1))
    assert Child.objects.visible_to(world.astrid).filter(pk=kids.emma.pk).exists()
    referral.refresh_from_db()
    assert (referral.status, referral.child) == ("moved", kids.emma)


def test_a_declined_registration_shows_the_answer_to_the_sender(
    world: World, client_for: ClientFor
) -> None:
    client_for("astrid").post("/children/register/", register_data(world, NEW))
    referral = Referral.objects.get()
    url = f"/children/referrals/{referral.public_id}/decline/"
    assert client_for("ada").post(url, {"answer": ""}).status_code == 400
    client_for("ada").post(url, {"answer": "Ring til familien og bekræft adressen."})
    html = client_for("astrid").get(f"/children/referrals/{referral.public_id}/").content.decode()
    assert "Declined" in html and "Ring til familien og bekræft adressen." in html


def test_a_referral_decided_already_is_refused_with_who_decided_it(world: World) -> None:
    referral = referrals.child_register_or_refer(
        by=world.astrid,
        cpr=NEW,
        first_name="Ida",
        last_name="Ibsen",
        area=world.herstedlund,
    )
    assert isinstance(referral, Referral)
    stale = Referral.objects.get(pk=referral.pk)
    referrals.referral_decline(referral=referral, by=world.ada, answer="Nej")
    with pytest.raises(StateChanged) as caught:
        referrals.referral_register(referral=stale, by=world.ada)
    assert "This registration was decided already (Declined)." in caught.value.messages[0]
    assert not Child.objects.filter(first_name="Ida").exists()


def test_an_administrators_front_page_says_registrations_wait(
    world: World, client_for: ClientFor
) -> None:
    assert "Registrations to decide" not in client_for("ada").get("/").content.decode()
    client_for("astrid").post("/children/register/", register_data(world, NEW))
    html = client_for("ada").get("/").content.decode()
    assert "1 registration of a child waits for an administrator." in html
    assert "Registrations to decide" not in client_for("astrid").get("/").content.decode()


# The import


HEADER = "cpr;fornavn;efternavn;omraade;tilflytningsdato;familie;vaerge;relation"


def csv(*lines: str) -> bytes:
    return ("\n".join([HEADER, *lines]) + "\n").encode()


def test_an_import_reports_a_number_registered_elsewhere_like_a_new_one(
    world: World, kids: Kids
) -> None:
    data = csv(
        f"{kids.cpr['emma']};Ida;Ibsen;Herstedlund;01.02.2025;;;",
        f"{NEW};Ida;Ibsen;Herstedlund;01.02.2025;;;",
    )
    report = imports.import_children(imports.read_rows(data), user=world.astrid)
    first, second = report.rows
    assert (first.status, first.message, first.masked_cpr) == (
        second.status,
        second.message,
        second.masked_cpr,
    )
    assert first.status == "refer" and report.can_commit and report.referred == 2
    # The hit is logged all the same: Astrid's look-up touched Emma's record.
    assert list(AccessLog.objects.values_list("user__username", "child", "view")) == [
        ("astrid", kids.emma.pk, "import_referred")
    ]


def test_a_committed_import_becomes_one_batch_an_administrator_registers(
    world: World, client_for: ClientFor, kids: Kids
) -> None:
    siblings = [synthetic_cpr(dt.date(2025, 1, d), 20 + d) for d in (5, 6)]
    data = csv(
        f"{siblings[0]};Alma;Ager;Herstedlund;;Ager;Lise Ager;mor",
        f"{siblings[1]};Bo;Ager;Herstedlund;;Ager;Lise Ager;mor",
        f"{kids.cpr['emma']};Emma;Holm;Herstedlund;01.02.2025;;;",
    )
    report = imports.import_children(imports.read_rows(data), user=world.astrid, commit=True)
    assert report.committed and report.batch is not None
    assert Referral.objects.filter(batch=report.batch).count() == 3
    assert not Child.objects.filter(first_name__in=["Alma", "Bo"]).exists()

    page = client_for("ada").get("/children/referrals/")
    (batch,) = page.context["batches"]
    assert (batch["waiting"], batch["new"], batch["registered"]) == (3, 2, 1)
    # Emma's row waits for its own decision in the list.
    assert [r.first_name for r in page.context["page"].object_list] == ["Emma"]

    response = client_for("ada").post(f"/children/referrals/imports/{report.batch}/register/")
    assert response.status_code == 302
    alma, bo = Child.objects.get(first_name="Alma"), Child.objects.get(first_name="Bo")
    assert alma.family == bo.family and alma.family is not None
    assert list(alma.family.guardians.values_list("name", flat=True)) == ["Lise Ager"]
    assert Family.objects.filter(name="Ager").count() == 1
    assert Referral.objects.open().get().first_name == "Emma"


def test_the_dry_run_logs_every_hit_in_one_insert(world: World, kids: Kids) -> None:
    born = dt.date(2024, 5, 1)
    numbers = [synthetic_cpr(born, 100 + n) for n in range(60)]
    for n, cpr in enumerate(numbers):
        services.child_register(
            cpr=cpr, first_name=f"Barn{n}", last_name="Test", area=world.lindholm
        )
    data = csv(*[f"{cpr};Barn{n};Test;Lindholm;;;;" for n, cpr in enumerate(numbers)])
    AccessLog.objects.all().delete()
    with CaptureQueriesContext(connection) as queries:
        report = imports.import_children(imports.read_rows(data), user=world.hanne)
    inserts = [q for q in queries.captured_queries if "children_accesslog" in q["sql"].lower()]
    assert report.unchanged == 60
    assert len(inserts) == 1
    assert AccessLog.objects.filter(user=world.hanne, view="import_check").count() == 60
