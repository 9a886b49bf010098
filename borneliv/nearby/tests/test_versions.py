"""Two people curating one Nærhedscirkel: no change of one is silently lost.

A place's form and the settings carry the version they showed; the list of checkboxes changes
only the boxes the user ticked or unticked; renewing the public link twice is refused.
"""

from __future__ import annotations

from typing import Any

import pytest

from borneliv.nearby import services
from borneliv.nearby.models import Circle, CirclePlace
from borneliv.nearby.tests.conftest import ClientFor, Osterbro, fresh

pytestmark = pytest.mark.django_db

FESTPLADSEN = "osm:way/361383054"
FAELLEDPARKEN = "osm:way/218537939"


def url(osterbro: Osterbro, suffix: str = "") -> str:
    return f"/nearby/institutions/{osterbro.troldhoj.pk}/{suffix}"


def place(circle: Circle, key: str) -> CirclePlace:
    return CirclePlace.objects.get(circle=circle, osm_key=key)


def loaded(client: Any, address: str, form: str = "form") -> dict[str, Any]:
    bound = client.get(address).context[form]
    data: dict[str, Any] = {}
    for name in bound.fields:
        value = bound[name].value()
        if value is None:
            continue
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, list):
            data[name] = [getattr(v, "pk", v) for v in value]
        else:
            data[name] = value
    return data


def test_the_second_of_two_stale_place_forms_is_refused(
    osterbro: Osterbro, client_for: ClientFor
) -> None:
    festpladsen = place(osterbro.troldhoj_circle, FESTPLADSEN)
    address = url(osterbro, f"places/{festpladsen.pk}/")
    pia, ada = client_for("pia"), client_for("ada")
    pias, adas = loaded(pia, address), loaded(ada, address)
    assert pias["lock_version"] == adas["lock_version"] == festpladsen.lock_version

    assert pia.post(address, {**pias, "display_name": "Danseplænen"}).status_code == 302
    response = ada.post(address, {**adas, "description": "Her er der plads til at løbe"})

    assert response.status_code == 400
    assert "Changed by Pia Pedersen at" in response.content.decode()
    rows = [(r.label, r.theirs, r.yours) for r in response.context["form"].conflict.rows]
    assert ("Name on the circle", "Danseplænen", "—") in rows
    stored = fresh(festpladsen)
    assert (stored.display_name, stored.description) == ("Danseplænen", festpladsen.description)


def test_the_second_of_two_stale_settings_forms_is_refused(
    osterbro: Osterbro, client_for: ClientFor
) -> None:
    pia, ada = client_for("pia"), client_for("ada")
    pias = loaded(pia, url(osterbro), "settings_form")
    adas = loaded(ada, url(osterbro), "settings_form")
    assert pia.post(url(osterbro, "settings/"), {**pias, "walk_minutes": 10}).status_code == 302
    response = ada.post(url(osterbro, "settings/"), {**adas, "bike_minutes": 8})
    assert response.status_code == 400
    rows = [(r.label, r.theirs, r.yours) for r in response.context["settings_form"].conflict.rows]
    assert ("Walking limit (minutes)", "10", "15") in rows
    circle = fresh(osterbro.troldhoj_circle)
    assert (circle.walk_minutes, circle.bike_minutes) == (10, 10)


def test_a_stale_list_of_checkboxes_changes_only_the_boxes_its_user_changed(
    osterbro: Osterbro, client_for: ClientFor
) -> None:
    circle = osterbro.troldhoj_circle
    festpladsen, faelledparken = place(circle, FESTPLADSEN), place(circle, FAELLEDPARKEN)
    services.places_include(by=osterbro.world.pia, circle=circle, included_ids=[faelledparken.pk])
    shown = [faelledparken.pk]  # Ada's list is drawn now
    # Someone else puts Festpladsen on the circle after Ada's list was drawn.
    other = client_for("pia").post(
        url(osterbro, "places/"),
        {"listed": "1", "shown": shown, "included": [*shown, festpladsen.pk]},
    )
    assert other.status_code == 302
    # Ada, from her older list, takes Fælledparken off (and leaves Festpladsen unticked).
    client_for("ada").post(
        url(osterbro, "places/"),
        {"listed": "1", "shown": shown, "included": [pk for pk in shown if pk != faelledparken.pk]},
    )
    assert fresh(festpladsen).included  # Pia's tick survives Ada's stale list
    assert not fresh(faelledparken).included  # Ada's own untick counts


def test_renewing_the_public_link_twice_keeps_the_first_renewal(
    osterbro: Osterbro, client_for: ClientFor
) -> None:
    circle = osterbro.troldhoj_circle
    seen = circle.public_token
    first = client_for("pia").post(url(osterbro, "public-link/"), {"token": seen})
    assert first.status_code == 302
    renewed = fresh(circle).public_token
    assert renewed != seen
    second = client_for("ada").post(url(osterbro, "public-link/"), {"token": seen}, follow=True)
    assert "The link was renewed already" in second.content.decode()
    assert fresh(circle).public_token == renewed
