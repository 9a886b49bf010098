from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NearbyConfig(AppConfig):
    name = "borneliv.nearby"
    label = "nearby"
    verbose_name = _("Proximity circle")

    def ready(self) -> None:
        # The administrator's overview lists recent map-data imports (accounts cannot import
        # nearby, so nearby registers them there).
        from borneliv.accounts.landing import register_imports
        from borneliv.nearby.landing import extract_imports

        register_imports(extract_imports)

        # Importing an extract runs in the background (borneliv.jobs).
        from borneliv.jobs.registry import register
        from borneliv.nearby.jobs import KIND

        register(KIND)
