"""Places: the category table, noise filtered, duplicates merged, minutes on foot and by bike."""

from __future__ import annotations

import pytest

from borneliv.nearby import places
from borneliv.nearby.engine import circle, read_extract
from borneliv.nearby.places import CATEGORIES, categorise
from borneliv.nearby.tests.synthetic import OSTERBRO, at, map_data
from borneliv.nearby.types import Feature, MapData, Settings


@pytest.mark.parametrize(
    ("tags", "area_m2", "expected"),
    [
        (
            {"leisure": "playground", "name": "Troldeskoven"},
            0,
            ("playground", "Troldeskoven", True),
        ),
        ({"leisure": "playground"}, 0, ("playground", "Legeplads", False)),
        ({"leisure": "playground", "access": "private"}, 0, None),
        ({"leisure": "swimming_pool", "access": "private", "name": "Villa"}, 0, None),
        ({"leisure": "swimming_pool"}, 40, None),  # a garden pool
        ({"leisure": "swimming_pool", "sport": "swimming"}, 400, ("swimming", "Svømmebad", False)),
        (
            {"leisure": "sports_centre", "sport": "swimming", "name": "Øbro-Hallen"},
            0,
            ("swimming", "Øbro-Hallen", True),
        ),
        ({"leisure": "fitness_centre", "name": "Fitness World"}, 0, None),
        ({"leisure": "sports_centre", "name": "SATS Østerbro"}, 0, None),
        ({"leisure": "sports_centre", "sport": "fitness", "name": "Sportscenter"}, 0, None),
        (
            {"leisure": "sports_centre", "name": "Østerbrohallen"},
            0,
            ("sports", "Østerbrohallen", True),
        ),
        ({"leisure": "pitch", "sport": "basketball"}, 420, None),  # a nameless small court
        ({"leisure": "pitch", "sport": "soccer"}, 6000, ("sports", "Boldbane", False)),
        ({"leisure": "park"}, 500, None),
        ({"leisure": "park"}, 5000, ("park", "Park", False)),
        ({"landuse": "forest"}, 50_000, ("nature", "Naturområde", False)),
        ({"natural": "water"}, 50_000, None),  # an unnamed pond is drawn, not listed
        ({"natural": "water", "name": "Sortedams Sø"}, 0, ("beach", "Sortedams Sø", True)),
        ({"natural": "water", "water": "river", "name": "Mølleåen"}, 0, None),
        ({"natural": "beach"}, 0, ("beach", "Strand", False)),
        (
            {"amenity": "library", "name": "Østerbro Bibliotek"},
            0,
            ("library", "Østerbro Bibliotek", True),
        ),
        ({"tourism": "zoo", "zoo": "petting_zoo"}, 0, ("farm", "Dyrepark", False)),
        ({"tourism": "zoo", "name": "Zoologisk Have"}, 0, ("farm", "Zoologisk Have", True)),
        ({"leisure": "picnic_table"}, 0, None),
        ({"tourism": "picnic_site"}, 0, ("picnic", "Picnicplads", False)),
        ({"leisure": "firepit"}, 0, ("picnic", "Bålplads", False)),
        ({"amenity": "shelter", "shelter_type": "lean_to"}, 0, ("picnic", "Shelter", False)),
        ({"tourism": "viewpoint"}, 0, ("viewpoint", "Udsigtspunkt", False)),
        (
            {"tourism": "museum", "name": "Zoologisk Museum"},
            0,
            ("culture", "Zoologisk Museum", True),
        ),
        ({"amenity": "theatre", "name": "Det Kongelige Teater"}, 0, None),
        ({"amenity": "theatre", "name": "Børneteatret"}, 0, ("culture", "Børneteatret", True)),
        ({"amenity": "fast_food", "name": "Figaros Pizza House"}, 0, None),
        ({"building": "yes", "name": "Hus"}, 0, None),
    ],
)
def test_categories_and_exclusions(
    tags: dict[str, str], area_m2: float, expected: tuple[str, str, bool] | None
) -> None:
    assert categorise(tags, area_m2) == expected


def test_the_table_codes_are_unique_and_labelled() -> None:
    codes = [c.code for c in CATEGORIES]
    assert len(codes) == len(set(codes)) == 11
    assert all(c.label_da and c.label_en for c in CATEGORIES)


def _square(east: float, north: float, side: float) -> list[tuple[float, float]]:
    corners = [(east, north), (east + side, north), (east + side, north + side),
               (east, north + side), (east, north)]  # fmt: skip
    return [(lon, lat) for lat, lon in (at(x, y) for x, y in corners)]


