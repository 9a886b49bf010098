"""The Nærhedscirkel as a printable poster: A4 or A3 portrait, PDF (vector) or PNG.

No Django import and nothing fetched: the base map is drawn from the OpenStreetMap data the
circle carries (``Circle.basemap``), with matplotlib's object API and its own DejaVu fonts. The
caller passes the texts it wants in its language (``texts`` overrides the Danish or English
defaults below); everything else comes from the circle.

The page, top to bottom: a header (title, institution, and a QR code to the public page when
there is one), the map (base map, cycling and walking areas, the institution, numbered markers
coloured by category, scale bar, north arrow, the OpenStreetMap credit and — when the data edge
cuts the area — a notice and the edge itself), a legend line, the numbered list of places in two
or three columns, and a footer: the footnote, the licence credit on white in a slot of its own,
and the demo note on a line below (never over the credit). Everything is laid out in millimetres on an A4 page and scaled
by √2 for A3, so both sizes look the same. The list decides how much room the map gets: the map
shrinks (within limits) and then the list's type, so 30 places still fit without overlapping.

Figures are deterministic for the same input (no dates in the PDF, fixed hash salt).
"""

from __future__ import annotations

import functools
import io
import itertools
import math
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Literal

import matplotlib
import numpy as np
import numpy.typing as npt
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_pdf import FigureCanvasPdf
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Circle as CirclePatch
from matplotlib.patches import FancyBboxPatch, PathPatch, Polygon, Rectangle
from matplotlib.path import Path as MplPath
from matplotlib.textpath import TextToPath

from borneliv.nearby.qr import draw_qr
from borneliv.nearby.types import Circle, Coords

Paper = Literal["A4", "A3"]
Format = Literal["pdf", "png"]
Language = Literal["da", "en"]
FloatArray = npt.NDArray[np.float64]

#: Portrait page sizes in millimetres.
PAPERS: dict[str, tuple[float, float]] = {"A4": (210.0, 297.0), "A3": (297.0, 420.0)}
MM_PER_INCH = 25.4
MM_PER_PT = MM_PER_INCH / 72
_M_PER_DEG_LAT = 111_320.0  # metres per degree of latitude (mean; good to 0.5 % in Denmark)

FONT = "DejaVu Sans"  # ships with matplotlib: the same glyphs on every server
INK = "#1d1d1b"
MUTED = "#5d5850"
FAINT = "#8a847a"
RULE = "#d8d3ca"
LAND = "#f3f0ea"
GREEN = "#d3e6c1"
GREEN_EDGE = "#bdd8a6"
WATER = "#b0d3ec"
WATER_EDGE = "#94c0e0"
BUILDING = "#e6e2db"
BUILDING_EDGE = "#d9d4cc"
STREET = "#ffffff"
CASING = "#c2baae"
PATH_COLOUR = "#9d927f"
RAIL_COLOUR = "#8e8a84"
WALK_COLOUR = "#e0702c"
WALK_FILL = "#f4a640"
WALK_ALPHA = 0.2
BIKE_COLOUR = "#5b4fa3"
EDGE_COLOUR = "#b23a30"
NOTICE_FILL = "#fff3d6"
NOTICE_EDGE = "#e0a526"


@dataclass(frozen=True)
class CategoryStyle:
    """How a category looks on the poster: marker colour, a glyph for the legend, labels."""

    colour: str
    glyph: str  # one DejaVu Sans character, white on the colour in the legend
    da: str
    en: str


#: The category codes of ``places.CATEGORIES``, in legend order.
CATEGORIES: dict[str, CategoryStyle] = {
    "playground": CategoryStyle("#e4572e", "☺", "Legeplads", "Playground"),
    "park": CategoryStyle("#3f8f3f", "♣", "Park", "Park"),
    "nature": CategoryStyle("#2c6b58", "☘", "Skov og natur", "Woods and nature"),
    "beach": CategoryStyle("#c99a12", "☀", "Strand og sø", "Beach and lakeside"),
    "sports": CategoryStyle("#2f5fae", "⚑", "Sport", "Sports"),
    "swimming": CategoryStyle("#1b9cc6", "≈", "Svømmehal", "Swimming pool"),
    "library": CategoryStyle("#7b4ca8", "✎", "Bibliotek", "Library"),
    "farm": CategoryStyle("#8b5a2b", "♞", "Dyr og gårde", "Farm animals"),
    "picnic": CategoryStyle("#de8a1e", "♨", "Picnic og bål", "Picnic and fire"),
    "viewpoint": CategoryStyle("#4b5d74", "▲", "Udsigt", "Viewpoint"),
    "culture": CategoryStyle("#c0267a", "♫", "Kultur for børn", "Culture for children"),
    "own": CategoryStyle("#d62839", "♥", "Vores egne steder", "Our own places"),
}
OTHER = CategoryStyle("#6f6a62", "•", "Andet", "Other")

#: Every text the poster shows, by language; ``render(texts=…)`` overrides any of them, and
#: ``category.<code>`` keys override a category's label.
TEXTS: dict[str, dict[str, str]] = {
    "da": {
        "walk_area": "Gå {minutes} min",
        "bike_area": "Cykel {minutes} min",
        "speed": "{speed} km/t",
        "walk": "gå {minutes} min",
        "bike": "cykel {minutes} min",
        "here": "Her er vi",
        "qr": "Se cirklen på nettet",
        "credit": "© OpenStreetMap-bidragydere",
        "edge_notice": "Kortdata slutter tæt på – cirklen kan være større end vist.",
        "data_edge": "Her slutter kortdata",
        "footnote": (
            "Tiderne er regnet langs veje og stier: gå {walk_speed} km/t, cykel {bike_speed} km/t."
        ),
        "map_credit": "Kort: © OpenStreetMap-bidragydere, ODbL",
        "no_places": "Der er ikke valgt nogen steder endnu.",
        "north": "N",
    },
    "en": {
        "walk_area": "Walk {minutes} min",
        "bike_area": "Cycle {minutes} min",
        "speed": "{speed} km/h",
        "walk": "walk {minutes} min",
        "bike": "cycle {minutes} min",
        "here": "We are here",
        "qr": "See the circle online",
        "credit": "© OpenStreetMap contributors",
        "edge_notice": "The map data ends nearby – the circle may be larger than shown.",
        "data_edge": "Map data ends here",
        "footnote": (
            "Times follow streets and paths: walking {walk_speed} km/h, cycling {bike_speed} km/h."
        ),
        "map_credit": "Map: © OpenStreetMap contributors, ODbL",
        "no_places": "No places have been chosen yet.",
        "north": "N",
    },
}


@dataclass(frozen=True)
class PosterPlace:
    """One numbered place on the poster, as the staff curated it."""

    number: int
    category: str  # a code of CATEGORIES
    name: str
    walk_minutes: float | None
    bike_minutes: float | None
    lat: float
    lon: float
    description: str = ""  # the staff's child-height text
    own: bool = False  # one of the staff's own places


def places_from_circle(circle: Circle) -> list[PosterPlace]:
    """The circle's places numbered by walking time (then cycling time, then name)."""

    def order(place: Any) -> tuple[float, float, str]:
        walk = place.walk_minutes if place.walk_minutes is not None else math.inf
        bike = place.bike_minutes if place.bike_minutes is not None else math.inf
        return (walk, bike, place.name)

    return [
        PosterPlace(
            number=number,
            category=place.category,
            name=place.name,
            walk_minutes=place.walk_minutes,
            bike_minutes=place.bike_minutes,
            lat=place.lat,
            lon=place.lon,
            own=place.category == "own",
        )
        for number, place in enumerate(sorted(circle.places, key=order), start=1)
    ]


