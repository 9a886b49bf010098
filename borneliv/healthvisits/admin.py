"""The schedule is data: administrators edit stages, municipal eligibility and topics here."""

from __future__ import annotations

from django.contrib import admin

from borneliv.accounts.admin_scoping import ScopedAdmin
from borneliv.healthvisits.models import Stage, StageOverride, Topic


class StageOverrideInline(admin.TabularInline):
    model = StageOverride
    extra = 0


@admin.register(Stage)
class StageAdmin(ScopedAdmin):
    list_display = [
        "code",
        "name_da",
        "mode",
        "window_start_days",
        "window_end_days",
        "eligibility",
        "is_programme",
        "is_active",
    ]
    list_filter = ["is_programme", "eligibility", "mode", "is_active"]
    inlines = [StageOverrideInline]


@admin.register(Topic)
class TopicAdmin(ScopedAdmin):
    list_display = ["code", "name_da", "name_en", "goal", "sort_order", "is_active"]
