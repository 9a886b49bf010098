"""Read an OpenStreetMap extract (.osm or .osm.pbf) into :class:`MapData`, streaming, with pyosmium.

Two passes over the file, each decoding only what it needs, so the order of objects in the file
does not matter and the whole file is never in memory:

1. nodes and relations: the coordinates of the nodes (only those inside the bounding box, when
   one is given; all of them otherwise), the tagged nodes that may be places, and the
   multipolygons that are places or base-map areas (their member ways are noted for pass 2);
2. ways: those that can carry walking or cycling, those that may be places, the base-map layers
   (streets, paths, green, water, waterways, buildings, rail) and the members of the noted
   multipolygons.

At the end only the nodes of the network's ways are kept as arrays; places and base map carry
their own coordinates.

Errors in the file are skipped and counted in ``MapData.skipped``: a node with no or impossible
coordinates (``node_bad_coordinates``), a way that references nodes the file lacks
(``way_missing_nodes``; the runs of known nodes are kept, a run of fewer than two is dropped), a
multipolygon with member ways missing (``relation_missing_members``) or one whose rings do not
close (``relation_broken``). With a bounding box, nodes outside it are left out on purpose and ways
cut there are not counted as errors.

The known world (``MapData.bbox``): the requested bounding box (plus ``margin_m``), cut to the
file's own bounds when its header has them. A file without bounds in its header is taken to
cover the area of its free-standing nodes (extracts cut "with complete ways", as Overpass and
``osmium extract`` make them, hold nodes outside the cut only as parts of ways crossing it, with
none of the side streets there), or else the extent of its nodes; cut to the request, if any.
``MapData.edge_node_ids`` are the network nodes where the data end: next to a missing node, outside
the known world, or within ``EDGE_BORDER_M`` of its border. Reaching one means the area may be cut.

``progress(done, total)`` is called now and then with bytes: ``total`` is twice the file size
(two passes) and ``done`` grows to it (read from ``/proc/self/fdinfo`` on Linux; elsewhere only
at the end of each pass).
"""

from __future__ import annotations

import math
import os
from array import array
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import osmium

from borneliv.nearby.network import NETWORK_HIGHWAYS, border_metres
from borneliv.nearby.places import could_be_place

__all__ = ["DEFAULT_MARGIN_M", "EDGE_BORDER_M", "border_metres", "read"]
from borneliv.nearby.types import Basemap, Coords, Feature, MapData

#: Default margin around a requested bounding box: a 10-minute bike ride at 15 km/h is 2.5 km.
DEFAULT_MARGIN_M = 3_000.0
#: Network nodes this close to the border of the known world count as edge nodes.
EDGE_BORDER_M = 30.0
#: Free-standing nodes needed before their extent is trusted as the known world.
MIN_FREE_NODES = 10
#: Within a requested box, free nodes ending closer than this to its border end with the box.
FREE_NODE_SNAP_M = 250.0

_M_PER_DEG = 111_320.0

ProgressCallback = Callable[[int, int], None]

# --- base-map layers ---------------------------------------------------------------------------

#: 0 main road, 1 tertiary or unclassified, 2 residential, service, living street (see Basemap).
STREET_RANKS: dict[str, int] = {
    "motorway": 0, "motorway_link": 0, "trunk": 0, "trunk_link": 0, "primary": 0,
    "primary_link": 0, "secondary": 0, "secondary_link": 0,
    "tertiary": 1, "tertiary_link": 1, "unclassified": 1,
    "residential": 2, "living_street": 2, "service": 2, "road": 2, "pedestrian": 2,
}  # fmt: skip
PATH_HIGHWAYS = frozenset({"footway", "cycleway", "path", "track", "steps", "bridleway"})
GREEN_TAGS: dict[str, frozenset[str]] = {
    "leisure": frozenset({"park", "garden", "playground", "pitch", "nature_reserve"}),
    "landuse": frozenset(
        {"grass", "forest", "meadow", "recreation_ground", "village_green", "allotments"}
    ),
    "natural": frozenset({"wood", "scrub", "heath", "grassland"}),
}
WATER_TAGS: dict[str, frozenset[str] | None] = {
    "natural": frozenset({"water"}),
    "water": None,  # any value
    "landuse": frozenset({"reservoir", "basin"}),
    "waterway": frozenset({"riverbank", "dock"}),
}
WATERWAYS = frozenset({"river", "stream", "canal"})
RAILWAYS = frozenset({"rail", "light_rail", "subway", "tram", "narrow_gauge", "monorail"})
MULTIPOLYGON_TYPES = frozenset({"multipolygon", "boundary"})


