"""Writes to the child registry, and the access log of reads.

Keyword-only, one transaction each, ``full_clean()`` before saving; a ``ValidationError`` carries a
message for the user and nothing is saved. CPR numbers never appear in an error message.

Registering through the pages and the import goes through ``referrals.child_register_or_refer``:
a user who does not see the whole registry refers a number she cannot see to an administrator.
Every duplicate check that hits a registered child writes an access-log row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from borneliv.accounts.models import User, today
from borneliv.children.models import (
    AccessLog,
    Child,
    Enrolment,
    Family,
    Guardian,
    Residence,
    VulnerabilityPeriod,
)
from borneliv.lib import dk, pseudonym
from borneliv.lib.cpr import Cpr, CprError, parse_cpr
from borneliv.lib.versioning import StateChanged, changed_by, locked
from borneliv.organisations.models import Area, Institution

ENROLLING_KINDS = ("daycare", "school", "special_school", "sfo")


class ReadView:
    """The ``view`` of an access-log row: which read path showed the child."""

    CHILD_DETAIL = "child_detail"  # the registry page
    CPR_REVEAL = "cpr_reveal"  # the full CPR number shown on request, with a purpose
    FIND_BY_CPR = "find_by_cpr"  # the find-by-CPR form found the child
    NAME_SEARCH = "name_search"  # one row per child listed by a name search
    API_LIST = "api_list"
    API_DETAIL = "api_detail"
    API_LOOKUP = "api_lookup"
    # Duplicate checks that hit a registered child (every CPR look-up leaves a trace):
    REGISTER_CHECK = "register_check"  # the registration form named the (visible) child
    IMPORT_CHECK = "import_check"  # an import's row matched a (visible) child
    # … and hits the user was not told about: her registration went to an administrator.
    REGISTER_REFERRED = "register_referred"
    IMPORT_REFERRED = "import_referred"
    REFERRAL_CHECK = "referral_check"  # an administrator compared a referral with the registry
    ACCESS_LOG = "access_log"  # listed on an administrator's access-log page


class DuplicateChildError(ValidationError):
    """The CPR number is registered already; ``existing`` is the child if the user may see it."""

    def __init__(self, message: str, existing: Child | None) -> None:
        super().__init__(message, code="duplicate_child")
        self.existing = existing


def _save(obj: Any) -> Any:
    obj.full_clean()
    obj.save()
    return obj


def _cpr_error_message(code: str) -> str:
    # Translated here: ``lib.cpr`` is Django-free, and a gettext of a variable is never extracted.
    if code == "date":
        return _("The first six digits of the CPR number are not a real date.")
    return _("A CPR number has the form DDMMYY-SSSS (10 digits).")


def cpr_parse(cpr: str) -> Cpr:
    """Parse a CPR number or raise a ValidationError whose message does not echo the number.

    Also refuses a birth date in the future: such a number may be well-formed, but is not issued.
    """
    try:
        parsed = parse_cpr(cpr)
    except CprError as exc:
        # ``from None``: the CprError adds nothing, and a traceback should not carry the input.
        raise ValidationError({"cpr": _cpr_error_message(exc.code)}, code="invalid_cpr") from None
    if parsed.birth_date > today():
        raise ValidationError(
            {"cpr": _("The CPR number gives a birth date in the future.")}, code="invalid_cpr"
        )
    return parsed


#: The registry takes the programme's children, aged 0–10, with a year's margin: a school class
#: stays in the programme for the whole school year, so a child who turns 11 during 4th grade
#: still belongs. From the 12th birthday a CPR number is refused: it is not a child of the
#: programme (a 36-year-old's number would otherwise get a plan of long-expired contacts).
REGISTRY_AGE_LIMIT_YEARS = 12


def _birthday(birth_date: dt.date, years: int) -> dt.date:
    """The ``years``-th birthday; 1 March for a 29 February birth in a common year."""
    try:
        return birth_date.replace(year=birth_date.year + years)
    except ValueError:
        return dt.date(birth_date.year + years, 3, 1)


def registry_age_check(birth_date: dt.date, on: dt.date | None = None) -> None:
    """Refuse a birth date outside the programme's ages on ``on`` (default today).

    Too old: the ``REGISTRY_AGE_LIMIT_YEARS``-th birthday has come. In the future: refused
    without tolerance, as a CPR number is issued only after birth (``cpr_parse`` checks it too).
    The message gives the age, not the number or the birth date.
    """
    on = on or today()
    if birth_date > on:
        raise ValidationError(
            {"cpr": _("The CPR number gives a birth date in the future.")}, code="invalid_cpr"
        )
    if on >= _birthday(birth_date, REGISTRY_AGE_LIMIT_YEARS):
        age = on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))
        raise ValidationError(
            {
                "cpr": _(
                    "The CPR number belongs to someone of %(age)d years. The registry is for "
                    "the programme's children, aged 0–10 (a child is accepted until its "
                    "%(limit)dth birthday)."
                )
                % {"age": age, "limit": REGISTRY_AGE_LIMIT_YEARS}
            },
            code="outside_ages",
        )


def phone_normalise(phone: str, *, field: str = "phone") -> str:
    """A guardian's phone number written as ``12 34 56 78`` (``""`` for none).

    Danish numbers: 8 digits, optionally after +45, spaces anywhere. Anything else raises a
    ValidationError on ``field``.
    """
    normalised = dk.normalise_phone(phone)
    if normalised is None:
        raise ValidationError({field: _(dk.PHONE_MESSAGE)}, code="invalid_phone")
    return normalised


def cpr_pseudonym(digits: str) -> str:
    return pseudonym.pseudonym(settings.PSEUDONYM_KEY, digits)


def cpr_of(child: Child) -> str:
    """The child's CPR number, decrypted (show it only where the task needs it)."""
    return pseudonym.decrypt(settings.CPR_KEY, child.cpr_ciphertext)


