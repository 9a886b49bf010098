from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    name = "borneliv.organisations"
    label = "organisations"
    verbose_name = _("Organisations")

    def ready(self) -> None:
        # The landing page (accounts) shows the user's institutions, areas and neighbours;
        # accounts cannot import organisations, so organisations registers them there.
        from borneliv.accounts.landing import register_context
        from borneliv.organisations.selectors import landing_for

        register_context(landing_for)
