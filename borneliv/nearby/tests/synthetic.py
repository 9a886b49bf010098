"""Hand-made map data for the engine tests: small grids and lines with known distances."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from borneliv.nearby.types import Basemap, Feature, MapData

LAT0 = 55.70
LON0 = 12.56
M_PER_DEG = 111_320.0
SHIPPED = Path(__file__).resolve().parents[1] / "data"
OSTERBRO = SHIPPED / "dk_copenhagen_osterbro_2017.osm.pbf"
NORTH_ZEALAND = SHIPPED / "dk_north_zealand_testmap_2024.osm"


def at(east_m: float, north_m: float) -> tuple[float, float]:
    """(lat, lon) of a point ``east_m``, ``north_m`` metres from (LAT0, LON0)."""
    return (
        LAT0 + north_m / M_PER_DEG,
        LON0 + east_m / (M_PER_DEG * math.cos(math.radians(LAT0))),
    )


def map_data(
    points: dict[int, tuple[float, float]],
    ways: list[tuple[list[int], dict[str, str]]],
    *,
    features: list[Feature] | None = None,
    edge: list[int] | None = None,
    margin_m: float = 2_000.0,
) -> MapData:
    """MapData from node positions in metres (id → (east, north)) and ways (node ids, tags)."""
    ids = np.array(sorted(points), dtype=np.int64)
    coords = [at(*points[int(i)]) for i in ids]
    lat = np.array([c[0] for c in coords])
    lon = np.array([c[1] for c in coords])
    dlat = margin_m / M_PER_DEG
    dlon = margin_m / (M_PER_DEG * math.cos(math.radians(LAT0)))
    bbox = (float(lat.min()) - dlat, float(lon.min()) - dlon, float(lat.max()) + dlat,
            float(lon.max()) + dlon)  # fmt: skip
    return MapData(
        bbox=bbox,
        node_ids=ids,
        lat=lat,
        lon=lon,
        way_ids=list(range(1, len(ways) + 1)),
        way_nodes=[np.searchsorted(ids, np.array(nodes)).astype(np.int64) for nodes, _ in ways],
        way_tags=[tags for _, tags in ways],
        features=features or [],
        basemap=Basemap(),
        edge_node_ids=np.array(edge or [], dtype=np.int64),
    )


def grid(size: int = 3, spacing_m: float = 100.0, highway: str = "residential") -> MapData:
    """A ``size`` × ``size`` street grid; node id = 1 + row * size + column, (0, 0) south-west."""
    points = {
        1 + row * size + col: (col * spacing_m, row * spacing_m)
        for row in range(size)
        for col in range(size)
    }
    ways = [([1 + row * size + col for col in range(size)], {"highway": highway})
            for row in range(size)]  # fmt: skip
    ways += [([1 + row * size + col for row in range(size)], {"highway": highway})
             for col in range(size)]  # fmt: skip
    return map_data(points, ways)
