"""The Nærhedscirkel engine against the equivalent OSMnx pipeline, on the same OSM XML files.

Two inputs, both read by both sides from the same ``.osm`` (XML) file, since OSMnx reads only XML:

* Østerbro 2017 (the shipped demo extract ``borneliv/nearby/data/dk_copenhagen_osterbro_2017.osm.pbf``,
  converted to XML in a temporary file, because OSMnx reads only XML).
  Small (a ~1 km core): the 10-minute bike area runs into the data edge.
* A synthetic municipality, written to a temporary ``.osm``: a 15 × 15 km jittered street grid
  (~50,000 nodes) of residential streets with tertiary/secondary roads with cycle tracks, one-way
  streets (half of them open to bikes both ways), living streets, footways and steps cutting
  through blocks, cycleways and shared paths, a grade-separated motorway, parks, woods, lakes,
  playgrounds, pitches, libraries and some noise (private pools, gyms, nameless playgrounds).
  Synthetic because no municipality-sized extract may ship or be downloaded here (the only real
  extract is the small Østerbro one); the point is a network of the size the goal names (≤ 1 s
  per institution on a municipality-sized network). It has no buildings, which flatters OSMnx:
  on a real extract it turns every building way into graph edges too.

Stages, ours (``borneliv.nearby.engine``, ``borneliv.nearby.poster``):

* load: ``read_extract(path)`` — nodes, walk/bike ways, candidate features, base map;
* first institution on a map: ``circle(data, lat, lon, Settings())`` on a freshly read map, which
  also builds the walk and bike networks and the place catalogue (cached with the map);
* per institution: the same on a map already used — both travel-time searches, both reachable
  polygons, places with walking and cycling minutes, the clipped base map (the goal: ≤ 1 s);
* poster: ``render(circle, …)`` as A4 PDF and A4 PNG (the goal: ≤ 3 s each).

The OSMnx peer (what an OSMnx user would write for the same result, kindly: every one-time step
is counted once in its load, not per institution; with the engine's own access rules
``network.walkable``/``bikeable``/``bike_direction``, category table ``places.CATEGORIES`` and
buffer widths ``reach.BUFFER_M``, or simple stand-ins while those do not import):

* load: ``graph_from_xml`` (``bidirectional=False`` so one-way tags hold, unsimplified so places
  snap to street nodes as ours do, every component kept), ``features_from_xml`` with the category
  tags (then the engine's ``categorise`` drops clutter), ``project_graph`` to UTM (nearest-node
  search on an unprojected graph needs scikit-learn, and buffers are in metres), and the walk and
  bike graphs as copies of the edges each mode may use (walk: both ways, as OSMnx's walk
  networks; bike: one-way streets open to bikes both ways get their reverse edge);
* per institution: for walk and bike ``nearest_nodes`` + ``single_source_dijkstra_path_length``
  with a cutoff of speed × limit metres; the reachable polygon as ``graph_to_gdfs`` of the
  reached nodes' subgraph (what ``ego_graph`` returns), each street buffered and the buffers
  merged (``union_all``); places: the features touching either polygon, with minutes from their
  nearest node. (Ours counts a place when it is reached through the network within the limit,
  access walk included, and merges duplicates, so the place counts differ a little.)

Import memory: each load runs once in a fresh subprocess; its peak RSS (``VmHWM``, reset after
the imports through ``/proc/self/clear_refs``; ``ru_maxrss`` where that is missing) and the peak
above the RSS after the imports, which is what the load itself needed. Times are medians of
``--runs`` (ours, default 5) and ``--peer-runs`` (OSMnx, default 3). No assertions on time.

Run: ``.venv/bin/python benchmarks/bench_nearby.py [--runs R] [--peer-runs R] [--size-km K]
[--keep DIR]``.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SHIPPED_PBF = ROOT / "borneliv" / "nearby" / "data" / "dk_copenhagen_osterbro_2017.osm.pbf"
#: A point in the Østerbro core (near Klostervængets Skole and Fælledparken).
OSTERBRO_POINT = (55.7056, 12.5650)
#: The synthetic municipality's south-west corner (a made-up place west of Copenhagen).
SYNTH_ORIGIN = (55.60, 12.20)
METRES_PER_DEGREE = 111_320.0
#: Metres each side of a reached street for the OSMnx polygon (ours: the engine's own choice).
NOT_AVAILABLE = "not available"

# --------------------------------------------------------------------------------------------
# The synthetic municipality
# --------------------------------------------------------------------------------------------


@dataclass
class _OsmWriter:
    """Nodes, ways and tags of a synthetic OSM file, kept in memory and written in id order."""

    lat0: float
    lon0: float
    nodes: list[tuple[float, float, dict[str, str]]] = field(default_factory=list)
    ways: list[tuple[list[int], dict[str, str]]] = field(default_factory=list)

    def node(self, x: float, y: float, tags: dict[str, str] | None = None) -> int:
        """A node at ``x`` metres east and ``y`` metres north of the origin; its id."""
        lat = self.lat0 + y / METRES_PER_DEGREE
        lon = self.lon0 + x / (METRES_PER_DEGREE * math.cos(math.radians(self.lat0)))
        self.nodes.append((lat, lon, tags or {}))
        return len(self.nodes)

    def way(self, node_ids: list[int], tags: dict[str, str]) -> None:
        self.ways.append((node_ids, tags))

    def write(self, path: Path) -> None:
        def tag_lines(tags: dict[str, str]) -> Iterator[str]:
            for key, value in tags.items():
                yield f"    <tag k={quoteattr(key)} v={quoteattr(value)}/>\n"

        south = min(n[0] for n in self.nodes)
        north = max(n[0] for n in self.nodes)
        west = min(n[1] for n in self.nodes)
        east = max(n[1] for n in self.nodes)
        with path.open("w", encoding="utf-8") as out:
            out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
            out.write('<osm version="0.6" generator="borneliv bench_nearby (synthetic)">\n')
            out.write(
                f'  <bounds minlat="{south:.7f}" minlon="{west:.7f}" '
                f'maxlat="{north:.7f}" maxlon="{east:.7f}"/>\n'
            )
            for number, (lat, lon, tags) in enumerate(self.nodes, start=1):
                head = f'  <node id="{number}" version="1" lat="{lat:.7f}" lon="{lon:.7f}"'
                if tags:
                    out.write(head + ">\n")
                    out.writelines(tag_lines(tags))
                    out.write("  </node>\n")
                else:
                    out.write(head + "/>\n")
            for number, (refs, tags) in enumerate(self.ways, start=1):
                out.write(f'  <way id="{number}" version="1">\n')
                out.writelines(f'    <nd ref="{ref}"/>\n' for ref in refs)
                out.writelines(tag_lines(tags))
                out.write("  </way>\n")
            out.write("</osm>\n")


def synthetic_municipality(
    path: Path, size_km: float = 15.0, spacing: float = 120.0, seed: int = 6
) -> dict[str, int]:
    """Write a municipality-sized synthetic street network with places to ``path`` (OSM XML)."""
    rng = np.random.default_rng(seed)
    osm = _OsmWriter(*SYNTH_ORIGIN)
    lines = int(size_km * 1000 / spacing) + 1
    jitter = rng.uniform(-15, 15, size=(lines, lines, 2))

    def corner(i: int, j: int) -> tuple[float, float]:
        return i * spacing + jitter[i, j, 0], j * spacing + jitter[i, j, 1]

    grid = np.zeros((lines, lines), dtype=np.int64)
    for i in range(lines):
        for j in range(lines):
            grid[i, j] = osm.node(*corner(i, j))

    def midpoint(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
        wobble = rng.uniform(-4, 4, 2)
        return (a[0] + b[0]) / 2 + wobble[0], (a[1] + b[1]) / 2 + wobble[1]

    # One node half-way along every block side: streets are not straight lines.
    east_mid = np.zeros((lines - 1, lines), dtype=np.int64)  # between (i, j) and (i+1, j)
    north_mid = np.zeros((lines, lines - 1), dtype=np.int64)  # between (i, j) and (i, j+1)
    for i in range(lines):
        for j in range(lines):
            if i + 1 < lines:
                east_mid[i, j] = osm.node(*midpoint(corner(i, j), corner(i + 1, j)))
            if j + 1 < lines:
                north_mid[i, j] = osm.node(*midpoint(corner(i, j), corner(i, j + 1)))

    def street_tags(line: int, vertical: bool, number: int) -> dict[str, str]:
        name = f"{'Synthetisk Allé' if vertical else 'Synthetisk Vej'} {line}"
        if line % 30 == 15:
            return {"highway": "secondary", "name": name, "cycleway": "track", "maxspeed": "60"}
        if line % 10 == 5:
            return {"highway": "tertiary", "name": name, "cycleway": "track", "maxspeed": "50"}
        draw = rng.random()
        if draw < 0.05:
            return {"highway": "living_street", "name": name}
        if draw < 0.20:
            tags = {"highway": "residential", "name": name, "oneway": "yes"}
            if rng.random() < 0.5:
                tags["oneway:bicycle"] = "no"
            return tags
        if draw < 0.23:
            return {"highway": "service", "name": name}
        return {"highway": "residential", "name": name, "maxspeed": "40"}

    # Streets: every grid line, cut into ways of 2-7 blocks, each way with its own tags.
    for vertical in (False, True):
        for line in range(lines):
            start = 0
            while start < lines - 1:
                end = min(lines - 1, start + int(rng.integers(2, 8)))
                refs: list[int] = []
                for k in range(start, end):
                    if vertical:
                        refs += [int(grid[line, k]), int(north_mid[line, k])]
                    else:
                        refs += [int(grid[k, line]), int(east_mid[k, line])]
                refs.append(int(grid[line, end]) if vertical else int(grid[end, line]))
                osm.way(refs, street_tags(line, vertical, start))
                start = end

    # Through blocks: footways (some with steps), cycleways and shared paths.
    for i in range(lines - 1):
        for j in range(lines - 1):
            draw = rng.random()
            if draw < 0.15:
                a, b = corner(i, j), corner(i + 1, j + 1)
                mid = osm.node(*midpoint(a, b))
                tags = {"highway": "footway"}
                if rng.random() < 0.1:
                    tags = {"highway": "steps"}
                osm.way([int(grid[i, j]), mid, int(grid[i + 1, j + 1])], tags)
            elif draw < 0.22:
                a = (corner(i, j)[0], (corner(i, j)[1] + corner(i, j + 1)[1]) / 2)
                b = (corner(i + 1, j)[0], (corner(i + 1, j)[1] + corner(i + 1, j + 1)[1]) / 2)
                mid = osm.node(*midpoint(a, b))
                tags = (
                    {"highway": "cycleway"}
                    if rng.random() < 0.5
                    else {"highway": "path", "bicycle": "designated", "foot": "designated"}
                )
                osm.way([int(north_mid[i, j]), mid, int(north_mid[i + 1, j])], tags)

    # A motorway across the municipality on its own nodes (bridges over the grid, no junctions).
    motorway = [
        osm.node(x, lines * spacing * 0.37 + 400 * math.sin(x / 2500))
        for x in np.arange(-200, lines * spacing + 200, 60.0)
    ]
    osm.way(motorway, {"highway": "motorway", "ref": "E20", "oneway": "yes"})

    # Places and noise, in blocks chosen at random.
    counts = {"parks": 0, "woods": 0, "lakes": 0, "playgrounds": 0, "other places": 0, "noise": 0}

    def ring(i: int, j: int, blocks: int, inset: float) -> list[int]:
        x0, y0 = i * spacing + inset, j * spacing + inset
        x1, y1 = (i + blocks) * spacing - inset, (j + blocks) * spacing - inset
        refs = [osm.node(x0, y0), osm.node(x1, y0), osm.node(x1, y1), osm.node(x0, y1)]
        return [*refs, refs[0]]

    def point(i: int, j: int) -> tuple[float, float]:
        return (i + rng.uniform(0.3, 0.7)) * spacing, (j + rng.uniform(0.3, 0.7)) * spacing

    single_node_places = [
        ({"leisure": "pitch", "sport": "soccer"}, "Boldbane"),
        ({"amenity": "library"}, "Bibliotek"),
        ({"leisure": "sports_centre", "sport": "swimming", "access": "yes"}, "Svømmehal"),
        ({"leisure": "sports_hall"}, "Idrætshal"),
        ({"tourism": "picnic_site"}, "Picnicplads"),
        ({"leisure": "firepit"}, "Bålplads"),
        ({"tourism": "viewpoint"}, "Udsigtspunkt"),
        ({"animal": "petting_zoo", "tourism": "zoo", "zoo": "petting_zoo"}, "Dyrefarm"),
    ]
    noise_places = [
        {"leisure": "swimming_pool", "access": "private"},
        {"leisure": "fitness_centre", "name": "FitnessKæde"},
        {"leisure": "playground"},  # nameless
        {"leisure": "pitch", "access": "private", "name": "Privat bane"},
    ]
    for i in range(0, lines - 3):
        for j in range(0, lines - 3):
            draw = rng.random()
            if draw < 0.03:
                counts["parks"] += 1
                osm.way(ring(i, j, 1, 12), {"leisure": "park", "name": f"Synthetisk Park {i}-{j}"})
                osm.node(
                    *point(i, j), {"leisure": "playground", "name": f"Parkens legeplads {i}-{j}"}
                )
                counts["playgrounds"] += 1
            elif draw < 0.033:
                counts["woods"] += 1
                # Woods span blocks and streets: polygons do not share nodes with the streets.
                osm.way(ring(i, j, 3, 30), {"natural": "wood", "name": f"Synthetisk Skov {i}-{j}"})
            elif draw < 0.035:
                counts["lakes"] += 1
                osm.way(ring(i, j, 1, 20), {"natural": "water", "name": f"Synthetisk Sø {i}-{j}"})
            elif draw < 0.055:
                counts["playgrounds"] += 1
                osm.node(*point(i, j), {"leisure": "playground", "name": f"Legeplads {i}-{j}"})
            elif draw < 0.075:
                counts["other places"] += 1
                tags, label = single_node_places[int(rng.integers(0, len(single_node_places)))]
                osm.node(*point(i, j), {**tags, "name": f"{label} {i}-{j}"})
            elif draw < 0.085:
                counts["noise"] += 1
                osm.node(*point(i, j), dict(noise_places[int(rng.integers(0, len(noise_places)))]))
    osm.write(path)
    return {"nodes": len(osm.nodes), "ways": len(osm.ways), **counts}


# --------------------------------------------------------------------------------------------
# The peer's rules: the engine's own (access, place table, buffers), else simple stand-ins
# --------------------------------------------------------------------------------------------

_WALK_HIGHWAYS = {
    "footway", "path", "pedestrian", "living_street", "residential", "service", "unclassified",
    "tertiary", "tertiary_link", "secondary", "secondary_link", "primary", "primary_link",
    "track", "steps", "cycleway", "bridleway", "road", "corridor",
}  # fmt: skip
_BIKE_HIGHWAYS = {
    "cycleway", "path", "living_street", "residential", "service", "unclassified", "tertiary",
    "tertiary_link", "secondary", "secondary_link", "primary", "primary_link", "track", "road",
}  # fmt: skip
_NO = {"no", "private"}
#: Stand-in category tags (key → values) for features_from_xml when the engine's table is missing.
_FALLBACK_PLACE_TAGS: dict[str, bool | str | list[str]] = {
    "leisure": [
        "playground", "park", "nature_reserve", "pitch", "sports_centre", "sports_hall",
        "swimming_pool", "water_park", "picnic_table", "firepit", "track",
    ],
    "landuse": ["forest", "recreation_ground", "village_green"],
    "natural": ["wood", "beach", "water"],
    "amenity": ["library", "arts_centre", "theatre", "cinema"],
    "tourism": ["viewpoint", "picnic_site", "zoo", "museum", "attraction"],
    "animal": ["petting_zoo"],
}  # fmt: skip
#: Way tags OSMnx must keep on its edges for the access rules.
_ACCESS_TAGS = (
    "foot", "bicycle", "motorroad", "oneway:bicycle", "cycleway", "cycleway:left",
    "cycleway:right", "cycleway:both", "cycleway:oneway", "cycleway:left:oneway",
    "cycleway:right:oneway", "cycleway:both:oneway",
)  # fmt: skip


def _fallback_allows(tags: dict[str, Any], mode: str) -> bool:
    highway = tags.get("highway")
    own = tags.get("foot" if mode == "walk" else "bicycle")
    if own in _NO or (tags.get("access") in _NO and own not in {"yes", "designated"}):
        return False
    if mode == "walk":
        return highway in _WALK_HIGHWAYS
    return highway in _BIKE_HIGHWAYS or own in {"yes", "designated"}


def _fallback_bike_direction(tags: dict[str, Any]) -> int:
    if tags.get("oneway:bicycle") == "no" or str(tags.get("cycleway", "")).startswith("opposite"):
        return 0
    return 1 if tags.get("oneway") in {"yes", "true", "1"} else 0


@dataclass
class PeerRules:
    """What the peer must decide the same way as the engine, and where it came from."""

    walkable: Callable[[dict[str, Any]], bool]
    bikeable: Callable[[dict[str, Any]], bool]
    bike_direction: Callable[[dict[str, Any]], int]  # 1 forward only, -1 backward only, 0 both
    place_tags: dict[str, bool | str | list[str]]
    categorise: Callable[[dict[str, str], float], Any] | None  # None: keep every feature
    buffer_m: dict[str, float]
    quad_segs: int
    source: str


def _place_tags(categories: Any) -> dict[str, bool | str | list[str]]:
    """features_from_xml tags from the engine's category table: each rule's first condition."""
    any_value: set[str] = set()
    values: dict[str, set[str]] = {}
    for category in categories:
        for rule in category.rules:
            first = rule.when[0]
            for kind in ("=", "~", "/"):
                if kind in first:
                    key, _, value = first.partition(kind)
                    if kind == "=":
                        values.setdefault(key, set()).update(value.split("|"))
                    else:
                        any_value.add(key)
                    break
            else:
                any_value.update(first.split("|"))
    tags: dict[str, bool | str | list[str]] = {key: sorted(v) for key, v in values.items()}
    tags.update(dict.fromkeys(any_value, True))
    return tags


def peer_rules() -> PeerRules:
    """The engine's access rules, category table and buffers, when they import."""
    network, why_network = _module("network")
    places, why_places = _module("places")
    reach, _ = _module("reach")
    notes = []
    if network is not None:
        walkable, bikeable, direction = network.walkable, network.bikeable, network.bike_direction
        notes.append("the engine's access rules")
    else:
        walkable = lambda tags: _fallback_allows(tags, "walk")  # noqa: E731
        bikeable = lambda tags: _fallback_allows(tags, "bike")  # noqa: E731
        direction = _fallback_bike_direction
        notes.append(f"stand-in access rules (engine's: {why_network})")
    place_tags: dict[str, bool | str | list[str]] = _FALLBACK_PLACE_TAGS
    categorise = None
    if places is not None:
        try:
            place_tags = _place_tags(places.CATEGORIES)
            categorise = places.categorise
            notes.append("the engine's category table")
        except Exception as exc:
            notes.append(f"stand-in place tags ({type(exc).__name__}: {exc})")
    else:
        notes.append(f"stand-in place tags (engine's: {why_places})")
    buffer_m = dict(getattr(reach, "BUFFER_M", {"walk": 30.0, "bike": 40.0}))
    return PeerRules(
        walkable, bikeable, direction, place_tags, categorise, buffer_m, 3, ", ".join(notes)
    )


