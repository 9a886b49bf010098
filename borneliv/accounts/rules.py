"""Role predicates shared by every app's permission rules.

Each predicate takes ``(user, obj)`` and reads only ``user.scope``; apps combine them with
object-level predicates into named permissions in their own ``rules.py``.
"""

from __future__ import annotations

from typing import Any

import rules


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
