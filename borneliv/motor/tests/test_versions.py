"""Lost updates in the motor assessment: two stale forms, and transitions made twice.

The dialogue and the follow-up decision carry the version they showed; the grid's form without
script carries the session's, which every grid write advances; closing, reopening and marking a
follow-up as held are checked under the row lock.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from borneliv.accounts.models import today
from borneliv.motor import services
from borneliv.motor.models import Assessment, Dialogue, Score, Session
from borneliv.motor.tests.conftest import SESSION_DAY, ClientFor, Group
from borneliv.testing import World

pytestmark = pytest.mark.django_db

SIX = ["run", "jump", "hop", "climb", "one_leg", "beam"]


def dialogue_of(world: World, session: Session) -> Dialogue:
    services.session_close(by=world.hanne, session=session, accept_few_observations=True)
    return services.dialogue_record(
        by=world.hanne,
        session=session,
        held_on=SESSION_DAY + dt.timedelta(days=1),
        strengths="Balance.",
        focus="Boldlege.",
        follow_up_on=today(),
    )


def loaded(client: Any, url: str) -> dict[str, Any]:
    """The form as the page rendered it (version included), ready to post back."""
    form = client.get(url).context["form"]
    data: dict[str, Any] = {}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        if isinstance(value, list):
            data[name] = [getattr(v, "pk", v) for v in value]
        elif isinstance(value, dt.date):
            data[name] = value.isoformat()
        else:
            data[name] = value
    return data


def test_the_second_of_two_stale_dialogue_forms_is_refused(
    world: World, session: Session, mellemgruppen: Group, client_for: ClientFor
) -> None:
    dialogue = dialogue_of(world, session)
    url = f"/motor/dialogues/{dialogue.public_id}/edit/"
    petra, hanne = client_for(mellemgruppen.petra), client_for("hanne")
    petras, hannes = loaded(petra, url), loaded(hanne, url)
    assert petras["lock_version"] == hannes["lock_version"] == 1

    assert petra.post(url, {**petras, "focus": "Kaste og gribe."}).status_code == 302
    response = hanne.post(url, {**hannes, "strengths": "Løb og balance."})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Changed by Petra Poulsen at" in html
    rows = [(r.label, r.theirs, r.yours) for r in response.context["form"].conflict.rows]
    assert ("Agreed pedagogical focus", "Kaste og gribe.", "Boldlege.") in rows
    assert ("What the group is good at", "Balance.", "Løb og balance.") in rows
    dialogue.refresh_from_db()
    assert (dialogue.focus, dialogue.strengths, dialogue.lock_version) == (
        "Kaste og gribe.",
        "Balance.",
        2,
    )


def test_the_second_of_two_stale_follow_up_decisions_is_refused(
    world: World, session: Session, mellemgruppen: Group, client_for: ClientFor
) -> None:
    alma = mellemgruppen.child("Alma")
    url = reverse("motor:assessment", args=[session.public_id, alma.public_id])
    first, second = client_for("hanne"), client_for("hanne")
    one, two = loaded(first, url), loaded(second, url)
    assert (
        first.post(url, {**one, "follow_up": "on", "follow_up_note": "Tal med far."}).status_code
        == 302
    )
    response = second.post(url, {**two, "follow_up_note": "Ingen opfølgning."})
    assert response.status_code == 400
    assert "Changed by Hanne Holm at" in response.content.decode()
    decided = Assessment.objects.get(session=session, child=alma)
    assert (decided.follow_up, decided.follow_up_note) == (True, "Tal med far.")


def test_the_grid_saved_meanwhile_refuses_a_stale_plain_form(
    world: World, session: Session, mellemgruppen: Group, client_for: ClientFor
) -> None:
    grid = reverse("motor:session", args=[session.public_id])
    alma, clara = mellemgruppen.child("Alma"), mellemgruppen.child("Clara")
    stale = client_for("hanne").get(grid).content.decode()
    assert f'name="lock_version" value="{session.lock_version}"' in stale
    # Petra taps a cell (autosave) after Hanne's page was loaded.
    tapped = client_for(mellemgruppen.petra).post(
        reverse("motor:session_cells", args=[session.public_id]),
        data=json.dumps({"child": str(alma.public_id), "item": "run", "value": "masters"}),
        content_type="application/json",
    )
    assert tapped.status_code == 200
    # Hanne's whole-grid form, which still shows Alma's cell empty, is refused.
    data: dict[str, Any] = {"row": [], "lock_version": 1}
    for assessment in session.assessments.select_related("child"):
        pid = str(assessment.child.public_id)
        data["row"].append(pid)
        data[f"present-{pid}"] = "1"
        for code in [*SIX, "joy"]:
            data[f"c-{pid}-{code}"] = ""
    data[f"c-{clara.public_id}-jump"] = "masters"
    response = client_for("hanne").post(
        reverse("motor:session_save", args=[session.public_id]), data
    )
    assert response.status_code == 409
    assert "Changed by Petra Poulsen at" in response.content.decode()
    assert list(
        Score.objects.values_list("assessment__child__first_name", "item__code", "value")
    ) == [("Alma", "run", "masters")]


def test_reopening_an_open_session_says_someone_did_it_first(
    world: World, session: Session
) -> None:
    services.session_close(by=world.hanne, session=session, accept_few_observations=True)
    stale = Session.objects.get(pk=session.pk)
    services.session_reopen(by=world.ada, session=session)
    with pytest.raises(ValidationError, match=r"The session is open already\. Changed by Ada"):
        services.session_reopen(by=world.ada, session=stale)


def test_closing_a_closed_session_is_refused(world: World, session: Session) -> None:
    stale = Session.objects.get(pk=session.pk)
    services.session_close(by=world.hanne, session=session, accept_few_observations=True)
    with pytest.raises(ValidationError, match="This session is closed"):
        services.session_close(by=world.hanne, session=stale, accept_few_observations=True)


def test_a_follow_up_marked_as_held_twice_is_refused(world: World, session: Session) -> None:
    dialogue = dialogue_of(world, session)
    stale = Dialogue.objects.get(pk=dialogue.pk)
    services.dialogue_follow_up_done(by=world.hanne, dialogue=dialogue, done_on=today())
    with pytest.raises(ValidationError, match="The follow-up was marked as held already"):
        services.dialogue_follow_up_done(by=world.hanne, dialogue=stale, done_on=today(), note="x")
    assert Dialogue.objects.get(pk=dialogue.pk).follow_up_note == ""
