"""Instrument documents (JSON and XLSX): round trips, the row-by-row problem report, the import
(dry run, commit, all or nothing) and a version's life (new draft, publish, retire)."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db.models import ProtectedError
from openpyxl import Workbook, load_workbook

from borneliv.motor import instruments, instruments_services
from borneliv.motor.instruments import InstrumentDocument, ItemDoc, Problem
from borneliv.motor.models import Choice, Instrument, InstrumentVersion, Item, Session
from borneliv.testing import World

FOLDER = Path(instruments.__file__).resolve().parent / "instruments"
SHIPPED = {"motor-4": "motor-4-v1.json", "school-start": "school-start-v1.json"}


def v1(code: str) -> InstrumentVersion:
    return InstrumentVersion.objects.get(instrument__code=code, number=1)


def doc_of(code: str, number: int = 1) -> InstrumentDocument:
    version = InstrumentVersion.objects.get(instrument__code=code, number=number)
    return instruments.document_from_version(version)


def parsed_of(document: InstrumentDocument, fmt: str = "json") -> instruments.Parsed:
    write, _content_type = instruments.WRITERS[fmt]
    return instruments.read_document(write(document), f"x.{fmt}")


def counts() -> tuple[int, int, int, int]:
    return (
        Instrument.objects.count(),
        InstrumentVersion.objects.count(),
        Item.objects.count(),
        Choice.objects.count(),
    )


def edited_xlsx(document: InstrumentDocument, edit: Callable[[Workbook], None]) -> bytes:
    workbook = load_workbook(io.BytesIO(instruments.to_xlsx(document)))
    edit(workbook)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def places(problems: list[Problem]) -> set[tuple[str, int | None]]:
    return {(p.sheet, p.row) for p in problems}


def message_at(problems: list[Problem], sheet: str, row: int | None) -> str:
    return " | ".join(p.message for p in problems if (p.sheet, p.row) == (sheet, row))


# --- round trips --------------------------------------------------------------------------------


@pytest.mark.parametrize("code", sorted(SHIPPED))
def test_exporting_a_shipped_version_gives_the_shipped_json(db: None, code: str) -> None:
    shipped = json.loads((FOLDER / SHIPPED[code]).read_text(encoding="utf-8"))
    assert instruments.to_dict(doc_of(code)) == shipped
    assert json.loads(instruments.to_json(doc_of(code))) == shipped


@pytest.mark.parametrize("fmt", ["json", "xlsx"])
@pytest.mark.parametrize("code", sorted(SHIPPED))
def test_a_document_reads_back_as_the_same_document(db: None, code: str, fmt: str) -> None:
    document = doc_of(code)
    parsed = parsed_of(document, fmt)
    assert parsed.problems == []
    assert parsed.format == fmt
    assert parsed.document == document


@pytest.mark.parametrize("fmt", ["json", "xlsx"])
@pytest.mark.parametrize("code", sorted(SHIPPED))
def test_export_then_import_gives_the_same_instrument(world: World, code: str, fmt: str) -> None:
    exported = doc_of(code).with_number(2)
    report = instruments_services.instrument_import(
        by=world.ada, document=parsed_of(exported, fmt), dry_run=False
    )
    assert report.problems == []
    assert report.committed
    version = report.version
    assert version is not None
    assert version.status == InstrumentVersion.Status.DRAFT
    assert version.number == 2
    assert version.published_at is None
    assert instruments.document_from_version(version) == exported
    assert [i.code for i in version.items.order_by("position")] == [i.code for i in exported.items]


def test_the_xlsx_is_xlsform_like(db: None) -> None:
    workbook = load_workbook(io.BytesIO(instruments.to_xlsx(doc_of("motor-4"))))
    assert workbook.sheetnames == ["survey", "choices", "settings"]
    survey = list(workbook["survey"].iter_rows(values_only=True))
    assert survey[0] == (
        "type",
        "name",
        "label::Dansk (da)",
        "label::English (en)",
        "hint::Dansk (da)",
        "hint::English (en)",
        "domain",
    )
    assert survey[1][:4] == ("select_one three_level", "run", "Løber", "Runs")
    assert survey[1][6] == "locomotion"
    choices = list(workbook["choices"].iter_rows(values_only=True))
    assert choices[0] == (
        "list_name",
        "name",
        "label::Dansk (da)",
        "label::English (en)",
        "remark_weight",
    )
    assert choices[1:4] == [
        ("three_level", "not_yet", "Ikke endnu", "Not yet", 1),
        ("three_level", "on_its_way", "På vej", "On its way", 0.5),
        ("three_level", "masters", "Mestrer", "Masters it", 0),
    ]
    header, row = list(workbook["settings"].iter_rows(values_only=True))
    settings = dict(zip(header, row, strict=True))
    assert settings["form_id"] == "motor-4"
    assert settings["version"] == 1
    assert settings["starting_point"] == "yes"
    assert (settings["few_signs_from"], settings["challenges_from"]) == (1, 3)
    assert settings["min_assessed"] == 6
    assert (settings["age_min_months"], settings["age_max_months"]) == (42, 60)


def test_the_xlsx_reader_accepts_short_language_headers_and_decimal_commas(db: None) -> None:
    def edit(workbook: Workbook) -> None:
        workbook["survey"]["C1"] = "label::da"
        workbook["choices"]["E3"] = "0,5"
        workbook["settings"]["H2"] = "1,5"

    parsed = instruments.read_document(edited_xlsx(doc_of("motor-4"), edit), "m.xlsx")
    assert parsed.problems == []
    assert parsed.document is not None
    assert parsed.document.choices[1].remark_weight == Decimal("0.5")
    assert parsed.document.few_signs_from == Decimal("1.5")


# --- the problem report ---------------------------------------------------------------------------


def test_every_problem_of_a_spreadsheet_is_reported_with_its_sheet_and_row(db: None) -> None:
    def edit(workbook: Workbook) -> None:
        survey, choices, settings = workbook["survey"], workbook["choices"], workbook["settings"]
        survey["G2"] = "flying"  # row 2 (run): an unknown domain
        survey["A3"] = "select_one no_such_scale"  # row 3 (jump): a scale not in the choices
        survey["B4"] = "run"  # row 4 (hop): the code of row 2 again
        survey["C5"] = ""  # row 5 (climb): no Danish label
        survey["B6"] = "one leg!"  # row 6 (one_leg): not a valid code
        survey["A7"] = "text"  # row 7: not a select_one
        choices["B3"] = "not_yet"  # row 3: the answer of row 2 again
        choices["E4"] = 1.5  # row 4: a weight above 1
        choices["E5"] = "lots"  # row 5: not a number
        choices.append(["lonely", "only", "Kun", "Only", 0])  # row 8: a scale of one answer
        settings["H2"] = 4  # few signs from 4 …
        settings["I2"] = 2  # … but challenges from 2

    parsed = instruments.read_document(edited_xlsx(doc_of("motor-4"), edit), "bad.xlsx")
    assert parsed.document is None
    problems = parsed.problems
    assert places(problems) == {
        ("survey", 2),
        ("survey", 3),
        ("survey", 4),
        ("survey", 5),
        ("survey", 6),
        ("survey", 7),
        ("choices", 3),
        ("choices", 4),
        ("choices", 5),
        ("choices", 8),
        ("settings", 2),
    }
    assert "Unknown domain “flying”" in message_at(problems, "survey", 2)
    assert "The scale “no_such_scale” is not in the choices" in message_at(problems, "survey", 3)
    assert "“run” appears twice (also row 2)" in message_at(problems, "survey", 4)
    assert "The Danish label is empty" in message_at(problems, "survey", 5)
    assert "“one leg!” is not a valid code" in message_at(problems, "survey", 6)
    assert "must be “select_one <scale>”, not “text”" in message_at(problems, "survey", 7)
    assert "“not_yet” appears twice in the scale three_level (also row 2)" in message_at(
        problems, "choices", 3
    )
    assert "remark weight must be between 0 and 1" in message_at(problems, "choices", 4)
    assert "remark weight “lots” is not a number" in message_at(problems, "choices", 5)
    assert "The scale lonely has 1 answer; a scale needs at least two" in message_at(
        problems, "choices", 8
    )
    assert "The rule is inconsistent: challenges start at 2 remarks" in message_at(
        problems, "settings", 2
    )
    assert str(problems[0]).startswith("survey, row 2: ")


def test_a_spreadsheet_without_a_sheet_or_a_column_is_reported(db: None) -> None:
    def edit(workbook: Workbook) -> None:
        del workbook["choices"]
        workbook["survey"].delete_cols(7)  # domain
        workbook["settings"]["A1"] = "id"  # form_id missing

    problems = instruments.read_document(edited_xlsx(doc_of("motor-4"), edit), "x.xlsx").problems
    assert ("choices", None) in places(problems)
    assert message_at(problems, "choices", None) == "The sheet is missing."
    assert message_at(problems, "survey", 1) == "Missing columns: domain."
    assert "The instrument code is empty" in message_at(problems, "settings", 2)


def test_a_broken_workbook_or_json_file_is_refused(db: None) -> None:
    broken = instruments.read_document(b"PK\x03\x04 not really a zip", "x.xlsx")
    assert [p.message for p in broken.problems] == ["The file cannot be read as an Excel workbook."]
    assert [p.message for p in instruments.read_document(b"{nope", "x.json").problems] == [
        "The file is not valid JSON."
    ]
    other = instruments.read_document(json.dumps({"format": "xlsform"}).encode(), "x.json")
    assert other.document is None
    assert "not an instrument document" in other.problems[0].message


def test_a_json_document_reports_problems_by_section_and_entry(db: None) -> None:
    data = instruments.to_dict(doc_of("school-start"))
    data["items"][2]["domain"] = "juggling"
    data["items"][4]["label_en"] = " "
    data["choices"][1]["remark_weight"] = "-0.5"
    data["version"]["rule"]["min_assessed"] = 20  # of 8 skill items left (3 is not a skill now)
    data["instrument"]["code"] = "School Start"
    problems = instruments.read_document(json.dumps(data).encode(), "s.json").problems
    assert places(problems) == {
        ("items", 3),
        ("items", 5),
        ("choices", 2),
        ("version", 1),
        ("instrument", 1),
    }
    assert "Unknown domain “juggling”" in message_at(problems, "items", 3)
    assert "The English label is empty" in message_at(problems, "items", 5)
    assert "remark weight must be between 0 and 1" in message_at(problems, "choices", 2)
    assert "needs 20 skill items observed, but the instrument has only 8" in message_at(
        problems, "version", 1
    )
    assert "“School Start” is not a valid code" in message_at(problems, "instrument", 1)


def test_the_ages_must_be_in_order(db: None) -> None:
    data = instruments.to_dict(doc_of("motor-4"))
    data["version"]["age_min_months"], data["version"]["age_max_months"] = 60, 42
    problems = instruments.read_document(json.dumps(data).encode()).problems
    assert [p.message for p in problems] == [
        "The oldest age (42 months) is below the youngest (60 months)."
    ]


# --- the import ---------------------------------------------------------------------------------


def changed_motor4(number: int = 2) -> InstrumentDocument:
    """motor-4 with one item removed (run), one added (skip), one relabelled (jump), and one
    answer's weight and the rule changed."""
    document = doc_of("motor-4")
    items = [i for i in document.items if i.code != "run"]
    items = [
        replace(i, label_da="Hopper med samlede ben") if i.code == "jump" else i for i in items
    ]
    items.insert(3, ItemDoc("skip", "locomotion", "three_level", "Hinker", "Skips", "", ""))
    choices = tuple(
        replace(c, remark_weight=Decimal("0.25")) if c.value == "on_its_way" else c
        for c in document.choices
    )
    return replace(
        document,
        number=number,
        items=tuple(items),
        choices=choices,
        few_signs_from=Decimal("1.5"),
    )


