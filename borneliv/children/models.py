"""The child registry: children, families, vulnerability, residence and enrolment history; reads.

Children's data are special-category personal data. The CPR number is stored only encrypted
(``cpr_ciphertext``) beside a keyed HMAC pseudonym (``cpr_pseudonym``) for look-ups and duplicate
checks; URLs and the API use the random ``public_id``. Every read of a child's record writes an
``AccessLog`` row (``services.access_log_record``).

Scope (``Child.objects.visible_to``): administrators see every child; a health visitor sees the
children who live today in a municipality her unit serves; nobody else sees child records.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from borneliv.accounts.models import today
from borneliv.lib.fields import period_constraint, user_field, valid_on_q

if TYPE_CHECKING:
    from borneliv.accounts.models import User


class DatedQuerySet(models.QuerySet[Any]):
    def valid_on(self, day: dt.date) -> Any:
        return self.filter(valid_on_q(day))

    def current(self) -> Any:
        return self.valid_on(today())


def _period_constraint(name: str) -> models.CheckConstraint:
    return period_constraint(name, _("A period cannot end before it starts."))


class FamilyQuerySet(models.QuerySet["Family"]):
    def visible_to(self, user: User | Any) -> FamilyQuerySet:
        children = Child.objects.visible_to(user)
        return self.filter(Exists(children.filter(family=OuterRef("pk"))))


class Family(models.Model):
    """A household with one or more children; vulnerability is recorded per family."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("family name"), max_length=200)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    history = HistoricalRecords()
    objects = FamilyQuerySet.as_manager()

    class Meta:
        verbose_name = _("family")
        verbose_name_plural = _("families")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Guardian(models.Model):
    class Relation(models.TextChoices):
        MOTHER = "mother", _("Mother")
        FATHER = "father", _("Father")
        CO_MOTHER = "co_mother", _("Co-mother")
        FOSTER = "foster", _("Foster parent")
        OTHER = "other", _("Other guardian")

    family = models.ForeignKey(
        Family, on_delete=models.CASCADE, related_name="guardians", verbose_name=_("family")
    )
    name = models.CharField(_("name"), max_length=200)
    relation = models.CharField(_("relation"), max_length=16, choices=Relation.choices)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("guardian")
        verbose_name_plural = _("guardians")
        ordering = ["family", "name"]

    def __str__(self) -> str:
        return self.name