def _is_green(tags: Any) -> bool:
    return any(tags.get(key) in values for key, values in GREEN_TAGS.items())


def _is_water(tags: Any) -> bool:
    for key, values in WATER_TAGS.items():
        value = tags.get(key)
        if value is not None and (values is None or value in values):
            return True
    return False


def _is_building(tags: Any) -> bool:
    value = tags.get("building")
    return value is not None and value != "no"


def _in_tunnel(tags: Any) -> bool:
    return tags.get("tunnel") not in (None, "no") or tags.get("layer", "0").startswith("-")


# --- progress ----------------------------------------------------------------------------------


class _Progress:
    """Reports bytes read, from the reader's file position where the system tells it."""

    EVERY = 50_000  # objects between reports

    def __init__(self, path: Path, callback: ProgressCallback | None) -> None:
        self.callback = callback
        self.size = path.stat().st_size
        self.total = 2 * self.size
        self.real = os.path.realpath(path)
        self.base = 0
        self.fd: int | None = None
        self.count = 0
        self.last = 0

    def start_pass(self, index: int) -> None:
        self.base = index * self.size
        self.fd = None
        self._report(self.base)

    def tick(self) -> None:
        self.count += 1
        if self.callback is None or self.count % self.EVERY:
            return
        self._report(self.base + min(self._position(), self.size))

    def finish(self) -> None:
        self._report(self.total)

    def _report(self, done: int) -> None:
        if self.callback is None:
            return
        done = max(done, self.last)
        self.last = done
        self.callback(done, self.total)

    def _position(self) -> int:
        try:
            if self.fd is None:
                for name in os.listdir("/proc/self/fd"):
                    try:
                        if os.readlink(f"/proc/self/fd/{name}") == self.real:
                            self.fd = int(name)
                            break
                    except OSError:
                        continue
            if self.fd is None:
                return 0
            with open(f"/proc/self/fdinfo/{self.fd}", encoding="ascii") as info:
                for line in info:
                    if line.startswith("pos:"):
                        return int(line.split()[1])
        except (OSError, ValueError):
            pass
        return 0


# --- reading -----------------------------------------------------------------------------------


@dataclass
class _Relation:
    osm_id: int
    tags: dict[str, str]
    members: list[tuple[int, str]]  # (way id, role)
    is_place: bool


@dataclass
class _State:
    bbox: tuple[float, float, float, float] | None
    ids: array[int] = field(default_factory=lambda: array("q"))
    lat: array[float] = field(default_factory=lambda: array("d"))
    lon: array[float] = field(default_factory=lambda: array("d"))
    features: list[Feature] = field(default_factory=list)
    relations: list[_Relation] = field(default_factory=list)
    member_ways: set[int] = field(default_factory=set)
    member_coords: dict[int, list[npt.NDArray[np.float64]]] = field(default_factory=dict)
    way_ids: list[int] = field(default_factory=list)
    way_nodes: list[npt.NDArray[np.int64]] = field(default_factory=list)
    way_tags: list[dict[str, str]] = field(default_factory=list)
    gap_nodes: list[npt.NDArray[np.int64]] = field(default_factory=list)
    basemap: Basemap = field(default_factory=Basemap)
    skipped: Counter[str] = field(default_factory=Counter)
    used: npt.NDArray[np.bool_] | None = None  # nodes referenced by any way (bounds heuristic)
    latest: str | None = None


def read(
    path: str | os.PathLike[str],
    *,
    bbox: tuple[float, float, float, float] | None = None,
    margin_m: float = DEFAULT_MARGIN_M,
    progress: ProgressCallback | None = None,
) -> MapData:
    """Read an extract; ``bbox`` = (south, west, north, east) of interest, widened by ``margin_m``.

    Raises ``OSError`` when the file cannot be read and ``ValueError`` when it is not OSM data.
    """
    file = Path(path)
    if not file.is_file():
        raise FileNotFoundError(f"no such file: {file}")
    reporter = _Progress(file, progress)
    header_box, timestamp = _header(file)
    wanted = _widen(bbox, margin_m) if bbox is not None else None
    if wanted is not None and header_box is not None:
        wanted = _intersect(wanted, header_box) or wanted
    state = _State(bbox=wanted)
    try:
        reporter.start_pass(0)
        _pass_nodes_and_relations(file, state, reporter)
        node_ids, lat, lon = _node_arrays(state)
        if header_box is None:
            state.used = np.zeros(node_ids.size, dtype=bool)
        reporter.start_pass(1)
        _pass_ways(file, state, node_ids, lat, lon, reporter)
    except RuntimeError as exc:  # libosmium's parse errors
        raise ValueError(f"{file.name} is not a readable OSM file: {exc}") from exc
    _assemble_relations(state)
    reporter.finish()
    bounds = _known_world(wanted, header_box, state, lat, lon)
    return _finish(state, bounds, node_ids, lat, lon, timestamp or state.latest)