def test_a_dry_run_reports_what_would_change_and_writes_nothing(world: World) -> None:
    before = counts()
    report = instruments_services.instrument_import(
        by=world.ada, document=parsed_of(changed_motor4(), "xlsx"), dry_run=True
    )
    assert counts() == before
    assert report.can_commit
    assert not report.committed
    assert not report.is_new_instrument
    assert report.latest_number == 1
    assert (report.item_count, report.skill_item_count) == (14, 12)
    assert (report.scale_count, report.choice_count) == (2, 6)
    diff = report.diff
    assert diff is not None
    assert diff.against == 1
    assert diff.items_added == ["skip"]
    assert diff.items_removed == ["run"]
    assert diff.items_changed == [instruments_services.ItemChange("jump", ("label_da",))]
    assert diff.scales_changed == ["three_level"]
    assert diff.scales_added == diff.scales_removed == []
    assert diff.version_changed == ["few_signs_from"]
    assert diff.instrument_changed == []
    assert diff.has_changes


def test_a_commit_creates_the_version_as_a_draft(world: World) -> None:
    before = counts()
    report = instruments_services.instrument_import(
        by=world.ada, document=parsed_of(changed_motor4()), dry_run=False
    )
    assert report.committed
    assert counts() == (before[0], before[1] + 1, before[2] + 14, before[3] + 6)
    version = InstrumentVersion.objects.get(instrument__code="motor-4", number=2)
    assert version.status == InstrumentVersion.Status.DRAFT
    assert version.few_signs_from == Decimal("1.5")
    assert version.items.get(code="skip").position == 3
    weights = list(
        version.choices.filter(list_name="three_level")
        .order_by("position")
        .values_list("remark_weight", flat=True)
    )
    assert weights == [Decimal("1"), Decimal("0.25"), Decimal("0")]
    # Version 1 is untouched: past sessions keep it.
    assert v1("motor-4").items.filter(code="run").exists()