def sees_whole_registry(user: Any) -> bool:
    """An administrator (or a script: ``None``) can tell a new CPR number from a registered one."""
    return user is None or bool(user.scope.is_admin)


def child_find_by_cpr(*, cpr: str, user: Any) -> Child | None:
    """The visible child with this CPR number, or None (also when it exists out of scope)."""
    parsed = cpr_parse(cpr)
    return Child.objects.visible_to(user).filter(cpr_pseudonym=cpr_pseudonym(parsed.digits)).first()


@transaction.atomic
def child_register(
    *,
    cpr: str,
    first_name: str,
    last_name: str,
    area: Area,
    resident_from: dt.date | None = None,
    family: Family | None = None,
    by: Any = None,
    is_synthetic: bool = False,
) -> Child:
    """Register a child with its residence; refuses a CPR number that is registered already."""
    parsed = cpr_parse(cpr)
    registry_age_check(parsed.birth_date)
    key = cpr_pseudonym(parsed.digits)
    refuse_visible_duplicate(key, by)
    if Child.objects.filter(cpr_pseudonym=key).exists():
        # Only a caller who does not see the whole registry gets here: the pages and the import
        # send her registration to an administrator instead (referrals.child_register_or_refer).
        raise DuplicateChildError(
            _("A child with this CPR number is registered already, in a place you cannot see."),
            None,
        )
    start = resident_from or parsed.birth_date
    if start < parsed.birth_date:
        raise ValidationError({"resident_from": _("A child cannot live somewhere before birth.")})
    child = _save(
        Child(
            cpr_ciphertext=pseudonym.encrypt(settings.CPR_KEY, parsed.digits),
            cpr_pseudonym=key,
            birth_date=parsed.birth_date,
            sex=parsed.sex,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            family=family,
            is_synthetic=is_synthetic,
        )
    )
    _save(Residence(child=child, area=area, valid_from=start))
    return child


