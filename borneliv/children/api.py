"""API endpoints for children: scoped, pseudonymous ids, every child returned is access-logged.

A child is known to the API only by its random ``public_id``; neither the CPR number nor the
database key is ever part of a response. Look-up by CPR number is a POST with the number in the
body, never in the URL.

No ``from __future__ import annotations`` here, for the reason given in
``borneliv/organisations/api.py`` (ninja's ``Query[FilterSchema]`` under ``@paginate``).
"""

import datetime as dt
import uuid
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, FilterLookup, FilterSchema, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from borneliv.accounts.actors import request_user
from borneliv.children import selectors, services
from borneliv.children.access import child_for
from borneliv.children.models import Child
from borneliv.children.services import ReadView

router = Router(tags=["children"])


class ChildOut(Schema):
    id: uuid.UUID = Field(description="The child's pseudonymous id (not the CPR number)")
    first_name: str
    last_name: str
    birth_date: dt.date
    sex: str = Field(description="F (girl) or M (boy)")
    area_id: int | None = Field(None, description="The area the child lives in today")
    family_id: uuid.UUID | None = Field(None, description="The family's pseudonymous id")
    vulnerable_now: bool = Field(description="The family has a vulnerability marker today")

    @staticmethod
    def resolve_id(obj: Child) -> uuid.UUID:
        return obj.public_id

    @staticmethod
    def resolve_area_id(obj: Child) -> int | None:
        return obj.current_area_id  # type: ignore[attr-defined]

    @staticmethod
    def resolve_family_id(obj: Child) -> uuid.UUID | None:
        return obj.family.public_id if obj.family is not None else None


class ChildFilter(FilterSchema):
    area_id: Annotated[int | None, FilterLookup("current_area_id")] = Field(
        None, description="Lives in this area today"
    )
    born_from: Annotated[dt.date | None, FilterLookup("birth_date__gte")] = Field(
        None, description="Born on or after"
    )
    born_to: Annotated[dt.date | None, FilterLookup("birth_date__lte")] = Field(
        None, description="Born on or before"
    )


class CprIn(Schema):
    cpr: str = Field(max_length=20, description="DDMMYY-SSSS or ten digits")


class Message(Schema):
    detail: str


class LoggedPageNumberPagination(PageNumberPagination):
    """Page-number pagination that writes one access-log row per child on the page."""

    def paginate_queryset(
        self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        result = super().paginate_queryset(queryset, pagination, request, **params)
        items = list(result[self.items_attribute])
        services.access_log_record(
            user=request_user(request), children=items, view=ReadView.API_LIST
        )
        result[self.items_attribute] = items
        return result


def _children(request: HttpRequest) -> Any:
    return selectors.children_for_list(request_user(request))


@router.get("/children", response=list[ChildOut])
@paginate(LoggedPageNumberPagination)
def list_children(request: HttpRequest, filters: Query[ChildFilter]) -> Any:
    """The children you may see, by last and first name; each one listed is access-logged."""
    return filters.filter(_children(request)).order_by("last_name", "first_name", "pk")


# Before "/children/{public_id}": both patterns match "/children/lookup".
@router.post("/children/lookup", response={200: ChildOut, 404: Message, 422: Message})
def lookup_child(request: HttpRequest, payload: CprIn) -> Any:
    """Find a child you may see by CPR number, sent in the body (access-logged)."""
    user = request_user(request)
    try:
        found = services.child_find_by_cpr(cpr=payload.cpr, user=user)
    except ValidationError as exc:
        return Status(422, {"detail": " ".join(exc.messages)})
    if found is None:
        return Status(404, {"detail": "No child with this CPR number in your scope."})
    child = _children(request).get(pk=found.pk)
    services.access_log_record(user=user, children=child, view=ReadView.API_LOOKUP)
    return child


@router.get("/children/{public_id}", response={200: ChildOut, 404: Message})
def get_child(request: HttpRequest, public_id: uuid.UUID) -> Any:
    """One child by its id (access-logged)."""
    return child_for(
        request_user(request), public_id, children=_children(request), log=ReadView.API_DETAIL
    )
