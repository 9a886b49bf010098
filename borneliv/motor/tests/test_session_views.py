"""The sessions pages: the list, a new session, the grid, its autosave and its plain save, one
child's assessment. Scope answers 404, missing permission 403, reads are logged."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation
from pytest_django import DjangoAssertNumQueries

from borneliv.accounts.models import today
from borneliv.children import services as children_services
from borneliv.children.models import AccessLog
from borneliv.children.testing import synthetic_cpr
from borneliv.motor import services
from borneliv.motor.models import Assessment, Level, Score, Session
from borneliv.motor.services import NOT_ASSESSED, Cell
from borneliv.motor.tests.conftest import GROUP, SESSION_DAY, ClientFor, Group
from borneliv.testing import World

pytestmark = pytest.mark.django_db

SIX = ["run", "jump", "hop", "climb", "one_leg", "beam"]


def grid_url(session: Session) -> str:
    return reverse("motor:session", args=[session.public_id])


def cells_url(session: Session) -> str:
    return reverse("motor:session_cells", args=[session.public_id])


def assessment_url(session: Session, child: Any) -> str:
    return reverse("motor:assessment", args=[session.public_id, child.public_id])


def post_json(client: Client, url: str, payload: Any) -> Any:
    return client.post(url, data=json.dumps(payload), content_type="application/json")


def score(session: Session, child: Any, item: str) -> str | None:
    found = Score.objects.filter(
        assessment__session=session, assessment__child=child, item__code=item
    )
    row = found.values_list("value", "not_assessed").first()
    if row is None:
        return None
    return NOT_ASSESSED if row[1] else row[0]


# --- the list ----------------------------------------------------------------------------------


def test_the_list_shows_open_sessions_with_progress(
    world: World, session: Session, mellemgruppen: Group, client_for: ClientFor
) -> None:
    services.scores_save(
        by=world.hanne,
        session=session,
        cells=[Cell(mellemgruppen.child("Alma").pk, "run", "masters")],
    )
    response = client_for("hanne").get(reverse("motor:index"))
    assert response.status_code == 200
    assert [s.pk for s in response.context["open_sessions"]] == [session.pk]
    listed = response.context["open_sessions"][0]
    assert (listed.scored_count, listed.present_count) == (1, 10)
    body = response.content.decode()
    assert "1 of 10 children scored" in body
    assert "Børnehaven Lindholm Å" in body
    assert reverse("motor:session_new") in body


def test_closed_sessions_come_after_the_open_ones(
    world: World, session: Session, mellemgruppen: Group, client_for: ClientFor, motor4: Any
) -> None:
    services.session_close(by=world.hanne, session=session, accept_few_observations=True)
    later = services.session_create(
        by=world.hanne,
        institution=world.lindholm_daycare,
        group=GROUP,
        held_on=SESSION_DAY + dt.timedelta(days=1),
        version=motor4,
    )
    response = client_for(mellemgruppen.petra).get(reverse("motor:index"))
    assert [s.pk for s in response.context["open_sessions"]] == [later.pk]
    assert [s.pk for s in response.context["closed_sessions"]] == [session.pk]


def _links(html: str, session: Session) -> list[str]:
    """The profile and dialogue links of ``session`` on a page."""
    prefix = f"/motor/sessions/{session.public_id}/"
    return [
        href
        for href in re.findall(r'href="([^"]+)"', html)
        if href.startswith(prefix) and ("profile" in href or "dialogue" in href)
    ]


@pytest.mark.parametrize("persona", ["hanne", "petra", "ada"])
def test_the_list_and_the_session_link_to_the_profile_and_the_dialogue(
    world: World, session: Session, mellemgruppen: Group, client_for: ClientFor, persona: str
) -> None:
    user = mellemgruppen.petra if persona == "petra" else persona
    client = client_for(user)
    profile = reverse("motor:profile", args=[session.public_id])
    record = reverse("motor:dialogue_new", args=[session.public_id])
    for page in (reverse("motor:index"), grid_url(session)):
        links = _links(client.get(page).content.decode(), session)
        assert profile in links and record in links, page
        for href in links:  # never a link that leads to 403 or 404
            assert client.get(href).status_code == 200, href


def test_once_recorded_the_dialogue_link_shows_it(
    world: World, session: Session, client_for: ClientFor
) -> None:
    services.dialogue_record(
        by=world.hanne,
        session=session,
        held_on=SESSION_DAY,
        strengths="Balance.",
        focus="Boldlege.",
        participants=[world.hanne],
        goals=[],
    )
    profile = reverse("motor:profile", args=[session.public_id])
    for page in (reverse("motor:index"), grid_url(session)):
        links = _links(client_for("hanne").get(page).content.decode(), session)
        assert f"{profile}#dialogues" in links
        assert reverse("motor:dialogue_new", args=[session.public_id]) not in links


@pytest.mark.parametrize("persona", ["pia", "astrid"])
def test_the_list_shows_only_sessions_in_scope(
    session: Session, client_for: ClientFor, persona: str
) -> None:
    response = client_for(persona).get(reverse("motor:index"))
    assert response.status_code == 200
    assert response.context["open_sessions"] == []
    assert "No open sessions" in response.content.decode()


@pytest.mark.parametrize("persona", ["lars", "rikke"])
def test_aggregate_readers_are_sent_to_the_trends(client_for: ClientFor, persona: str) -> None:
    response = client_for(persona).get(reverse("motor:index"))
    assert response.status_code == 302
    assert response["Location"] == reverse("motor:trends")


@pytest.mark.parametrize("persona", ["otto", "tina", "carl"])
def test_the_list_is_forbidden_without_a_role_for_it(client_for: ClientFor, persona: str) -> None:
    assert client_for(persona).get(reverse("motor:index")).status_code == 403


# --- a new session -----------------------------------------------------------------------------


def session_form(world: World, **changes: Any) -> dict[str, Any]:
    data = {
        "institution": world.lindholm_daycare.pk,
        "group": GROUP,
        "held_on": SESSION_DAY.isoformat(),
        "version": "",
        "observers": [world.hanne.pk],
        "other_observers": "",
        "note": "",
    }
    data.update(changes)
    return data


def test_the_form_offers_the_daycares_groups_and_observers_in_scope(
    world: World, mellemgruppen: Group, client_for: ClientFor, motor4: Any
) -> None:
    response = client_for("hanne").get(reverse("motor:session_new"))
    assert response.status_code == 200
    form = response.context["form"]
    daycares = [label for value, label in form.fields["institution"].choices if value]
    assert daycares == ["Børnehaven Lindholm Å"]  # Aalborg's daycares only
    assert form.initial["institution"] == world.lindholm_daycare.pk
    assert form.initial["held_on"] == today()
    assert form.initial["version"] == motor4.pk
    assert form.initial["observers"] == [world.hanne.pk]
    observers = [label for _value, label in form.fields["observers"].choices]
    assert observers == ["Hanne Holm (Health visitor)", "Petra Poulsen (Pedagogue)"]
    assert form.group_suggestions == ["Mellemgruppen", "Storegruppen"]
    body = response.content.decode()
    assert "data-groups=" in body and "Mellemgruppen" in body
    assert '<datalist id="motor-groups">' in body


def test_a_pedagogue_is_offered_only_her_daycare(
    world: World, mellemgruppen: Group, client_for: ClientFor
) -> None:
    form = client_for("pia").get(reverse("motor:session_new")).context["form"]
    assert [label for value, label in form.fields["institution"].choices if value] == [
        "Børnehuset Troldhøj"
    ]
    assert [label for _v, label in form.fields["observers"].choices] == ["Pia Pedersen (Pedagogue)"]


def test_a_new_session_opens_the_grid(
    world: World, mellemgruppen: Group, client_for: ClientFor, motor4: Any
) -> None:
    data = session_form(
        world,
        version=motor4.pk,
        observers=[world.hanne.pk, mellemgruppen.petra.pk],
        other_observers="Vikar Vera",
        note="Outdoors, in the playground.",
    )
    response = client_for("hanne").post(reverse("motor:session_new"), data)
    created = Session.objects.get()
    assert response.status_code == 302
    assert response["Location"] == grid_url(created)
    assert (created.group, created.held_on, created.version, created.other_observers) == (
        GROUP,
        SESSION_DAY,
        motor4,
        "Vikar Vera",
    )
    assert set(created.observers.values_list("username", flat=True)) == {"hanne", "petra"}
    assert created.assessments.count() == 10


def test_a_future_date_is_refused_next_to_the_field(
    world: World, mellemgruppen: Group, client_for: ClientFor, motor4: Any
) -> None:
    tomorrow = (today() + dt.timedelta(days=1)).isoformat()
    response = client_for("hanne").post(
        reverse("motor:session_new"), session_form(world, version=motor4.pk, held_on=tomorrow)
    )
    assert response.status_code == 400
    with translation.override("en"):  # the request's middleware deactivated the fixture's English
        assert response.context["form"].errors == {
            "held_on": ["The session date cannot be in the future."]
        }
    assert not Session.objects.exists()


def test_the_services_errors_land_on_the_form(
    world: World, mellemgruppen: Group, client_for: ClientFor, motor4: Any
) -> None:
    response = client_for("hanne").post(
        reverse("motor:session_new"), session_form(world, version=motor4.pk, group="Vuggestuen")
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == ["group"]
    assert "No children of the instrument's ages are enrolled in Vuggestuen" in errors["group"][0]
    assert "No children of the instrument" in response.content.decode()


def test_an_observer_from_elsewhere_is_refused(
    world: World, mellemgruppen: Group, client_for: ClientFor, motor4: Any
) -> None:
    response = client_for("ada").post(
        reverse("motor:session_new"),
        session_form(world, version=motor4.pk, observers=[world.pia.pk]),
    )
    assert response.status_code == 400
    assert response.context["form"].errors["observers"] == [
        "Pia Pedersen cannot observe at Børnehaven Lindholm Å: only the daycare's pedagogues and "
        "the municipality's health visitors can."
    ]


def test_a_daycare_outside_scope_is_not_a_choice(
    world: World, mellemgruppen: Group, client_for: ClientFor, motor4: Any
) -> None:
    response = client_for("pia").post(
        reverse("motor:session_new"),
        session_form(world, version=motor4.pk, observers=[world.pia.pk]),
    )
    assert response.status_code == 400
    assert "institution" in response.context["form"].errors
    assert not Session.objects.exists()


@pytest.mark.parametrize("persona", ["lars", "rikke", "otto"])
def test_only_observers_open_a_session(client_for: ClientFor, persona: str) -> None:
    assert client_for(persona).get(reverse("motor:session_new")).status_code == 403


# --- the grid ----------------------------------------------------------------------------------


def test_the_grid_shows_the_children_and_items_and_logs_the_read(
    world: World, session: Session, mellemgruppen: Group, client_for: ClientFor
) -> None:
    alma = mellemgruppen.child("Alma")
    services.scores_save(
        by=world.hanne,
        session=session,
        cells=[Cell(alma.pk, code, "masters") for code in SIX]
        + [Cell(alma.pk, "joy", "often"), Cell(alma.pk, "kick", NOT_ASSESSED)],
    )
    response = client_for("hanne").get(grid_url(session))
    assert response.status_code == 200
    grid = response.context["grid"]
    assert [r.name for r in grid.rows] == [
        f"{n} L." for n in sorted(c.first_name for c in mellemgruppen.children)
    ]
    first = grid.rows[0]
    assert (first.name, first.age_text, first.level, first.level_label) == (
        "Alma L.",
        "4 y 8 m",  # born 10 January 2022, observed 6 October 2026
        Level.AGE_APPROPRIATE,
        "Age-appropriate motor skills",
    )
    assert first.detail == "0 remarks · 6 skills observed"
    assert [i.code for i in grid.items][-2:] == ["joy", "courage"]  # observations last
    assert grid.items[-2].starts_domain and grid.items[-2].observation
    assert (grid.scored, grid.present) == (1, 10)
    body = response.content.decode()
    # Alma's saved answers are checked radios; the cell names carry public ids, never CPR.
    assert f'name="c-{alma.public_id}-run" value="masters" checked' in body
    assert f'name="c-{alma.public_id}-kick" value="not_assessed" checked' in body
    assert f'name="c-{alma.public_id}-joy" value="often" checked' in body
    assert 'data-cells-url="' + cells_url(session) + '"' in body
    assert "Scores of Mellemgruppen" in body
    logged = AccessLog.objects.filter(user=world.hanne, view="motor_session")
    assert sorted(logged.values_list("child__first_name", flat=True)) == sorted(
        c.first_name for c in mellemgruppen.children
    )


def test_the_grid_offers_the_groups_other_children(
    session: Session, mellemgruppen: Group, client_for: ClientFor
) -> None:
    response = client_for("hanne").get(grid_url(session))
    assert [c.first_name for c in response.context["grid"].addable] == ["Karla"]
    assert "Add a child of the group" in response.content.decode()


@pytest.mark.parametrize("persona", ["astrid", "pia", "lars", "rikke", "otto"])
def test_others_get_404_for_the_grid_its_endpoints_and_the_assessment(
    world: World, session: Session, mellemgruppen: Group, client_for: ClientFor, persona: str
) -> None:
    client = client_for(persona)
    alma = mellemgruppen.child("Alma")
    assert client.get(grid_url(session)).status_code == 404
    response = post_json(
        client,
        cells_url(session),
        {"child": str(alma.public_id), "item": "run", "value": "masters"},
    )
    assert response.status_code == 404
    save = reverse("motor:session_save", args=[session.public_id])
    assert client.post(save, {"row": [str(alma.public_id)]}).status_code == 404
    assert client.get(assessment_url(session, alma)).status_code == 404
    assert client.post(reverse("motor:session_close", args=[session.public_id])).status_code == 404
    assert not Score.objects.exists()
    assert not AccessLog.objects.filter(user=world.persona(persona)).exists()
    assert Session.objects.get().is_open


# The query count: session, user and memberships (3) + the session + items + choices +
# assessments with children + scores + the group's other children + observers + the access-log
# insert + whether a dialogue is recorded + the footer's programme municipalities, however many
# children are on the list.
GRID_QUERIES = 3 + 10


@pytest.mark.parametrize("more", [0, 8], ids=["10 children", "18 children"])
def test_the_grid_takes_a_fixed_number_of_queries(
    world: World,
    mellemgruppen: Group,
    motor4: Any,
    client_for: ClientFor,
    django_assert_num_queries: DjangoAssertNumQueries,
    more: int,
) -> None:
    for n in range(more):
        child = children_services.child_register(
            cpr=synthetic_cpr(dt.date(2022, 5, 1 + n), 300 + n),
            first_name=f"Extra{n}",
            last_name="Lindholm",
            area=world.lindholm,
        )
        children_services.enrolment_start(
            child=child,
            institution=world.lindholm_daycare,
            valid_from=dt.date(2025, 8, 1),
            group=GROUP,
        )
    created = services.session_create(
        by=world.hanne,
        institution=world.lindholm_daycare,
        group=GROUP,
        held_on=SESSION_DAY,
        version=motor4,
    )
    children = [a.child_id for a in created.assessments.all()]
    services.scores_save(
        by=world.hanne,
        session=created,
        cells=[Cell(pk, code, "masters") for pk in children for code in SIX],
    )
    client = client_for("hanne")
    with django_assert_num_queries(GRID_QUERIES):
        response = client.get(grid_url(created))
    assert response.status_code == 200
    assert len(response.context["grid"].rows) == 10 + more


# --- the autosave endpoint ---------------------------------------------------------------------


def test_a_tap_saves_the_cell_and_answers_the_summary(
    world: World, session: Session, mellemgruppen: Group, client_for: ClientFor
) -> None:
    alma = mellemgruppen.child("Alma")
    services.scores_save(
        by=world.hanne, session=session, cells=[Cell(alma.pk, c, "masters") for c in SIX[:5]]
    )
    response = post_json(
        client_for(mellemgruppen.petra),
        cells_url(session),
        {"child": str(alma.public_id), "item": "beam", "value": "not_yet"},
    )
    assert response.status_code == 200
    assert response.json() == {
        "ok": True,
        "children": [
            {
                "child": str(alma.public_id),
                "present": True,
                "level": "few_signs",
                "level_label": "Few signs of challenged motor skills",
                "level_short": "Few signs",
                "detail": "1 remark · 6 skills observed",
                "remarks": 1.0,
                "assessed": 6,
            }
        ],
        "progress": {"scored": 1, "present": 10, "summarised": 1},
    }
    assert score(session, alma, "beam") == "not_yet"


def test_a_batch_of_cells_is_saved_at_once(
    session: Session, mellemgruppen: Group, client_for: ClientFor
) -> None:
    alma, bertram = mellemgruppen.child("Alma"), mellemgruppen.child("Bertram")
    response = post_json(
        client_for("hanne"),
        cells_url(session),
        {
            "cells": [
                {"child": str(alma.public_id), "item": "run", "value": "masters"},
                {"child": str(bertram.public_id), "item": "run", "value": NOT_ASSESSED},
            ]
        },
    )
    assert response.status_code == 200
    assert len(response.json()["children"]) == 2
    assert response.json()["progress"] == {"scored": 2, "present": 10, "summarised": 0}
    assert (score(session, alma, "run"), score(session, bertram, "run")) == (
        "masters",
        NOT_ASSESSED,
    )


def test_clearing_a_cell_removes_the_score(
    world: World, session: Session, mellemgruppen: Group, client_for: ClientFor
) -> None:
    alma = mellemgruppen.child("Alma")
    services.scores_save(by=world.hanne, session=session, cells=[Cell(alma.pk, "run", "masters")])
    response = post_json(
        client_for("hanne"),
        cells_url(session),
        {"child": str(alma.public_id), "item": "run", "value": ""},
    )
    assert response.status_code == 200
    assert response.json()["children"][0]["level_label"] == "Not scored yet"
    assert score(session, alma, "run") is None


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (
            {"item": "run", "value": "often"},
            "Cell 1: often is not an answer of the item Runs.",
        ),
        (
            {"item": "swim", "value": "masters"},
            "Cell 1: swim is not an item of this instrument version.",
        ),
        ({"item": "run"}, "Each change needs a child, an item and a value."),
        ({"item": "run", "value": 3}, "Each change needs a child, an item and a value."),
    ],
    ids=["outside-the-scale", "unknown-item", "no-value", "not-text"],
)
def test_a_bad_cell_answers_400_with_the_message(
    session: Session,
    mellemgruppen: Group,
    client_for: ClientFor,
    payload: dict[str, Any],
    message: str,
) -> None:
    payload = {"child": str(mellemgruppen.child("Alma").public_id), **payload}
    response = post_json(client_for("hanne"), cells_url(session), payload)
    assert response.status_code == 400
    assert response.json() == {"ok": False, "errors": [message]}
    assert not Score.objects.exists()


def test_a_child_not_on_the_list_answers_400(
    session: Session, mellemgruppen: Group, client_for: ClientFor
) -> None:
    response = post_json(
        client_for("hanne"),
        cells_url(session),
        {"child": str(mellemgruppen.older.public_id), "item": "run", "value": "masters"},
    )
    assert response.status_code == 400
    assert response.json()["errors"] == ["Cell 1: the child is not on this session's list."]


def test_a_batch_with_one_bad_cell_saves_none_through_the_endpoint(
    session: Session, mellemgruppen: Group, client_for: ClientFor
) -> None:
    alma = str(mellemgruppen.child("Alma").public_id)
    response = post_json(
        client_for("hanne"),
        cells_url(session),
        {
            "cells": [
                {"child": alma, "item": "run", "value": "masters"},
                {"child": alma, "item": "jump", "value": "brilliant"},
            ]
        },
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        "Cell 2: brilliant is not an answer of the item Jumps with both feet."
    ]
    assert not Score.objects.exists()


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"cells": []}'])
def test_unreadable_changes_answer_400(
    session: Session, client_for: ClientFor, body: bytes
) -> None:
    response = client_for("hanne").post(
        cells_url(session), data=body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["ok"] is False
    assert len(response.json()["errors"]) == 1


def test_the_endpoint_takes_posts_only(session: Session, client_for: ClientFor) -> None:
    assert client_for("hanne").get(cells_url(session)).status_code == 405


def test_marking_absent_through_the_endpoint_clears_the_scores(
    world: World, session: Session, mellemgruppen: Group, client_for: ClientFor
) -> None:
    alma = mellemgruppen.child("Alma")
    services.scores_save(by=world.hanne, session=session, cells=[Cell(alma.pk, "run", "masters")])
    client = client_for("hanne")
    response = post_json(
        client, cells_url(session), {"child": str(alma.public_id), "present": False}
    )
    assert response.status_code == 200
    assert response.json()["children"][0] | {"detail": ""} == {
        "child": str(alma.public_id),
        "present": False,
        "level": "",
        "level_label": "Absent",
        "level_short": "Absent",
        "detail": "",
        "remarks": None,
        "assessed": 0,
    }
    assert response.json()["progress"] == {"scored": 0, "present": 9, "summarised": 0}
    assert score(session, alma, "run") is None
    response = post_json(
        client,
        cells_url(session),
        {"child": str(alma.public_id), "item": "run", "value": "masters"},
    )
    assert response.status_code == 400
    assert response.json()["errors"] == ["Cell 1: Alma is marked absent, so has no scores."]
    response = post_json(
        client, cells_url(session), {"child": str(alma.public_id), "present": "no"}
    )
    assert response.status_code == 400
    assert response.json()["errors"] == ["Say whether the child is present or absent."]


def test_a_closed_session_refuses_changes(
    world: World, session: Session, mellemgruppen: Group, client_for: ClientFor
) -> None:
    services.session_close(by=world.hanne, session=session, accept_few_observations=True)
    alma = mellemgruppen.child("Alma")
    response = post_json(
        client_for("hanne"),
        cells_url(session),
        {"child": str(alma.public_id), "item": "run", "value": "masters"},
    )
    assert response.status_code == 400
    assert response.json()["errors"] == ["This session is closed; it can no longer be changed."]
    assert not Score.objects.exists()


# --- the grid without script -------------------------------------------------------------------


def plain_form(session: Session, mellemgruppen: Group, **cells: str) -> dict[str, Any]:
    """What the grid's form posts: every row, present boxes, every cell's checked radio."""
    data: dict[str, Any] = {"row": []}
    for assessment in session.assessments.select_related("child"):
        pid = str(assessment.child.public_id)
        data["row"].append(pid)
        if assessment.present:
            data[f"present-{pid}"] = "1"
        for code in [*SIX, "joy"]:
            data[f"c-{pid}-{code}"] = ""
    for key, value in cells.items():
        name, code = key.split("__")
        data[f"c-{mellemgruppen.child(name).public_id}-{code}"] = value
    return data


def test_the_plain_form_saves_everything(
    session: Session, mellemgruppen: Group, client_for: ClientFor
) -> None:
    data = plain_form(session, mellemgruppen, Alma__run="masters", Clara__joy="often")
    bertram = str(mellemgruppen.child("Bertram").public_id)
    del data[f"present-{bertram}"]
    response = client_for("hanne").post(
        reverse("motor:session_save", args=[session.public_id]), data
    )
    assert response.status_code == 302
    assert response["Location"] == grid_url(session)
    assert score(session, mellemgruppen.child("Alma"), "run") == "masters"
    assert score(session, mellemgruppen.child("Clara"), "joy") == "often"
    assert not Assessment.objects.get(session=session, child__public_id=bertram).present
    assert Score.objects.count() == 2


def test_the_plain_form_saves_all_or_nothing(
    session: Session, mellemgruppen: Group, client_for: ClientFor
) -> None:
    data = plain_form(session, mellemgruppen, Alma__run="masters", Clara__jump="brilliant")
    bertram = str(mellemgruppen.child("Bertram").public_id)
    del data[f"present-{bertram}"]
    response = client_for("hanne").post(
        reverse("motor:session_save", args=[session.public_id]), data
    )
    assert response.status_code == 400
    assert response.context["errors"] == [
        "Cell 2: brilliant is not an answer of the item Jumps with both feet."
    ]
    assert not Score.objects.exists()
    assert Assessment.objects.get(session=session, child__public_id=bertram).present
    # The page shows what was posted, so nothing typed is lost.
    body = response.content.decode()
    alma = mellemgruppen.child("Alma").public_id
    assert f'name="c-{alma}-run" value="masters" checked' in body
    assert "Nothing was saved" in body


# --- adding a child, closing, reopening --------------------------------------------------------


def test_a_child_of_the_group_is_added_from_the_grid(
    session: Session, mellemgruppen: Group, client_for: ClientFor
) -> None:
    client = client_for("hanne")
    url = reverse("motor:session_add_child", args=[session.public_id])
    response = client.post(url, {"child": str(mellemgruppen.older.public_id)})
    assert response.status_code == 302
    assert session.assessments.filter(child=mellemgruppen.older).exists()
    # A child of another group is not a choice.
    client.post(url, {"child": str(mellemgruppen.elsewhere.public_id)})
    assert not session.assessments.filter(child=mellemgruppen.elsewhere).exists()


def test_closing_makes_the_grid_read_only(
    session: Session, mellemgruppen: Group, client_for: ClientFor
) -> None:
    client = client_for(mellemgruppen.petra)
    response = client.post(
        reverse("motor:session_close", args=[session.public_id]),
        {"accept_few_observations": "1"},
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert not session.is_open and session.closed_by == mellemgruppen.petra
    response = client.get(grid_url(session))
    body = response.content.decode()
    assert "This session is closed; the grid is read-only." in body
    assert response.context["can_edit"] is False
    assert "data-grid" not in body.replace("data-grid-status", "")
    assert 'type="radio"' in body and body.count(" disabled") >= 10 * 14
    assert reverse("motor:session_reopen", args=[session.public_id]) not in body


def test_closing_with_too_few_observations_asks_with_the_numbers(
    world: World, session: Session, mellemgruppen: Group, client_for: ClientFor
) -> None:
    three = [mellemgruppen.child(name).pk for name in ("Alma", "Bertram", "Clara")]
    services.scores_save(
        by=world.hanne,
        session=session,
        cells=[Cell(pk, item, "masters") for pk in three for item in SIX],
    )
    client = client_for("hanne")
    grid = client.get(grid_url(session)).content.decode()
    assert "3</strong> of <strong data-progress-present>10</strong> children present" in grid
    url = reverse("motor:session_close", args=[session.public_id])
    response = client.post(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert (
        "3 of 10 children present have enough observations to get a summary; close anyway?" in body
    )
    assert 'name="accept_few_observations" value="1"' in body
    session.refresh_from_db()
    assert session.is_open
    assert client.post(url, {"accept_few_observations": "1"}).status_code == 302
    session.refresh_from_db()
    assert not session.is_open


def test_a_session_with_enough_summaries_closes_at_once(
    world: World, session: Session, mellemgruppen: Group, client_for: ClientFor
) -> None:
    services.scores_save(
        by=world.hanne,
        session=session,
        cells=[Cell(c.pk, item, "masters") for c in mellemgruppen.children for item in SIX],
    )
    response = client_for("hanne").post(reverse("motor:session_close", args=[session.public_id]))
    assert response.status_code == 302
    session.refresh_from_db()
    assert not session.is_open


def test_only_an_administrator_reopens_from_the_grid(
    world: World, session: Session, client_for: ClientFor
) -> None:
    services.session_close(by=world.hanne, session=session, accept_few_observations=True)
    url = reverse("motor:session_reopen", args=[session.public_id])
    assert client_for("hanne").post(url).status_code == 403
    admin = client_for("ada")
    assert url in admin.get(grid_url(session)).content.decode()
    assert admin.post(url).status_code == 302
    session.refresh_from_db()
    assert session.is_open


# --- one child's assessment --------------------------------------------------------------------


def test_the_assessment_page_explains_the_summary_and_logs_the_read(
    world: World, session: Session, mellemgruppen: Group, client_for: ClientFor
) -> None:
    alma = mellemgruppen.child("Alma")
    services.scores_save(
        by=world.hanne,
        session=session,
        cells=[Cell(alma.pk, c, "masters") for c in SIX[:5]]
        + [Cell(alma.pk, "beam", "on_its_way")],
    )
    response = client_for("hanne").get(assessment_url(session, alma))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Age-appropriate motor skills" in body
    assert "0,5 remarks" in body or "0.5 remarks" in body
    assert "1 or more remarks: few signs of challenged motor skills; 3 or more" in body
    assert "at least 6 skill items observed" in body
    assert "On its way" in body
    assert response.context["can_decide"] is True
    assert 'name="follow_up"' in body
    assert (
        AccessLog.objects.filter(user=world.hanne, child=alma, view="motor_assessment").count() == 1
    )


def test_in_danish_the_items_area_is_a_motor_area_not_a_local_area(
    world: World, session: Session, mellemgruppen: Group, client_for: ClientFor
) -> None:
    client = client_for("hanne")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "da"
    body = client.get(assessment_url(session, mellemgruppen.child("Alma"))).content.decode()
    assert '<th scope="col">Område</th>' in body
    assert "Lokalområde" not in body
    assert "Boldfærdigheder" in body  # the column's values: the motor domains


def test_the_health_visitor_decides_the_follow_up(
    session: Session, mellemgruppen: Group, client_for: ClientFor, world: World
) -> None:
    alma = mellemgruppen.child("Alma")
    url = assessment_url(session, alma)
    response = client_for("hanne").post(
        url,
        {
            "follow_up": "on",
            "follow_up_note": "Talk with the parents at pick-up.",
            "lock_version": 1,
        },
    )
    assert response.status_code == 302 and response["Location"] == url
    decided = Assessment.objects.get(session=session, child=alma)
    assert (decided.follow_up, decided.follow_up_note, decided.follow_up_by) == (
        True,
        "Talk with the parents at pick-up.",
        world.hanne,
    )


def test_a_pedagogue_reads_the_decision_but_cannot_make_it(
    world: World, session: Session, mellemgruppen: Group, client_for: ClientFor
) -> None:
    alma = mellemgruppen.child("Alma")
    services.follow_up_decide(
        by=world.hanne,
        assessment=Assessment.objects.get(session=session, child=alma),
        follow_up=True,
        note="Watch the balance.",
    )
    client = client_for(mellemgruppen.petra)
    response = client.get(assessment_url(session, alma))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'name="follow_up"' not in body
    assert "Yes: talk with the parents" in body and "Watch the balance." in body
    assert client.post(assessment_url(session, alma), {"follow_up": ""}).status_code == 403
    assert Assessment.objects.get(session=session, child=alma).follow_up is True


def test_an_absent_childs_follow_up_is_refused_on_the_form(
    world: World, session: Session, mellemgruppen: Group, client_for: ClientFor
) -> None:
    ida = mellemgruppen.child("Ida")
    services.assessment_set_present(by=world.hanne, session=session, child_id=ida.pk, present=False)
    response = client_for("hanne").post(
        assessment_url(session, ida), {"follow_up": "on", "lock_version": 1}
    )
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [
        "An absent child was not observed; record a follow-up later."
    ]


def test_the_childs_other_assessments_are_listed(
    world: World, session: Session, mellemgruppen: Group, client_for: ClientFor, motor4: Any
) -> None:
    earlier = services.session_create(
        by=world.hanne,
        institution=world.lindholm_daycare,
        group=GROUP,
        held_on=SESSION_DAY - dt.timedelta(days=30),
        version=motor4,
    )
    alma = mellemgruppen.child("Alma")
    response = client_for("hanne").get(assessment_url(session, alma))
    others = response.context["detail"].earlier
    assert [a.session_id for a in others] == [earlier.pk]
    assert assessment_url(earlier, alma) in response.content.decode()
