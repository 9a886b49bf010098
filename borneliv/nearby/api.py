"""The Nærhedscirkel's API under ``/api/v1/nearby/``: circles (read-only), scoped like the pages.

Staff read their own institutions' circles, project leaders their municipality's, administrators
all; a circle outside the caller's scope answers 404. The public token is not part of the API.

No ``from __future__ import annotations`` here, for the reason given in
``borneliv/organisations/api.py`` (ninja's annotations under ``@paginate``).
"""

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from borneliv.accounts.actors import request_user
from borneliv.nearby import selectors
from borneliv.nearby.labels import category_label
from borneliv.nearby.models import CIRCLE_KINDS, Circle, CirclePlace

router = Router(tags=["nearby"])


class Message(Schema):
    detail: str


class CircleOut(Schema):
    institution_id: int
    institution: str = Field(description="The institution's name")
    computed_at: dt.datetime | None
    walk_kmh: float
    bike_kmh: float
    walk_minutes: int
    bike_minutes: int
    cut_by_edge: bool = Field(description="The walking or cycling area reaches the data's edge")
    places_included: int = Field(description="Places on the circle (not counting gone ones)")

    @staticmethod
    def resolve_institution(obj: Circle) -> str:
        return obj.institution.name


class PlaceOut(Schema):
    id: int
    source: str = Field(description="osm (found in the map data) or own (added by the staff)")
    osm_key: str = Field(description="e.g. osm:node/123; empty for own places")
    category: str
    category_label: str
    name: str = Field(
        description="The name on the circle: the staff's, else the map data's, else one made of "
        "its kind and the nearest named street (e.g. 'Legeplads ved Langøgade')"
    )
    osm_name: str
    description: str
    latitude: float
    longitude: float
    walk_minutes: float | None
    bike_minutes: float | None
    included: bool = Field(description="On the circle")
    change: str = Field(description="At the last computation: '', new, changed or gone")
    goals: list[str] = Field(description="Codes of the programme's goals")

    @staticmethod
    def resolve_category_label(obj: CirclePlace) -> str:
        return category_label(obj.category)

    @staticmethod
    def resolve_name(obj: CirclePlace) -> str:
        return obj.name

    @staticmethod
    def resolve_goals(obj: CirclePlace) -> list[str]:
        return [goal.code for goal in obj.goals.all()]


class CircleDetailOut(CircleOut):
    places: list[PlaceOut]

    @staticmethod
    def resolve_places(obj: Circle) -> list[CirclePlace]:
        return list(obj.places.for_list())


def _circles(request: HttpRequest) -> Any:
    return (
        Circle.objects.visible_to(request_user(request))
        .filter(computed_at__isnull=False, institution__kind__in=CIRCLE_KINDS)
        .select_related("institution")
        .annotate(
            places_included=Count(
                "places",
                filter=Q(places__included=True) & ~Q(places__change=CirclePlace.Change.GONE),
            )
        )
    )


@router.get("/circles", response=list[CircleOut])
@paginate(PageNumberPagination)
def list_circles(request: HttpRequest) -> Any:
    """The computed circles you may see, by institution name."""
    return _circles(request).order_by("institution__name", "pk")


@router.get("/circles/{institution_id}", response={200: CircleDetailOut, 404: Message})
def get_circle(request: HttpRequest, institution_id: int) -> Any:
    """One institution's circle with every place: those on the circle and the candidates."""
    circle = _circles(request).filter(institution_id=institution_id).first()
    if circle is None:
        return Status(404, {"detail": "Not Found"})
    return circle


@router.get("/circles/{institution_id}/geojson", response={200: dict[str, Any], 404: Message})
def get_circle_geojson(request: HttpRequest, institution_id: int) -> Any:
    """The circle as GeoJSON: both areas, the places, the institution (no base map)."""
    circle = _circles(request).filter(institution_id=institution_id).first()
    if circle is None:
        return Status(404, {"detail": "Not Found"})
    return selectors.circle_geojson(circle, public=False, with_basemap=False)