# --------------------------------------------------------------------------------------------
# The OSMnx peer
# --------------------------------------------------------------------------------------------


@dataclass
class PeerData:
    graphs: dict[str, Any]  # mode → projected MultiDiGraph of the edges the mode may use
    features: Any  # GeoDataFrame, projected: the candidate places
    crs: Any
    rules: PeerRules
    stages: dict[str, float]


@dataclass
class PeerCircle:
    reached: dict[str, int]
    polygons: dict[str, Any]
    places: int
    stages: dict[str, float]


def _row_tags(record: dict[str, Any]) -> dict[str, str]:
    return {k: v for k, v in record.items() if isinstance(v, str) and k != "geometry"}


def peer_load(path: Path, rules: PeerRules | None = None) -> PeerData:
    """What an OSMnx user does once per extract: graph, features, projection, mode graphs."""
    import networkx as nx
    import osmnx as ox

    rules = rules or peer_rules()
    for tag in _ACCESS_TAGS:
        if tag not in ox.settings.useful_tags_way:
            ox.settings.useful_tags_way = [*ox.settings.useful_tags_way, tag]
    stages: dict[str, float] = {}
    started = time.perf_counter()
    graph = ox.graph_from_xml(path, bidirectional=False, simplify=False, retain_all=True)
    stages["graph_from_xml"] = time.perf_counter() - started

    started = time.perf_counter()
    features = ox.features_from_xml(path, tags=rules.place_tags)
    stages["features_from_xml"] = time.perf_counter() - started

    started = time.perf_counter()
    projected = ox.project_graph(graph)
    crs = projected.graph["crs"]
    features = features.to_crs(crs)
    stages["project_graph + features to_crs"] = time.perf_counter() - started

    started = time.perf_counter()
    if rules.categorise is not None:
        categorise = rules.categorise
        areas = features.geometry.area.to_numpy()
        records = features.drop(columns="geometry").to_dict("records")
        keep = [
            categorise(_row_tags(record), float(area)) is not None
            for record, area in zip(records, areas, strict=True)
        ]
        features = features[np.array(keep, dtype=bool)]
    stages["categorise features"] = time.perf_counter() - started

    started = time.perf_counter()
    graphs: dict[str, Any] = {}
    for mode in ("walk", "bike"):
        allows = rules.walkable if mode == "walk" else rules.bikeable
        edges = []
        for u, v, data in projected.edges(data=True):
            # OSMnx has turned the oneway tag into a bool (and oriented one-way edges).
            tags = {k: w for k, w in data.items() if isinstance(w, str)}
            if not allows(tags):
                continue
            if mode == "walk":
                # OSMnx's walk networks are bidirectional: one-way streets get their reverse.
                edges.append((u, v, data))
                if data.get("oneway"):
                    edges.append((v, u, {**data, "reversed": not data.get("reversed")}))
                continue
            if data.get("oneway"):
                edges.append((u, v, data))
                if rules.bike_direction({**tags, "oneway": "yes"}) == 0:
                    edges.append((v, u, {**data, "reversed": not data.get("reversed")}))
            else:
                direction = rules.bike_direction(tags)  # oneway:bicycle=yes on a two-way street
                if direction == 0 or (direction == 1) != bool(data.get("reversed")):
                    edges.append((u, v, data))
        mode_graph = nx.MultiDiGraph(**projected.graph)
        mode_graph.add_edges_from(edges)
        for node in mode_graph.nodes:
            mode_graph.nodes[node].update(projected.nodes[node])
        graphs[mode] = mode_graph
    stages["walk and bike graphs"] = time.perf_counter() - started
    return PeerData(graphs, features, crs, rules, stages)


