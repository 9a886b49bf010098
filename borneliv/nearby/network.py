"""Walking and cycling networks from the ways of :class:`MapData`, with Danish access rules.

Each OSM segment (two consecutive nodes of a way) is one edge weighted by its length in metres
(haversine). The graph is a ``scipy.sparse`` CSR matrix over the network's own vertices (the
nodes its ways use); parallel edges keep the shortest.

Walking (``walk``): footway, path, pedestrian, living street, residential, service, track,
steps, unclassified, tertiary, secondary and primary roads (and their links), ``road``, and
cycleways unless ``foot=no``. Primary and secondary roads are assumed to have sidewalks or a
verge one may walk on (Danish law lets pedestrians walk along any road but a motorway or a
``motortrafikvej``), so only ``foot=no`` closes them. Motorways, trunk roads and
``motorroad=yes`` are never walked. Excluded: ``foot=no|private``, and ``access=no|private``
unless ``foot=yes|designated|permissive``. One-way tags do not bind pedestrians.

Cycling (``bike``): cycleway; path, track and bridleway unless ``bicycle=no``; living street,
residential, service, unclassified, tertiary, secondary, primary (and links), ``road``; footway
and pedestrian streets only with ``bicycle=yes|designated|permissive``; steps never.
Excluded: ``bicycle=no|private|dismount``, and ``access=no|private`` unless
``bicycle=yes|designated|permissive``. One-way: ``oneway=yes|true|1`` (forward) or ``-1``
(backward), and roundabouts, bind cyclists unless ``oneway:bicycle=no`` or a contraflow
``cycleway*=opposite*`` (or ``cycleway:<side>:oneway=no``); ``oneway:bicycle=yes|-1`` binds
them on its own.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix

from borneliv.nearby.geo import haversine_m
from borneliv.nearby.types import MapData, Mode

WALK_HIGHWAYS = frozenset(
    {
        "footway", "path", "pedestrian", "living_street", "residential", "service", "track",
        "steps", "unclassified", "tertiary", "tertiary_link", "secondary", "secondary_link",
        "primary", "primary_link", "road", "cycleway", "bridleway", "corridor",
    }
)  # fmt: skip
BIKE_HIGHWAYS = frozenset(
    {
        "cycleway", "path", "track", "bridleway", "living_street", "residential", "service",
        "unclassified", "tertiary", "tertiary_link", "secondary", "secondary_link", "primary",
        "primary_link", "road", "footway", "pedestrian",
    }
)  # fmt: skip
#: Every highway value the reader keeps for the networks.
NETWORK_HIGHWAYS = WALK_HIGHWAYS | BIKE_HIGHWAYS

_ALLOW = frozenset({"yes", "designated", "permissive", "official"})
_CLOSED = frozenset({"no", "private"})
_ONEWAY_FORWARD = frozenset({"yes", "true", "1"})
_ONEWAY_BACKWARD = frozenset({"-1", "reverse"})
_M_PER_DEG = 111_320.0


def walkable(tags: dict[str, str]) -> bool:
    """May a pedestrian use this way?"""
    highway = tags.get("highway")
    if highway not in WALK_HIGHWAYS or tags.get("motorroad") == "yes":
        return False
    if highway == "bridleway" and tags.get("foot") not in _ALLOW:
        return False  # Danish ridestier: horses only unless signed
    foot = tags.get("foot")
    if foot in _CLOSED:
        return False
    if tags.get("access") in _CLOSED and foot not in _ALLOW:
        return False
    return not (highway == "corridor" and tags.get("access") not in _ALLOW and foot not in _ALLOW)


def bikeable(tags: dict[str, str]) -> bool:
    """May a cyclist ride this way?"""
    highway = tags.get("highway")
    if highway not in BIKE_HIGHWAYS or tags.get("motorroad") == "yes":
        return False
    bicycle = tags.get("bicycle")
    if bicycle in _CLOSED or bicycle == "dismount":
        return False
    if highway in ("footway", "pedestrian") and bicycle not in _ALLOW:
        return False
    if highway == "bridleway" and bicycle not in _ALLOW:
        return False
    return not (tags.get("access") in _CLOSED and bicycle not in _ALLOW)


def bike_direction(tags: dict[str, str]) -> int:
    """1: forward only, -1: backward only, 0: both ways (for a cyclist)."""
    own = tags.get("oneway:bicycle")
    if own == "no":
        return 0
    if own in _ONEWAY_FORWARD:
        return 1
    if own in _ONEWAY_BACKWARD:
        return -1
    oneway = tags.get("oneway")
    if oneway in _ONEWAY_FORWARD:
        direction = 1
    elif oneway in _ONEWAY_BACKWARD:
        direction = -1
    elif tags.get("junction") in ("roundabout", "circular") and oneway != "no":
        direction = 1
    else:
        return 0
    for key in ("cycleway", "cycleway:left", "cycleway:right", "cycleway:both"):
        if tags.get(key, "").startswith("opposite"):
            return 0
        if tags.get(f"{key}:oneway") == "no":
            return 0
    return direction


@dataclass
class Network:
    """A directed graph of one mode over the vertices its ways use."""

    mode: Mode
    vertex_node: npt.NDArray[np.int64]  # per vertex: position into MapData.node_ids
    lat: npt.NDArray[np.float64]
    lon: npt.NDArray[np.float64]
    graph: csr_matrix  # vertices × vertices, metres
    edge_u: npt.NDArray[np.int64]  # the directed edges (each OSM segment once or twice)
    edge_v: npt.NDArray[np.int64]
    edge_m: npt.NDArray[np.float64]
    edge_vertex: npt.NDArray[np.bool_]  # the data end at this vertex (MapData.edge_node_ids)
    border_m: npt.NDArray[np.float64]  # distance to the border of MapData.bbox (negative: out)
    lat0: float  # the projection's reference latitude (for the KD-tree)
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def size(self) -> int:
        return int(self.vertex_node.size)

    def project(
        self, lat: npt.NDArray[np.float64], lon: npt.NDArray[np.float64]
    ) -> npt.NDArray[np.float64]:
        scale = math.cos(math.radians(self.lat0)) * _M_PER_DEG
        return np.column_stack((np.asarray(lon) * scale, np.asarray(lat) * _M_PER_DEG))

    def tree(self) -> Any:
        found = self._cache.get("tree")
        if found is None:
            from scipy.spatial import cKDTree

            found = cKDTree(self.project(self.lat, self.lon))
            self._cache["tree"] = found
        return found

    def in_main_part(self) -> npt.NDArray[np.bool_]:
        """Per vertex: part of a connected piece big enough to start from (not an islet)."""
        found = self._cache.get("main")
        if found is None:
            from scipy.sparse.csgraph import connected_components

            _, labels = connected_components(self.graph, directed=True, connection="weak")
            sizes = np.bincount(labels)
            threshold = min(50, int(sizes.max())) if sizes.size else 0
            found = sizes[labels] >= threshold
            self._cache["main"] = found
        return found

    def nearest(
        self, lat: npt.NDArray[np.float64], lon: npt.NDArray[np.float64], k: int = 8
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        """Per point: the nearest vertex of a main part among the ``k`` nearest, and metres.

        Falls back to the nearest vertex when none of the ``k`` is in a main part.
        """
        lat = np.atleast_1d(np.asarray(lat, dtype=np.float64))
        lon = np.atleast_1d(np.asarray(lon, dtype=np.float64))
        if self.size == 0 or lat.size == 0:
            return np.zeros(lat.size, dtype=np.int64), np.full(lat.size, np.inf)
        k = min(k, self.size)
        dist, index = self.tree().query(self.project(lat, lon), k=k)
        dist = np.asarray(dist, dtype=np.float64).reshape(lat.size, k)
        index = np.asarray(index, dtype=np.int64).reshape(lat.size, k)
        main = self.in_main_part()[index]
        column = np.where(main.any(axis=1), main.argmax(axis=1), 0)
        rows = np.arange(lat.size)
        chosen = index[rows, column]
        # Metres by haversine, not the projection's.
        metres = haversine_m(lat, lon, self.lat[chosen], self.lon[chosen])
        return chosen, metres


def border_metres(
    lat: npt.NDArray[np.float64],
    lon: npt.NDArray[np.float64],
    bbox: tuple[float, float, float, float],
) -> npt.NDArray[np.float64]:
    """Distance in metres from each point to the nearest border of ``bbox`` (negative outside)."""
    south, west, north, east = bbox
    scale = np.cos(np.radians(lat)) * _M_PER_DEG
    return np.asarray(
        np.minimum(
            np.minimum(lat - south, north - lat) * _M_PER_DEG,
            np.minimum(lon - west, east - lon) * scale,
        )
    )


def build(data: MapData, mode: Mode) -> Network:
    """The network of ``mode`` ("walk" or "bike") over ``data``'s ways."""
    if mode not in ("walk", "bike"):
        raise ValueError(f"mode must be 'walk' or 'bike', not {mode!r}")
    allowed = walkable if mode == "walk" else bikeable
    tails: list[npt.NDArray[np.int64]] = []
    heads: list[npt.NDArray[np.int64]] = []
    for nodes, tags in zip(data.way_nodes, data.way_tags, strict=True):
        if nodes.size < 2 or not allowed(tags):
            continue
        direction = bike_direction(tags) if mode == "bike" else 0
        a, b = nodes[:-1], nodes[1:]
        if direction >= 0:
            tails.append(a)
            heads.append(b)
        if direction <= 0:
            tails.append(b)
            heads.append(a)
    if tails:
        u_node = np.concatenate(tails)
        v_node = np.concatenate(heads)
    else:
        u_node = v_node = np.zeros(0, dtype=np.int64)
    keep = u_node != v_node
    u_node, v_node = u_node[keep], v_node[keep]
    vertex_node, inverse = np.unique(np.concatenate((u_node, v_node)), return_inverse=True)
    u = inverse[: u_node.size].astype(np.int64)
    v = inverse[u_node.size :].astype(np.int64)
    lat = data.lat[vertex_node]
    lon = data.lon[vertex_node]
    metres = haversine_m(lat[u], lon[u], lat[v], lon[v])
    # Parallel edges (two ways over the same nodes): keep the shortest.
    if u.size:
        order = np.lexsort((metres, v, u))
        u, v, metres = u[order], v[order], metres[order]
        first = np.ones(u.size, dtype=bool)
        first[1:] = (u[1:] != u[:-1]) | (v[1:] != v[:-1])
        u, v, metres = u[first], v[first], metres[first]
    n = int(vertex_node.size)
    # A zero-length segment (two nodes at one spot) must still be an edge: csgraph drops zeros.
    graph = csr_matrix((np.maximum(metres, 1e-3), (u, v)), shape=(n, n))
    edge_vertex = np.isin(data.node_ids[vertex_node], data.edge_node_ids)
    border = border_metres(lat, lon, data.bbox) if n else np.zeros(0)
    lat0 = float(np.mean(data.bbox[0::2])) if n else 0.0
    return Network(
        mode=mode,
        vertex_node=vertex_node.astype(np.int64),
        lat=lat,
        lon=lon,
        graph=graph,
        edge_u=u,
        edge_v=v,
        edge_m=metres,
        edge_vertex=edge_vertex,
        border_m=border,
        lat0=lat0,
    )
