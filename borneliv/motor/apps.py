from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MotorConfig(AppConfig):
    name = "borneliv.motor"
    label = "motor"
    verbose_name = _("Motor assessment")

    def ready(self) -> None:
        # The daycare's landing page lists the dialogues' follow-ups when due (accounts cannot
        # import motor, so motor registers its panel there).
        from borneliv.accounts.landing import register_panel
        from borneliv.motor.profile import landing_panel

        register_panel(landing_panel)
