"""Load the demo programme (``data.py``) through the organisation and account services.

Nothing here saves a model directly: every row is made by the same service functions that views,
the admin and imports use, so the demo is validated exactly like real data.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from borneliv.accounts import services as account_services
from borneliv.accounts.models import Role, User, today
from borneliv.demo import data
from borneliv.demo.children import ChildrenDemoResult, demo_children_load
from borneliv.demo.common import Writer, say
from borneliv.organisations import services as org_services
from borneliv.organisations.models import Area, Institution, Municipality, Partner


@dataclass
class DemoResult:
    """What a call to ``demo_load`` did."""

    loaded: bool
    municipalities: int = 0
    areas: int = 0
    institutions: int = 0
    partners: int = 0
    users: int = 0
    logins: list[tuple[str, str]] = field(default_factory=list)
    # The synthetic children (``children.py``), when they were asked for.
    children: ChildrenDemoResult | None = None


def demo_is_loaded() -> bool:
    """Whether the database already holds a programme (any municipality)."""
    return Municipality.objects.exists()


def demo_logins() -> list[tuple[str, str]]:
    """(role label, username) of the demo users present in the database, in role order."""
    present = set(
        User.objects.filter(username__in=[u.username for u in data.USERS]).values_list(
            "username", flat=True
        )
    )
    return [
        (str(Role(spec.role).label), spec.username)
        for spec in data.USERS
        if spec.username in present
    ]


def demo_password_matches(password: str) -> bool:
    """Whether the demo users still have ``password`` (checked on the first demo user found)."""
    user = User.objects.filter(username__in=[u.username for u in data.USERS]).first()
    return user is not None and user.check_password(password)


def logins_table(logins: list[tuple[str, str]], password: str | None) -> str:
    """The logins as a plain-text table for a terminal."""
    rows = [(role, username, password or "") for role, username in logins]
    headers = ("Role", "Username", "Password")
    widths = [max(len(row[i]) for row in [headers, *rows]) for i in range(3)]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(headers)).rstrip()]
    lines.append("  ".join("-" * width for width in widths))
    lines += ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(r)).rstrip() for r in rows]
    return "\n".join(lines)


def _summary(spec: data.MunicipalitySpec) -> str:
    kinds = Counter(area.kind for area in spec.areas)
    institutions = sum(
        len(area.institutions) + sum(1 for i in area.institutions if i.sfo_number)
        for area in spec.areas
    )
    return (
        f"{spec.name}: {kinds[data.PROGRAMME]} programme and {kinds[data.COMPARISON]} comparison "
        f"area(s), {institutions} institutions, {len(spec.partners)} partners"
    )


def _load_municipality(
    spec: data.MunicipalitySpec,
    institutions: dict[str, Institution],
    partners: dict[str, Partner],
) -> tuple[Municipality, int]:
    municipality = org_services.municipality_create(name=spec.name, code=spec.code)
    areas: dict[str, Area] = {}
    for area_spec in spec.areas:
        areas[area_spec.name] = org_services.area_create(
            municipality=municipality,
            name=area_spec.name,
            kind=area_spec.kind,
            start_date=area_spec.start_date,
            description=area_spec.description,
            is_synthetic=area_spec.is_synthetic,
        )
    for area_spec in spec.areas:
        area = areas[area_spec.name]
        for inst_spec, (latitude, longitude) in data.located(area_spec):
            first_area, move = area, None
            if inst_spec.moved_from is not None:
                previous_name, moved_on = inst_spec.moved_from
                first_area, move = areas[previous_name], moved_on
            common: dict[str, Any] = {
                "municipality": municipality,
                "member_from": area_spec.start_date,
                "postcode": area_spec.postcode,
                "city": area_spec.city,
            }
            institution = org_services.institution_create(
                name=inst_spec.name,
                kind=inst_spec.kind,
                area=first_area,
                official_number=inst_spec.official_number,
                latitude=latitude,
                longitude=longitude,
                is_synthetic=inst_spec.is_synthetic,
                **common,
            )
            if move is not None:
                org_services.institution_move_to_area(institution=institution, area=area, on=move)
            institutions[institution.name] = institution
            if inst_spec.sfo_number:
                sfo = org_services.institution_create(
                    name=data.sfo_name(inst_spec.name),
                    kind=data.SFO,
                    area=area,
                    official_number=inst_spec.sfo_number,
                    latitude=round(latitude + data.SFO_OFFSET[0], 5),
                    longitude=round(longitude + data.SFO_OFFSET[1], 5),
                    is_synthetic=True,
                    **common,
                )
                institutions[sfo.name] = sfo
    for partner_spec in spec.partners:
        partners[partner_spec.name] = org_services.partner_create(
            municipality=municipality,
            name=partner_spec.name,
            kind=partner_spec.kind,
            area=areas[partner_spec.area] if partner_spec.area else None,
            contact_name=partner_spec.contact_name,
            contact_email=partner_spec.contact_email,
            is_synthetic=partner_spec.is_synthetic,
        )
    return municipality, len(areas)


def _grant_admin_site(user: User, *, is_superuser: bool) -> None:
    account_services.user_set_staff(user=user, is_staff=True, is_superuser=is_superuser)


def _load_user(
    spec: data.UserSpec,
    password: str,
    municipalities: dict[str, Municipality],
    institutions: dict[str, Institution],
    partners: dict[str, Partner],
) -> User:
    user = account_services.user_create(
        username=spec.username,
        password=password,
        first_name=spec.first_name,
        last_name=spec.last_name,
        email=f"{spec.username}@borneliv.example",
    )
    if spec.is_staff or spec.is_superuser:
        _grant_admin_site(user, is_superuser=spec.is_superuser)
    target: dict[str, Any] = {}
    if spec.organisation is not None:
        kind, key = spec.organisation
        lookup: dict[str, dict[str, Any]] = {
            "municipality": municipalities,
            "institution": institutions,
            "partner": partners,
        }
        target[kind] = lookup[kind][key]
    account_services.membership_create(
        user=user, role=spec.role, valid_from=data.PROGRAMME_START, **target
    )
    return user


def demo_load(
    *,
    password: str,
    stdout: Writer | None = None,
    with_children: bool = False,
    on: dt.date | None = None,
) -> DemoResult:
    """Load the demo programme and one user per role, unless a programme is already there.

    With ``with_children``, then the synthetic children of ``children.demo_children_load`` as of
    ``on`` (default today), unless the registry holds children already; also when the programme
    was loaded before. Runs in one transaction: on any error nothing is saved. Refuses a password
    that Django's password validators reject, since every demo user gets it.
    """
    validate_password(password)
    with transaction.atomic():
        if demo_is_loaded():
            say(stdout, "A programme is already loaded; the demo was not loaded again.")
            children = (
                demo_children_load(today=on or today(), stdout=stdout) if with_children else None
            )
            return DemoResult(loaded=False, logins=demo_logins(), children=children)
        taken = sorted(
            User.objects.filter(username__in=[u.username for u in data.USERS]).values_list(
                "username", flat=True
            )
        )
        if taken:
            raise ValidationError(
                _(
                    "The demo needs the usernames %(names)s, which are taken; load the demo into "
                    "an empty database."
                )
                % {"names": ", ".join(taken)}
            )
        municipalities: dict[str, Municipality] = {}
        institutions: dict[str, Institution] = {}
        partners: dict[str, Partner] = {}
        area_count = 0
        for spec in data.MUNICIPALITIES:
            municipality, areas = _load_municipality(spec, institutions, partners)
            municipalities[spec.code] = municipality
            area_count += areas
            say(stdout, "  " + _summary(spec))
        users = [
            _load_user(spec, password, municipalities, institutions, partners)
            for spec in data.USERS
        ]
        children = demo_children_load(today=on or today(), stdout=stdout) if with_children else None
    return DemoResult(
        loaded=True,
        municipalities=len(municipalities),
        areas=area_count,
        institutions=len(institutions),
        partners=len(partners),
        users=len(users),
        logins=demo_logins(),
        children=children,
    )
