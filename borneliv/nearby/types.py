"""Plain data passed between the Nærhedscirkel's engines (no Django): the map data read from an
OpenStreetMap extract, a computed circle, and what the poster and the web map draw.

Coordinates are WGS84 degrees (``lat``, ``lon``); distances metres; times minutes.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

Mode = Literal["walk", "bike"]
#: One line or ring as (lon, lat) pairs, in order.
Coords = list[tuple[float, float]]


@dataclass
class Feature:
    """An OSM element that may become a place: its tags and a representative point."""

    osm_type: Literal["node", "way", "relation"]
    osm_id: int
    tags: dict[str, str]
    lat: float
    lon: float
    area_m2: float = 0.0  # the outline's area; 0 for nodes and open ways
    # The outer ring (the largest, for a multipolygon) as (lon, lat) pairs; empty for nodes and
    # open ways. Used to reach a big area at its nearest edge and to merge a node inside it.
    outline: Coords = field(default_factory=list)


@dataclass
class Basemap:
    """What the poster and the web map draw under the circle, clipped to a bounding box."""

    streets: list[Coords] = field(default_factory=list)  # roads cars use
    paths: list[Coords] = field(default_factory=list)  # footways, cycleways, paths, tracks
    green: list[Coords] = field(default_factory=list)  # closed rings: parks, woods, grass
    water: list[Coords] = field(default_factory=list)  # closed rings: lakes, sea, ponds
    waterways: list[Coords] = field(default_factory=list)  # lines: streams, canals
    buildings: list[Coords] = field(default_factory=list)  # closed rings
    rail: list[Coords] = field(default_factory=list)
    # Per street (parallel to ``streets``): 0 main road (trunk, primary, secondary), 1 tertiary or
    # unclassified, 2 residential, service or living street. Empty when unknown.
    street_ranks: list[int] = field(default_factory=list)


@dataclass
class MapData:
    """What was read from an extract (optionally cut to a bounding box)."""

    # (south, west, north, east) of the data actually held: the edge of the known world.
    bbox: tuple[float, float, float, float]
    node_ids: npt.NDArray[np.int64]  # OSM ids of the nodes kept, sorted
    lat: npt.NDArray[np.float64]  # per node
    lon: npt.NDArray[np.float64]
    # Ways that can carry walking or cycling: OSM id, node positions (into node_ids), tags.
    way_ids: list[int]
    way_nodes: list[npt.NDArray[np.int64]]
    way_tags: list[dict[str, str]]
    features: list[Feature]  # candidate places (tagged nodes, ways, multipolygons)
    basemap: Basemap
    # Problems skipped, by kind: "way_missing_nodes", "relation_broken", "node_bad_coordinates", …
    skipped: Counter[str] = field(default_factory=Counter)
    # Nodes that lie on a way cut at the data edge (a way with nodes outside the data): the
    # network ends there, so reaching one means the area may be cut.
    edge_node_ids: npt.NDArray[np.int64] = field(
        default_factory=lambda: np.zeros(0, dtype=np.int64)
    )
    data_timestamp: str | None = None  # the extract's timestamp, when the file says


@dataclass(frozen=True)
class Settings:
    walk_kmh: float = 4.5
    bike_kmh: float = 15.0
    walk_minutes: float = 15.0
    bike_minutes: float = 10.0


@dataclass
class Place:
    """A candidate on the circle, with its walking and cycling minutes (None: not reachable)."""

    key: str  # stable: "osm:node/123" (or "osm:way/…", "osm:relation/…")
    osm_type: str
    osm_id: int
    category: str  # a code of the category table (places.CATEGORIES)
    name: str
    lat: float
    lon: float
    walk_minutes: float | None
    bike_minutes: float | None
    tags: dict[str, str] = field(default_factory=dict)
    # False: OSM gives no name; ``name`` is then made of the place's kind and the nearest named
    # street or place, in Danish ("Legeplads ved Langøgade", places.made_names), and ``name_en``
    # is the same in English ("Playground near Langøgade").
    named: bool = True
    name_en: str = ""  # empty where OSM names the place: ``name`` is its name in any language


@dataclass
class Reach:
    mode: Mode
    speed_kmh: float
    limit_minutes: float
    # The reachable area as a GeoJSON-like geometry: a list of polygons, each a list of rings
    # (the first the outline, the rest holes), rings as (lon, lat) pairs.
    polygons: list[list[Coords]]
    touches_edge: bool  # the walk/ride reached the edge of the data within the limit
    reached_nodes: int


@dataclass
class Circle:
    """Everything the engines compute for one point: the poster and the pages draw this."""

    lat: float
    lon: float
    settings: Settings
    walk: Reach
    bike: Reach
    places: list[Place]
    basemap: Basemap  # clipped to the bounding box of both areas plus a margin
    bbox: tuple[float, float, float, float]  # (south, west, north, east) to draw
    start_snapped_metres: float  # distance from the point to the network's nearest node
    # (south, west, north, east) of the data the circle was computed from (MapData.bbox): the
    # poster marks this edge when it cuts the area. None when unknown.
    data_bbox: tuple[float, float, float, float] | None = None

    @property
    def cut_by_edge(self) -> bool:
        return self.walk.touches_edge or self.bike.touches_edge
