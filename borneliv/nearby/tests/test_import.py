"""Importing an OpenStreetMap extract: the command, the administrators' page, what is refused."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import translation

from borneliv.jobs.testing import run_queued_jobs
from borneliv.lib.jobs import PrintProgress
from borneliv.nearby import services, storage
from borneliv.nearby.models import Extract
from borneliv.nearby.tests.conftest import NORTH_ZEALAND, OSTERBRO, ClientFor, Osterbro

#: What the shipped Østerbro extract holds around the institutions: ways that carry walking or
#: cycling, and candidate places. (Read whole, it has four multipolygons with member ways
#: missing; cut to a bounding box, members outside it are expected and not counted.)
OSTERBRO_WAYS = 260
OSTERBRO_FEATURES = 32


def _stored_files() -> set[str]:
    root = storage.nearby_dir() / "extracts"
    return {p.name for p in root.iterdir()} if root.is_dir() else set()


def test_the_import_recorded_what_the_extract_holds(osterbro: Osterbro) -> None:
    extract = osterbro.frederikssund_extract
    assert (extract.ways, extract.features) == (OSTERBRO_WAYS, OSTERBRO_FEATURES)
    assert extract.skipped == {}
    assert extract.data_timestamp.startswith("2017-03-06")
    assert extract.file_name == OSTERBRO.name
    assert extract.file_bytes == OSTERBRO.stat().st_size
    assert len(extract.sha256) == 64
    assert extract.imported_by == osterbro.world.ada
    # The known world is the extract's own: the Østerbro core.
    assert extract.contains(55.7078, 12.5690)
    assert 55.70 < extract.south < extract.north < 55.711
    assert storage.extract_exists(extract.stored_file)


def test_the_command_imports_the_shipped_extract_and_prints_progress_and_counts(
    osterbro: Osterbro,
) -> None:
    out = io.StringIO()
    call_command("nearby_import", str(OSTERBRO), "--municipality", "0250", stdout=out)
    text = out.getvalue()
    assert "Reading the map data" in text and "100 %" in text
    assert f"{OSTERBRO_WAYS} paths and streets, {OSTERBRO_FEATURES} possible places" in text
    assert "0 problems skipped" in text
    # The daycare's circle, computed before, is updated from the new extract.
    assert "Updated Børnehuset Troldhøj: 0 new, 0 changed, 0 gone (cut by the data edge)" in text
    newest = Extract.objects.filter(municipality=osterbro.world.frederikssund).newest_first()
    assert newest.count() == 2
    assert newest.first() != osterbro.frederikssund_extract
    assert (
        osterbro.troldhoj_circle.__class__.objects.get(pk=osterbro.troldhoj_circle.pk).extract
        == newest.first()
    )


def test_the_command_refuses_an_unknown_municipality(osterbro: Osterbro) -> None:
    with pytest.raises(CommandError, match="No municipality has the code '0999'"):
        call_command("nearby_import", str(OSTERBRO), "--municipality", "0999", stdout=io.StringIO())


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("children.csv", b"name;cpr\nEmma;010101-1234\n", "is not an OpenStreetMap extract"),
        ("map.osm.pbf", b"%PDF-1.7 not a map", "does not hold OpenStreetMap data"),
        ("map.osm", b"<html><body>Not found</body></html>", "does not hold OpenStreetMap data"),
    ],
)
def test_a_file_that_is_not_osm_data_is_refused_and_nothing_is_saved(
    osterbro: Osterbro, tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    before, files = Extract.objects.count(), _stored_files()
    with pytest.raises(CommandError, match=message):
        call_command("nearby_import", str(path), "--municipality", "0250", stdout=io.StringIO())
    assert Extract.objects.count() == before
    assert _stored_files() == files


def test_a_broken_extract_is_refused_and_nothing_is_saved(
    osterbro: Osterbro, tmp_path: Path
) -> None:
    path = tmp_path / "cut-short.osm.pbf"
    path.write_bytes(OSTERBRO.read_bytes()[:20_000])
    before, files = Extract.objects.count(), _stored_files()
    with pytest.raises(CommandError, match="could not be read as OpenStreetMap data"):
        call_command("nearby_import", str(path), "--municipality", "0250", stdout=io.StringIO())
    assert Extract.objects.count() == before
    assert _stored_files() == files


def test_an_extract_of_another_region_is_refused(osterbro: Osterbro) -> None:
    # A rural patch near Hillerød: no paths around Frederikssund's institutions.
    before = Extract.objects.count()
    with pytest.raises(CommandError, match="holds no paths or streets around the institutions"):
        call_command(
            "nearby_import", str(NORTH_ZEALAND), "--municipality", "0250", stdout=io.StringIO()
        )
    assert Extract.objects.count() == before


def test_a_municipality_without_located_institutions_is_refused(osterbro: Osterbro) -> None:
    from borneliv.organisations import services as org_services

    empty = org_services.municipality_create(name="Læsø", code="0825")
    with pytest.raises(Exception, match="no institutions with a location"):
        services.extract_import(by=osterbro.world.ada, municipality=empty, path=OSTERBRO)


# --- the page ------------------------------------------------------------------------------------


def test_only_administrators_see_the_import_page(client_for: ClientFor) -> None:
    assert client_for("ada").get("/nearby/import/").status_code == 200
    for persona in ("lars", "pia", "hanne", "otto"):
        assert client_for(persona).get("/nearby/import/").status_code == 404, persona
    assert Client().get("/nearby/import/").status_code == 302


def _import_page(client: Client, data: dict[str, object]) -> str:
    """Post the import form, let the worker run the queued import, read the job's page."""
    response = client.post("/nearby/import/", data)
    assert response.status_code == 302, response.content.decode()[:500]
    page = client.get(response["Location"]).content.decode()
    assert "data-job-bar" in page  # queued: the bar, before the worker has started
    run_queued_jobs()
    return client.get(response["Location"]).content.decode()


