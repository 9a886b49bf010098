"""The one scope mechanism: what a user may see, derived from today's memberships.

Every scoped QuerySet has a ``visible_to(user)`` method that reads ``user.scope``; every action is
guarded by a ``rules`` predicate (``rules.py``) that reads the same object. Nothing else decides
access. A user with no valid membership gets the empty scope and sees nothing.

Registry visibility (municipalities, areas, institutions, partners; no personal data):
- administrators and researchers: every municipality (researchers read-only);
- a project leader: her municipality;
- institution staff (health visitor, pedagogue, teacher): the municipality of their institution;
- a club contact: the municipality of her partner.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils import timezone

from borneliv.accounts.roles import Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from borneliv.accounts.models import User

# The models read the scope (``User.scope``); the scope reads memberships through the user's
# reverse relation, so this module imports no model and the two form no import cycle.


@dataclass(frozen=True)
class Scope:
    """The organisations a user is attached to today, by role."""

    roles: frozenset[str] = frozenset()
    is_admin: bool = False
    is_researcher: bool = False
    # Municipalities whose registry the user may read (ignored when reads_everything).
    municipality_ids: frozenset[int] = frozenset()
    # Municipalities the user leads as project leader.
    led_municipality_ids: frozenset[int] = frozenset()
    # Institutions the user works in, by role.
    institution_ids_by_role: dict[str, frozenset[int]] = field(default_factory=dict)
    partner_ids: frozenset[int] = frozenset()
    # Municipalities served by the user's health-visiting units (a unit serves its municipality).
    health_municipality_ids: frozenset[int] = frozenset()

    @property
    def reads_everything(self) -> bool:
        return self.is_admin or self.is_researcher

    @property
    def is_empty(self) -> bool:
        return not self.roles

    @property
    def institution_ids(self) -> frozenset[int]:
        ids: frozenset[int] = frozenset()
        for values in self.institution_ids_by_role.values():
            ids |= values
        return ids

    def institutions_for(self, role: str) -> frozenset[int]:
        return self.institution_ids_by_role.get(role, frozenset())

    @property
    def primary_role(self) -> str | None:
        """The role a landing page is built for when a user holds several."""
        for role in ROLE_PRECEDENCE:
            if role in self.roles:
                return role
        return None


ROLE_PRECEDENCE = [
    Role.ADMIN,
    Role.PROJECT_LEADER,
    Role.HEALTH_VISITOR,
    Role.PEDAGOGUE,
    Role.TEACHER,
    Role.CLUB_CONTACT,
    Role.RESEARCHER,
]

EMPTY_SCOPE = Scope()


def scope_for(user: User | AnonymousUser, on: dt.date | None = None) -> Scope:
    """Compute the scope of ``user`` from memberships valid on ``on`` (default today)."""
    if not user.is_authenticated or not user.is_active:
        return EMPTY_SCOPE
    day = on or timezone.localdate()  # ``accounts.models.today``
    rows = list(
        user.memberships.valid_on(day).values_list(
            "role",
            "municipality_id",
            "institution_id",
            "institution__municipality_id",
            "partner_id",
            "partner__municipality_id",
        )
    )
    roles: set[str] = set()
    municipalities: set[int] = set()
    led: set[int] = set()
    institutions: dict[str, set[int]] = {}
    partners: set[int] = set()
    health: set[int] = set()
    if user.is_superuser:
        # Django's superuser flag means "administrator" everywhere, admin site included.
        roles.add(Role.ADMIN)
    for role, municipality_id, institution_id, inst_muni_id, partner_id, partner_muni_id in rows:
        roles.add(role)
        if role == Role.PROJECT_LEADER:
            led.add(municipality_id)
            municipalities.add(municipality_id)
        elif role in (Role.HEALTH_VISITOR, Role.PEDAGOGUE, Role.TEACHER):
            institutions.setdefault(role, set()).add(institution_id)
            municipalities.add(inst_muni_id)
            if role == Role.HEALTH_VISITOR:
                health.add(inst_muni_id)
        elif role == Role.CLUB_CONTACT:
            partners.add(partner_id)
            municipalities.add(partner_muni_id)
    return Scope(
        roles=frozenset(roles),
        is_admin=Role.ADMIN in roles,
        is_researcher=Role.RESEARCHER in roles,
        municipality_ids=frozenset(municipalities),
        led_municipality_ids=frozenset(led),
        institution_ids_by_role={k: frozenset(v) for k, v in institutions.items()},
        partner_ids=frozenset(partners),
        health_municipality_ids=frozenset(health),
    )
