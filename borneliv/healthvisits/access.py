"""The one way a page and the API reach a contact, and the unit a new contact is recorded for.

A child is reached through ``children.access.child_for``.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from borneliv.accounts.models import Role, User, today
from borneliv.children.models import Child, Residence
from borneliv.healthvisits.models import Contact
from borneliv.organisations.models import Institution


def contact_for(user: User, public_id: uuid.UUID) -> Contact:
    """The contact if ``user`` may change it; 404 outside her scope, 403 without the right."""
    try:
        contact: Contact = (
            Contact.objects.visible_to(user)
            .select_related("child", "stage", "unit", "recorded_by")
            .get(public_id=public_id)
        )
    except Contact.DoesNotExist as exc:
        raise Http404 from exc
    if not user.has_perm("healthvisits.change_contact", contact.child):
        raise PermissionDenied
    return contact


def recording_unit(user: User, child: Child) -> Institution:
    """The unit a contact by ``user`` with ``child`` is recorded for.

    Her health-visiting unit that serves the municipality the child lives in today (the first by
    name if several do); ``PermissionDenied`` when none does — a superuser, whom Django's
    ``has_perm`` lets through, holds no unit.
    """
    municipalities = (
        Residence.objects.filter(child=child).valid_on(today()).values("area__municipality_id")
    )
    unit = (
        Institution.objects.filter(
            pk__in=user.scope.institutions_for(Role.HEALTH_VISITOR),
            municipality_id__in=municipalities,
        )
        .order_by("name")
        .first()
    )
    if unit is None:
        raise PermissionDenied(_("None of your health-visiting units serves this child."))
    return unit
