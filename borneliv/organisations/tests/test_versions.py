"""Lost updates in the registry: two people editing one record, on the page and in the admin.

Each editable record carries a ``lock_version``; a save from a form that showed an older version
is refused with who changed it and when, and their values beside the user's (``lib.versioning``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from borneliv.organisations import services
from borneliv.organisations.models import Area, Institution, Partner
from borneliv.testing import World
from borneliv.testing_versions import admin_change_data

pytestmark = pytest.mark.django_db

ClientFor = Callable[[str], Client]


def english(client: Client) -> Client:
    client.cookies["django_language"] = "en"
    return client


def edit_url(institution: Institution) -> str:
    return f"/institutions/{institution.pk}/edit/"


def loaded_form(client: Client, institution: Institution) -> dict[str, Any]:
    """The edit form as the page rendered it, version included."""
    form = client.get(edit_url(institution)).context["form"]
    return {name: form[name].value() for name in form.fields if form[name].value() is not None}


def test_the_second_of_two_stale_forms_is_refused_with_the_first_persons_version(
    world: World, client_for: ClientFor
) -> None:
    school = world.gl_lindholm_skole
    tina, lars = client_for("tina"), english(client_for("lars"))
    tinas, lars_form = loaded_form(tina, school), loaded_form(lars, school)
    assert tinas["lock_version"] == lars_form["lock_version"] == 1

    assert tina.post(edit_url(school), {**tinas, "street": "Lindholmsvej 65"}).status_code == 302
    response = lars.post(edit_url(school), {**lars_form, "city": "Nørresundby"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Changed by Tina Thomsen at" in html
    assert "Your changes were not saved, so as not to overwrite theirs." in html
    conflict = response.context["form"].conflict
    assert [(row.label, row.theirs, row.yours) for row in conflict.rows] == [
        ("Street address", "Lindholmsvej 65", "—"),
        ("Town", "—", "Nørresundby"),
    ]
    school.refresh_from_db()
    assert (school.street, school.city, school.lock_version) == ("Lindholmsvej 65", "", 2)
    # The form now carries Tina's version: saving again replaces it, knowingly.
    assert response.context["form"]["lock_version"].value() == "2"
    again = {**lars_form, "city": "Nørresundby", "lock_version": 2}
    assert lars.post(edit_url(school), again).status_code == 302
    school.refresh_from_db()
    assert (school.street, school.city, school.lock_version) == ("", "Nørresundby", 3)


def test_the_conflict_is_shown_in_danish_with_the_time(world: World, client_for: ClientFor) -> None:
    school = world.gl_lindholm_skole
    stale = loaded_form(client_for("lars"), school)
    services.institution_update(institution=school, version=1, city="Aalborg")
    response = client_for("lars").post(edit_url(school), {**stale, "city": "Nørresundby"})
    html = response.content.decode()
    assert "Ændret kl." in html
    assert "Dine ændringer blev ikke gemt" in html


def test_a_service_call_with_an_old_version_changes_nothing(world: World) -> None:
    partner = world.lindholm_if
    services.partner_update(partner=partner, version=1, contact_name="Carla")
    stale = Partner.objects.get(pk=partner.pk)
    stale.lock_version = 1
    from borneliv.lib.versioning import EditConflict

    with pytest.raises(EditConflict) as caught:
        services.partner_update(partner=stale, version=1, contact_name="Carl")
    current: Any = caught.value.current
    assert current.contact_name == "Carla"
    assert Partner.objects.get(pk=partner.pk).contact_name == "Carla"


@pytest.mark.parametrize(
    ("model", "attribute", "field", "first", "second"),
    [
        (Area, "lindholm", "description", "Nordlige del", "Sydlige del"),
        (Partner, "lindholm_if", "contact_name", "Carla", "Carl C."),
    ],
)
def test_the_admin_refuses_the_second_of_two_stale_change_forms(
    world: World,
    client_for: ClientFor,
    model: Any,
    attribute: str,
    field: str,
    first: str,
    second: str,
) -> None:
    record = getattr(world, attribute)
    url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/{record.pk}/change/"
    ada, lars = client_for("ada"), english(client_for("lars"))
    adas, lars_data = admin_change_data(ada.get(url)), admin_change_data(lars.get(url))
    assert adas["lock_version"] == lars_data["lock_version"] == "1"

    assert ada.post(url, {**adas, field: first}).status_code == 302
    response = lars.post(url, {**lars_data, field: second})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Changed by Ada Adamsen at" in html
    assert f"<td>{first}</td><td>{second}</td>" in html
    stored = model.objects.get(pk=record.pk)
    assert (getattr(stored, field), stored.lock_version) == (first, 2)
    # The change form now holds the stored version: saving again replaces it deliberately.
    again = admin_change_data(response)
    assert again["lock_version"] == "2"
    assert lars.post(url, {**again, field: second}).status_code == 302
    assert getattr(model.objects.get(pk=record.pk), field) == second
