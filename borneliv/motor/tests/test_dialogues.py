"""The dialogue about a group profile: the form, bad input, scope, the follow-up on the landing
page, and marking it as held."""

from __future__ import annotations

import datetime as dt

import pytest

from borneliv.accounts import landing
from borneliv.accounts.models import today
from borneliv.motor import services
from borneliv.motor.models import Dialogue, InstrumentVersion, Session
from borneliv.motor.profile import landing_panel
from borneliv.motor.tests.conftest import Group
from borneliv.motor.tests.profile_fixtures import MELLEMGRUPPEN, M, other_group, score, uniform
from borneliv.organisations.models import Goal
from borneliv.testing import World


@pytest.fixture
def scored(world: World, session: Session, mellemgruppen: Group) -> Session:
    score(world.hanne, session, [c.pk for c in mellemgruppen.children], MELLEMGRUPPEN)
    return session


def _new_url(session: Session) -> str:
    return f"/motor/sessions/{session.public_id}/dialogue/new/"


def _form(world: World, mellemgruppen: Group, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "held_on": (today() - dt.timedelta(days=2)).isoformat(),
        "participants": [world.hanne.pk, mellemgruppen.petra.pk],
        "other_participants": "Dorte (leder)",
        "strengths": "Balance og at bevæge sig.",
        "focus": "Boldlege hver dag i to måneder.",
        "goals": [Goal.objects.get(code="play").pk],
        "follow_up_on": today().isoformat(),
    }
    data.update(changes)
    return data


def _record(world: World, session: Session, **changes: object) -> Dialogue:
    values: dict = {
        "by": world.hanne,
        "session": session,
        "held_on": today() - dt.timedelta(days=2),
        "strengths": "Balance.",
        "focus": "Boldlege.",
        "follow_up_on": today(),
    }
    values.update(changes)
    return services.dialogue_record(**values)


# --- the form ---------------------------------------------------------------------------------


def test_the_form_starts_from_the_profiles_words(
    client_for, scored: Session, mellemgruppen: Group
) -> None:
    response = client_for(mellemgruppen.petra).get(_new_url(scored))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["strengths"].splitlines()[1] == (
        "Balance: 90 % mastery; 8 of 10 children master all of it."
    )
    assert "5 of 10 children do not yet master “Catches”" in form.initial["focus"]
    assert "2 of 10 children have challenges with their motor skills" in form.initial["focus"]
    assert form.initial["held_on"] == today()
    assert 'style="' not in response.content.decode()


def test_participants_are_the_municipalitys_health_visitors_and_the_daycares_pedagogues(
    client_for, world: World, scored: Session, mellemgruppen: Group
) -> None:
    form = client_for("hanne").get(_new_url(scored)).context["form"]
    choices = set(form.fields["participants"].queryset)
    assert {world.hanne, mellemgruppen.petra} <= choices
    assert not {world.astrid, world.pia, world.lars, world.tina} & choices


def test_it_records_the_dialogue_and_shows_it_on_the_profile(
    client_for, world: World, scored: Session, mellemgruppen: Group
) -> None:
    client = client_for(mellemgruppen.petra)
    response = client.post(_new_url(scored), _form(world, mellemgruppen))
    assert response.status_code == 302
    assert response["Location"] == f"/motor/sessions/{scored.public_id}/profile/#dialogues"
    dialogue = Dialogue.objects.get(session=scored)
    assert dialogue.created_by == mellemgruppen.petra
    assert set(dialogue.participants.all()) == {world.hanne, mellemgruppen.petra}
    assert [g.code for g in dialogue.goals.all()] == ["play"]
    assert dialogue.follow_up_on == today() and dialogue.other_participants == "Dorte (leder)"
    html = client.get(f"/motor/sessions/{scored.public_id}/profile/").content.decode()
    assert "Boldlege hver dag i to måneder." in html
    assert f"/motor/dialogues/{dialogue.public_id}/done/" in html


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"follow_up_on": (today() - dt.timedelta(days=5)).isoformat()},
            "follow_up_on",
            "The follow-up cannot come before the dialogue.",
        ),
        (
            {"held_on": (today() + dt.timedelta(days=1)).isoformat(), "follow_up_on": ""},
            "held_on",
            "The dialogue date cannot be in the future.",
        ),
        (
            {"held_on": "2026-10-01"},
            "held_on",
            "The dialogue cannot come before the session it discusses.",
        ),
        ({"strengths": "  "}, "strengths", "This field is required."),
        ({"held_on": "next tuesday"}, "held_on", "Enter a valid date."),
    ],
)
def test_bad_input_is_refused_next_to_the_field(
    client_for,
    world: World,
    scored: Session,
    mellemgruppen: Group,
    changes: dict,
    field: str,
    message: str,
) -> None:
    response = client_for("hanne").post(_new_url(scored), _form(world, mellemgruppen, **changes))
    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    # The message, in the page's language, inside the field's own block.
    html = response.content.decode()
    field_block = html.split(f'for="id_{field}"')[1].split('class="field')[0]
    assert message in field_block
    assert not Dialogue.objects.exists()


def test_a_participant_from_elsewhere_is_refused(
    client_for, world: World, scored: Session, mellemgruppen: Group
) -> None:
    response = client_for("hanne").post(
        _new_url(scored), _form(world, mellemgruppen, participants=[world.astrid.pk])
    )
    assert "participants" in response.context["form"].errors
    assert not Dialogue.objects.exists()


