"""Navigation by role, built from the user's scope and permissions."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    base = {
        "map_tile_url": settings.MAP_TILE_URL,
        "map_tile_attribution": settings.MAP_TILE_ATTRIBUTION,
    }
    if not user.is_authenticated:
        return {**base, "nav_items": []}
    scope = user.scope
    # URL names of apps above accounts are referenced by name only (no import upwards).
    items: list[tuple[str, Any]] = []
    if user.has_perm("healthvisits.view_worklist"):
        # A health visitor's home is her worklist (accounts:home redirects there).
        items.append((reverse("healthvisits:worklist"), _("Worklist")))
    else:
        items.append((reverse("accounts:home"), _("Home")))
    if user.has_perm("organisations.view_programme_overview"):
        items.append((reverse("organisations:programme"), _("Programme")))
    if user.has_perm("children.view_child"):
        items.append((reverse("children:find"), _("Children")))
    if user.has_perm("healthvisits.view_coverage"):
        items.append((reverse("healthvisits:coverage"), _("Coverage")))
    if user.has_perm("growth.view_prevalence"):
        items.append((reverse("growth:prevalence"), _("Prevalence")))
    if user.has_perm("growth.import_school_start"):
        items.append((reverse("growth:import"), _("School-start import")))
    if user.has_perm("growth.review_measurement"):
        items.append((reverse("growth:review"), _("Review queue")))
    if user.has_perm("motor.add_session"):
        items.append((reverse("motor:index"), _("Motor assessment")))
    if user.has_perm("motor.view_trends"):
        items.append((reverse("motor:trends"), _("Motor trends")))
    if user.has_perm("motor.manage_instrument"):
        items.append((reverse("motor:instruments"), _("Instruments")))
    if user.has_perm("nearby.view_circle"):
        items.append((reverse("nearby:index"), _("Proximity circle")))
    if user.has_perm("children.view_accesslog"):
        items.append((reverse("children:access_log"), _("Access log")))
    if not scope.is_empty:
        items.append((reverse("organisations:goals"), _("Goals and sub-interventions")))
    items.append((reverse("accounts:tokens"), _("API access")))
    if user.is_staff and (scope.is_admin or scope.led_municipality_ids):
        items.append((reverse("admin:index"), _("Administration")))
    # The entry whose URL is the longest prefix of the current path is active; "/" only exactly.
    current = request.path
    matches = [
        url for url, _label in items if current == url or (url != "/" and current.startswith(url))
    ]
    active = max(matches, key=len) if matches else None
    return {
        **base,
        "nav_items": [
            {"url": url, "label": label, "active": url == active} for url, label in items
        ],
    }
