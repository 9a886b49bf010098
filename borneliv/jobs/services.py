"""Queueing background work and recording how it goes.

``enqueue(kind, *, by, **params)`` records a ``Job`` and queues the task that runs it
(``tasks.run_job``) in the same transaction, so the worker never sees a task whose job is not
there. The worker (``borneliv db_worker``) runs it through ``execute.job_execute``.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import translation

from borneliv.accounts.actors import Actor, acting_user, require
from borneliv.jobs import registry
from borneliv.jobs.models import Job
from borneliv.jobs.tasks import run_job

logger = logging.getLogger(__name__)

#: The log kept on a job: its last lines (an import writes a few dozen).
MAX_LINES = 200


def enqueue(kind: str, *, by: Actor, **params: Any) -> Job:
    """Queue work of a registered ``kind`` with JSON-serialisable ``params``; returns its job.

    ``by`` (``SYSTEM`` for a command) must hold the kind's permission. The title is made now, in the
    current language.
    """
    job_kind = registry.get(kind)
    if job_kind.permission:
        require(by, job_kind.permission)
    with transaction.atomic():
        job = Job(
            kind=kind,
            title=job_kind.title(params)[:300],
            params=params,
            started_by=acting_user(by),
            language=translation.get_language() or "da",
        )
        job.full_clean()
        job.save()
        result = run_job.enqueue(job.pk)
        job.task_id = str(result.id)[:64]
        job.save(update_fields=["task_id"])
    return job
