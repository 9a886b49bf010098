"""Reads for the user pages: the list, one account with its roles, and its history.

Every read starts from ``User.objects.visible_to(viewer)`` / ``Membership.objects.visible_to``;
a project leader sees the roles held in her municipalities and only a count of the others, so
the pages never tell her where else a person works.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch, Q, QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from borneliv.accounts.models import Membership, Role, User, today

_ORGANISATIONS = ("municipality", "institution__municipality", "partner__municipality")


def _municipality_id_of(membership: Any) -> int | None:
    """The municipality a membership (or a historical record of one) is held in."""
    try:
        if membership.municipality_id is not None:
            return int(membership.municipality_id)
        if membership.institution_id is not None:
            return int(membership.institution.municipality_id)
        if membership.partner_id is not None:
            return int(membership.partner.municipality_id)
    except ObjectDoesNotExist:  # a history record of an organisation deleted since
        return None
    return None


def membership_visible(viewer: Any, membership: Any) -> bool:
    """The rule of ``Membership.objects.visible_to`` for one loaded membership (no query)."""
    scope = viewer.scope
    if scope.is_admin or membership.user_id == viewer.pk:
        return True
    return _municipality_id_of(membership) in scope.led_municipality_ids


def users_for_list(viewer: Any, *, q: str = "", role: str = "", status: str = "") -> QuerySet[User]:
    """The accounts ``viewer`` may see, filtered; each with ``upcoming`` (current and later roles).

    Two queries per page whatever its size: the users, and their current and upcoming
    memberships with the organisations (``shown_roles``/``roles_elsewhere`` split them).
    """
    users = User.objects.visible_to(viewer)
    if q:
        for word in q.split():
            users = users.filter(
                Q(username__icontains=word)
                | Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
            )
    if role:
        holding = Membership.objects.visible_to(viewer).current().filter(role=role)
        users = users.filter(pk__in=holding.values("user_id"))
    if status == "active":
        users = users.filter(is_active=True)
    elif status == "inactive":
        users = users.filter(is_active=False)
    return users.order_by("last_name", "first_name", "username").prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.not_ended()
            .select_related(*_ORGANISATIONS)
            .order_by("valid_from", "pk"),
            to_attr="upcoming",
        )
    )


@dataclass
class ListedUser:
    user: User
    roles: list[Membership]  # current and upcoming, that the viewer may see
    roles_elsewhere: int  # current and upcoming that she may not see


def listed(viewer: Any, users: list[User]) -> list[ListedUser]:
    rows = []
    for user in users:
        upcoming: list[Membership] = getattr(user, "upcoming", [])
        shown = [m for m in upcoming if membership_visible(viewer, m)]
        rows.append(ListedUser(user, shown, len(upcoming) - len(shown)))
    return rows


@dataclass
class Account:
    """One account as ``viewer`` may see it."""

    user: User
    memberships: list[Membership]  # the visible ones, newest first
    roles_elsewhere: int  # current or upcoming roles the viewer cannot see
    history: list[HistoryEntry] = field(default_factory=list)

    @property
    def current(self) -> list[Membership]:
        return [m for m in self.memberships if m.is_current()]

    @property
    def upcoming(self) -> list[Membership]:
        day = today()
        return [m for m in self.memberships if m.valid_from > day]

    @property
    def ended(self) -> list[Membership]:
        day = today()
        return [m for m in self.memberships if m.valid_to is not None and m.valid_to < day]


def account(viewer: Any, user: User) -> Account:
    """The account's roles the viewer may see, how many others it has, and its history."""
    memberships = list(
        Membership.objects.filter(user=user)
        .select_related(*_ORGANISATIONS)
        .order_by("-valid_from", "-pk")
    )
    shown = [m for m in memberships if membership_visible(viewer, m)]
    day = today()
    elsewhere = sum(
        1 for m in memberships if m not in shown and (m.valid_to is None or m.valid_to >= day)
    )
    return Account(
        user=user,
        memberships=shown,
        roles_elsewhere=elsewhere,
        history=history(viewer, user),
    )


# History: the account's own changes and those of the roles the viewer may see.


@dataclass
class HistoryEntry:
    when: dt.datetime
    by: str
    what: str


_USER_FIELDS = ("first_name", "last_name", "email", "username")


def _by(record: Any) -> str:
    person = record.history_user
    if person is None:
        return _("the system")
    return person.get_full_name() or person.get_username()


def _period(valid_from: dt.date, valid_to: dt.date | None) -> str:
    if valid_to is None:
        return _("from %(start)s") % {"start": date_format(valid_from)}
    return _("%(start)s to %(end)s") % {
        "start": date_format(valid_from),
        "end": date_format(valid_to),
    }


def _user_changes(records: list[Any]) -> list[HistoryEntry]:
    entries: list[HistoryEntry] = []
    older = None
    for record in reversed(records):  # oldest first, to compare each with the one before
        what: list[str] = []
        if older is None:
            what.append(_("Account created."))
        else:
            if any(getattr(record, f) != getattr(older, f) for f in _USER_FIELDS):
                what.append(_("Name or e-mail changed."))
            if record.is_active != older.is_active:
                what.append(_("Reactivated.") if record.is_active else _("Deactivated."))
            if record.must_change_password and not older.must_change_password:
                what.append(_("Given a temporary password."))
            elif older.must_change_password and not record.must_change_password:
                what.append(_("Chose a password of her own."))
            if (record.is_staff, record.is_superuser) != (older.is_staff, older.is_superuser):
                what.append(_("Access to the administration site changed."))
        if what:
            entries.append(HistoryEntry(record.history_date, _by(record), " ".join(what)))
        older = record
    return entries


def _role_text(record: Any) -> str:
    organisation = record.municipality or record.institution or record.partner
    role = str(Role(record.role).label) if record.role in Role.values else record.role
    if organisation is None:
        return role
    return _("%(role)s in %(organisation)s") % {"role": role, "organisation": organisation}


def _membership_changes(viewer: Any, user: User) -> list[HistoryEntry]:
    records = list(
        Membership.history.filter(user_id=user.pk)
        .select_related("history_user", *_ORGANISATIONS)
        .order_by("id", "history_date", "history_id")
    )
    entries: list[HistoryEntry] = []
    previous: dict[int, Any] = {}
    for record in records:
        if not membership_visible(viewer, record):
            continue
        role = _role_text(record)
        period = _period(record.valid_from, record.valid_to)
        if record.history_type == "+":
            what = _("Role granted: %(role)s, %(period)s.") % {"role": role, "period": period}
        elif record.history_type == "-":
            what = _("Role removed: %(role)s.") % {"role": role}
        else:
            before = previous.get(record.id)
            if before is not None and (before.valid_from, before.valid_to) == (
                record.valid_from,
                record.valid_to,
            ):
                previous[record.id] = record
                continue
            what = _("Period changed: %(role)s, now %(period)s.") % {
                "role": role,
                "period": period,
            }
        previous[record.id] = record
        entries.append(HistoryEntry(record.history_date, _by(record), what))
    return entries


HISTORY_LIMIT = 100


def history(viewer: Any, user: User) -> list[HistoryEntry]:
    """The account's changes and those of its visible roles, newest first (at most 100)."""
    user_records = list(user.history.select_related("history_user").order_by("-history_date"))
    entries = _user_changes(user_records) + _membership_changes(viewer, user)
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries[:HISTORY_LIMIT]
