from __future__ import annotations

from django.urls import path

from borneliv.organisations import views

app_name = "organisations"

urlpatterns = [
    path("programme/", views.programme, name="programme"),
    path("programme/goals/", views.goals, name="goals"),
    path("areas/<int:area_id>/", views.area, name="area"),
    path("institutions/<int:institution_id>/", views.institution, name="institution"),
    path(
        "institutions/<int:institution_id>/edit/", views.institution_edit, name="institution_edit"
    ),
    path("partners/<int:partner_id>/", views.partner, name="partner"),
]
