"""Measurements of height and weight, their stored classification, and school-start exams.

A ``Measurement`` holds what was measured (weight, height or length and the position, the date, the
context, who measured) and, derived by the engine (``engine.compute``) through
``services.measurements_classify``, its classification: BMI, the WHO z-scores and category, the
IOTF adult-equivalent BMI and category, the plausibility flags, and the reference and version used.
The derived columns are never edited by hand; they are recomputed when the reference setting
(``settings.BORNELIV_GROWTH_IOTF``) or the engine changes (``borneliv growth recompute``).

Implausible values are neither dropped nor silently kept: a measurement the engine flags (WHO's
plausibility limits, an impossible BMI, a value outside the tables) is held for review
(``review_status = held``) and counts in no aggregate until a health visitor or administrator
confirms or rejects it.

A ``SchoolStartExam`` holds the school-start exam's (indskolingsundersøgelse) nine motor items:
each item the child cannot do is one remark; three or more remarks mean motor difficulties.

Scope: the same as the child registry (``Child.objects.visible_to``). Aggregates leave the system
only through ``lib.disclosure``.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from borneliv.children.models import Child
from borneliv.lib.fields import user_field

if TYPE_CHECKING:
    from borneliv.accounts.models import User

# Hard limits: values outside them cannot be a child's measurement (a typo in the unit or a
# misplaced decimal point) and are refused by the form, the service and the database alike.
# Values inside them that are implausible for the child's age are held for review instead.
WEIGHT_MIN_KG = 0.3
WEIGHT_MAX_KG = 200
HEIGHT_MIN_CM = 25
HEIGHT_MAX_CM = 220

#: The school-start exam's nine motor items, in the order of the national form (DOMAIN.md).
#: Codes are stable: the import's column names and the motor instrument (#5) use them.
MOTOR_ITEMS: tuple[tuple[str, Any], ...] = (
    ("walk", _("Walk")),
    ("jump", _("Jump")),
    ("balance", _("Balance")),
    ("skip", _("Skipping (gadedrengeløb)")),
    ("one_leg", _("Stand on one leg")),
    ("throw", _("Throw")),
    ("catch", _("Catch")),
    ("pencil_grip", _("Pencil grip")),
    ("hand_preference", _("Hand preference")),
)
MOTOR_ITEM_CODES = tuple(code for code, _label in MOTOR_ITEMS)
MOTOR_DIFFICULTY_REMARKS = 3


class Context(models.TextChoices):
    HEALTH_VISIT = "health_visit", _("Health-visiting contact")
    SCHOOL_START = "school_start", _("School-start exam")
    OTHER = "other", _("Other")


class Position(models.TextChoices):
    LYING = "L", _("Lying (length)")
    STANDING = "H", _("Standing (height)")


class ReviewStatus(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    HELD = "held", _("Held for review")
    CONFIRMED = "confirmed", _("Confirmed after review")
    REJECTED = "rejected", _("Rejected after review")


#: Statuses whose measurements count in aggregates and charts' classification.
COUNTED_STATUSES = (ReviewStatus.ACCEPTED, ReviewStatus.CONFIRMED)


class ImportBatch(models.Model):
    """One committed import of a school-start file: who, when, what file, what it did."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    file_name = models.CharField(_("file"), max_length=255)
    file_sha256 = models.CharField(_("file checksum"), max_length=64)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("imported by"),
    )
    imported_at = models.DateTimeField(_("imported"), default=timezone.now, editable=False)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    held = models.PositiveIntegerField(_("held for review"), default=0)

    class Meta:
        verbose_name = _("school-start import")
        verbose_name_plural = _("school-start imports")
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.imported_at:%Y-%m-%d})"


class MeasurementQuerySet(models.QuerySet["Measurement"]):
    def visible_to(self, user: User | Any) -> MeasurementQuerySet:
        return self.filter(child__in=Child.objects.visible_to(user))

    def counted(self) -> MeasurementQuerySet:
        """Measurements that count in aggregates: not held, not rejected."""
        return self.filter(review_status__in=COUNTED_STATUSES)

    def held(self) -> MeasurementQuerySet:
        return self.filter(review_status=ReviewStatus.HELD)


