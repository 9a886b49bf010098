"""The Nærhedscirkel engine: from map data and a point to a :class:`Circle` (no Django).

``read_extract(path)`` reads an extract once (``osm.read``); ``circle(data, lat, lon, settings)``
computes, for one point, both travel searches, both reachable areas, the places with walking
and cycling minutes and the base map clipped to what the circle shows. The networks, the place
catalogue and the base map's index are built on the first circle of a map and cached with it,
so further circles on the same map pay only for their own searches.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import fields
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely

from borneliv.nearby.network import Network, build
from borneliv.nearby.osm import DEFAULT_MARGIN_M, ProgressCallback, read
from borneliv.nearby.places import Category, cache_for, candidates
from borneliv.nearby.reach import OutsideDataError, area, travel
from borneliv.nearby.types import Basemap, Circle, Coords, MapData, Settings

__all__ = [
    "OutsideDataError",
    "circle",
    "clip_basemap",
    "networks",
    "read_extract",
]

#: Around the union of both areas (and the places), for the map drawn under them.
MAP_MARGIN_M = 150.0
_M_PER_DEG = 111_320.0


def read_extract(
    path: str | os.PathLike[str],
    *,
    bbox: tuple[float, float, float, float] | None = None,
    margin_m: float = DEFAULT_MARGIN_M,
    progress: ProgressCallback | None = None,
) -> MapData:
    """Read an OSM extract (.osm or .osm.pbf), optionally only around ``bbox`` (see ``osm.read``)."""
    return read(path, bbox=bbox, margin_m=margin_m, progress=progress)


def networks(data: MapData) -> tuple[Network, Network]:
    """The walking and cycling networks of a map (built once, cached with the map)."""
    cache = cache_for(data)
    found = cache.get("networks")
    if found is None:
        found = (build(data, "walk"), build(data, "bike"))
        cache["networks"] = found
    return found


def circle(
    data: MapData,
    lat: float,
    lon: float,
    settings: Settings | None = None,
    *,
    categories: Sequence[Category] | None = None,
) -> Circle:
    """Everything the poster and the pages show for one point.

    Raises ``OutsideDataError`` (a ``ValueError``) when the point is not near the map's network.
    """
    settings = settings or Settings()
    walk_net, bike_net = networks(data)
    walk_trip = travel(
        walk_net, lat, lon, speed_kmh=settings.walk_kmh, minutes=settings.walk_minutes
    )
    bike_trip = travel(
        bike_net, lat, lon, speed_kmh=settings.bike_kmh, minutes=settings.bike_minutes
    )
    walk = area(walk_trip)
    bike = area(bike_trip)
    found = candidates(data, walk_trip, bike_trip, categories=categories)
    bbox = _view(lat, lon, [walk.polygons, bike.polygons], [(p.lat, p.lon) for p in found])
    return Circle(
        lat=lat,
        lon=lon,
        settings=settings,
        walk=walk,
        bike=bike,
        places=found,
        basemap=clip_basemap(data.basemap, bbox, cache=cache_for(data)),
        bbox=bbox,
        start_snapped_metres=round(walk_trip.snap_m, 1),
        data_bbox=data.bbox,
    )


def _view(
    lat: float,
    lon: float,
    areas: list[list[list[Coords]]],
    points: list[tuple[float, float]],
) -> tuple[float, float, float, float]:
    lats, lons = [lat], [lon]
    for polygons in areas:
        for polygon in polygons:
            for x, y in polygon[0]:
                lons.append(x)
                lats.append(y)
    for plat, plon in points:
        lats.append(plat)
        lons.append(plon)
    dlat = MAP_MARGIN_M / _M_PER_DEG
    dlon = MAP_MARGIN_M / (_M_PER_DEG * math.cos(math.radians(lat)))
    return (min(lats) - dlat, min(lons) - dlon, max(lats) + dlat, max(lons) + dlon)


# --- the base map, clipped -----------------------------------------------------------------------

_LINE_LAYERS = ("streets", "paths", "waterways", "rail")
_RING_LAYERS = ("green", "water", "buildings")


def _extents(items: list[Coords]) -> npt.NDArray[np.float64]:
    """(k, 4): west, south, east, north of each line or ring."""
    out = np.empty((len(items), 4))
    for i, coords in enumerate(items):
        xy = np.asarray(coords, dtype=np.float64).reshape(-1, 2)
        if xy.size == 0:
            out[i] = (np.inf, np.inf, -np.inf, -np.inf)
        else:
            out[i, :2] = xy.min(axis=0)
            out[i, 2:] = xy.max(axis=0)
    return out


def clip_basemap(
    basemap: Basemap,
    bbox: tuple[float, float, float, float],
    *,
    cache: dict[Any, Any] | None = None,
) -> Basemap:
    """The lines and rings of ``basemap`` within ``bbox`` (south, west, north, east), cut at it."""
    south, west, north, east = bbox
    key = ("basemap-extents", id(basemap))
    extents: dict[str, npt.NDArray[np.float64]] | None = cache.get(key) if cache else None
    if extents is None:
        extents = {f.name: _extents(getattr(basemap, f.name)) for f in fields(Basemap)
                   if f.name in _LINE_LAYERS or f.name in _RING_LAYERS}  # fmt: skip
        if cache is not None:
            cache[key] = extents
    out = Basemap()
    for name, box in extents.items():
        items: list[Coords] = getattr(basemap, name)
        if not items:
            continue
        overlaps = (
            (box[:, 0] <= east) & (box[:, 2] >= west) & (box[:, 1] <= north) & (box[:, 3] >= south)
        )
        inside = (
            overlaps
            & (box[:, 0] >= west)
            & (box[:, 2] <= east)
            & (box[:, 1] >= south)
            & (box[:, 3] <= north)
        )
        crossing = np.flatnonzero(overlaps & ~inside)
        ranks = basemap.street_ranks if name == "streets" and basemap.street_ranks else None
        result: list[Coords] = []
        result_ranks: list[int] = []
        for i in np.flatnonzero(inside).tolist():
            result.append(items[i])
            if ranks is not None:
                result_ranks.append(ranks[i])
        if crossing.size:
            ring = name in _RING_LAYERS
            shapes = [
                shapely.Polygon(items[i]) if ring and len(items[i]) >= 4 else
                shapely.LineString(items[i]) if len(items[i]) >= 2 else shapely.Point(items[i][0])
                for i in crossing.tolist()
            ]  # fmt: skip
            clipped = shapely.clip_by_rect(np.array(shapes, dtype=object), west, south, east, north)
            for i, geometry in zip(crossing.tolist(), clipped, strict=True):
                for part in shapely.get_parts(geometry):
                    if part.is_empty:
                        continue
                    if part.geom_type == "Polygon":
                        coords = list(part.exterior.coords)
                    elif part.geom_type == "LineString":
                        coords = list(part.coords)
                    else:
                        continue
                    if len(coords) < 2:
                        continue
                    result.append([(float(x), float(y)) for x, y in coords])
                    if ranks is not None:
                        result_ranks.append(ranks[i])
        setattr(out, name, result)
        if ranks is not None:
            out.street_ranks = result_ranks
    return out
