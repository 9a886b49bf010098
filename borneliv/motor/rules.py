"""Permissions for the motor assessment.

Sessions, children's assessments, group profiles and dialogues: a health visitor for the daycares
her unit serves, a pedagogue for her own daycares (``Session.objects.visible_to``), administrators
everywhere. Project leaders and researchers see only the suppressed aggregates (trends).
Instruments are reference data without personal data: anyone with a role reads them; only
administrators create, import and publish versions.
"""

from __future__ import annotations

from typing import Any

import rules

from borneliv.accounts.models import Role
from borneliv.accounts.rules import (
    has_any_role,
    is_admin,
    is_health_visitor,
    is_project_leader,
    is_researcher,
)


@rules.predicate
def is_pedagogue(user: Any) -> bool:
    return bool(user.is_authenticated and user.scope.institutions_for(Role.PEDAGOGUE))


@rules.predicate
def session_in_scope(user: Any, session: Any) -> bool:
    """The session is one the user may open (the same rule as ``Session.objects.visible_to``)."""
    if session is None:
        return True
    scope = user.scope
    if scope.is_admin:
        return True
    if session.institution_id in scope.institutions_for(Role.PEDAGOGUE):
        return True
    municipality_id = session.institution.municipality_id
    return municipality_id in scope.health_municipality_ids


@rules.predicate
def session_open(user: Any, session: Any) -> bool:
    return session is None or session.is_open


observes = is_admin | is_health_visitor | is_pedagogue

rules.add_perm("motor.view_session", observes & session_in_scope)
rules.add_perm("motor.add_session", observes)
rules.add_perm("motor.change_session", observes & session_in_scope & session_open)
rules.add_perm("motor.close_session", observes & session_in_scope & session_open)
rules.add_perm("motor.reopen_session", is_admin)
# The follow-up flag ("talk with the parents") is the health visitor's decision.
rules.add_perm("motor.decide_follow_up", (is_admin | is_health_visitor) & session_in_scope)
rules.add_perm("motor.view_profile", observes & session_in_scope)
rules.add_perm("motor.add_dialogue", observes & session_in_scope)
rules.add_perm("motor.change_dialogue", observes & session_in_scope)
rules.add_perm(
    "motor.view_trends", is_admin | is_project_leader | is_researcher | is_health_visitor
)
rules.add_perm("motor.view_instrument", has_any_role)
for model in ("instrument", "instrumentversion", "item", "choice"):
    rules.add_perm(f"motor.add_{model}", is_admin)
    rules.add_perm(f"motor.change_{model}", is_admin)
    rules.add_perm(f"motor.delete_{model}", is_admin)
rules.add_perm("motor.view_instrumentversion", has_any_role)
rules.add_perm("motor.view_item", has_any_role)
rules.add_perm("motor.view_choice", has_any_role)
rules.add_perm("motor.manage_instrument", is_admin)
