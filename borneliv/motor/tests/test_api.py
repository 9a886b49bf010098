"""The motor API: instruments (list, document), sessions (scoped, counted, pseudonymous, logged)."""

from __future__ import annotations

import json

import pytest

from borneliv.children.models import AccessLog
from borneliv.children.services import cpr_of
from borneliv.motor import instruments, instruments_services, services
from borneliv.motor.models import Instrument, InstrumentVersion, Session
from borneliv.motor.tests.conftest import ClientFor, Group
from borneliv.testing import World

SKILLS = ["run", "jump", "hop", "climb", "one_leg", "beam"]


def score(world: World, session: Session, group: Group) -> None:
    """Alma: age-appropriate; Bertram: challenges (followed up); Clara absent."""
    alma, bertram, clara = group.child("Alma"), group.child("Bertram"), group.child("Clara")
    cells = [services.Cell(alma.pk, code, "masters") for code in SKILLS]
    cells += [services.Cell(bertram.pk, code, "not_yet") for code in SKILLS]
    cells.append(services.Cell(alma.pk, "joy", services.NOT_ASSESSED))
    services.scores_save(by=world.hanne, session=session, cells=cells)
    services.assessment_set_present(
        by=world.hanne, session=session, child_id=clara.pk, present=False
    )
    services.follow_up_decide(
        by=world.hanne,
        assessment=session.assessments.get(child=bertram),
        follow_up=True,
        note="Talk with the parents at pick-up.",
    )


# --- instruments --------------------------------------------------------------------------------


def test_the_instruments_are_listed_with_their_versions(client_for: ClientFor) -> None:
    response = client_for("pia").get("/api/v1/motor/instruments")
    assert response.status_code == 200
    body = {i["code"]: i for i in response.json()}
    assert set(body) == {"motor-4", "school-start"}
    (version,) = body["motor-4"]["versions"]
    assert version["number"] == 1
    assert version["status"] == "published"
    assert version["is_starting_point"] is True
    assert version["items"] == 14
    assert (version["age_min_months"], version["age_max_months"]) == (42, 60)
    assert body["school-start"]["versions"][0]["items"] == 9


def test_drafts_are_listed_only_for_administrators(world: World, client_for: ClientFor) -> None:
    instruments_services.version_new_draft(
        by=world.ada, instrument=Instrument.objects.get(code="motor-4")
    )

    def numbers(persona: str) -> list[int]:
        body = client_for(persona).get("/api/v1/motor/instruments").json()
        return [v["number"] for i in body if i["code"] == "motor-4" for v in i["versions"]]

    assert numbers("ada") == [2, 1]
    assert numbers("hanne") == [1]
    assert (
        client_for("hanne").get("/api/v1/motor/instruments/motor-4/versions/2").status_code == 404
    )
    assert client_for("ada").get("/api/v1/motor/instruments/motor-4/versions/2").status_code == 200


def test_someone_without_a_role_cannot_read_the_instruments(client_for: ClientFor) -> None:
    assert client_for("otto").get("/api/v1/motor/instruments").status_code == 403
    response = client_for("otto").get("/api/v1/motor/instruments/motor-4/versions/1")
    assert response.status_code == 403


@pytest.mark.parametrize("code", ["motor-4", "school-start"])
def test_a_version_is_the_same_document_as_the_export(client_for: ClientFor, code: str) -> None:
    response = client_for("rikke").get(f"/api/v1/motor/instruments/{code}/versions/1")
    assert response.status_code == 200
    version = InstrumentVersion.objects.get(instrument__code=code, number=1)
    assert response.json() == instruments.to_dict(instruments.document_from_version(version))
    assert instruments.read_document(response.content).document == (
        instruments.document_from_version(version)
    )


def test_an_unknown_version_is_not_found(client_for: ClientFor) -> None:
    client = client_for("hanne")
    assert client.get("/api/v1/motor/instruments/motor-4/versions/7").status_code == 404
    assert client.get("/api/v1/motor/instruments/nope/versions/1").status_code == 404


# --- sessions ----------------------------------------------------------------------------------


def test_the_sessions_are_listed_with_counts(
    world: World, session: Session, mellemgruppen: Group, client_for: ClientFor
) -> None:
    score(world, session, mellemgruppen)
    response = client_for("hanne").get("/api/v1/motor/sessions")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    (item,) = body["items"]
    assert item["id"] == str(session.public_id)
    assert item["daycare_id"] == world.lindholm_daycare.pk
    assert item["daycare"] == world.lindholm_daycare.name
    assert item["group"] == "Mellemgruppen"
    assert item["held_on"] == "2026-10-06"
    assert (item["instrument"], item["version"], item["status"]) == ("motor-4", 1, "open")
    assert item["counts"] == {
        "children": 10,
        "present": 9,
        "age_appropriate": 1,
        "few_signs": 0,
        "challenges": 1,
        "insufficient": 0,
        "follow_up": 1,
    }
    # The list names no child, so it logs no read.
    assert not AccessLog.objects.filter(view="motor_api").exists()


