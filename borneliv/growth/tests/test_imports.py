"""The school-start import: dry run, all-or-nothing commit, held rows, re-import, CSV and XLSX."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook

from borneliv.accounts.models import User
from borneliv.children import services as children_services
from borneliv.children.models import Child
from borneliv.children.testing import synthetic_cpr
from borneliv.growth import engine, imports, services
from borneliv.growth.models import (
    Context,
    ImportBatch,
    Measurement,
    ReviewStatus,
    SchoolStartExam,
)
from borneliv.growth.views.imports import IMPORT_SESSION_KEY
from borneliv.lib import tabular
from borneliv.organisations import services as organisation_services
from borneliv.organisations.models import Area, Institution
from borneliv.testing import World

pytestmark = pytest.mark.django_db

EXAM = dt.date(2025, 8, 15)
EXAM_TEXT = "15.08.2025"
HEADER = (
    "cpr;dato;hoejde;vaegt;instnr;gang;hop;balance;gadedrengeloeb;eet_ben;kast;grib;"
    "blyantsgreb;haandpraeference"
)
NO_REMARKS = "0;0;0;0;0;0;0;0;0"
THREE_REMARKS = "0;1;0;1;1;0;0;0;0"


@dataclass
class Pupils:
    ida: Child  # Lindholm (Aalborg), a girl
    bo: Child  # Lindholm (Aalborg), a boy
    liv: Child  # Vejgaard (Aalborg), a girl
    sofie: Child  # Herstedlund (Albertslund): outside hanne's registry
    cpr: dict[str, str]


def _register(world: World, area: Area, name: str, born: dt.date, serial: int) -> tuple[Child, str]:
    cpr = synthetic_cpr(born, serial)
    child = children_services.child_register(
        cpr=cpr, first_name=name, last_name="Skolestart", area=area, is_synthetic=True
    )
    return child, cpr


@pytest.fixture
def pupils(world: World) -> Pupils:
    ida, ida_cpr = _register(world, world.lindholm, "Ida", dt.date(2019, 3, 15), 10)
    bo, bo_cpr = _register(world, world.lindholm, "Bo", dt.date(2019, 6, 2), 11)
    liv, liv_cpr = _register(world, world.vejgaard, "Liv", dt.date(2019, 11, 28), 12)
    sofie, sofie_cpr = _register(world, world.herstedlund, "Sofie", dt.date(2019, 9, 9), 14)
    return Pupils(
        ida=ida,
        bo=bo,
        liv=liv,
        sofie=sofie,
        cpr={"ida": ida_cpr, "bo": bo_cpr, "liv": liv_cpr, "sofie": sofie_cpr},
    )


def csv_bytes(*lines: str, bom: bool = False, delimiter: str = ";") -> bytes:
    text = "\n".join(line.replace(";", delimiter) for line in lines) + "\n"
    return ("\ufeff" if bom else "").encode() + text.encode("utf-8")


def good_file(p: Pupils, *, bo_weight: str = "19,8", ida_height: str = "117,5") -> bytes:
    return csv_bytes(
        HEADER,
        f"{p.cpr['ida']};{EXAM_TEXT};{ida_height};21,4;851012;{NO_REMARKS}",
        f"{p.cpr['bo']};{EXAM_TEXT};112,0;{bo_weight};851012;{THREE_REMARKS}",
        f"{p.cpr['liv']};18.08.2025;115,2;20,1;;ja;nej;;x;nej;nej;nej;nej;nej",
    )


def run(data: bytes, user: User | None, *, commit: bool = False, name: str = "skolestart.csv"):
    return imports.school_start_import(data=data, filename=name, user=user, dry_run=not commit)


def statuses(report: imports.ImportReport) -> list[tuple[int, str]]:
    return [(row.number, row.status) for row in report.rows]


# Dry run


def test_a_dry_run_reports_every_row_and_writes_nothing(world: World, pupils: Pupils) -> None:
    report = run(good_file(pupils), world.hanne)
    assert statuses(report) == [(2, "new"), (3, "new"), (4, "new")]
    assert (report.new, report.updated, report.unchanged, report.held, report.errors) == (
        3,
        0,
        0,
        0,
        0,
    )
    assert report.can_commit
    assert [row.masked_cpr for row in report.rows] == ["150319-xxxx", "020619-xxxx", "281119-xxxx"]
    assert report.rows[0].weight_kg == Decimal("21.400")
    assert report.rows[0].school == world.gl_lindholm_skole
    assert report.rows[1].remark_count == 3
    assert report.rows[2].remarks["walk"] is True and report.rows[2].remarks["balance"] is None
    assert not Measurement.objects.exists()
    assert not SchoolStartExam.objects.exists()
    assert not ImportBatch.objects.exists()


def test_the_engine_runs_once_for_the_whole_file(
    world: World, pupils: Pupils, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    compute = engine.compute

    def counting(**kwargs: object) -> engine.Computed:
        calls.append(len(kwargs["sex"]))  # type: ignore[arg-type]
        return compute(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(engine, "compute", counting)
    run(good_file(pupils), world.hanne, commit=True)
    assert calls == [3]


def test_the_check_reads_a_fixed_number_of_queries(
    world: World, pupils: Pupils, django_assert_max_num_queries: object
) -> None:
    one = csv_bytes(HEADER, f"{pupils.cpr['ida']};{EXAM_TEXT};117,5;21,4;851012;{NO_REMARKS}")
    with django_assert_max_num_queries(5):  # type: ignore[operator]
        run(one, world.hanne)
    with django_assert_max_num_queries(5):  # type: ignore[operator]
        run(good_file(pupils), world.hanne)


# Commit


def test_it_imports_measurements_and_exams(world: World, pupils: Pupils) -> None:
    report = run(good_file(pupils), world.hanne, commit=True)
    assert report.committed
    batch = ImportBatch.objects.get()
    assert batch == report.batch
    assert (batch.rows, batch.created, batch.updated, batch.unchanged, batch.held) == (
        3,
        3,
        0,
        0,
        0,
    )
    assert batch.file_name == "skolestart.csv" and len(batch.file_sha256) == 64
    assert batch.imported_by == world.hanne

    ida = Measurement.objects.get(child=pupils.ida)
    assert ida.context == Context.SCHOOL_START
    assert ida.measured_on == EXAM
    assert (ida.height_cm, ida.weight_kg) == (Decimal("117.5"), Decimal("21.400"))
    assert ida.institution == world.gl_lindholm_skole
    assert ida.import_batch == batch
    assert ida.review_status == ReviewStatus.ACCEPTED
    assert ida.bmi == pytest.approx(21.4 / 1.175**2)
    assert ida.reference and ida.iotf_category == "normal"
    assert ida.history.count() == 1

    exams = {exam.child_id: exam for exam in SchoolStartExam.objects.all()}
    assert exams[pupils.ida.pk].measurement == ida
    assert (exams[pupils.ida.pk].remarks, exams[pupils.ida.pk].items_assessed) == (0, 9)
    assert exams[pupils.ida.pk].motor_difficulties is False
    assert (exams[pupils.bo.pk].remarks, exams[pupils.bo.pk].motor_difficulties) == (3, True)
    assert exams[pupils.bo.pk].remark_skip is True and exams[pupils.bo.pk].remark_walk is False
    liv = exams[pupils.liv.pk]
    assert (liv.remarks, liv.items_assessed, liv.motor_difficulties) == (2, 8, None)
    assert liv.school is None and liv.import_batch == batch


def test_an_error_row_means_nothing_is_written(world: World, pupils: Pupils) -> None:
    data = csv_bytes(
        HEADER,
        f"{pupils.cpr['ida']};{EXAM_TEXT};117,5;21,4;851012;{NO_REMARKS}",
        f"{pupils.cpr['bo']};{EXAM_TEXT};112,0;950;851012;{NO_REMARKS}",
    )
    report = run(data, world.hanne, commit=True)
    assert not report.committed
    assert statuses(report) == [(2, "new"), (3, "error")]
    assert "outside the limits" in report.rows[1].message
    assert not Measurement.objects.exists()
    assert not SchoolStartExam.objects.exists()
    assert not ImportBatch.objects.exists()


def test_an_implausible_value_is_held_for_review_not_refused(world: World, pupils: Pupils) -> None:
    data = csv_bytes(
        HEADER,
        f"{pupils.cpr['ida']};{EXAM_TEXT};117,5;21,4;851012;{NO_REMARKS}",
        f"{pupils.cpr['bo']};{EXAM_TEXT};112,0;62,0;851012;{NO_REMARKS}",  # BMI 49
    )
    dry = run(data, world.hanne)
    assert statuses(dry) == [(2, "new"), (3, "held")]
    assert dry.can_commit and dry.held == 1
    assert "Held for review" in dry.rows[1].message
    assert "Implausible BMI for the age" in dry.rows[1].message

    report = run(data, world.hanne, commit=True)
    assert report.committed
    held = Measurement.objects.get(child=pupils.bo)
    assert held.review_status == ReviewStatus.HELD
    assert held.flags & services.HOLD_FLAGS
    assert list(Measurement.objects.visible_to(world.hanne).held()) == [held]
    assert report.batch.held == 1 and report.batch.created == 2


def test_reimporting_the_same_file_changes_nothing(world: World, pupils: Pupils) -> None:
    data = good_file(pupils)
    run(data, world.hanne, commit=True)
    before = list(Measurement.objects.order_by("pk").values())
    exams_before = list(SchoolStartExam.objects.order_by("pk").values())
    histories = Measurement.history.count() + SchoolStartExam.history.count()

    dry = run(data, world.hanne)
    assert statuses(dry) == [(2, "unchanged"), (3, "unchanged"), (4, "unchanged")]
    assert all("Imported already" in row.message for row in dry.rows)

    again = run(data, world.hanne, commit=True)
    assert again.committed
    assert list(Measurement.objects.order_by("pk").values()) == before
    assert list(SchoolStartExam.objects.order_by("pk").values()) == exams_before
    assert Measurement.history.count() + SchoolStartExam.history.count() == histories
    batch = again.batch
    assert (batch.rows, batch.created, batch.updated, batch.unchanged, batch.held) == (
        3,
        0,
        0,
        3,
        0,
    )


def test_a_corrected_file_updates_and_reclassifies_the_changed_rows(
    world: World, pupils: Pupils
) -> None:
    run(good_file(pupils, bo_weight="62,0"), world.hanne, commit=True)
    bo = Measurement.objects.get(child=pupils.bo)
    assert bo.review_status == ReviewStatus.HELD

    corrected = good_file(pupils, bo_weight="20,2")
    dry = run(corrected, world.hanne)
    assert statuses(dry) == [(2, "unchanged"), (3, "update"), (4, "unchanged")]
    report = run(corrected, world.hanne, commit=True)
    assert report.committed
    bo.refresh_from_db()
    assert bo.weight_kg == Decimal("20.200")
    assert bo.review_status == ReviewStatus.ACCEPTED  # released: no longer implausible
    assert bo.bmi == pytest.approx(20.2 / 1.12**2)
    assert bo.import_batch == report.batch
    assert bo.history.count() == 2
    assert Measurement.objects.count() == 3
    assert (report.batch.created, report.batch.updated, report.batch.unchanged) == (0, 1, 2)


def test_a_changed_value_asks_for_a_new_review(world: World, pupils: Pupils) -> None:
    run(good_file(pupils, bo_weight="62,0"), world.hanne, commit=True)
    bo = Measurement.objects.get(child=pupils.bo)
    services.measurement_review(measurement=bo, user=world.hanne, decision="confirmed")

    report = run(good_file(pupils, bo_weight="61,0"), world.hanne, commit=True)
    assert report.held == 1
    assert "earlier review no longer applies" in report.rows[1].message
    bo.refresh_from_db()
    assert bo.review_status == ReviewStatus.HELD
    assert bo.reviewed_by is None and bo.reviewed_at is None


def test_changed_motor_items_update_the_exam_only(world: World, pupils: Pupils) -> None:
    run(good_file(pupils), world.hanne, commit=True)
    data = csv_bytes(
        HEADER,
        f"{pupils.cpr['ida']};{EXAM_TEXT};117,5;21,4;851012;1;1;1;0;0;0;0;0;0",
    )
    report = run(data, world.hanne, commit=True)
    assert statuses(report) == [(2, "update")]
    exam = SchoolStartExam.objects.get(child=pupils.ida)
    assert (exam.remarks, exam.motor_difficulties) == (3, True)
    assert exam.import_batch == report.batch
    measurement = Measurement.objects.get(child=pupils.ida)
    assert measurement.history.count() == 1  # the measurement was not written again
    assert exam.measurement == measurement


# Formats and columns


def test_an_xlsx_file_with_english_headers_is_read(world: World, pupils: Pupils) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(
        [
            "CPR",
            "Examined_On",
            "Height_cm",
            "Weight_kg",
            "School_INSTNR",
            "walk",
            "jump",
            "balance",
            "skip",
            "one_leg",
            "throw",
            "catch",
            "pencil_grip",
            "hand_preference",
        ]
    )
    sheet.append(
        [pupils.cpr["ida"], dt.date(2025, 8, 15), 117.5, 21.4, 851012, 0, 0, 0, 0, 0, 0, 0, 1, 1]
    )
    # A CPR number typed as a number loses its leading zero in Excel; it is restored.
    sheet.append([int(pupils.cpr["bo"].replace("-", "")), "15.08.2025", 112, 19.8, None, *[0] * 9])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = run(buffer.getvalue(), world.hanne, commit=True, name="skolestart.xlsx")
    assert statuses(report) == [(2, "new"), (3, "new")]
    ida = SchoolStartExam.objects.get(child=pupils.ida)
    assert (ida.remarks, ida.remark_pencil_grip, ida.school) == (2, True, world.gl_lindholm_skole)
    bo = Measurement.objects.get(child=pupils.bo)
    assert (bo.height_cm, bo.weight_kg, bo.institution) == (Decimal("112.0"), Decimal("19.8"), None)


@pytest.mark.parametrize(
    ("header", "delimiter", "bom"),
    [
        (HEADER, ";", False),
        (HEADER.upper(), ",", True),
        (
            "CPR-nr;Undersøgelsesdato;Højde;Vægt;Skole;Gå;Hop;Balance;Gadedrengeløb;"
            "Stå på et ben;Kast;Grib;Blyantsgreb;Håndpræference",
            ";",
            True,
        ),
        (
            "cpr;examined_on;height_cm;weight_kg;school_instnr;walk;jump;balance;skip;one_leg;"
            "throw;catch;pencil_grip;hand_preference",
            ",",
            False,
        ),
    ],
)
def test_header_aliases_in_danish_and_english(
    world: World, pupils: Pupils, header: str, delimiter: str, bom: bool
) -> None:
    weight = "21,4" if delimiter == ";" else "21.4"
    data = csv_bytes(
        header,
        f"{pupils.cpr['ida']};{EXAM_TEXT};117.5;{weight};851012;{THREE_REMARKS}",
        delimiter=delimiter,
        bom=bom,
    )
    report = run(data, world.hanne)
    assert statuses(report) == [(2, "new")]
    row = report.rows[0]
    assert (row.height_cm, row.weight_kg, row.school) == (
        Decimal("117.5"),
        Decimal("21.400"),
        world.gl_lindholm_skole,
    )
    assert row.remark_count == 3 and row.items_assessed == 9


def test_a_file_without_the_required_columns_is_refused(world: World) -> None:
    report = run(csv_bytes("cpr;hoejde", "150319-9010;117"), world.hanne)
    # The column as the import page documents it ("dato"), not its internal name (examined_on).
    assert report.file_errors and "columns: dato." in report.file_errors[0]
    assert "examined_on" not in report.file_errors[0]
    assert not report.can_commit


def test_a_file_without_values_to_import_is_refused(world: World, pupils: Pupils) -> None:
    report = run(csv_bytes("cpr;dato", f"{pupils.cpr['ida']};{EXAM_TEXT}"), world.hanne)
    assert report.file_errors and "no column with values" in report.file_errors[0]


# Row errors


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{ida};{date};117,5;21,4;;" + NO_REMARKS, None),
        ("150319-12;{date};117,5;21,4;;" + NO_REMARKS, "CPR"),
        ("{ida};31.02.2025;117,5;21,4;;" + NO_REMARKS, "not a date"),
        ("{ida};;117,5;21,4;;" + NO_REMARKS, "exam date is missing"),
        ("{ida};01.01.2019;117,5;21,4;;" + NO_REMARKS, "before the child's birth date"),
        ("{ida};01.01.2099;117,5;21,4;;" + NO_REMARKS, "in the future"),
        ("{ida};{date};1175;21,4;;" + NO_REMARKS, "height (cm) 1175 lies outside the limits"),
        ("{ida};{date};117,5;21.400,5;;" + NO_REMARKS, "is not a number"),
        ("{ida};{date};117,5;0,1;;" + NO_REMARKS, "outside the limits 0.3–200"),
        ("{ida};{date};117,5;21,4;851099;" + NO_REMARKS, "No school with the institution number"),
        ("{ida};{date};117,5;21,4;85101;" + NO_REMARKS, "must have 6 digits"),
        ("{ida};{date};117,5;21,4;16522;" + NO_REMARKS, "must have 6 digits"),
        ("{ida};{date};117,5;21,4;;måske;0;0;0;0;0;0;0;0", "“måske” of gang"),
        ("{ida};{date};;;;;;;;;;;;", "neither a height, a weight nor"),
    ],
)
def test_bad_rows_are_errors_with_a_clear_message(
    world: World, pupils: Pupils, line: str, message: str | None
) -> None:
    data = csv_bytes(HEADER, line.format(ida=pupils.cpr["ida"], date=EXAM_TEXT))
    report = run(data, world.hanne)
    row = report.rows[0]
    if message is None:
        assert row.status == "new"
    else:
        assert row.status == "error"
        assert message in row.message
        assert not report.can_commit


def test_a_school_in_another_municipality_is_found(world: World, pupils: Pupils) -> None:
    """The school is looked up in the whole registry: children may go to school elsewhere."""
    data = csv_bytes(HEADER, f"{pupils.cpr['ida']};{EXAM_TEXT};117,5;21,4;165004;{NO_REMARKS}")
    assert run(data, world.hanne).rows[0].school == world.herstedlund_skole


def test_the_same_child_and_date_twice_is_an_error(world: World, pupils: Pupils) -> None:
    line = f"{pupils.cpr['ida']};{EXAM_TEXT};117,5;21,4;;{NO_REMARKS}"
    report = run(csv_bytes(HEADER, line, line), world.hanne)
    assert statuses(report) == [(2, "new"), (3, "error")]
    assert "appear in row 2 already" in report.rows[1].message


def test_an_exam_without_values_cannot_blank_a_stored_measurement(
    world: World, pupils: Pupils
) -> None:
    run(good_file(pupils), world.hanne, commit=True)
    data = csv_bytes(HEADER, f"{pupils.cpr['ida']};{EXAM_TEXT};;;851012;{NO_REMARKS}")
    report = run(data, world.hanne)
    assert report.rows[0].status == "error"
    assert "a measurement from this exam is stored" in report.rows[0].message


# Scope and privacy


def test_a_child_outside_the_registry_is_an_error_that_reveals_nothing(
    world: World, pupils: Pupils
) -> None:
    unknown = synthetic_cpr(dt.date(2019, 9, 9), 16)  # registered nowhere
    data = csv_bytes(
        HEADER,
        f"{pupils.cpr['sofie']};{EXAM_TEXT};117,5;21,4;;{NO_REMARKS}",
        f"{unknown};{EXAM_TEXT};117,5;21,4;;{NO_REMARKS}",
    )
    report = run(data, world.hanne, commit=True)
    assert statuses(report) == [(2, "error"), (3, "error")]
    assert report.rows[0].message == report.rows[1].message
    assert "registry you can see" in report.rows[0].message
    assert not Measurement.objects.exists()
    # The same row is fine for Albertslund's health visitor.
    assert run(data, world.astrid).rows[0].status == "new"


def test_cpr_numbers_never_appear_in_the_report(world: World, pupils: Pupils) -> None:
    data = csv_bytes(
        HEADER,
        f"{pupils.cpr['ida']};{EXAM_TEXT};117,5;21,4;;{NO_REMARKS}",
        f"{pupils.cpr['sofie']};{EXAM_TEXT};117,5;21,4;;{NO_REMARKS}",
        f"{pupils.cpr['bo']};{EXAM_TEXT};117,5;21,4;;{NO_REMARKS}",
        f"{pupils.cpr['bo']};{EXAM_TEXT};117,5;21,4;;{pupils.cpr['liv']};0;0;0;0;0;0;0;0",
    )
    report = run(data, world.hanne)
    assert [row.status for row in report.rows] == ["new", "error", "new", "error"]
    messages = " ".join(row.message for row in report.rows)
    shown = repr(report) + messages
    for cpr in pupils.cpr.values():
        assert cpr not in shown
        assert cpr.replace("-", "") not in shown
        assert cpr[-4:] not in messages


# The command line


def test_the_command_checks_and_imports(
    world: World, pupils: Pupils, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "skolestart.csv"
    path.write_bytes(good_file(pupils))
    call_command("import_school_start", str(path), "--user", "hanne")
    out = capsys.readouterr().out
    assert "3 rows: 3 new" in out and "Dry run" in out
    assert "150319-xxxx" in out and pupils.cpr["ida"] not in out
    assert not Measurement.objects.exists()

    call_command("import_school_start", str(path), "--user", "hanne", "--commit")
    assert "Imported" in capsys.readouterr().out
    assert Measurement.objects.count() == 3
    assert ImportBatch.objects.get().imported_by == world.hanne


def test_the_command_fails_on_error_rows(world: World, pupils: Pupils, tmp_path: Path) -> None:
    path = tmp_path / "skolestart.csv"
    path.write_bytes(csv_bytes(HEADER, f"{pupils.cpr['sofie']};{EXAM_TEXT};117;21;;{NO_REMARKS}"))
    with pytest.raises(CommandError) as failure:
        call_command("import_school_start", str(path), "--user", "hanne", "--commit")
    assert failure.value.returncode == 1
    assert "Nothing was imported" in str(failure.value)
    assert not Measurement.objects.exists()


def test_the_borneliv_subcommand_runs_the_command(
    world: World, pupils: Pupils, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from borneliv import cli

    monkeypatch.setattr(cli, "setup_django", lambda: None)
    good = tmp_path / "good.csv"
    good.write_bytes(good_file(pupils))
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes(HEADER, f"150319-12;{EXAM_TEXT};117;21;;{NO_REMARKS}"))
    assert cli.main(["growth", "import-school-start", str(good), "--user", "hanne"]) == 0
    assert cli.main(["growth", "import-school-start", str(bad)]) == 1
    assert cli.main(["growth", "import-school-start", str(good), "--commit"]) == 0
    assert Measurement.objects.count() == 3
    assert ImportBatch.objects.get().imported_by is None


# The pages


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_hanne_checks_and_imports_a_file_on_the_page(world: World, pupils: Pupils) -> None:
    client = _client(world.hanne)
    url = reverse("growth:import")
    page = client.get(url)
    assert page.status_code == 200
    assert url.encode() in page.content  # the navigation entry
    assert reverse("growth:review").encode() in page.content

    upload = SimpleUploadedFile("skolestart.csv", good_file(pupils, bo_weight="62,0"))
    checked = client.post(url, {"file": upload})
    html = checked.content.decode()
    assert checked.status_code == 200
    assert "150319-xxxx" in html and "held for review" in html
    for cpr in pupils.cpr.values():
        assert cpr not in html and cpr.replace("-", "") not in html
    assert not Measurement.objects.exists()
    pending = client.session[IMPORT_SESSION_KEY]
    assert pupils.cpr["ida"] not in str(pending)  # kept encrypted
    token = checked.context["token"]

    done = client.post(url, {"commit": "1", "token": token}, follow=True)
    assert done.redirect_chain[-1][0] == reverse("growth:import_history")
    html = done.content.decode()
    assert "3 new, 0 updated, 0 unchanged; 1 held for review" in html
    assert "skolestart.csv" in html
    assert Measurement.objects.count() == 3
    assert IMPORT_SESSION_KEY not in client.session

    # The token is spent: confirming again imports nothing more.
    again = client.post(url, {"commit": "1", "token": token})
    assert again.status_code == 302 and ImportBatch.objects.count() == 1


def test_a_file_with_errors_offers_no_import(world: World, pupils: Pupils) -> None:
    client = _client(world.hanne)
    data = csv_bytes(HEADER, f"{pupils.cpr['sofie']};{EXAM_TEXT};117;21;;{NO_REMARKS}")
    page = client.post(reverse("growth:import"), {"file": SimpleUploadedFile("x.csv", data)})
    html = page.content.decode()
    assert "Nothing can be imported while a row has an error" in html
    assert 'name="token"' not in html
    assert IMPORT_SESSION_KEY not in client.session
    assert pupils.cpr["sofie"] not in html


def test_a_forged_token_imports_nothing(world: World, pupils: Pupils) -> None:
    client = _client(world.hanne)
    client.post(reverse("growth:import"), {"file": SimpleUploadedFile("x.csv", good_file(pupils))})
    response = client.post(reverse("growth:import"), {"commit": "1", "token": "forged"})
    assert response.status_code == 302
    assert not Measurement.objects.exists()


def test_the_history_lists_imports_in_scope(world: World, pupils: Pupils) -> None:
    run(good_file(pupils), world.hanne, commit=True, name="aalborg.csv")
    sofie = csv_bytes(HEADER, f"{pupils.cpr['sofie']};{EXAM_TEXT};117;21;;{NO_REMARKS}")
    run(sofie, world.astrid, commit=True, name="albertslund.csv")
    hanne = _client(world.hanne).get(reverse("growth:import_history")).content.decode()
    assert "aalborg.csv" in hanne and "albertslund.csv" not in hanne
    ada = _client(world.ada).get(reverse("growth:import_history")).content.decode()
    assert "aalborg.csv" in ada and "albertslund.csv" in ada


@pytest.mark.parametrize("persona", ["pia", "lars", "rikke", "otto"])
def test_others_may_not_import(world: World, persona: str) -> None:
    client = _client(world.persona(persona))
    assert client.get(reverse("growth:import")).status_code == 403
    assert client.get(reverse("growth:import_history")).status_code == 403
    html = client.get(reverse("accounts:tokens")).content.decode()
    assert reverse("growth:import") not in html


def test_the_example_file_imports(world: World) -> None:
    path = Path(__file__).resolve().parents[3] / "docs" / "examples" / "school_start_example.csv"
    data = path.read_bytes()
    school = organisation_services.institution_create(
        municipality=world.aalborg,
        area=world.lindholm,
        member_from=dt.date(2024, 8, 1),
        name="Smedegårdskolen",
        kind=Institution.Kind.SCHOOL,
        official_number="999003",
    )
    report = run(data, None)
    assert {row.message for row in report.rows} == {  # children the registry does not hold
        "No child with this CPR number is in the registry you can see."
    }
    for row in imports.read_rows(data, path.name):
        cpr = str(row.values["cpr"])
        children_services.child_register(
            cpr=cpr,
            first_name="Eksempel",
            last_name=cpr[-4:],
            area=world.lindholm,
            is_synthetic=True,
        )
    report = run(data, None, commit=True)
    # One of the five is held for review (an implausible BMI): the example shows that status.
    assert report.committed and report.new == 5 and report.held == 1
    assert set(Measurement.objects.values_list("institution", flat=True)) == {school.pk}
    assert sorted(SchoolStartExam.objects.values_list("remarks", flat=True)) == [0, 0, 0, 2, 3]


def test_the_report_speaks_danish_by_default(world: World, pupils: Pupils) -> None:
    client = Client()
    client.force_login(world.hanne)
    upload = SimpleUploadedFile("skolestart.csv", good_file(pupils))
    html = client.post(reverse("growth:import"), {"file": upload}).content.decode()
    assert "117,5" in html and "21,4" in html  # decimal commas
    assert "15.08.2025" in html  # dd.mm.yyyy


def test_the_history_page_has_a_fixed_number_of_queries(
    world: World, pupils: Pupils, django_assert_max_num_queries: object
) -> None:
    client = _client(world.hanne)
    run(good_file(pupils), world.hanne, commit=True, name="first.csv")
    client.get(reverse("growth:import_history"))
    with django_assert_max_num_queries(6):  # type: ignore[operator]
        client.get(reverse("growth:import_history"))
    for number in range(5):
        run(good_file(pupils, bo_weight=f"{20 + number},0"), world.hanne, commit=True)
    with django_assert_max_num_queries(6):  # type: ignore[operator]
        response = client.get(reverse("growth:import_history"))
    assert len(response.context["page"].object_list) == 6


def test_a_cpr_number_in_the_file_name_is_not_kept(world: World, pupils: Pupils) -> None:
    name = f"C:\\eksport\\{pupils.cpr['ida']}_skolestart.csv"
    report = run(good_file(pupils), world.hanne, commit=True, name=name)
    assert report.filename == "xxxxxx-xxxx_skolestart.csv"
    assert ImportBatch.objects.get().file_name == "xxxxxx-xxxx_skolestart.csv"


# Words (#10)


def test_messages_name_columns_as_the_page_documents_them_and_each_name_is_accepted() -> None:
    assert set(imports.COLUMN_NAMES) == set(imports.ALIASES)
    for column, name in imports.COLUMN_NAMES.items():
        assert tabular.column_of(name, imports.ALIASES) == column
    assert imports.COLUMN_NAMES["examined_on"] == "dato"


def test_a_danish_user_reads_danish_column_names_and_decimal_commas(
    world: World, pupils: Pupils
) -> None:
    with translation.override("da"):
        missing = run(csv_bytes("cpr;hoejde", "150319-9010;117"), world.hanne)
        values = run(csv_bytes("cpr;dato", f"{pupils.cpr['ida']};{EXAM_TEXT}"), world.hanne)
        line = f"{pupils.cpr['ida']};{EXAM_TEXT};117,5;0,1;;måske;0;0;0;0;0;0;0;0"
        rows = run(csv_bytes(HEADER, line), world.hanne)
    assert missing.file_errors == [
        "Filen mangler obligatoriske kolonner: dato. "
        "Den første række skal indeholde kolonnenavnene."
    ]
    assert "angiv hoejde, vaegt eller de motoriske punkter (gang, hop," in values.file_errors[0]
    message = rows.rows[0].message
    assert "uden for grænserne 0,3–200" in message
    assert "»måske« for gang" in message
    assert "walk" not in message and "0.3" not in message
