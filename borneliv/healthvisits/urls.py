"""URLs of health visiting, under /healthvisits/."""

from __future__ import annotations

from django.urls import path

from borneliv.healthvisits import views

app_name = "healthvisits"

urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("coverage/", views.coverage, name="coverage"),
    path("coverage/<slug:indicator>.svg", views.coverage_chart, name="coverage_chart"),
    path("children/<uuid:public_id>/", views.child, name="child"),
    path("children/<uuid:public_id>/contacts/new/", views.contact_add, name="contact_add"),
    path("children/<uuid:public_id>/skip/", views.skip, name="skip"),
    path("contacts/<uuid:public_id>/edit/", views.contact_edit, name="contact_edit"),
]
