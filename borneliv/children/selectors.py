"""Reads of the child registry: a fixed number of queries each, always through ``visible_to``."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from borneliv.accounts.landing import Count as LandingCount
from borneliv.accounts.models import User, today
from borneliv.children.models import (
    AccessLog,
    Child,
    ChildQuerySet,
    Enrolment,
    Residence,
    VulnerabilityPeriod,
)
from borneliv.children.services import ENROLLING_KINDS
from borneliv.organisations.models import Area, Institution

SEARCH_MIN_LENGTH = 2
SEARCH_MAX_WORDS = 5


def registrable_areas(user: Any) -> QuerySet[Area]:
    """Areas where the user may register (or move) a child: those whose children she sees.

    An administrator: every area. A health visitor: the areas of the municipalities her units
    serve (not every municipality she can see the registry of, or she would lose sight of the
    child she just registered).
    """
    areas = Area.objects.visible_to(user).select_related("municipality")
    scope = user.scope
    if not scope.is_admin:
        areas = areas.filter(municipality_id__in=scope.health_municipality_ids)
    return areas.order_by("municipality__name", "name")


def enrollable_institutions(user: Any) -> QuerySet[Institution]:
    """Daycares, schools and SFOs the user may enrol a child in."""
    institutions = Institution.objects.visible_to(user).filter(kind__in=ENROLLING_KINDS)
    scope = user.scope
    if not scope.is_admin:
        institutions = institutions.filter(municipality_id__in=scope.health_municipality_ids)
    return institutions.select_related("municipality").order_by("municipality__name", "name")


def with_current_residence(children: ChildQuerySet, on: dt.date | None = None) -> ChildQuerySet:
    """Annotate ``current_area_id`` and ``current_area_name`` (``None`` if nowhere on ``on``)."""
    residences = (
        Residence.objects.valid_on(on or today())
        .filter(child=OuterRef("pk"))
        .order_by("-valid_from")
    )
    return children.annotate(
        current_area_id=Subquery(residences.values("area_id")[:1]),
        current_area_name=Subquery(residences.values("area__name")[:1]),
    )


def with_vulnerable_now(children: ChildQuerySet, on: dt.date | None = None) -> ChildQuerySet:
    """Annotate ``vulnerable_now``: the child's family has a vulnerability marker valid ``on``."""
    periods = VulnerabilityPeriod.objects.valid_on(on or today()).filter(
        family_id=OuterRef("family_id")
    )
    return children.annotate(vulnerable_now=Exists(periods))


def children_for_list(user: Any) -> ChildQuerySet:
    """The visible children with what a list shows: current area, family, vulnerability."""
    on = today()
    children = Child.objects.visible_to(user).select_related("family")
    return with_vulnerable_now(with_current_residence(children, on), on)


def search_words(query: str) -> list[str]:
    return [word for word in query.split() if word][:SEARCH_MAX_WORDS]


def children_matching(user: Any, query: str) -> ChildQuerySet:
    """Visible children whose first or last name contains every word of ``query``."""
    children = children_for_list(user)
    words = search_words(query)
    if not words or len(query.strip()) < SEARCH_MIN_LENGTH:
        return children.none()
    for word in words:
        children = children.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
    return children.order_by("last_name", "first_name", "birth_date", "pk")


def age_text(birth_date: dt.date, on: dt.date) -> str:
    """A child's age in words: "3 weeks", "5 months", "2 years, 3 months"."""
    if on < birth_date:
        return _("not born yet")
    months = (on.year - birth_date.year) * 12 + on.month - birth_date.month
    if on.day < birth_date.day:
        months -= 1
    if months < 2:
        days = (on - birth_date).days
        if days < 14:
            return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
        weeks = days // 7
        return ngettext("%(count)d week", "%(count)d weeks", weeks) % {"count": weeks}
    years, rest = divmod(months, 12)
    if years == 0:
        return ngettext("%(count)d month", "%(count)d months", months) % {"count": months}
    year_text = ngettext("%(count)d year", "%(count)d years", years) % {"count": years}
    if years >= 3 or rest == 0:
        return year_text
    month_text = ngettext("%(count)d month", "%(count)d months", rest) % {"count": rest}
    return _("%(years)s, %(months)s") % {"years": year_text, "months": month_text}


