"""Reads for registry pages: the programme at a glance, an area, a role's landing page.

Each selector issues a fixed number of queries whatever the size of the registry (pinned in
tests), and starts from ``visible_to(user)``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch
from django.utils.translation import gettext as _

from borneliv.accounts.landing import Count as LandingCount
from borneliv.accounts.models import Role, today
from borneliv.organisations.models import (
    Area,
    Goal,
    Institution,
    InstitutionArea,
    Municipality,
    Partner,
    SubIntervention,
)


@dataclass
class AreaSummary:
    area: Area
    institutions: list[Institution] = field(default_factory=list)
    partners: list[Partner] = field(default_factory=list)

    def count_of(self, kind: str) -> int:
        return sum(1 for inst in self.institutions if inst.kind == kind)

    @property
    def school_count(self) -> int:
        return sum(1 for inst in self.institutions if inst.kind in ("school", "special_school"))

    @property
    def daycare_count(self) -> int:
        return self.count_of(Institution.Kind.DAYCARE)


@dataclass
class MunicipalitySummary:
    municipality: Municipality
    areas: list[AreaSummary] = field(default_factory=list)
    unassigned: list[Institution] = field(default_factory=list)
    municipality_partners: list[Partner] = field(default_factory=list)

    @property
    def programme_areas(self) -> list[AreaSummary]:
        return [a for a in self.areas if a.area.kind == Area.Kind.PROGRAMME]

    @property
    def comparison_areas(self) -> list[AreaSummary]:
        return [a for a in self.areas if a.area.kind == Area.Kind.COMPARISON]

    def _sum(self, attribute: str, kind: str = Area.Kind.PROGRAMME) -> int:
        return sum(getattr(a, attribute) for a in self.areas if a.area.kind == kind)

    @property
    def school_count(self) -> int:
        return self._sum("school_count")

    @property
    def daycare_count(self) -> int:
        return self._sum("daycare_count")

    @property
    def partner_count(self) -> int:
        return sum(len(a.partners) for a in self.areas) + len(self.municipality_partners)

    @property
    def health_units(self) -> list[Institution]:
        units = [i for a in self.areas for i in a.institutions if i.kind == "health_visiting"]
        return units + [i for i in self.unassigned if i.kind == "health_visiting"]


def current_area_ids(institution_ids: list[int], on: dt.date) -> dict[int, int]:
    """Map each institution to the area it belongs to on ``on`` (one query)."""
    rows = (
        InstitutionArea.objects.filter(institution_id__in=institution_ids)
        .valid_on(on)
        .values_list("institution_id", "area_id")
    )
    return dict(rows)


def programme_overview(
    user: Any, *, on: dt.date | None = None, municipality: Municipality | None = None
) -> list[MunicipalitySummary]:
    """Municipalities → areas → institutions and partners, as the user may see them."""
    on = on or today()
    municipalities = Municipality.objects.visible_to(user).order_by("name")
    if municipality is not None:
        municipalities = municipalities.filter(pk=municipality.pk)
    summaries = {m.pk: MunicipalitySummary(municipality=m) for m in municipalities}
    areas = Area.objects.visible_to(user).filter(municipality_id__in=summaries).order_by("name")
    by_area: dict[int, AreaSummary] = {}
    for area in areas:
        by_area[area.pk] = AreaSummary(area=area)
        summaries[area.municipality_id].areas.append(by_area[area.pk])
    institutions = list(
        Institution.objects.visible_to(user)
        .filter(municipality_id__in=summaries)
        .order_by("kind", "name")
    )
    area_of = current_area_ids([i.pk for i in institutions], on)
    for inst in institutions:
        area_id = area_of.get(inst.pk)
        if area_id in by_area:
            by_area[area_id].institutions.append(inst)
        else:
            summaries[inst.municipality_id].unassigned.append(inst)
    partners = (
        Partner.objects.visible_to(user).filter(municipality_id__in=summaries).order_by("name")
    )
    for partner in partners:
        if partner.area_id in by_area:
            by_area[partner.area_id].partners.append(partner)
        else:
            summaries[partner.municipality_id].municipality_partners.append(partner)
    return list(summaries.values())


@dataclass
class ProgrammeTotals:
    municipalities: int
    programme_areas: int
    comparison_areas: int
    schools: int
    daycares: int
    partners: int


def totals_of(overview: list[MunicipalitySummary]) -> ProgrammeTotals:
    return ProgrammeTotals(
        municipalities=len(overview),
        programme_areas=sum(len(m.programme_areas) for m in overview),
        comparison_areas=sum(len(m.comparison_areas) for m in overview),
        schools=sum(m.school_count for m in overview),
        daycares=sum(m.daycare_count for m in overview),
        partners=sum(m.partner_count for m in overview),
    )


def area_detail(user: Any, area: Area, *, on: dt.date | None = None) -> dict[str, Any]:
    """An area's institutions (today), partners and membership history."""
    on = on or today()
    institutions = list(
        Institution.objects.visible_to(user).in_area_on(area, on).order_by("kind", "name")
    )
    partners = list(Partner.objects.visible_to(user).filter(area=area).order_by("name"))
    history = list(
        InstitutionArea.objects.visible_to(user)
        .filter(area=area)
        .select_related("institution")
        .order_by("-valid_from", "institution__name")
    )
    return {
        "area": area,
        "institutions": institutions,
        "partners": partners,
        "memberships": history,
        "map_points": map_points(institutions),
        "on": on,
    }


