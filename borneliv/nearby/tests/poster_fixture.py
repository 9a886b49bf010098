"""A synthetic but realistic circle for the poster, so it can be drawn without an extract.

A small town quarter around (55.7005 N, 12.5700 E): a street grid with two main roads, blocks of
buildings, a park with paths, a lake, a stream, a railway, walking and cycling areas shaped like
what the engine returns (the cycling area cut off by the data edge in the east), and places of
several categories. Deterministic: the same call returns the same circle.
"""

from __future__ import annotations

import functools
import math

import numpy as np
from shapely.geometry import MultiPolygon, Point, Polygon, box
from shapely.geometry.base import BaseGeometry

from borneliv.nearby.types import Basemap, Circle, Coords, Place, Reach, Settings

LAT = 55.7005
LON = 12.5700
_M_PER_DEG_LAT = 111_320.0
_M_PER_DEG_LON = _M_PER_DEG_LAT * math.cos(math.radians(LAT))

#: The data edge: the extract ends 1.6 km east of the institution.
DATA_EAST_METRES = 1600.0

PLACE_ROWS: list[tuple[str, str, float, float, float | None, float]] = [
    # category, name, east m, north m, walk minutes (None: only by bike), bike minutes
    ("playground", "Legepladsen ved Søen", 120, 310, 4.6, 1.6),
    ("park", "Fælledparken", -380, 420, 7.2, 2.4),
    ("nature", "Engen bag skolen", -820, -260, 11.8, 3.9),
    ("beach", "Badestranden", 1350, 1150, None, 8.1),
    ("sports", "Boldbanerne", -220, 760, 10.4, 3.1),
    ("swimming", "Østerbro Svømmehal", 640, -520, 10.9, 3.6),
    ("library", "Biblioteket på Torvet", 300, -180, 4.4, 1.5),
    ("farm", "Byens Bondegård", -1500, -900, None, 7.0),
    ("picnic", "Bålpladsen", -560, 300, 8.8, 2.9),
    ("viewpoint", "Udsigten fra Bakken", 980, 620, 14.6, 4.5),
    ("culture", "Børnenes Kulturhus", 90, -620, 8.1, 2.7),
    ("own", "Bageren der vinker", 160, 60, 2.2, 0.8),
]

DESCRIPTIONS = {
    "Legepladsen ved Søen": "Her kan man se ænderne og gynge højt",
    "Fælledparken": "Den store bakke er god til at rulle ned ad",
    "Boldbanerne": "Vi ser de store spille fodbold",
    "Byens Bondegård": "Geder, høns og en gris der hedder Gunnar – husk gummistøvler",
    "Bageren der vinker": "Bageren viser os ovnen, hvis vi spørger pænt",
    "Biblioteket på Torvet": "Billedbøger og en hule under trappen",
}


def metres_to_lonlat(east: float, north: float) -> tuple[float, float]:
    return LON + east / _M_PER_DEG_LON, LAT + north / _M_PER_DEG_LAT


def _ring(coords: list[tuple[float, float]]) -> Coords:
    return [metres_to_lonlat(x, y) for x, y in coords]


def _rings(geometry: BaseGeometry) -> list[Coords]:
    polygons = geometry.geoms if isinstance(geometry, MultiPolygon) else [geometry]
    return [_ring(list(p.exterior.coords)) for p in polygons if not p.is_empty]


def _polygons(geometry: BaseGeometry) -> list[list[Coords]]:
    polygons = geometry.geoms if isinstance(geometry, MultiPolygon) else [geometry]
    return [
        [_ring(list(p.exterior.coords)), *(_ring(list(h.coords)) for h in p.interiors)]
        for p in polygons
    ]


def _blob(radius: float, wobble: float, seed: int, points: int = 72) -> Polygon:
    """A roundish area like a reachability polygon: radius varying smoothly with the angle."""
    rng = np.random.default_rng(seed)
    angles = np.linspace(0, 2 * np.pi, points, endpoint=False)
    harmonics = sum(
        rng.uniform(-1, 1) * np.cos(k * angles + rng.uniform(0, 2 * np.pi)) / k for k in range(2, 7)
    )
    radii = radius * (1 + wobble * harmonics)
    return Polygon(np.column_stack([radii * np.cos(angles), radii * np.sin(angles)]))