# --- texts and measuring --------------------------------------------------------------------


def poster_texts(language: str, overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    texts = dict(TEXTS["en" if language == "en" else "da"])
    texts.update(overrides or {})
    return texts


def category_style(place: PosterPlace) -> CategoryStyle:
    return CATEGORIES["own"] if place.own else CATEGORIES.get(place.category, OTHER)


def category_label(code: str, language: str, texts: Mapping[str, str]) -> str:
    style = CATEGORIES.get(code, OTHER)
    return texts.get(f"category.{code}", style.en if language == "en" else style.da)


def format_number(value: float, language: str) -> str:
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") if language == "da" else text


def whole_minutes(minutes: float) -> int:
    return max(1, round(minutes))


def minutes_line(place: PosterPlace, texts: Mapping[str, str]) -> str:
    parts = []
    if place.walk_minutes is not None:
        parts.append(texts["walk"].format(minutes=whole_minutes(place.walk_minutes)))
    if place.bike_minutes is not None:
        parts.append(texts["bike"].format(minutes=whole_minutes(place.bike_minutes)))
    return " · ".join(parts)


_TEXT_TO_PATH = TextToPath()


@functools.lru_cache(maxsize=8192)
def _width_at_100pt(text: str, weight: str, style: str) -> float:
    prop = FontProperties(family=FONT, size=100, weight=weight, style=style)  # type: ignore[arg-type]
    width, _, _ = _TEXT_TO_PATH.get_text_width_height_descent(text, prop, ismath=False)
    return float(width)


def text_width_mm(
    text: str, size_pt: float, weight: str = "normal", style: str = "normal"
) -> float:
    """How wide ``text`` is set in DejaVu Sans at ``size_pt`` (kerning between words aside)."""
    return _width_at_100pt(text, weight, style) * size_pt / 100 * MM_PER_PT


def wrap(
    text: str,
    width_mm: float,
    size_pt: float,
    *,
    weight: str = "normal",
    style: str = "normal",
    max_lines: int = 3,
) -> list[str]:
    """Break ``text`` into lines no wider than ``width_mm``; the last kept line ends in "…"."""
    words = text.split()
    lines: list[str] = []
    current = ""
    for word in words:
        candidate = f"{current} {word}" if current else word
        if not current or text_width_mm(candidate, size_pt, weight, style) <= width_mm:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    lines = [_fit_line(line, width_mm, size_pt, weight, style) for line in lines]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = _fit_line(lines[-1] + " …", width_mm, size_pt, weight, style, force=True)
    return lines


def _fit_line(
    line: str, width_mm: float, size_pt: float, weight: str, style: str, force: bool = False
) -> str:
    """Cut a single over-long word (or a forced "…" line) to the width, ending in "…"."""
    if text_width_mm(line, size_pt, weight, style) <= width_mm:
        return line
    stem = line.removesuffix(" …") if force else line
    while stem and text_width_mm(stem.rstrip() + "…", size_pt, weight, style) > width_mm:
        stem = stem[:-1]
    return stem.rstrip() + "…"


# --- layout ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Box:
    """A rectangle on the page in millimetres from the lower left corner."""

    x: float
    y: float
    w: float
    h: float

    @property
    def top(self) -> float:
        return self.y + self.h

    @property
    def right(self) -> float:
        return self.x + self.w


@dataclass(frozen=True)
class ListStyle:
    """Type sizes (pt, on A4) and spacing of the list; ``scale`` shrinks them all."""

    scale: float
    columns: int

    @property
    def name_pt(self) -> float:
        return 9.0 * self.scale

    @property
    def small_pt(self) -> float:
        return 7.6 * self.scale

    @property
    def badge_mm(self) -> float:  # badge diameter
        return 4.6 * self.scale

    @property
    def entry_gap_mm(self) -> float:
        return 2.6 * self.scale

    def line_mm(self, size_pt: float) -> float:
        return size_pt * 1.28 * MM_PER_PT


@dataclass
class ListEntry:
    place: PosterPlace
    name_lines: list[str]
    minutes: str
    description_lines: list[str]
    height: float  # mm on A4


@dataclass
class ListLayout:
    style: ListStyle
    column_width: float
    columns: list[list[ListEntry]] = field(default_factory=list)

    @property
    def height(self) -> float:
        return max((sum(e.height for e in column) for column in self.columns), default=0.0)


_COLUMN_GAP = 7.0


def layout_list(
    places: Sequence[PosterPlace], width: float, style: ListStyle, texts: Mapping[str, str]
) -> ListLayout:
    """Set the entries in ``style`` and split them into balanced columns (reading down)."""
    column_width = (width - _COLUMN_GAP * (style.columns - 1)) / style.columns
    text_width = column_width - style.badge_mm - 2.2 * style.scale
    entries = []
    for place in places:
        names = wrap(place.name, text_width, style.name_pt, weight="bold", max_lines=2)
        description = wrap(
            place.description, text_width, style.small_pt, style="italic", max_lines=2
        )
        height = (
            len(names) * style.line_mm(style.name_pt)
            + style.line_mm(style.small_pt) * (1 + len(description))
            + style.entry_gap_mm
        )
        entries.append(ListEntry(place, names, minutes_line(place, texts), description, height))
    layout = ListLayout(style, column_width)
    for start, end in balanced_split([e.height for e in entries], style.columns):
        layout.columns.append(entries[start:end])
    return layout


def balanced_split(heights: Sequence[float], parts: int) -> list[tuple[int, int]]:
    """Cut a sequence into at most ``parts`` consecutive runs so the tallest run is as short as
    possible (the newspaper column split; a small dynamic programme)."""
    n = len(heights)
    if n == 0:
        return []
    parts = min(parts, n)
    prefix = np.concatenate([[0.0], np.cumsum(heights)])
    # best[p][i]: the smallest tallest run for the first i entries in p runs; cut[p][i]: where
    # the last of them starts.
    best = np.full((parts + 1, n + 1), np.inf)
    cut = np.zeros((parts + 1, n + 1), dtype=int)
    best[0][0] = 0.0
    for p in range(1, parts + 1):
        for i in range(1, n + 1):
            for j in range(p - 1, i):
                value = max(best[p - 1][j], prefix[i] - prefix[j])
                if value < best[p][i] - 1e-9:
                    best[p][i] = value
                    cut[p][i] = j
    runs = []
    end = n
    for p in range(parts, 0, -1):
        start = int(cut[p][end])
        runs.append((start, end))
        end = start
    return [run for run in reversed(runs) if run[0] < run[1]]


@dataclass(frozen=True)
class PageLayout:
    header: Box
    map: Box
    legend: Box
    list: Box
    footer: Box
    list_layout: ListLayout


_MARGIN = 12.0
_GAP = 5.0
_LEGEND = 8.0
_FOOTER = 6.0
_MAP_HEIGHTS = (168.0, 160.0, 152.0, 144.0, 136.0, 128.0, 120.0)
_SCALES = (1.0, 0.94, 0.88, 0.82, 0.76, 0.7, 0.64, 0.58, 0.52)


def layout_page(
    places: Sequence[PosterPlace],
    texts: Mapping[str, str],
    legend_height: float,
    header_height: float = 25.0,
    footer_height: float = _FOOTER,
) -> PageLayout:
    """Give the map as much room as the list leaves, on an A4 page in millimetres.

    Big type matters more than a big map, but not at any price: the map first shrinks to
    144 mm, then the list tries smaller type and three columns, then the map shrinks further.
    A list longer than the smallest type holds is cut (the lost places get no marker either).
    """
    width, height = PAPERS["A4"]
    inner = width - 2 * _MARGIN
    header = Box(_MARGIN, height - _MARGIN - header_height, inner, header_height)
    footer = Box(_MARGIN, _MARGIN - 3, inner, max(_FOOTER, footer_height))

    def page(map_height: float, list_layout: ListLayout) -> PageLayout:
        map_box = Box(_MARGIN, header.y - _GAP - map_height, inner, map_height)
        legend = Box(_MARGIN, map_box.y - 3.5 - legend_height, inner, legend_height)
        list_box = Box(_MARGIN, footer.top + 3, inner, legend.y - 4 - footer.top - 3)
        return PageLayout(header, map_box, legend, list_box, footer, list_layout)

    def room(map_height: float) -> float:
        return page(map_height, ListLayout(ListStyle(1, 1), inner)).list.h

    for scale in _SCALES:
        for columns in (2, 3):
            list_layout = layout_list(places, inner, ListStyle(scale, columns), texts)
            for map_height in _MAP_HEIGHTS:
                if scale > 0.8 and map_height < 144:
                    break
                if list_layout.height <= room(map_height):
                    return page(map_height, list_layout)
    smallest = ListStyle(_SCALES[-1], 3)
    kept = list(places)
    while kept:
        kept.pop()
        list_layout = layout_list(kept, inner, smallest, texts)
        if list_layout.height <= room(_MAP_HEIGHTS[-1]):
            break
    return page(_MAP_HEIGHTS[-1], layout_list(kept, inner, smallest, texts))


# --- projection -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Projection:
    """Equirectangular metres around the circle's point: x east, y north, true at its latitude."""

    lat0: float
    lon0: float

    @property
    def m_per_deg_lon(self) -> float:
        return _M_PER_DEG_LAT * math.cos(math.radians(self.lat0))

    def xy(self, coords: Coords | Sequence[tuple[float, float]]) -> FloatArray:
        array = np.asarray(coords, dtype=np.float64).reshape(-1, 2)
        return np.column_stack(
            [
                (array[:, 0] - self.lon0) * self.m_per_deg_lon,
                (array[:, 1] - self.lat0) * _M_PER_DEG_LAT,
            ]
        )

    def point(self, lat: float, lon: float) -> tuple[float, float]:
        return ((lon - self.lon0) * self.m_per_deg_lon, (lat - self.lat0) * _M_PER_DEG_LAT)


@dataclass(frozen=True)
class MapFrame:
    """Where the map's metres land on the page: a box in mm and the metres it shows."""

    box: Box
    xmin: float
    ymin: float
    metres_per_mm: float

    @property
    def xmax(self) -> float:
        return self.xmin + self.box.w * self.metres_per_mm

    @property
    def ymax(self) -> float:
        return self.ymin + self.box.h * self.metres_per_mm

    def to_page(self, xy: FloatArray) -> FloatArray:
        return np.column_stack(
            [
                self.box.x + (xy[:, 0] - self.xmin) / self.metres_per_mm,
                self.box.y + (xy[:, 1] - self.ymin) / self.metres_per_mm,
            ]
        )

    def to_metres(self, page: FloatArray) -> FloatArray:
        return np.column_stack(
            [
                self.xmin + (page[:, 0] - self.box.x) * self.metres_per_mm,
                self.ymin + (page[:, 1] - self.box.y) * self.metres_per_mm,
            ]
        )


def map_frame(
    circle: Circle, places: Sequence[PosterPlace], projection: Projection, box: Box
) -> MapFrame:
    """Fit both areas and every place into the box with a margin, centred, scale 1:1 in x, y."""
    points = [np.zeros((1, 2))]
    for reach in (circle.walk, circle.bike):
        points += [projection.xy(polygon[0]) for polygon in reach.polygons if polygon]
    if places:
        points.append(np.array([projection.point(p.lat, p.lon) for p in places]))
    xy = np.vstack(points)
    (xmin, ymin), (xmax, ymax) = xy.min(axis=0), xy.max(axis=0)
    if circle.cut_by_edge and circle.data_bbox is not None:
        # Beyond the data edge the areas follow only the few ways that cross it: show the edge
        # and a band beyond it, not every spike (the institution and the places stay in view).
        south, west, north, east = circle.data_bbox
        (x0, y0), (x1, y1) = projection.xy([(west, south), (east, north)])
        band = max(150.0, 0.08 * max(x1 - x0, y1 - y0))
        keep = [np.zeros((1, 2))]
        if places:
            keep.append(np.array([projection.point(p.lat, p.lon) for p in places]))
        kept = np.vstack(keep)
        xmin = min(max(xmin, x0 - band), kept[:, 0].min())
        ymin = min(max(ymin, y0 - band), kept[:, 1].min())
        xmax = max(min(xmax, x1 + band), kept[:, 0].max())
        ymax = max(min(ymax, y1 + band), kept[:, 1].max())
    span_x = max(xmax - xmin, 200.0)
    span_y = max(ymax - ymin, 200.0)
    # 7 % around the areas, so the outline and the markers at its rim stay clear of the frame.
    metres_per_mm = max(span_x / box.w, span_y / box.h) * 1.14
    cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
    return MapFrame(
        box, cx - box.w * metres_per_mm / 2, cy - box.h * metres_per_mm / 2, metres_per_mm
    )


# --- drawing --------------------------------------------------------------------------------


def _ring_path(rings: Sequence[FloatArray], outlines: Sequence[bool] | None = None) -> MplPath:
    """One path of rings: outlines counter-clockwise and holes clockwise, so any fill rule
    (matplotlib's Agg and PDF both fill by non-zero winding) leaves the holes empty. Without
    ``outlines``, the first ring is the outline and the rest are holes."""
    vertices: list[FloatArray] = []
    codes: list[npt.NDArray[np.uint8]] = []
    for index, ring in enumerate(rings):
        if len(ring) < 3:
            continue
        outline = outlines[index] if outlines is not None else index == 0
        x, y = ring[:, 0], ring[:, 1]
        area = 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))
        if (area < 0) == outline:
            ring = ring[::-1]
        ring_codes = np.full(len(ring) + 1, MplPath.LINETO, dtype=np.uint8)
        ring_codes[0] = MplPath.MOVETO
        ring_codes[-1] = MplPath.CLOSEPOLY
        vertices.append(np.vstack([ring, ring[:1]]))
        codes.append(ring_codes)
    if not vertices:
        return MplPath(np.zeros((0, 2)))
    return MplPath(np.vstack(vertices), np.concatenate(codes))


