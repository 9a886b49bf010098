"""Writes to the organisation registry.

Every function is keyword-only, runs in one transaction, validates with ``full_clean()`` and
raises ``ValidationError`` with a message for the user; on error nothing is saved. Views, the
admin, imports, the demo and tests all call these functions.

Changes take the ``version`` the user's form showed and refuse to overwrite a newer one
(``lib.versioning.claim_version``: ``EditConflict``); ``None`` (scripts, the demo) skips the check.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from borneliv.lib.versioning import claim_version
from borneliv.organisations.models import Area, Institution, InstitutionArea, Municipality, Partner


class _Keep(Enum):
    KEEP = "keep"


#: The default of an update's field: leave it as it is (``None`` may be a value, e.g. latitude).
KEEP: Final = _Keep.KEEP


def _apply(obj: Any, changes: dict[str, object], *, strip: bool = False) -> None:
    """Set each field whose new value is not ``KEEP`` (text stripped with ``strip``)."""
    for key, value in changes.items():
        if value is not KEEP:
            setattr(obj, key, value.strip() if strip and isinstance(value, str) else value)


def _save(obj: Any) -> Any:
    obj.full_clean()
    obj.save()
    return obj


@transaction.atomic
def municipality_create(*, name: str, code: str) -> Municipality:
    return _save(Municipality(name=name.strip(), code=code.strip()))


@transaction.atomic
def area_create(
    *,
    municipality: Municipality,
    name: str,
    kind: str,
    start_date: dt.date,
    description: str = "",
    is_synthetic: bool = False,
) -> Area:
    return _save(
        Area(
            municipality=municipality,
            name=name.strip(),
            kind=kind,
            start_date=start_date,
            description=description,
            is_synthetic=is_synthetic,
        )
    )


@transaction.atomic
def area_update(
    *,
    area: Area,
    version: int | None = None,
    name: str | _Keep = KEEP,
    kind: str | _Keep = KEEP,
    start_date: dt.date | _Keep = KEEP,
    description: str | _Keep = KEEP,
) -> Area:
    """Change an area's details; its municipality never changes."""
    claim_version(area, version)
    _apply(area, {"name": name, "kind": kind, "start_date": start_date, "description": description})
    return _save(area)


def check_membership(
    *,
    institution: Institution,
    area: Area,
    valid_from: dt.date,
    valid_to: dt.date | None,
    exclude_pk: int | None = None,
) -> None:
    """Refuse an area membership in another municipality, or overlapping another period."""
    if area.municipality_id != institution.municipality_id:
        raise ValidationError(
            {
                "area": _("%(area)s lies in %(area_muni)s, but %(inst)s belongs to %(inst_muni)s.")
                % {
                    "area": area.name,
                    "area_muni": area.municipality.name,
                    "inst": institution.name,
                    "inst_muni": institution.municipality.name,
                }
            }
        )
    if valid_to is not None and valid_to < valid_from:
        raise ValidationError({"valid_to": _("A membership cannot end before it starts.")})
    clash = (
        InstitutionArea.objects.filter(institution=institution)
        .exclude(pk=exclude_pk or 0)
        .overlapping(valid_from, valid_to)
        .select_related("area")
        .first()
    )
    if clash is not None:
        raise ValidationError(
            {
                "valid_from": _(
                    "%(inst)s already belongs to %(area)s from %(start)s%(end)s; an institution "
                    "belongs to one area at a time. End that membership first."
                )
                % {
                    "inst": institution.name,
                    "area": clash.area.name,
                    "start": clash.valid_from.strftime("%d.%m.%Y"),
                    "end": (" " + _("to %(date)s") % {"date": clash.valid_to.strftime("%d.%m.%Y")})
                    if clash.valid_to
                    else "",
                }
            }
        )


@transaction.atomic
def institution_create(
    *,
    municipality: Municipality,
    name: str,
    kind: str,
    area: Area | None,
    member_from: dt.date,
    official_number: str = "",
    street: str = "",
    postcode: str = "",
    city: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    is_synthetic: bool = False,
) -> Institution:
    """Create an institution and its first area membership; an institution needs an area."""
    if area is None:
        raise ValidationError(
            {"area": _("An institution must belong to an area. Choose the area it lies in.")}
        )
    institution = _save(
        Institution(
            municipality=municipality,
            name=name.strip(),
            kind=kind,
            official_number=official_number.strip(),
            street=street,
            postcode=postcode,
            city=city,
            latitude=latitude,
            longitude=longitude,
            is_synthetic=is_synthetic,
        )
    )
    institution_join_area(institution=institution, area=area, valid_from=member_from)
    return institution


