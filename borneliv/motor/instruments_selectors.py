"""Reads for the instrument pages and API: the versions a user may see, a version laid out.

Instruments hold no personal data: anyone with a role reads the published and retired versions.
Drafts are work in progress and shown only to those who manage instruments.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from borneliv.motor.instruments import number_text
from borneliv.motor.models import (
    OBSERVATION_DOMAINS,
    Choice,
    Domain,
    Instrument,
    InstrumentVersion,
    Item,
    Level,
)


def versions_visible_to(user: Any) -> QuerySet[InstrumentVersion]:
    versions = InstrumentVersion.objects.select_related("instrument", "published_by")
    if user.has_perm("motor.manage_instrument"):
        return versions
    return versions.exclude(status=InstrumentVersion.Status.DRAFT)


def instruments_for(user: Any) -> list[Instrument]:
    """Every instrument with the versions the user may see, newest first (two queries).

    Each instrument gets ``visible_versions``; each version ``item_count`` and ``session_count``.
    """
    versions = (
        versions_visible_to(user)
        .annotate(
            item_count=Count("items", distinct=True),
            session_count=Count("sessions", distinct=True),
        )
        .order_by("-number")
    )
    return list(
        Instrument.objects.order_by("code").prefetch_related(
            Prefetch("versions", queryset=versions, to_attr="visible_versions")
        )
    )


def version_for(user: Any, code: str, number: int) -> InstrumentVersion | None:
    """One version with its items and answers (three queries), or None if unknown or hidden."""
    return (
        versions_visible_to(user)
        .filter(instrument__code=code, number=number)
        .prefetch_related(
            Prefetch("items", queryset=Item.objects.order_by("position", "code")),
            Prefetch("choices", queryset=Choice.objects.order_by("list_name", "position")),
        )
        .first()
    )


@dataclass
class Answer:
    label: str
    weight: str  # the remark weight, localised without trailing zeros: 1, 0,5, 0


@dataclass
class ItemRow:
    item: Item
    answers: list[Answer]


@dataclass
class DomainGroup:
    domain: str
    label: str
    is_observation: bool
    items: list[ItemRow]


def domain_groups(version: InstrumentVersion) -> list[DomainGroup]:
    """The version's items grouped by domain, in the instrument's order (observations last)."""
    scales: dict[str, list[Answer]] = {}
    for choice in version.choices.all():
        scales.setdefault(choice.list_name, []).append(
            Answer(choice.label, _number(choice.remark_weight))
        )
    groups: dict[str, DomainGroup] = {}
    for item in version.items.all():
        group = groups.get(item.domain)
        if group is None:
            group = groups[item.domain] = DomainGroup(
                domain=item.domain,
                label=str(Domain(item.domain).label)
                if item.domain in Domain.values
                else item.domain,
                is_observation=item.domain in OBSERVATION_DOMAINS,
                items=[],
            )
        group.items.append(ItemRow(item, scales.get(item.list_name, [])))
    # Dicts keep the order of the domains' first items; observations go last, as they close
    # the observation of the group's play.
    return sorted(groups.values(), key=lambda g: g.is_observation)


def _number(value: Decimal) -> str:
    return str(number_format(Decimal(number_text(value))))


def _count(value: Decimal) -> int:
    """The count that picks a plural form: one only for exactly 1 ("1 bemærkning", "1,5
    bemærkninger")."""
    return 1 if value == 1 else 2


def rule_in_words(version: InstrumentVersion) -> list[str]:
    """The summary rule of a version as sentences a pedagogue can read."""
    few, challenges = _number(version.few_signs_from), _number(version.challenges_from)
    few_count, challenges_count = _count(version.few_signs_from), _count(version.challenges_from)
    sentences = [
        _(
            "Every answer on a skill item gives the child a number of remarks, shown next to "
            "the answer below: the harder the item is for the child, the more remarks. Joy of "
            "movement and courage to challenge the body never give remarks. Items not assessed "
            "count neither way."
        ),
        ngettext(
            "The child needs at least %(min)d skill item observed to get a summary; with "
            "none, the summary is “%(insufficient)s”.",
            "The child needs at least %(min)d skill items observed to get a summary; with "
            "fewer, the summary is “%(insufficient)s”.",
            version.min_assessed,
        )
        % {"min": version.min_assessed, "insufficient": Level.INSUFFICIENT.label},
        ngettext(
            "Fewer than %(few)s remark: %(level)s.",
            "Fewer than %(few)s remarks: %(level)s.",
            few_count,
        )
        % {"few": few, "level": Level.AGE_APPROPRIATE.label},
    ]
    if version.challenges_from > version.few_signs_from:
        sentences.append(
            ngettext(
                "From %(few)s and fewer than %(challenges)s remark: %(level)s.",
                "From %(few)s and fewer than %(challenges)s remarks: %(level)s.",
                challenges_count,
            )
            % {"few": few, "challenges": challenges, "level": Level.FEW_SIGNS.label}
        )
    sentences.append(
        ngettext(
            "%(challenges)s remark or more: %(level)s.",
            "%(challenges)s remarks or more: %(level)s.",
            challenges_count,
        )
        % {"challenges": challenges, "level": Level.CHALLENGES.label}
    )
    return sentences
