"""The CPR number never appears in a URL, a page (but the explicit reveal), an API response,
a log line (SQL included) or an error message."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterator

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from borneliv.children import imports, services
from borneliv.children.models import Child
from borneliv.children.testing import synthetic_cpr
from borneliv.children.tests.conftest import ClientFor, Kids
from borneliv.testing import World

pytestmark = pytest.mark.django_db

NEW = synthetic_cpr(dt.date(2025, 6, 1), 300)
BAD = "3106259301"  # 31 June does not exist


def forms_of(number: str) -> list[str]:
    """The ways a number could show: with and without hyphen, and the serial part."""
    digits = number.replace("-", "")
    return [digits, f"{digits[:6]}-{digits[6:]}", f"{digits[:6]} {digits[6:]}"]


def assert_absent(text: str, numbers: list[str], where: str) -> None:
    for number in numbers:
        for form in forms_of(number):
            assert form not in text, f"a CPR number appears in {where}"


@pytest.fixture
def everything_logged(
    caplog: pytest.LogCaptureFixture,
) -> Iterator[tuple[pytest.LogCaptureFixture, CaptureQueriesContext]]:
    """Every log record at DEBUG, and every SQL statement with its parameters."""
    caplog.set_level(logging.DEBUG)
    with CaptureQueriesContext(connection) as queries:
        yield caplog, queries


def test_no_url_carries_a_cpr_number(world: World, client_for: ClientFor, kids: Kids) -> None:
    client = client_for("hanne")
    locations: list[str] = []
    response = client.post("/children/", {"cpr": kids.cpr["emma"]})
    locations.append(response["Location"])
    response = client.post(
        "/children/register/",
        {
            "cpr": NEW,
            "first_name": "Ny",
            "last_name": "Ny",
            "area": world.lindholm.pk,
            "family": "none",
        },
    )
    locations.append(response["Location"])
    for url in locations:
        assert_absent(url, [*kids.cpr.values(), NEW], f"the redirect to {url}")
    # And no page links to a URL with one: every href on the pages visited.
    for path in ["/children/", *locations, f"/children/{kids.emma.public_id}/"]:
        html = client.get(path).content.decode()
        assert_absent(html, [*kids.cpr.values(), NEW], path)


def test_pages_never_show_a_cpr_number_but_the_reveal(
    world: World, client_for: ClientFor, kids: Kids
) -> None:
    numbers = list(kids.cpr.values())
    client = client_for("ada")
    pages = [
        "/children/",
        "/children/?q=holm",
        "/children/register/",
        "/children/import/",
        "/children/access-log/",
        *(f"/children/{c.public_id}/" for c in kids.all()),
    ]
    for path in pages:
        assert_absent(client.get(path).content.decode(), numbers, path)
    # Failed posts come back without the number.
    for response in [
        client.post("/children/", {"cpr": synthetic_cpr(dt.date(2020, 1, 1), 999)}),
        client.post("/children/", {"cpr": BAD}),
        client.post(
            "/children/register/", {"cpr": kids.cpr["emma"], "first_name": "", "family": "none"}
        ),
        client.post(
            "/children/register/",
            {
                "cpr": kids.cpr["emma"],
                "first_name": "E",
                "last_name": "H",
                "area": world.lindholm.pk,
                "family": "none",
            },
        ),
        client.post(
            "/children/register/",
            {
                "cpr": BAD,
                "first_name": "E",
                "last_name": "H",
                "area": world.lindholm.pk,
                "family": "none",
            },
        ),
    ]:
        assert response.status_code == 400
        assert_absent(
            response.content.decode(),
            [*numbers, BAD, synthetic_cpr(dt.date(2020, 1, 1), 999)],
            "a form",
        )
    # The reveal shows exactly the one number asked for.
    html = client.post(
        f"/children/{kids.emma.public_id}/cpr/", {"reveal-purpose": "Checking a letter"}
    ).content.decode()
    assert kids.cpr["emma"] in html
    assert_absent(html, [kids.cpr["oscar"], kids.cpr["noah"], kids.cpr["freja"]], "the reveal")


def test_api_responses_never_carry_a_cpr_number(client_for: ClientFor, kids: Kids) -> None:
    client = client_for("ada")
    numbers = list(kids.cpr.values())
    texts = [
        client.get("/api/v1/children").content.decode(),
        client.get("/api/v1/openapi.json").content.decode(),
        *(client.get(f"/api/v1/children/{c.public_id}").content.decode() for c in kids.all()),
        *(
            client.post(
                "/api/v1/children/lookup", json.dumps({"cpr": n}), content_type="application/json"
            ).content.decode()
            for n in [*numbers, BAD, synthetic_cpr(dt.date(2020, 1, 1), 999)]
        ),
    ]
    for text in texts:
        assert_absent(text, [*numbers, BAD], "an API response")


def test_a_failed_registration_logs_no_cpr_number(
    world: World,
    client_for: ClientFor,
    kids: Kids,
    everything_logged: tuple[pytest.LogCaptureFixture, CaptureQueriesContext],
) -> None:
    caplog, queries = everything_logged
    client = client_for("astrid")
    data = {"first_name": "E", "last_name": "H", "area": world.herstedlund.pk, "family": "none"}
    # Emma lives where Astrid cannot see: the registration goes to an administrator.
    assert client.post("/children/register/", {**data, "cpr": kids.cpr["emma"]}).status_code == 302
    assert client.post("/children/register/", {**data, "cpr": BAD}).status_code == 400
    assert client.post("/children/", {"cpr": kids.cpr["emma"]}).status_code == 400
    client.post("/api/v1/children/lookup", {"cpr": BAD}, content_type="application/json")
    client.post(
        "/api/v1/children/lookup", {"cpr": kids.cpr["emma"]}, content_type="application/json"
    )
    with pytest.raises(services.DuplicateChildError) as info:
        services.child_register(
            cpr=kids.cpr["emma"], first_name="E", last_name="H", area=world.lindholm
        )
    assert caplog.records, "the requests were logged (Bad Request …)"
    assert_absent(caplog.text, [kids.cpr["emma"], BAD], "the log")
    sql = "\n".join(q["sql"] for q in queries.captured_queries)
    assert_absent(sql, [kids.cpr["emma"], BAD], "the SQL log")
    assert_absent(str(info.value), [kids.cpr["emma"]], "the error message")
    assert_absent(repr(info.value), [kids.cpr["emma"]], "the error's repr")


def test_an_import_with_a_bad_cpr_number_logs_none(
    world: World,
    client_for: ClientFor,
    kids: Kids,
    everything_logged: tuple[pytest.LogCaptureFixture, CaptureQueriesContext],
) -> None:
    caplog, queries = everything_logged
    data = (
        "cpr;fornavn;efternavn;omraade\n"
        f"{BAD};A;B;Lindholm\n"
        f"{kids.cpr['freja']};Freja;Berg;Lindholm\n"
        f"{NEW};Ny;Ny;Lindholm\n"
    ).encode()
    client = client_for("hanne")
    response = client.post(
        "/children/import/",
        {"file": SimpleUploadedFile("births.csv", data, content_type="text/csv")},
    )
    html = response.content.decode()
    report = imports.import_children(imports.read_rows(data), user=world.hanne, commit=True)
    assert not report.committed
    messages = " ".join(row.message for row in report.rows) + " ".join(report.file_errors)
    for text, where in [
        (html, "the report page"),
        (caplog.text, "the log"),
        (messages, "the messages"),
    ]:
        assert_absent(text, [BAD, kids.cpr["freja"], NEW], where)
    sql = "\n".join(q["sql"] for q in queries.captured_queries)
    assert_absent(sql, [BAD, kids.cpr["freja"], NEW], "the SQL log")
    # Freja (where Hanne cannot see) and the new number alike go to an administrator.
    assert (
        "children import by hanne: 3 rows, 0 ok, 2 referred, 0 unchanged, 1 errors" in caplog.text
    )
    assert not Child.objects.filter(first_name="Ny").exists()


def test_the_views_taking_a_cpr_number_hide_it_from_error_reports(
    world: World, client_for: ClientFor
) -> None:
    from django.views.debug import SafeExceptionReporterFilter

    client = client_for("hanne")
    for path in ("/children/", "/children/register/"):
        response = client.post(path, {"cpr": NEW})
        request = response.wsgi_request
        hidden = SafeExceptionReporterFilter().get_post_parameters(request)
        assert hidden["cpr"] != NEW and "*" in hidden["cpr"]


def test_the_browser_is_asked_not_to_keep_pages_with_personal_data(
    client_for: ClientFor, kids: Kids
) -> None:
    client = client_for("hanne")
    for path in ("/children/", f"/children/{kids.emma.public_id}/", "/children/register/"):
        assert "no-store" in client.get(path)["Cache-Control"], path


def test_the_cpr_inputs_ask_the_browser_not_to_remember_them(client_for: ClientFor) -> None:
    html = client_for("hanne").get("/children/register/").content.decode()
    assert 'name="cpr"' in html and 'autocomplete="off"' in html
    html = client_for("hanne").get("/children/").content.decode()
    assert 'pattern="[^0-9]*"' in html  # the name box refuses digits before they reach a URL


def test_an_anonymous_post_with_a_number_goes_to_login_without_it(world: World) -> None:
    response = Client().post("/children/", {"cpr": NEW})
    assert response.status_code == 302
    assert_absent(response["Location"], [NEW], "the login redirect")
