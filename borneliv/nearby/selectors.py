"""Reads for the Nærhedscirkel: the list of circles, the curation page, the GeoJSON the maps draw.

Scope: ``institutions_for(user)`` holds the institutions whose circles the user may open (the
rule of ``Circle.objects.visible_to``: staff their own institutions, project leaders their
municipality, administrators all). The public page reads a circle by its token only and shows
nothing but the places put on the circle, the institution's name and address, and the map.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.urls import reverse

from borneliv.accounts.models import today
from borneliv.nearby import storage, types
from borneliv.nearby.labels import CATEGORY_LABELS, CATEGORY_ORDER, category_label
from borneliv.nearby.models import (
    CIRCLE_KINDS,
    Circle,
    CirclePlace,
    Extract,
    institutions_with_circles_q,
    minutes_label,
)
from borneliv.organisations.models import Area, Institution


def institutions_for(user: Any) -> QuerySet[Institution]:
    """Institutions whose circles ``user`` may open (daycares and schools only)."""
    if not user.is_authenticated or user.scope.is_empty:
        return Institution.objects.none()
    queryset = Institution.objects.filter(kind__in=CIRCLE_KINDS)
    q = institutions_with_circles_q(user)
    if q is not None:
        queryset = queryset.filter(q)
    return queryset


def institutions_for_list(user: Any) -> QuerySet[Institution]:
    """The list page's rows: with circle, municipality and the count of places on the circle."""
    return (
        institutions_for(user)
        .select_related("municipality", "nearby_circle")
        .annotate(
            places_included=Count(
                "nearby_circle__places",
                filter=Q(nearby_circle__places__included=True)
                & ~Q(nearby_circle__places__change=CirclePlace.Change.GONE),
            )
        )
        .order_by("municipality__name", "name", "pk")
    )


def extracts_by_municipality(municipality_ids: set[int]) -> dict[int, Extract]:
    """The newest extract of each municipality (one query)."""
    newest: dict[int, Extract] = {}
    for extract in Extract.objects.filter(municipality_id__in=municipality_ids).newest_first():
        newest.setdefault(extract.municipality_id, extract)
    return newest


@dataclass
class PlaceGroup:
    code: str
    label: str
    places: list[CirclePlace]


@dataclass
class CirclePage:
    """What the curation page shows."""

    institution: Institution
    circle: Circle | None
    extract: Extract | None  # the municipality's newest
    included: list[CirclePlace] = field(default_factory=list)
    candidates: list[PlaceGroup] = field(default_factory=list)
    gone: list[CirclePlace] = field(default_factory=list)
    changed: list[CirclePlace] = field(default_factory=list)
    new: list[CirclePlace] = field(default_factory=list)

    @property
    def newer_data(self) -> bool:
        """Newer map data were imported than the circle was computed from."""
        return bool(
            self.circle
            and self.circle.is_computed
            and self.extract
            and self.circle.extract_id != self.extract.pk
        )

    @property
    def included_gone(self) -> list[CirclePlace]:
        return [p for p in self.gone if p.included]


def circle_page(institution: Institution) -> CirclePage:
    circle = Circle.objects.filter(institution=institution).select_related("extract").first()
    extract = Extract.objects.filter(municipality_id=institution.municipality_id).newest_first()
    page = CirclePage(institution=institution, circle=circle, extract=extract.first())
    if circle is None:
        return page
    places = list(circle.places.for_list())
    places.sort(key=_place_order)
    groups: dict[str, list[CirclePlace]] = {}
    for place in places:
        if place.is_gone:
            page.gone.append(place)
            continue
        if place.included:
            page.included.append(place)
        else:
            groups.setdefault(place.category, []).append(place)
        if place.change == CirclePlace.Change.CHANGED:
            page.changed.append(place)
        elif place.change == CirclePlace.Change.NEW:
            page.new.append(place)
    page.candidates = [
        PlaceGroup(code, category_label(code), groups[code])
        for code in sorted(groups, key=lambda c: CATEGORY_ORDER.get(c, 99))
    ]
    return page


