"""What the Nærhedscirkel adds to the administrator's overview: recent map-data imports."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from borneliv.accounts.landing import RECENT_IMPORTS, ImportRecord, person_name
from borneliv.nearby.models import Extract


def extract_imports(user: Any) -> list[ImportRecord]:
    if not user.scope.is_admin:
        return []
    extracts = (
        Extract.objects.visible_to(user)
        .select_related("municipality", "imported_by")
        .order_by("-imported_at", "-pk")
    )
    url = reverse("nearby:import")
    return [
        ImportRecord(
            when=extract.imported_at,
            kind=_("Map data for %(municipality)s") % {"municipality": extract.municipality},
            name=extract.file_name,
            by=person_name(extract.imported_by),
            summary=_("%(ways)s paths and streets, %(places)s possible places")
            % {
                "ways": number_format(extract.ways, force_grouping=True),
                "places": number_format(extract.features, force_grouping=True),
            },
            url=url,
        )
        for extract in extracts[:RECENT_IMPORTS]
    ]
