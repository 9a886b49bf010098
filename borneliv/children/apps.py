from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChildrenConfig(AppConfig):
    name = "borneliv.children"
    label = "children"
    verbose_name = _("Children")

    def ready(self) -> None:
        # An administrator's front page says when registrations wait for her (accounts cannot
        # import children, so children registers its panel there).
        from borneliv.accounts.landing import register_panel
        from borneliv.children.referrals_views import landing_panel

        register_panel(landing_panel)
        # The administrator's overview of municipalities: the children living in each.
        from borneliv.accounts.landing import register_count
        from borneliv.children.selectors import children_by_municipality

        register_count(children_by_municipality)
