"""Walking and cycling networks: Danish access rules, one-way streets, graph distances."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from borneliv.nearby import network, reach
from borneliv.nearby.network import bike_direction, bikeable, build, walkable
from borneliv.nearby.tests.synthetic import at, grid, map_data


@pytest.mark.parametrize(
    ("tags", "walk", "bike"),
    [
        ({"highway": "footway"}, True, False),
        ({"highway": "footway", "bicycle": "yes"}, True, True),
        ({"highway": "footway", "bicycle": "designated"}, True, True),
        ({"highway": "pedestrian"}, True, False),
        ({"highway": "cycleway"}, True, True),
        ({"highway": "cycleway", "foot": "no"}, False, True),
        ({"highway": "path"}, True, True),
        ({"highway": "path", "bicycle": "no"}, True, False),
        ({"highway": "track"}, True, True),
        ({"highway": "steps"}, True, False),
        ({"highway": "steps", "bicycle": "yes"}, True, False),
        ({"highway": "living_street"}, True, True),
        ({"highway": "residential"}, True, True),
        ({"highway": "primary"}, True, True),
        ({"highway": "primary", "foot": "no", "bicycle": "no"}, False, False),
        ({"highway": "motorway"}, False, False),
        ({"highway": "motorway", "foot": "yes"}, False, False),
        ({"highway": "trunk"}, False, False),
        ({"highway": "secondary", "motorroad": "yes"}, False, False),
        ({"highway": "construction"}, False, False),
        ({"highway": "proposed"}, False, False),
        ({"highway": "service", "access": "private"}, False, False),
        ({"highway": "service", "access": "no", "foot": "yes"}, True, False),
        ({"highway": "track", "access": "private", "bicycle": "permissive"}, False, True),
        ({"highway": "cycleway", "bicycle": "dismount"}, True, False),
        ({"highway": "bridleway"}, False, False),
        ({"building": "yes"}, False, False),
    ],
)
def test_access_rules(tags: dict[str, str], walk: bool, bike: bool) -> None:
    assert (walkable(tags), bikeable(tags)) == (walk, bike)


@pytest.mark.parametrize(
    ("tags", "direction"),
    [
        ({"highway": "residential"}, 0),
        ({"highway": "residential", "oneway": "yes"}, 1),
        ({"highway": "residential", "oneway": "1"}, 1),
        ({"highway": "residential", "oneway": "-1"}, -1),
        ({"highway": "residential", "oneway": "no"}, 0),
        ({"highway": "residential", "oneway": "yes", "oneway:bicycle": "no"}, 0),
        ({"highway": "residential", "oneway": "yes", "cycleway": "opposite_lane"}, 0),
        ({"highway": "residential", "oneway": "yes", "cycleway:left": "opposite_track"}, 0),
        ({"highway": "residential", "oneway": "yes", "cycleway:right:oneway": "no"}, 0),
        ({"highway": "cycleway", "oneway:bicycle": "yes"}, 1),
        ({"highway": "tertiary", "junction": "roundabout"}, 1),
    ],
)
def test_one_way_rules_for_bikes(tags: dict[str, str], direction: int) -> None:
    assert bike_direction(tags) == direction


def _line(*tags: dict[str, str]) -> tuple[dict[int, tuple[float, float]], list]:
    points = {i: (100.0 * i, 0.0) for i in range(1, len(tags) + 2)}
    ways = [([i + 1, i + 2], t) for i, t in enumerate(tags)]
    return points, ways


def test_a_one_way_street_binds_the_bike_not_the_walker() -> None:
    points, ways = _line({"highway": "residential", "oneway": "yes"})
    data = map_data(points, ways)
    walk, bike = build(data, "walk"), build(data, "bike")
    assert walk.graph.nnz == 2  # both directions
    assert bike.graph.nnz == 1
    assert (int(bike.edge_u[0]), int(bike.edge_v[0])) == (0, 1)  # node 1 → node 2 only


def test_oneway_bicycle_no_opens_the_street_both_ways_for_bikes() -> None:
    points, ways = _line({"highway": "residential", "oneway": "yes", "oneway:bicycle": "no"})
    assert build(map_data(points, ways), "bike").graph.nnz == 2


def test_a_footway_is_in_the_walking_network_only() -> None:
    points, ways = _line({"highway": "residential"}, {"highway": "footway"})
    data = map_data(points, ways)
    assert build(data, "walk").size == 3
    assert build(data, "bike").size == 2


def test_edge_weights_are_metres() -> None:
    data = grid(size=2, spacing_m=100.0)
    walk = build(data, "walk")
    assert walk.edge_m == pytest.approx(np.full(8, 100.0), rel=2e-3)


def test_parallel_ways_keep_the_shorter_edge() -> None:
    points = {1: (0.0, 0.0), 2: (100.0, 0.0)}
    ways = [([1, 2], {"highway": "residential"}), ([1, 2], {"highway": "footway"})]
    walk = build(map_data(points, ways), "walk")
    assert walk.graph.nnz == 2


def test_dijkstra_on_a_grid_matches_networkx_and_the_hand_count() -> None:
    data = grid(size=4, spacing_m=100.0)
    walk = build(data, "walk")
    lat, lon = at(0.0, 0.0)
    trip = reach.travel(walk, lat, lon, speed_kmh=4.5, minutes=60)
    assert trip.snap_m == pytest.approx(0.0, abs=1e-6)
    graph = nx.DiGraph()
    for u, v, m in zip(
        walk.edge_u.tolist(), walk.edge_v.tolist(), walk.edge_m.tolist(), strict=True
    ):
        graph.add_edge(u, v, weight=m)
    expected = nx.single_source_dijkstra_path_length(graph, trip.start_vertex)
    assert trip.dist_m.tolist() == pytest.approx([expected[v] for v in range(walk.size)])
    # The far corner of a 4 × 4 grid with 100 m blocks is 6 blocks away.
    far = int(np.flatnonzero(data.node_ids[walk.vertex_node] == 16)[0])
    assert trip.dist_m[far] == pytest.approx(600.0, rel=2e-3)


def test_the_limit_cuts_the_search() -> None:
    data = grid(size=4, spacing_m=100.0)
    walk = build(data, "walk")
    lat, lon = at(0.0, 0.0)
    # 250 m: two blocks in any direction, not three.
    trip = reach.travel(walk, lat, lon, speed_kmh=6.0, minutes=2.5)
    assert trip.budget_m == pytest.approx(250.0)
    reached = set(data.node_ids[walk.vertex_node[trip.reached]].tolist())
    assert reached == {1, 2, 3, 5, 6, 9}


def test_the_start_snaps_to_the_main_network_not_an_islet() -> None:
    points = {1: (0.0, 0.0), 2: (100.0, 0.0), 3: (0.0, 15.0), 4: (3.0, 15.0)}
    points.update({10 + i: (100.0 * i, 60.0) for i in range(60)})
    ways = [([1, 2], {"highway": "footway"}), ([3, 4], {"highway": "footway"})]
    ways.append(([10 + i for i in range(60)], {"highway": "residential"}))
    walk = build(map_data(points, ways), "walk")
    lat, lon = at(0.0, 20.0)
    vertex, metres = walk.nearest(np.array([lat]), np.array([lon]))
    # Nodes 3 and 4 (5 m away) and 1, 2 are islets; the street 40 m north is the network.
    assert metres[0] == pytest.approx(40.0, rel=1e-2)
    assert network.haversine_m(*at(0.0, 20.0), walk.lat[vertex[0]], walk.lon[vertex[0]]) == (
        pytest.approx(40.0, rel=1e-2)
    )
