"""Permissions for the Nærhedscirkel.

- The staff of an institution (its pedagogues or teachers) curate its circle: compute it, choose,
  rename and describe places, add their own, change the settings, renew the public link.
- A project leader reads the circles of her municipality's institutions (and its areas' map).
- Administrators do everything, and alone import map extracts.
- Everyone else sees nothing (pages answer 404, see ``Circle.objects.visible_to``).

The object of ``view_circle`` and ``change_circle`` is the institution (a circle may not exist
yet); of ``view_area_map`` the area.
"""

from __future__ import annotations

from typing import Any

import rules

from borneliv.accounts.rules import is_admin, is_project_leader
from borneliv.nearby.models import CIRCLE_KINDS, staff_institution_ids


def _institution(obj: Any) -> Any:
    """The institution of a circle, a place or the institution itself."""
    if obj is None:
        return None
    name = obj.__class__.__name__
    if name == "CirclePlace":
        return obj.circle.institution
    if name == "Circle":
        return obj.institution
    return obj


@rules.predicate
def is_staff_of(user: Any, obj: Any) -> bool:
    """The user is a pedagogue or teacher of the institution (of any when ``obj`` is None)."""
    if not user.is_authenticated:
        return False
    staff = staff_institution_ids(user)
    institution = _institution(obj)
    if institution is None:
        return bool(staff)
    return institution.pk in staff


@rules.predicate
def leads_municipality_of(user: Any, obj: Any) -> bool:
    if not user.is_authenticated:
        return False
    institution = _institution(obj)
    led = user.scope.led_municipality_ids
    if institution is None:
        return bool(led)
    return institution.municipality_id in led


@rules.predicate
def can_have_circle(user: Any, obj: Any) -> bool:
    institution = _institution(obj)
    return institution is None or institution.kind in CIRCLE_KINDS


@rules.predicate
def leads_area(user: Any, area: Any) -> bool:
    if not user.is_authenticated:
        return False
    if area is None:
        return bool(user.scope.led_municipality_ids)
    return area.municipality_id in user.scope.led_municipality_ids


curates = (is_admin | is_staff_of) & can_have_circle
reads = (is_admin | is_staff_of | leads_municipality_of) & can_have_circle

rules.add_perm("nearby.view_circle", reads)
rules.add_perm("nearby.change_circle", curates)
rules.add_perm("nearby.view_area_map", is_admin | leads_area)
rules.add_perm("nearby.import_extract", is_admin)
# The Django admin's model permissions (ScopedAdmin reads these).
rules.add_perm("nearby.view_extract", is_admin | is_project_leader)
rules.add_perm("nearby.add_extract", rules.always_deny)  # through the import page only
rules.add_perm("nearby.change_extract", rules.always_deny)
rules.add_perm("nearby.delete_extract", is_admin)
rules.add_perm("nearby.view_circleplace", is_admin)
rules.add_perm("nearby.view_history", is_admin)
