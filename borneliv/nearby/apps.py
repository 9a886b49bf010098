from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NearbyConfig(AppConfig):
    name = "borneliv.nearby"
    label = "nearby"
    verbose_name = _("Proximity circle")
