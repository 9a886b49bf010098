"""Registry administration, scoped like the pages; creation goes through the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from borneliv.accounts.admin_scoping import ScopedAdmin
from borneliv.accounts.models import today
from borneliv.organisations import services
from borneliv.organisations.models import (
    Area,
    Goal,
    Institution,
    InstitutionArea,
    Municipality,
    Partner,
    SubIntervention,
)


@admin.register(Goal)
class GoalAdmin(ScopedAdmin):
    list_display = ["code", "name_da", "name_en", "sort_order"]
    readonly_fields = ["code"]


@admin.register(SubIntervention)
class SubInterventionAdmin(ScopedAdmin):
    list_display = ["number", "code", "name_da", "name_en"]
    readonly_fields = ["code", "number"]


@admin.register(Municipality)
class MunicipalityAdmin(ScopedAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(Area)
class AreaAdmin(ScopedAdmin):
    list_display = ["name", "municipality", "kind", "start_date", "is_synthetic"]
    list_filter = ["kind", "municipality"]
    search_fields = ["name"]


class InstitutionAreaInline(admin.TabularInline):
    model = InstitutionArea
    extra = 0
    fields = ["area", "valid_from", "valid_to"]
    readonly_fields = ["area", "valid_from", "valid_to"]
    can_delete = False
    verbose_name_plural = _("Area memberships (change them under “Area memberships”)")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class InstitutionAddForm(forms.ModelForm):
    """Adding an institution asks for its area: no institution may stand outside every area."""

    area = forms.ModelChoiceField(queryset=Area.objects.none(), label=_("Area"))
    member_from = forms.DateField(label=_("Member of the area from"), initial=today)

    class Meta:
        model = Institution
        fields = [
            "municipality",
            "name",
            "kind",
            "official_number",
            "street",
            "postcode",
            "city",
            "latitude",
            "longitude",
            "is_synthetic",
        ]

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]
        area = self.cleaned_data.get("area")
        municipality = self.cleaned_data.get("municipality")
        if (
            area is not None
            and municipality is not None
            and area.municipality_id != municipality.pk
        ):
            self.add_error("area", _("The area belongs to another municipality."))


#: What an administrator may change on an existing institution (``services.institution_update``).
UPDATABLE_INSTITUTION_FIELDS = (
    "name",
    "official_number",
    "street",
    "postcode",
    "city",
    "latitude",
    "longitude",
)


@admin.register(Institution)
class InstitutionAdmin(ScopedAdmin):
    list_display = ["name", "kind", "municipality", "official_number", "city", "is_synthetic"]
    list_filter = ["kind", "municipality"]
    search_fields = ["name", "official_number"]
    inlines = [InstitutionAreaInline]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = InstitutionAddForm
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None:
            form.base_fields["area"].queryset = Area.objects.visible_to(request.user)
        return form

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["municipality", "kind"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Institution, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if change:
            # The same service as the page: its validation, its stripping, one transaction.
            services.institution_update(
                institution=obj,
                **{key: data[key] for key in UPDATABLE_INSTITUTION_FIELDS if key in data},
            )
            return
        created = services.institution_create(
            municipality=data["municipality"],
            name=data["name"],
            kind=data["kind"],
            area=data["area"],
            member_from=data["member_from"],
            official_number=data.get("official_number") or "",
            street=data.get("street") or "",
            postcode=data.get("postcode") or "",
            city=data.get("city") or "",
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
            is_synthetic=data.get("is_synthetic", False),
        )
        obj.pk = created.pk


class InstitutionAreaForm(forms.ModelForm):
    class Meta:
        model = InstitutionArea
        fields = ["institution", "area", "valid_from", "valid_to"]

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]
        if self.errors:
            return
        try:
            services.check_membership(
                institution=self.instance.institution,
                area=self.instance.area,
                valid_from=self.instance.valid_from,
                valid_to=self.instance.valid_to,
                exclude_pk=self.instance.pk,
            )
        except ValidationError as exc:
            self.add_error(None, exc)


@admin.register(InstitutionArea)
class InstitutionAreaAdmin(ScopedAdmin):
    form = InstitutionAreaForm
    list_display = ["institution", "area", "valid_from", "valid_to"]
    list_filter = ["area"]
    date_hierarchy = "valid_from"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Existing periods can only be ended; history is not rewritten.
        return ["institution", "area", "valid_from"] if obj is not None else []

    def save_model(
        self, request: HttpRequest, obj: InstitutionArea, form: Any, change: bool
    ) -> None:
        if change:
            services.institution_area_set_end(membership=obj, valid_to=obj.valid_to)
            return
        created = services.institution_join_area(
            institution=obj.institution,
            area=obj.area,
            valid_from=obj.valid_from,
            valid_to=obj.valid_to,
        )
        obj.pk = created.pk


@admin.register(Partner)
class PartnerAdmin(ScopedAdmin):
    list_display = ["name", "kind", "municipality", "area", "contact_name", "is_synthetic"]
    list_filter = ["kind", "municipality"]
    search_fields = ["name", "contact_name"]
