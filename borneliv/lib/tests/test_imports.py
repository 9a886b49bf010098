"""The import pipeline's limits against hostile files: each refused in the dry run, in words."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from borneliv.children import imports as children_imports
from borneliv.children.models import Child
from borneliv.children.testing import synthetic_cpr
from borneliv.lib import tabular
from borneliv.lib.hostile_files import blank_rows_xlsx
from borneliv.lib.imports import json_depth_exceeds, json_loads
from borneliv.motor import instruments_services
from borneliv.testing import World

A = synthetic_cpr(dt.date(2025, 1, 5), 100)
HEADER = ["cpr", "fornavn", "efternavn", "omraade"]
ALIASES = {"cpr": ("cpr",), "first_name": ("fornavn",), "area": ("omraade",)}


def read(data: bytes, name: str = "f.csv", max_rows: int = 50) -> list[tabular.SourceRow]:
    return tabular.read_rows(
        data, name, aliases=ALIASES, required=("cpr", "first_name"), max_rows=max_rows
    )


def refused(data: bytes, name: str = "f.csv", max_rows: int = 50) -> tuple[str, str]:
    """The refusal in Danish and in English."""
    messages = []
    for language in ("da", "en"):
        with translation.override(language), pytest.raises(tabular.ImportFileError) as caught:
            read(data, name, max_rows)
        messages.append(str(caught.value))
    return messages[0], messages[1]


def test_blank_rows_count_towards_the_row_limit_in_a_workbook() -> None:
    # 60 blank rows, then one real row: skipping blank rows before counting would accept it.
    data = blank_rows_xlsx(HEADER, blank_rows=60, rows_after=[[A, "Alma", "Ager", "Lindholm"]])
    assert refused(data, "bomb.xlsx") == (
        "Filen har mere end 50 rækker, når de tomme rækker tælles med; slet de tomme rækker, "
        "eller del filen i mindre filer.",
        "The file has more than 50 rows, blank rows included; delete its blank rows or split it "
        "into smaller files.",
    )


def test_a_workbook_of_blank_rows_is_refused_before_openpyxl_reads_it() -> None:
    data = blank_rows_xlsx(HEADER, blank_rows=200_000)
    with pytest.raises(tabular.ImportFileError):
        tabular.check_xlsx_rows(data, 50)
    tabular.check_xlsx_rows(blank_rows_xlsx(HEADER, blank_rows=49), 50)  # within the limit


def test_blank_lines_count_towards_the_row_limit_in_a_csv() -> None:
    data = ("cpr;fornavn\n" + "\n" * 60 + f"{A};Alma\n").encode()
    assert refused(data)[1].startswith("The file has more than 50 rows, blank rows included")
    assert [row.number for row in read(data, max_rows=100)] == [62]


def test_a_workbook_within_the_limit_is_read_with_its_blank_rows_skipped() -> None:
    data = blank_rows_xlsx(HEADER, blank_rows=10, rows_after=[[A, "Alma", "Ager", "Lindholm"]])
    rows = read(data, "ok.xlsx")
    assert [(row.number, row.values["first_name"]) for row in rows] == [(12, "Alma")]


def test_a_control_character_is_a_problem_of_its_row_and_column() -> None:
    data = f"cpr;Fornavn\n{A};Al\x00ma\n{A};Bo\n".encode()
    with translation.override("da"):
        rows = read(data)
    assert [(row.number, row.problems) for row in rows] == [
        (
            2,
            [
                "Kolonnen Fornavn indeholder et kontroltegn (fx en NUL-byte), som ikke kan gemmes; "
                "fjern det."
            ],
        ),
        (3, []),
    ]


def test_a_wrong_delimiter_is_named() -> None:
    assert refused(b"cpr\tfornavn\n1\t2\n")[1] == (
        "The columns are not separated by ; or , (the first row reads as one column). Save the "
        "file as CSV separated by semicolons, or as an Excel workbook."
    )


def test_a_wrong_encoding_is_named() -> None:
    assert refused("cpr;fornavn\n1;Søren\n".encode("cp1252")) == (
        "Filen er ikke UTF-8-tekst. Gem den som »CSV UTF-8« eller som Excel-projektmappe.",
        "The file is not UTF-8 text. Save it as “CSV UTF-8” or as an Excel workbook.",
    )


def test_deep_json_is_refused_before_parsing() -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    assert json_depth_exceeds(deep, 20)
    assert not json_depth_exceeds(b'{"a": ["[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[", {"b": [1]}]}', 5)
    with translation.override("da"), pytest.raises(tabular.ImportFileError) as caught:
        json_loads(deep)
    assert str(caught.value) == (
        "Filen har lister og objekter i mere end 20 niveauer inden i hinanden; den afvises."
    )
    assert json_loads(b'\xef\xbb\xbf{"a": [1, 2]}') == {"a": [1, 2]}


# End to end: each refused in the dry run, and a commit writes nothing.


def children_report(
    data: bytes, world: World, name: str = "f.csv"
) -> children_imports.ImportReport:
    rows = children_imports.read_rows(data, name)
    return children_imports.import_children(rows, user=world.ada, commit=True)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("first_name", "language", "message"),
    [
        (
            "Al\x00ma",
            "en",
            "The column fornavn holds a control character (such as a NUL byte) that cannot be "
            "stored; remove it.",
        ),
        (
            "A" * 101,
            "da",
            "Kolonnen fornavn er længere end 100 tegn (den har 101); gør den kortere: intet "
            "bliver skåret af.",
        ),
    ],
    ids=["nul-byte", "over-long-name"],
)
def test_a_bad_name_is_a_row_error_never_cut_and_nothing_is_registered(
    world: World, first_name: str, language: str, message: str
) -> None:
    data = f"cpr;fornavn;efternavn;omraade\n{A};{first_name};Ager;Lindholm\n".encode()
    with translation.override(language):
        report = children_report(data, world)
    assert [(row.number, row.status, row.message, row.first_name) for row in report.rows] == [
        (2, "error", message, first_name)
    ]
    assert not report.committed and Child.objects.count() == 0


@pytest.mark.django_db
def test_a_blank_row_bomb_is_refused_by_the_births_import(world: World) -> None:
    data = blank_rows_xlsx(HEADER, blank_rows=children_imports.MAX_ROWS + 1)
    with pytest.raises(children_imports.ImportFileError):
        children_imports.read_rows(data, "bomb.xlsx")
    assert Child.objects.count() == 0


@pytest.mark.django_db
def test_a_deep_json_instrument_is_refused_with_nothing_written(world: World) -> None:
    from borneliv.motor.models import InstrumentVersion

    before = InstrumentVersion.objects.count()
    deep = b'{"format": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    with translation.override("en"):
        parsed = instruments_services.instrument_read(deep, "deep.json")
        report = instruments_services.instrument_import(
            by=world.ada, document=parsed, dry_run=False
        )
    assert [p.message for p in report.problems] == [
        "The file nests its lists and objects deeper than 20 levels; it is refused."
    ]
    assert not report.committed and InstrumentVersion.objects.count() == before