class Measurement(models.Model):
    """Weight and height (or length) of a child on a day, with the engine's classification."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    child = models.ForeignKey(
        Child, on_delete=models.PROTECT, related_name="measurements", verbose_name=_("child")
    )
    measured_on = models.DateField(_("measured on"))
    weight_kg = models.DecimalField(
        _("weight (kg)"),
        max_digits=6,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(WEIGHT_MIN_KG), MaxValueValidator(WEIGHT_MAX_KG)],
    )
    height_cm = models.DecimalField(
        _("height/length (cm)"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(HEIGHT_MIN_CM), MaxValueValidator(HEIGHT_MAX_CM)],
    )
    position = models.CharField(_("position"), max_length=1, choices=Position.choices, blank=True)
    context = models.CharField(_("context"), max_length=16, choices=Context.choices)
    institution = models.ForeignKey(
        "organisations.Institution",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="measurements",
        verbose_name=_("where measured"),
        help_text=_("The health-visiting unit or school."),
    )
    measured_by = user_field(_("measured by"))
    measured_by_name = models.CharField(
        _("measured by (name)"),
        max_length=200,
        blank=True,
        help_text=_("For measurements from an import, by someone without a login."),
    )
    import_batch = models.ForeignKey(
        ImportBatch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="measurements",
        verbose_name=_("import"),
    )
    note = models.TextField(_("note"), blank=True)

    # Derived by the engine (services.measurements_classify); never edited by hand.
    age_days = models.IntegerField(_("age (days)"), null=True, editable=False)
    bmi = models.FloatField(_("BMI"), null=True, editable=False)
    bmi_for_age_z = models.FloatField(_("BMI-for-age z"), null=True, editable=False)
    weight_for_age_z = models.FloatField(_("weight-for-age z"), null=True, editable=False)
    height_for_age_z = models.FloatField(_("height-for-age z"), null=True, editable=False)
    weight_for_height_z = models.FloatField(
        _("weight-for-length/height z"), null=True, editable=False
    )
    who_category = models.CharField(_("WHO category"), max_length=32, blank=True, editable=False)
    iotf_adult_bmi = models.FloatField(_("IOTF adult-equivalent BMI"), null=True, editable=False)
    iotf_category = models.CharField(_("IOTF category"), max_length=32, blank=True, editable=False)
    flags = models.PositiveIntegerField(
        _("flags"), default=0, editable=False, help_text=_("The engine's flag bit mask.")
    )
    reference = models.CharField(_("reference"), max_length=80, blank=True, editable=False)
    iotf_version = models.CharField(_("IOTF version"), max_length=8, blank=True, editable=False)
    engine_version = models.CharField(
        _("engine version"), max_length=16, blank=True, editable=False
    )
    classified_at = models.DateTimeField(_("classified"), null=True, editable=False)

    review_status = models.CharField(
        _("review"),
        max_length=16,
        choices=ReviewStatus.choices,
        default=ReviewStatus.ACCEPTED,
    )
    reviewed_by = user_field(_("reviewed by"))
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)

    created_at = models.DateTimeField(_("recorded"), default=timezone.now, editable=False)
    history = HistoricalRecords()
    objects = MeasurementQuerySet.as_manager()

    class Meta:
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        ordering = ["child", "measured_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight_kg__isnull=False) | Q(height_cm__isnull=False),
                name="measurement_weight_or_height",
            ),
            models.CheckConstraint(
                condition=Q(weight_kg__isnull=True)
                | Q(weight_kg__gte=WEIGHT_MIN_KG, weight_kg__lte=WEIGHT_MAX_KG),
                name="measurement_weight_range",
            ),
            models.CheckConstraint(
                condition=Q(height_cm__isnull=True)
                | Q(height_cm__gte=HEIGHT_MIN_CM, height_cm__lte=HEIGHT_MAX_CM),
                name="measurement_height_range",
            ),
            models.CheckConstraint(
                condition=Q(position__in=["", "L", "H"]), name="measurement_position_known"
            ),
            models.CheckConstraint(
                condition=Q(context__in=[choice.value for choice in Context]),
                name="measurement_context_known",
            ),
            models.CheckConstraint(
                condition=Q(review_status__in=[choice.value for choice in ReviewStatus]),
                name="measurement_review_status_known",
            ),
            # One measurement per child, day and context: makes re-imports idempotent.
            models.UniqueConstraint(
                fields=["child", "measured_on", "context"], name="measurement_one_per_day"
            ),
        ]
        indexes = [
            models.Index(fields=["context", "measured_on"], name="measurement_context_date"),
            models.Index(fields=["review_status"], name="measurement_review"),
        ]

    def __str__(self) -> str:
        return f"{self.measured_on} {self.get_context_display()}"

    @property
    def is_counted(self) -> bool:
        return self.review_status in COUNTED_STATUSES


class SchoolStartExamQuerySet(models.QuerySet["SchoolStartExam"]):
    def visible_to(self, user: User | Any) -> SchoolStartExamQuerySet:
        return self.filter(child__in=Child.objects.visible_to(user))


def _remark_field(label: Any) -> models.BooleanField:
    return models.BooleanField(
        label,
        null=True,
        blank=True,
        help_text=_("Yes = a remark (the child cannot do it); empty = not assessed."),
    )


class SchoolStartExam(models.Model):
    """The school-start exam's motor part: nine items, a remark where the child cannot do one."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    child = models.ForeignKey(
        Child, on_delete=models.PROTECT, related_name="school_start_exams", verbose_name=_("child")
    )
    examined_on = models.DateField(_("examined on"))
    school = models.ForeignKey(
        "organisations.Institution",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="school_start_exams",
        verbose_name=_("school"),
    )
    measurement = models.OneToOneField(
        Measurement,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="school_start_exam",
        verbose_name=_("measurement"),
    )
    remark_walk = _remark_field(_("Walk"))
    remark_jump = _remark_field(_("Jump"))
    remark_balance = _remark_field(_("Balance"))
    remark_skip = _remark_field(_("Skipping (gadedrengeløb)"))
    remark_one_leg = _remark_field(_("Stand on one leg"))
    remark_throw = _remark_field(_("Throw"))
    remark_catch = _remark_field(_("Catch"))
    remark_pencil_grip = _remark_field(_("Pencil grip"))
    remark_hand_preference = _remark_field(_("Hand preference"))
    # Derived from the nine items (services): the number of remarks among the items assessed,
    # and whether that means motor difficulties (3 or more), or None when too few items were
    # assessed to tell (fewer than 3 remarks with items missing that could reach 3).
    remarks = models.PositiveSmallIntegerField(_("remarks"), default=0, editable=False)
    items_assessed = models.PositiveSmallIntegerField(
        _("items assessed"), default=0, editable=False
    )
    motor_difficulties = models.BooleanField(_("motor difficulties"), null=True, editable=False)
    import_batch = models.ForeignKey(
        ImportBatch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="exams",
        verbose_name=_("import"),
    )
    created_at = models.DateTimeField(_("recorded"), default=timezone.now, editable=False)
    history = HistoricalRecords()
    objects = SchoolStartExamQuerySet.as_manager()

    class Meta:
        verbose_name = _("school-start exam")
        verbose_name_plural = _("school-start exams")
        ordering = ["child", "examined_on"]
        constraints = [
            models.UniqueConstraint(fields=["child", "examined_on"], name="exam_one_per_day"),
            models.CheckConstraint(
                condition=Q(remarks__lte=9)
                & Q(items_assessed__lte=9)
                & Q(remarks__lte=models.F("items_assessed")),
                name="exam_remarks_within_items",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.examined_on} ({self.remarks})"

    def item_remarks(self) -> dict[str, bool | None]:
        return {code: getattr(self, f"remark_{code}") for code in MOTOR_ITEM_CODES}
