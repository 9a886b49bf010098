"""Each read path writes exactly one access-log row per child shown, with its view name."""

from __future__ import annotations

import pytest

from borneliv.children.models import AccessLog, Child
from borneliv.children.tests.conftest import ClientFor, Kids
from borneliv.testing import World

pytestmark = pytest.mark.django_db


def rows() -> list[tuple[str, str, str, str]]:
    return [
        (e.user.username, e.child.first_name, e.view, e.purpose)
        for e in AccessLog.objects.select_related("user", "child").order_by("pk")
    ]


def test_the_record_page_logs_one_row(client_for: ClientFor, kids: Kids) -> None:
    client_for("hanne").get(f"/children/{kids.emma.public_id}/")
    assert rows() == [("hanne", "Emma", "child_detail", "")]


def test_each_visit_of_the_record_page_logs_again(client_for: ClientFor, kids: Kids) -> None:
    client = client_for("hanne")
    client.get(f"/children/{kids.emma.public_id}/")
    client.get(f"/children/{kids.emma.public_id}/")
    assert len(rows()) == 2


def test_revealing_the_cpr_number_logs_one_row_with_the_purpose(
    client_for: ClientFor, kids: Kids
) -> None:
    client_for("hanne").post(
        f"/children/{kids.emma.public_id}/cpr/", {"reveal-purpose": "Referral to the GP"}
    )
    assert rows() == [("hanne", "Emma", "cpr_reveal", "Referral to the GP")]


def test_finding_by_cpr_logs_one_row(client_for: ClientFor, kids: Kids) -> None:
    client_for("hanne").post("/children/", {"cpr": kids.cpr["emma"]})
    assert rows() == [("hanne", "Emma", "find_by_cpr", "")]


def test_finding_nobody_logs_nothing(client_for: ClientFor, kids: Kids) -> None:
    client_for("astrid").post("/children/", {"cpr": kids.cpr["emma"]})
    assert rows() == []


def test_a_name_search_logs_one_row_per_child_listed(client_for: ClientFor, kids: Kids) -> None:
    client_for("hanne").get("/children/", {"q": "Holm"})
    assert rows() == [
        ("hanne", "Emma", "name_search", ""),
        ("hanne", "Oscar", "name_search", ""),
    ]


def test_the_api_list_logs_one_row_per_child_returned(client_for: ClientFor, kids: Kids) -> None:
    client_for("hanne").get("/api/v1/children", {"page_size": 2})
    assert rows() == [
        ("hanne", "Emma", "api_list", ""),
        ("hanne", "Oscar", "api_list", ""),
    ]


def test_the_api_detail_logs_one_row(client_for: ClientFor, kids: Kids) -> None:
    client_for("astrid").get(f"/api/v1/children/{kids.freja.public_id}")
    assert rows() == [("astrid", "Freja", "api_detail", "")]


def test_the_api_lookup_logs_one_row(client_for: ClientFor, kids: Kids) -> None:
    client_for("astrid").post(
        "/api/v1/children/lookup", {"cpr": kids.cpr["freja"]}, content_type="application/json"
    )
    assert rows() == [("astrid", "Freja", "api_lookup", "")]


@pytest.mark.parametrize(
    "request_",
    ["page", "api"],
)
def test_reads_refused_out_of_scope_log_nothing(
    client_for: ClientFor, kids: Kids, request_: str
) -> None:
    client = client_for("astrid")
    if request_ == "page":
        client.get(f"/children/{kids.emma.public_id}/")
    else:
        client.get(f"/api/v1/children/{kids.emma.public_id}")
    assert rows() == []


def test_a_form_error_on_the_record_logs_the_record_shown(
    client_for: ClientFor, kids: Kids
) -> None:
    client_for("hanne").post(f"/children/{kids.emma.public_id}/move/", {})
    assert rows() == [("hanne", "Emma", "child_detail", "")]


def test_the_access_log_cannot_be_changed_in_the_admin(
    world: World, client_for: ClientFor, kids: Kids
) -> None:
    client = client_for("ada")
    client.get(f"/children/{kids.emma.public_id}/")
    entry = AccessLog.objects.get()
    assert client.get("/admin/children/accesslog/").status_code == 200
    assert client.get(f"/admin/children/accesslog/{entry.pk}/change/").status_code == 200
    assert (
        client.post(f"/admin/children/accesslog/{entry.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert AccessLog.objects.filter(pk=entry.pk).exists()
    # Children cannot be deleted while their reads are logged.
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        Child.objects.filter(pk=kids.emma.pk).delete()


def test_the_admin_search_by_an_id_that_is_no_uuid_does_not_fail(
    client_for: ClientFor, kids: Kids
) -> None:
    client = client_for("ada")
    client.get(f"/children/{kids.emma.public_id}/")
    assert client.get("/admin/children/accesslog/", {"q": "emma"}).status_code == 200
    assert client.get("/admin/children/accesslog/", {"q": "not-a-uuid"}).status_code == 200
