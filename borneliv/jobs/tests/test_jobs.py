"""Background jobs: queued with the real backend, run by the worker's own loop, shown only to
the starter and administrators, with progress, outcome and errors."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django_tasks_db.models import DBTaskResult

from borneliv.accounts.actors import SYSTEM
from borneliv.accounts.models import User
from borneliv.cli import WORKER_COMMAND, stop_worker
from borneliv.jobs import registry
from borneliv.jobs.models import Job
from borneliv.jobs.registry import JobKind, Outcome
from borneliv.jobs.services import enqueue
from borneliv.jobs.testing import run_queued_jobs
from borneliv.lib.jobs import Progress
from borneliv.testing import World

ClientFor = Callable[[str | User], Client]


def _count(progress: Progress, by: User | None, *, to: int, fail: str = "") -> Outcome:
    progress.line(f"Counting to {to}")
    for n in range(1, to + 1):
        progress.progress(n, to)
    if fail == "user":
        raise ValidationError("The file is not a map.")
    if fail == "bug":
        raise ZeroDivisionError("division by zero")
    return Outcome(summary=[f"Counted to {to}."], url="/nearby/")


@pytest.fixture(autouse=True)
def counting() -> Iterator[None]:
    registry.register(
        JobKind(
            "tests.count",
            run=_count,
            title=lambda params: f"Counting to {params['to']}",
            permission="accounts.view_user",  # administrators only
        )
    )
    yield


def test_a_queued_job_waits_for_the_worker_and_the_worker_runs_it(world: World) -> None:
    job = enqueue("tests.count", by=world.ada, to=4)
    assert job.status == Job.Status.QUEUED and job.title == "Counting to 4"
    task = DBTaskResult.objects.get(id=job.task_id)
    assert task.status == "READY"

    run_queued_jobs()

    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.percent) == ("done", 4, 4, 100)
    assert job.lines == ["Counting to 4"]
    assert job.summary == ["Counted to 4."] and job.result_url == "/nearby/"
    assert job.started_by == world.ada and job.started_at and job.finished_at
    assert DBTaskResult.objects.get(id=job.task_id).status == "SUCCESSFUL"


def test_a_refused_input_is_the_jobs_error_and_the_task_itself_succeeds(world: World) -> None:
    job = enqueue("tests.count", by=world.ada, to=2, fail="user")
    run_queued_jobs()
    job.refresh_from_db()
    assert (job.status, job.error) == ("failed", "The file is not a map.")
    assert job.summary == []


def test_an_unexpected_error_is_named_and_the_task_is_marked_failed(world: World) -> None:
    job = enqueue("tests.count", by=world.ada, to=2, fail="bug")
    run_queued_jobs()
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.error == (
        "Arbejdet stoppede med en uventet fejl (ZeroDivisionError); serverens log har detaljerne."
    )
    assert DBTaskResult.objects.get(id=job.task_id).status == "FAILED"


def test_a_job_is_run_once_even_if_its_task_comes_twice(world: World) -> None:
    from borneliv.jobs.execute import job_execute

    job = enqueue("tests.count", by=world.ada, to=1)
    run_queued_jobs()
    assert job_execute(job.pk) == "done"
    job.refresh_from_db()
    assert job.lines == ["Counting to 1"]


def test_only_someone_with_the_kinds_permission_may_queue_it(world: World) -> None:
    with pytest.raises(PermissionDenied):
        enqueue("tests.count", by=world.pia, to=1)
    assert Job.objects.count() == 0


def test_an_unknown_kind_is_refused(world: World) -> None:
    with pytest.raises(LookupError):
        enqueue("tests.nothing", by=world.ada)


def test_the_page_and_its_status_show_the_job_to_its_starter_and_administrators_only(
    world: World, client_for: ClientFor
) -> None:
    job = enqueue("tests.count", by=SYSTEM, to=3)
    Job.objects.filter(pk=job.pk).update(started_by=world.lars)
    page = client_for("lars").get(f"/jobs/{job.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "data-job-bar" in html and "job-progress.js" in html
    state = client_for("lars").get(f"/jobs/{job.pk}/status.json").json()
    assert state["status"] == "queued" and state["finished"] is False
    assert state["percent"] is None
    assert client_for("ada").get(f"/jobs/{job.pk}/status.json").status_code == 200
    for persona in ("pia", "hanne", "otto"):
        assert client_for(persona).get(f"/jobs/{job.pk}/").status_code == 404, persona
        assert client_for(persona).get(f"/jobs/{job.pk}/status.json").status_code == 404
    assert Client().get(f"/jobs/{job.pk}/status.json").status_code == 302


def test_the_finished_page_shows_the_summary_and_the_link_and_no_bar(
    world: World, client_for: ClientFor
) -> None:
    job = enqueue("tests.count", by=world.ada, to=3)
    run_queued_jobs()
    html = client_for("ada").get(f"/jobs/{job.pk}/").content.decode()
    assert "data-job-done" in html and "Counted to 3." in html
    assert 'href="/nearby/" data-job-result' in html
    assert "data-job-bar" not in html and "job-progress.js" not in html
    state = client_for("ada").get(f"/jobs/{job.pk}/status.json").json()
    assert (state["status"], state["percent"], state["finished"]) == ("done", 100, True)


def test_the_failed_page_shows_the_error(world: World, client_for: ClientFor) -> None:
    job = enqueue("tests.count", by=world.ada, to=1, fail="user")
    run_queued_jobs()
    html = client_for("ada").get(f"/jobs/{job.pk}/").content.decode()
    assert "data-job-failed" in html and "The file is not a map." in html


def test_the_job_writes_in_its_starters_language(world: World) -> None:
    from django.utils import translation

    with translation.override("en"):
        job = enqueue("tests.count", by=world.ada, to=1)
    assert job.language == "en"


def test_serve_runs_the_database_worker_and_stops_it_with_the_server() -> None:
    assert WORKER_COMMAND[0] == "db_worker"
    sleeper: Any = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    assert stop_worker(sleeper, timeout=10) != 0
    assert sleeper.poll() is not None
