"""Data checks of health visiting (registered in ``apps.py``; see ``borneliv.lib.datachecks``).

``programme_contact_outside_programme_area``: a contact for a programme stage (the enhanced
4–6-month visit, the breastfeeding calls, the 1-year call, the 1½-year visit) recorded for a child
who did not live in a programme area whose programme had started on the contact's day. Such a
contact means the programme reached a comparison child (or the residence is wrong), which biases
the evaluation's effect estimate towards zero. Every outcome counts: a declined or unanswered
offer was still an offer.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from borneliv.children.models import Residence
from borneliv.healthvisits.models import Contact
from borneliv.lib.datachecks import Finding
from borneliv.organisations.models import Area

PROGRAMME_CONTACT_OUTSIDE = "programme_contact_outside_programme_area"
DESCRIPTION = gettext_lazy(
    "Programme contacts (the enhanced visit, breastfeeding calls, the 1-year call, the 1½-year "
    "visit) may only reach children who live in a programme area whose programme has started."
)


def _living_on_contact_day(**area_filter: Any) -> Exists:
    day = OuterRef("contact_date")
    return Exists(
        Residence.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day),
            child=OuterRef("child_id"),
            valid_from__lte=day,
            **area_filter,
        )
    )


def programme_contacts_outside_programme_areas(user: Any = None) -> QuerySet[Contact]:
    """Programme contacts whose child lived in no started programme area on the contact's day.

    Scoped to the user's municipalities (by the unit that recorded the contact) unless ``user``
    is ``None`` or reads everything.
    """
    contacts = Contact.objects.filter(stage__is_programme=True).exclude(
        _living_on_contact_day(
            area__kind=Area.Kind.PROGRAMME, area__start_date__lte=OuterRef("contact_date")
        )
    )
    if user is not None and not user.scope.reads_everything:
        municipalities = user.scope.led_municipality_ids | user.scope.health_municipality_ids
        contacts = contacts.filter(unit__municipality_id__in=municipalities)
    return contacts.select_related("stage", "unit__municipality", "child").order_by(
        "unit__municipality__name", "contact_date", "pk"
    )


def programme_contact_findings(user: Any = None) -> list[Finding]:
    """The findings of the check, each saying what to do."""
    findings = []
    contacts = list(programme_contacts_outside_programme_areas(user))
    areas = _areas_on_contact_days(contacts)
    for contact in contacts:
        area = areas.get(contact.pk)
        if area is None:
            where = _("no residence recorded on that day")
            action = _(
                "Record where the child lived on that day. If it was a programme area, the "
                "contact is right; otherwise change the contact to “not a scheduled contact” or "
                "to the ordinary visit of that age, or delete it."
            )
        elif area.kind == Area.Kind.PROGRAMME:
            where = _("%(area)s, a programme area that started on %(date)s") % {
                "area": area.name,
                "date": area.start_date.strftime("%d.%m.%Y"),
            }
            action = _(
                "The programme had not started in the area on that day. Correct the date of "
                "the contact or the area's start date if one of them is wrong; otherwise record "
                "the contact without a programme stage."
            )
        else:
            where = _("%(area)s, a comparison area") % {"area": area.name}
            action = _(
                "A comparison area gets the ordinary health visiting only. If the child's "
                "residence is wrong, correct it; otherwise change the contact to “not a "
                "scheduled contact” or to the ordinary visit of that age — and tell the "
                "project leader, since the programme reached a comparison child."
            )
        findings.append(
            Finding(
                check=PROGRAMME_CONTACT_OUTSIDE,
                title=_("Programme contact outside a programme area"),
                subject=_("%(stage)s on %(date)s (contact %(id)s, %(unit)s)")
                % {
                    "stage": contact.stage.name if contact.stage else "",
                    "date": contact.contact_date.strftime("%d.%m.%Y"),
                    "id": str(contact.public_id)[:8],
                    "unit": contact.unit.name,
                },
                where=f"{contact.unit.municipality.name}: {where}",
                action=action,
                # Only where the user may correct it: no link that leads to 403.
                url=reverse("healthvisits:contact_edit", args=[contact.public_id])
                if user is not None and user.has_perm("healthvisits.change_contact", contact.child)
                else "",
                municipality_id=contact.unit.municipality_id,
            )
        )
    return findings


def _areas_on_contact_days(contacts: list[Contact]) -> dict[int, Area]:
    """The area each contact's child lived in on the contact's day (one query)."""
    if not contacts:
        return {}
    rows = Residence.objects.filter(child_id__in={c.child_id for c in contacts}).select_related(
        "area"
    )
    by_child: dict[int, list[Residence]] = {}
    for row in rows:
        by_child.setdefault(row.child_id, []).append(row)
    found: dict[int, Area] = {}
    for contact in contacts:
        day = contact.contact_date
        covering = [
            r
            for r in by_child.get(contact.child_id, [])
            if r.valid_from <= day and (r.valid_to is None or r.valid_to >= day)
        ]
        if covering:
            found[contact.pk] = max(covering, key=lambda r: r.valid_from).area
    return found


def programme_contacts_attention(user: Any) -> list[Any]:
    """The landing page's "needs attention" item: programme contacts outside programme areas."""
    from borneliv.accounts.landing import Attention

    if not user.has_perm("accounts.view_datacheck"):
        return []
    count = programme_contacts_outside_programme_areas(user).count()
    if not count:
        return []
    return [
        Attention(
            label=_("Programme contacts recorded outside a programme area"),
            count=count,
            url=reverse("accounts:datacheck"),
        )
    ]
