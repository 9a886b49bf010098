"""Template filters for the shared form templates (``templates/includes/field.html``)."""

from __future__ import annotations

from django import template
from django.forms import BoundField

from borneliv.lib.forms import shows_optional

register = template.Library()


@register.filter
def optional(field: BoundField) -> bool:
    """``{% if field|optional %}(optional){% endif %}``: see ``lib.forms.shows_optional``."""
    return shows_optional(field)