def test_it_changes_a_dialogue(
    client_for, world: World, scored: Session, mellemgruppen: Group
) -> None:
    dialogue = _record(world, scored)
    url = f"/motor/dialogues/{dialogue.public_id}/edit/"
    client = client_for(mellemgruppen.petra)
    assert client.get(url).context["form"].initial["focus"] == "Boldlege."
    response = client.post(
        url,
        _form(world, mellemgruppen, focus="Kaste og gribe.", goals=[], lock_version=1),
    )
    assert response.status_code == 302
    dialogue.refresh_from_db()
    assert dialogue.focus == "Kaste og gribe." and not dialogue.goals.exists()


def test_a_change_with_bad_dates_is_refused(
    client_for, world: World, scored: Session, mellemgruppen: Group
) -> None:
    dialogue = _record(world, scored)
    response = client_for("hanne").post(
        f"/motor/dialogues/{dialogue.public_id}/edit/",
        _form(
            world, mellemgruppen, follow_up_on="2026-10-02", held_on="2026-10-10", lock_version=1
        ),
    )
    assert response.context["form"].errors["follow_up_on"] == [
        "The follow-up cannot come before the dialogue."
    ]
    dialogue.refresh_from_db()
    assert dialogue.follow_up_on == today()


@pytest.mark.parametrize("persona", ["astrid", "pia", "lars", "rikke", "otto"])
def test_outside_scope_the_dialogue_pages_are_not_found(
    client_for, world: World, scored: Session, persona: str
) -> None:
    dialogue = _record(world, scored)
    client = client_for(persona)
    assert client.get(_new_url(scored)).status_code == 404
    assert client.get(f"/motor/dialogues/{dialogue.public_id}/edit/").status_code == 404
    assert client.post(f"/motor/dialogues/{dialogue.public_id}/done/").status_code == 404
    dialogue.refresh_from_db()
    assert dialogue.follow_up_done_on is None


# --- marking the follow-up as held --------------------------------------------------------------


def test_marking_the_follow_up_as_held(
    client_for, world: World, scored: Session, mellemgruppen: Group
) -> None:
    dialogue = _record(world, scored)
    url = f"/motor/dialogues/{dialogue.public_id}/done/"
    client = client_for(mellemgruppen.petra)
    assert client.get(url).status_code == 405
    response = client.post(url, {"next": "/", "note": "Boldlegene kører."})
    assert response.status_code == 302 and response["Location"] == "/"
    dialogue.refresh_from_db()
    assert dialogue.follow_up_done_on == today()
    assert dialogue.follow_up_note == "Boldlegene kører."


def test_it_never_redirects_to_another_site(client_for, world: World, scored: Session) -> None:
    dialogue = _record(world, scored)
    response = client_for("hanne").post(
        f"/motor/dialogues/{dialogue.public_id}/done/", {"next": "https://evil.example/"}
    )
    assert response["Location"] == f"/motor/sessions/{scored.public_id}/profile/#dialogues"


# --- the landing page ---------------------------------------------------------------------------


def test_the_motor_panel_is_registered_on_the_landing_page() -> None:
    assert landing_panel in landing._PANELS


def test_a_pedagogue_sees_her_due_follow_up_on_the_landing_page(
    client_for, world: World, scored: Session, mellemgruppen: Group
) -> None:
    dialogue = _record(world, scored, focus="Boldlege hver dag.")
    response = client_for(mellemgruppen.petra).get("/")
    html = response.content.decode()
    assert "Follow-ups from the motor dialogue" in html
    assert "Boldlege hver dag." in html
    assert f"/motor/dialogues/{dialogue.public_id}/done/" in html
    assert f"/motor/sessions/{scored.public_id}/profile/#dialogues" in html
    (panel,) = response.context["panels"]
    assert panel["context"]["due"] == [dialogue] and panel["context"]["upcoming"] == []


def test_upcoming_follow_ups_within_two_weeks_are_listed_apart(
    world: World, scored: Session, mellemgruppen: Group
) -> None:
    soon = _record(world, scored, follow_up_on=today() + dt.timedelta(days=14))
    _record(world, scored, follow_up_on=today() + dt.timedelta(days=15))
    _record(world, scored, follow_up_on=None)
    done = _record(world, scored, follow_up_on=today())
    services.dialogue_follow_up_done(by=world.hanne, dialogue=done, done_on=today())
    panel = landing_panel(mellemgruppen.petra)
    assert panel is not None
    assert panel["context"]["due"] == [] and panel["context"]["upcoming"] == [soon]


def test_another_daycares_follow_up_is_not_shown(
    client_for, world: World, scored: Session, motor4: InstrumentVersion
) -> None:
    troldhoj = other_group(
        by=world.ada,
        institution=world.troldhoj,
        area=world.slangerup,
        version=motor4,
        held_on=dt.date(2026, 9, 1),
        answers=uniform(M, 5),
    )
    _record(world, troldhoj, by=world.ada, focus="Troldhøjs fokus.")
    lindholm = _record(world, scored, focus="Lindholms fokus.")
    html = client_for("pia").get("/").content.decode()
    assert "Troldhøjs fokus." in html
    assert "Lindholms fokus." not in html
    assert f"/motor/dialogues/{lindholm.public_id}/done/" not in html


def test_without_follow_ups_there_is_no_panel(
    client_for, scored: Session, mellemgruppen: Group
) -> None:
    response = client_for(mellemgruppen.petra).get("/")
    assert response.context["panels"] == []
    assert "Follow-ups from the motor dialogue" not in response.content.decode()


@pytest.mark.parametrize("persona", ["lars", "ada", "tina"])
def test_others_get_no_motor_panel(world: World, scored: Session, persona: str) -> None:
    _record(world, scored)
    assert landing_panel(world.persona(persona)) is None
