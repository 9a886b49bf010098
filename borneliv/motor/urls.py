"""Pages of the motor assessment (``/motor/``)."""

from __future__ import annotations

from django.urls import path  # noqa: F401

app_name = "motor"

urlpatterns: list = []
