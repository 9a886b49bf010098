"""Template context every page gets from the registry: the footer's programme municipalities."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject
from django.utils.text import get_text_list
from django.utils.translation import gettext as _

from borneliv.organisations.models import Area, Municipality

_CACHE_ATTRIBUTE = "_programme_municipalities"


def programme_municipality_names(request: HttpRequest) -> list[str]:
    """The names of the municipalities that run the programme (have a programme area), A–Z.

    Read once per request (a page rendering several templates asks once), and only when a
    template shows them.
    """
    names: list[str] | None = getattr(request, _CACHE_ATTRIBUTE, None)
    if names is None:
        names = list(
            Municipality.objects.filter(areas__kind=Area.Kind.PROGRAMME)
            .distinct()
            .order_by("name")
            .values_list("name", flat=True)
        )
        setattr(request, _CACHE_ATTRIBUTE, names)
    return names


def programme(request: HttpRequest) -> dict[str, Any]:
    """``programme_municipalities``: "Aalborg, Albertslund og Frederikssund" ("" when none)."""
    return {
        "programme_municipalities": SimpleLazyObject(
            lambda: get_text_list(programme_municipality_names(request), _("and"))
        )
    }
