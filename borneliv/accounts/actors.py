"""Who performs a write: a logged-in user or the platform itself.

Every service that changes data takes ``by: Actor`` and checks the permission itself
(``require``), so a page, the API, the admin and a command all meet the same rule. Work that no
person starts — a CLI command, loading the demo, a task, a data migration — passes the explicit
``SYSTEM`` actor, never ``None``: the system actor may do everything, and the history rows it
leaves carry no user (``acting_user``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import HttpRequest

from borneliv.accounts.models import User


@dataclass(frozen=True)
class SystemActor:
    """The platform acting on its own (CLI, demo loading, tasks, migrations)."""

    reason: str = "system"

    def __str__(self) -> str:
        return self.reason


#: The one system actor; pass it where no person starts the work.
SYSTEM = SystemActor()

#: Whoever performs a write.
Actor: TypeAlias = User | SystemActor


def may(actor: Actor, perm: str, obj: Model | None = None) -> bool:
    """Whether ``actor`` holds ``perm`` (on ``obj``); the system actor holds every permission."""
    if isinstance(actor, SystemActor):
        return True
    return actor.has_perm(perm, obj)


def require(actor: Actor, perm: str, obj: Model | None = None) -> None:
    """Raise ``PermissionDenied`` unless ``actor`` holds ``perm`` (on ``obj``)."""
    if not may(actor, perm, obj):
        raise PermissionDenied


def acting_user(actor: Actor) -> User | None:
    """The user to record as author: the actor, or no one for the system actor."""
    return actor if isinstance(actor, User) else None


def request_user(request: HttpRequest) -> User:
    """The logged-in user of a page (``login_required``) or an API call (either scheme).

    Both API schemes set ``request.user`` as well as ``request.auth``.
    """
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user
