"""``growth_recompute`` and ``borneliv growth recompute``: reclassify stored measurements."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from borneliv import cli as borneliv_cli
from borneliv.children import services as child_services
from borneliv.children.testing import synthetic_cpr
from borneliv.growth import engine, services
from borneliv.growth.models import Context, Measurement, ReviewStatus
from borneliv.testing import World


@pytest.fixture
def measurements(world: World) -> list[Measurement]:
    """Five measurements of two children, classified with IOTF 2012; one held."""
    girl = child_services.child_register(
        cpr=synthetic_cpr(dt.date(2019, 3, 10), 0, sex="F"),
        first_name="Ida",
        last_name="Testesen",
        area=world.lindholm,
    )
    boy = child_services.child_register(
        cpr=synthetic_cpr(dt.date(2022, 5, 1), 1, sex="M"),
        first_name="Otto",
        last_name="Testesen",
        area=world.herstedlund,
    )
    rows = [
        (girl, dt.date(2025, 3, 10), "21.0", "116.0", Context.SCHOOL_START),
        (girl, dt.date(2025, 9, 1), "27.5", "119.0", Context.OTHER),
        (girl, dt.date(2024, 3, 10), "19.0", "110.0", Context.OTHER),
        (boy, dt.date(2024, 5, 3), "12.6", "87.5", Context.HEALTH_VISIT),
        (boy, dt.date(2024, 5, 1), "45.0", "87.0", Context.OTHER),  # held: 45 kg at 2 y
    ]
    return [
        services.measurement_record(
            child=child,
            measured_on=on,
            context=context,
            weight_kg=Decimal(weight),
            height_cm=Decimal(height),
        )
        for child, on, weight, height, context in rows
    ]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def run(*args: str, stdout: io.StringIO | None = None) -> str:
    out = stdout or io.StringIO()
    call_command("growth_recompute", *args, stdout=out)
    return out.getvalue()


def test_it_recomputes_with_the_other_iotf_version_and_shows_progress(
    measurements: list[Measurement],
) -> None:
    output = run("--iotf", "2000", "--batch-size", "2")
    lines = output.splitlines()
    assert "2 / 5 measurements" in lines
    assert "4 / 5 measurements" in lines
    assert "5 / 5 measurements" in lines
    assert "Reclassified 5 measurements with IOTF 2000, engine version" in output
    assert "1 held for review" in output
    assert "The setting BORNELIV_GROWTH_IOTF is 2012" in output  # the warning about a mix
    assert set(Measurement.objects.values_list("iotf_version", flat=True)) == {"2000"}
    categories = set(Measurement.objects.values_list("iotf_category", flat=True))
    assert categories <= {"", "not_overweight", "overweight", "obesity"}
    assert Measurement.objects.get(pk=measurements[1].pk).reference == (
        "WHO 2007; IOTF 2000 (overweight/obesity only)"
    )


def test_it_does_nothing_when_every_row_is_current(measurements: list[Measurement]) -> None:
    output = run()
    assert "Nothing to recompute: every measurement is classified with IOTF 2012" in output
    assert "BORNELIV_GROWTH_IOTF" not in output


def test_all_recomputes_every_row(measurements: list[Measurement]) -> None:
    output = run("--all")
    assert "5 / 5 measurements" in output
    assert "Reclassified 5 measurements with IOTF 2012" in output


def test_it_recomputes_only_the_stale_rows(measurements: list[Measurement]) -> None:
    Measurement.objects.filter(pk=measurements[0].pk).update(engine_version="0")
    output = run()
    assert "1 / 1 measurements" in output
    assert "Reclassified 1 measurement with IOTF 2012" in output
    assert Measurement.objects.get(pk=measurements[0].pk).engine_version == engine.ENGINE_VERSION


def test_it_follows_the_setting(measurements: list[Measurement], settings: Any) -> None:
    settings.GROWTH_IOTF = "2000"
    output = run()
    assert "Reclassified 5 measurements with IOTF 2000" in output
    assert "BORNELIV_GROWTH_IOTF" not in output


def test_it_draws_a_progress_bar_on_a_terminal(measurements: list[Measurement]) -> None:
    output = run("--iotf", "2000", "--batch-size", "3", stdout=Terminal())
    assert "\r[" + "#" * 18 + "-" * 12 + "] 3 / 5 measurements" in output
    assert "\r[" + "#" * 30 + "] 5 / 5 measurements\n" in output


def test_it_keeps_review_decisions(measurements: list[Measurement], world: World) -> None:
    held = measurements[4]
    services.measurement_review(measurement=held, user=world.hanne, decision=ReviewStatus.CONFIRMED)
    run("--iotf", "2000", "--all")
    held.refresh_from_db()
    assert held.review_status == ReviewStatus.CONFIRMED
    assert held.iotf_version == "2000"


def test_it_refuses_bad_arguments() -> None:
    with pytest.raises(CommandError):
        call_command("growth_recompute", "--iotf", "2007", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("growth_recompute", "--batch-size", "0", stdout=io.StringIO())


def test_borneliv_growth_recompute_runs_the_command(
    measurements: list[Measurement],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(borneliv_cli, "setup_django", lambda: None)  # already set up
    assert borneliv_cli.main(["growth", "recompute", "--iotf", "2000", "--all"]) == 0
    output = capsys.readouterr().out
    assert "5 / 5 measurements" in output
    assert "Reclassified 5 measurements with IOTF 2000" in output


def test_the_parser_offers_recompute() -> None:
    parser = borneliv_cli.build_parser(borneliv_cli.subcommands())
    args = parser.parse_args(["growth", "recompute", "--iotf", "2000"])
    assert (args.iotf, args.all) == ("2000", False)
    with pytest.raises(SystemExit):
        parser.parse_args(["growth", "recompute", "--iotf", "1999"])


def test_the_recompute_runs_as_a_background_job_with_its_progress(
    measurements: list[Measurement],
) -> None:
    """``growth_recompute --background`` queues the work; the worker reclassifies and reports."""
    import io

    from django.core.management import call_command

    from borneliv.jobs.models import Job
    from borneliv.jobs.testing import run_queued_jobs

    out = io.StringIO()
    call_command("growth_recompute", "--all", "--background", stdout=out)
    job = Job.objects.get()
    assert f"/jobs/{job.pk}/" in out.getvalue()
    assert (job.kind, job.params) == ("growth.recompute", {"iotf": "2012", "only_stale": False})
    run_queued_jobs()
    job.refresh_from_db()
    assert job.status == "done", job.error
    assert job.result_url == "/growth/prevalence/"
    assert (job.done, job.total) == (5, 5)
    assert job.summary == [
        "5 measurements were reclassified.",
        "1 measurement is held for review.",
    ]