def _street_map(features: list[Feature]) -> MapData:
    points = {i: (100.0 * i, 0.0) for i in range(-20, 21)}
    return map_data(points, [(list(points), {"highway": "residential"})], features=features)


def _node(osm_id: int, east: float, north: float, **tags: str) -> Feature:
    lat, lon = at(east, north)
    return Feature("node", osm_id, dict(tags), lat, lon)


def test_a_node_inside_an_area_of_the_same_category_is_merged_into_it() -> None:
    lat, lon = at(325.0, 50.0)
    area = Feature("way", 7, {"leisure": "playground"}, lat, lon, 2500.0, _square(300, 25, 50))
    node = _node(8, 320.0, 40.0, leisure="playground", name="Snegleskoven")
    start = at(0.0, 0.0)
    found = circle(_street_map([area, node]), *start).places
    assert [(p.key, p.name, p.named) for p in found] == [("osm:way/7", "Snegleskoven", True)]


def test_same_name_and_category_close_together_is_one_place() -> None:
    features = [
        _node(1, 200.0, 20.0, leisure="firepit", name="Bålpladsen"),
        _node(2, 250.0, 20.0, leisure="firepit", name="bålpladsen"),
        _node(3, 900.0, 20.0, leisure="firepit", name="Bålpladsen"),  # another one
        _node(4, 220.0, 20.0, leisure="playground", name="Bålpladsen"),  # another category
    ]
    found = circle(_street_map(features), *at(0.0, 0.0)).places
    assert sorted(p.key for p in found) == ["osm:node/1", "osm:node/3", "osm:node/4"]


def test_minutes_are_network_time_plus_access_and_none_beyond_the_limit() -> None:
    features = [
        _node(1, 300.0, 30.0, leisure="playground"),  # 300 m along, 30 m off the street
        _node(2, 1500.0, 0.0, amenity="library", name="Biblioteket"),  # 1.5 km: bike only
        _node(3, 1950.0, 0.0, tourism="viewpoint", name="Udsigten"),
    ]
    settings = Settings(walk_kmh=6.0, bike_kmh=12.0, walk_minutes=10.0, bike_minutes=9.0)
    found = {p.osm_id: p for p in circle(_street_map(features), *at(0.0, 0.0), settings).places}
    assert found[1].walk_minutes == pytest.approx(3.3, abs=0.05)  # 330 m at 100 m/min
    assert found[1].bike_minutes == pytest.approx(1.6, abs=0.05)  # 330 m at 200 m/min
    assert found[2].walk_minutes is None
    assert found[2].bike_minutes == pytest.approx(7.5, abs=0.05)
    assert 3 not in found  # 9.75 minutes by bike: beyond 9


def test_a_big_area_is_reached_at_its_edge_not_its_middle() -> None:
    lat, lon = at(500.0, 550.0)
    park = Feature(
        "way", 5, {"leisure": "park", "name": "Engen"}, lat, lon, 1e6, _square(0, 50, 1000)
    )
    (found,) = circle(_street_map([park]), *at(500.0, 0.0)).places
    assert found.walk_minutes is not None and found.walk_minutes < 1.0  # 50 m to its edge


@pytest.fixture(scope="module")
def osterbro() -> MapData:
    return read_extract(OSTERBRO)


def test_the_places_near_klostervaengets_skole(osterbro: MapData) -> None:
    found = circle(osterbro, 55.7052, 12.5583).places
    by_name = {p.name: p for p in found}
    assert by_name["Trafiklegepladsen"].category == "playground"
    assert by_name["Fælledparken"].category == "park"
    assert by_name["Zoologisk Museum"].category == "culture"
    assert by_name["Sif Plads"].walk_minutes is not None
    walk = [p.walk_minutes for p in found if p.walk_minutes is not None]
    assert walk == sorted(walk)
    assert not any(p.tags.get("amenity") in ("fast_food", "cafe") for p in found)
    assert not any(p.tags.get("leisure") == "picnic_table" for p in found)
    # Fourteen unnamed pitches in Fælledparken: merged into a few "Boldbane".
    pitches = [p for p in found if p.name == "Boldbane"]
    assert 1 <= len(pitches) <= 4
    for place in found:
        assert place.bike_minutes is not None
        if place.walk_minutes is not None:
            assert place.bike_minutes <= place.walk_minutes


def test_the_catalogue_is_computed_once_per_map(osterbro: MapData) -> None:
    assert places.catalogue(osterbro) is places.catalogue(osterbro)
