"""The instrument pages: list, version, export, import (check → confirm), drafts, publishing, and
the admin's read-only published versions."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from borneliv.motor import instruments, instruments_services
from borneliv.motor.instruments import InstrumentDocument
from borneliv.motor.models import Instrument, InstrumentVersion, Item
from borneliv.motor.tests.conftest import ClientFor
from borneliv.motor.views.instruments import IMPORT_SESSION_KEY
from borneliv.testing import World

LIST = "/motor/instruments/"
MOTOR4 = "/motor/instruments/motor-4/v1/"
IMPORT = "/motor/instruments/import/"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def doc_of(code: str = "motor-4", number: int = 1) -> InstrumentDocument:
    return instruments.document_from_version(
        InstrumentVersion.objects.get(instrument__code=code, number=number)
    )


def upload(document: InstrumentDocument, fmt: str = "xlsx", name: str = "") -> SimpleUploadedFile:
    write, content_type = instruments.WRITERS[fmt]
    return SimpleUploadedFile(name or f"instrument.{fmt}", write(document), content_type)


def new_draft(world: World, code: str = "motor-4") -> InstrumentVersion:
    return instruments_services.version_new_draft(
        by=world.ada, instrument=Instrument.objects.get(code=code)
    )


# --- the list ---------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["hanne", "pia", "lars", "rikke", "ada"])
def test_everyone_with_a_role_reads_the_instruments(client_for: ClientFor, persona: str) -> None:
    response = client_for(persona).get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Play-based motor observation, age 4" in html
    assert "School-start exam: motor items" in html
    assert 'href="/motor/instruments/motor-4/v1/?format=xlsx"' in html
    assert ("Import an instrument" in html) is (persona == "ada")


def test_someone_without_a_role_cannot_read_the_instruments(client_for: ClientFor) -> None:
    assert client_for("otto").get(LIST).status_code == 403
    assert client_for("otto").get(MOTOR4).status_code == 403


def test_the_starting_point_is_labelled_on_the_list(client_for: ClientFor) -> None:
    html = client_for("hanne").get(LIST).content.decode()
    # Once, for motor-4 only (the school-start items are the exam's own).
    assert html.count("A starting point the municipality can adjust.") == 1


def test_drafts_are_listed_only_for_administrators(world: World, client_for: ClientFor) -> None:
    new_draft(world)
    assert "/motor/instruments/motor-4/v2/" in client_for("ada").get(LIST).content.decode()
    assert "/motor/instruments/motor-4/v2/" not in client_for("hanne").get(LIST).content.decode()
    assert client_for("hanne").get("/motor/instruments/motor-4/v2/").status_code == 404
    assert client_for("ada").get("/motor/instruments/motor-4/v2/").status_code == 200


# --- a version ----------------------------------------------------------------------------------


def test_a_version_shows_its_items_by_domain_with_answers_and_the_rule(
    client_for: ClientFor,
) -> None:
    response = client_for("pia").get(MOTOR4)
    assert response.status_code == 200
    html = response.content.decode()
    assert "A starting point the municipality can adjust." in html
    for heading in ("Moving the body", "Balance", "Ball skills", "Joy of movement"):
        assert f">{heading}</h2>" in html
    assert html.index(">Moving the body</h2>") < html.index(">Joy of movement</h2>")
    assert "Runs in play with alternating arm and leg swing" in html
    assert 'Not yet <span class="muted">(1)</span>' in html
    assert 'On its way <span class="muted">(0.5)</span>' in html
    assert "at least 6 skill items observed" in html
    assert "Fewer than 1 remark: Age-appropriate motor skills." in html
    assert "From 1 and fewer than 3 remarks: Few signs of challenged motor skills." in html
    assert "3 remarks or more: Challenges with motor skills." in html
    # No management for a pedagogue.
    assert "Manage this version" not in html
    assert "publish/" not in html
    assert "New draft version" not in html


def test_an_unknown_version_is_not_found(client_for: ClientFor) -> None:
    assert client_for("hanne").get("/motor/instruments/motor-4/v9/").status_code == 404
    assert client_for("hanne").get("/motor/instruments/nothing/v1/").status_code == 404


@pytest.mark.parametrize("code", ["motor-4", "school-start"])
def test_a_version_exports_as_json(client_for: ClientFor, code: str) -> None:
    response = client_for("hanne").get(f"/motor/instruments/{code}/v1/?format=json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == f'attachment; filename="{code}-v1.json"'
    assert json.loads(response.content) == instruments.to_dict(doc_of(code))


@pytest.mark.parametrize("code", ["motor-4", "school-start"])
def test_a_version_exports_as_xlsx(client_for: ClientFor, code: str) -> None:
    response = client_for("lars").get(f"/motor/instruments/{code}/v1/?format=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == f'attachment; filename="{code}-v1.xlsx"'
    parsed = instruments.read_document(response.content, f"{code}-v1.xlsx")
    assert parsed.problems == []
    assert parsed.document == doc_of(code)


def test_an_unknown_export_format_is_not_found(client_for: ClientFor) -> None:
    assert client_for("hanne").get(MOTOR4 + "?format=pdf").status_code == 404


# --- the import -------------------------------------------------------------------------------


def test_only_administrators_import(client_for: ClientFor) -> None:
    for persona in ("hanne", "pia", "lars", "rikke"):
        client = client_for(persona)
        assert client.get(IMPORT).status_code == 403
        assert client.post(IMPORT, {"file": upload(doc_of().with_number(2))}).status_code == 403
        assert client.post(IMPORT, {"commit": "1", "token": "x"}).status_code == 403
    assert InstrumentVersion.objects.filter(instrument__code="motor-4").count() == 1


def test_the_import_page_explains_the_file(client_for: ClientFor) -> None:
    html = client_for("ada").get(IMPORT).content.decode()
    assert "Check the file" in html
    assert "<code>label::Dansk (da)</code>" in html
    assert "<code>object_control</code>" in html


def test_an_upload_is_checked_and_waits_for_confirmation(
    world: World, client_for: ClientFor
) -> None:
    client = client_for("ada")
    document = replace(
        doc_of(),
        number=2,
        items=tuple(i for i in doc_of().items if i.code != "run"),
        challenges_from=Decimal("4"),
    )
    response = client.post(IMPORT, {"file": upload(document, name="motor-4-v2.xlsx")})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Check of motor-4-v2.xlsx" in html
    assert "The file is in order." in html
    assert "Compared with version 1" in html
    assert "Items removed" in html
    assert "<code>run</code>" in html
    assert "<code>challenges_from</code>" in html
    assert InstrumentVersion.objects.filter(instrument__code="motor-4").count() == 1
    token = response.context["token"]
    assert token
    assert client.session[IMPORT_SESSION_KEY]["token"] == token

    response = client.post(IMPORT, {"commit": "1", "token": token})
    assert response.status_code == 302
    assert response["Location"] == "/motor/instruments/motor-4/v2/"
    version = InstrumentVersion.objects.get(instrument__code="motor-4", number=2)
    assert version.status == InstrumentVersion.Status.DRAFT
    assert version.challenges_from == Decimal("4")
    assert not version.items.filter(code="run").exists()
    assert IMPORT_SESSION_KEY not in client.session
    page = client.get(response["Location"]).content.decode()
    assert "Imported motor-4-v2.xlsx as version 2" in page
    assert "This version is a draft" in page


def test_a_confirmation_without_the_right_token_imports_nothing(client_for: ClientFor) -> None:
    client = client_for("ada")
    response = client.post(IMPORT, {"file": upload(doc_of().with_number(2), "json")})
    assert response.context["report"].can_commit
    response = client.post(IMPORT, {"commit": "1", "token": "forged"})
    assert response.status_code == 302
    assert response["Location"] == IMPORT
    assert InstrumentVersion.objects.filter(instrument__code="motor-4").count() == 1
    page = client.get(IMPORT).content.decode()
    assert "The checked file has expired or was replaced" in page


def test_a_bad_file_shows_every_problem_with_its_row_and_saves_nothing(
    client_for: ClientFor,
) -> None:
    data = instruments.to_dict(doc_of().with_number(2))
    data["items"][1]["domain"] = "swimming"
    data["choices"][0]["remark_weight"] = "2"
    file = SimpleUploadedFile("bad.json", json.dumps(data).encode(), "application/json")
    client = client_for("ada")
    response = client.post(IMPORT, {"file": file})
    assert response.status_code == 200
    html = response.content.decode()
    assert "The file has 2 problems. Nothing was imported" in html
    report = response.context["report"]
    assert [(p.sheet, p.row) for p in report.problems] == [("choices", 1), ("items", 2)]
    assert "Unknown domain “swimming”" in html
    assert "The file is in order." not in html
    assert IMPORT_SESSION_KEY not in client.session
    assert InstrumentVersion.objects.filter(instrument__code="motor-4").count() == 1


def test_importing_an_existing_version_again_is_refused(client_for: ClientFor) -> None:
    response = client_for("ada").post(IMPORT, {"file": upload(doc_of())})
    html = response.content.decode()
    assert "Version 1 of motor-4 already exists; nothing was changed." in html
    assert "The file is in order." not in html


def test_a_file_that_is_not_a_file_is_an_error_next_to_the_field(client_for: ClientFor) -> None:
    response = client_for("ada").post(IMPORT, {})
    assert response.status_code == 400
    assert "field--error" in response.content.decode()


def test_a_version_taken_between_check_and_confirmation_is_refused(
    world: World, client_for: ClientFor
) -> None:
    client = client_for("ada")
    response = client.post(IMPORT, {"file": upload(doc_of().with_number(2))})
    token = response.context["token"]
    new_draft(world)  # version 2 appears meanwhile
    response = client.post(IMPORT, {"commit": "1", "token": token})
    assert response.status_code == 200
    assert "Version 2 of motor-4 already exists" in response.content.decode()
    assert InstrumentVersion.objects.filter(instrument__code="motor-4").count() == 2


# --- a version's life ---------------------------------------------------------------------------


def test_an_administrator_starts_a_new_draft(client_for: ClientFor) -> None:
    client = client_for("ada")
    html = client.get(MOTOR4).content.decode()
    assert "New draft version" in html
    assert "Start a new version as a copy of the latest one" in html
    response = client.post("/motor/instruments/motor-4/new-draft/")
    assert response.status_code == 302
    assert response["Location"] == "/motor/instruments/motor-4/v2/"
    assert InstrumentVersion.objects.get(instrument__code="motor-4", number=2).is_editable


def test_the_actions_need_a_post_and_an_administrator(client_for: ClientFor) -> None:
    assert client_for("ada").get("/motor/instruments/motor-4/new-draft/").status_code == 405
    assert client_for("ada").get(MOTOR4 + "publish/").status_code == 405
    for persona in ("hanne", "pia", "lars"):
        client = client_for(persona)
        assert client.post("/motor/instruments/motor-4/new-draft/").status_code == 403
        assert client.post(MOTOR4 + "publish/").status_code == 403
        assert client.post(MOTOR4 + "retire/").status_code == 403
    assert list(
        InstrumentVersion.objects.filter(instrument__code="motor-4").values_list("status")
    ) == [("published",)]


def test_an_administrator_publishes_a_draft(world: World, client_for: ClientFor) -> None:
    draft = new_draft(world)
    client = client_for("ada")
    url = f"/motor/instruments/motor-4/v{draft.number}/"
    html = client.get(url).content.decode()
    assert "Yes, publish version 2" in html
    assert f'href="/admin/motor/instrumentversion/{draft.pk}/change/"' in html
    response = client.post(url + "publish/")
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == InstrumentVersion.Status.PUBLISHED
    assert draft.published_by == world.ada
    assert "Version 2 is published" in client.get(url).content.decode()


def test_publishing_a_published_version_is_refused_with_a_message(
    client_for: ClientFor,
) -> None:
    client = client_for("ada")
    response = client.post(MOTOR4 + "publish/", follow=True)
    assert "Only a draft can be published; version 1 is published." in response.content.decode()


def test_an_administrator_retires_a_version(world: World, client_for: ClientFor) -> None:
    client = client_for("ada")
    assert "Yes, retire version 1" in client.get(MOTOR4).content.decode()
    response = client.post(MOTOR4 + "retire/", follow=True)
    html = response.content.decode()
    assert "Version 1 is retired" in html
    assert "no longer offered for new sessions" in html
    assert InstrumentVersion.objects.get(instrument__code="motor-4", number=1).status == "retired"


# --- the admin ----------------------------------------------------------------------------------


def admin_url(version: InstrumentVersion) -> str:
    return f"/admin/motor/instrumentversion/{version.pk}/change/"


def test_a_published_version_is_read_only_in_the_admin(client_for: ClientFor) -> None:
    version = InstrumentVersion.objects.get(instrument__code="motor-4", number=1)
    client = client_for("ada")
    response = client.get(admin_url(version))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="_save"' not in html
    assert 'name="items-0-label_da"' not in html
    response = client.post(admin_url(version), {"note_en": "changed"})
    assert response.status_code == 403
    version.refresh_from_db()
    assert version.note_en != "changed"


def test_a_draft_is_edited_in_the_admin(world: World, client_for: ClientFor) -> None:
    draft = new_draft(world)
    client = client_for("ada")
    html = client.get(admin_url(draft)).content.decode()
    assert 'name="_save"' in html
    assert 'name="items-0-label_da"' in html
    form = load_admin_form(draft)
    form["items-0-label_en"] = "Runs and stops"
    form["few_signs_from"] = "1.5"
    response = client.post(admin_url(draft), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    draft.refresh_from_db()
    assert draft.few_signs_from == Decimal("1.5")
    assert Item.objects.get(version=draft, code="run").label_en == "Runs and stops"
    # The published version it was copied from is unchanged.
    assert Item.objects.get(version__number=1, version__instrument__code="motor-4", code="run")
    assert (
        Item.objects.get(
            version__number=1, version__instrument__code="motor-4", code="run"
        ).label_en
        == "Runs"
    )


def test_versions_are_not_added_in_the_admin(client_for: ClientFor) -> None:
    assert client_for("ada").get("/admin/motor/instrumentversion/add/").status_code == 403
    assert client_for("ada").get("/admin/motor/instrument/add/").status_code == 403


def test_other_staff_only_read_the_instrument_admin(world: World, client_for: ClientFor) -> None:
    version = InstrumentVersion.objects.get(instrument__code="motor-4", number=1)
    client = client_for("lars")  # staff in the admin, not an administrator
    html = client.get(admin_url(version)).content.decode()
    assert 'name="_save"' not in html
    assert client.post(admin_url(version), {"note_en": "x"}).status_code == 403
    draft = new_draft(world)
    assert client.post(admin_url(draft), {"note_en": "x"}).status_code == 403
    assert client_for("hanne").get(admin_url(version)).status_code == 302  # not staff: log in


def load_admin_form(version: InstrumentVersion) -> dict[str, str]:
    """The admin change form's data for a draft, as the browser would post it unchanged."""
    data: dict[str, str] = {
        "is_starting_point": "on" if version.is_starting_point else "",
        "note_da": version.note_da,
        "note_en": version.note_en,
        "age_min_months": str(version.age_min_months),
        "age_max_months": str(version.age_max_months),
        "few_signs_from": str(version.few_signs_from),
        "challenges_from": str(version.challenges_from),
        "min_assessed": str(version.min_assessed),
        "lock_version": str(version.lock_version),
        "_save": "Save",
    }
    if not data["is_starting_point"]:
        del data["is_starting_point"]
    choices = list(version.choices.order_by("list_name", "position"))
    items = list(version.items.order_by("position", "code"))
    for prefix, rows, fields in (
        (
            "choices",
            choices,
            ["list_name", "position", "value", "label_da", "label_en", "remark_weight"],
        ),
        (
            "items",
            items,
            [
                "position",
                "code",
                "domain",
                "list_name",
                "label_da",
                "label_en",
                "guidance_da",
                "guidance_en",
            ],
        ),
    ):
        data[f"{prefix}-TOTAL_FORMS"] = str(len(rows))
        data[f"{prefix}-INITIAL_FORMS"] = str(len(rows))
        data[f"{prefix}-MIN_NUM_FORMS"] = "0"
        data[f"{prefix}-MAX_NUM_FORMS"] = "1000"
        for n, row in enumerate(rows):
            data[f"{prefix}-{n}-id"] = str(row.pk)
            data[f"{prefix}-{n}-version"] = str(version.pk)
            for name in fields:
                data[f"{prefix}-{n}-{name}"] = str(getattr(row, name))
    return data


def test_the_xlsx_export_opens_as_a_workbook(client_for: ClientFor) -> None:
    response = client_for("hanne").get(MOTOR4 + "?format=xlsx")
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["survey", "choices", "settings"]


def test_a_version_reads_right_in_danish(client_for: ClientFor) -> None:
    """One remark takes the singular ("Under 1 bemærkning"), and the status is said once."""
    client = client_for("pia")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "da"
    html = client.get(MOTOR4).content.decode()
    assert "Under 1 bemærkning: Alderssvarende motorik." in html
    assert "Fra 1 og under 3 bemærkninger: Få tegn på udfordret motorik." in html
    assert "3 bemærkninger eller flere: Udfordringer med motorik." in html
    assert "Færre end 1 bemærkninger" not in html
    assert "Offentliggjort den " in html
    assert "Offentliggjort, offentliggjort" not in html