def _place_order(place: CirclePlace) -> tuple[float, float, str]:
    walk = place.walk_minutes if place.walk_minutes is not None else 1e9
    bike = place.bike_minutes if place.bike_minutes is not None else 1e9
    return (walk, bike, place.name.casefold())


def public_places(circle: Circle) -> list[CirclePlace]:
    """The places on the circle as parents see them (not those gone from the map data)."""
    places = [
        p
        for p in circle.places.included().exclude(change=CirclePlace.Change.GONE)
        if p.walk_minutes is not None or p.bike_minutes is not None or p.is_own
    ]
    places.sort(key=_place_order)
    return places


def circle_by_token(token: str) -> Circle | None:
    if not token or len(token) > 64:
        return None
    return (
        Circle.objects.filter(public_token=token, computed_at__isnull=False)
        .select_related("institution__municipality")
        .first()
    )


# --- GeoJSON --------------------------------------------------------------------------------------


def basemap_features(basemap: types.Basemap) -> list[dict[str, Any]]:
    """The base map's lines and rings as GeoJSON features (``properties.layer``; streets with
    their ``rank``), as the engines' ``geojson`` module writes them."""
    from borneliv.nearby import geojson

    return geojson.basemap_features(basemap)


def _area_feature(circle: Circle, mode: str) -> dict[str, Any] | None:
    geometry = circle.walk_area if mode == "walk" else circle.bike_area
    if not geometry:
        return None
    minutes = circle.walk_minutes if mode == "walk" else circle.bike_minutes
    speed = circle.walk_kmh if mode == "walk" else circle.bike_kmh
    return {
        "type": "Feature",
        "properties": {
            "layer": f"{mode}_area",
            "minutes": minutes,
            "speed_kmh": speed,
            "touches_edge": circle.walk_touches_edge
            if mode == "walk"
            else circle.bike_touches_edge,
        },
        "geometry": geometry,
    }


def _place_feature(place: CirclePlace, *, public: bool, number: int | None) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "layer": "place",
        "name": place.name,
        "category": place.category,
        "category_label": category_label(place.category),
        "walk": minutes_label(place.walk_minutes),
        "bike": minutes_label(place.bike_minutes),
        "description": place.description,
        "included": place.included,
        "own": place.is_own,
    }
    if number is not None:
        properties["number"] = number
    if not public:
        properties |= {
            "id": place.pk,
            "osm_name": place.osm_name,
            "change": place.change,
            "edit_url": reverse("nearby:place", args=[place.circle.institution_id, place.pk]),
        }
    return {
        "type": "Feature",
        "properties": properties,
        "geometry": {
            "type": "Point",
            "coordinates": [round(place.longitude, 6), round(place.latitude, 6)],
        },
    }


def _start_feature(institution: Institution) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {
            "layer": "start",
            "name": institution.name,
            "address": institution.address,
            "kind": institution.kind,
        },
        "geometry": {
            "type": "Point",
            "coordinates": [
                round(float(institution.longitude or 0), 6),
                round(float(institution.latitude or 0), 6),
            ],
        },
    }


def computed_circle(circle: Circle) -> types.Circle | None:
    """What the engine computed for the circle (None when the stored file is missing)."""
    if not circle.computed_file:
        return None
    try:
        return storage.circle_read(circle.computed_file)
    except storage.StoredDataMissing:
        return None


