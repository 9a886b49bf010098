"""Play-based motor assessment at age 4 (sub-intervention 3).

An ``Instrument`` (e.g. "motor-4") has numbered ``InstrumentVersion``\\ s. A version holds its
answer scales (``Choice`` rows grouped by ``list_name``, as in XLSForm's *choices* sheet), its
``Item``\\ s (as in XLSForm's *survey* sheet: code, labels, guidance, domain, scale) and its summary
rule (``few_signs_from``, ``challenges_from``, ``min_assessed``; see ``engine.summarise``). A
version is a draft until an administrator publishes it; a published version never changes, so past
assessments keep the version they used. A new version starts as a copy of the latest.

A ``Session`` is one observation of a daycare group on a day with one instrument version: the
observers, and one ``Assessment`` per child of the group (present or absent). An ``Assessment``
holds one ``Score`` per item observed: a choice of the item's scale, or "not assessed" — never a
made-up score. The child's summary in KL's three levels is derived by the engine whenever a score
changes; the "talk with the parents / follow up" flag is the health visitor's decision.

A ``Dialogue`` records the cross-disciplinary conversation after a session: what the group is good
at, the agreed pedagogical focus (linked to the programme's goals) and the follow-up date, which
appears on the daycare's landing page when due.

Scope (``visible_to``): administrators see everything; a health visitor sees the sessions of
daycares in the municipalities her unit serves; a pedagogue those of her own daycares. Project
leaders and researchers see only aggregates (``selectors``), never a session or a child.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from borneliv.accounts.models import Role
from borneliv.children.models import Child
from borneliv.lib.fields import user_field
from borneliv.lib.versioning import Versioned

if TYPE_CHECKING:
    from borneliv.accounts.models import User


def _in_danish() -> bool:
    return not (get_language() or "da").startswith("en")


class Domain(models.TextChoices):
    """Motor domains (MOBAK-KG's two, split as Danish practice does), and the programme's
    two observations of the group's play."""

    BALANCE = "balance", _("Balance")
    LOCOMOTION = "locomotion", _("Moving the body")
    OBJECT_CONTROL = "object_control", _("Ball skills")
    BODY_AWARENESS = "body_awareness", _("Body awareness")
    FINE_MOTOR = "fine_motor", _("Fine motor skills")
    JOY = "joy", _("Joy of movement")
    COURAGE = "courage", _("Courage to challenge the body")


#: Domains that are observations of the child's play rather than skills: they never count as
#: remarks in the summary; the group profile shows them apart.
OBSERVATION_DOMAINS = frozenset({Domain.JOY, Domain.COURAGE})


class Level(models.TextChoices):
    """KL's three-level motor code (KLChildren condition), plus "too little observed"."""

    AGE_APPROPRIATE = "age_appropriate", _("Age-appropriate motor skills")
    FEW_SIGNS = "few_signs", _("Few signs of challenged motor skills")
    CHALLENGES = "challenges", _("Challenges with motor skills")
    INSUFFICIENT = "insufficient", _("Too little observed")


class Instrument(Versioned):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_da = models.CharField(_("name (Danish)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    description_da = models.TextField(_("description (Danish)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("instrument")
        verbose_name_plural = _("instruments")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_da if _in_danish() else self.name_en

    @property
    def description(self) -> str:
        return self.description_da if _in_danish() else self.description_en


class VersionQuerySet(models.QuerySet["InstrumentVersion"]):
    def published(self) -> VersionQuerySet:
        return self.filter(status=InstrumentVersion.Status.PUBLISHED)

    def usable(self) -> VersionQuerySet:
        """Versions a new session may use: published and not retired."""
        return self.published().select_related("instrument").order_by("instrument__code", "-number")


class InstrumentVersion(Versioned):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        RETIRED = "retired", _("Retired")

    instrument = models.ForeignKey(
        Instrument, on_delete=models.PROTECT, related_name="versions", verbose_name=_("instrument")
    )
    number = models.PositiveSmallIntegerField(_("version"), validators=[MinValueValidator(1)])
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    note_da = models.TextField(_("note (Danish)"), blank=True)
    note_en = models.TextField(_("note (English)"), blank=True)
    # A "starting point": shipped with the platform for the municipality to adjust.
    is_starting_point = models.BooleanField(_("starting point to adjust"), default=False)
    age_min_months = models.PositiveSmallIntegerField(
        _("youngest age (months)"), default=42, validators=[MaxValueValidator(240)]
    )
    age_max_months = models.PositiveSmallIntegerField(
        _("oldest age (months)"), default=60, validators=[MaxValueValidator(240)]
    )
    # The summary rule (engine.summarise): remarks are the summed remark weights of the answers.
    few_signs_from = models.DecimalField(
        _("few signs from (remarks)"),
        max_digits=4,
        decimal_places=1,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.5"))],
    )
    challenges_from = models.DecimalField(
        _("challenges from (remarks)"),
        max_digits=4,
        decimal_places=1,
        default=Decimal("3"),
        validators=[MinValueValidator(Decimal("0.5"))],
    )
    min_assessed = models.PositiveSmallIntegerField(
        _("fewest skill items observed for a summary"), default=4
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    published_at = models.DateTimeField(_("published"), null=True, blank=True, editable=False)
    published_by = user_field(_("published by"))
    history = HistoricalRecords()
    objects = VersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("instrument version")
        verbose_name_plural = _("instrument versions")
        ordering = ["instrument__code", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "number"], name="motor_version_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(challenges_from__gte=F("few_signs_from")),
                name="motor_version_rule_ordered",
                violation_error_message=_(
                    "Challenges cannot start at fewer remarks than few signs."
                ),
            ),
            models.CheckConstraint(
                condition=Q(age_max_months__gte=F("age_min_months")),
                name="motor_version_ages_ordered",
                violation_error_message=_("The oldest age cannot be below the youngest."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument.name} v{self.number}"

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def note(self) -> str:
        return self.note_da if _in_danish() else self.note_en


class Choice(models.Model):
    """One answer of a scale (``list_name``) in a version, in order from weakest to strongest."""

    version = models.ForeignKey(InstrumentVersion, on_delete=models.CASCADE, related_name="choices")
    list_name = models.SlugField(_("scale"), max_length=40)
    value = models.SlugField(_("value"), max_length=32)
    label_da = models.CharField(_("label (Danish)"), max_length=100)
    label_en = models.CharField(_("label (English)"), max_length=100)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    # 1 = a full remark (the child cannot yet), 0 = none (masters it); between = on its way.
    remark_weight = models.DecimalField(
        _("remark weight"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["version", "list_name", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "list_name", "value"], name="motor_choice_unique"
            ),
            models.CheckConstraint(
                condition=Q(remark_weight__gte=0) & Q(remark_weight__lte=1),
                name="motor_choice_weight_range",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.label_da if _in_danish() else self.label_en


class Item(models.Model):
    version = models.ForeignKey(InstrumentVersion, on_delete=models.CASCADE, related_name="items")
    code = models.SlugField(_("code"), max_length=40)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    domain = models.CharField(_("domain"), max_length=20, choices=Domain.choices)
    list_name = models.SlugField(_("scale"), max_length=40)
    label_da = models.CharField(_("label (Danish)"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=200)
    guidance_da = models.TextField(_("guidance (Danish)"), blank=True)
    guidance_en = models.TextField(_("guidance (English)"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        ordering = ["version", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="motor_item_code_unique"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.label_da if _in_danish() else self.label_en

    @property
    def guidance(self) -> str:
        return self.guidance_da if _in_danish() else self.guidance_en

    @property
    def is_observation(self) -> bool:
        return self.domain in OBSERVATION_DOMAINS


class SessionQuerySet(models.QuerySet["Session"]):
    def visible_to(self, user: User | Any) -> SessionQuerySet:
        """Sessions a user may open: one place decides, from ``user.scope`` only."""
        if not user.is_authenticated:
            return self.none()
        scope = user.scope
        if scope.is_admin:
            return self.all()
        q = Q(pk__in=[])
        if scope.health_municipality_ids:
            q |= Q(institution__municipality_id__in=scope.health_municipality_ids)
        pedagogue_institutions = scope.institutions_for(Role.PEDAGOGUE)
        if pedagogue_institutions:
            q |= Q(institution_id__in=pedagogue_institutions)
        return self.filter(q)

    def open(self) -> SessionQuerySet:
        return self.filter(status=Session.Status.OPEN)


class Session(Versioned):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    institution = models.ForeignKey(
        "organisations.Institution",
        on_delete=models.PROTECT,
        related_name="motor_sessions",
        verbose_name=_("daycare"),
    )
    group = models.CharField(_("group"), max_length=100)
    held_on = models.DateField(_("date"))
    version = models.ForeignKey(
        InstrumentVersion,
        on_delete=models.PROTECT,
        related_name="sessions",
        verbose_name=_("instrument version"),
    )
    observers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="motor_sessions", verbose_name=_("observers")
    )
    other_observers = models.CharField(
        _("other observers"), max_length=300, blank=True, help_text=_("Names, without an account.")
    )
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN
    )
    created_by = user_field(_("created by"), optional=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)
    closed_by = user_field(_("closed by"))
    history = HistoricalRecords()
    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("assessment session")
        verbose_name_plural = _("assessment sessions")
        ordering = ["-held_on", "institution", "group"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "group", "held_on", "version"],
                name="motor_session_unique_per_day",
                violation_error_message=_(
                    "This group already has a session with this instrument on that day."
                ),
            ),
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True)
                | Q(status="closed", closed_at__isnull=False),
                name="motor_session_closed_has_time",
            ),
            models.CheckConstraint(condition=~Q(group=""), name="motor_session_group_named"),
        ]
        indexes = [models.Index(fields=["institution", "group", "held_on"])]

    def __str__(self) -> str:
        return f"{self.institution} · {self.group} · {self.held_on}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class AssessmentQuerySet(models.QuerySet["Assessment"]):
    def visible_to(self, user: User | Any) -> AssessmentQuerySet:
        return self.filter(session__in=Session.objects.visible_to(user))


class Assessment(Versioned):
    """One child in one session: present or absent, the derived summary, the follow-up flag."""

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="assessments", verbose_name=_("session")
    )
    child = models.ForeignKey(
        Child, on_delete=models.PROTECT, related_name="motor_assessments", verbose_name=_("child")
    )
    present = models.BooleanField(_("present"), default=True)
    # Derived by engine.summarise from the scores; never edited by hand.
    remarks = models.DecimalField(
        _("remarks"), max_digits=4, decimal_places=1, null=True, blank=True, editable=False
    )
    assessed_items = models.PositiveSmallIntegerField(
        _("skill items observed"), default=0, editable=False
    )
    level = models.CharField(
        _("summary"), max_length=16, choices=Level.choices, blank=True, editable=False
    )
    # The health visitor's decision, not derived.
    follow_up = models.BooleanField(_("talk with the parents / follow up"), default=False)
    follow_up_note = models.TextField(_("follow-up note"), blank=True)
    follow_up_by = user_field(_("decided by"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords()
    objects = AssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("motor assessment")
        verbose_name_plural = _("motor assessments")
        ordering = ["session", "child__first_name", "child__last_name"]
        constraints = [
            models.UniqueConstraint(fields=["session", "child"], name="motor_assessment_unique"),
            models.CheckConstraint(
                condition=Q(present=True) | (Q(level="") & Q(assessed_items=0)),
                name="motor_absent_has_no_summary",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child} · {self.session}"


class Score(models.Model):
    """One item for one child: a value of the item's scale, or "not assessed" (value empty)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="scores")
    value = models.SlugField(_("answer"), max_length=32, blank=True)
    not_assessed = models.BooleanField(_("not assessed"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "item"], name="motor_score_unique"),
            models.CheckConstraint(
                condition=(Q(not_assessed=True) & Q(value=""))
                | (Q(not_assessed=False) & ~Q(value="")),
                name="motor_score_value_or_not_assessed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item.code}={self.value or '-'}"


class DialogueQuerySet(models.QuerySet["Dialogue"]):
    def visible_to(self, user: User | Any) -> DialogueQuerySet:
        return self.filter(session__in=Session.objects.visible_to(user))

    def follow_up_due(self, on: Any) -> DialogueQuerySet:
        return self.filter(follow_up_on__lte=on, follow_up_done_on__isnull=True)


class Dialogue(Versioned):
    """The cross-disciplinary conversation about a session's group profile."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    session = models.ForeignKey(
        Session, on_delete=models.PROTECT, related_name="dialogues", verbose_name=_("session")
    )
    held_on = models.DateField(_("date"))
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="motor_dialogues", verbose_name=_("participants")
    )
    other_participants = models.CharField(_("other participants"), max_length=300, blank=True)
    strengths = models.TextField(_("what the group is good at"))
    focus = models.TextField(_("agreed pedagogical focus"))
    goals = models.ManyToManyField(
        "organisations.Goal", related_name="motor_dialogues", verbose_name=_("goals"), blank=True
    )
    follow_up_on = models.DateField(_("follow up on"), null=True, blank=True)
    follow_up_done_on = models.DateField(_("followed up on"), null=True, blank=True)
    follow_up_note = models.TextField(_("follow-up note"), blank=True)
    created_by = user_field(optional=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    history = HistoricalRecords()
    objects = DialogueQuerySet.as_manager()

    class Meta:
        verbose_name = _("dialogue")
        verbose_name_plural = _("dialogues")
        ordering = ["-held_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(follow_up_on__isnull=True) | Q(follow_up_on__gte=F("held_on")),
                name="motor_dialogue_follow_up_after",
                violation_error_message=_("The follow-up cannot come before the dialogue."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session} · {self.held_on}"
