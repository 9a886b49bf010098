"""What growth adds to the administrator's overview (``accounts.landing``).

Recent school-start imports and the measurements held for review; the page is the
administrator's, so both answer only for administrators.
"""

from __future__ import annotations

from typing import Any

import rules
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from borneliv.accounts.landing import RECENT_IMPORTS, Attention, ImportRecord, person_name
from borneliv.growth.models import ImportBatch, Measurement


def school_start_imports(user: Any) -> list[ImportRecord]:
    if not user.scope.is_admin:
        return []
    batches = ImportBatch.objects.select_related("imported_by").order_by("-imported_at", "-pk")
    url = reverse("growth:import_history")
    return [
        ImportRecord(
            when=batch.imported_at,
            kind=_("School-start exams"),
            name=batch.file_name,
            by=person_name(batch.imported_by),
            summary=ngettext(
                "%(rows)s row: %(new)s new, %(updated)s updated, %(held)s held for review",
                "%(rows)s rows: %(new)s new, %(updated)s updated, %(held)s held for review",
                batch.rows,
            )
            % {
                key: number_format(value, force_grouping=True)
                for key, value in (
                    ("rows", batch.rows),
                    ("new", batch.created),
                    ("updated", batch.updated),
                    ("held", batch.held),
                )
            },
            url=url,
        )
        for batch in batches[:RECENT_IMPORTS]
    ]


def held_measurements(user: Any) -> list[Attention]:
    """Measurements waiting for a review (the review queue), for an administrator."""
    if not user.scope.is_admin or not rules.has_perm("growth.review_measurement", user):
        return []
    count = Measurement.objects.visible_to(user).held().count()
    return [
        Attention(
            label=_("Measurements held for review"),
            count=count,
            url=reverse("growth:review"),
        )
    ]