def circle_geojson(circle: Circle, *, public: bool, with_basemap: bool = True) -> dict[str, Any]:
    """A FeatureCollection: base map, both areas, the institution and the places.

    ``public``: only the places on the circle (not gone), without ids or change marks; staff
    also get the candidates not on the circle (``included`` false) and the gone ones.
    """
    features: list[dict[str, Any]] = []
    if with_basemap:
        computed = computed_circle(circle)
        if computed is not None:
            features += basemap_features(computed.basemap)
    for mode in ("bike", "walk"):
        area = _area_feature(circle, mode)
        if area is not None:
            features.append(area)
    institution = circle.institution
    if public:
        places = public_places(circle)
        features += [
            _place_feature(p, public=True, number=n) for n, p in enumerate(places, start=1)
        ]
    else:
        places = sorted(circle.places.all(), key=_place_order)
        features += [_place_feature(p, public=False, number=None) for p in places]
    if institution.has_location:
        features.append(_start_feature(institution))
    return {
        "type": "FeatureCollection",
        "bbox": _bbox(circle),
        "properties": {
            "institution": institution.name,
            "cut_by_edge": circle.cut_by_edge,
            "walk_minutes": circle.walk_minutes,
            "bike_minutes": circle.bike_minutes,
            "attribution": "© OpenStreetMap contributors (ODbL)",
        },
        "features": features,
    }


def _bbox(circle: Circle) -> list[float] | None:
    """GeoJSON order: west, south, east, north."""
    if not circle.view_bbox:
        return None
    south, west, north, east = circle.view_bbox
    return [west, south, east, north]


# --- the area map ---------------------------------------------------------------------------------


@dataclass
class AreaRow:
    institution: Institution
    circle: Circle | None
    places_included: int


def areas_for_map(user: Any) -> list[Area]:
    """The programme areas whose circles the user may see on one map (project leaders, admins)."""
    if not user.is_authenticated:
        return []
    scope = user.scope
    areas = Area.objects.programme().select_related("municipality")
    if not scope.is_admin:
        if not scope.led_municipality_ids:
            return []
        areas = areas.filter(municipality_id__in=scope.led_municipality_ids)
    return list(areas.order_by("municipality__name", "name"))


def area_rows(area: Area, on: dt.date | None = None) -> list[AreaRow]:
    """The area's institutions that can have a circle, with their circles (today's members)."""
    day = on or today()
    institutions = (
        Institution.objects.in_area_on(area, day)
        .filter(kind__in=CIRCLE_KINDS)
        .select_related("nearby_circle")
        .annotate(
            places_included=Count(
                "nearby_circle__places",
                filter=Q(nearby_circle__places__included=True)
                & ~Q(nearby_circle__places__change=CirclePlace.Change.GONE),
            )
        )
        .order_by("kind", "name")
    )
    rows = []
    for inst in institutions:
        circle = getattr(inst, "nearby_circle", None)
        rows.append(AreaRow(inst, circle, int(inst.places_included)))
    return rows


def area_geojson(area: Area, rows: list[AreaRow]) -> dict[str, Any]:
    """Every computed circle of the area: its walking area, its places on the circle, the
    institution; each feature carries the institution's id and name."""
    features: list[dict[str, Any]] = []
    circles = [r.circle for r in rows if r.circle is not None and r.circle.is_computed]
    places = CirclePlace.objects.filter(circle__in=circles, included=True).exclude(
        change=CirclePlace.Change.GONE
    )
    by_circle: dict[int, list[CirclePlace]] = {}
    for place in places.prefetch_related(Prefetch("goals")):
        by_circle.setdefault(place.circle_id, []).append(place)
    for row in rows:
        inst = row.institution
        common = {"institution_id": inst.pk, "institution": inst.name}
        circle = row.circle
        if circle is not None and circle.is_computed:
            for mode in ("bike", "walk"):
                area_feature = _area_feature(circle, mode)
                if area_feature is not None:
                    area_feature["properties"] |= common
                    features.append(area_feature)
            for place in by_circle.get(circle.pk, []):
                feature = _place_feature(place, public=True, number=None)
                feature["properties"] |= common
                features.append(feature)
        if inst.has_location:
            start = _start_feature(inst)
            start["properties"] |= common | {
                "url": reverse("nearby:institution", args=[inst.pk]),
                "has_circle": circle is not None and circle.is_computed,
            }
            features.append(start)
    return {
        "type": "FeatureCollection",
        "properties": {"area": area.name, "attribution": "© OpenStreetMap contributors (ODbL)"},
        "features": features,
    }


def category_legend() -> list[tuple[str, str]]:
    return [(code, str(label)) for code, label in CATEGORY_LABELS.items()]