def _area_paths(polygons: list[list[Coords]], projection: Projection) -> list[MplPath]:
    return [_ring_path([projection.xy(ring) for ring in polygon]) for polygon in polygons]


def compound_path(
    items: Sequence[Coords], projection: Projection, *, closed: bool, min_points: int = 2
) -> MplPath:
    """All lines (or rings) of a layer as one path in map metres.

    One path draws far faster than a collection of thousands and rasterises without seams.
    Rings are turned counter-clockwise first, so overlapping rings never cancel out under the
    non-zero fill rule, and each is closed explicitly so its outline is whole.
    """
    kept = [item for item in items if len(item) >= min_points]
    if not kept:
        return MplPath(np.zeros((0, 2)))
    lengths = np.fromiter((len(item) for item in kept), dtype=np.int64, count=len(kept))
    xy = projection.xy(list(itertools.chain.from_iterable(kept)))
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    if closed:
        x, y = xy[:, 0], xy[:, 1]
        following = np.arange(1, len(xy) + 1)
        following[starts + lengths - 1] = starts  # each ring's last vertex wraps to its first
        cross = x * y[following] - x[following] * y
        clockwise = np.add.reduceat(cross, starts) < 0
        if clockwise.any():
            ring_of = np.repeat(np.arange(len(kept)), lengths)
            position = np.arange(len(xy)) - starts[ring_of]
            flip = clockwise[ring_of]
            order = np.where(
                flip, starts[ring_of] + lengths[ring_of] - 1 - position, np.arange(len(xy))
            )
            xy = xy[order]
        # A closing vertex after every ring.
        xy = np.insert(xy, starts + lengths, xy[starts], axis=0)
        lengths = lengths + 1
        starts = starts + np.arange(len(kept))
    codes = np.full(len(xy), MplPath.LINETO, dtype=np.uint8)
    codes[starts] = MplPath.MOVETO
    if closed:
        codes[starts + lengths - 1] = MplPath.CLOSEPOLY
    return MplPath(xy, codes)


