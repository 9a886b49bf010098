"""The one task the queue knows: run a recorded job (``execute.job_execute``)."""

from __future__ import annotations

from django_tasks import task

from borneliv.jobs import execute


@task()
def run_job(job_id: int) -> str:
    return execute.job_execute(job_id)
