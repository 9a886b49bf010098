"""The admin, scoped the same way as pages and API: ``visible_to`` for rows, rules for actions.

Change forms of ``Versioned`` records carry the version they showed (``lock_version``, rendered
by ``templates/admin/change_form.html``) and refuse to overwrite a newer one, like the pages.
"""

from __future__ import annotations

from typing import Any

import rules
from django.contrib.admin import RelatedFieldListFilter
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from simple_history.admin import SimpleHistoryAdmin

from borneliv.lib.forms import VERSION_FIELD, VersionedFormMixin
from borneliv.lib.versioning import EditConflict, Versioned, locked


class AdminVersionMixin(VersionedFormMixin):
    """The admin's change form of a ``Versioned`` record: check and claim the version.

    The admin validates and saves in one transaction (``changeform_view`` is atomic), so
    re-reading the row under ``select_for_update()`` in ``clean`` holds it until the save: the
    check and the write cannot be split by another save (SQLite: the transaction holds the write
    lock from its start). The save then writes the next version.
    """

    instance: Any
    cleaned_data: dict[str, Any]

    def clean(self) -> Any:
        data = super().clean()  # type: ignore[misc]
        version = self.cleaned_data.get(VERSION_FIELD)
        if self.record is not None and version is not None:
            current = locked(type(self.record), self.record.pk)
            if current.lock_version != version:
                self.show_conflict(EditConflict(current))
        return data

    def save(self, commit: bool = True) -> Any:
        version = self.cleaned_data.get(VERSION_FIELD)
        if self.record is not None and version is not None:
            self.instance.lock_version = version + 1
        return super().save(commit)  # type: ignore[misc]


def _scoped(queryset: models.QuerySet[Any], user: Any) -> models.QuerySet[Any]:
    return queryset.visible_to(user) if hasattr(queryset, "visible_to") else queryset


class ScopedRelatedFieldListFilter(RelatedFieldListFilter):
    """A sidebar filter offering only related rows the user may see (Django lists them all)."""

    def field_choices(self, field: Any, request: HttpRequest, model_admin: Any) -> Any:
        queryset = _scoped(field.related_model._default_manager.get_queryset(), request.user)
        ordering = self.field_admin_ordering(field, request, model_admin)
        if ordering:
            queryset = queryset.order_by(*ordering)
        return [(row.pk, str(row)) for row in queryset]


def _may(request: HttpRequest, perm: str, obj: Any = None) -> bool:
    user = request.user
    return bool(user.is_active and rules.has_perm(perm, user, obj))


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

    def get_list_filter(self, request: HttpRequest) -> Any:
        """Related-field filters list only rows in the user's scope."""
        filters: list[Any] = []
        for entry in super().get_list_filter(request):
            if isinstance(entry, str) and "__" not in entry:
                field = self.opts.get_field(entry)
                if field.is_relation and field.many_to_one:
                    entry = (entry, ScopedRelatedFieldListFilter)
            filters.append(entry)
        return filters

    # Asked of ``rules`` itself: Django's has_perm says yes to a superuser for everything, which
    # offered her add forms that no service backs (an API token, a map extract: a 500). A
    # superuser's scope makes her an administrator, so she gets what the rules give one.
    def has_module_permission(self, request: HttpRequest) -> bool:
        return any(_may(request, self._perm(action)) for action in ("view", "add", "change"))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may(request, self._perm("view"), obj)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return _may(request, self._perm("add"))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may(request, self._perm("change"), obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may(request, self._perm("delete"), obj)

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None and issubclass(self.model, Versioned):
            form = type(form.__name__, (AdminVersionMixin, form), {})
        return form

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        queryset = db_field.related_model._default_manager.get_queryset()
        if hasattr(queryset, "visible_to"):
            kwargs["queryset"] = queryset.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _has_history(self) -> bool:
        """The model keeps django-simple-history records (not every scoped model does)."""
        return hasattr(self.model._meta, "simple_history_manager_attribute")

    def _may_read_history(self, request: HttpRequest) -> bool:
        return self._has_history() and _may(request, f"{self.opts.app_label}.view_history")

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: Any = None
    ) -> HttpResponse:
        if not self._has_history():
            raise Http404
        if not self._may_read_history(request):
            raise PermissionDenied
        return super().history_view(request, object_id, extra_context)

    def render_change_form(
        self, request: HttpRequest, context: dict[str, Any], *args: Any, **kwargs: Any
    ) -> Any:
        # The "History" button (templates/admin/change_form_object_tools.html) only for those
        # who may open it: a project leader edits her institutions but reads no history.
        context["show_history_link"] = self._may_read_history(request)
        return super().render_change_form(request, context, *args, **kwargs)