def test_a_new_instrument_is_created_with_its_first_version(world: World) -> None:
    document = replace(doc_of("school-start"), code="balance-5", name_en="Balance at five")
    dry = instruments_services.instrument_import(
        by=world.ada, document=parsed_of(document, "xlsx"), dry_run=True
    )
    assert dry.is_new_instrument
    assert dry.diff is None
    report = instruments_services.instrument_import(
        by=world.ada, document=parsed_of(document, "xlsx"), dry_run=False
    )
    assert report.committed
    instrument = Instrument.objects.get(code="balance-5")
    assert instrument.name_en == "Balance at five"
    assert list(instrument.versions.values_list("number", "status")) == [(1, "draft")]


def test_importing_the_same_version_again_is_refused_and_changes_nothing(world: World) -> None:
    before = counts()
    for dry_run in (True, False):
        report = instruments_services.instrument_import(
            by=world.ada, document=parsed_of(doc_of("motor-4"), "xlsx"), dry_run=dry_run
        )
        assert not report.can_commit
        assert not report.committed
        assert [(p.sheet, p.row) for p in report.problems] == [("settings", 2)]
        assert "Version 1 of motor-4 already exists" in report.problems[0].message
    assert counts() == before


def test_a_version_number_below_the_latest_is_refused(world: World) -> None:
    instruments_services.instrument_import(
        by=world.ada, document=parsed_of(changed_motor4(number=3)), dry_run=False
    )
    report = instruments_services.instrument_import(
        by=world.ada, document=parsed_of(changed_motor4(number=2)), dry_run=True
    )
    assert [(p.sheet, p.row) for p in report.problems] == [("version", None)]
    assert (
        report.problems[0].message
        == "The version number 2 is not higher than the latest version (3) of motor-4."
    )