@transaction.atomic
def institution_update(
    *,
    institution: Institution,
    version: int | None = None,
    name: str | _Keep = KEEP,
    official_number: str | _Keep = KEEP,
    street: str | _Keep = KEEP,
    postcode: str | _Keep = KEEP,
    city: str | _Keep = KEEP,
    latitude: float | _Keep | None = KEEP,
    longitude: float | _Keep | None = KEEP,
) -> Institution:
    """Change an institution's details; its kind and municipality never change."""
    claim_version(institution, version)
    _apply(
        institution,
        {
            "name": name,
            "official_number": official_number,
            "street": street,
            "postcode": postcode,
            "city": city,
            "latitude": latitude,
            "longitude": longitude,
        },
        strip=True,
    )
    return _save(institution)


@transaction.atomic
def institution_join_area(
    *,
    institution: Institution,
    area: Area,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
) -> InstitutionArea:
    """Add a period of area membership; refuses periods that overlap another."""
    # Serialise concurrent changes to the same institution's memberships.
    Institution.objects.select_for_update().filter(pk=institution.pk).first()
    check_membership(institution=institution, area=area, valid_from=valid_from, valid_to=valid_to)
    return _save(
        InstitutionArea(
            institution=institution, area=area, valid_from=valid_from, valid_to=valid_to
        )
    )


@transaction.atomic
def institution_area_set_end(
    *, membership: InstitutionArea, valid_to: dt.date | None, version: int | None = None
) -> InstitutionArea:
    """End (or reopen) a membership period; refuses an end that would overlap another period."""
    Institution.objects.select_for_update().filter(pk=membership.institution_id).first()
    claim_version(membership, version)
    check_membership(
        institution=membership.institution,
        area=membership.area,
        valid_from=membership.valid_from,
        valid_to=valid_to,
        exclude_pk=membership.pk,
    )
    membership.valid_to = valid_to
    return _save(membership)


@transaction.atomic
def institution_move_to_area(
    *, institution: Institution, area: Area, on: dt.date
) -> InstitutionArea:
    """End the current membership the day before ``on`` and start one in ``area`` on ``on``."""
    Institution.objects.select_for_update().filter(pk=institution.pk).first()
    current = (
        InstitutionArea.objects.filter(institution=institution).valid_on(on).order_by("-valid_from")
    ).first()
    if current is not None:
        if current.area_id == area.pk:
            raise ValidationError({"area": _("The institution already belongs to this area.")})
        if current.valid_from >= on:
            raise ValidationError(
                {"valid_from": _("The move must be dated after the current membership started.")}
            )
        later = InstitutionArea.objects.filter(institution=institution, valid_from__gt=on).exists()
        if later:
            raise ValidationError(
                {"valid_from": _("The institution has a later membership; change that one.")}
            )
        current.valid_to = on - dt.timedelta(days=1)
        _save(current)
    return institution_join_area(institution=institution, area=area, valid_from=on)


@transaction.atomic
def partner_create(
    *,
    municipality: Municipality,
    name: str,
    kind: str,
    area: Area | None = None,
    contact_name: str = "",
    contact_email: str = "",
    contact_phone: str = "",
    website: str = "",
    is_synthetic: bool = False,
) -> Partner:
    return _save(
        Partner(
            municipality=municipality,
            area=area,
            name=name.strip(),
            kind=kind,
            contact_name=contact_name,
            contact_email=contact_email,
            contact_phone=contact_phone,
            website=website,
            is_synthetic=is_synthetic,
        )
    )


@transaction.atomic
def partner_update(
    *,
    partner: Partner,
    version: int | None = None,
    name: str | _Keep = KEEP,
    kind: str | _Keep = KEEP,
    area: Area | _Keep | None = KEEP,
    contact_name: str | _Keep = KEEP,
    contact_email: str | _Keep = KEEP,
    contact_phone: str | _Keep = KEEP,
    website: str | _Keep = KEEP,
) -> Partner:
    """Change a partner's details; its municipality never changes."""
    claim_version(partner, version)
    _apply(
        partner,
        {
            "name": name,
            "kind": kind,
            "area": area,
            "contact_name": contact_name,
            "contact_email": contact_email,
            "contact_phone": contact_phone,
            "website": website,
        },
    )
    return _save(partner)
