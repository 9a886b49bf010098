"""How far one gets on foot or by bike: travel distances over a network and the reachable area.

:func:`travel` snaps the start to the network (the nearest vertex of a connected part of at
least 50 vertices among the 8 nearest, so an isolated bit of footway in a schoolyard does not
trap the search; the straight access from the point to that vertex is paid from the budget),
then runs Dijkstra (``scipy.sparse.csgraph``) limited to speed × minutes.

:func:`area` turns that into the reachable area: the reached segments (a partly reached one cut
at the remaining distance) are joined into chains between junctions, each chain is buffered by
``BUFFER_M`` and the buffers merged (many times faster than buffering one combined geometry, and
twice as fast as buffering each segment); holes smaller than ``HOLE_FILL_M2`` (city blocks
between reached streets, lawns between paths) are filled and the outline simplified by
``SIMPLIFY_M``. Metres in a local equirectangular projection about the start.

``Reach.touches_edge``: a reached vertex is where the data end (an edge node of the reader, see
``osm``), or lies within the buffer of the border of ``MapData.bbox`` — the area may be cut.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely
from scipy.sparse.csgraph import dijkstra

from borneliv.nearby.network import Network
from borneliv.nearby.types import Coords, MapData, Reach

#: Buffer around reached segments, metres.
BUFFER_M: dict[str, float] = {"walk": 30.0, "bike": 40.0}
#: Holes smaller than this are filled: the blocks between reached streets and the lawns between a
#: park's paths are within reach too; only something as large as a lake ringed by paths stays out.
HOLE_FILL_M2 = 1_000_000.0
#: Outline simplification tolerance, metres.
SIMPLIFY_M = 5.0
#: A start farther than this from the network lies outside the map data.
MAX_SNAP_M = 500.0

_M_PER_DEG = 111_320.0


class OutsideDataError(ValueError):
    """The point is not on (or near) the network of the map data."""


@dataclass
class Travel:
    """Distances from one start over one network, within a time limit."""

    network: Network
    speed_kmh: float
    minutes: float
    lat: float
    lon: float
    start_vertex: int
    snap_m: float  # straight line from the point to the start vertex
    budget_m: float  # metres left for the network after the access
    dist_m: npt.NDArray[
        np.float64
    ]  # per vertex: network metres from the start vertex (inf: beyond)

    @property
    def reached(self) -> npt.NDArray[np.bool_]:
        return np.isfinite(self.dist_m)


def travel(network: Network, lat: float, lon: float, *, speed_kmh: float, minutes: float) -> Travel:
    """Network distances from the point, up to ``speed_kmh`` × ``minutes`` (access included)."""
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError(f"not a position: {lat}, {lon}")
    if speed_kmh <= 0 or minutes < 0:
        raise ValueError("speed must be positive and minutes not negative")
    if network.size == 0:
        raise OutsideDataError(f"the map data have no {network.mode} network")
    vertex, metres = network.nearest(np.array([lat]), np.array([lon]))
    start, snap = int(vertex[0]), float(metres[0])
    if snap > MAX_SNAP_M:
        raise OutsideDataError(
            f"the point {lat:.5f}, {lon:.5f} is {snap:,.0f} m from the nearest {network.mode} "
            "way of the map data: outside the data?"
        )
    limit = speed_kmh * 1000.0 / 60.0 * minutes
    budget = max(0.0, limit - snap)
    dist = dijkstra(network.graph, directed=True, indices=start, limit=budget)
    dist = np.asarray(dist, dtype=np.float64)
    dist[dist > budget] = np.inf
    return Travel(network, speed_kmh, minutes, lat, lon, start, snap, budget, dist)


def _local(
    lat: npt.NDArray[np.float64], lon: npt.NDArray[np.float64], lat0: float, lon0: float
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    scale = math.cos(math.radians(lat0)) * _M_PER_DEG
    return (np.asarray(lon) - lon0) * scale, (np.asarray(lat) - lat0) * _M_PER_DEG


def _reached_segments(trip: Travel) -> npt.NDArray[np.float64]:
    """(k, 2, 2) local coordinates of the reached parts of segments, plus the access line."""
    net = trip.network
    x, y = _local(net.lat, net.lon, trip.lat, trip.lon)
    du = trip.dist_m[net.edge_u]
    on = np.isfinite(du)
    u, v, length = net.edge_u[on], net.edge_v[on], net.edge_m[on]
    got = np.minimum(length, trip.budget_m - du[on])
    full = got >= length - 1e-6
    # A fully reached segment of a two-way street appears twice: keep it once.
    lo, hi = np.minimum(u, v), np.maximum(u, v)
    key = lo.astype(np.int64) * max(net.size, 1) + hi
    full_idx = np.flatnonzero(full)
    _, first = np.unique(key[full_idx], return_index=True)
    part_idx = np.flatnonzero(~full & (got > 0.5))
    chosen = np.concatenate((full_idx[first], part_idx))
    u, v = u[chosen], v[chosen]
    fraction = np.where(full[chosen], 1.0, got[chosen] / np.maximum(length[chosen], 1e-9))
    x0, y0 = x[u], y[u]
    x1 = x0 + (x[v] - x0) * fraction
    y1 = y0 + (y[v] - y0) * fraction
    segments = np.stack((np.column_stack((x0, y0)), np.column_stack((x1, y1))), axis=1)
    access = np.array([[[0.0, 0.0], [x[trip.start_vertex], y[trip.start_vertex]]]])
    return np.concatenate((access, segments)) if segments.size else access


def _fill_small_holes(geometry: shapely.Geometry, max_area: float) -> shapely.Geometry:
    polygons = []
    for polygon in shapely.get_parts(geometry):
        holes = [ring for ring in polygon.interiors if shapely.Polygon(ring).area >= max_area]
        polygons.append(shapely.Polygon(polygon.exterior, holes))
    return shapely.MultiPolygon(polygons) if len(polygons) != 1 else polygons[0]


def area(trip: Travel, *, buffer_m: float | None = None) -> Reach:
    """The reachable area of a travel as polygons, with ``touches_edge`` and the reached count."""
    net = trip.network
    buffer = BUFFER_M[net.mode] if buffer_m is None else buffer_m
    segments = _reached_segments(trip)
    # Chains between junctions first: fewer, longer buffers merge about twice as fast.
    chains = shapely.get_parts(
        shapely.line_merge(shapely.multilinestrings(shapely.linestrings(segments)))
    )
    merged = shapely.union_all(shapely.buffer(chains, buffer, quad_segs=3))
    merged = _fill_small_holes(merged, HOLE_FILL_M2)
    merged = shapely.simplify(merged, SIMPLIFY_M, preserve_topology=True)
    scale = math.cos(math.radians(trip.lat)) * _M_PER_DEG

    def to_degrees(xy: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        return np.column_stack((xy[:, 0] / scale + trip.lon, xy[:, 1] / _M_PER_DEG + trip.lat))

    merged = shapely.transform(merged, to_degrees)
    polygons: list[list[Coords]] = []
    for polygon in shapely.get_parts(merged):
        if polygon.is_empty:
            continue
        rings = [polygon.exterior, *polygon.interiors]
        polygons.append([[(float(a), float(b)) for a, b in ring.coords] for ring in rings])
    reached = trip.reached
    touches = bool(net.edge_vertex[reached].any() or (net.border_m[reached] < buffer).any())
    return Reach(
        mode=net.mode,
        speed_kmh=trip.speed_kmh,
        limit_minutes=trip.minutes,
        polygons=polygons,
        touches_edge=touches,
        reached_nodes=int(reached.sum()),
    )


def reach(
    network: Network,
    data: MapData,
    lat: float,
    lon: float,
    *,
    speed_kmh: float,
    minutes: float,
) -> Reach:
    """The area reachable from the point within ``minutes`` at ``speed_kmh`` over ``network``."""
    del data  # the network carries what it needs of the data (edge nodes, border)
    return area(travel(network, lat, lon, speed_kmh=speed_kmh, minutes=minutes))
