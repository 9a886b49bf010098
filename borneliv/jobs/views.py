"""A background job's page and the small JSON its progress bar polls.

Only the starter and administrators see a job (``Job.objects.visible_to``); anyone else gets 404.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from borneliv.jobs.models import Job

if TYPE_CHECKING:
    from borneliv.accounts.models import User


def _get_job(user: User, pk: int) -> Job:
    job: Job = get_object_or_404(Job.objects.visible_to(user), pk=pk)
    return job


def job_state(job: Job) -> dict[str, Any]:
    """What the page shows, as plain data (the JSON and the template read the same)."""
    return {
        "id": job.pk,
        "status": job.status,
        "status_label": job.get_status_display(),
        "finished": job.finished,
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "stage": job.stage,
        "lines": job.lines,
        "summary": job.summary,
        "error": job.error,
        "result_url": job.result_url,
    }


@login_required
@require_GET
def job(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    obj = _get_job(user, pk)
    return render(request, "jobs/job.html", {"job": obj, "state": job_state(obj)})


@login_required
@require_GET
def job_status(request: HttpRequest, pk: int) -> JsonResponse:
    user: Any = request.user
    response = JsonResponse(job_state(_get_job(user, pk)))
    response["Cache-Control"] = "no-store"
    return response
