"""Registrations by users who do not see the whole registry: referrals to an administrator.

Why: a health visitor sees the children who live in her municipality. If registering a CPR
number she cannot see answered "registered already" (or registered the child at once when the
number is new), the answer would tell her whether the child exists somewhere else. So every
registration of a number she cannot see — new, or registered where she cannot see — becomes a
``Referral`` with the same answer, and an administrator, who sees everything, decides it:
registers the child, moves the registered child to her area, or declines with an answer.
A number registered where she *can* see it is refused naming the child, as before (she could
find it anyway); that read is logged. A hit she is not told about is logged as well, so an
administrator can see who looked for a child. Details: the app's README.

Keyword-only, one transaction each; decisions are state transitions checked under the row lock
(``lib.versioning``): of two administrators deciding the same referral, the second is told.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from borneliv.children import services
from borneliv.children.models import Child, Family, Referral
from borneliv.children.services import ReadView
from borneliv.lib import pseudonym
from borneliv.lib.cpr import Cpr
from borneliv.lib.versioning import StateChanged, changed_by, locked
from borneliv.organisations.models import Area


@transaction.atomic
def child_register_or_refer(
    *,
    by: Any,
    cpr: str,
    first_name: str,
    last_name: str,
    area: Area,
    resident_from: dt.date | None = None,
    family_name: str = "",
    guardians: Iterable[dict[str, str]] = (),
) -> Child | Referral:
    """Register a child; for a user who does not see the whole registry, refer it instead.

    ``family_name`` asks for a new family with ``guardians``. Raises ``DuplicateChildError``
    (naming the child) for a number registered where the user may see it.
    """
    parsed = services.cpr_parse(cpr)
    key = services.cpr_pseudonym(parsed.digits)
    services.refuse_visible_duplicate(key, by)
    child = {
        "cpr": parsed.digits,
        "first_name": first_name,
        "last_name": last_name,
        "area": area,
        "resident_from": resident_from,
        "by": by,
    }
    if services.sees_whole_registry(by):
        if family_name:
            return services.child_register_with_family(
                family_name=family_name, guardians=guardians, **child
            )
        return services.child_register(**child)
    waiting = Referral.objects.open().filter(created_by=by, cpr_pseudonym=key).first()
    if waiting is not None:
        # Her own earlier referral: telling her about it reveals nothing she did not know.
        raise ValidationError(
            {
                "cpr": _(
                    "You sent this child to an administrator on %(date)s already; the "
                    "registration is waiting there."
                )
                % {"date": timezone.localtime(waiting.created_at).strftime("%d.%m.%Y")}
            }
        )
    referral = referral_build(
        by=by,
        parsed=parsed,
        first_name=first_name,
        last_name=last_name,
        area=area,
        resident_from=resident_from,
        family_name=family_name,
        guardians=[dict(g) for g in guardians] if family_name else [],
    )
    referral.save()
    hit = Child.objects.filter(cpr_pseudonym=key).values_list("pk", flat=True).first()
    if hit is not None:
        services.access_log_record(user=by, child_ids=[hit], view=ReadView.REGISTER_REFERRED)
    return referral


def referral_build(
    *,
    by: Any,
    parsed: Cpr,
    first_name: str,
    last_name: str,
    area: Area,
    resident_from: dt.date | None = None,
    family: Family | None = None,
    family_name: str = "",
    guardians: list[dict[str, str]] | None = None,
    source: str = Referral.Source.FORM,
    batch: Any = None,
    row_number: int | None = None,
) -> Referral:
    """A validated, unsaved referral (the import saves many in one ``bulk_create``).

    Checked like a registration (the ages, the date of moving in), so an administrator is
    never sent what the registry would refuse anyway.
    """
    services.registry_age_check(parsed.birth_date)
    if resident_from is not None and resident_from < parsed.birth_date:
        raise ValidationError({"resident_from": _("A child cannot live somewhere before birth.")})
    referral = Referral(
        created_by=by,
        source=source,
        batch=batch,
        row_number=row_number,
        cpr_ciphertext=pseudonym.encrypt(settings.CPR_KEY, parsed.digits),
        cpr_pseudonym=services.cpr_pseudonym(parsed.digits),
        birth_date=parsed.birth_date,
        sex=parsed.sex,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        area=area,
        resident_from=resident_from,
        family=family,
        family_name=family_name.strip() if family is None else "",
        guardians=guardians or [],
    )
    referral.full_clean()
    return referral


def registered_child(referral: Referral) -> Child | None:
    """The child registered with the referral's CPR number, if any (for administrators)."""
    return Child.objects.filter(cpr_pseudonym=referral.cpr_pseudonym).first()