def test_a_document_with_problems_is_never_committed(world: World) -> None:
    data = instruments.to_dict(changed_motor4())
    data["items"][0]["domain"] = "flying"
    parsed = instruments.read_document(json.dumps(data).encode())
    before = counts()
    report = instruments_services.instrument_import(by=world.ada, document=parsed, dry_run=False)
    assert not report.committed
    assert places(report.problems) == {("items", 1)}
    assert counts() == before


def test_a_commit_is_all_or_nothing(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    document = replace(doc_of("school-start"), code="all-or-nothing", name_en="Renamed", number=1)
    original = Item.full_clean

    def fail_on_the_fifth(self: Item, *args: Any, **kwargs: Any) -> None:
        if self.position == 4:
            raise ValidationError("The database said no.")
        original(self, *args, **kwargs)

    monkeypatch.setattr(Item, "full_clean", fail_on_the_fifth)
    before = counts()
    report = instruments_services.instrument_import(
        by=world.ada, document=parsed_of(document), dry_run=False
    )
    assert not report.committed
    assert [p.message for p in report.problems] == ["The database said no."]
    assert counts() == before
    assert not Instrument.objects.filter(code="all-or-nothing").exists()


def test_only_administrators_import(world: World) -> None:
    for persona in ("hanne", "pia", "lars", "rikke", "otto"):
        with pytest.raises(PermissionDenied):
            instruments_services.instrument_import(
                by=world.persona(persona), document=parsed_of(changed_motor4()), dry_run=True
            )


# --- a version's life ---------------------------------------------------------------------------


def test_a_new_draft_copies_the_latest_version(world: World) -> None:
    draft = instruments_services.version_new_draft(
        by=world.ada, instrument=Instrument.objects.get(code="motor-4")
    )
    assert (draft.number, draft.status) == (2, InstrumentVersion.Status.DRAFT)
    assert draft.is_editable
    assert instruments.document_from_version(draft) == doc_of("motor-4").with_number(2)
    assert draft.is_starting_point


def test_only_one_draft_at_a_time(world: World) -> None:
    instrument = Instrument.objects.get(code="motor-4")
    instruments_services.version_new_draft(by=world.ada, instrument=instrument)
    with pytest.raises(ValidationError) as refused:
        instruments_services.version_new_draft(by=world.ada, instrument=instrument)
    assert refused.value.messages == ["Version 2 is already a draft: change or publish it first."]
    assert instrument.versions.count() == 2


def test_publishing_a_draft_offers_it_for_new_sessions(world: World) -> None:
    draft = instruments_services.version_new_draft(
        by=world.ada, instrument=Instrument.objects.get(code="school-start")
    )
    published = instruments_services.version_publish(by=world.ada, version=draft)
    assert published.status == InstrumentVersion.Status.PUBLISHED
    assert published.published_by == world.ada
    assert published.published_at is not None
    assert not published.is_editable
    assert published in InstrumentVersion.objects.usable()


def test_only_a_draft_can_be_published(world: World) -> None:
    with pytest.raises(ValidationError) as refused:
        instruments_services.version_publish(by=world.ada, version=v1("motor-4"))
    assert refused.value.messages == ["Only a draft can be published; version 1 is published."]


def test_a_draft_without_skill_items_cannot_be_published(world: World) -> None:
    draft = instruments_services.version_new_draft(
        by=world.ada, instrument=Instrument.objects.get(code="motor-4")
    )
    draft.items.exclude(domain__in=["joy", "courage"]).delete()
    draft.min_assessed = 0
    draft.save()
    with pytest.raises(ValidationError) as refused:
        instruments_services.version_publish(by=world.ada, version=draft)
    assert refused.value.messages == [
        "A version needs at least one skill item (not only joy of movement and courage)."
    ]
    draft.refresh_from_db()
    assert draft.status == InstrumentVersion.Status.DRAFT


def test_a_draft_broken_in_the_admin_is_not_published(world: World) -> None:
    draft = instruments_services.version_new_draft(
        by=world.ada, instrument=Instrument.objects.get(code="motor-4")
    )
    draft.items.filter(code="hop").update(list_name="missing")
    draft.choices.filter(list_name="how_often").exclude(value="often").delete()
    with pytest.raises(ValidationError) as refused:
        instruments_services.version_publish(by=world.ada, version=draft)
    assert set(refused.value.messages) == {
        "Item hop: The scale “missing” is not in the choices.",
        "Scale how_often, answer often: The scale how_often has 1 answer; a scale needs at "
        "least two.",
    }


def test_retiring_keeps_past_sessions_and_stops_new_ones(world: World, session: Session) -> None:
    version = session.version
    retired = instruments_services.version_retire(by=world.ada, version=version)
    assert retired.status == InstrumentVersion.Status.RETIRED
    assert retired not in InstrumentVersion.objects.usable()
    session.refresh_from_db()
    assert session.version == retired
    with pytest.raises(ProtectedError):
        retired.delete()


def test_only_a_published_version_can_be_retired(world: World) -> None:
    draft = instruments_services.version_new_draft(
        by=world.ada, instrument=Instrument.objects.get(code="motor-4")
    )
    with pytest.raises(ValidationError) as refused:
        instruments_services.version_retire(by=world.ada, version=draft)
    assert refused.value.messages == [
        "Only a published version can be retired; version 2 is draft."
    ]


def test_published_and_retired_versions_are_not_editable(world: World) -> None:
    version = v1("motor-4")
    with pytest.raises(ValidationError):
        instruments_services.version_check_editable(version)
    instruments_services.version_retire(by=world.ada, version=version)
    version.refresh_from_db()
    with pytest.raises(ValidationError):
        instruments_services.version_check_editable(version)


def test_only_administrators_manage_versions(world: World) -> None:
    instrument = Instrument.objects.get(code="motor-4")
    for persona in ("hanne", "pia", "lars"):
        user = world.persona(persona)
        with pytest.raises(PermissionDenied):
            instruments_services.version_new_draft(by=user, instrument=instrument)
        with pytest.raises(PermissionDenied):
            instruments_services.version_publish(by=user, version=v1("motor-4"))
        with pytest.raises(PermissionDenied):
            instruments_services.version_retire(by=user, version=v1("motor-4"))
    assert v1("motor-4").status == InstrumentVersion.Status.PUBLISHED


# --- the management command -------------------------------------------------------------------


def test_the_command_exports_and_imports(world: World, tmp_path: Path) -> None:
    out = io.StringIO()
    target = tmp_path / "m.xlsx"
    call_command("motor_instrument", "export", "motor-4", "--output", str(target), stdout=out)
    assert out.getvalue().strip() == f"Wrote motor-4 version 1 to {target}."
    workbook = load_workbook(target)
    workbook["settings"]["B2"] = 2
    workbook.save(target)
    before = counts()
    out = io.StringIO()
    call_command("motor_instrument", "import", str(target), "--by", "ada", "--dry-run", stdout=out)
    assert "motor-4 (existing instrument) version 2: 14 items (12 skills)" in out.getvalue()
    assert "no change but the number" in out.getvalue()
    assert "Dry run: nothing was written." in out.getvalue()
    assert counts() == before
    call_command("motor_instrument", "import", str(target), "--by", "ada", stdout=io.StringIO())
    assert InstrumentVersion.objects.get(instrument__code="motor-4", number=2).is_editable


def test_the_command_exports_json_to_standard_output(db: None) -> None:
    out = io.StringIO()
    call_command(
        "motor_instrument", "export", "school-start", "--format", "json", "-o", "-", stdout=out
    )
    assert json.loads(out.getvalue()) == instruments.to_dict(doc_of("school-start"))


def test_the_command_reports_problems_and_refuses(world: World, tmp_path: Path) -> None:
    target = tmp_path / "m.json"
    target.write_bytes(instruments.to_json(doc_of("motor-4")))
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 problem"):
        call_command(
            "motor_instrument",
            "import",
            str(target),
            "--by",
            "ada",
            stdout=io.StringIO(),
            stderr=err,
        )
    assert "Version 1 of motor-4 already exists" in err.getvalue()
    with pytest.raises(CommandError, match="administrators only"):
        call_command("motor_instrument", "import", str(target), "--by", "hanne")


def test_a_sheet_with_too_many_rows_is_refused(db: None) -> None:
    def edit(workbook: Workbook) -> None:
        workbook["choices"].cell(row=instruments.MAX_SHEET_ROWS + 1, column=1, value="x")

    problems = instruments.read_document(edited_xlsx(doc_of("motor-4"), edit), "x.xlsx").problems
    assert message_at(problems, "choices", None) == "The sheet has too many rows."