def peer_circle(peer: PeerData, lat: float, lon: float, settings: Any) -> PeerCircle:
    """Per institution: both searches, both polygons, the places inside with their minutes."""
    import networkx as nx
    import osmnx as ox
    import shapely
    from pyproj import Transformer

    metres_per_minute = {
        "walk": settings.walk_kmh * 1000 / 60,
        "bike": settings.bike_kmh * 1000 / 60,
    }
    limits = {"walk": settings.walk_minutes, "bike": settings.bike_minutes}
    stages: dict[str, float] = {}

    started = time.perf_counter()
    x, y = Transformer.from_crs("EPSG:4326", peer.crs, always_xy=True).transform(lon, lat)
    sources = {mode: ox.distance.nearest_nodes(g, x, y) for mode, g in peer.graphs.items()}
    stages["snap the point (nearest_nodes)"] = time.perf_counter() - started

    started = time.perf_counter()
    distances: dict[str, dict[Any, float]] = {
        mode: nx.single_source_dijkstra_path_length(
            graph, sources[mode], cutoff=limits[mode] * metres_per_minute[mode], weight="length"
        )
        for mode, graph in peer.graphs.items()
    }
    stages["shortest paths (Dijkstra)"] = time.perf_counter() - started

    started = time.perf_counter()
    polygons: dict[str, Any] = {}
    for mode, graph in peer.graphs.items():
        # What ego_graph(…, distance=…) returns: a copy of the subgraph of the reached nodes.
        ego = graph.subgraph(distances[mode].keys()).copy()
        if ego.number_of_edges() == 0:
            polygons[mode] = shapely.Point(x, y).buffer(peer.rules.buffer_m[mode])
            continue
        edges = ox.graph_to_gdfs(ego, nodes=False)
        # Each street once (a two-way street is two directed edges), each buffered, then merged.
        u = edges.index.get_level_values("u").to_numpy()
        v = edges.index.get_level_values("v").to_numpy()
        pairs = np.stack([np.minimum(u, v), np.maximum(u, v)], axis=1)
        _, first = np.unique(pairs, axis=0, return_index=True)
        lines = edges.geometry.to_numpy()[first]
        polygons[mode] = shapely.union_all(
            shapely.buffer(lines, peer.rules.buffer_m[mode], quad_segs=peer.rules.quad_segs)
        )
    stages["polygons (buffer + union)"] = time.perf_counter() - started

    started = time.perf_counter()
    # A place is a candidate when its geometry touches either area (a park reached at its edge);
    # its minutes are those of the network node nearest to its representative point.
    shapes = peer.features.geometry.to_numpy()
    inside = shapely.intersects(shapes, polygons["walk"]) | shapely.intersects(
        shapes, polygons["bike"]
    )
    chosen = peer.features.geometry[inside].representative_point()
    minutes: dict[str, list[float | None]] = {}
    for mode, graph in peer.graphs.items():
        nearest = ox.distance.nearest_nodes(graph, chosen.x.to_numpy(), chosen.y.to_numpy())
        reached = distances[mode]
        minutes[mode] = [
            reached[node] / metres_per_minute[mode] if node in reached else None for node in nearest
        ]
    stages["places (intersects + nearest node)"] = time.perf_counter() - started
    return PeerCircle(
        reached={mode: len(d) for mode, d in distances.items()},
        polygons=polygons,
        places=sum(
            1
            for walk, bike in zip(minutes["walk"], minutes["bike"], strict=True)
            if (walk, bike) != (None, None)
        ),
        stages=stages,
    )