def _draw_basemap(ax: Axes, circle: Circle, projection: Projection, k: float) -> None:
    basemap = circle.basemap

    def layer(path: MplPath, gid: str, zorder: float, **style: Any) -> None:
        if np.asarray(path.vertices).size:
            ax.add_artist(PathPatch(path, zorder=zorder, gid=gid, **style))

    def rings(items: list[Coords]) -> MplPath:
        return compound_path(items, projection, closed=True, min_points=3)

    def lines(items: list[Coords]) -> MplPath:
        return compound_path(items, projection, closed=False)

    # Buildings under the walking area's tint; green and water above it, so parks stay green
    # and lakes blue inside the circle.
    layer(
        rings(basemap.buildings),
        "buildings",
        1,
        facecolor=BUILDING,
        edgecolor=BUILDING_EDGE,
        linewidth=0.2 * k,
    )
    layer(
        rings(basemap.green), "green", 2.2, facecolor=GREEN, edgecolor=GREEN_EDGE, linewidth=0.3 * k
    )
    layer(
        rings(basemap.water), "water", 2.4, facecolor=WATER, edgecolor=WATER_EDGE, linewidth=0.3 * k
    )
    layer(
        lines(basemap.waterways),
        "waterways",
        2.4,
        facecolor="none",
        edgecolor=WATER,
        linewidth=1.6 * k,
        capstyle="round",
        joinstyle="round",
    )
    layer(
        lines(basemap.paths),
        "paths",
        5,
        facecolor="none",
        edgecolor=PATH_COLOUR,
        linewidth=0.55 * k,
        linestyle=(0, (2.2, 1.4)),
    )
    ranks = list(basemap.street_ranks)
    if len(ranks) != len(basemap.streets):
        ranks = [1] * len(basemap.streets)
    # Widths in points on A4 (fill, casing) by rank: main roads, through streets, local streets.
    widths = {0: (2.4, 3.4), 1: (1.6, 2.4), 2: (1.05, 1.75)}
    by_rank = {
        rank: lines(
            [
                line
                for line, r in zip(basemap.streets, ranks, strict=True)
                if min(max(r, 0), 2) == rank
            ]
        )
        for rank in (2, 1, 0)
    }
    # Every casing first, then every fill, local streets before main roads: crossings merge and
    # the bigger road runs through.
    for rank, path in by_rank.items():
        layer(
            path,
            f"street-casing-{rank}",
            6 + (2 - rank) * 0.01,
            facecolor="none",
            edgecolor=CASING,
            linewidth=widths[rank][1] * k,
            capstyle="round",
            joinstyle="round",
        )
    for rank, path in by_rank.items():
        layer(
            path,
            f"streets-{rank}",
            6.1 + (2 - rank) * 0.01,
            facecolor="none",
            edgecolor=STREET,
            linewidth=widths[rank][0] * k,
            capstyle="round",
            joinstyle="round",
        )
    rail = lines(basemap.rail)
    layer(rail, "rail", 7, facecolor="none", edgecolor=RAIL_COLOUR, linewidth=1.3 * k)
    layer(
        rail,
        "rail-dashes",
        7.1,
        facecolor="none",
        edgecolor="white",
        linewidth=0.6 * k,
        linestyle=(0, (3, 3)),
    )


def _draw_areas(
    ax: Axes, circle: Circle, projection: Projection, frame: MapFrame, k: float
) -> None:
    """The walking area filled, the cycling area outlined, and a veil over what lies outside
    the cycling area, so the eye stays inside the circle."""
    big = _page_cover(frame)
    holes = [projection.xy(ring) for polygon in circle.bike.polygons for ring in polygon]
    outlines = [i == 0 for polygon in circle.bike.polygons for i in range(len(polygon))]
    if holes:
        ax.add_artist(
            PathPatch(
                _ring_path([big, *holes], [True] + [not o for o in outlines]),
                facecolor="white",
                alpha=0.5,
                edgecolor="none",
                zorder=4,
                gid="outside-veil",
            )
        )
    for path in _area_paths(circle.bike.polygons, projection):
        ax.add_artist(
            PathPatch(
                path,
                facecolor="none",
                edgecolor=BIKE_COLOUR,
                linewidth=1.6 * k,
                linestyle=(0, (5, 2.5)),
                zorder=8,
                gid="bike-area",
            )
        )
    for path in _area_paths(circle.walk.polygons, projection):
        ax.add_artist(
            PathPatch(path, facecolor=WALK_FILL, alpha=WALK_ALPHA, edgecolor="none", zorder=1.5)
        )
        ax.add_artist(
            PathPatch(
                path,
                facecolor="none",
                edgecolor=WALK_COLOUR,
                linewidth=2.0 * k,
                zorder=8.1,
                gid="walk-area",
            )
        )


def _page_cover(frame: MapFrame) -> FloatArray:
    """A rectangle well beyond the map's view (the outline of a veil with holes)."""
    big = 10 * (frame.xmax - frame.xmin + frame.ymax - frame.ymin)
    return np.array(
        [
            [frame.xmin - big, frame.ymin - big],
            [frame.xmax + big, frame.ymin - big],
            [frame.xmax + big, frame.ymax + big],
            [frame.xmin - big, frame.ymax + big],
        ]
    )


