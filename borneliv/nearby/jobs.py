"""The Nærhedscirkel's background work: importing an extract (``borneliv.jobs``).

Registered in ``apps.NearbyConfig.ready``. The page (``views.extract_import``) checks the file and
queues ``nearby.extract_import``; the worker runs ``extract_import_job``, which imports with
``services.extract_import`` and removes a kept upload afterwards, whatever happened.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from borneliv.jobs.registry import JobKind, Outcome
from borneliv.nearby import services, storage
from borneliv.organisations.models import Municipality

if TYPE_CHECKING:
    from borneliv.accounts.actors import Actor
    from borneliv.lib.jobs import Progress

EXTRACT_IMPORT = "nearby.extract_import"


def import_title(params: Mapping[str, Any]) -> str:
    return _("Importing %(file)s for %(municipality)s") % {
        "file": params["file_name"],
        "municipality": params["municipality_name"],
    }


def extract_import_job(
    progress: Progress,
    by: Actor,
    *,
    municipality: int,
    municipality_name: str,
    path: str,
    file_name: str,
    uploaded: bool,
) -> Outcome:
    try:
        result = services.extract_import(
            by=by,
            municipality=Municipality.objects.get(pk=municipality),
            path=Path(path),
            file_name=file_name,
            progress=progress,
        )
    finally:
        if uploaded:
            storage.upload_remove(Path(path))
    extract = result.extract
    summary = [
        _(
            "%(ways)s paths and streets and %(features)s possible places kept; %(skipped)s "
            "problems in the file skipped."
        )
        % {"ways": extract.ways, "features": extract.features, "skipped": extract.skipped_total}
    ]
    if extract.skipped:
        summary.append(", ".join(f"{kind}: {count}" for kind, count in extract.skipped.items()))
    if result.recomputed:
        count = len(result.recomputed)
        summary.append(
            ngettext("One circle was updated.", "%(counter)s circles were updated.", count)
            % {"counter": count}
        )
    summary.extend(f"{institution.name}: {message}" for institution, message in result.failed)
    return Outcome(summary=summary, url=reverse("nearby:index"))


KIND = JobKind(
    EXTRACT_IMPORT, run=extract_import_job, title=import_title, permission="nearby.import_extract"
)
