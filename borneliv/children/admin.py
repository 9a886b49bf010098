"""The access log for administrators (read-only). Child records are edited on the pages.

Reading the log is a read of the children it names: the list writes one access-log row per
child on the page, an entry's page one for its child (view ``access_log``), as the page
``/children/access-log/`` does.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from borneliv.accounts.admin_scoping import ScopedAdmin
from borneliv.children.models import AccessLog
from borneliv.children.services import ReadView, access_log_record


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

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            ids = list(dict.fromkeys(entry.child_id for entry in changelist.result_list))
            access_log_record(user=request.user, child_ids=ids, view=ReadView.ACCESS_LOG)
        return response

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        original = getattr(response, "context_data", {}).get("original")
        if original is not None:
            access_log_record(
                user=request.user, child_ids=[original.child_id], view=ReadView.ACCESS_LOG
            )
        return response

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
