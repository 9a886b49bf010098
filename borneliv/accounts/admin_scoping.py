"""The admin, scoped the same way as pages and API: ``visible_to`` for rows, rules for actions."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse
from simple_history.admin import SimpleHistoryAdmin


class ScopedAdmin(SimpleHistoryAdmin):
    """Rows via ``Model.objects.visible_to(user)``; permissions via ``rules``; history for admins."""

    def _perm(self, action: str) -> str:
        return f"{self.opts.app_label}.{action}_{self.opts.model_name}"

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Any]:
        manager = self.model._default_manager
        queryset = manager.get_queryset()
        if hasattr(queryset, "visible_to"):
            queryset = queryset.visible_to(request.user)
        ordering = self.get_ordering(request)
        return queryset.order_by(*ordering) if ordering else queryset

    def has_module_permission(self, request: HttpRequest) -> bool:
        return any(
            request.user.has_perm(self._perm(action)) for action in ("view", "add", "change")
        )

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm(self._perm("view"), obj)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return request.user.has_perm(self._perm("add"))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm(self._perm("change"), obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm(self._perm("delete"), obj)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        queryset = db_field.related_model._default_manager.get_queryset()
        if hasattr(queryset, "visible_to"):
            kwargs["queryset"] = queryset.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: Any = None
    ) -> HttpResponse:
        if not request.user.has_perm(f"{self.opts.app_label}.view_history"):
            raise PermissionDenied
        return super().history_view(request, object_id, extra_context)
