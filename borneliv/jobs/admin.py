"""The task queue's own admin (django-tasks-db) is not offered: it ships no Danish, and a job's
page (``/jobs/<id>/``) shows what an administrator needs — progress, outcome, error."""

from __future__ import annotations

from django.contrib import admin
from django_tasks_db.models import DBTaskResult

if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)