# --------------------------------------------------------------------------------------------
# Ours
# --------------------------------------------------------------------------------------------


def _module(name: str) -> tuple[Any, str | None]:
    """``borneliv.nearby.<name>``, or None and why it could not be imported."""
    try:
        return __import__(f"borneliv.nearby.{name}", fromlist=["_"]), None
    except Exception as exc:
        return None, f"{type(exc).__name__}: {exc}"


def our_engine() -> tuple[Any, str | None]:
    engine, why = _module("engine")
    if engine is not None:
        missing = [n for n in ("read_extract", "circle") if not hasattr(engine, n)]
        if missing:
            return None, f"engine has no {', '.join(missing)}"
    return engine, why


def our_load(path: Path) -> Any:
    engine, why = our_engine()
    if engine is None:
        raise RuntimeError(why)
    return engine.read_extract(path)


def settings() -> Any:
    from borneliv.nearby.types import Settings

    return Settings()


# --------------------------------------------------------------------------------------------
# Measuring
# --------------------------------------------------------------------------------------------


def repeated(function: Callable[[], Any], runs: int) -> tuple[float, dict[str, float], Any]:
    """Median seconds over ``runs`` calls, the median of each stage the result reports, and the
    last result. A result with a ``stages`` dict (seconds by name) reports stages."""
    totals: list[float] = []
    stages: dict[str, list[float]] = {}
    result: Any = None
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        totals.append(time.perf_counter() - started)
        for name, seconds in getattr(result, "stages", {}).items():
            stages.setdefault(name, []).append(seconds)
    return (
        statistics.median(totals),
        {name: statistics.median(values) for name, values in stages.items()},
        result,
    )


