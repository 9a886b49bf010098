"""Sub-intervention 4, health visiting: stages of the contact schedule, topics, contacts, skips.

Stages are data, not code (seeded by a migration, changeable in the admin), with per-municipality
eligibility overrides. The schedule itself is computed by ``schedule.py`` (no Django import).
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from borneliv.children.models import Child
from borneliv.lib.fields import user_field
from borneliv.lib.versioning import Versioned

if TYPE_CHECKING:
    from borneliv.accounts.models import User


def _localised(obj: Any, field: str) -> str:
    lang = get_language() or "da"
    return str(getattr(obj, f"{field}_en" if lang.startswith("en") else f"{field}_da"))


class ContactMode(models.TextChoices):
    HOME_VISIT = "home_visit", _("Home visit")
    PHONE = "phone", _("Phone")
    SCREEN = "screen", _("Video call")
    CLINIC = "clinic", _("Open clinic")
    GROUP = "group", _("Group session")


class Eligibility(models.TextChoices):
    ALL = "all", _("All families")
    VULNERABLE = "vulnerable", _("Vulnerable families only")


class StageQuerySet(models.QuerySet["Stage"]):
    def active(self) -> StageQuerySet:
        return self.filter(is_active=True)


class Stage(Versioned):
    """One contact of the schedule: when it is due, how, and for whom."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_da = models.CharField(_("name (Danish)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    klchildren_code = models.CharField(
        _("KLChildren encounter type"),
        max_length=64,
        blank=True,
        help_text=_("The encounter type code in KL's KLChildren guide, where one exists."),
    )
    klchildren_display = models.CharField(
        _("KLChildren encounter name"), max_length=200, blank=True
    )
    mode = models.CharField(_("contact mode"), max_length=16, choices=ContactMode.choices)
    target_age_days = models.PositiveIntegerField(_("target age (days)"))
    window_start_days = models.PositiveIntegerField(
        _("window opens (days)"), help_text=_("Days after birth, or after the prerequisite stage.")
    )
    window_end_days = models.PositiveIntegerField(_("window closes (days)"))
    anchor = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dependants",
        verbose_name=_("counted from stage"),
        help_text=_("Leave empty to count from birth."),
    )
    closing_days = models.PositiveIntegerField(
        _("“window closing” warning (days)"),
        default=14,
        help_text=_("The last days of the window in which the worklist warns."),
    )
    expiry_days = models.PositiveIntegerField(
        _("expires after (days)"),
        default=60,
        help_text=_("Days after the window closes until the contact is no longer offered."),
    )
    eligibility = models.CharField(
        _("offered to"), max_length=16, choices=Eligibility.choices, default=Eligibility.ALL
    )
    is_programme = models.BooleanField(
        _("programme contact"),
        default=False,
        help_text=_("Part of Børneliv i sund balance (not only ordinary health visiting)."),
    )
    is_series = models.BooleanField(
        _("series of contacts"),
        default=False,
        help_text=_(
            "As many contacts as needed within the window, each planning the next "
            "(e.g. phone counselling on breastfeeding through the first half year)."
        ),
    )
    focus_topics: models.ManyToManyField[Topic, Any] = models.ManyToManyField(
        "Topic",
        blank=True,
        related_name="focus_of",
        verbose_name=_("focus themes"),
        help_text=_("Themes the health visitor is asked about on every contact of this stage."),
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()
    objects = StageQuerySet.as_manager()

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["sort_order", "window_start_days"]
        constraints = [
            models.CheckConstraint(
                condition=Q(window_end_days__gte=F("window_start_days")),
                name="stage_window_end_after_start",
                violation_error_message=_("The window cannot close before it opens."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return _localised(self, "name")


class StageOverride(models.Model):
    """A municipality's own eligibility for a stage (e.g. Albertslund offers it to all)."""

    municipality = models.ForeignKey(
        "organisations.Municipality",
        on_delete=models.CASCADE,
        related_name="stage_overrides",
        verbose_name=_("municipality"),
    )
    stage = models.ForeignKey(
        Stage, on_delete=models.CASCADE, related_name="overrides", verbose_name=_("stage")
    )
    eligibility = models.CharField(_("offered to"), max_length=16, choices=Eligibility.choices)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("municipal eligibility")
        verbose_name_plural = _("municipal eligibility")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "stage"],
                name="stage_override_once_per_municipality",
                violation_error_message=_("This municipality has a rule for this stage already."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.municipality}: {self.stage} → {self.get_eligibility_display()}"


class Topic(Versioned):
    """A topic a contact can cover (tumbling, family meals, screen habits, …)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_da = models.CharField(_("name (Danish)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    goal = models.ForeignKey(
        "organisations.Goal",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="topics",
        verbose_name=_("goal"),
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["sort_order"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return _localised(self, "name")


class Outcome(models.TextChoices):
    COMPLETED = "completed", _("Completed")
    NOT_REACHED = "not_reached", _("Not reached")
    DECLINED = "declined", _("Declined by the family")


class ContactQuerySet(models.QuerySet["Contact"]):
    def visible_to(self, user: User | Any) -> ContactQuerySet:
        return self.filter(child__in=Child.objects.visible_to(user))


class Contact(Versioned):
    """A contact with a child's family: a visit, a call, a consultation."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    child = models.ForeignKey(
        Child, on_delete=models.PROTECT, related_name="contacts", verbose_name=_("child")
    )
    stage = models.ForeignKey(
        Stage,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contacts",
        verbose_name=_("stage"),
        help_text=_("Leave empty for a contact outside the schedule."),
    )
    contact_date = models.DateField(_("date"))
    mode = models.CharField(_("contact mode"), max_length=16, choices=ContactMode.choices)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    unit = models.ForeignKey(
        "organisations.Institution",
        on_delete=models.PROTECT,
        related_name="health_contacts",
        verbose_name=_("health-visiting unit"),
    )
    recorded_by = user_field(_("health visitor"))
    topics = models.ManyToManyField(
        Topic, blank=True, related_name="contacts", verbose_name=_("topics")
    )
    note = models.TextField(_("note"), blank=True)
    next_contact_on = models.DateField(
        _("next contact planned"),
        null=True,
        blank=True,
        help_text=_("For a series of contacts: when the next one is planned."),
    )
    # lock_version (lib.versioning.Versioned): optimistic locking of changes to the contact.
    created_at = models.DateTimeField(_("recorded"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("changed"), default=timezone.now)
    history = HistoricalRecords(m2m_fields=[topics])
    objects = ContactQuerySet.as_manager()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-contact_date", "-created_at"]
        indexes = [
            models.Index(fields=["child", "stage"], name="contact_child_stage"),
            # Covers the schedule's fact query (benchmarks/bench_worklist.py).
            models.Index(
                fields=["child", "stage", "contact_date", "outcome"], name="contact_schedule_facts"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(next_contact_on__isnull=True)
                | Q(next_contact_on__gt=F("contact_date")),
                name="contact_next_after_contact",
                violation_error_message=_("The next contact must be planned after this one."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contact_date} {self.get_mode_display()}"


class StageSkip(models.Model):
    """A stage deliberately not offered to a child, with the reason."""

    class Reason(models.TextChoices):
        HOSPITALISED = "hospitalised", _("The child is in hospital")
        MOVED_AWAY = "moved_away", _("The family has moved away")
        OTHER_PROVIDER = "other_provider", _("Followed by another provider")
        PROFESSIONAL = "professional", _("Professional judgement")
        OTHER = "other", _("Other reason")

    child = models.ForeignKey(
        Child, on_delete=models.PROTECT, related_name="stage_skips", verbose_name=_("child")
    )
    stage = models.ForeignKey(
        Stage, on_delete=models.PROTECT, related_name="skips", verbose_name=_("stage")
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    explanation = models.TextField(_("explanation"), blank=True)
    skipped_on = models.DateField(_("date"))
    skipped_by = user_field(_("by"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("skipped stage")
        verbose_name_plural = _("skipped stages")
        constraints = [
            models.UniqueConstraint(
                fields=["child", "stage"],
                name="stage_skip_once_per_child",
                violation_error_message=_("This stage is marked as skipped for the child already."),
            ),
            models.CheckConstraint(
                condition=~Q(reason="other") | ~Q(explanation=""),
                name="stage_skip_other_needs_explanation",
                violation_error_message=_("Explain the reason when it is “other”."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stage}: {self.get_reason_display()}"