def _header(file: Path) -> tuple[tuple[float, float, float, float] | None, str | None]:
    try:
        reader = osmium.io.Reader(str(file), osmium.osm.osm_entity_bits.NOTHING)
    except RuntimeError as exc:
        raise ValueError(f"{file.name} is not a readable OSM file: {exc}") from exc
    try:
        try:
            header = reader.header()
        except RuntimeError as exc:
            raise ValueError(f"{file.name} is not a readable OSM file: {exc}") from exc
        box = header.box()
        bounds = None
        if box.valid():
            bounds = (
                box.bottom_left.lat,
                box.bottom_left.lon,
                box.top_right.lat,
                box.top_right.lon,
            )
        stamp = header.get("osmosis_replication_timestamp") or header.get("timestamp") or None
        return bounds, stamp or _xml_osm_base(file)
    finally:
        reader.close()


def _xml_osm_base(file: Path) -> str | None:
    """The ``<meta osm_base="…"/>`` of an Overpass XML export (libosmium does not read it)."""
    try:
        with file.open("rb") as handle:
            head = handle.read(4096)
    except OSError:
        return None
    start = head.find(b'osm_base="')
    if not head.lstrip().startswith(b"<") or start < 0:
        return None
    end = head.find(b'"', start + 10)
    return head[start + 10 : end].decode("ascii", "replace") if end > 0 else None


def _widen(
    bbox: tuple[float, float, float, float], margin_m: float
) -> tuple[float, float, float, float]:
    south, west, north, east = bbox
    if south > north or west > east:
        raise ValueError(f"bounding box must be (south, west, north, east), got {bbox}")
    dlat = margin_m / _M_PER_DEG
    dlon = margin_m / (_M_PER_DEG * max(0.01, math.cos(math.radians(max(abs(south), abs(north))))))
    return (
        max(-90.0, south - dlat),
        max(-180.0, west - dlon),
        min(90.0, north + dlat),
        min(180.0, east + dlon),
    )


def _intersect(
    a: tuple[float, float, float, float], b: tuple[float, float, float, float]
) -> tuple[float, float, float, float] | None:
    south, west = max(a[0], b[0]), max(a[1], b[1])
    north, east = min(a[2], b[2]), min(a[3], b[3])
    if south >= north or west >= east:
        return None
    return (south, west, north, east)


def _pass_nodes_and_relations(file: Path, state: _State, reporter: _Progress) -> None:
    bbox = state.bbox
    south, west, north, east = bbox if bbox is not None else (-90.0, -180.0, 90.0, 180.0)
    ids, lats, lons = state.ids, state.lat, state.lon
    entities = osmium.osm.NODE | osmium.osm.RELATION
    objects: Iterable[Any] = osmium.FileProcessor(str(file), entities)
    for obj in objects:
        reporter.tick()
        if obj.is_node():
            location = obj.location
            if not location.valid():
                state.skipped["node_bad_coordinates"] += 1
                continue
            lat, lon = location.lat, location.lon
            if bbox is not None and not (south <= lat <= north and west <= lon <= east):
                continue
            ids.append(obj.id)
            lats.append(lat)
            lons.append(lon)
            tags = obj.tags
            if len(tags) and could_be_place(tags):
                state.features.append(Feature("node", obj.id, dict(tags), lat, lon))
        elif obj.is_relation():
            tags = obj.tags
            if tags.get("type") not in MULTIPOLYGON_TYPES:
                continue
            is_place = could_be_place(tags)
            if not (is_place or _is_green(tags) or _is_water(tags) or _is_building(tags)):
                continue
            members = [(m.ref, m.role) for m in obj.members if m.type == "w"]
            if not members:
                state.skipped["relation_broken"] += 1
                continue
            state.relations.append(_Relation(obj.id, dict(tags), members, is_place))
            state.member_ways.update(ref for ref, _ in members)


