"""Authentication by username and password only; permissions come from ``rules`` alone."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend


class PasswordBackend(ModelBackend):
    """Django's password check without its permission tables.

    Access is decided by memberships (``accounts.scope``) and ``rules`` predicates; Django's
    user/group permission rows are never used. Answering here without touching those tables
    saves two queries on every request in which a permission check says no.
    """

    def get_user_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def get_group_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return False

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return False
