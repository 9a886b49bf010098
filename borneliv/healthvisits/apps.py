from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HealthVisitsConfig(AppConfig):
    name = "borneliv.healthvisits"
    label = "healthvisits"
    verbose_name = _("Health visiting")

    def ready(self) -> None:
        # The data check (borneliv datacheck, the data-check page) and the landing page's
        # "needs attention" list: accounts and lib cannot import healthvisits.
        from borneliv.accounts.landing import register_attention
        from borneliv.healthvisits import checks
        from borneliv.lib import datachecks

        datachecks.register(
            checks.PROGRAMME_CONTACT_OUTSIDE, checks.DESCRIPTION, checks.programme_contact_findings
        )
        register_attention(checks.programme_contacts_attention)