@dataclass
class ChildRecord:
    """Everything the registry page of one child shows."""

    child: Child
    age: str
    residences: list[Residence]
    current_residence: Residence | None
    enrolments: list[Enrolment]
    vulnerability_periods: list[VulnerabilityPeriod]
    vulnerable_now: bool
    guardians: list[Any]
    siblings: list[Child]


def child_record(user: Any, child: Child) -> ChildRecord:
    """The registry record of a child the caller has already checked is visible."""
    on = today()
    residences = list(
        Residence.objects.filter(child=child)
        .select_related("area__municipality")
        .order_by("-valid_from")
    )
    current = next(
        (r for r in residences if r.valid_from <= on and (r.valid_to is None or r.valid_to >= on)),
        None,
    )
    enrolments = list(
        Enrolment.objects.filter(child=child).select_related("institution").order_by("-valid_from")
    )
    periods: list[VulnerabilityPeriod] = []
    guardians: list[Any] = []
    siblings: list[Child] = []
    if child.family_id is not None:
        periods = list(
            VulnerabilityPeriod.objects.filter(family_id=child.family_id)
            .select_related("set_by", "cleared_by")
            .order_by("-valid_from")
        )
        guardians = list(child.family.guardians.all()) if child.family else []
        siblings = list(
            Child.objects.visible_to(user)
            .filter(family_id=child.family_id)
            .exclude(pk=child.pk)
            .order_by("birth_date")
        )
    vulnerable_now = any(
        p.valid_from <= on and (p.valid_to is None or p.valid_to >= on) for p in periods
    )
    return ChildRecord(
        child=child,
        age=age_text(child.birth_date, on),
        residences=residences,
        current_residence=current,
        enrolments=enrolments,
        vulnerability_periods=periods,
        vulnerable_now=vulnerable_now,
        guardians=guardians,
        siblings=siblings,
    )


def short_id(public_id: uuid.UUID | str) -> str:
    """The first 8 hex digits of a public id: enough to tell children apart in a list."""
    return str(public_id)[:8]


def _public_id_range(text: str) -> tuple[uuid.UUID, uuid.UUID] | None:
    """A full public id, or the first 8+ hex digits of one, as an inclusive range of UUIDs."""
    hexdigits = text.strip().lower().replace("-", "")
    if not 8 <= len(hexdigits) <= 32 or any(c not in "0123456789abcdef" for c in hexdigits):
        return None
    return uuid.UUID(hexdigits.ljust(32, "0")), uuid.UUID(hexdigits.ljust(32, "f"))


def access_log_entries(
    user: Any,
    *,
    reader: User | None = None,
    child: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AccessLog]:
    """The access log the user may read, newest first, filtered.

    ``child`` is a public id (or its first 8 or more hex digits, as shown in lists) or words of
    the child's name.
    """
    entries = AccessLog.objects.visible_to(user).select_related("user", "child")
    if reader is not None:
        entries = entries.filter(user=reader)
    text = child.strip()
    if text:
        id_range = _public_id_range(text)
        if id_range is not None:
            entries = entries.filter(
                child__public_id__gte=id_range[0], child__public_id__lte=id_range[1]
            )
        else:
            for word in search_words(text):
                entries = entries.filter(
                    Q(child__first_name__icontains=word) | Q(child__last_name__icontains=word)
                )
    tz = timezone.get_current_timezone()
    if date_from is not None:
        entries = entries.filter(at__gte=dt.datetime.combine(date_from, dt.time.min, tzinfo=tz))
    if date_to is not None:
        entries = entries.filter(
            at__lt=dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        )
    return entries.order_by("-at", "-pk")


def readers(user: Any) -> QuerySet[User]:
    """Users who appear in the access log the caller may read (for the filter's choices)."""
    logged = AccessLog.objects.visible_to(user).filter(user=OuterRef("pk"))
    return User.objects.filter(Exists(logged)).order_by("username")


def children_by_municipality(user: Any) -> LandingCount | None:
    """The administrator's overview column: children living in each municipality today.

    A count per municipality, no record is read (so no access-log row); one query.
    """
    if not user.scope.is_admin:
        return None
    rows = (
        Residence.objects.current()
        .values("area__municipality_id")
        .annotate(n=Count("child_id", distinct=True))
        .values_list("area__municipality_id", "n")
    )
    return LandingCount(label=_("Children"), counts=dict(rows), order=40)
