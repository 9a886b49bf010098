"""The Nærhedscirkel in the administration: imported extracts and circles, read-only.

Extracts are imported on the page "Import map data" (``/nearby/import/``), which streams its
progress, or with ``borneliv nearby_import``; circles are curated on their own pages. Here an
administrator sees what was imported and may delete an old extract (circles keep their places).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from borneliv.accounts.admin_scoping import ScopedAdmin
from borneliv.nearby.models import Circle, Extract


@admin.register(Extract)
class ExtractAdmin(ScopedAdmin):
    list_display = [
        "file_name",
        "municipality",
        "imported_at",
        "data_timestamp",
        "ways",
        "features",
        "skipped_total",
    ]
    list_filter = ["municipality"]
    list_select_related = ["municipality"]
    readonly_fields = [
        "municipality",
        "file_name",
        "file_bytes",
        "sha256",
        "imported_at",
        "imported_by",
        "south",
        "west",
        "north",
        "east",
        "data_timestamp",
        "nodes",
        "ways",
        "features",
        "skipped",
        "stored_file",
        "seconds",
    ]
    fields = readonly_fields

    @admin.display(description=_("problems skipped"))
    def skipped_total(self, obj: Extract) -> int:
        return obj.skipped_total

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> Any:
        extra = {"title": _("Map extracts — import new ones on the page “Import map data”")}
        return super().changelist_view(request, {**(extra_context or {}), **extra})


@admin.register(Circle)
class CircleAdmin(ScopedAdmin):
    list_display = ["institution", "computed_at", "walk_minutes", "bike_minutes", "cut", "page"]
    list_select_related = ["institution"]
    search_fields = ["institution__name"]
    readonly_fields = [
        "institution",
        "walk_kmh",
        "bike_kmh",
        "walk_minutes",
        "bike_minutes",
        "extract",
        "computed_at",
        "computed_by",
        "walk_touches_edge",
        "bike_touches_edge",
        "start_snapped_metres",
        "token_rotated_at",
    ]
    fields = readonly_fields

    @admin.display(description=_("cut by the data edge"), boolean=True)
    def cut(self, obj: Circle) -> bool:
        return obj.cut_by_edge

    @admin.display(description=_("page"))
    def page(self, obj: Circle) -> str:
        url = reverse("nearby:institution", args=[obj.institution_id])
        return format_html('<a href="{}">{}</a>', url, _("open"))

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # curated on the circle's page

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