def measure_load_in_subprocess(side: str, path: Path) -> dict[str, float] | str:
    """Run one load in a fresh interpreter: its seconds and peak memory above the imports."""
    command = [sys.executable, __file__, "--measure-load", side, str(path)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)  # noqa: S603 - this script itself
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        return f"{NOT_AVAILABLE} ({last[:120]})"
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _measure_load_here(side: str, path: Path) -> None:
    """The child of ``measure_load_in_subprocess``: prints one JSON line."""
    if side == "ours":
        engine, why = our_engine()
        if engine is None:
            raise SystemExit(f"engine: {why}")
        load: Callable[[Path], Any] = engine.read_extract
    else:
        import geopandas  # noqa: F401
        import networkx  # noqa: F401
        import osmnx  # noqa: F401
        import pyproj  # noqa: F401

        rules = peer_rules()

        def load(path: Path) -> Any:
            return peer_load(path, rules)

    # A child's peak RSS starts at its parent's (Linux keeps the high-water mark across fork and
    # exec): reset it after the imports, then read the high-water mark after the load.
    gc.collect()
    reset = _reset_peak_rss()
    before = _rss_kb("VmRSS")
    started = time.perf_counter()
    load(path)
    seconds = time.perf_counter() - started
    peak = _rss_kb("VmHWM") if reset else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps({"seconds": seconds, "peak_mb": peak / 1024, "load_mb": (peak - before) / 1024})
    )


