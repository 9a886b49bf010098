"""Running queued work inside a test, with the worker's own loop (no separate process)."""

from __future__ import annotations

from unittest import mock

from django_tasks_db.management.commands import db_worker


def run_queued_jobs() -> None:
    """Run the database worker's loop in this process until no task is waiting.

    The same ``Worker`` as ``borneliv db_worker --batch``. Its connection check between tasks is
    skipped: inside a test's transaction it would close the test's connection.
    """
    worker = db_worker.Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="tests",
        excluded_queue_names=[],
    )
    with mock.patch.object(db_worker, "close_old_connections", lambda: None):
        worker.run()