def _draw_data_edge(
    ax: Axes,
    page: Axes,
    circle: Circle,
    projection: Projection,
    frame: MapFrame,
    k: float,
    texts: Mapping[str, str],
) -> None:
    """Grey out what lies beyond the data and dash its edge, where the edge is in view."""
    if circle.data_bbox is None:
        return
    south, west, north, east = circle.data_bbox
    (x0, y0), (x1, y1) = projection.xy([(west, south), (east, north)])
    inside = x0 > frame.xmin or y0 > frame.ymin or x1 < frame.xmax or y1 < frame.ymax
    if not inside:
        return
    outer = _page_cover(frame)
    hole = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])
    ax.add_artist(
        PathPatch(
            _ring_path([outer, hole], [True, False]),
            facecolor="white",
            alpha=0.72,
            edgecolor="none",
            zorder=9,
            gid="beyond-data",
        )
    )
    ax.add_artist(
        Rectangle(
            (x0, y0),
            x1 - x0,
            y1 - y0,
            facecolor="none",
            edgecolor=EDGE_COLOUR,
            linewidth=1.1 * k,
            linestyle=(0, (4, 2.5)),
            zorder=9.1,
            gid="data-edge",
        )
    )
    # Name the edge along the side that cuts deepest into the view, just outside the data.
    sides = [
        ("east", frame.xmax - x1, x1),
        ("west", x0 - frame.xmin, x0),
        ("north", frame.ymax - y1, y1),
        ("south", y0 - frame.ymin, y0),
    ]
    side, depth, at = max(sides, key=lambda s: s[1])
    if depth <= 0:
        return
    label_pt = 6.8 * k
    gap = 1.4 * k
    outside = depth / frame.metres_per_mm > 4.5 * k  # room for the label beyond the edge
    if side in ("east", "west"):
        low, high = max(y0, frame.ymin), min(y1, frame.ymax)
        px, py = frame.to_page(np.array([[at, (low + high) / 2]]))[0]
        right = (side == "east") == outside
        page.text(
            px + (gap if right else -gap),
            py,
            texts["data_edge"],
            rotation=90,
            rotation_mode="anchor",
            ha="center",
            va="top" if right else "bottom",
            fontsize=label_pt,
            color=EDGE_COLOUR,
            zorder=5,
            gid="data-edge-label",
        )
    else:
        low, high = max(x0, frame.xmin), min(x1, frame.xmax)
        px, py = frame.to_page(np.array([[(low + high) / 2, at]]))[0]
        above = (side == "north") == outside
        page.text(
            px,
            py + (gap if above else -gap),
            texts["data_edge"],
            ha="center",
            va="bottom" if above else "top",
            fontsize=label_pt,
            color=EDGE_COLOUR,
            zorder=5,
            gid="data-edge-label",
        )


def repel(
    anchors: FloatArray, radius: float, obstacles: FloatArray, bounds: Box, iterations: int = 120
) -> FloatArray:
    """Nudge circles of ``radius`` (mm) apart, and off fixed obstacles, staying near their
    anchors and inside ``bounds``: a few rounds of pairwise pushes and a weak pull home."""
    positions = anchors.astype(np.float64).copy()
    n = len(positions)
    if n == 0:
        return positions
    distance_needed = 2 * radius * 1.08
    # A deterministic nudge for markers on the very same spot.
    jitter = np.column_stack([np.cos(np.arange(n) * 2.4), np.sin(np.arange(n) * 2.4)]) * 1e-3
    positions += jitter
    for _ in range(iterations):
        delta = positions[:, None, :] - positions[None, :, :]
        distance = np.hypot(delta[..., 0], delta[..., 1])
        np.fill_diagonal(distance, np.inf)
        overlap = np.clip(distance_needed - distance, 0, None)
        push = (delta / np.maximum(distance, 1e-9)[..., None] * overlap[..., None] / 2).sum(axis=1)
        for obstacle in obstacles:
            away = positions - obstacle[:2]
            gap = np.hypot(away[:, 0], away[:, 1])
            needed = obstacle[2] + radius * 1.05
            factor = np.clip(needed - gap, 0, None) / np.maximum(gap, 1e-9)
            push += away * factor[:, None]
        moved = bool(np.abs(push).max() > 1e-3)
        positions += push * 0.9 + (anchors - positions) * 0.02
        positions[:, 0] = np.clip(positions[:, 0], bounds.x + radius, bounds.right - radius)
        positions[:, 1] = np.clip(positions[:, 1], bounds.y + radius, bounds.top - radius)
        if not moved:
            break
    return positions