def test_an_upload_is_imported_in_the_background_and_its_page_ends_with_the_counts(
    osterbro: Osterbro, client_for: ClientFor
) -> None:
    upload = SimpleUploadedFile("osterbro.osm.pbf", OSTERBRO.read_bytes())
    page = _import_page(
        client_for("ada"), {"municipality": osterbro.world.aalborg.pk, "upload": upload}
    )
    assert page.index("Checking osterbro.osm.pbf") < page.index("Reading the map data: 100 %")
    assert "data-job-done" in page and "data-job-bar" not in page
    assert f"{OSTERBRO_WAYS} paths and streets and {OSTERBRO_FEATURES} possible places" in page
    assert "One circle was updated." in page  # the Lindholm daycare's
    assert 'href="/nearby/"' in page  # back to the result
    extract = Extract.objects.filter(municipality=osterbro.world.aalborg).newest_first().first()
    assert extract is not None and extract.file_name == "osterbro.osm.pbf"
    # The kept upload is gone once imported.
    assert list((storage.nearby_dir() / "uploads").iterdir()) == []


def test_a_shipped_file_can_be_chosen_on_the_server(
    osterbro: Osterbro, client_for: ClientFor
) -> None:
    page = _import_page(
        client_for("ada"),
        {
            "municipality": osterbro.world.frederikssund.pk,
            "server_file": f"shipped/{OSTERBRO.name}",
        },
    )
    assert "data-job-done" in page
    assert OSTERBRO.is_file()  # a file on the server is never removed


def test_a_path_not_offered_cannot_be_imported(osterbro: Osterbro, client_for: ClientFor) -> None:
    response = client_for("ada").post(
        "/nearby/import/",
        {"municipality": osterbro.world.frederikssund.pk, "server_file": "../../etc/passwd"},
    )
    assert response.status_code == 400


def test_the_page_refuses_a_non_osm_upload_with_a_message_and_saves_nothing(
    osterbro: Osterbro, client_for: ClientFor
) -> None:
    before = Extract.objects.count()
    upload = SimpleUploadedFile("photo.osm.pbf", b"\x89PNG\r\n\x1a\nnot a map")
    response = client_for("ada").post(
        "/nearby/import/", {"municipality": osterbro.world.aalborg.pk, "upload": upload}
    )
    assert response.status_code == 400
    assert "does not hold OpenStreetMap data" in response.content.decode()
    assert Extract.objects.count() == before


def test_the_page_reports_an_extract_of_another_region_when_the_import_fails(
    osterbro: Osterbro, client_for: ClientFor
) -> None:
    before = Extract.objects.count()
    upload = SimpleUploadedFile("nordsjaelland.osm", NORTH_ZEALAND.read_bytes())
    page = _import_page(
        client_for("ada"), {"municipality": osterbro.world.frederikssund.pk, "upload": upload}
    )
    assert "data-job-failed" in page
    assert "holds no paths or streets around the institutions of Frederikssund" in page
    assert Extract.objects.count() == before
    assert list((storage.nearby_dir() / "uploads").iterdir()) == []


def test_the_progress_writes_numbers_as_the_reader_does(osterbro: Osterbro) -> None:
    lines: list[str] = []
    with translation.override("da"):
        services.extract_import(
            by=osterbro.world.ada,
            municipality=osterbro.world.aalborg,
            path=OSTERBRO,
            progress=PrintProgress(lines.append),
            recompute=False,
        )
    assert re.fullmatch(rf"Tjekker {re.escape(OSTERBRO.name)} \(\d+,\d MB\)…", lines[0])
