"""Users, their roles and their memberships in organisations.

A membership says: this user has this role in this organisation from one date to another. It is
the only source of scope: what a user may see and change is derived from their memberships that
are valid today (see ``scope.py``). Deny by default: a user with no valid membership sees nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from borneliv.accounts.roles import Role
from borneliv.accounts.scope import Scope, scope_for
from borneliv.lib.fields import period_constraint, valid_on_q
from borneliv.lib.versioning import Versioned

# Which organisation a role is held in, and (for institutions) which kinds qualify.
ROLE_TARGET: dict[str, str | None] = {
    Role.ADMIN: None,
    Role.RESEARCHER: None,
    Role.PROJECT_LEADER: "municipality",
    Role.HEALTH_VISITOR: "institution",
    Role.PEDAGOGUE: "institution",
    Role.TEACHER: "institution",
    Role.CLUB_CONTACT: "partner",
}
ROLE_INSTITUTION_KINDS: dict[str, frozenset[str]] = {
    Role.HEALTH_VISITOR: frozenset({"health_visiting"}),
    Role.PEDAGOGUE: frozenset({"daycare"}),
    Role.TEACHER: frozenset({"school", "special_school", "sfo"}),
}


def today() -> dt.date:
    """Today's date in the programme's time zone."""
    return timezone.localdate()


class UserQuerySet(models.QuerySet["User"]):
    def visible_to(self, user: User) -> UserQuerySet:
        """The accounts ``user`` may see on the user pages (and nobody else's).

        An administrator: everyone. A project leader: herself and everyone who holds or held a
        membership in a municipality she leads (``MembershipQuerySet.in_municipalities``).
        Anyone else: herself only.
        """
        scope = user.scope
        if scope.is_admin:
            return self.all()
        if scope.led_municipality_ids:
            members = Membership.objects.in_municipalities(scope.led_municipality_ids)
            return self.filter(Q(pk=user.pk) | Q(pk__in=members.values("user_id")))
        return self.filter(pk=user.pk)


class BornelivUserManager(UserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    """Django's user manager with the scoped ``visible_to``."""


class User(Versioned, AbstractUser):
    """A person who logs in. Roles come from memberships, never from flags on the user."""

    # Set when someone else gave the user a temporary password (``services.user_password_reset``,
    # a new account): every page asks for a password of her own first (``middleware``).
    must_change_password = models.BooleanField(
        _("must change password at next login"), default=False
    )

    history = HistoricalRecords(excluded_fields=["password", "last_login"])
    objects = BornelivUserManager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    @property
    def scope(self) -> Scope:
        """The user's scope today, computed once per request/object."""
        cached: Scope | None = getattr(self, "_scope_cache", None)
        if cached is None:
            cached = scope_for(self)
            self._scope_cache = cached
        return cached

    def forget_scope(self) -> None:
        """Drop the cached scope (after memberships change)."""
        self.__dict__.pop("_scope_cache", None)


def _in_sentence(label: object) -> str:
    """A label inside a sentence: lower-case first letter, except for acronyms such as SFO."""
    text = str(label)
    return text if text[:2].isupper() else text[:1].lower() + text[1:]


_FIELD_LABELS = {
    "municipality": _("municipality"),
    "institution": _("institution"),
    "partner": _("partner"),
}


class MembershipQuerySet(models.QuerySet["Membership"]):
    def valid_on(self, day: dt.date) -> MembershipQuerySet:
        return self.filter(valid_on_q(day))

    def current(self) -> MembershipQuerySet:
        return self.valid_on(today())

    def not_ended(self, day: dt.date | None = None) -> MembershipQuerySet:
        """Valid on ``day`` (default today) or later: current and upcoming memberships."""
        return self.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day or today()))

    def in_municipalities(self, ids: Iterable[int]) -> MembershipQuerySet:
        """Held in one of these municipalities: in it, or in one of its institutions or partners."""
        ids = list(ids)
        return self.filter(
            Q(municipality_id__in=ids)
            | Q(institution__municipality_id__in=ids)
            | Q(partner__municipality_id__in=ids)
        )

    def visible_to(self, user: User) -> MembershipQuerySet:
        """An administrator: all; a project leader: her own and those in her municipalities."""
        scope = user.scope
        if scope.is_admin:
            return self.all()
        if scope.led_municipality_ids:
            return self.filter(
                Q(user=user)
                | Q(pk__in=self.model.objects.in_municipalities(scope.led_municipality_ids))
            )
        return self.filter(user=user)


