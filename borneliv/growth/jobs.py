"""Growth's background work: reclassifying stored measurements (``borneliv.jobs``).

Registered in ``apps.GrowthConfig.ready``. Queued by administrators on the prevalence page when
measurements were classified with another IOTF version, or by ``borneliv growth_recompute
--background``; run by the worker with ``services.measurements_recompute``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from borneliv.growth import engine, services
from borneliv.growth.models import Measurement
from borneliv.jobs.registry import JobKind, Outcome

if TYPE_CHECKING:
    from borneliv.accounts.actors import Actor
    from borneliv.lib.jobs import Progress

RECOMPUTE = "growth.recompute"


def recompute_title(params: Mapping[str, Any]) -> str:
    return _("Reclassifying measurements with IOTF %(version)s") % {"version": params["iotf"]}


def recompute_job(progress: Progress, by: Actor, *, iotf: str, only_stale: bool = True) -> Outcome:
    progress.line(
        _("Reclassifying the measurements with IOTF %(version)s, engine version %(engine)s…")
        % {"version": iotf, "engine": engine.ENGINE_VERSION}
    )
    total = services.measurements_recompute(
        iotf=iotf, only_stale=only_stale, progress=progress.progress
    )
    held = Measurement.objects.held().count()
    return Outcome(
        summary=[
            ngettext(
                "%(count)s measurement was reclassified.",
                "%(count)s measurements were reclassified.",
                total,
            )
            % {"count": total},
            ngettext(
                "%(count)s measurement is held for review.",
                "%(count)s measurements are held for review.",
                held,
            )
            % {"count": held},
        ],
        url=reverse("growth:prevalence"),
    )


KIND = JobKind(
    RECOMPUTE,
    run=recompute_job,
    title=recompute_title,
    permission="growth.recompute_measurements",
)
