"""The shipped example import files (``docs/examples/``) against a freshly loaded demo.

Each import has an example that a dry run accepts and an ``…_errors_example.csv`` that shows
every kind of row error the import reports; the reports are asserted exactly, row by row. The
children they name are the demo's example children (``borneliv/demo/examples.py``).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from pytest_django import DjangoDbBlocker

from borneliv.accounts.models import User, today
from borneliv.children import imports as children_imports
from borneliv.children.models import Child
from borneliv.demo.examples import EXAMPLE_CHILDREN, example_child_ids
from borneliv.demo.services import DemoResult, demo_load
from borneliv.growth import imports as growth_imports
from borneliv.growth.models import Measurement, SchoolStartExam
from borneliv.testing import loaded_once

PASSWORD = "gynge-kastanje-fjord-2024"
EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples"


@pytest.fixture(scope="module")
def _demo_for_module(
    django_db_setup: None, django_db_blocker: DjangoDbBlocker
) -> Iterator[DemoResult]:
    # Loaded once per test process and copied in (``borneliv.testing.loaded_once``).
    with django_db_blocker.unblock(), loaded_once("demo", _load_demo) as result:
        yield result


def _load_demo() -> DemoResult:
    return demo_load(password=PASSWORD, with_children=True)


@pytest.fixture
def demo(_demo_for_module: DemoResult, db: None) -> Iterator[DemoResult]:
    with translation.override("en"):
        yield _demo_for_module


def user(username: str) -> User:
    return User.objects.get(username=username)


def example(name: str) -> bytes:
    return (EXAMPLES / name).read_bytes()


def children_report(name: str, username: str | None) -> list[tuple[int, str, str, str]]:
    rows = children_imports.read_rows(example(name), name)
    report = children_imports.import_children(
        rows, user=user(username) if username else None, commit=False
    )
    assert report.file_errors == []
    return [(row.number, row.masked_cpr, row.status, row.message) for row in report.rows]


def school_start_report(name: str, username: str | None) -> list[tuple[int, str, str, str]]:
    report = growth_imports.school_start_import(
        data=example(name), filename=name, user=user(username) if username else None
    )
    assert report.file_errors == []
    return [(row.number, row.masked_cpr, row.status, row.message) for row in report.rows]


@pytest.mark.django_db
def test_the_demo_holds_the_example_children(demo: DemoResult) -> None:
    ids = example_child_ids()
    assert len(ids) == len(EXAMPLE_CHILDREN)
    children = Child.objects.filter(pk__in=ids).order_by("birth_date")
    assert [(c.first_name, c.last_name, c.is_synthetic) for c in children] == [
        ("Alma", "Bæk", True),
        ("Sigrid", "Dam", True),
        ("Villads", "Krogh", True),
        ("Malthe", "Skov", True),
        ("Ingrid", "Lund", True),
    ]


NEW_BIRTHS = [
    (2, "140926-xxxx"),
    (3, "140926-xxxx"),
    (4, "031026-xxxx"),
    (5, "211026-xxxx"),
    (6, "051126-xxxx"),
]
UNCHANGED = (
    7,
    "150320-xxxx",
    "unchanged",
    "Registered already with this name and area; left as it is.",
)


def _age_today(birth: dt.date) -> int:
    on = today()
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def children_errors() -> list[tuple[int, str, str, str]]:
    """Every row error of the children import, in the order of the errors example."""
    too_old = _age_today(dt.date(2012, 6, 15))
    messages = [
        (2, "", "A CPR number has the form DDMMYY-SSSS (10 digits)."),
        (3, "", "The first six digits of the CPR number are not a real date."),
        (4, "", "The CPR number gives a birth date in the future."),
        (
            5,
            "150612-xxxx",
            f"The CPR number belongs to someone of {too_old} years. The registry is for the "
            "programme's children, aged 0–10 (a child is accepted until its 12th birthday).",
        ),
        (6, "020826-xxxx", "The first name is missing."),
        (7, "030826-xxxx", "The last name is missing."),
        (8, "040826-xxxx", "The area is missing."),
        (
            9,
            "050826-xxxx",
            "Unknown area “Nørrebro”: not one of the areas you may register children in.",
        ),
        (10, "060826-xxxx", "The date of moving in is not a date (use dd.mm.yyyy)."),
        (11, "070826-xxxx", "The date of moving in lies before the birth date."),
        (
            12,
            "080826-xxxx",
            "Unknown relation “moster”: use mor, far, medmor, plejeforælder or anden.",
        ),
        (
            13,
            "090826-xxxx",
            "A phone number has 8 digits, optionally with +45 in front, e.g. 12 34 56 78.",
        ),
        (
            14,
            "100826-xxxx",
            "A relation or phone number needs the guardian's name (column vaerge).",
        ),
        (15, "020826-xxxx", "The same CPR number appears in row 6 already."),
        (
            16,
            "090920-xxxx",
            "This child is registered already as Malthe Skov in another area or with another "
            "name; change the registered child on its page instead.",
        ),
    ]
    return [(number, cpr, "error", message) for number, cpr, message in messages]


SCHOOL_START_ERRORS = [
    (2, "", "A CPR number has the form DDMMYY-SSSS (10 digits)."),
    (3, "", "The first six digits of the CPR number are not a real date."),
    (4, "010120-xxxx", "No child with this CPR number is in the registry you can see."),
    (5, "150320-xxxx", "The exam date is missing."),
    (6, "150320-xxxx", "The exam date is not a date (use dd.mm.yyyy)."),
    (7, "150320-xxxx", "The exam date is in the future."),
    (8, "150320-xxxx", "The exam date lies before the child's birth date."),
    (9, "020620-xxxx", "The height (cm) “høj” is not a number."),
    (10, "020620-xxxx", "The height (cm) 17 lies outside the limits 25–220."),
    (11, "281120-xxxx", "The weight (kg) “18.6,0” is not a number."),
    (12, "281120-xxxx", "The weight (kg) 250 lies outside the limits 0.3–200."),
    (13, "090920-xxxx", "The position “siddende” is not H (standing) or L (lying)."),
    (14, "090920-xxxx", "The school's institution number (INSTNR) must have 6 digits."),
    (15, "090920-xxxx", "No school with the institution number 999999 is in the registry."),
    (
        16,
        "230420-xxxx",
        "The value “måske” of hop is not a remark (1, ja, yes, x), no remark (0, nej, no) or "
        "empty (not assessed).",
    ),
    (17, "230420-xxxx", "The row has neither a height, a weight nor an assessed motor item."),
    (18, "230420-xxxx", "The same child and exam date appear in row 16 already."),
]
SCHOOL_START_ACCEPTED = [
    (2, "150320-xxxx", "new", "New exam."),
    (3, "020620-xxxx", "new", "New exam."),
    (4, "281120-xxxx", "new", "New exam."),
    (5, "090920-xxxx", "new", "New exam."),
    (
        6,
        "230420-xxxx",
        "held",
        "New exam. Held for review: Implausible BMI for the age (WHO: z below −5 or above +5).",
    ),
]


# The children import


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["admin", None])
def test_an_administrator_or_the_command_line_may_register_the_new_births(
    demo: DemoResult, username: str | None
) -> None:
    assert children_report("children_example.csv", username) == [
        *[(number, cpr, "ok", "") for number, cpr in NEW_BIRTHS],
        UNCHANGED,
    ]


@pytest.mark.django_db
def test_a_health_visitors_new_births_go_to_an_administrator(demo: DemoResult) -> None:
    """She does not see the whole registry, so every number new to her is a referral."""
    referral = "Goes to an administrator, who registers the child or finds it registered."
    assert children_report("children_example.csv", "sundhedsplejerske") == [
        *[(number, cpr, "refer", referral) for number, cpr in NEW_BIRTHS],
        UNCHANGED,
    ]


@pytest.mark.django_db
def test_the_children_example_registers_families_and_guardians(demo: DemoResult) -> None:
    rows = children_imports.read_rows(example("children_example.csv"), "children_example.csv")
    report = children_imports.import_children(rows, user=user("admin"), commit=True)
    assert report.committed and (report.ok, report.unchanged) == (5, 1)
    twins = Child.objects.filter(first_name__in=["Freja", "Oskar"], last_name="Nørgaard")
    (family,) = {child.family for child in twins}
    assert family is not None
    assert [(g.name, g.relation, g.phone) for g in family.guardians.all()] == [
        ("Camilla Nørgaard", "mother", "20 12 34 56")
    ]
    noah = Child.objects.get(first_name="Noah", last_name="Pedersen")
    assert noah.residences.get().valid_from == dt.date(2026, 11, 1)
    again = children_imports.import_children(rows, user=user("admin"), commit=False)
    assert [row.status for row in again.rows] == ["unchanged"] * 6


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["admin", "sundhedsplejerske", None])
def test_the_children_errors_example_shows_every_kind_of_row_error(
    demo: DemoResult, username: str | None
) -> None:
    assert children_report("children_errors_example.csv", username) == children_errors()


@pytest.mark.django_db
def test_the_children_command_checks_both_examples(demo: DemoResult) -> None:
    out = io.StringIO()
    call_command("import_children", str(EXAMPLES / "children_example.csv"), stdout=out)
    assert out.getvalue().splitlines()[-1] == (
        "6 rows: 5 to register, 0 to an administrator, 1 unchanged, 0 with errors. "
        "Dry run: run again with --commit to import."
    )
    with pytest.raises(CommandError, match=r"15 rows: 0 to register, .* 15 with errors"):
        call_command(
            "import_children", str(EXAMPLES / "children_errors_example.csv"), stdout=io.StringIO()
        )


# The school-start import


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["sundhedsplejerske", "admin", None])
def test_the_school_start_example_passes_its_dry_run(
    demo: DemoResult, username: str | None
) -> None:
    assert school_start_report("school_start_example.csv", username) == SCHOOL_START_ACCEPTED


@pytest.mark.django_db
def test_the_school_start_example_imports_and_again_changes_nothing(demo: DemoResult) -> None:
    visitor = user("sundhedsplejerske")
    data = example("school_start_example.csv")
    report = growth_imports.school_start_import(
        data=data, filename="school_start_example.csv", user=visitor, dry_run=False
    )
    assert report.committed and (report.new, report.held) == (5, 1)
    exams = SchoolStartExam.objects.filter(child__in=example_child_ids())
    assert sorted((e.child.first_name, e.remarks, e.motor_difficulties) for e in exams) == [
        ("Alma", 0, False),
        ("Ingrid", 3, True),
        ("Malthe", 0, None),
        ("Sigrid", 0, False),
        ("Villads", 2, False),
    ]
    held = Measurement.objects.filter(child__in=example_child_ids(), review_status="held")
    assert [m.child.first_name for m in held] == ["Sigrid"]
    again = growth_imports.school_start_import(
        data=data, filename="school_start_example.csv", user=visitor
    )
    assert [row.status for row in again.rows] == ["unchanged"] * 5


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["sundhedsplejerske", "admin", None])
def test_the_school_start_errors_example_shows_every_kind_of_row_error(
    demo: DemoResult, username: str | None
) -> None:
    assert school_start_report("school_start_errors_example.csv", username) == [
        (number, cpr, "error", message) for number, cpr, message in SCHOOL_START_ERRORS
    ]


@pytest.mark.django_db
def test_another_municipalitys_health_visitor_sees_none_of_the_example_children(
    demo: DemoResult,
) -> None:
    """The same words as for a number nobody registered (Albertslund's health visitor)."""
    rows = school_start_report("school_start_example.csv", "sundhedsplejerske2")
    assert {(status, message) for _n, _c, status, message in rows} == {
        ("error", "No child with this CPR number is in the registry you can see.")
    }


@pytest.mark.django_db
def test_the_school_start_command_checks_both_examples(demo: DemoResult) -> None:
    out = io.StringIO()
    call_command(
        "import_school_start",
        str(EXAMPLES / "school_start_example.csv"),
        "--user",
        "sundhedsplejerske",
        stdout=out,
    )
    assert "5 rows" in out.getvalue().splitlines()[-1]
    with pytest.raises(CommandError):
        call_command(
            "import_school_start",
            str(EXAMPLES / "school_start_errors_example.csv"),
            stdout=io.StringIO(),
        )
