"""Role predicates shared by every app's permission rules.

Each predicate takes ``(user, obj)`` and reads only ``user.scope``; apps combine them with
object-level predicates into named permissions in their own ``rules.py``.
"""

from __future__ import annotations

from typing import Any

import rules

from borneliv.accounts.models import Membership, Role


@rules.predicate
def is_admin(user: Any) -> bool:
    return bool(user.is_authenticated and user.scope.is_admin)


@rules.predicate
def is_researcher(user: Any) -> bool:
    return bool(user.is_authenticated and user.scope.is_researcher)


@rules.predicate
def is_project_leader(user: Any) -> bool:
    return bool(user.is_authenticated and user.scope.led_municipality_ids)


@rules.predicate
def has_any_role(user: Any) -> bool:
    return bool(user.is_authenticated and not user.scope.is_empty)


rules.add_perm("accounts.view_membership", is_admin)
rules.add_perm("accounts.add_membership", is_admin)
rules.add_perm("accounts.change_membership", is_admin)
rules.add_perm("accounts.delete_membership", is_admin)
rules.add_perm("accounts.view_user", is_admin)
rules.add_perm("accounts.add_user", is_admin)
rules.add_perm("accounts.change_user", is_admin)
rules.add_perm("accounts.delete_user", is_admin)
rules.add_perm("accounts.view_apitoken", is_admin)
rules.add_perm("accounts.delete_apitoken", is_admin)
rules.add_perm("accounts.view_history", is_admin)


@rules.predicate
def is_health_visitor(user: Any) -> bool:
    return bool(user.is_authenticated and user.scope.health_municipality_ids)


# User management on the user pages (``views_users.py``), not the Django admin: an administrator
# everywhere, a project leader inside the municipalities she leads. The Django admin's own
# ``accounts.*_user``/``*_membership`` permissions above stay administrator-only.

#: Roles a project leader may grant: those held in an organisation of a municipality.
PROJECT_LEADER_GRANTS = frozenset(
    {Role.PROJECT_LEADER, Role.HEALTH_VISITOR, Role.PEDAGOGUE, Role.TEACHER, Role.CLUB_CONTACT}
)


@rules.predicate
def is_someone_else(user: Any, target: Any) -> bool:
    """Nobody manages her own account or roles on these pages (``target``: user or membership)."""
    if target is None:
        return True
    target_user_id = (
        getattr(target, "user_id", None) if isinstance(target, Membership) else target.pk
    )
    return target_user_id != user.pk


@rules.predicate
def may_touch_superuser(user: Any, target: Any) -> bool:
    """Only a superuser manages a superuser (an administrator could otherwise take one over)."""
    target_user = target.user if isinstance(target, Membership) else target
    return target_user is None or not target_user.is_superuser or bool(user.is_superuser)


@rules.predicate
def account_within_led_municipalities(user: Any, target: Any) -> bool:
    """Every role the account holds now or later lies in a municipality the user leads.

    A project leader may change an account (name, e-mail, password, active) only if that cannot
    reach beyond her municipalities: an account that is also, or will be, a health visitor
    elsewhere, an administrator or a researcher is left to an administrator — else a project
    leader could reset an administrator's password and log in as her.
    """
    led = user.scope.led_municipality_ids
    if not led or target is None:
        return bool(led)
    memberships = Membership.objects.filter(user_id=target.pk)
    if not memberships.in_municipalities(led).exists():
        return False  # never one of hers
    outside = memberships.not_ended().exclude(pk__in=memberships.in_municipalities(led))
    return not outside.exists()


@rules.predicate
def membership_within_led_municipalities(user: Any, membership: Any) -> bool:
    """A role a project leader may grant, in an organisation of a municipality she leads."""
    led = user.scope.led_municipality_ids
    if not led or membership is None:
        return bool(led)
    if membership.role not in PROJECT_LEADER_GRANTS:
        return False
    return membership.municipality_of_organisation_id in led


may_manage_account = (
    is_someone_else & may_touch_superuser & (is_admin | account_within_led_municipalities)
)
may_grant = (
    is_someone_else & may_touch_superuser & (is_admin | membership_within_led_municipalities)
)

rules.add_perm("accounts.manage_users", is_admin | is_project_leader)
# Object: the user whose name, e-mail, password or active flag would change.
rules.add_perm("accounts.manage_account", may_manage_account)
# Object: the user to give a new role (which role and where: ``manage_membership``).
rules.add_perm(
    "accounts.add_role",
    is_someone_else & may_touch_superuser & (is_admin | is_project_leader),
)
# Object: the membership (saved or not) to grant, change or remove.
rules.add_perm("accounts.manage_membership", may_grant)

# The data check: those who correct the records (health visitors) or answer for them.
rules.add_perm("accounts.view_datacheck", is_admin | is_project_leader | is_health_visitor)
