from __future__ import annotations

from django.urls import path

from borneliv.jobs import views

app_name = "jobs"

urlpatterns = [
    path("<int:pk>/", views.job, name="job"),
    path("<int:pk>/status.json", views.job_status, name="status"),
]