def map_points(institutions: list[Institution]) -> list[dict[str, Any]]:
    """Points for the Leaflet map (public registry data only)."""
    return [
        {
            "name": inst.name,
            "kind": inst.kind,
            "kind_label": str(inst.get_kind_display()),
            "address": inst.address,
            "lat": inst.latitude,
            "lon": inst.longitude,
            "url": f"/institutions/{inst.pk}/",
        }
        for inst in institutions
        if inst.has_location
    ]


# Which sub-interventions each role works with (numbers from DOMAIN.md).
ROLE_SUBINTERVENTIONS: dict[str, tuple[int, ...]] = {
    Role.PEDAGOGUE: (2, 3, 5, 6),
    Role.TEACHER: (1, 5, 6),
    Role.CLUB_CONTACT: (5, 6),
}


def landing_for(user: Any) -> dict[str, Any]:
    """What the user's landing page shows, by the role they hold.

    Health visitors never get here: their landing page is the worklist (``accounts.views.home``).
    """
    scope = user.scope
    role = scope.primary_role
    context: dict[str, Any] = {"role": role, "role_label": Role(role).label if role else None}
    if role is None:
        return context
    context["goals"] = list(Goal.objects.all())
    if role in (Role.ADMIN, Role.PROJECT_LEADER, Role.RESEARCHER):
        overview = programme_overview(user)
        context["overview"] = overview
        context["totals"] = totals_of(overview)
        context["subinterventions"] = list(SubIntervention.objects.all())
        return context
    on = today()
    if role == Role.CLUB_CONTACT:
        own = list(
            Partner.objects.visible_to(user)
            .filter(pk__in=scope.partner_ids)
            .select_related("area", "municipality")
        )
        context["partners"] = own
        area_ids = {p.area_id for p in own if p.area_id}
    else:
        own_institutions = list(
            Institution.objects.visible_to(user)
            .filter(pk__in=scope.institutions_for(role))
            .select_related("municipality")
            .prefetch_related(
                Prefetch(
                    "area_memberships",
                    queryset=InstitutionArea.objects.valid_on(on).select_related("area"),
                    to_attr="current_memberships",
                )
            )
        )
        context["institutions"] = own_institutions
        area_ids = {m.area_id for inst in own_institutions for m in inst.current_memberships}
    areas = list(Area.objects.visible_to(user).filter(pk__in=area_ids).order_by("name"))
    neighbours = list(
        Institution.objects.visible_to(user)
        .filter(
            pk__in=InstitutionArea.objects.valid_on(on)
            .filter(area__in=areas)
            .values("institution_id")
        )
        .exclude(pk__in=scope.institution_ids)
        .order_by("kind", "name")
    )
    context["areas"] = areas
    context["neighbours"] = neighbours
    context["local_partners"] = list(
        Partner.objects.visible_to(user)
        .filter(area__in=areas)
        .exclude(pk__in=scope.partner_ids)
        .order_by("name")
    )
    context["subinterventions"] = list(
        SubIntervention.objects.filter(number__in=ROLE_SUBINTERVENTIONS.get(role, ()))
    )
    return context


# Columns of the administrator's overview (``accounts.landing.register_count``)


def _per_municipality(queryset: Any) -> dict[int, int]:
    return dict(
        queryset.values("municipality_id")
        .annotate(n=Count("pk"))
        .values_list("municipality_id", "n")
    )


def programme_areas_by_municipality(user: Any) -> LandingCount | None:
    if not user.scope.is_admin:
        return None
    areas = Area.objects.filter(kind=Area.Kind.PROGRAMME)
    return LandingCount(label=_("Programme areas"), counts=_per_municipality(areas), order=10)


def comparison_areas_by_municipality(user: Any) -> LandingCount | None:
    if not user.scope.is_admin:
        return None
    areas = Area.objects.filter(kind=Area.Kind.COMPARISON)
    return LandingCount(label=_("Comparison areas"), counts=_per_municipality(areas), order=11)


def institutions_by_municipality(user: Any) -> LandingCount | None:
    if not user.scope.is_admin:
        return None
    return LandingCount(
        label=_("Institutions"), counts=_per_municipality(Institution.objects.all()), order=20
    )
