"""Import from a births extract: dry-run report, all-or-nothing commit, re-import, CSV and XLSX."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from openpyxl import Workbook

from borneliv.children import imports
from borneliv.children.models import Child, Family, Residence
from borneliv.children.testing import synthetic_cpr
from borneliv.children.tests.conftest import ClientFor, Kids
from borneliv.testing import World

pytestmark = pytest.mark.django_db

A = synthetic_cpr(dt.date(2025, 1, 5), 100)
B = synthetic_cpr(dt.date(2025, 2, 6), 101)
C = synthetic_cpr(dt.date(2023, 3, 7), 102)


def csv_bytes(*lines: str, bom: bool = False, delimiter: str = ";") -> bytes:
    text = "\n".join(line.replace(";", delimiter) for line in lines) + "\n"
    return ("\ufeff" if bom else "").encode() + text.encode("utf-8")


HEADER = "cpr;fornavn;efternavn;omraade;tilflytningsdato;familie"
GOOD = csv_bytes(
    HEADER,
    f"{A};Alma;Ager;Lindholm;;Ager",
    f"{B};Bo;Ager;Lindholm;10.03.2025;Ager",
    f"{C};Carla;Cold;Vejgaard;2024-01-01;",
)


def report_of(
    data: bytes, user: object, *, commit: bool = False, name: str = "f.csv"
) -> imports.ImportReport:
    return imports.import_children(imports.read_rows(data, name), user=user, commit=commit)


def statuses(report: imports.ImportReport) -> list[tuple[int, str]]:
    return [(row.number, row.status) for row in report.rows]


# Dry run


def test_a_good_file_is_checked_without_writing(world: World) -> None:
    report = report_of(GOOD, world.ada)
    assert statuses(report) == [(2, "ok"), (3, "ok"), (4, "ok")]
    assert report.can_commit and report.ok == 3
    assert [row.masked_cpr for row in report.rows] == ["050125-xxxx", "060225-xxxx", "070323-xxxx"]
    assert not Child.objects.exists() and not Family.objects.exists()


def test_the_dry_run_reports_every_kind_of_bad_row(world: World, kids: Kids) -> None:
    data = csv_bytes(
        HEADER,
        f"{A};Alma;Ager;Lindholm;;",  # 2 ok
        "3102259001;Dato;Forkert;Lindholm;;",  # 3 not a real date
        "12345;Kort;Nummer;Lindholm;;",  # 4 malformed
        f"{B};Bo;Ager;Atlantis;;",  # 5 unknown area
        f"{A};Alma;Igen;Lindholm;;",  # 6 duplicate of row 2
        f"{kids.cpr['emma']};Emma;Holm;Lindholm;;",  # 7 registered already, same: unchanged
        f"{kids.cpr['oscar']};Oskar;Holm;Lindholm;;",  # 8 registered with another name
        f"{kids.cpr['freja']};Freja;Berg;Lindholm;;",  # 9 registered where hanne cannot see
        f"{C};;Cold;Vejgaard;;",  # 10 first name missing
        f"{synthetic_cpr(dt.date(2025, 3, 1), 103)};D;E;Lindholm;31.02.2025;",  # 11 bad date
        f"{synthetic_cpr(dt.date(2025, 3, 1), 104)};D;F;Lindholm;01.01.2025;",  # 12 before birth
        f"{synthetic_cpr(dt.date(2025, 3, 1), 105)};D;G;Herstedlund;;",  # 13 area out of scope
        ";;;;;",  # blank: skipped
        f"{synthetic_cpr(dt.date(2025, 3, 1), 106)};D;H;{world.vejgaard.pk};;",  # 15 area by id
    )
    report = report_of(data, world.hanne)
    by_row = {row.number: row for row in report.rows}
    assert statuses(report) == [
        (2, "refer"),
        (3, "error"),
        (4, "error"),
        (5, "error"),
        (6, "error"),
        (7, "unchanged"),
        (8, "error"),
        (9, "refer"),  # registered where Hanne cannot see: the same as a new number
        (10, "error"),
        (11, "error"),
        (12, "error"),
        (13, "error"),
        (15, "refer"),
    ]
    assert by_row[3].message == "The first six digits of the CPR number are not a real date."
    assert by_row[4].message == "A CPR number has the form DDMMYY-SSSS (10 digits)."
    assert by_row[5].message.startswith("Unknown area “Atlantis”")
    assert by_row[6].message == "The same CPR number appears in row 2 already."
    assert "registered already as Oscar Holm" in by_row[8].message
    assert by_row[9].message == by_row[2].message == by_row[15].message
    assert "Freja" not in by_row[9].message
    assert by_row[10].message == "The first name is missing."
    assert by_row[11].message == "The date of moving in is not a date (use dd.mm.yyyy)."
    assert by_row[12].message == "The date of moving in lies before the birth date."
    assert by_row[13].message.startswith("Unknown area “Herstedlund”")
    assert by_row[15].area == world.vejgaard
    assert (by_row[3].masked_cpr, by_row[4].masked_cpr) == ("", "")
    assert not report.can_commit
    # No message carries a CPR number, or any run of six digits from the file.
    for row in report.rows:
        assert not any(
            c.isdigit() for c in row.message.replace("row 2", "").replace("10 digits", "")
        )


def test_an_area_name_shared_by_two_municipalities_needs_the_id(world: World) -> None:
    from borneliv.organisations import services as org_services
    from borneliv.organisations.models import Area

    org_services.area_create(
        municipality=world.albertslund,
        name="Lindholm",
        kind=Area.Kind.PROGRAMME,
        start_date=dt.date(2024, 8, 1),
    )
    report = report_of(csv_bytes(HEADER, f"{A};Alma;Ager;lindholm;;"), world.ada)
    assert "exists in several municipalities" in report.rows[0].message
    report = report_of(csv_bytes(HEADER, f"{A};Alma;Ager;lindholm;;"), world.hanne)
    assert report.rows[0].area == world.lindholm


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (csv_bytes("cpr;fornavn"), "The file lacks required columns: efternavn, omraade."),
        (csv_bytes(HEADER), "The file has no data rows."),
        ("cpr;fornavn;efternavn;område\n".encode("cp1252"), "The file is not UTF-8 text."),
        (b"PK\x03\x04 not really a workbook", "The file cannot be read as an Excel workbook."),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_with_a_message(
    world: World, data: bytes, message: str
) -> None:
    try:
        report = report_of(data, world.hanne)
    except imports.ImportFileError as exc:
        assert str(exc).startswith(message)
    else:
        assert report.file_errors == [message]
        assert not report.can_commit


def test_columns_in_english_with_bom_and_commas(world: World) -> None:
    data = csv_bytes(
        "CPR,First_Name,Last_Name,Area,Resident_From,Family",
        f"{A},Alma,Ager,Lindholm,2025-02-01,",
        bom=True,
        delimiter=",",
    )
    report = report_of(data, world.ada)
    assert statuses(report) == [(2, "ok")]
    assert report.rows[0].resident_from == dt.date(2025, 2, 1)


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_an_excel_workbook_with_dates_and_numeric_cpr_cells(world: World) -> None:
    leading_zero = synthetic_cpr(dt.date(2025, 1, 9), 107)  # 090125-9107: Excel drops the 0
    data = xlsx_bytes(
        [
            ["cpr", "fornavn", "efternavn", "område", "tilflytningsdato", "familie"],
            [A, "Alma", "Ager", "Lindholm", dt.datetime(2025, 2, 1), "Ager"],  # noqa: DTZ001 - Excel has no time zones
            [int(leading_zero.replace("-", "")), "Nul", "Foran", "Vejgaard", None, None],
            [None, None, None, None, None, None],
        ]
    )
    report = report_of(data, world.ada, name="births.xlsx")
    assert statuses(report) == [(2, "ok"), (3, "ok")]
    assert report.rows[0].resident_from == dt.date(2025, 2, 1)
    assert report.rows[1].masked_cpr == "090125-xxxx"
    report = report_of(data, world.ada, commit=True, name="births.xlsx")
    assert report.committed
    assert Child.objects.count() == 2


# Commit


def test_a_commit_registers_every_row_with_families(world: World) -> None:
    report = report_of(GOOD, world.ada, commit=True)
    assert report.committed
    alma, bo, carla = (Child.objects.get(first_name=n) for n in ("Alma", "Bo", "Carla"))
    assert alma.family == bo.family and alma.family is not None and alma.family.name == "Ager"
    assert carla.family is None
    assert Residence.objects.get(child=bo).valid_from == dt.date(2025, 3, 10)
    assert Residence.objects.get(child=carla).area == world.vejgaard
    assert [row.child for row in report.rows] == [alma, bo, carla]


def test_a_file_with_errors_is_never_committed(world: World) -> None:
    data = csv_bytes(HEADER, f"{A};Alma;Ager;Lindholm;;Ager", f"{B};Bo;Ager;Atlantis;;Ager")
    report = report_of(data, world.ada, commit=True)
    assert not report.committed
    assert not Child.objects.exists() and not Family.objects.exists()


def test_a_commit_is_all_or_nothing_when_a_row_fails_while_writing(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.core.exceptions import ValidationError

    from borneliv.children import services

    real = services.child_register
    calls = {"n": 0}

    def flaky(**kwargs: object) -> Child:
        calls["n"] += 1
        if calls["n"] == 3:
            raise ValidationError("Someone registered this child a moment ago.")
        return real(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(services, "child_register", flaky)
    report = report_of(GOOD, world.ada, commit=True)
    assert not report.committed
    assert report.file_errors == [
        "Nothing was imported: Someone registered this child a moment ago."
    ]
    assert not Child.objects.exists() and not Family.objects.exists()


def test_re_importing_the_same_file_changes_nothing(world: World) -> None:
    report_of(GOOD, world.ada, commit=True)
    before = (
        list(Child.objects.order_by("pk").values()),
        list(Family.objects.order_by("pk").values()),
        list(Residence.objects.order_by("pk").values()),
    )
    report = report_of(GOOD, world.ada)
    assert statuses(report) == [(2, "unchanged"), (3, "unchanged"), (4, "unchanged")]
    assert not report.has_errors and not report.can_commit
    report = report_of(GOOD, world.ada, commit=True)
    assert not report.committed
    after = (
        list(Child.objects.order_by("pk").values()),
        list(Family.objects.order_by("pk").values()),
        list(Residence.objects.order_by("pk").values()),
    )
    assert after == before


def test_a_new_sibling_in_a_later_file_joins_the_family(world: World) -> None:
    report_of(GOOD, world.ada, commit=True)
    sibling = synthetic_cpr(dt.date(2026, 1, 2), 108)
    data = GOOD + f"{sibling};Cilje;Ager;Lindholm;;ager\n".encode()
    report = report_of(data, world.ada, commit=True)
    assert report.committed and report.ok == 1 and report.unchanged == 3
    assert (
        Child.objects.get(first_name="Cilje").family == Child.objects.get(first_name="Alma").family
    )
    assert Family.objects.count() == 1


def test_the_management_command_needs_no_user(world: World) -> None:
    report = report_of(csv_bytes(HEADER, f"{A};Alma;Ager;Herstedlund;;"), None, commit=True)
    assert report.committed
    assert Child.objects.get().residences.get().area == world.herstedlund


# The management command


def test_the_command_dry_runs_then_commits(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "births.csv"
    path.write_bytes(GOOD)
    call_command("import_children", str(path))
    out = capsys.readouterr().out
    assert "050125-xxxx" in out and A not in out and A.replace("-", "") not in out
    assert "Dry run" in out
    assert not Child.objects.exists()
    call_command("import_children", str(path), "--commit", "--user", "ada")
    assert "Imported 3 children" in capsys.readouterr().out
    assert Child.objects.count() == 3


def test_the_command_fails_on_errors_without_echoing_numbers(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "births.csv"
    path.write_bytes(csv_bytes(HEADER, "3102259001;Dato;Forkert;Lindholm;;", f"{A};A;B;Lindholm;;"))
    with pytest.raises(CommandError) as info:
        call_command("import_children", str(path), "--commit")
    out = capsys.readouterr().out
    assert "3102259001" not in out and "310225" not in out and "310225" not in str(info.value)
    assert "not a real date" in out
    assert not Child.objects.exists()


def test_the_command_refuses_a_missing_file_or_user(world: World, tmp_path: Path) -> None:
    with pytest.raises(CommandError):
        call_command("import_children", str(tmp_path / "nope.csv"))
    path = tmp_path / "births.csv"
    path.write_bytes(GOOD)
    with pytest.raises(CommandError):
        call_command("import_children", str(path), "--user", "nobody")


# The page


def upload(client: Client, data: bytes, name: str = "births.csv") -> Any:
    return client.post(
        "/children/import/", {"file": SimpleUploadedFile(name, data, content_type="text/csv")}
    )


def test_the_page_checks_then_imports(world: World, client_for: ClientFor) -> None:
    client = client_for("ada")
    response = upload(client, GOOD)
    assert response.status_code == 200
    html = response.content.decode()
    assert "050125-xxxx" in html and A not in html and A.replace("-", "") not in html
    assert "Import 3 children" in html
    assert not Child.objects.exists()
    token = response.context["token"]
    # The file waits in the session, encrypted: no CPR number in clear text.
    session = client.session
    stored = str(dict(session))
    assert A not in stored and A.replace("-", "") not in stored and "Alma" not in stored
    response = client.post("/children/import/", {"commit": "1", "token": token})
    assert response.status_code == 302
    assert Child.objects.count() == 3
    assert "children_import" not in client.session


def test_the_page_offers_no_import_when_a_row_has_an_error(
    world: World, client_for: ClientFor
) -> None:
    client = client_for("hanne")
    response = upload(client, csv_bytes(HEADER, f"{A};Alma;Ager;Atlantis;;"))
    html = response.content.decode()
    assert "Nothing can be imported while a row has an error." in html
    assert 'name="commit"' not in html
    assert "children_import" not in client.session


def test_a_commit_with_a_wrong_or_old_token_imports_nothing(
    world: World, client_for: ClientFor
) -> None:
    client = client_for("hanne")
    upload(client, GOOD)
    response = client.post("/children/import/", {"commit": "1", "token": "forged"}, follow=True)
    assert "has expired or was replaced" in response.content.decode()
    assert not Child.objects.exists()


def test_the_page_reports_a_file_it_cannot_read(world: World, client_for: ClientFor) -> None:
    response = upload(client_for("hanne"), csv_bytes("navn;alder"))
    assert response.status_code == 400
    assert "The file lacks required columns" in response.content.decode()


@pytest.mark.parametrize("persona", ["pia", "lars", "rikke", "otto"])
def test_the_page_is_for_health_visitors_and_admins(
    world: World, client_for: ClientFor, persona: str
) -> None:
    client = client_for(persona)
    assert client.get("/children/import/").status_code == 403
    assert upload(client, GOOD).status_code == 403
