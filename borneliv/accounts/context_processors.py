"""Navigation by role, built from the user's scope and permissions."""

from __future__ import annotations

from typing import Any

import rules
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

    # Checked with ``rules`` itself: Django's ``has_perm`` says yes to a superuser for
    # everything, which offered the administrator a health visitor's (empty) worklist. A
    # superuser's scope makes her an administrator, so she gets the administrator's menu.
    def may(perm: str) -> bool:
        return bool(rules.has_perm(perm, user))

    scope = user.scope
    # URL names of apps above accounts are referenced by name only (no import upwards).
    home: tuple[str, Any]
    if may("healthvisits.view_worklist"):
        # A health visitor's home is her worklist (accounts:home redirects there).
        home = (reverse("healthvisits:worklist"), _("Worklist"))
    else:
        home = (reverse("accounts:home"), _("Home"))
    wanted: list[tuple[str, str, str, Any]] = [
        # (group, permission, URL name, label)
        ("health", "children.view_child", "children:find", _("Children")),
        ("health", "growth.import_school_start", "growth:import", _("School-start import")),
        ("health", "growth.review_measurement", "growth:review", _("Review queue")),
        ("institutions", "motor.add_session", "motor:index", _("Motor assessment")),
        ("institutions", "nearby.view_circle", "nearby:index", _("Proximity circle")),
        (
            "data",
            "organisations.view_programme_overview",
            "organisations:programme",
            _("Programme"),
        ),
        ("data", "healthvisits.view_coverage", "healthvisits:coverage", _("Coverage")),
        ("data", "growth.view_prevalence", "growth:prevalence", _("Prevalence")),
        ("data", "motor.view_trends", "motor:trends", _("Motor trends")),
        (
            "data",
            "organisations.view_goal",
            "organisations:goals",
            _("Goals and sub-interventions"),
        ),
        ("admin", "accounts.manage_users", "accounts:users", _("Users")),
        ("admin", "children.view_accesslog", "children:access_log", _("Access log")),
        ("admin", "motor.manage_instrument", "motor:instruments", _("Instruments")),
        ("admin", "nearby.import_extract", "nearby:import", _("Map data")),
    ]
    items: list[tuple[str, str, Any]] = [("", *home)]
    items += [(group, reverse(name), label) for group, perm, name, label in wanted if may(perm)]
    if user.is_staff and (scope.is_admin or scope.led_municipality_ids):
        items.append(("admin", reverse("admin:index"), _("Registry administration")))
    account = [
        (reverse("accounts:password_change"), _("Change password")),
        (reverse("accounts:tokens"), _("API access")),
    ]
    # The entry whose URL is the longest prefix of the current path is active; "/" only exactly.
    current = request.path
    urls = [url for _group, url, _label in items] + [url for url, _label in account]
    matches = [url for url in urls if current == url or (url != "/" and current.startswith(url))]
    active = max(matches, key=len) if matches else None
    nav_items = [
        {"url": url, "label": label, "active": url == active, "group": group}
        for group, url, label in items
    ]
    groups = []
    for key, label in NAV_GROUPS:
        members = [item for item in nav_items if item["group"] == key]
        if members:
            groups.append(
                {
                    "key": key,
                    "label": label,
                    "items": members,
                    "active": any(item["active"] for item in members),
                }
            )
    return {
        **base,
        # Every entry, in order (the first is the home page); ``nav_groups`` groups the rest.
        "nav_items": nav_items,
        "nav_home": nav_items[0],
        "nav_groups": groups,
        "nav_account": [
            {"url": url, "label": label, "active": url == active} for url, label in account
        ],
    }


#: The menus of the navigation, in order; a menu with one entry shows as a plain link.
NAV_GROUPS = [
    ("health", _("Health visiting")),
    ("institutions", _("Daycare and school")),
    ("data", _("Data and evaluation")),
    ("admin", _("Administration")),
]