class VulnerabilityPeriod(models.Model):
    """A period in which a family is offered the programme's extra contacts."""

    class Reason(models.TextChoices):
        SOCIAL = "social", _("Social circumstances")
        MENTAL_HEALTH = "mental_health", _("Parental mental health")
        YOUNG_PARENTS = "young_parents", _("Young parents")
        SUBSTANCE = "substance", _("Alcohol or drugs in the family")
        CHILD_HEALTH = "child_health", _("The child's health or development")
        LANGUAGE = "language", _("Language or isolation")
        OTHER = "other", _("Other reason")

    family = models.ForeignKey(
        Family,
        on_delete=models.CASCADE,
        related_name="vulnerability_periods",
        verbose_name=_("family"),
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    valid_from = models.DateField(_("from"))
    valid_to = models.DateField(_("to (inclusive)"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    set_by = user_field(_("set by"))
    cleared_by = user_field(_("cleared by"))
    history = HistoricalRecords()
    objects = DatedQuerySet.as_manager()

    class Meta:
        verbose_name = _("vulnerability period")
        verbose_name_plural = _("vulnerability periods")
        ordering = ["family", "-valid_from"]
        constraints = [_period_constraint("vulnerability_valid_to_after_from")]

    def __str__(self) -> str:
        return f"{self.family} · {self.get_reason_display()}"


class ChildQuerySet(models.QuerySet["Child"]):
    def visible_to(self, user: User | Any) -> ChildQuerySet:
        if not user.is_authenticated:
            return self.none()
        scope = user.scope
        if scope.is_admin:
            return self.all()
        if scope.health_municipality_ids:
            return self.living_in(scope.health_municipality_ids, today())
        return self.none()

    def living_in(self, municipality_ids: Any, on: dt.date) -> ChildQuerySet:
        """Children whose residence on ``on`` lies in one of the municipalities."""
        residences = Residence.objects.filter(
            valid_on_q(on), child=OuterRef("pk"), area__municipality_id__in=municipality_ids
        )
        return self.filter(Exists(residences))

    def born_between(self, first: dt.date, last: dt.date) -> ChildQuerySet:
        return self.filter(birth_date__gte=first, birth_date__lte=last)


class Child(models.Model):
    class Sex(models.TextChoices):
        FEMALE = "F", _("Girl")
        MALE = "M", _("Boy")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cpr_ciphertext = models.TextField(editable=False)
    cpr_pseudonym = models.CharField(max_length=64, unique=True, editable=False)
    birth_date = models.DateField(_("birth date"), editable=False, db_index=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, editable=False)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    family = models.ForeignKey(
        Family,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("family"),
    )
    is_synthetic = models.BooleanField(
        _("synthetic"), default=False, help_text=_("Invented for the demo; not a real child.")
    )
    created_at = models.DateTimeField(_("registered"), default=timezone.now, editable=False)
    history = HistoricalRecords(excluded_fields=["cpr_ciphertext", "cpr_pseudonym"])
    objects = ChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("child")
        verbose_name_plural = _("children")
        ordering = ["last_name", "first_name"]
        constraints = [
            models.CheckConstraint(condition=Q(sex__in=["F", "M"]), name="child_sex_f_or_m"),
            models.CheckConstraint(
                condition=~Q(cpr_pseudonym="") & ~Q(cpr_ciphertext=""),
                name="child_cpr_stored",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def cpr_masked(self) -> str:
        """``DDMMYY-xxxx``: the birth-date part of the CPR number, without decrypting it."""
        return f"{self.birth_date:%d%m%y}-xxxx"

    def age_days(self, on: dt.date) -> int:
        return (on - self.birth_date).days


class Residence(models.Model):
    """Where a child lives: an area, from one date up to and including another."""

    child = models.ForeignKey(
        Child, on_delete=models.CASCADE, related_name="residences", verbose_name=_("child")
    )
    area = models.ForeignKey(
        "organisations.Area",
        on_delete=models.PROTECT,
        related_name="residences",
        verbose_name=_("area"),
    )
    valid_from = models.DateField(_("from"))
    valid_to = models.DateField(_("to (inclusive)"), null=True, blank=True)
    history = HistoricalRecords()
    objects = DatedQuerySet.as_manager()

    class Meta:
        verbose_name = _("residence")
        verbose_name_plural = _("residences")
        ordering = ["child", "valid_from"]
        constraints = [
            _period_constraint("residence_valid_to_after_from"),
            models.UniqueConstraint(
                fields=["child", "valid_from"], name="residence_one_start_per_day"
            ),
        ]
        indexes = [
            # Who lives in an area on a day: the worklist's and the scope's residence look-up.
            models.Index(
                fields=["area", "child", "valid_from", "valid_to"], name="residence_area_child"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area} ({self.valid_from}–{self.valid_to or ''})"


class Enrolment(models.Model):
    """A child's place in a daycare or school (and group), with dates."""

    child = models.ForeignKey(
        Child, on_delete=models.CASCADE, related_name="enrolments", verbose_name=_("child")
    )
    institution = models.ForeignKey(
        "organisations.Institution",
        on_delete=models.PROTECT,
        related_name="enrolments",
        verbose_name=_("institution"),
    )
    group = models.CharField(_("group"), max_length=100, blank=True)
    valid_from = models.DateField(_("from"))
    valid_to = models.DateField(_("to (inclusive)"), null=True, blank=True)
    history = HistoricalRecords()
    objects = DatedQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["child", "valid_from"]
        constraints = [_period_constraint("enrolment_valid_to_after_from")]

    def __str__(self) -> str:
        return f"{self.institution} ({self.valid_from}–{self.valid_to or ''})"


class ReferralQuerySet(models.QuerySet["Referral"]):
    def visible_to(self, user: User | Any) -> ReferralQuerySet:
        """Administrators see every referral; others only the ones they sent."""
        if not user.is_authenticated:
            return self.none()
        if user.scope.is_admin:
            return self.all()
        return self.filter(created_by=user)

    def open(self) -> ReferralQuerySet:
        return self.filter(status=Referral.Status.OPEN)


class Referral(models.Model):
    """A registration sent to an administrator instead of registering the child at once.

    A user who does not see the whole registry cannot tell a new CPR number from one registered
    where she cannot see, so her registration of a number she cannot see is always a referral
    (README: "Registrations by users who do not see the whole registry"). The administrator
    registers the child, moves the registered child to the area, or declines with an answer.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Awaiting an administrator")
        REGISTERED = "registered", _("Registered")
        MOVED = "moved", _("Moved to the area")
        DECLINED = "declined", _("Declined")

    class Source(models.TextChoices):
        FORM = "form", _("Registration form")
        IMPORT = "import", _("Import")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(_("sent"), default=timezone.now, editable=False)
    created_by = user_field(_("sent by"), optional=False, related_name="registration_referrals")
    source = models.CharField(_("from"), max_length=8, choices=Source.choices)
    batch = models.UUIDField(_("import"), null=True, blank=True, db_index=True)
    row_number = models.PositiveIntegerField(_("row"), null=True, blank=True)
    cpr_ciphertext = models.TextField(editable=False)
    cpr_pseudonym = models.CharField(max_length=64, db_index=True, editable=False)
    birth_date = models.DateField(_("birth date"), editable=False)
    sex = models.CharField(_("sex"), max_length=1, choices=Child.Sex.choices, editable=False)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    area = models.ForeignKey(
        "organisations.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    resident_from = models.DateField(_("lives in the area since"), null=True, blank=True)
    family = models.ForeignKey(
        Family,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("family to join"),
    )
    family_name = models.CharField(_("new family"), max_length=200, blank=True)
    guardians = models.JSONField(_("guardians"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = user_field(_("decided by"))
    answer = models.TextField(_("answer"), blank=True)
    child = models.ForeignKey(
        Child,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("child"),
    )
    history = HistoricalRecords(excluded_fields=["cpr_ciphertext", "cpr_pseudonym"])
    objects = ReferralQuerySet.as_manager()

    class Meta:
        verbose_name = _("registration referral")
        verbose_name_plural = _("registration referrals")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open") | Q(decided_at__isnull=False),
                name="referral_decided_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} ({self.get_status_display()})"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def cpr_masked(self) -> str:
        return f"{self.birth_date:%d%m%y}-xxxx"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class AccessLogQuerySet(models.QuerySet["AccessLog"]):
    def visible_to(self, user: User | Any) -> AccessLogQuerySet:
        if user.is_authenticated and user.scope.is_admin:
            return self.all()
        return self.none()


class AccessLog(models.Model):
    """One read of a child's record: who, when, which child, which view, and why."""

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    user = user_field(_("user"), optional=False, related_name="child_reads")
    child = models.ForeignKey(
        Child, on_delete=models.PROTECT, related_name="access_log", verbose_name=_("child")
    )
    view = models.CharField(_("view"), max_length=64)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    objects = AccessLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("access-log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["child", "-at"], name="accesslog_child_at"),
            models.Index(fields=["user", "-at"], name="accesslog_user_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.view}"
