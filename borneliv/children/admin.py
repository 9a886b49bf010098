"""The access log for administrators (read-only). Child records are edited on the pages."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from borneliv.accounts.admin_scoping import ScopedAdmin
from borneliv.children.models import AccessLog


@admin.register(AccessLog)
class AccessLogAdmin(ScopedAdmin):
    list_display = ["at", "user", "child_ref", "view", "purpose"]
    list_filter = ["view", ("user", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["user__username", "child__first_name", "child__last_name", "=child__public_id"]
    date_hierarchy = "at"
    list_select_related = ["user", "child"]

    @admin.display(description=_("child"))
    def child_ref(self, obj: AccessLog) -> str:
        return f"{obj.child.full_name} ({str(obj.child.public_id)[:8]})"

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
