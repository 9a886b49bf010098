from __future__ import annotations

from django.urls import path  # noqa: F401  (used as the features add routes)

app_name = "growth"

# Each feature adds its routes below (views in borneliv/growth/views/<feature>.py).
urlpatterns: list = []
