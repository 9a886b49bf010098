"""The one way a page, the API and a service reach a child by its id.

``child_for`` answers 404 for a child outside the user's scope (so ids reveal nothing) and 403
when the user sees the child but lacks the permission asked for; with ``log`` it writes the
access-log row for the read.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied
from django.http import Http404

from borneliv.accounts.models import User
from borneliv.children.models import Child, ChildQuerySet
from borneliv.children.services import access_log_record


def child_for(
    user: User,
    public_id: uuid.UUID,
    *,
    perm: str | None = None,
    log: str | None = None,
    children: ChildQuerySet | None = None,
) -> Child:
    """The child ``public_id`` if ``user`` may see it (and holds ``perm`` on it).

    ``children`` narrows or annotates the candidates (already scoped to the user); by default the
    children visible to the user, with their family.
    """
    candidates = (
        children
        if children is not None
        else Child.objects.visible_to(user).select_related("family")
    )
    try:
        child: Child = candidates.get(public_id=public_id)
    except Child.DoesNotExist as exc:
        raise Http404 from exc
    if perm is not None and not user.has_perm(perm, child):
        raise PermissionDenied
    if log is not None:
        access_log_record(user=user, children=child, view=log)
    return child
