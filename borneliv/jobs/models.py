"""A piece of background work as its starter sees it: what it is, how far it got, how it ended.

The task queue itself (``django_tasks_db``) only knows a function and its arguments; a ``Job``
adds what the pages show: the progress (``done`` of ``total`` and the stage), the lines written
so far, the result's summary and link, the error, and who started it (only she and
administrators see it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from borneliv.accounts.models import User


class JobQuerySet(models.QuerySet["Job"]):
    def visible_to(self, user: User) -> JobQuerySet:
        """The jobs ``user`` started; every job for an administrator."""
        if not user.is_authenticated:
            return self.none()
        if user.scope.is_admin:
            return self
        return self.filter(Q(started_by=user))

    def newest_first(self) -> JobQuerySet:
        return self.order_by("-created_at", "-pk")


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(max_length=60)
    title = models.CharField(max_length=300)
    params = models.JSONField(default=dict, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="jobs",
    )
    # The starter's language: the worker writes the stages and the summary in it.
    language = models.CharField(max_length=10, default="da")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveBigIntegerField(default=0)
    total = models.PositiveBigIntegerField(default=0)
    stage = models.CharField(max_length=300, blank=True)
    lines = models.JSONField(default=list, blank=True)
    summary = models.JSONField(default=list, blank=True)
    result_url = models.CharField(max_length=300, blank=True)
    error = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "done", "failed"]),
                name="job_status_known",
            ),
        ]
        indexes = [models.Index(fields=["started_by", "-created_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int | None:
        """How far, 0–100; None while the total is unknown."""
        if self.status == self.Status.DONE:
            return 100
        if not self.total:
            return None
        return min(100, int(100 * self.done / self.total))