class Membership(Versioned):
    """A user's role in an organisation, valid from one date up to and including another."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    municipality = models.ForeignKey(
        "organisations.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("municipality"),
    )
    institution = models.ForeignKey(
        "organisations.Institution",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("institution"),
    )
    partner = models.ForeignKey(
        "organisations.Partner",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("partner"),
    )
    valid_from = models.DateField(_("valid from"), default=today)
    valid_to = models.DateField(_("valid to (inclusive)"), null=True, blank=True)

    history = HistoricalRecords()
    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["user__username", "role", "valid_from"]
        constraints = [
            period_constraint(
                "membership_valid_to_after_from", _("A membership cannot end before it starts.")
            ),
            # Each role points at exactly the kind of organisation it is held in.
            models.CheckConstraint(
                condition=(
                    Q(
                        role__in=[Role.ADMIN, Role.RESEARCHER],
                        municipality__isnull=True,
                        institution__isnull=True,
                        partner__isnull=True,
                    )
                    | Q(
                        role=Role.PROJECT_LEADER,
                        municipality__isnull=False,
                        institution__isnull=True,
                        partner__isnull=True,
                    )
                    | Q(
                        role__in=[Role.HEALTH_VISITOR, Role.PEDAGOGUE, Role.TEACHER],
                        municipality__isnull=True,
                        institution__isnull=False,
                        partner__isnull=True,
                    )
                    | Q(
                        role=Role.CLUB_CONTACT,
                        municipality__isnull=True,
                        institution__isnull=True,
                        partner__isnull=False,
                    )
                ),
                name="membership_role_matches_organisation",
                violation_error_message=_(
                    "The role does not match the kind of organisation it is held in."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.organisation or '—'}"

    @property
    def organisation(self) -> object | None:
        return self.municipality or self.institution or self.partner

    @property
    def municipality_of_organisation_id(self) -> int | None:
        """The municipality the membership is held in (None for administrators, researchers)."""
        if self.municipality_id is not None:
            return int(self.municipality_id)
        if self.institution_id is not None:
            return int(self.institution.municipality_id)  # type: ignore[union-attr]
        if self.partner_id is not None:
            return int(self.partner.municipality_id)  # type: ignore[union-attr]
        return None

    def is_current(self, on: dt.date | None = None) -> bool:
        day = on or today()
        return self.valid_from <= day and (self.valid_to is None or self.valid_to >= day)

    @property
    def has_started(self) -> bool:
        return self.valid_from <= today()

    def clean(self) -> None:
        target = ROLE_TARGET.get(self.role)
        given = {
            "municipality": self.municipality_id,
            "institution": self.institution_id,
            "partner": self.partner_id,
        }
        errors: dict[str, str] = {}
        for field, value in given.items():
            if field == target and value is None:
                errors[field] = str(_("Choose the %(kind)s this role is held in.")) % {
                    "kind": _FIELD_LABELS[field]
                }
            elif field != target and value is not None:
                errors[field] = str(_("This role is not held in any %(kind)s; leave it empty.")) % {
                    "kind": _FIELD_LABELS[field]
                }
        kinds = ROLE_INSTITUTION_KINDS.get(self.role)
        if kinds and self.institution is not None and self.institution.kind not in kinds:
            errors["institution"] = str(
                _("A %(role)s must belong to a %(kinds)s, not a %(kind)s.")
            ) % {
                "role": _in_sentence(self.get_role_display()),
                "kinds": _(" or ").join(
                    _in_sentence(label)
                    for value, label in self.institution.Kind.choices
                    if value in kinds
                ),
                "kind": _in_sentence(self.institution.get_kind_display()),
            }
        if self.valid_to is not None and self.valid_to < self.valid_from:
            errors["valid_to"] = str(_("A membership cannot end before it starts."))
        if errors:
            raise ValidationError(errors)


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def usable(self) -> ApiTokenQuerySet:
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    """A personal API token; only its SHA-256 digest is stored, the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def digest_of(token: str) -> str:
        return hashlib.sha256(token.encode("utf-8")).hexdigest()
