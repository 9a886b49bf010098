"""URL map: pages per app, the admin, the API and the language switch."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from borneliv.api import api

admin.site.site_header = "Børneliv"
admin.site.site_title = "Børneliv"

urlpatterns = [
    path("", include("borneliv.accounts.urls")),
    path("", include("borneliv.organisations.urls")),
    path("children/", include("borneliv.children.urls")),
    path("healthvisits/", include("borneliv.healthvisits.urls")),
    path("growth/", include("borneliv.growth.urls")),
    path("motor/", include("borneliv.motor.urls")),
    path("nearby/", include("borneliv.nearby.urls")),
    path("jobs/", include("borneliv.jobs.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