def refuse_visible_duplicate(key: str, by: Any) -> None:
    """A registered child the caller may see: refuse, naming it.

    The caller logs the read (``ReadView.REGISTER_CHECK``) once the error has left the
    transaction, which rolls back everything written inside it.
    """
    existing = Child.objects.filter(cpr_pseudonym=key)
    visible = (existing if by is None else existing & Child.objects.visible_to(by)).first()
    if visible is None:
        return
    raise DuplicateChildError(
        _("This child is registered already: %(name)s, born %(born)s.")
        % {"name": visible.full_name, "born": visible.birth_date.strftime("%d.%m.%Y")},
        visible,
    )


@transaction.atomic
def child_register_with_family(
    *,
    family_name: str,
    guardians: Iterable[dict[str, str]] = (),
    **child: Any,
) -> Child:
    """Register a child in a new family (both or neither are saved)."""
    family = family_create(name=family_name, guardians=guardians)
    return child_register(family=family, **child)


@transaction.atomic
def child_update(*, child: Child, first_name: str, last_name: str) -> Child:
    child.first_name = first_name.strip()
    child.last_name = last_name.strip()
    return _save(child)


@transaction.atomic
def child_move(*, child: Child, area: Area, on: dt.date) -> Residence:
    """Move a child to ``area`` on ``on``: the current residence ends the day before."""
    Child.objects.select_for_update().filter(pk=child.pk).first()
    if on < child.birth_date:
        raise ValidationError({"valid_from": _("A child cannot move before birth.")})
    if Residence.objects.filter(child=child, valid_from__gte=on).exists():
        raise ValidationError(
            {"valid_from": _("The child has a residence starting on or after that date already.")}
        )
    current = Residence.objects.filter(child=child).valid_on(on).first()
    if current is not None:
        if current.area_id == area.pk:
            raise ValidationError({"area": _("The child lives in this area already.")})
        current.valid_to = on - dt.timedelta(days=1)
        _save(current)
    return _save(Residence(child=child, area=area, valid_from=on))


@transaction.atomic
def family_create(*, name: str, guardians: Iterable[dict[str, str]] = ()) -> Family:
    family = _save(Family(name=name.strip()))
    for guardian in guardians:
        guardian_add(family=family, **guardian)
    return family


@transaction.atomic
def family_create_for_child(
    *, child: Child, name: str, guardians: Iterable[dict[str, str]] = ()
) -> Family:
    """Start a new family for a child who has none yet."""
    if child.family_id is not None:
        raise ValidationError(_("The child belongs to a family already."))
    family = family_create(name=name, guardians=guardians)
    child_set_family(child=child, family=family)
    return family


@transaction.atomic
def guardian_add(
    *, family: Family, name: str, relation: str, phone: str = "", email: str = ""
) -> Guardian:
    """Add a guardian; the phone number is checked and written as ``12 34 56 78``."""
    phone = phone_normalise(phone)
    return _save(
        Guardian(family=family, name=name.strip(), relation=relation, phone=phone, email=email)
    )


@transaction.atomic
def child_set_family(*, child: Child, family: Family | None) -> Child:
    child.family = family
    return _save(child)


@transaction.atomic
def vulnerability_set(
    *,
    family: Family,
    reason: str,
    valid_from: dt.date,
    by: User | None,
    note: str = "",
) -> VulnerabilityPeriod:
    """Mark a family vulnerable from ``valid_from``; refuses overlapping an open period."""
    Family.objects.select_for_update().filter(pk=family.pk).first()
    clash = (
        VulnerabilityPeriod.objects.filter(family=family).filter(valid_to__isnull=True).exists()
        or VulnerabilityPeriod.objects.filter(family=family, valid_to__gte=valid_from).exists()
    )
    if clash:
        raise ValidationError(
            {
                "valid_from": _(
                    "The family is already marked vulnerable in that period; clear or change "
                    "that marker first."
                )
            }
        )
    return _save(
        VulnerabilityPeriod(
            family=family, reason=reason, valid_from=valid_from, note=note, set_by=by
        )
    )


