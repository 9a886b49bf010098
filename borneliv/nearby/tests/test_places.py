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
    # Fourteen unnamed pitches in Fælledparken: merged into a few, each named for a parent.
    pitches = [p for p in found if p.category == "sports" and not p.named]
    assert 1 <= len(pitches) <= 4
    assert all(p.name.startswith("Boldbane ved ") for p in pitches)
    for place in found:
        assert place.bike_minutes is not None
        if place.walk_minutes is not None:
            assert place.bike_minutes <= place.walk_minutes


def test_the_catalogue_is_computed_once_per_map(osterbro: MapData) -> None:
    assert places.catalogue(osterbro) is places.catalogue(osterbro)


# --- names for the places OpenStreetMap leaves unnamed -------------------------------------------


def test_unnamed_places_on_osterbro_get_names_a_parent_can_find(osterbro: MapData) -> None:
    found = circle(osterbro, 55.7078, 12.5690).places
    unnamed = [p for p in found if not p.named]
    streets = {tags["name"] for tags in osterbro.way_tags if tags.get("name")}
    by_key = {p.key: p for p in found}

    assert len(unnamed) >= 8  # pitches, woods, parks, a playground, a picnic site
    names = [p.name for p in found]
    assert len(names) == len(set(names))  # no two places of the circle share a name
    kinds = {c.unnamed_da for c in CATEGORIES} | {r.unnamed_da for c in CATEGORIES for r in c.rules}
    for place in unnamed:
        what, _, near = place.name.partition(" ved ")
        assert what in kinds and near in streets, place.name
    playground = by_key["osm:way/358313407"]
    assert (playground.name, playground.name_en) == (
        "Legeplads ved Serridslevvej",
        "Playground near Serridslevvej",
    )
    assert by_key["osm:way/358313409"].name == "Boldbane ved Jagtvej"
    # A named place keeps its own name, in every language.
    assert (by_key["osm:way/218537939"].name, by_key["osm:way/218537939"].name_en) == (
        "Fælledparken",
        "",
    )


#: The nodes of the map's west side, from Langøgade to the street 600 m north of it.
WEST_SIDE = [-20, 201, 202, 203, 204, 205, 80]


def _named_street_map(features: list[Feature], *extra: tuple[list[int], dict[str, str]]) -> MapData:
    """A street along y = 0 named Langøgade, from x = -2000 to 2000 m, and ``extra`` ways."""
    points = {i: (100.0 * i, 0.0) for i in range(-20, 21)}
    points |= {100 + i: (100.0 * i, 600.0) for i in range(-20, 21)}
    points |= {200 + i: (-2000.0, 100.0 * i) for i in range(1, 6)}
    ways = [
        (list(range(-20, 21)), {"highway": "residential", "name": "Langøgade"}),
        (WEST_SIDE, {"highway": "service"}),
        ([100 + i for i in range(-20, 21)], {"highway": "service"}),
        *extra,
    ]
    return map_data(points, ways, features=features)


def test_an_unnamed_place_is_named_after_the_nearest_named_street() -> None:
    found = circle(
        _named_street_map([_node(1, 300.0, 40.0, leisure="playground")]), *at(0.0, 0.0)
    ).places

    assert [(p.name, p.name_en, p.named) for p in found] == [
        ("Legeplads ved Langøgade", "Playground near Langøgade", False)
    ]


def test_two_of_the_same_name_are_told_apart_by_direction() -> None:
    north_south = [
        _node(1, 300.0, 40.0, leisure="playground"),
        _node(2, 320.0, -60.0, leisure="playground"),
    ]
    west_east = [
        _node(3, -400.0, 30.0, leisure="firepit"),
        _node(4, 200.0, 35.0, leisure="firepit"),
    ]
    found = {
        p.osm_id: p
        for p in circle(_named_street_map([*north_south, *west_east]), *at(0.0, 0.0)).places
    }

    assert found[1].name == "Legeplads ved Langøgade (nord)"
    assert found[2].name == "Legeplads ved Langøgade (syd)"
    assert found[2].name_en == "Playground near Langøgade (south)"
    assert found[3].name == "Bålplads ved Langøgade (vest)"
    assert found[4].name == "Bålplads ved Langøgade (øst)"


def test_three_or_more_take_their_direction_from_the_groups_middle() -> None:
    features = [
        _node(1, 0.0, 80.0, leisure="playground"),
        _node(2, 150.0, -40.0, leisure="playground"),
        _node(3, -150.0, -40.0, leisure="playground"),
    ]
    found = {p.osm_id: p.name for p in circle(_named_street_map(features), *at(0.0, 1.0)).places}

    assert found == {
        1: "Legeplads ved Langøgade (nord)",
        2: "Legeplads ved Langøgade (øst)",  # four quarters tell them apart: no finer words
        3: "Legeplads ved Langøgade (vest)",
    }


