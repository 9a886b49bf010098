"""Permission rules for the registry; predicates read only ``user.scope``."""

from __future__ import annotations

from typing import Any

import rules

from borneliv.accounts.rules import has_any_role, is_admin, is_project_leader, is_researcher


def _municipality_id(obj: Any) -> int | None:
    if obj is None:
        return None
    if obj.__class__.__name__ == "Municipality":
        return int(obj.pk)
    if obj.__class__.__name__ == "InstitutionArea":  # an institution's area membership
        return int(obj.institution.municipality_id)
    return int(obj.municipality_id)


@rules.predicate
def sees_municipality_of(user: Any, obj: Any) -> bool:
    """The object lies in a municipality the user may read (any object when ``obj`` is None)."""
    if not user.is_authenticated:
        return False
    if user.scope.reads_everything:
        return True
    if obj is None:
        return not user.scope.is_empty
    return _municipality_id(obj) in user.scope.municipality_ids


@rules.predicate
def leads_municipality_of(user: Any, obj: Any) -> bool:
    if not user.is_authenticated:
        return False
    if obj is None:
        return bool(user.scope.led_municipality_ids)
    return _municipality_id(obj) in user.scope.led_municipality_ids


@rules.predicate
def works_in_institution(user: Any, obj: Any) -> bool:
    return bool(user.is_authenticated and obj is not None and obj.pk in user.scope.institution_ids)


@rules.predicate
def is_contact_of_partner(user: Any, obj: Any) -> bool:
    return bool(user.is_authenticated and obj is not None and obj.pk in user.scope.partner_ids)


can_read = has_any_role & sees_municipality_of
can_manage = is_admin | leads_municipality_of

for model in ("municipality", "area", "institution", "partner", "institutionarea"):
    rules.add_perm(f"organisations.view_{model}", can_read)
    rules.add_perm(f"organisations.delete_{model}", is_admin)

rules.add_perm("organisations.add_municipality", is_admin)
rules.add_perm("organisations.change_municipality", is_admin)
rules.add_perm("organisations.add_area", can_manage)
rules.add_perm("organisations.change_area", can_manage)
rules.add_perm("organisations.add_institution", can_manage)
rules.add_perm("organisations.change_institution", can_manage | works_in_institution)
rules.add_perm("organisations.add_institutionarea", can_manage)
rules.add_perm("organisations.change_institutionarea", can_manage)
rules.add_perm("organisations.add_partner", can_manage)
rules.add_perm("organisations.change_partner", can_manage | is_contact_of_partner)
rules.add_perm("organisations.view_goal", has_any_role)
rules.add_perm("organisations.view_subintervention", has_any_role)
rules.add_perm("organisations.change_goal", is_admin)
rules.add_perm("organisations.change_subintervention", is_admin)
rules.add_perm(
    "organisations.view_programme_overview", is_admin | is_project_leader | is_researcher
)
rules.add_perm("organisations.view_history", is_admin)
