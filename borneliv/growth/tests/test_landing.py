"""What growth adds to the administrator's overview: the recent school-start imports."""

from __future__ import annotations

from django.utils import translation

from borneliv.accounts.landing import person_name
from borneliv.growth.landing import school_start_imports
from borneliv.growth.models import ImportBatch
from borneliv.testing import World


def test_recent_imports_name_who_ran_them_newest_first(world: World) -> None:
    ImportBatch.objects.create(
        file_name="skolestart-2024.csv",
        file_sha256="a" * 64,
        imported_by=world.ada,
        rows=1200,
        created=1190,
        updated=4,
        held=6,
    )
    ImportBatch.objects.create(
        file_name="skolestart-2025.csv", file_sha256="b" * 64, imported_by=None, rows=1, created=1
    )
    with translation.override("en"):
        records = school_start_imports(world.ada)
    assert [(record.name, record.by) for record in records] == [
        ("skolestart-2025.csv", ""),
        ("skolestart-2024.csv", "Ada Adamsen"),
    ]
    assert records[0].summary == "1 row: 1 new, 0 updated, 0 held for review"
    assert records[1].summary == "1,200 rows: 1,190 new, 4 updated, 6 held for review"
    assert records[1].url == "/growth/import/history/"


def test_only_the_administrator_sees_the_imports(world: World) -> None:
    ImportBatch.objects.create(file_name="x.csv", file_sha256="c" * 64, imported_by=world.hanne)
    assert school_start_imports(world.hanne) == []
    assert school_start_imports(world.lars) == []


def test_a_person_without_a_full_name_is_named_by_her_username(world: World) -> None:
    world.otto.first_name = world.otto.last_name = ""
    assert person_name(world.otto) == "otto"
    assert person_name(world.ada) == "Ada Adamsen"
    assert person_name(None) == ""
