"""Instruments are data: administrators change a draft version's items and answers here.

A published or retired version is read-only, with its items and answers: past assessments rely
on it (``InstrumentVersion.is_editable``). Versions are not added here but imported or copied
from the latest one ("New draft version" on the instrument page), and published or retired
there, so that every version passes the same checks (``instruments_services``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from borneliv.accounts.admin_scoping import ScopedAdmin
from borneliv.motor.models import Choice, Instrument, InstrumentVersion, Item


class _DraftOnlyInline(admin.TabularInline):
    """Rows of a version: editable only while the version is a draft."""

    extra = 0

    def _editable(self, obj: InstrumentVersion | None) -> bool:
        return obj is None or obj.is_editable

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_delete_permission(request, obj)


class ChoiceInline(_DraftOnlyInline):
    model = Choice
    fields = ["list_name", "position", "value", "label_da", "label_en", "remark_weight"]
    ordering = ["list_name", "position"]
    verbose_name_plural = _("answers (scale by scale, from the weakest to the strongest)")


class ItemInline(_DraftOnlyInline):
    model = Item
    fields = [
        "position",
        "code",
        "domain",
        "list_name",
        "label_da",
        "label_en",
        "guidance_da",
        "guidance_en",
    ]
    ordering = ["position", "code"]


class VersionInline(admin.TabularInline):
    """The versions of an instrument, as links (each opens its own page)."""

    model = InstrumentVersion
    fields = ["number", "status", "is_starting_point", "published_at"]
    readonly_fields = ["number", "status", "is_starting_point", "published_at"]
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Instrument)
class InstrumentAdmin(ScopedAdmin):
    list_display = ["code", "name_da", "name_en"]
    search_fields = ["code", "name_da", "name_en"]
    inlines = [VersionInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["code"] if obj is not None else []

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False  # an instrument comes with its first version: import it

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # its versions protect it; retire them instead


@admin.register(InstrumentVersion)
class InstrumentVersionAdmin(ScopedAdmin):
    list_display = ["instrument", "number", "status", "is_starting_point", "published_at", "page"]
    list_filter = ["instrument", "status"]
    list_select_related = ["instrument"]
    ordering = ["instrument__code", "-number"]
    readonly_fields = [
        "instrument",
        "number",
        "status",
        "created_at",
        "published_at",
        "published_by",
    ]
    fieldsets = [
        (None, {"fields": ["instrument", "number", "status", "is_starting_point"]}),
        (_("Notes"), {"fields": ["note_da", "note_en"]}),
        (_("Ages"), {"fields": ["age_min_months", "age_max_months"]}),
        (
            _("The summary rule (remarks are the summed remark weights)"),
            {"fields": ["few_signs_from", "challenges_from", "min_assessed"]},
        ),
        (None, {"fields": ["created_at", "published_at", "published_by"]}),
    ]
    inlines = [ChoiceInline, ItemInline]

    @admin.display(description=_("page"))
    def page(self, obj: InstrumentVersion) -> str:
        url = reverse("motor:instrument_version", args=[obj.instrument.code, obj.number])
        return format_html('<a href="{}">{}</a>', url, _("open"))

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False  # import a version, or start a new draft from the instrument's page

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        editable = obj is None or obj.is_editable
        return editable and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        editable = obj is None or obj.is_editable
        return editable and super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # The permission checks above hide the form; this stops a forged POST as well.
        stored = InstrumentVersion.objects.filter(pk=obj.pk).first()
        if stored is None or not stored.is_editable:
            raise PermissionDenied
        super().save_model(request, obj, form, change)