def _luminance(colour: str) -> float:
    r, g, b = matplotlib.colors.to_rgb(colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _badge(
    ax: Axes,
    x: float,
    y: float,
    diameter: float,
    colour: str,
    text: str,
    size_pt: float,
    *,
    zorder: float,
    gid: str | None = None,
    ring: float = 0.5,
) -> None:
    """A filled circle with white ring and a centred text (number or glyph) in page mm."""
    ax.add_artist(
        CirclePatch(
            (x, y),
            diameter / 2,
            facecolor=colour,
            edgecolor="white",
            linewidth=ring,
            zorder=zorder,
            gid=gid,
        )
    )
    ax.text(
        x,
        y - diameter * 0.015,
        text,
        ha="center",
        va="center_baseline",
        fontsize=size_pt,
        fontweight="bold",
        color=INK if _luminance(colour) > 0.6 else "white",
        zorder=zorder + 0.01,
    )


def _house(x: float, y: float, size: float) -> FloatArray:
    """A house outline (body and roof) centred at (x, y), ``size`` mm wide."""
    s = size / 2
    return np.array(
        [
            [x - 0.72 * s, y - 0.8 * s],
            [x + 0.72 * s, y - 0.8 * s],
            [x + 0.72 * s, y + 0.12 * s],
            [x + 1.0 * s, y + 0.12 * s],
            [x, y + 0.95 * s],
            [x - 1.0 * s, y + 0.12 * s],
            [x - 0.72 * s, y + 0.12 * s],
        ]
    )


def _draw_house(page: Axes, x: float, y: float, size: float, k: float, zorder: float) -> None:
    page.add_artist(
        Polygon(
            _house(x, y, size),
            closed=True,
            facecolor=INK,
            edgecolor="white",
            linewidth=1.4 * k,
            joinstyle="round",
            zorder=zorder,
            gid="institution",
        )
    )
    door_w, door_h = size * 0.16, size * 0.3
    page.add_artist(
        Rectangle(
            (x - door_w / 2, y - 0.4 * size),
            door_w,
            door_h,
            facecolor="white",
            edgecolor="none",
            zorder=zorder + 0.01,
        )
    )


def _draw_markers(
    page: Axes,
    frame: MapFrame,
    places: Sequence[PosterPlace],
    projection: Projection,
    home: FloatArray,
    k: float,
) -> None:
    if not places:
        return
    anchors = frame.to_page(np.array([projection.point(p.lat, p.lon) for p in places]))
    diameter = 5.6 * k
    house_radius = 4.4 * k
    inner = Box(frame.box.x + 1, frame.box.y + 1, frame.box.w - 2, frame.box.h - 2)
    obstacles = np.array([[home[0], home[1], house_radius]])
    positions = repel(anchors, diameter / 2, obstacles, inner)
    for place, anchor, position in zip(places, anchors, positions, strict=True):
        style = category_style(place)
        if np.hypot(*(position - anchor)) > diameter * 0.45:
            # Moved off its spot: a dot where it is and a thin line to the number.
            page.plot(
                [anchor[0], position[0]],
                [anchor[1], position[1]],
                color=INK,
                linewidth=0.6 * k,
                zorder=10,
                solid_capstyle="round",
            )
            page.add_artist(
                CirclePatch(
                    anchor,
                    0.75 * k,
                    facecolor=style.colour,
                    edgecolor="white",
                    linewidth=0.4 * k,
                    zorder=10.1,
                )
            )
        _badge(
            page,
            position[0],
            position[1],
            diameter,
            style.colour,
            str(place.number),
            (7.4 if place.number < 10 else 6.6) * k,
            zorder=11,
            gid=f"marker-{place.number}",
            ring=1.0 * k,
        )


def _scale_length(metres_per_mm: float, target_mm: float) -> int:
    """A round length in metres that draws about ``target_mm`` long."""
    wanted = metres_per_mm * target_mm
    candidates = [50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000]
    return min(candidates, key=lambda c: abs(math.log(c / wanted)))


def _draw_scale_bar(page: Axes, frame: MapFrame, k: float, language: str) -> None:
    length = _scale_length(frame.metres_per_mm, 32 * k)
    bar_mm = length / frame.metres_per_mm
    x0, y0 = frame.box.x + 5 * k, frame.box.y + 5 * k
    height = 1.4 * k
    unit_km = length >= 1000
    page.add_artist(
        FancyBboxPatch(
            (x0 - 2.5 * k, y0 - 2.5 * k),
            bar_mm + 5 * k + (12 if unit_km else 10) * k,
            9.2 * k,
            boxstyle=f"round,pad=0,rounding_size={1.2 * k}",
            facecolor="white",
            alpha=0.88,
            edgecolor="none",
            zorder=12,
        )
    )
    for i in range(4):
        page.add_artist(
            Rectangle(
                (x0 + i * bar_mm / 4, y0),
                bar_mm / 4,
                height,
                facecolor=INK if i % 2 == 0 else "white",
                edgecolor=INK,
                linewidth=0.5 * k,
                zorder=12.1,
            )
        )

    def label(metres: float) -> str:
        return format_number(metres / 1000, language) if unit_km else f"{metres:g}"

    size = 6.4 * k
    for metres in (0, length / 2):
        page.text(
            x0 + metres / frame.metres_per_mm,
            y0 + height + 0.8 * k,
            label(metres),
            ha="center",
            va="bottom",
            fontsize=size,
            color=INK,
            zorder=12.2,
        )
    # The last number centred on its tick, the unit after it.
    last = label(length)
    page.text(
        x0 + bar_mm - text_width_mm(last, size / k) * k / 2,
        y0 + height + 0.8 * k,
        f"{last} {'km' if unit_km else 'm'}",
        ha="left",
        va="bottom",
        fontsize=size,
        color=INK,
        zorder=12.2,
        gid="scale-label",
    )


def _draw_north_arrow(page: Axes, frame: MapFrame, k: float, texts: Mapping[str, str]) -> None:
    cx = frame.box.right - 8 * k
    cy = frame.box.top - 11 * k
    h, w = 6.0 * k, 2.4 * k
    page.add_artist(
        CirclePatch(
            (cx, cy + 0.8 * k), 6.2 * k, facecolor="white", alpha=0.88, edgecolor="none", zorder=12
        )
    )
    page.add_artist(
        Polygon(
            [[cx, cy + h / 2], [cx - w, cy - h / 2], [cx, cy - h / 4]],
            closed=True,
            facecolor=INK,
            edgecolor=INK,
            linewidth=0.5 * k,
            zorder=12.1,
            gid="north-arrow",
        )
    )
    page.add_artist(
        Polygon(
            [[cx, cy + h / 2], [cx + w, cy - h / 2], [cx, cy - h / 4]],
            closed=True,
            facecolor="white",
            edgecolor=INK,
            linewidth=0.5 * k,
            zorder=12.1,
        )
    )
    page.text(
        cx,
        cy + h / 2 + 0.6 * k,
        texts["north"],
        ha="center",
        va="bottom",
        fontsize=7.5 * k,
        fontweight="bold",
        color=INK,
        zorder=12.2,
    )


def _draw_map_notes(
    page: Axes, frame: MapFrame, circle: Circle, k: float, texts: Mapping[str, str]
) -> None:
    # The credit the licence asks for, always, in the map's lower right corner.
    page.text(
        frame.box.right - 2.0 * k,
        frame.box.y + 2.0 * k,
        texts["credit"],
        ha="right",
        va="bottom",
        fontsize=6.2 * k,
        color=MUTED,
        zorder=12.2,
        gid="credit",
        bbox={
            "boxstyle": f"round,pad={0.35}",
            "facecolor": "white",
            "alpha": 0.85,
            "edgecolor": "none",
        },
    )
    if circle.cut_by_edge:
        width = frame.box.w * 0.62
        size = 8.2 * k
        lines = wrap("⚠  " + texts["edge_notice"], width, size, weight="bold", max_lines=3)
        page.text(
            frame.box.x + 5 * k,
            frame.box.top - 5 * k,
            "\n".join(lines),
            ha="left",
            va="top",
            fontsize=size,
            fontweight="bold",
            color=INK,
            linespacing=1.3,
            zorder=12.2,
            gid="edge-notice",
            bbox={
                "boxstyle": f"round,pad=0.6,rounding_size={0.5}",
                "facecolor": NOTICE_FILL,
                "edgecolor": NOTICE_EDGE,
                "linewidth": 1.2 * k,
            },
        )


def _legend_items(
    circle: Circle, places: Sequence[PosterPlace], language: str, texts: Mapping[str, str]
) -> list[tuple[str, str, str]]:
    """(kind, style key, label) for the legend: areas, the institution, categories present."""
    settings = circle.settings

    def area(mode: str, minutes: float, speed: float) -> str:
        return (
            texts[f"{mode}_area"].format(minutes=format_number(minutes, language))
            + " · "
            + texts["speed"].format(speed=format_number(speed, language))
        )

    items = [
        (
            "walk",
            "",
            area("walk", circle.walk.limit_minutes, circle.walk.speed_kmh or settings.walk_kmh),
        ),
        (
            "bike",
            "",
            area("bike", circle.bike.limit_minutes, circle.bike.speed_kmh or settings.bike_kmh),
        ),
        ("house", "", texts["here"]),
    ]
    present = {("own" if p.own else p.category) for p in places}
    codes = [code for code in CATEGORIES if code in present]
    codes += sorted(present - set(CATEGORIES))
    items += [("category", code, category_label(code, language, texts)) for code in codes]
    return items


_LEGEND_PT = 7.6
_LEGEND_SWATCH = 6.0
_LEGEND_ITEM_GAP = 6.0
_LEGEND_ROW = 5.6

#: A legend item placed: kind, style key, label, x offset from the legend's left edge (A4 mm).
LegendItem = tuple[str, str, str, float]


def _legend_rows(items: list[tuple[str, str, str]], width: float) -> list[list[LegendItem]]:
    """The areas and the institution on the first row; the categories below in a grid."""

    def item_width(label: str) -> float:
        return _LEGEND_SWATCH + 1.8 + text_width_mm(label, _LEGEND_PT)

    rows: list[list[LegendItem]] = [[]]
    x = 0.0
    for kind, key, label in items:
        if kind == "category":
            continue
        rows[0].append((kind, key, label, x))
        x += item_width(label) + _LEGEND_ITEM_GAP
    categories = [item for item in items if item[0] == "category"]
    if categories:
        column = max(item_width(label) for _, _, label in categories) + _LEGEND_ITEM_GAP
        per_row = max(1, int((width + _LEGEND_ITEM_GAP) // column))
        # As many rows as needed, spread evenly (5 + 5 rather than 8 + 2).
        row_count = math.ceil(len(categories) / per_row)
        per_row = math.ceil(len(categories) / row_count)
        column = max(column, (width + _LEGEND_ITEM_GAP) / per_row) if per_row > 1 else column
        for start in range(0, len(categories), per_row):
            chunk = categories[start : start + per_row]
            rows.append(
                [(kind, key, label, i * column) for i, (kind, key, label) in enumerate(chunk)]
            )
    return rows


def _draw_legend(page: Axes, box: Box, rows: list[list[LegendItem]], k: float) -> None:
    for row_index, row in enumerate(rows):
        y = (box.top - _LEGEND_ROW / 2 - row_index * _LEGEND_ROW) * k
        for kind, key, label, offset in row:
            sx, sw, sh = (box.x + offset) * k, _LEGEND_SWATCH * k, 3.6 * k
            if kind == "walk":
                page.add_artist(
                    Rectangle(
                        (sx, y - sh / 2),
                        sw,
                        sh,
                        facecolor=WALK_FILL,
                        alpha=WALK_ALPHA,
                        edgecolor="none",
                        zorder=3,
                    )
                )
                page.add_artist(
                    Rectangle(
                        (sx, y - sh / 2),
                        sw,
                        sh,
                        facecolor="none",
                        edgecolor=WALK_COLOUR,
                        linewidth=1.4 * k,
                        zorder=3.1,
                    )
                )
            elif kind == "bike":
                page.add_artist(
                    Rectangle(
                        (sx, y - sh / 2),
                        sw,
                        sh,
                        facecolor="none",
                        edgecolor=BIKE_COLOUR,
                        linewidth=1.2 * k,
                        linestyle=(0, (3, 1.6)),
                        zorder=3.1,
                    )
                )
            elif kind == "house":
                _draw_house(page, sx + sw / 2, y + 0.1 * k, 4.6 * k, k * 0.5, zorder=3)
            else:
                style = CATEGORIES.get(key, OTHER)
                _badge(
                    page,
                    sx + sw / 2,
                    y,
                    4.4 * k,
                    style.colour,
                    style.glyph,
                    6.4 * k,
                    zorder=3,
                    ring=0.5 * k,
                )
            page.text(
                sx + sw + 1.8 * k,
                y,
                label,
                ha="left",
                va="center_baseline",
                fontsize=_LEGEND_PT * k,
                color=INK,
                zorder=3.2,
                gid=f"legend-{kind}-{key}",
            )


def _draw_list(
    page: Axes, box: Box, layout: ListLayout, k: float, texts: Mapping[str, str]
) -> None:
    style = layout.style
    if not any(layout.columns):
        page.text(
            box.x * k,
            box.top * k,
            texts["no_places"],
            ha="left",
            va="top",
            fontsize=9 * k,
            color=MUTED,
            fontstyle="italic",
            gid="list-empty",
        )
        return
    name_line = style.line_mm(style.name_pt)
    small_line = style.line_mm(style.small_pt)
    for column_index, column in enumerate(layout.columns):
        x = box.x + column_index * (layout.column_width + _COLUMN_GAP)
        text_x = x + style.badge_mm + 2.2 * style.scale
        y = box.top
        for entry in column:
            colour = category_style(entry.place).colour
            first_baseline = y - name_line * 0.78
            _badge(
                page,
                (x + style.badge_mm / 2) * k,
                (first_baseline + style.name_pt * 0.36 * MM_PER_PT) * k,
                style.badge_mm * k,
                colour,
                str(entry.place.number),
                (6.6 if entry.place.number < 10 else 5.8) * style.scale * k,
                zorder=3,
                ring=0,
            )
            line_y = first_baseline
            for index, line in enumerate(entry.name_lines):
                if index:
                    line_y -= name_line
                page.text(
                    text_x * k,
                    line_y * k,
                    line,
                    ha="left",
                    va="baseline",
                    fontsize=style.name_pt * k,
                    fontweight="bold",
                    color=INK,
                    gid="list-name",
                )
            line_y -= small_line * 1.08
            page.text(
                text_x * k,
                line_y * k,
                entry.minutes,
                ha="left",
                va="baseline",
                fontsize=style.small_pt * k,
                color=MUTED,
                gid="list-minutes",
            )
            for line in entry.description_lines:
                line_y -= small_line
                page.text(
                    text_x * k,
                    line_y * k,
                    line,
                    ha="left",
                    va="baseline",
                    fontsize=style.small_pt * k,
                    fontstyle="italic",
                    color=INK,
                    gid="list-description",
                )
            y -= entry.height


_QR_SIZE = 21.0  # mm on A4: scans from a phone held at arm's length


@dataclass(frozen=True)
class Header:
    """The header's type, fitted to its texts: a long title shrinks, then takes two lines."""

    title_lines: list[str]
    title_pt: float
    institution_pt: float
    height: float  # mm on A4

    @property
    def title_height(self) -> float:
        return self.title_pt * (1.05 * (len(self.title_lines) - 1) + 1.0) * MM_PER_PT


def header_layout(title: str, institution: str, with_qr: bool) -> Header:
    text_width = PAPERS["A4"][0] - 2 * _MARGIN - (_QR_SIZE + 10 if with_qr else 0)
    title_pt = 26.0
    while title_pt > 18 and text_width_mm(title, title_pt, "bold") > text_width:
        title_pt -= 0.5
    title_lines = wrap(title, text_width, title_pt, weight="bold", max_lines=2)
    institution_pt = 13.0
    while institution_pt > 9 and text_width_mm(institution, institution_pt) > text_width:
        institution_pt -= 0.5
    header = Header(title_lines, title_pt, institution_pt, 0.0)
    text_height = header.title_height + 3.2 + institution_pt * 1.25 * MM_PER_PT
    height = max(text_height, _QR_SIZE + 4.5 if with_qr else 0.0)
    return Header(title_lines, title_pt, institution_pt, height)


def _draw_header(
    page: Axes,
    box: Box,
    k: float,
    header: Header,
    institution: str,
    public_url: str | None,
    texts: Mapping[str, str],
) -> None:
    page.text(
        box.x * k,
        box.top * k,
        "\n".join(header.title_lines),
        ha="left",
        va="top",
        fontsize=header.title_pt * k,
        fontweight="bold",
        color=INK,
        linespacing=1.05,
        gid="title",
    )
    page.text(
        box.x * k,
        (box.top - header.title_height - 3.2) * k,
        institution,
        ha="left",
        va="top",
        fontsize=header.institution_pt * k,
        color=MUTED,
        gid="institution-name",
    )
    if public_url:
        qx, qy = box.right - _QR_SIZE, box.top - _QR_SIZE
        draw_qr(page, public_url, qx * k, qy * k, _QR_SIZE * k)
        page.text(
            (qx + _QR_SIZE / 2) * k,
            (qy - 2.4) * k,
            texts["qr"],
            ha="center",
            va="top",
            fontsize=6.8 * k,
            color=MUTED,
            gid="qr-caption",
        )


_FOOT_PT = 6.2
_FOOT_LINE = _FOOT_PT * 1.4 * MM_PER_PT  # mm between the footer's lines
_FOOT_TOP = 1.6  # mm from the rule above the footer to its first line
_CREDIT_PAD = 0.9  # mm of white around the credit


@dataclass(frozen=True)
class Footer:
    """The footer's lines: the footnote beside the licence credit, the demo note below them.

    The credit has its own slot at the right of the first line, on white, and nothing else is
    set there: the footnote wraps short of it and the demo note starts on a line of its own.
    """

    note_lines: list[str]
    credit: str
    demo_lines: list[str]

    @property
    def height(self) -> float:  # mm on A4
        lines = max(1, len(self.note_lines)) + len(self.demo_lines)
        return _FOOT_TOP + lines * _FOOT_LINE + (_CREDIT_PAD if self.demo_lines else 0.0)


def footer_layout(note: str, credit: str, demo_note: str | None) -> Footer:
    inner = PAPERS["A4"][0] - 2 * _MARGIN
    credit_room = text_width_mm(credit, _FOOT_PT) + 2 * _CREDIT_PAD + 4.0
    return Footer(
        note_lines=wrap(note, inner - credit_room, _FOOT_PT, max_lines=2),
        credit=credit,
        demo_lines=wrap(demo_note, inner, _FOOT_PT, weight="bold", max_lines=2)
        if demo_note
        else [],
    )


def _footnote(circle: Circle, language: str, texts: Mapping[str, str]) -> str:
    settings = circle.settings
    return texts["footnote"].format(
        walk_speed=format_number(circle.walk.speed_kmh or settings.walk_kmh, language),
        bike_speed=format_number(circle.bike.speed_kmh or settings.bike_kmh, language),
    )


def _draw_footer(page: Axes, box: Box, k: float, footer: Footer) -> None:
    page.plot(
        [box.x * k, box.right * k],
        [(box.top + 1.0) * k] * 2,
        color=RULE,
        linewidth=0.6 * k,
        solid_capstyle="butt",
    )
    first = box.top - _FOOT_TOP
    page.text(
        box.x * k,
        first * k,
        "\n".join(footer.note_lines),
        ha="left",
        va="top",
        fontsize=_FOOT_PT * k,
        color=FAINT,
        linespacing=1.4,
        gid="footnote",
    )
    # The licence asks for the credit: darker than the footnote, on white, above everything.
    page.text(
        box.right * k,
        first * k,
        footer.credit,
        ha="right",
        va="top",
        fontsize=_FOOT_PT * k,
        color=MUTED,
        zorder=13,
        gid="map-credit",
        bbox={
            "boxstyle": f"square,pad={_CREDIT_PAD / (_FOOT_PT * MM_PER_PT):.3f}",
            "facecolor": "white",
            "edgecolor": "none",
        },
    )
    if footer.demo_lines:
        page.text(
            box.x * k,
            # Below the credit's white box, not under it.
            (first - max(1, len(footer.note_lines)) * _FOOT_LINE - _CREDIT_PAD) * k,
            "\n".join(footer.demo_lines),
            ha="left",
            va="top",
            fontsize=_FOOT_PT * k,
            color=FAINT,
            fontweight="bold",
            linespacing=1.4,
            gid="demo-note",
        )


_RC: dict[Any, Any] = {
    "font.family": FONT,
    "pdf.fonttype": 42,  # TrueType, embedded: crisp when printed, text stays searchable
    "path.simplify": True,
    "svg.hashsalt": "borneliv-nearby-poster",
}


# Every figure is built with the poster's fonts and line widths, whoever calls it.
@matplotlib.rc_context(_RC)
def build_figure(
    circle: Circle,
    *,
    paper: Paper = "A4",
    title: str,
    institution: str,
    public_url: str | None,
    language: Language = "da",
    places: Sequence[PosterPlace] | None = None,
    demo_note: str | None = None,
    texts: Mapping[str, str] | None = None,
) -> Figure:
    """The poster as a matplotlib Figure (not yet saved), for ``render`` and for tests."""
    if paper not in PAPERS:
        raise ValueError(f"paper must be one of {sorted(PAPERS)}, not {paper!r}")
    words = poster_texts(language, texts)
    poster_places = list(places) if places is not None else places_from_circle(circle)
    width, height = PAPERS[paper]
    k = width / PAPERS["A4"][0]  # A3 is A4 scaled by √2

    legend_items = _legend_items(circle, poster_places, language, words)
    legend_rows = _legend_rows(legend_items, PAPERS["A4"][0] - 2 * _MARGIN)
    header = header_layout(title, institution, bool(public_url))
    footer = footer_layout(_footnote(circle, language, words), words["map_credit"], demo_note)
    page_layout = layout_page(
        poster_places, words, len(legend_rows) * _LEGEND_ROW, header.height, footer.height
    )
    # A list too long for the page is cut; a place without its line gets no marker either.
    listed = [entry.place for column in page_layout.list_layout.columns for entry in column]

    figure = Figure(figsize=(width / MM_PER_INCH, height / MM_PER_INCH))
    figure.patch.set_facecolor("white")

    def scaled(box: Box) -> Box:
        return Box(box.x * k, box.y * k, box.w * k, box.h * k)

    map_box = scaled(page_layout.map)
    map_ax = figure.add_axes(
        (map_box.x / width, map_box.y / height, map_box.w / width, map_box.h / height),
        zorder=1,
    )
    page = figure.add_axes((0, 0, 1, 1), zorder=2)
    page.set_xlim(0, width)
    page.set_ylim(0, height)
    page.set_axis_off()
    page.patch.set_alpha(0)

    projection = Projection(circle.lat, circle.lon)
    frame = map_frame(circle, listed, projection, map_box)
    map_ax.set_xlim(frame.xmin, frame.xmax)
    map_ax.set_ylim(frame.ymin, frame.ymax)
    map_ax.set_aspect("equal", adjustable="box")
    map_ax.set_facecolor(LAND)
    map_ax.set_xticks([])
    map_ax.set_yticks([])
    for spine in map_ax.spines.values():
        spine.set_edgecolor("#6b665e")
        spine.set_linewidth(0.6 * k)

    _draw_basemap(map_ax, circle, projection, k)
    _draw_areas(map_ax, circle, projection, frame, k)
    _draw_data_edge(map_ax, page, circle, projection, frame, k, words)
    home = frame.to_page(np.zeros((1, 2)))[0]
    _draw_markers(page, frame, listed, projection, home, k)
    _draw_house(page, home[0], home[1], 7.0 * k, k, zorder=11.5)
    _draw_scale_bar(page, frame, k, language)
    _draw_north_arrow(page, frame, k, words)
    _draw_map_notes(page, frame, circle, k, words)

    _draw_header(page, page_layout.header, k, header, institution, public_url, words)
    _draw_legend(page, page_layout.legend, legend_rows, k)
    _draw_list(page, page_layout.list, page_layout.list_layout, k, words)
    _draw_footer(page, page_layout.footer, k, footer)
    return figure


# rcParams are process-global: one poster at a time (as the growth charts do).
_LOCK = threading.Lock()


def render(
    circle: Circle,
    out: str | Path | BinaryIO,
    *,
    fmt: Format | None = None,
    paper: Paper = "A4",
    title: str,
    institution: str,
    public_url: str | None,
    language: Language = "da",
    places: Sequence[PosterPlace] | None = None,
    demo_note: str | None = None,
    dpi: int = 200,
    texts: Mapping[str, str] | None = None,
) -> None:
    """Draw the poster and write it to ``out`` as PDF (vector, fonts embedded) or PNG."""
    if fmt is None:
        if isinstance(out, (str, Path)):
            fmt_guess = Path(out).suffix.lower().lstrip(".")
        else:
            fmt_guess = Path(getattr(out, "name", "") or "").suffix.lower().lstrip(".")
        if fmt_guess not in ("pdf", "png"):
            raise ValueError("say fmt='pdf' or fmt='png' (the output's suffix does not)")
        fmt = fmt_guess  # type: ignore[assignment]
    if fmt not in ("pdf", "png"):
        raise ValueError(f"fmt must be 'pdf' or 'png', not {fmt!r}")
    with _LOCK, matplotlib.rc_context(_RC):
        figure = build_figure(
            circle,
            paper=paper,
            title=title,
            institution=institution,
            public_url=public_url,
            language=language,
            places=places,
            demo_note=demo_note,
            texts=texts,
        )
        if fmt == "pdf":
            FigureCanvasPdf(figure)
            figure.savefig(
                out,
                format="pdf",
                metadata={"Title": title, "Creator": "Børneliv", "CreationDate": None},
            )
        else:
            FigureCanvasAgg(figure)
            figure.savefig(out, format="png", dpi=dpi, metadata={"Software": "Børneliv"})


def render_bytes(circle: Circle, *, fmt: Format, **kwargs: Any) -> bytes:
    """The poster as bytes (for a download response)."""
    buffer = io.BytesIO()
    render(circle, buffer, fmt=fmt, **kwargs)
    return buffer.getvalue()