def test_the_session_list_filters(world: World, session: Session, client_for: ClientFor) -> None:
    client = client_for("hanne")

    def count(query: str) -> int:
        return int(client.get(f"/api/v1/motor/sessions?{query}").json()["count"])

    assert count(f"daycare_id={world.lindholm_daycare.pk}") == 1
    assert count(f"daycare_id={world.troldhoj.pk}") == 0
    assert count("instrument=motor-4&status=open") == 1
    assert count("instrument=school-start") == 0
    assert count("held_from=2026-10-07") == 0
    assert count("held_to=2026-10-06&group=mellemgruppen") == 1


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("hanne", True),  # health visitor of Aalborg: serves the Lindholm daycare
        ("ada", True),
        ("astrid", False),  # health visitor of Albertslund
        ("pia", False),  # pedagogue of another daycare
        ("lars", False),  # project leader: aggregates only
        ("rikke", False),  # researcher: aggregates only
        ("otto", False),
    ],
)
def test_sessions_are_scoped(
    session: Session, client_for: ClientFor, persona: str, sees: bool
) -> None:
    client = client_for(persona)
    body = client.get("/api/v1/motor/sessions").json()
    assert [i["id"] for i in body["items"]] == ([str(session.public_id)] if sees else [])
    response = client.get(f"/api/v1/motor/sessions/{session.public_id}")
    assert response.status_code == (200 if sees else 404)
    logged = AccessLog.objects.filter(view="motor_api").count()
    assert logged == (10 if sees else 0)


def test_the_daycares_pedagogue_sees_its_session(
    session: Session, mellemgruppen: Group, client_for: ClientFor
) -> None:
    client = client_for(mellemgruppen.petra)
    assert client.get("/api/v1/motor/sessions").json()["count"] == 1
    assert client.get(f"/api/v1/motor/sessions/{session.public_id}").status_code == 200


def test_a_session_lists_each_childs_summary_and_scores_pseudonymously(
    world: World, session: Session, mellemgruppen: Group, client_for: ClientFor
) -> None:
    score(world, session, mellemgruppen)
    response = client_for("hanne").get(f"/api/v1/motor/sessions/{session.public_id}")
    assert response.status_code == 200
    body = response.json()
    assert body["observers"] == ["hanne", "petra"]
    assert body["counts"]["children"] == 10
    children = {a["first_name"]: a for a in body["assessments"]}
    assert sorted(children) == sorted(c.first_name for c in mellemgruppen.children)
    alma, bertram, clara = children["Alma"], children["Bertram"], children["Clara"]
    assert alma["child"] == str(mellemgruppen.child("Alma").public_id)
    assert (alma["level"], alma["remarks"], alma["assessed_items"]) == ("age_appropriate", 0.0, 6)
    assert {s["item"]: s["value"] for s in alma["scores"]} == {
        **dict.fromkeys(SKILLS, "masters"),
        "joy": "",
    }
    assert next(s for s in alma["scores"] if s["item"] == "joy")["not_assessed"] is True
    assert (bertram["level"], bertram["remarks"]) == ("challenges", 6.0)
    assert bertram["follow_up"] is True
    assert bertram["follow_up_note"] == "Talk with the parents at pick-up."
    assert (clara["present"], clara["level"], clara["scores"]) == (False, "", [])
    text = response.content.decode()
    for child in mellemgruppen.children:
        assert cpr_of(child) not in text
    # The child's id and first name only: no last name, birth date or CPR number.
    assert set(alma) == {
        "child",
        "first_name",
        "present",
        "level",
        "remarks",
        "assessed_items",
        "follow_up",
        "follow_up_note",
        "scores",
    }
    assert "Lindholm" not in json.dumps([a for a in body["assessments"]])


def test_reading_a_session_logs_each_child(
    world: World, session: Session, mellemgruppen: Group, client_for: ClientFor
) -> None:
    client_for("hanne").get(f"/api/v1/motor/sessions/{session.public_id}")
    logged = AccessLog.objects.filter(view="motor_api")
    assert logged.count() == 10
    assert set(logged.values_list("user__username", flat=True)) == {"hanne"}
    assert set(logged.values_list("child_id", flat=True)) == {c.pk for c in mellemgruppen.children}


def test_the_session_read_takes_a_fixed_number_of_queries(
    world: World,
    session: Session,
    mellemgruppen: Group,
    client_for: ClientFor,
    django_assert_max_num_queries: object,
) -> None:
    score(world, session, mellemgruppen)
    client = client_for("hanne")
    client.get("/api/v1/motor/sessions")  # warm the session and the user
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        assert client.get(f"/api/v1/motor/sessions/{session.public_id}").status_code == 200


def test_an_unknown_session_is_not_found(session: Session, client_for: ClientFor) -> None:
    response = client_for("ada").get("/api/v1/motor/sessions/00000000-0000-0000-0000-000000000000")
    assert response.status_code == 404


# --- the OpenAPI document ---------------------------------------------------------------------


def test_the_openapi_document_describes_the_motor_endpoints(client_for: ClientFor) -> None:
    response = client_for("hanne").get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    paths = spec["paths"]
    for path in (
        "/api/v1/motor/instruments",
        "/api/v1/motor/instruments/{code}/versions/{number}",
        "/api/v1/motor/sessions",
        "/api/v1/motor/sessions/{public_id}",
    ):
        assert path in paths, path
    parameters = {p["name"] for p in paths["/api/v1/motor/sessions"]["get"]["parameters"]}
    assert {"page", "daycare_id", "held_from", "held_to", "status", "instrument"} <= parameters
    assert {"SessionOut", "SessionDetailOut", "InstrumentDocumentOut"} <= set(
        spec["components"]["schemas"]
    )
