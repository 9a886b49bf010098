"""The Nærhedscirkel's services: computing a circle, merging re-imported data into the staff's
curation, own places, settings, the public token, and who may do what."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from borneliv.accounts.actors import SYSTEM
from borneliv.nearby import services, storage, types
from borneliv.nearby.models import Circle, CirclePlace
from borneliv.nearby.services import KnownPlace, merge_places
from borneliv.nearby.tests.conftest import TROLDHOJ_SPOT, Osterbro, fresh, modified_extract
from borneliv.organisations.models import Goal

FESTPLADSEN = "osm:way/361383054"
DANSEPLADSEN = "osm:way/361383053"
TRAFIKLEGEPLADSEN = "osm:way/26794168"
FAELLEDPARKEN = "osm:way/218537939"
PLAYGROUND_BY_SERRIDSLEVVEJ = "osm:way/358313407"  # no name in the map data
SERRIDSLEVVEJ = 2057992


def _place(circle: Circle, key: str) -> CirclePlace:
    return CirclePlace.objects.get(circle=circle, osm_key=key)


# --- the first computation ---------------------------------------------------------------------


def test_the_first_computation_finds_the_places_with_minutes_and_marks_nothing(
    osterbro: Osterbro,
) -> None:
    circle = osterbro.troldhoj_circle
    places = list(circle.places.all())
    assert len(places) == 16
    assert {p.source for p in places} == {"osm"}
    assert {p.change for p in places} == {""}
    assert not any(p.included for p in places)
    park = _place(circle, FAELLEDPARKEN)
    assert park.osm_name == "Fælledparken" and park.category == "park"
    assert park.walk_minutes is not None and 0 < park.walk_minutes <= 15
    assert park.bike_minutes is not None and park.bike_minutes < park.walk_minutes
    # Unnamed candidates: no name in the map data, one made of their kind and the nearest named
    # street instead, in the reader's language; no two alike.
    unnamed = circle.places.filter(osm_name="")
    assert unnamed.count() >= 5
    assert all(" near " in p.name for p in unnamed)  # the tests read English
    assert len({p.name for p in unnamed}) == unnamed.count()
    playground = _place(circle, PLAYGROUND_BY_SERRIDSLEVVEJ)
    assert (playground.made_name, playground.made_name_en) == (
        "Legeplads ved Serridslevvej",
        "Playground near Serridslevvej",
    )
    assert playground.name == "Playground near Serridslevvej"
    with translation.override("da"):
        assert playground.name == "Legeplads ved Serridslevvej"
    assert circle.last_changes["first"] is True
    assert circle.extract == osterbro.frederikssund_extract
    assert circle.walk_area is not None and circle.walk_area["type"] == "MultiPolygon"
    assert circle.bike_area is not None


def test_the_circle_notices_that_the_data_edge_cuts_it(osterbro: Osterbro) -> None:
    circle = osterbro.troldhoj_circle
    assert circle.bike_touches_edge
    assert circle.cut_by_edge
    assert circle.last_changes["cut_by_edge"] is True


def test_the_stored_computation_reads_back_as_the_engines_circle(osterbro: Osterbro) -> None:
    computed = storage.circle_read(osterbro.troldhoj_circle.computed_file)
    assert isinstance(computed, types.Circle)
    assert len(computed.places) == 16
    assert computed.basemap.streets and computed.basemap.buildings


def test_a_circle_needs_an_extract_of_its_municipality(osterbro: Osterbro) -> None:
    world = osterbro.world
    with pytest.raises(ValidationError) as refused:
        services.circle_compute(institution=world.albertslund_daycare, by=world.ada)
    assert refused.value.messages == [
        "No map data has been imported for Albertslund yet. Import an OpenStreetMap extract on "
        "the page “Import map data”."
    ]
    assert not Circle.objects.filter(institution=world.albertslund_daycare).exists()


def test_an_institution_outside_the_data_is_refused(osterbro: Osterbro) -> None:
    world = osterbro.world
    # Aalborg's school is still in Aalborg, far from the Østerbro data imported for Aalborg.
    with pytest.raises(ValidationError) as for_ada:
        services.circle_compute(institution=world.gl_lindholm_skole, by=world.ada)
    with pytest.raises(ValidationError) as for_tina:  # a teacher there
        services.circle_compute(institution=world.gl_lindholm_skole, by=world.tina)

    assert for_ada.value.messages == [
        "Gl. Lindholm Skole lies outside the imported map data. Import an extract that covers it "
        "(dk_copenhagen_osterbro_2017.osm.pbf does not)."
    ]
    # Staff are told whom to ask, never about files on the server.
    assert for_tina.value.messages == [
        "Gl. Lindholm Skole lies outside the imported map data. Ask your administrator to import "
        "map data that cover it."
    ]


def test_a_health_visiting_unit_gets_no_circle(osterbro: Osterbro) -> None:
    world = osterbro.world
    with pytest.raises(PermissionDenied):
        services.circle_compute(institution=world.frederikssund_health, by=world.ada)
    with pytest.raises(ValidationError, match="daycares and schools"):
        services.circle_compute(institution=world.frederikssund_health, by=SYSTEM)


def test_missing_stored_data_asks_for_a_new_import(
    osterbro: Osterbro, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The module's stored files are shared by its tests: pretend this one is gone.
    monkeypatch.setattr(osterbro.frederikssund_extract, "stored_file", "extracts/missing.pickle.z")
    monkeypatch.setattr(
        services, "latest_extract", lambda municipality_id: osterbro.frederikssund_extract
    )
    with pytest.raises(ValidationError) as for_pia:
        services.circle_compute(institution=osterbro.troldhoj, by=osterbro.world.pia)
    with pytest.raises(ValidationError) as for_ada:
        services.circle_compute(institution=osterbro.troldhoj, by=osterbro.world.ada)

    assert for_pia.value.messages == [
        "The map data cannot be read at the moment. Ask your administrator to import them again."
    ]
    assert for_ada.value.messages == [
        "The stored map data of dk_copenhagen_osterbro_2017.osm.pbf is missing on the server; "
        "import the extract again."
    ]


# --- who may change it ---------------------------------------------------------------------------


def test_pia_curates_her_own_daycare_only(osterbro: Osterbro) -> None:
    world = osterbro.world
    place = _place(osterbro.troldhoj_circle, FAELLEDPARKEN)
    services.place_curate(by=world.pia, place=place, included=True)
    other = _place(osterbro.lindholm_circle, FAELLEDPARKEN)
    with pytest.raises(PermissionDenied):
        services.place_curate(by=world.pia, place=other, included=True)
    with pytest.raises(PermissionDenied):
        services.circle_compute(institution=osterbro.lindholm, by=world.pia)
    assert not fresh(other).included


def test_the_project_leader_reads_but_does_not_curate(osterbro: Osterbro) -> None:
    world = osterbro.world
    lars = world.lars
    assert lars.has_perm("nearby.view_circle", osterbro.lindholm)
    assert not lars.has_perm("nearby.change_circle", osterbro.lindholm)
    assert not lars.has_perm("nearby.view_circle", osterbro.troldhoj)  # Frederikssund
    with pytest.raises(PermissionDenied):
        services.token_rotate(by=lars, circle=osterbro.lindholm_circle)
    for persona in ("otto", "hanne", "rikke", "carl"):
        assert not world.persona(persona).has_perm("nearby.view_circle", osterbro.troldhoj)


# --- curation -----------------------------------------------------------------------------------


def test_curating_a_place_keeps_the_name_description_and_goals(osterbro: Osterbro) -> None:
    world = osterbro.world
    place = _place(osterbro.troldhoj_circle, FESTPLADSEN)
    play = Goal.objects.get(code="play")
    services.place_curate(
        by=world.pia,
        place=place,
        included=True,
        display_name="  Den store   plads ",
        description="Her kan vi danse og løbe om kap",
        goals=[play],
    )
    place = fresh(place)
    assert place.included
    assert place.display_name == "Den store plads"
    assert place.name == "Den store plads"
    assert place.osm_name == "Festpladsen"
    assert list(place.goals.values_list("code", flat=True)) == ["play"]
    assert place.history.count() >= 1


def test_a_name_equal_to_the_map_data_is_not_stored_twice(osterbro: Osterbro) -> None:
    place = _place(osterbro.troldhoj_circle, FESTPLADSEN)
    services.place_curate(
        by=osterbro.world.pia, place=place, included=True, display_name="Festpladsen"
    )
    assert fresh(place).display_name == ""


def test_the_list_puts_exactly_the_ticked_places_on_the_circle(osterbro: Osterbro) -> None:
    circle = osterbro.troldhoj_circle
    ids = list(circle.places.order_by("pk").values_list("pk", flat=True)[:3])
    assert services.places_include(by=osterbro.world.pia, circle=circle, included_ids=ids) == 3
    assert set(circle.places.filter(included=True).values_list("pk", flat=True)) == set(ids)
    assert services.places_include(by=osterbro.world.pia, circle=circle, included_ids=ids[:1]) == 2
    stranger = osterbro.lindholm_circle.places.first()
    assert stranger is not None
    with pytest.raises(ValidationError):
        services.places_include(by=osterbro.world.pia, circle=circle, included_ids=[stranger.pk])


def test_an_own_place_goes_on_the_circle_with_minutes(osterbro: Osterbro) -> None:
    circle = osterbro.troldhoj_circle
    place = services.place_add_own(
        by=osterbro.world.pia,
        circle=circle,
        latitude=TROLDHOJ_SPOT[0] - 0.0015,
        longitude=TROLDHOJ_SPOT[1] - 0.0010,
        name="Bageren på hjørnet",
        description="Bageren viser os ovnen",
    )
    assert place.is_own and place.included and place.category == "own"
    assert place.osm_key == ""
    # About 180 m away: a few minutes on foot, faster by bike.
    assert place.walk_minutes is not None and 1 <= place.walk_minutes <= 6
    assert place.bike_minutes is not None and place.bike_minutes < place.walk_minutes


def test_an_own_place_needs_a_name_and_a_spot_near_the_institution(osterbro: Osterbro) -> None:
    circle = osterbro.troldhoj_circle
    with pytest.raises(ValidationError) as error:
        services.place_add_own(
            by=osterbro.world.pia, circle=circle, latitude=56.5, longitude=10.0, name=" "
        )
    assert set(error.value.message_dict) == {"name", "latitude"}
    assert not circle.places.filter(source="own").exists()


def test_places_found_in_the_data_are_not_removed_but_taken_off(osterbro: Osterbro) -> None:
    place = _place(osterbro.troldhoj_circle, FESTPLADSEN)
    with pytest.raises(ValidationError, match="taken off the circle"):
        services.place_remove(by=osterbro.world.pia, place=place)


def test_rotating_the_token_gives_a_new_link(osterbro: Osterbro) -> None:
    circle = osterbro.troldhoj_circle
    old = circle.public_token
    rotated = services.token_rotate(by=osterbro.world.pia, circle=circle)
    assert rotated.public_token != old and len(rotated.public_token) >= 32
    assert rotated.token_rotated_at is not None
    assert not Circle.objects.filter(public_token=old).exists()


# --- merging a re-import --------------------------------------------------------------------------


def _known(
    pk: int,
    key: str,
    name: str,
    lat: float,
    lon: float,
    category: str = "playground",
    change: str = "",
) -> KnownPlace:
    return KnownPlace(
        pk=pk, osm_key=key, name=name, category=category, lat=lat, lon=lon, change=change
    )


def _found(
    key: str, name: str, lat: float, lon: float, category: str = "playground", named: bool = True
) -> types.Place:
    osm_type, osm_id = key.removeprefix("osm:").split("/")
    return types.Place(
        key=key, osm_type=osm_type, osm_id=int(osm_id), category=category, name=name,
        lat=lat, lon=lon, walk_minutes=5.0, bike_minutes=2.0, named=named,
    )  # fmt: skip


def test_merge_matches_by_osm_id_first_even_when_renamed() -> None:
    plan = merge_places(
        [_known(1, "osm:way/1", "Legepladsen", 55.70, 12.56)],
        [_found("osm:way/1", "Den nye legeplads", 55.70, 12.56)],
        still_in_data=set(),
    )
    assert [(m.pk, m.place.key, m.details) for m in plan.matched] == [(1, "osm:way/1", ["name"])]
    assert plan.new == [] and plan.gone == []


def test_merge_matches_a_new_id_by_name_and_position_within_50_metres() -> None:
    plan = merge_places(
        [
            _known(1, "osm:way/1", "Festpladsen", 55.70000, 12.56000),
            _known(2, "osm:way/2", "Boldbanen", 55.70000, 12.57000),
        ],
        [
            _found("osm:way/11", "festpladsen ", 55.70030, 12.56000),  # ~33 m north
            _found("osm:way/12", "Boldbanen", 55.70100, 12.57000),  # ~111 m: another place
        ],
        still_in_data={"osm:way/2"},
    )
    assert [(m.pk, m.place.key, m.details) for m in plan.matched] == [
        (1, "osm:way/11", ["osm_id", "moved"])
    ]
    assert [p.key for p in plan.new] == ["osm:way/12"]
    assert plan.gone == [(2, ["out_of_reach"])]


def test_merge_matches_nameless_places_by_category_close_by() -> None:
    plan = merge_places(
        [_known(1, "osm:node/1", "", 55.70000, 12.56000)],
        [
            _found("osm:node/2", "Legeplads", 55.70010, 12.56000, named=False),  # ~11 m
            _found("osm:node/3", "Boldbane", 55.70000, 12.56001, category="sports", named=False),
        ],
        still_in_data=set(),
    )
    assert [(m.pk, m.place.key, m.details) for m in plan.matched] == [(1, "osm:node/2", ["osm_id"])]
    assert [p.key for p in plan.new] == ["osm:node/3"]


def test_merge_marks_a_gone_place_found_again() -> None:
    plan = merge_places(
        [_known(1, "osm:way/1", "Festpladsen", 55.7, 12.56, change="gone")],
        [_found("osm:way/1", "Festpladsen", 55.7, 12.56)],
        still_in_data=set(),
    )
    assert plan.matched[0].details == ["back"]


def test_a_reimport_keeps_the_curation_and_shows_what_changed(
    osterbro: Osterbro, tmp_path: Path
) -> None:
    world = osterbro.world
    circle = osterbro.troldhoj_circle
    play = Goal.objects.get(code="play")
    fest = _place(circle, FESTPLADSEN)
    services.place_curate(
        by=world.pia, place=fest, included=True, display_name="Den store plads",
        description="Her danser vi", goals=[play],
    )  # fmt: skip
    danse = _place(circle, DANSEPLADSEN)
    services.place_curate(by=world.pia, place=danse, included=True, description="Scenen")
    own = services.place_add_own(
        by=world.pia, circle=circle, latitude=55.7070, longitude=12.5680, name="Bænken"
    )
    newer = modified_extract(
        tmp_path / "osterbro-newer.osm.pbf",
        renumber={361383054: 9_361_383_054},  # Festpladsen gets a new id
        rename={26794168: "Trafiklegepladsen i Fælledparken"},
        remove={361383053},  # Dansepladsen is gone
        add_nodes=[
            (9_900_000_001, 55.7065, 12.5685, {"leisure": "playground", "name": "Nyt Legested"})
        ],
    )
    result = services.extract_import(by=world.ada, municipality=world.frederikssund, path=newer)
    ((institution, summary),) = result.recomputed
    assert institution == osterbro.troldhoj
    assert (summary.first, summary.new, summary.changed, summary.gone) == (False, 1, 2, 1)

    fest = fresh(fest)
    assert fest.osm_key == "osm:way/9361383054"
    assert (fest.change, fest.change_details) == ("changed", ["osm_id"])
    assert fest.included and fest.display_name == "Den store plads"
    assert fest.description == "Her danser vi" and list(fest.goals.all()) == [play]

    traffic = _place(circle, TRAFIKLEGEPLADSEN)
    assert (traffic.change, traffic.change_details) == ("changed", ["name"])
    assert traffic.osm_name == "Trafiklegepladsen i Fælledparken"

    danse = fresh(danse)
    assert danse.change == "gone" and danse.change_details == ["not_in_data"]
    assert danse.included and danse.description == "Scenen"  # kept until the staff remove it
    assert danse.walk_minutes is None

    new = _place(circle, "osm:node/9900000001")
    assert new.change == "new" and not new.included

    own = fresh(own)
    assert own.is_own and own.included and own.change == ""
    assert fresh(circle).extract == result.extract
    assert fresh(circle).last_changes["gone"] == 1

    # The staff remove the gone place; it stays away at the next computation.
    services.place_remove(by=world.pia, place=danse)
    services.circle_compute(institution=osterbro.troldhoj, by=world.pia)
    assert not CirclePlace.objects.filter(pk=danse.pk).exists()
    assert fresh(fest).change == "" and fresh(fest).included


def test_a_made_name_follows_the_map_data_without_counting_as_a_change(
    osterbro: Osterbro, tmp_path: Path
) -> None:
    world = osterbro.world
    playground = _place(osterbro.troldhoj_circle, PLAYGROUND_BY_SERRIDSLEVVEJ)
    services.place_curate(by=world.pia, place=playground, included=True, description="Gyngerne")
    newer = modified_extract(tmp_path / "renamed.osm.pbf", rename={SERRIDSLEVVEJ: "Nyvej"})

    result = services.extract_import(by=world.ada, municipality=world.frederikssund, path=newer)

    ((_institution, summary),) = result.recomputed
    playground = fresh(playground)
    assert playground.made_name == "Legeplads ved Nyvej"
    assert (playground.change, playground.change_details) == ("", [])
    assert playground.included and playground.description == "Gyngerne"
    assert summary.changed == 0


def test_shorter_limits_leave_far_places_out_of_reach_with_their_curation(
    osterbro: Osterbro,
) -> None:
    world = osterbro.world
    circle = osterbro.troldhoj_circle
    museum = _place(circle, "osm:way/25657488")  # Zoologisk Museum, ~13 min on foot
    services.place_curate(by=world.pia, place=museum, included=True, description="Dyrene!")
    summary = services.circle_update_settings(
        by=world.pia, institution=osterbro.troldhoj, walk_kmh=4.0, bike_kmh=12.0,
        walk_minutes=5, bike_minutes=2,
    )  # fmt: skip
    assert summary is not None and summary.gone > 0
    museum = fresh(museum)
    assert museum.change == "gone" and museum.change_details == ["out_of_reach"]
    assert museum.included and museum.description == "Dyrene!"
    circle = fresh(circle)
    assert (circle.walk_minutes, circle.bike_minutes, circle.walk_kmh) == (5, 2, 4.0)
    # Back to the defaults: the museum is found again.
    services.circle_update_settings(
        by=world.pia, institution=osterbro.troldhoj, walk_kmh=4.5, bike_kmh=15.0,
        walk_minutes=15, bike_minutes=10,
    )  # fmt: skip
    museum = fresh(museum)
    assert museum.change == "changed" and museum.change_details == ["back"]


def test_settings_out_of_range_are_refused(osterbro: Osterbro) -> None:
    with pytest.raises(ValidationError):
        services.circle_update_settings(
            by=osterbro.world.pia, institution=osterbro.troldhoj, walk_kmh=50, bike_kmh=15,
            walk_minutes=15, bike_minutes=10,
        )  # fmt: skip
    assert fresh(osterbro.troldhoj_circle).walk_kmh == 4.5
