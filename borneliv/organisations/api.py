"""Read endpoints for the registry: municipalities, areas, institutions, partners.

No ``from __future__ import annotations`` here: django-ninja resolves string annotations in the
globals of the ``@paginate`` wrapper (``ninja.pagination``), where ``Query`` and the filter
schemas are unknown, so every filtered list endpoint would fail with a pydantic error.
"""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, FilterSchema, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from borneliv.accounts.actors import request_user
from borneliv.accounts.models import today
from borneliv.organisations.models import Area, Institution, Municipality, Partner

router = Router(tags=["registry"])


class MunicipalityOut(Schema):
    id: int
    name: str
    code: str = Field(description="4-digit kommunekode")


class AreaOut(Schema):
    id: int
    name: str
    kind: str = Field(description="programme or comparison")
    municipality_id: int
    start_date: dt.date
    is_synthetic: bool


class InstitutionOut(Schema):
    id: int
    name: str
    kind: str
    municipality_id: int
    official_number: str
    street: str
    postcode: str
    city: str
    latitude: float | None
    longitude: float | None
    area_id: int | None = Field(None, description="The area the institution belongs to today")
    is_synthetic: bool

    @staticmethod
    def resolve_area_id(obj: Institution) -> int | None:
        on = today()
        for membership in obj.area_memberships.all():
            if membership.valid_from <= on and (
                membership.valid_to is None or membership.valid_to >= on
            ):
                return int(membership.area_id)
        return None


class PartnerOut(Schema):
    id: int
    name: str
    kind: str
    municipality_id: int
    area_id: int | None
    contact_name: str
    contact_email: str
    contact_phone: str
    website: str
    is_synthetic: bool


class AreaFilter(FilterSchema):
    municipality_id: int | None = None
    kind: str | None = None


class InstitutionFilter(FilterSchema):
    municipality_id: int | None = None
    kind: str | None = None


class PartnerFilter(FilterSchema):
    municipality_id: int | None = None
    area_id: int | None = None
    kind: str | None = None


@router.get("/municipalities", response=list[MunicipalityOut])
@paginate(PageNumberPagination)
def list_municipalities(request: HttpRequest) -> Any:
    return Municipality.objects.visible_to(request_user(request)).order_by("name")


@router.get("/municipalities/{municipality_id}", response=MunicipalityOut)
def get_municipality(request: HttpRequest, municipality_id: int) -> Any:
    return get_object_or_404(
        Municipality.objects.visible_to(request_user(request)), pk=municipality_id
    )


@router.get("/areas", response=list[AreaOut])
@paginate(PageNumberPagination)
def list_areas(request: HttpRequest, filters: Query[AreaFilter]) -> Any:
    return filters.filter(Area.objects.visible_to(request_user(request))).order_by("id")


@router.get("/areas/{area_id}", response=AreaOut)
def get_area(request: HttpRequest, area_id: int) -> Any:
    return get_object_or_404(Area.objects.visible_to(request_user(request)), pk=area_id)


def _institutions(request: HttpRequest) -> Any:
    return Institution.objects.visible_to(request_user(request)).prefetch_related(
        "area_memberships"
    )


@router.get("/institutions", response=list[InstitutionOut])
@paginate(PageNumberPagination)
def list_institutions(request: HttpRequest, filters: Query[InstitutionFilter]) -> Any:
    return filters.filter(_institutions(request)).order_by("id")


@router.get("/institutions/{institution_id}", response=InstitutionOut)
def get_institution(request: HttpRequest, institution_id: int) -> Any:
    return get_object_or_404(_institutions(request), pk=institution_id)


@router.get("/partners", response=list[PartnerOut])
@paginate(PageNumberPagination)
def list_partners(request: HttpRequest, filters: Query[PartnerFilter]) -> Any:
    return filters.filter(Partner.objects.visible_to(request_user(request))).order_by("id")


@router.get("/partners/{partner_id}", response=PartnerOut)
def get_partner(request: HttpRequest, partner_id: int) -> Any:
    return get_object_or_404(Partner.objects.visible_to(request_user(request)), pk=partner_id)