def test_places_no_direction_tells_apart_are_numbered_from_north_to_south() -> None:
    # In a row, 110 m apart (closer ones would be merged into one place): the middle one lies
    # on the group's middle, so no direction tells them apart.
    features = [
        _node(1, 300.0, 20.0, leisure="playground"),
        _node(2, 300.0, 240.0, leisure="playground"),
        _node(3, 300.0, 130.0, leisure="playground"),
    ]
    found = {p.osm_id: p for p in circle(_named_street_map(features), *at(0.0, 0.0)).places}

    assert [found[n].name for n in (2, 3, 1)] == [
        "Legeplads ved Langøgade (1)",
        "Legeplads ved Langøgade (2)",
        "Legeplads ved Langøgade (3)",
    ]
    assert found[3].name_en == "Playground near Langøgade (2)"


def test_a_named_street_is_preferred_to_a_nearer_named_path() -> None:
    path = ([100 + i for i in range(-20, 21)], {"highway": "footway", "name": "Søstien"})
    features = [_node(1, 300.0, 150.0, leisure="playground")]  # 150 m from Langøgade
    found = circle(_named_street_map(features, path), *at(0.0, 0.0)).places

    assert [p.name for p in found] == ["Legeplads ved Langøgade"]


def test_without_a_named_street_near_a_named_path_then_a_named_place_names_it() -> None:
    path = (WEST_SIDE, {"highway": "footway", "name": "Søstien"})
    lat, lon = at(-1600.0, 400.0)
    park = Feature(
        "way", 9, {"leisure": "park", "name": "Kildeparken"}, lat, lon, 40_000.0,
        _square(-1700, 300, 200),
    )  # fmt: skip
    features = [
        park,
        _node(1, -1950.0, 300.0, leisure="playground"),  # 300 m from Langøgade, 50 from Søstien
        _node(2, -1400.0, 400.0, tourism="picnic_site"),  # 100 m east of the park, far from both
    ]
    data = _named_street_map(features, path)
    found = {p.osm_id: p for p in circle(data, *at(-2000.0, 0.0)).places}

    assert found[1].name == "Legeplads ved Søstien"
    assert (found[2].name, found[2].name_en) == (
        "Picnicplads ved Kildeparken",
        "Picnic site near Kildeparken",
    )


def test_a_place_inside_a_named_area_far_from_named_ways_is_named_in_it() -> None:
    lat, lon = at(0.0, 1500.0)
    park = Feature(
        "way",
        9,
        {"leisure": "park", "name": "Kildeparken"},
        lat,
        lon,
        1e6,
        _square(-500, 1000, 1000),
    )
    points = {1: (0.0, 0.0), 2: (0.0, 1500.0), 3: (100.0, 1500.0)}
    ways = [([1, 2, 3], {"highway": "service"})]
    features = [park, _node(5, 50.0, 1510.0, leisure="playground")]
    found = {
        p.osm_id: p
        for p in circle(map_data(points, ways, features=features), *at(0.0, 1400.0)).places
    }

    assert found[5].name == "Legeplads i Kildeparken"
    assert found[5].name_en == "Playground in Kildeparken"


def test_with_nothing_named_near_the_kind_remains_and_is_told_apart() -> None:
    points = {i: (100.0 * i, 0.0) for i in range(-20, 21)}
    data = map_data(
        points,
        [(list(points), {"highway": "residential"})],
        features=[
            _node(1, 300.0, 40.0, leisure="playground"),
            _node(2, -300.0, 40.0, leisure="playground"),
        ],
    )
    found = {p.osm_id: p for p in circle(data, *at(0.0, 0.0)).places}

    assert (found[1].name, found[2].name) == ("Legeplads (øst)", "Legeplads (vest)")
    assert (found[1].name_en, found[2].name_en) == ("Playground (east)", "Playground (west)")


@pytest.mark.parametrize(
    ("xy", "expected"),
    [
        ([(0, 0), (0, 100)], [4, 0]),  # the second lies north
        ([(0, 0), (100, 20)], [6, 2]),
        ([(0, 0), (3, 3)], None),
        ([(0, 100), (100, 0), (0, -100), (-100, 0)], [0, 2, 4, 6]),
        ([(0, 100), (70, 70), (100, 0), (0, -100), (-100, 0)], [0, 1, 2, 4, 6]),
        ([(0, 100), (5, 100), (0, -100)], None),  # two in the same eighth
    ],
)
def test_directions(xy: list[tuple[float, float]], expected: list[int] | None) -> None:
    import numpy as np

    assert places.directions(np.array(xy, dtype=float)) == expected
