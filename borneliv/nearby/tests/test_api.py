"""The Nærhedscirkel's API: circles scoped like the pages."""

from __future__ import annotations

from borneliv.nearby import services
from borneliv.nearby.models import CirclePlace
from borneliv.nearby.tests.conftest import ClientFor, Osterbro


def test_each_user_lists_the_circles_she_may_see(osterbro: Osterbro, client_for: ClientFor) -> None:
    def names(persona: str) -> list[str]:
        response = client_for(persona).get("/api/v1/nearby/circles")
        assert response.status_code == 200
        return [c["institution"] for c in response.json()["items"]]

    assert names("pia") == ["Børnehuset Troldhøj"]
    assert names("lars") == ["Børnehaven Lindholm Å"]
    assert names("ada") == ["Børnehaven Lindholm Å", "Børnehuset Troldhøj"]
    assert names("hanne") == [] and names("otto") == []


def test_a_circle_lists_its_places_and_choices(osterbro: Osterbro, client_for: ClientFor) -> None:
    park = CirclePlace.objects.get(circle=osterbro.troldhoj_circle, osm_key="osm:way/218537939")
    services.place_curate(
        by=osterbro.world.pia, place=park, included=True, description="Den store bakke"
    )
    response = client_for("pia").get(f"/api/v1/nearby/circles/{osterbro.troldhoj.pk}")
    assert response.status_code == 200
    data = response.json()
    assert (data["walk_minutes"], data["bike_minutes"], data["cut_by_edge"]) == (15, 10, True)
    assert data["places_included"] == 1
    assert len(data["places"]) == 16
    first = data["places"][0]
    assert first["name"] == "Fælledparken" and first["included"] is True
    assert first["description"] == "Den store bakke" and first["source"] == "osm"
    assert "public_token" not in data


def test_a_circle_outside_the_scope_is_not_found(osterbro: Osterbro, client_for: ClientFor) -> None:
    for persona, institution in [("pia", osterbro.lindholm), ("lars", osterbro.troldhoj)]:
        client = client_for(persona)
        assert client.get(f"/api/v1/nearby/circles/{institution.pk}").status_code == 404
        assert client.get(f"/api/v1/nearby/circles/{institution.pk}/geojson").status_code == 404


def test_the_geojson_of_the_api_has_no_base_map(osterbro: Osterbro, client_for: ClientFor) -> None:
    response = client_for("lars").get(f"/api/v1/nearby/circles/{osterbro.lindholm.pk}/geojson")
    assert response.status_code == 200
    layers = {f["properties"]["layer"] for f in response.json()["features"]}
    assert layers == {"walk_area", "bike_area", "place", "start"}
