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
        from borneliv.accounts.landing import register_context, register_count
        from borneliv.organisations import selectors

        register_context(selectors.landing_for)
        # The administrator's overview of municipalities: areas and institutions in each.
        register_count(selectors.programme_areas_by_municipality)
        register_count(selectors.comparison_areas_by_municipality)
        register_count(selectors.institutions_by_municipality)
