"""A :class:`Circle` as a GeoJSON FeatureCollection (RFC 7946: WGS84, lon/lat order).

Features, each with a ``kind`` property:

* ``walk`` and ``bike``: the reachable areas (MultiPolygon) with ``minutes``, ``speed_kmh``,
  ``touches_edge`` and ``reached_nodes``;
* ``start``: the point (Point) with ``snapped_metres``;
* ``place``: each candidate (Point) with ``key``, ``osm_type``, ``osm_id``, ``category``,
  ``category_da``/``category_en`` (the table's labels), ``name``, ``named``, ``walk_minutes`` and
  ``bike_minutes`` (null: not within the limit);
* ``basemap`` (only with ``basemap=True``): the clipped base map, with ``layer`` (streets, paths,
  green, water, waterways, buildings, rail) and, for streets, ``rank`` (0 main … 2 minor).

Foreign members of the collection: ``bbox`` (west, south, east, north to show), ``cut_by_edge``,
``data_bbox`` (the map data's extent, same order, or null) and ``attribution``.
"""

from __future__ import annotations

import json
from typing import Any

from borneliv.nearby.places import CATEGORY_BY_CODE
from borneliv.nearby.types import Basemap, Circle, Coords, Place, Reach

ATTRIBUTION = "© OpenStreetMap-bidragydere"

_LINE_LAYERS = ("streets", "paths", "waterways", "rail")
_RING_LAYERS = ("green", "water", "buildings")


def _ring(coords: Coords) -> list[list[float]]:
    ring = [[round(x, 7), round(y, 7)] for x, y in coords]
    if ring and ring[0] != ring[-1]:
        ring.append(ring[0])
    return ring


def area_geometry(reach: Reach) -> dict[str, Any]:
    """The reachable area as a GeoJSON MultiPolygon geometry."""
    return {
        "type": "MultiPolygon",
        "coordinates": [[_ring(ring) for ring in polygon] for polygon in reach.polygons],
    }


def _area(reach: Reach) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": area_geometry(reach),
        "properties": {
            "kind": reach.mode,
            "minutes": reach.limit_minutes,
            "speed_kmh": reach.speed_kmh,
            "touches_edge": reach.touches_edge,
            "reached_nodes": reach.reached_nodes,
        },
    }


def place_feature(place: Place) -> dict[str, Any]:
    category = CATEGORY_BY_CODE.get(place.category)
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [round(place.lon, 7), round(place.lat, 7)]},
        "properties": {
            "kind": "place",
            "key": place.key,
            "osm_type": place.osm_type,
            "osm_id": place.osm_id,
            "category": place.category,
            "category_da": category.label_da if category else place.category,
            "category_en": category.label_en if category else place.category,
            "name": place.name,
            "named": place.named,
            "walk_minutes": place.walk_minutes,
            "bike_minutes": place.bike_minutes,
        },
    }


def basemap_features(basemap: Basemap) -> list[dict[str, Any]]:
    features: list[dict[str, Any]] = []
    for layer in _RING_LAYERS:
        for coords in getattr(basemap, layer):
            if len(coords) < 3:
                continue
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Polygon", "coordinates": [_ring(coords)]},
                    "properties": {"kind": "basemap", "layer": layer},
                }
            )
    for layer in _LINE_LAYERS:
        items = getattr(basemap, layer)
        ranks = basemap.street_ranks if layer == "streets" else []
        for i, coords in enumerate(items):
            if len(coords) < 2:
                continue
            properties: dict[str, Any] = {"kind": "basemap", "layer": layer}
            if ranks and i < len(ranks):
                properties["rank"] = ranks[i]
            features.append(
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "LineString",
                        "coordinates": [[round(x, 7), round(y, 7)] for x, y in coords],
                    },
                    "properties": properties,
                }
            )
    return features


def to_geojson(circle: Circle, *, basemap: bool = False) -> dict[str, Any]:
    """The circle as a FeatureCollection (a plain dict, ready for ``json.dumps``)."""
    south, west, north, east = circle.bbox
    features: list[dict[str, Any]] = []
    if basemap:
        features.extend(basemap_features(circle.basemap))
    features.append(_area(circle.bike))
    features.append(_area(circle.walk))
    features.append(
        {
            "type": "Feature",
            "geometry": {
                "type": "Point",
                "coordinates": [round(circle.lon, 7), round(circle.lat, 7)],
            },
            "properties": {"kind": "start", "snapped_metres": circle.start_snapped_metres},
        }
    )
    features.extend(place_feature(place) for place in circle.places)
    data_bbox = circle.data_bbox
    return {
        "type": "FeatureCollection",
        "bbox": [west, south, east, north],
        "cut_by_edge": circle.cut_by_edge,
        "data_bbox": None
        if data_bbox is None
        else [data_bbox[1], data_bbox[0], data_bbox[3], data_bbox[2]],
        "attribution": ATTRIBUTION,
        "features": features,
    }


def dumps(circle: Circle, *, basemap: bool = False) -> str:
    return json.dumps(to_geojson(circle, basemap=basemap), ensure_ascii=False)