def _basemap(extent: float, lake: Polygon, park: Polygon) -> Basemap:
    streets: list[Coords] = []
    ranks: list[int] = []
    step = 130.0
    positions = np.arange(-extent, extent + 1, step)
    for i, p in enumerate(positions):
        rank = 0 if i % 6 == 3 else (1 if i % 3 == 0 else 2)
        for line in ([(p, -extent), (p, extent)], [(-extent, p), (extent, p)]):
            # Streets stop at the lake and in the park (the park has paths instead).
            from shapely.geometry import LineString

            remaining = LineString(line).difference(lake.buffer(15)).difference(park)
            parts = getattr(remaining, "geoms", [remaining])
            for part in parts:
                if part.length > 20:
                    streets.append(_ring(list(part.coords)))
                    ranks.append(rank)
    buildings: list[Coords] = []
    rng = np.random.default_rng(7)
    blocked = lake.buffer(20).union(park.buffer(10))
    for x in positions[:-1]:
        for y in positions[:-1]:
            # Perimeter blocks: a few houses along the block's edges, a yard in the middle.
            for dx, dy, w, h in (
                (18, 18, 94, 28),
                (18, 84, 94, 28),
                (18, 46, 26, 38),
                (86, 46, 26, 38),
            ):
                if rng.random() < 0.12:
                    continue
                house = box(x + dx, y + dy, x + dx + w, y + dy + h)
                if not house.intersects(blocked):
                    buildings.append(_ring(list(house.exterior.coords)))
    paths = [
        _ring([(-700, 250), (-450, 380), (-250, 420), (-90, 560)]),
        _ring([(-640, 600), (-420, 520), (-300, 300), (-150, 200)]),
        _ring([(-520, 780), (-520, 180)]),
        _ring([(260, 180), (200, 330), (80, 420), (-20, 360)]),
    ]
    rail = [_ring([(-extent, -1150), (0, -980), (extent, -820)])]
    waterways = [_ring([(-extent, -300), (-900, -350), (-600, -420), (-300, -380), (-40, 200)])]
    green = [
        _ring(list(park.exterior.coords)),
        _ring([(-1100, -500), (-700, -500), (-650, -150), (-1050, -120)]),
        _ring([(900, 450), (1150, 480), (1120, 750), (880, 720)]),
    ]
    return Basemap(
        streets=streets,
        street_ranks=ranks,
        paths=paths,
        green=green,
        water=[
            _ring(list(lake.exterior.coords)),
            _ring([(1200, 1000), (1600, 1000), (1600, 1600), (1150, 1500)]),
        ],
        waterways=waterways,
        buildings=buildings,
        rail=rail,
    )


@functools.cache
def poster_circle(*, places: int = 12, cut_by_edge: bool = True) -> Circle:
    """The synthetic circle; ``places`` > 12 adds numbered playgrounds to test long lists.

    Cached: built once per argument set (callers must not change it)."""
    settings = Settings()
    lake = Point(180, 480).buffer(110).union(Point(290, 420).buffer(80))
    park = Polygon([(-720, 180), (-120, 160), (-60, 640), (-540, 820), (-760, 560)])
    walk = _blob(1000, 0.12, seed=3).difference(lake)
    bike = _blob(2300, 0.08, seed=5)
    edge = box(-4000, -4000, DATA_EAST_METRES if cut_by_edge else 4000, 4000)
    bike = bike.intersection(edge)
    walk = walk.intersection(edge)
    rows = list(PLACE_ROWS)
    rng = np.random.default_rng(11)
    for i in range(places - len(rows)):
        angle = rng.uniform(0, 2 * np.pi)
        distance = rng.uniform(200, 1400)
        walk_minutes = distance * 1.3 / 75
        rows.append(
            (
                ("playground", "sports", "park", "nature")[i % 4],
                f"Legeplads nummer {i + 13}"
                if i % 3
                else f"Sted med et ret langt navn nr. {i + 13}",
                distance * math.cos(angle),
                distance * math.sin(angle),
                walk_minutes if walk_minutes <= 15 else None,
                walk_minutes * 4.5 / 15,
            )
        )
    place_list = [
        Place(
            key=f"osm:node/{1000 + i}",
            osm_type="node",
            osm_id=1000 + i,
            category=category,
            name=name,
            lat=metres_to_lonlat(east, north)[1],
            lon=metres_to_lonlat(east, north)[0],
            walk_minutes=walk_minutes,
            bike_minutes=bike_minutes,
        )
        for i, (category, name, east, north, walk_minutes, bike_minutes) in enumerate(rows[:places])
    ]
    margin = 150.0
    west, south, east, north = bike.bounds
    south_lat = LAT + (south - margin) / _M_PER_DEG_LAT
    north_lat = LAT + (north + margin) / _M_PER_DEG_LAT
    west_lon = LON + (west - margin) / _M_PER_DEG_LON
    east_lon = LON + (east + margin) / _M_PER_DEG_LON
    basemap = _basemap(3300, lake, park)
    data_east = LON + DATA_EAST_METRES / _M_PER_DEG_LON
    return Circle(
        lat=LAT,
        lon=LON,
        settings=settings,
        walk=Reach("walk", settings.walk_kmh, settings.walk_minutes, _polygons(walk), False, 900),
        bike=Reach(
            "bike", settings.bike_kmh, settings.bike_minutes, _polygons(bike), cut_by_edge, 4200
        ),
        places=place_list,
        basemap=_clip(basemap, data_east if cut_by_edge else None),
        bbox=(south_lat, west_lon, north_lat, east_lon),
        start_snapped_metres=12.0,
        data_bbox=(LAT - 0.05, LON - 0.1, LAT + 0.05, data_east) if cut_by_edge else None,
    )


def _clip(basemap: Basemap, east_lon: float | None) -> Basemap:
    """Drop what lies beyond the data edge, as an extract would (whole features, roughly)."""
    if east_lon is None:
        return basemap

    def keep(lines: list[Coords]) -> list[Coords]:
        return [line for line in lines if min(lon for lon, _ in line) < east_lon]

    kept = [i for i, line in enumerate(basemap.streets) if min(lon for lon, _ in line) < east_lon]
    return Basemap(
        streets=[[(min(lon, east_lon), lat) for lon, lat in basemap.streets[i]] for i in kept],
        street_ranks=[basemap.street_ranks[i] for i in kept],
        paths=keep(basemap.paths),
        green=keep(basemap.green),
        water=keep(basemap.water),
        waterways=keep(basemap.waterways),
        buildings=[b for b in basemap.buildings if max(lon for lon, _ in b) < east_lon],
        rail=[[(min(lon, east_lon), lat) for lon, lat in line] for line in basemap.rail],
    )
