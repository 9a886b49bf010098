"""Two people managing one account at once: the second stale form is refused, not applied.

The account's and the role's pages, and the admin's change forms, carry the version they showed
(``lib.versioning``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from borneliv.accounts.models import Membership, Role, User
from borneliv.testing import World
from borneliv.testing_versions import admin_change_data

pytestmark = pytest.mark.django_db

ClientFor = Callable[[str | User], Client]


def english(client: Client) -> Client:
    client.cookies["django_language"] = "en"
    return client


def loaded(client: Client, url: str) -> dict[str, Any]:
    form = client.get(url).context["form"]
    data: dict[str, Any] = {}
    for name in form.fields:
        value = form[name].value()
        if value is not None:
            data[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return data


def test_the_second_of_two_stale_account_forms_is_refused(
    client_for: ClientFor, world: World
) -> None:
    url = f"/users/{world.carl.pk}/edit/"
    lars, ada = client_for("lars"), english(client_for("ada"))
    lars_form, adas = loaded(lars, url), loaded(ada, url)
    assert lars.post(url, {**lars_form, "email": "carl@lindholm-if.dk"}).status_code == 302
    response = ada.post(url, {**adas, "first_name": "Carl Emil"})
    assert response.status_code == 400
    assert "Changed by Lars Larsen at" in response.content.decode()
    rows = [(r.label, r.theirs, r.yours) for r in response.context["form"].conflict.rows]
    assert ("E-mail", "carl@lindholm-if.dk", "carl@example.org") in rows
    world.carl.refresh_from_db()
    assert (world.carl.first_name, world.carl.email) == ("Carl", "carl@lindholm-if.dk")


def test_the_second_of_two_stale_role_periods_is_refused(
    client_for: ClientFor, world: World
) -> None:
    membership = Membership.objects.get(user=world.carl, role=Role.CLUB_CONTACT)
    url = f"/roles/{membership.pk}/"
    lars, ada = client_for("lars"), english(client_for("ada"))
    lars_form, adas = loaded(lars, url), loaded(ada, url)
    assert lars.post(url, {**lars_form, "valid_to": "2026-12-31"}).status_code == 302
    response = ada.post(url, {**adas, "valid_to": "2026-06-30"})
    assert response.status_code == 400
    assert "Changed by Lars Larsen at" in response.content.decode()
    membership.refresh_from_db()
    assert str(membership.valid_to) == "2026-12-31"


def test_the_admin_refuses_the_second_of_two_stale_account_forms(
    client_for: ClientFor, world: World
) -> None:
    url = f"/admin/accounts/user/{world.tina.pk}/change/"
    first, second = client_for("ada"), english(client_for("ada"))
    ones, twos = admin_change_data(first.get(url)), admin_change_data(second.get(url))
    assert first.post(url, {**ones, "last_name": "Thomsen-Berg"}).status_code == 302
    response = second.post(url, {**twos, "email": "tina@skole.dk"})
    assert response.status_code == 200
    assert "Changed by Ada Adamsen at" in response.content.decode()
    world.tina.refresh_from_db()
    assert (world.tina.last_name, world.tina.email) == ("Thomsen-Berg", "tina@example.org")
