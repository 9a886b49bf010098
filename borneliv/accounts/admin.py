from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from borneliv.accounts import services
from borneliv.accounts.admin_scoping import ScopedAdmin
from borneliv.accounts.models import ApiToken, Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    fields = ["role", "municipality", "institution", "partner", "valid_from", "valid_to"]
    readonly_fields = ["role", "municipality", "institution", "partner", "valid_from", "valid_to"]
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(ScopedAdmin, DjangoUserAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "first_name", "last_name", "email", "is_active", "is_staff"]


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = [
            "user",
            "role",
            "municipality",
            "institution",
            "partner",
            "valid_from",
            "valid_to",
        ]

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]  # fills self.instance and runs the model's full_clean
        if not self.errors:
            try:
                services.membership_check_overlap(membership=self.instance)
            except ValidationError as exc:
                self.add_error(None, exc)


@admin.register(Membership)
class MembershipAdmin(ScopedAdmin):
    form = MembershipForm
    list_display = [
        "user",
        "role",
        "municipality",
        "institution",
        "partner",
        "valid_from",
        "valid_to",
    ]
    list_filter = ["role"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user"]

    def save_model(self, request: HttpRequest, obj: Membership, form: Any, change: bool) -> None:
        if change:
            obj.save()
        else:
            created = services.membership_create(
                user=obj.user,
                role=obj.role,
                valid_from=obj.valid_from,
                valid_to=obj.valid_to,
                municipality=obj.municipality,
                institution=obj.institution,
                partner=obj.partner,
            )
            obj.pk = created.pk


@admin.register(ApiToken)
class ApiTokenAdmin(ScopedAdmin):
    list_display = [
        "name",
        "user",
        "prefix",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    readonly_fields = ["user", "name", "prefix", "created_at", "expires_at", "last_used_at"]