def _reset_peak_rss() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _rss_kb(field_name: str) -> int:
    """``VmRSS`` (now) or ``VmHWM`` (peak) of this process in kB; ru_maxrss without /proc."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{field_name}:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def area_km2(polygons: Any, lat: float) -> float:
    """The area of a GeoJSON-like list of polygons in (lon, lat), on a local flat projection."""
    import shapely

    scale_x = METRES_PER_DEGREE * math.cos(math.radians(lat))
    total = 0.0
    for rings in polygons:
        shells = [[((x * scale_x), (y * METRES_PER_DEGREE)) for x, y in ring] for ring in rings]
        total += shapely.Polygon(shells[0], shells[1:]).area
    return total / 1e6


# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------


def seconds_text(value: float | str | None) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return NOT_AVAILABLE
    return f"{value * 1000:7.1f} ms" if value < 1 else f"{value:7.2f} s "


def ratio_text(peer: float | str | None, ours: float | str | None) -> str:
    if not isinstance(peer, float) or not isinstance(ours, float) or ours <= 0:
        return ""
    return f"{peer / ours:6.1f}×"


def row(label: str, ours: float | str | None, peer: float | str | None, note: str = "") -> None:
    """One line of the table; ``""`` leaves a cell empty (a stage only one side has)."""
    print(
        f"    {label:<42} {seconds_text(ours):>15} {seconds_text(peer):>15} "
        f"{ratio_text(peer, ours):>8}  {note}".rstrip()
    )


def guarded(what: str, function: Callable[[], Any]) -> Any:
    """Run ``function``; on an error print why ``what`` is not available and return None."""
    try:
        return function()
    except Exception as exc:
        print(f"    {what}: {NOT_AVAILABLE} ({type(exc).__name__}: {str(exc)[:160]})")
        if os.environ.get("BENCH_TRACEBACK"):
            traceback.print_exc()
        return None


def bench_file(
    label: str, path: Path, point: tuple[float, float], args: argparse.Namespace
) -> dict[str, Any]:
    """Both pipelines on one file; prints the figures and returns the headline numbers."""
    lat, lon = point
    print(f"\n{label}\n  file: {path.name}, {path.stat().st_size / 1e6:.1f} MB; point {lat}, {lon}")
    engine, why = our_engine()
    if engine is None:
        print(f"  our engine: {NOT_AVAILABLE} ({why})")

    # Import: time and memory, each in a fresh process.
    memory = {side: measure_load_in_subprocess(side, path) for side in ("ours", "osmnx")}

    # Ours, in this process. The first circle on a freshly read map also builds the networks and
    # the place catalogue (cached with the map); the next circles pay only for their searches.
    our_load_s = our_first_s = our_circle_s = None
    circle = None
    if engine is not None:
        loads: list[float] = []
        firsts: list[float] = []

        def load_and_first() -> Any:
            started = time.perf_counter()
            data = engine.read_extract(path)
            loads.append(time.perf_counter() - started)
            started = time.perf_counter()
            engine.circle(data, lat, lon, settings())
            firsts.append(time.perf_counter() - started)
            return data

        data = None
        for _ in range(args.runs):
            data = guarded("read_extract + first circle", load_and_first)
            if data is None:
                break
        if loads:
            our_load_s = statistics.median(loads)
        if firsts:
            our_first_s = statistics.median(firsts)
        if data is not None:
            ran = guarded(
                "circle",
                lambda: repeated(lambda: engine.circle(data, lat, lon, settings()), args.runs),
            )
            if ran is not None:
                our_circle_s, _, circle = ran

    # The peer.
    rules = peer_rules()
    peer_load_s, peer_load_stages, peer = repeated(lambda: peer_load(path, rules), args.peer_runs)
    peer_circle_s, peer_circle_stages, peer_result = repeated(
        lambda: peer_circle(peer, lat, lon, settings()), args.peer_runs
    )

    print(f"    {'stage':<42} {'ours':>15} {'OSMnx':>15} {'OSMnx/ours':>8}")
    row("load the extract (once)", our_load_s, peer_load_s)
    for name, seconds in peer_load_stages.items():
        row(f"  OSMnx: {name}", "", seconds)
    row("first institution on a map (+ networks)", our_first_s, peer_circle_s, "(goal ≤ 1 s)")
    row("per institution: both areas + places", our_circle_s, peer_circle_s, "(goal ≤ 1 s)")
    for name, seconds in peer_circle_stages.items():
        row(f"  OSMnx: {name}", "", seconds)
    overall_ours = None if our_load_s is None or our_first_s is None else our_load_s + our_first_s
    row("overall: load + 1 institution", overall_ours, peer_load_s + peer_circle_s)

    for side, result in memory.items():
        name = "ours (read_extract)" if side == "ours" else "OSMnx (its whole load)"
        if isinstance(result, str):
            print(f"    import memory, {name}: {result}")
        else:
            print(
                f"    import in a fresh process, {name}: {result['seconds']:.2f} s, "
                f"peak RSS {result['peak_mb']:.0f} MB, {result['load_mb']:.0f} MB above the imports"
            )

    limits = settings()
    walk_area = float(peer_result.polygons["walk"].area) / 1e6
    bike_area = float(peer_result.polygons["bike"].area) / 1e6
    print(
        f"    OSMnx result: walk {peer_result.reached['walk']:,} nodes {walk_area:.2f} km², "
        f"bike {peer_result.reached['bike']:,} nodes {bike_area:.2f} km², "
        f"{peer_result.places} places with minutes "
        f"({limits.walk_minutes:g} min walk at {limits.walk_kmh:g} km/h, "
        f"{limits.bike_minutes:g} min bike at {limits.bike_kmh:g} km/h)"
    )
    if circle is not None:
        reachable = [p for p in circle.places if (p.walk_minutes, p.bike_minutes) != (None, None)]
        print(
            f"    our result:   walk {circle.walk.reached_nodes:,} nodes "
            f"{area_km2(circle.walk.polygons, lat):.2f} km², bike {circle.bike.reached_nodes:,} "
            f"nodes {area_km2(circle.bike.polygons, lat):.2f} km², {len(reachable)} places with "
            f"minutes; cut by the data edge: {'yes' if circle.cut_by_edge else 'no'}"
        )
    print(f"    peer rules: {rules.source}")
    return {
        "circle": circle,
        "our_first_s": our_first_s,
        "our_circle_s": our_circle_s,
        "peer_circle_s": peer_circle_s,
        "our_overall_s": overall_ours,
        "peer_overall_s": peer_load_s + peer_circle_s,
    }


def bench_poster(circle: Any, source: str, args: argparse.Namespace, directory: Path) -> None:
    poster, why = _module("poster")
    if poster is None or not hasattr(poster, "render"):
        print(f"\nposter: {NOT_AVAILABLE} ({why or 'poster has no render'})")
        return
    print(f"\nposter (A4, on {source}; goal ≤ 3 s each), median of {args.runs}")
    for fmt in ("pdf", "png"):
        out = directory / f"poster.{fmt}"

        def draw(fmt: str = fmt, out: Path = out) -> None:
            poster.render(
                circle,
                out,
                fmt=fmt,
                paper="A4",
                title="Vores nærhedscirkel",
                institution="Benchmarkbørnehaven",
                public_url="https://example.invalid/n/bench",
            )

        timed_result: tuple[float, dict[str, float], Any] | None = guarded(
            f"poster {fmt}", partial(repeated, draw, args.runs)
        )
        if timed_result is not None:
            print(
                f"    A4 {fmt.upper()}: {seconds_text(timed_result[0]).strip()} "
                f"({out.stat().st_size / 1e3:,.0f} kB)"
            )


def osterbro_xml(directory: Path) -> tuple[Path, str]:
    """The Østerbro extract as XML, converted from the shipped PBF (OSMnx reads only XML)."""
    import osmium

    out = directory / "dk_copenhagen_osterbro_2017.osm"
    writer = osmium.SimpleWriter(str(out), overwrite=True)
    try:
        for entity in osmium.FileProcessor(str(SHIPPED_PBF)):
            writer.add(entity)
    finally:
        writer.close()
    return out, "converted from the shipped PBF"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="repeats of ours (median)")
    parser.add_argument("--peer-runs", type=int, default=3, help="repeats of OSMnx (median)")
    parser.add_argument("--size-km", type=float, default=15.0, help="synthetic municipality side")
    parser.add_argument("--keep", type=Path, help="write the temporary files here and keep them")
    parser.add_argument("--measure-load", nargs=2, metavar=("SIDE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure_load:
        _measure_load_here(args.measure_load[0], Path(args.measure_load[1]))
        return

    import warnings

    import osmnx

    warnings.filterwarnings("ignore", category=UserWarning, module="osmnx")
    directory = args.keep or Path(tempfile.mkdtemp(prefix="bench-nearby-"))
    directory.mkdir(parents=True, exist_ok=True)
    try:
        started = time.perf_counter()
        print(
            f"Nærhedscirkel benchmark: ours median of {args.runs}, OSMnx "
            f"{osmnx.__version__} median of {args.peer_runs}; times per stage, ratio = OSMnx/ours"
        )
        xml, how = osterbro_xml(directory)
        osterbro = bench_file(
            f"Østerbro 2017 (real OSM data, {how}; small: the bike area runs into the data edge)",
            xml,
            OSTERBRO_POINT,
            args,
        )
        engine, _ = our_engine()
        if engine is not None and SHIPPED_PBF.exists():
            pbf = guarded(
                "read_extract (PBF)",
                lambda: repeated(lambda: engine.read_extract(SHIPPED_PBF), args.runs),
            )
            if pbf is not None:
                print(
                    f"    ours, the same data as the shipped PBF: read_extract {seconds_text(pbf[0]).strip()}"
                )

        synthetic = directory / "synthetic_municipality.osm"
        written = synthetic_municipality(synthetic, size_km=args.size_km)
        side = args.size_km
        middle = (
            round(SYNTH_ORIGIN[0] + side * 500 / METRES_PER_DEGREE, 5),
            round(
                SYNTH_ORIGIN[1]
                + side * 500 / (METRES_PER_DEGREE * math.cos(math.radians(SYNTH_ORIGIN[0]))),
                5,
            ),
        )
        counts = ", ".join(f"{value:,} {name}" for name, value in written.items())
        big = bench_file(
            f"Synthetic municipality, {side:g} × {side:g} km ({counts}) — synthetic because no "
            "municipality-sized extract ships or may be downloaded; no buildings (kind to OSMnx)",
            synthetic,
            middle,
            args,
        )

        circle, source = big["circle"], "the synthetic municipality's circle"
        if circle is None:
            circle, source = osterbro["circle"], "the Østerbro circle"
        if circle is None:
            try:
                from borneliv.nearby.tests.poster_fixture import poster_circle

                circle, source = poster_circle(), "the poster test fixture (engine not available)"
            except Exception as exc:
                print(f"\nposter: {NOT_AVAILABLE} (no circle to draw: {exc})")
        if circle is not None:
            bench_poster(circle, source, args, directory)
        if osterbro["circle"] is not None and big["circle"] is not None:
            bench_poster(osterbro["circle"], "the Østerbro circle", args, directory)

        print("\nsummary (ratio = OSMnx time / ours):")
        for name, result in (("Østerbro", osterbro), ("synthetic municipality", big)):
            parts = []
            for what, ours_key, peer_key in (
                ("per institution", "our_circle_s", "peer_circle_s"),
                ("first institution", "our_first_s", "peer_circle_s"),
                ("load + first institution", "our_overall_s", "peer_overall_s"),
            ):
                ours, peer_s = result[ours_key], result[peer_key]
                text = f"{what} ours {seconds_text(ours).strip()} vs {seconds_text(peer_s).strip()}"
                if ours:
                    text += f" = {peer_s / ours:.1f}×"
                parts.append(text)
            print(f"    {name}: " + "; ".join(parts))
        print(f"(whole benchmark: {time.perf_counter() - started:.0f} s)")
    finally:
        if args.keep is None:
            shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
