"""The reachable area: polygons around the reached network, cut edges, the data edge."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from borneliv.nearby import reach
from borneliv.nearby.engine import networks, read_extract
from borneliv.nearby.network import build
from borneliv.nearby.reach import OutsideDataError
from borneliv.nearby.tests.synthetic import OSTERBRO, at, grid, map_data
from borneliv.nearby.types import MapData, Reach

#: Klostervængets Skole (its gate on Klostervænget) and a spot on the lawns of Fælledparken
#: between Festpladsen and the picnic place, some 400 m from every edge of the Østerbro core.
SCHOOL = (55.7052, 12.5583)
PARK = (55.7045, 12.5650)


@pytest.fixture(scope="module")
def osterbro() -> MapData:
    return read_extract(OSTERBRO)


def _shape(area: Reach) -> shapely.Geometry:
    return shapely.MultiPolygon(
        [shapely.Polygon(polygon[0], polygon[1:]) for polygon in area.polygons]
    )


def test_the_area_contains_the_start_and_every_reached_node() -> None:
    data = grid(size=5, spacing_m=120.0)
    walk = build(data, "walk")
    lat, lon = at(10.0, 25.0)  # beside the grid's south-west corner, off the street
    trip = reach.travel(walk, lat, lon, speed_kmh=4.5, minutes=5)
    area = reach.area(trip)
    shape = _shape(area)
    assert shape.contains(shapely.Point(lon, lat))
    reached = trip.reached
    assert area.reached_nodes == int(reached.sum()) > 3
    assert bool(shapely.contains_xy(shape, walk.lon[reached], walk.lat[reached]).all())
    assert not area.touches_edge
    assert [len(polygon) for polygon in area.polygons] == [1]  # one outline, the blocks filled


def test_a_partly_reached_street_is_cut_at_the_remaining_distance() -> None:
    points = {i: (100.0 * i, 0.0) for i in range(11)}  # a kilometre of street
    data = map_data(points, [(list(points), {"highway": "residential"})])
    walk = build(data, "walk")
    lat, lon = at(0.0, 0.0)
    area = reach.reach(walk, data, lat, lon, speed_kmh=6.0, minutes=3.5)  # 350 m
    shape = _shape(area)
    _, _, east, _ = shape.bounds
    reached_east_m = (east - lon) * 111_320 * np.cos(np.radians(lat))
    assert reached_east_m == pytest.approx(350 + reach.BUFFER_M["walk"], abs=6)
    assert area.reached_nodes == 4  # 0, 100, 200, 300 m


def test_a_one_way_street_shapes_the_bike_area() -> None:
    points = {i: (100.0 * i, 0.0) for i in range(-5, 6)}
    ways = [(list(points), {"highway": "residential", "oneway": "yes"})]  # west → east only
    data = map_data(points, ways)
    lat, lon = at(0.0, 0.0)
    bike = reach.reach(build(data, "bike"), data, lat, lon, speed_kmh=15, minutes=1)
    walk = reach.reach(build(data, "walk"), data, lat, lon, speed_kmh=15, minutes=1)
    west_bike, _, east_bike, _ = _shape(bike).bounds
    west_walk, _, _, _ = _shape(walk).bounds
    assert lon - west_bike < 0.001  # only the buffer west of the start
    assert east_bike - lon > 0.003  # 250 m east
    assert lon - west_walk > 0.003  # the walker goes both ways


def test_reaching_an_edge_node_touches_the_edge() -> None:
    points = {i: (100.0 * i, 0.0) for i in range(6)}
    data = map_data(points, [(list(points), {"highway": "residential"})], edge=[5])
    walk = build(data, "walk")
    lat, lon = at(0.0, 0.0)
    assert not reach.reach(walk, data, lat, lon, speed_kmh=6, minutes=4).touches_edge  # 400 m
    assert reach.reach(walk, data, lat, lon, speed_kmh=6, minutes=6).touches_edge  # 600 m


def test_a_ten_minute_ride_from_klostervaengets_skole_runs_into_the_data_edge(
    osterbro: MapData,
) -> None:
    _, bike = networks(osterbro)
    area = reach.reach(bike, osterbro, *SCHOOL, speed_kmh=15, minutes=10)
    assert area.touches_edge


def test_a_ten_minute_ride_from_faelledparken_runs_into_the_data_edge(osterbro: MapData) -> None:
    _, bike = networks(osterbro)
    assert reach.reach(bike, osterbro, *PARK, speed_kmh=15, minutes=10).touches_edge


def test_a_three_minute_walk_in_faelledparken_stays_inside_the_data(osterbro: MapData) -> None:
    walk, _ = networks(osterbro)
    area = reach.reach(walk, osterbro, *PARK, speed_kmh=4.5, minutes=3)
    assert not area.touches_edge
    assert area.reached_nodes > 20
    assert _shape(area).contains(shapely.Point(PARK[1], PARK[0]))


def test_a_point_far_from_the_data_is_refused(osterbro: MapData) -> None:
    walk, _ = networks(osterbro)
    with pytest.raises(OutsideDataError, match="outside the data"):
        reach.travel(walk, 55.80, 12.56, speed_kmh=4.5, minutes=15)


def test_the_access_to_the_network_is_paid_from_the_budget() -> None:
    points = {i: (100.0 * i, 0.0) for i in range(11)}
    data = map_data(points, [(list(points), {"highway": "residential"})])
    walk = build(data, "walk")
    lat, lon = at(0.0, 100.0)  # 100 m north of the street's start
    trip = reach.travel(walk, lat, lon, speed_kmh=6.0, minutes=5)  # 500 m
    assert trip.snap_m == pytest.approx(100.0, rel=3e-3)
    assert trip.budget_m == pytest.approx(500.0 - trip.snap_m)
