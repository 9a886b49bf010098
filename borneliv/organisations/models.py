"""The organisation registry: municipality > area > institution; partners; programme frame.

No personal data lives here. Every QuerySet has ``visible_to(user)``, the one scope filter (see
``borneliv.accounts.scope``). Writes go through ``services.py``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Q
from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from borneliv.lib.fields import period_constraint, valid_on_q
from borneliv.lib.versioning import Versioned
from borneliv.organisations.validators import (
    validate_daycare_number,
    validate_location,
    validate_municipality_code,
    validate_postcode,
    validate_school_number,
    validate_sor_code,
)

if TYPE_CHECKING:
    from borneliv.accounts.models import User


class Bilingual(models.Model):
    """Reference data named in Danish and English; ``name`` follows the active language."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name_da = models.CharField(_("name (Danish)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        abstract = True
        ordering = ["sort_order"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "da").startswith("en") else self.name_da


class Goal(Versioned, Bilingual):
    """One of the programme's three cross-cutting goals (play, food, closeness)."""

    history = HistoricalRecords()

    class Meta(Bilingual.Meta):
        verbose_name = _("goal")
        verbose_name_plural = _("goals")


class SubIntervention(Versioned, Bilingual):
    """One of the programme's six sub-interventions (delindsatser)."""

    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    description_da = models.TextField(_("description (Danish)"))
    description_en = models.TextField(_("description (English)"))
    history = HistoricalRecords()

    class Meta(Bilingual.Meta):
        verbose_name = _("sub-intervention")
        verbose_name_plural = _("sub-interventions")
        ordering = ["number"]

    @property
    def description(self) -> str:
        lang = get_language() or "da"
        return self.description_en if lang.startswith("en") else self.description_da


class ScopedQuerySet(models.QuerySet[Any]):
    """Registry rows are visible by municipality; see ``borneliv.accounts.scope``."""

    municipality_path = "municipality_id"

    def visible_to(self, user: User | Any) -> Any:
        if not user.is_authenticated:
            return self.none()
        scope = user.scope
        if scope.reads_everything:
            return self.all()
        return self.filter(**{f"{self.municipality_path}__in": scope.municipality_ids})


class MunicipalityQuerySet(ScopedQuerySet):
    municipality_path = "id"

    def with_counts(self) -> MunicipalityQuerySet:
        return self.annotate(
            area_count=Count("areas", distinct=True),
            institution_count=Count("institutions", distinct=True),
            partner_count=Count("partners", distinct=True),
        )


class Municipality(Versioned):
    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(
        _("municipality code"),
        max_length=4,
        unique=True,
        validators=[validate_municipality_code],
        help_text=_("The 4-digit kommunekode, e.g. 0851 for Aalborg."),
        error_messages={"unique": _("A municipality with this code already exists.")},
    )
    history = HistoricalRecords()
    objects = MunicipalityQuerySet.as_manager()

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{4}$"), name="municipality_code_four_digits"
            )
        ]

    def __str__(self) -> str:
        return self.name


class AreaQuerySet(ScopedQuerySet):
    def programme(self) -> AreaQuerySet:
        return self.filter(kind=Area.Kind.PROGRAMME)

    def comparison(self) -> AreaQuerySet:
        return self.filter(kind=Area.Kind.COMPARISON)

    def with_counts(self, on: dt.date) -> AreaQuerySet:
        current = Q(memberships__valid_from__lte=on) & (
            Q(memberships__valid_to__isnull=True) | Q(memberships__valid_to__gte=on)
        )
        return self.annotate(
            institution_count=Count("memberships", filter=current, distinct=True),
            partner_count=Count("partners", distinct=True),
        )