@transaction.atomic
def vulnerability_clear(
    *, period: VulnerabilityPeriod, on: dt.date, by: User | None
) -> VulnerabilityPeriod:
    """End a vulnerability period on ``on`` (inclusive); checked under the row lock."""
    period = locked(VulnerabilityPeriod, period.pk)
    if period.valid_to is not None:
        raise StateChanged(
            _("This marker has been cleared already. %(change)s")
            % {"change": changed_by(period).headline}
        )
    if on < period.valid_from:
        raise ValidationError({"valid_to": _("A period cannot end before it starts.")})
    period.valid_to = on
    period.cleared_by = by
    return _save(period)


@transaction.atomic
def enrolment_start(
    *,
    child: Child,
    institution: Institution,
    valid_from: dt.date,
    group: str = "",
    valid_to: dt.date | None = None,
) -> Enrolment:
    if institution.kind not in ENROLLING_KINDS:
        raise ValidationError(
            {"institution": _("Children are enrolled in daycares, schools and SFOs only.")}
        )
    if valid_from < child.birth_date:
        raise ValidationError({"valid_from": _("A child cannot be enrolled before birth.")})
    group_of = {"daycare": "daycare", "school": "school", "special_school": "school", "sfo": "sfo"}
    same_kind = [kind for kind, grp in group_of.items() if grp == group_of[institution.kind]]
    overlap = Enrolment.objects.filter(child=child, institution__kind__in=same_kind).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from)
    )
    if valid_to is not None:
        overlap = overlap.filter(valid_from__lte=valid_to)
    if overlap.exists():
        raise ValidationError(
            {"valid_from": _("The child has an overlapping place of the same kind already.")}
        )
    return _save(
        Enrolment(
            child=child,
            institution=institution,
            group=group.strip(),
            valid_from=valid_from,
            valid_to=valid_to,
        )
    )


@transaction.atomic
def enrolment_end(*, enrolment: Enrolment, on: dt.date) -> Enrolment:
    """End an open enrolment; refused if someone ended it in the meantime."""
    enrolment = locked(Enrolment, enrolment.pk)
    if enrolment.valid_to is not None:
        raise StateChanged(
            _("This enrolment has been ended already. %(change)s")
            % {"change": changed_by(enrolment).headline}
        )
    if on < enrolment.valid_from:
        raise ValidationError({"valid_to": _("A period cannot end before it starts.")})
    enrolment.valid_to = on
    return _save(enrolment)


def access_log_record(
    *,
    user: Any,
    children: Child | Iterable[Child] = (),
    view: str,
    purpose: str = "",
    child_ids: Iterable[int] = (),
) -> int:
    """Write one access-log row per child read; returns the number of rows written.

    The children come as objects or, where a page only holds their ids (the worklist), as ids.
    """
    items = [children] if isinstance(children, Child) else list(children)
    ids = [child.pk for child in items] + [int(i) for i in child_ids]
    if not ids:
        return 0
    now = timezone.now()
    user_id = user.pk
    purpose = purpose[:200]
    AccessLog.objects.bulk_create(
        [
            AccessLog(at=now, user_id=user_id, child_id=child_id, view=view, purpose=purpose)
            for child_id in ids
        ]
    )
    return len(ids)


def access_log_record_reads(*, user: Any, reads: Iterable[tuple[int, str]]) -> int:
    """One access-log row per ``(child_id, view)``, in one ``bulk_create``; returns how many.

    For the reads of many children through different views at once (an import's duplicate
    check): a 50,000-row file is one INSERT on PostgreSQL, not a query per row.
    """
    now = timezone.now()
    rows = [
        AccessLog(at=now, user_id=user.pk, child_id=child_id, view=view, purpose="")
        for child_id, view in reads
    ]
    AccessLog.objects.bulk_create(rows)
    return len(rows)
