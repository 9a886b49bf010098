from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MotorConfig(AppConfig):
    name = "borneliv.motor"
    label = "motor"
    verbose_name = _("Motor assessment")