class Area(Versioned):
    """A local area (lokalområde): a programme area or a comparison area."""

    class Kind(models.TextChoices):
        PROGRAMME = "programme", _("Programme area")
        COMPARISON = "comparison", _("Comparison area")

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="areas", verbose_name=_("municipality")
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    start_date = models.DateField(_("start date"))
    description = models.TextField(_("description"), blank=True)
    is_synthetic = models.BooleanField(
        _("synthetic"), default=False, help_text=_("Invented for the demo; not a real area.")
    )
    history = HistoricalRecords()
    objects = AreaQuerySet.as_manager()

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["municipality__name", "kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "name"],
                name="area_name_unique_in_municipality",
                violation_error_message=_("This municipality already has an area with this name."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class InstitutionQuerySet(ScopedQuerySet):
    def in_area_on(self, area: Area, on: dt.date) -> InstitutionQuerySet:
        return self.filter(
            Q(area_memberships__area=area),
            Q(area_memberships__valid_from__lte=on),
            Q(area_memberships__valid_to__isnull=True) | Q(area_memberships__valid_to__gte=on),
        ).distinct()

    def located(self) -> InstitutionQuerySet:
        return self.filter(latitude__isnull=False, longitude__isnull=False)


SCHOOL_KINDS = ("school", "special_school", "sfo")


class Institution(Versioned):
    """A school, special school, SFO, daycare or health-visiting unit."""

    class Kind(models.TextChoices):
        SCHOOL = "school", _("School")
        SPECIAL_SCHOOL = "special_school", _("Special school")
        SFO = "sfo", _("SFO / after-school club")
        DAYCARE = "daycare", _("Daycare")
        HEALTH_VISITING = "health_visiting", _("Health-visiting unit")

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="institutions",
        verbose_name=_("municipality"),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    official_number = models.CharField(
        _("official number"),
        max_length=18,
        blank=True,
        help_text=_(
            "Schools: 6-digit INSTNR (Institutionsregisteret). Daycares: the "
            "Dagtilbudsregister number. Health-visiting units: the SOR code."
        ),
    )
    street = models.CharField(_("street address"), max_length=200, blank=True)
    postcode = models.CharField(
        _("postcode"), max_length=4, blank=True, validators=[validate_postcode]
    )
    city = models.CharField(_("town"), max_length=100, blank=True)
    latitude = models.FloatField(
        _("latitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.FloatField(
        _("longitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    is_synthetic = models.BooleanField(
        _("synthetic"), default=False, help_text=_("Invented for the demo; not a real institution.")
    )
    history = HistoricalRecords()
    objects = InstitutionQuerySet.as_manager()

    class Meta:
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        ordering = ["municipality__name", "kind", "name"]
        constraints = [
            # Schools, special schools and SFOs share Institutionsregisteret's number space.
            models.UniqueConstraint(
                fields=["official_number"],
                condition=Q(kind__in=SCHOOL_KINDS) & ~Q(official_number=""),
                name="institution_school_number_unique",
                violation_error_message=_("Another school already has this institution number."),
            ),
            models.UniqueConstraint(
                fields=["official_number"],
                condition=Q(kind="daycare") & ~Q(official_number=""),
                name="institution_daycare_number_unique",
                violation_error_message=_(
                    "Another daycare already has this Dagtilbudsregister number."
                ),
            ),
            models.UniqueConstraint(
                fields=["official_number"],
                condition=Q(kind="health_visiting") & ~Q(official_number=""),
                name="institution_sor_code_unique",
                violation_error_message=_("Another health-visiting unit has this SOR code."),
            ),
            models.CheckConstraint(
                condition=Q(official_number="")
                | (Q(kind__in=SCHOOL_KINDS) & Q(official_number__regex=r"^[0-9]{6}$"))
                | (Q(kind="daycare") & Q(official_number__regex=r"^[0-9]{3,10}$"))
                | (Q(kind="health_visiting") & Q(official_number__regex=r"^[0-9]{6,18}$")),
                name="institution_official_number_format",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="institution_location_both_or_neither",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.official_number:
            validators: dict[str, Callable[[str], None]] = {
                self.Kind.SCHOOL: validate_school_number,
                self.Kind.SPECIAL_SCHOOL: validate_school_number,
                self.Kind.SFO: validate_school_number,
                self.Kind.DAYCARE: validate_daycare_number,
                self.Kind.HEALTH_VISITING: validate_sor_code,
            }
            validator = validators.get(self.kind)
            if validator is not None:
                try:
                    validator(self.official_number)
                except ValidationError as exc:
                    raise ValidationError({"official_number": exc.messages}) from exc
        try:
            validate_location(self.latitude, self.longitude)
        except ValidationError as exc:
            raise ValidationError({"latitude": exc.messages}) from exc

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def address(self) -> str:
        town = " ".join(part for part in (self.postcode, self.city) if part)
        return ", ".join(part for part in (self.street, town) if part)


class InstitutionAreaQuerySet(models.QuerySet["InstitutionArea"]):
    def valid_on(self, day: dt.date) -> InstitutionAreaQuerySet:
        return self.filter(valid_on_q(day))

    def overlapping(self, valid_from: dt.date, valid_to: dt.date | None) -> InstitutionAreaQuerySet:
        """Rows whose period shares at least one day with [valid_from, valid_to]."""
        query = Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from)
        if valid_to is not None:
            query &= Q(valid_from__lte=valid_to)
        return self.filter(query)

    def visible_to(self, user: User | Any) -> InstitutionAreaQuerySet:
        visible = Institution.objects.visible_to(user)
        return self.filter(institution__in=visible)


class InstitutionArea(Versioned):
    """An institution's membership of an area, from one date up to and including another."""

    institution = models.ForeignKey(
        Institution,
        on_delete=models.CASCADE,
        related_name="area_memberships",
        verbose_name=_("institution"),
    )
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("area")
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to (inclusive)"), null=True, blank=True)
    history = HistoricalRecords()
    objects = InstitutionAreaQuerySet.as_manager()

    class Meta:
        verbose_name = _("area membership")
        verbose_name_plural = _("area memberships")
        ordering = ["institution__name", "valid_from"]
        constraints = [
            period_constraint(
                "institution_area_valid_to_after_from",
                _("A membership cannot end before it starts."),
            ),
            models.UniqueConstraint(
                fields=["institution", "valid_from"], name="institution_area_one_start_per_day"
            ),
        ]

    def __str__(self) -> str:
        # dd.mm.åååå in Danish (the admin lists and breadcrumbs show it).
        start = formats.date_format(self.valid_from, "SHORT_DATE_FORMAT")
        end = formats.date_format(self.valid_to, "SHORT_DATE_FORMAT") if self.valid_to else ""
        return f"{self.institution} → {self.area} ({start}–{end})"


class PartnerQuerySet(ScopedQuerySet):
    pass


class Partner(Versioned):
    """A partner in the local community: a club, a business, a volunteer or cultural body."""

    class Kind(models.TextChoices):
        SPORTS_CLUB = "sports_club", _("Sports club or association")
        BUSINESS = "business", _("Business")
        VOLUNTEER = "volunteer", _("Volunteer organisation")
        CULTURAL = "cultural", _("Cultural institution")
        OTHER = "other", _("Other")

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="partners",
        verbose_name=_("municipality"),
    )
    area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partners",
        verbose_name=_("area"),
        help_text=_("The local area the partner mainly works in, if any."),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_email = models.EmailField(_("e-mail"), blank=True)
    contact_phone = models.CharField(_("phone"), max_length=20, blank=True)
    website = models.URLField(_("website"), blank=True)
    is_synthetic = models.BooleanField(
        _("synthetic"), default=False, help_text=_("Invented for the demo; not a real partner.")
    )
    history = HistoricalRecords()
    objects = PartnerQuerySet.as_manager()

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["municipality__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "name"],
                name="partner_name_unique_in_municipality",
                violation_error_message=_(
                    "This municipality already has a partner with this name."
                ),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        area = self.area if self.area_id else None
        if (
            area is not None
            and self.municipality_id
            and area.municipality_id != self.municipality_id
        ):
            raise ValidationError(
                {"area": _("The area belongs to another municipality than the partner.")}
            )
