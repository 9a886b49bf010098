"""The one task the queue knows: run a recorded job (``services.job_execute``)."""

from __future__ import annotations

from django_tasks import task

from borneliv.jobs import services


@task()
def run_job(job_id: int) -> str:
    return services.job_execute(job_id)