def _locked_open(referral: Referral) -> Referral:
    """The referral under a row lock, refused if another administrator decided it first."""
    fresh: Referral = locked(Referral, referral.pk)
    if not fresh.is_open:
        raise StateChanged(
            _("This registration was decided already (%(status)s). %(change)s")
            % {"status": fresh.get_status_display(), "change": changed_by(fresh).headline}
        )
    return fresh


def _decide(referral: Referral, by: Any, status: str, *, child: Child | None = None) -> None:
    referral.status = status
    referral.decided_by = by
    referral.decided_at = timezone.now()
    referral.child = child
    referral.full_clean()
    referral._history_user = by  # type: ignore[attr-defined]
    referral.save()


def _register(referral: Referral, by: Any, family: Family | None) -> Child:
    if registered_child(referral) is not None:
        raise ValidationError(
            _(
                "A child with this CPR number is registered already: move that child to the "
                "area, or decline the registration."
            )
        )
    child = services.child_register(
        cpr=pseudonym.decrypt(settings.CPR_KEY, referral.cpr_ciphertext),
        first_name=referral.first_name,
        last_name=referral.last_name,
        area=referral.area,
        resident_from=referral.resident_from,
        family=family,
        by=by,
    )
    _decide(referral, by, Referral.Status.REGISTERED, child=child)
    return child


def _add_guardians(family: Family, guardians: list[dict[str, str]]) -> None:
    """Add the referral's guardians to the family, except those of a name it has already."""
    names = {name.casefold() for name in family.guardians.values_list("name", flat=True)}
    for guardian in guardians:
        if guardian.get("name", "").casefold() not in names:
            services.guardian_add(family=family, **guardian)
            names.add(guardian["name"].casefold())


@transaction.atomic
def referral_register(*, referral: Referral, by: Any) -> Child:
    """Register the referred child (its number is new), with its family and guardians."""
    fresh = _locked_open(referral)
    family = fresh.family
    if family is None and fresh.family_name:
        family = services.family_create(name=fresh.family_name)
    if family is not None:
        _add_guardians(family, fresh.guardians)
    return _register(fresh, by, family)


@transaction.atomic
def referrals_register_new(*, batch: Any, by: Any) -> int:
    """Register every open referral of one import whose number is new; returns how many.

    Children with the same new family name in the same area become one family, as the import
    would have made them. Referrals whose number is registered stay open for a decision each.
    """
    families: dict[tuple[str, int], Family] = {}
    registered = 0
    for referral in Referral.objects.open().filter(batch=batch).order_by("row_number", "pk"):
        if registered_child(referral) is not None:
            continue
        fresh = _locked_open(referral)
        family = fresh.family
        if family is None and fresh.family_name:
            key = (fresh.family_name.casefold(), fresh.area_id)
            family = families.get(key)
            if family is None:
                family = families[key] = services.family_create(name=fresh.family_name)
        if family is not None:
            _add_guardians(family, fresh.guardians)
        _register(fresh, by, family)
        registered += 1
    return registered


@transaction.atomic
def referral_move(*, referral: Referral, by: Any, on: dt.date) -> Child:
    """Move the registered child with the referral's number to the referral's area from ``on``."""
    fresh = _locked_open(referral)
    child = registered_child(fresh)
    if child is None:
        raise ValidationError(
            _("No child with this CPR number is registered: register the child instead.")
        )
    services.child_move(child=child, area=fresh.area, on=on)
    _decide(fresh, by, Referral.Status.MOVED, child=child)
    return child


@transaction.atomic
def referral_decline(*, referral: Referral, by: Any, answer: str) -> Referral:
    """Decline the registration; ``answer`` is what the sender reads (say why, kindly)."""
    if not answer.strip():
        raise ValidationError({"answer": _("Write the answer the sender will read.")})
    fresh = _locked_open(referral)
    fresh.answer = answer.strip()
    _decide(fresh, by, Referral.Status.DECLINED)
    return fresh