def _node_arrays(
    state: _State,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    ids = np.frombuffer(state.ids, dtype=np.int64) if len(state.ids) else np.zeros(0, np.int64)
    lat = np.frombuffer(state.lat, dtype=np.float64) if len(state.lat) else np.zeros(0)
    lon = np.frombuffer(state.lon, dtype=np.float64) if len(state.lon) else np.zeros(0)
    if ids.size > 1 and not bool(np.all(ids[1:] > ids[:-1])):
        order = np.argsort(ids, kind="stable")
        ids, lat, lon = ids[order], lat[order], lon[order]
        keep = np.ones(ids.size, dtype=bool)
        keep[1:] = ids[1:] != ids[:-1]
        ids, lat, lon = ids[keep], lat[keep], lon[keep]
    else:
        ids, lat, lon = ids.copy(), lat.copy(), lon.copy()
    state.ids, state.lat, state.lon = array("q"), array("d"), array("d")  # free
    return ids, lat, lon


def _runs(found: npt.NDArray[np.bool_]) -> list[tuple[int, int]]:
    """(start, stop) of the runs of True."""
    padded = np.concatenate(([False], found, [False]))
    changes = np.flatnonzero(padded[1:] != padded[:-1])
    return list(zip(changes[0::2].tolist(), changes[1::2].tolist(), strict=True))


def _pass_ways(
    file: Path,
    state: _State,
    node_ids: npt.NDArray[np.int64],
    lat: npt.NDArray[np.float64],
    lon: npt.NDArray[np.float64],
    reporter: _Progress,
) -> None:
    cut_by_bbox = state.bbox is not None
    basemap = state.basemap
    member_ways = state.member_ways
    used = state.used
    count = node_ids.size
    latest = ""
    ways: Iterable[Any] = osmium.FileProcessor(str(file), osmium.osm.WAY)
    for way in ways:
        reporter.tick()
        tags = way.tags
        is_member = way.id in member_ways
        if not len(tags) and not is_member and used is None:
            continue
        highway = tags.get("highway")
        is_network = highway in NETWORK_HIGHWAYS
        is_place = len(tags) > 0 and could_be_place(tags)
        street_rank = STREET_RANKS.get(highway) if highway is not None else None
        is_path = highway in PATH_HIGHWAYS
        area_kind = (
            "green" if _is_green(tags) else "water" if _is_water(tags) else
            "building" if _is_building(tags) else None
        )  # fmt: skip
        waterway = tags.get("waterway") in WATERWAYS
        rail = tags.get("railway") in RAILWAYS
        wanted = (
            is_network or is_place or is_member or street_rank is not None or is_path
            or area_kind is not None or waterway or rail
        )  # fmt: skip
        if not wanted and used is None:
            continue
        refs = np.fromiter((n.ref for n in way.nodes), dtype=np.int64)
        if refs.size == 0:
            continue
        pos = np.searchsorted(node_ids, refs)
        pos[pos >= count] = 0
        found = node_ids[pos] == refs if count else np.zeros(refs.size, dtype=bool)
        if used is not None:
            used[pos[found]] = True
        if not wanted:
            continue
        stamp = way.timestamp
        if stamp is not None:
            text = stamp.isoformat()
            if text > latest:
                latest = text
        complete = bool(found.all())
        if not complete:
            if not found.any():
                continue  # wholly outside the bounding box (or all its nodes missing)
            if not cut_by_bbox:
                state.skipped["way_missing_nodes"] += 1
        runs = [(a, b) for a, b in _runs(found) if b - a >= 2] if not complete else [(0, refs.size)]
        closed = complete and refs.size >= 4 and refs[0] == refs[-1]
        tag_dict = dict(tags)
        if is_network:
            for a, b in runs:
                state.way_ids.append(way.id)
                state.way_nodes.append(pos[a:b].copy())
                state.way_tags.append(tag_dict)
            if not complete:
                # The known nodes next to a missing one: the network is cut there.
                prev_missing = np.concatenate(([False], ~found[:-1]))
                next_missing = np.concatenate((~found[1:], [False]))
                gap = found & (prev_missing | next_missing)
                state.gap_nodes.append(pos[gap])
        line_coords = [_coords(lon[pos[a:b]], lat[pos[a:b]]) for a, b in runs]
        if street_rank is not None and not _in_tunnel(tags) and tags.get("area") != "yes":
            basemap.streets.extend(line_coords)
            basemap.street_ranks.extend([street_rank] * len(line_coords))
        elif is_path and not _in_tunnel(tags):
            basemap.paths.extend(line_coords)
        if waterway and tags.get("tunnel") is None:
            basemap.waterways.extend(line_coords)
        if rail and not _in_tunnel(tags):
            basemap.rail.extend(line_coords)
        if closed and area_kind is not None and not _in_tunnel(tags):
            getattr(basemap, "buildings" if area_kind == "building" else area_kind).append(
                line_coords[0]
            )
        if is_member and runs:
            state.member_coords[way.id] = [
                np.column_stack((lon[pos[a:b]], lat[pos[a:b]])) for a, b in runs
            ]
            if not complete:
                state.member_coords[way.id].append(np.zeros((0, 2)))  # marks "incomplete"
        if is_place:
            known = pos[found]
            state.features.append(_way_feature(way.id, tag_dict, lon[known], lat[known], closed))
    if latest:
        state.latest = latest


def _coords(lon: npt.NDArray[np.float64], lat: npt.NDArray[np.float64]) -> Coords:
    return list(zip(lon.tolist(), lat.tolist(), strict=True))


def _area_m2(ring: npt.NDArray[np.float64]) -> float:
    """Area of a (lon, lat) ring in square metres (local equirectangular projection)."""
    if ring.shape[0] < 4:
        return 0.0
    scale = math.cos(math.radians(float(ring[:, 1].mean())))
    x = ring[:, 0] * _M_PER_DEG * scale
    y = ring[:, 1] * _M_PER_DEG
    return float(abs(np.dot(x[:-1], y[1:]) - np.dot(x[1:], y[:-1])) / 2.0)


def _way_feature(
    osm_id: int,
    tags: dict[str, str],
    lon: npt.NDArray[np.float64],
    lat: npt.NDArray[np.float64],
    closed: bool,
) -> Feature:
    if closed and lon.size >= 4:
        ring = np.column_stack((lon, lat))
        point_lat, point_lon = _point_inside(ring)
        return Feature("way", osm_id, tags, point_lat, point_lon, _area_m2(ring), _coords(lon, lat))
    return Feature("way", osm_id, tags, float(lat.mean()), float(lon.mean()))


def _point_inside(ring: npt.NDArray[np.float64]) -> tuple[float, float]:
    """The centroid of a ring when it lies inside, else a point inside; (lat, lon)."""
    import shapely

    polygon = shapely.Polygon(ring)
    if not polygon.is_valid:
        polygon = polygon.buffer(0)
    if polygon.is_empty:
        return float(ring[:, 1].mean()), float(ring[:, 0].mean())
    point = polygon.centroid
    if not polygon.contains(point):
        point = polygon.point_on_surface()
    return float(point.y), float(point.x)


def _assemble_relations(state: _State) -> None:
    import shapely

    for relation in state.relations:
        outer: list[npt.NDArray[np.float64]] = []
        inner: list[npt.NDArray[np.float64]] = []
        missing = False
        for ref, role in relation.members:
            parts = state.member_coords.get(ref)
            if parts is None:
                missing = True
                continue
            for part in parts:
                if part.shape[0] == 0:
                    missing = True
                elif part.shape[0] >= 2:
                    (inner if role == "inner" else outer).append(part)
        if missing and state.bbox is None:
            state.skipped["relation_missing_members"] += 1
        polygons = _polygonize(outer)
        if not polygons:
            if state.bbox is None or not missing:
                state.skipped["relation_broken"] += 1
            continue
        holes = _polygonize(inner)
        tags = relation.tags
        rings = [np.asarray(p.exterior.coords) for p in polygons]
        area = sum(_area_m2(r) for r in rings) - sum(
            _area_m2(np.asarray(h.exterior.coords)) for h in holes
        )
        if _in_tunnel(tags):
            pass
        elif _is_green(tags):
            state.basemap.green.extend(_coords(r[:, 0], r[:, 1]) for r in rings)
        elif _is_water(tags):
            state.basemap.water.extend(_coords(r[:, 0], r[:, 1]) for r in rings)
        elif _is_building(tags):
            state.basemap.buildings.extend(_coords(r[:, 0], r[:, 1]) for r in rings)
        if relation.is_place:
            largest = max(rings, key=_area_m2)
            shape = shapely.MultiPolygon(polygons)
            if holes:
                shape = shape.difference(shapely.union_all(holes))
            point = shape.centroid if not shape.is_empty else shapely.Point(largest[0])
            if not shape.is_empty and not shape.contains(point):
                point = shape.point_on_surface()
            state.features.append(
                Feature(
                    "relation",
                    relation.osm_id,
                    tags,
                    float(point.y),
                    float(point.x),
                    max(area, 0.0),
                    _coords(largest[:, 0], largest[:, 1]),
                )
            )
    state.member_coords.clear()


def _polygonize(lines: list[npt.NDArray[np.float64]]) -> list[Any]:
    """Closed rings from member ways (joined end to end where needed)."""
    import shapely

    if not lines:
        return []
    geometries = [shapely.LineString(line) for line in lines]
    merged = shapely.union_all(geometries)  # nodes the lines where they meet
    found = shapely.get_parts(shapely.polygonize(shapely.get_parts(merged)))
    polygons = [p for p in found if p.area > 0]
    if len(polygons) > 1:
        # polygonize also returns the holes between rings: keep the outermost ones.
        polygons = [p for p in polygons if not any(q is not p and q.contains(p) for q in polygons)]
    return polygons


def _known_world(
    wanted: tuple[float, float, float, float] | None,
    header_box: tuple[float, float, float, float] | None,
    state: _State,
    lat: npt.NDArray[np.float64],
    lon: npt.NDArray[np.float64],
) -> tuple[float, float, float, float]:
    if header_box is not None:
        return wanted or header_box  # (wanted is already cut to the header's bounds)
    if lat.size == 0:
        return wanted or (0.0, 0.0, 0.0, 0.0)
    extent = (float(lat.min()), float(lon.min()), float(lat.max()), float(lon.max()))
    if wanted is not None:
        extent = _intersect(extent, wanted) or wanted
    if state.used is None:
        return extent
    free = ~state.used
    if int(free.sum()) < MIN_FREE_NODES:
        return extent
    core = (
        float(lat[free].min()),
        float(lon[free].min()),
        float(lat[free].max()),
        float(lon[free].max()),
    )
    if wanted is not None:
        # Within a requested box the free nodes thin out by chance near its border: only where
        # they stop well inside it does the file itself end there.
        dlat = FREE_NODE_SNAP_M / _M_PER_DEG
        dlon = FREE_NODE_SNAP_M / (_M_PER_DEG * math.cos(math.radians(core[0])))
        core = (
            core[0] if core[0] - wanted[0] > dlat else wanted[0],
            core[1] if core[1] - wanted[1] > dlon else wanted[1],
            core[2] if wanted[2] - core[2] > dlat else wanted[2],
            core[3] if wanted[3] - core[3] > dlon else wanted[3],
        )
    return _intersect(core, extent) or extent


def _finish(
    state: _State,
    bounds: tuple[float, float, float, float],
    node_ids: npt.NDArray[np.int64],
    lat: npt.NDArray[np.float64],
    lon: npt.NDArray[np.float64],
    timestamp: str | None,
) -> MapData:
    # Keep only the network's nodes; remap the ways' positions to the compacted arrays.
    if state.way_nodes:
        used = np.unique(np.concatenate(state.way_nodes))
    else:
        used = np.zeros(0, dtype=np.int64)
    way_nodes = [np.searchsorted(used, nodes).astype(np.int64) for nodes in state.way_nodes]
    kept_ids, kept_lat, kept_lon = node_ids[used], lat[used], lon[used]
    edge = np.zeros(used.size, dtype=bool)
    if state.gap_nodes:
        edge[np.searchsorted(used, np.concatenate(state.gap_nodes))] = True
    if used.size:
        edge |= border_metres(kept_lat, kept_lon, bounds) < EDGE_BORDER_M
    return MapData(
        bbox=bounds,
        node_ids=kept_ids,
        lat=kept_lat,
        lon=kept_lon,
        way_ids=state.way_ids,
        way_nodes=way_nodes,
        way_tags=state.way_tags,
        features=state.features,
        basemap=state.basemap,
        skipped=state.skipped,
        edge_node_ids=kept_ids[edge],
        data_timestamp=timestamp,
    )
