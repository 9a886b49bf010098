"""Running a recorded job: what the worker does (``tasks.run_job`` calls ``job_execute``).

``job_execute`` marks the job running, runs the kind's function in the starter's language with a
``JobProgress`` and records the outcome or the error. Progress is written as it comes (outside the
work's own transactions), so the page polling ``/jobs/<id>/status.json`` shows it.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from borneliv.accounts.actors import SYSTEM
from borneliv.jobs import registry
from borneliv.jobs.models import Job

logger = logging.getLogger(__name__)

#: The log kept on a job: its last lines (an import writes a few dozen).
MAX_LINES = 200


class JobProgress:
    """A job's ``lib.jobs.Progress``: lines and numbers go to its row as they come.

    ``progress`` writes only when the whole percentage changes, so a stage reporting every
    megabyte read costs a hundred small updates at most.
    """

    def __init__(self, job: Job) -> None:
        self.job = job
        self._percent: int | None = None

    def line(self, text: str) -> None:
        job = self.job
        job.lines = [*job.lines, text][-MAX_LINES:]
        job.stage, job.done, job.total = text[:300], 0, 0
        self._percent = None
        Job.objects.filter(pk=job.pk).update(lines=job.lines, stage=job.stage, done=0, total=0)

    def progress(self, done: int, total: int) -> None:
        percent = int(100 * done / total) if total else 0
        if percent == self._percent and done != total:
            return
        self._percent = percent
        self.job.done, self.job.total = max(0, done), max(0, total)
        Job.objects.filter(pk=self.job.pk).update(done=self.job.done, total=self.job.total)


def job_execute(job_id: int) -> str:
    """Run a queued job (the worker's side); returns its final status.

    A job already started is left alone (a task delivered twice does the work once). An
    unexpected error is recorded on the job and raised again, so that the task fails too.
    """
    job = Job.objects.select_related("started_by").get(pk=job_id)
    if job.status != Job.Status.QUEUED:
        return job.status
    job.status, job.started_at = Job.Status.RUNNING, timezone.now()
    Job.objects.filter(pk=job.pk).update(status=job.status, started_at=job.started_at)
    fields: dict[str, Any]
    unexpected: Exception | None = None
    with translation.override(job.language):
        try:
            outcome = registry.get(job.kind).call(
                JobProgress(job), job.started_by or SYSTEM, job.params
            )
        except ValidationError as exc:
            fields = {"status": Job.Status.FAILED, "error": " ".join(exc.messages)}
        except Exception as exc:
            logger.exception("background job %s (%s) failed", job.pk, job.kind)
            unexpected = exc
            fields = {
                "status": Job.Status.FAILED,
                "error": _(
                    "The work stopped with an unexpected error (%(error)s); the server's log has "
                    "the details."
                )
                % {"error": type(exc).__name__},
            }
        else:
            fields = {
                "status": Job.Status.DONE,
                "summary": outcome.summary,
                "result_url": outcome.url[:300],
            }
    fields["finished_at"] = timezone.now()
    Job.objects.filter(pk=job.pk).update(**fields)
    if unexpected is not None:
        raise unexpected  # the task fails too, for whoever watches the queue
    return str(fields["status"])
