from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HealthVisitsConfig(AppConfig):
    name = "borneliv.healthvisits"
    label = "healthvisits"
    verbose_name = _("Health visiting")
