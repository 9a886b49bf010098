from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GrowthConfig(AppConfig):
    name = "borneliv.growth"
    label = "growth"
    verbose_name = _("Growth")

    def ready(self) -> None:
        # The administrator's overview (accounts cannot import growth): recent school-start
        # imports, and the measurements held for review.
        from borneliv.accounts.landing import register_attention, register_imports
        from borneliv.growth.landing import held_measurements, school_start_imports

        register_imports(school_start_imports)
        register_attention(held_measurements)

        # Reclassifying the stored measurements runs in the background (borneliv.jobs).
        from borneliv.growth.jobs import KIND
        from borneliv.jobs.registry import register

        register(KIND)
