"""End to end for growth: import 100,000 school-start rows, recompute them, prevalence by area × year.

On a fresh database — by default a new SQLite file in a temporary directory (removed afterwards;
``--keep`` keeps it), or with ``--database-url`` a PostgreSQL database whose name ends in
``_bench``, dropped and created again on every run — it loads the demo programme (three
municipalities, ten programme and four comparison areas, their schools; no demo children), then
registers ``--rows`` synthetic children (default 100,000; synthetic CPR numbers, encrypted and
pseudonymised like real ones) born over five years, each living in a programme or comparison area,
and writes a school-start file with one row per child: the exam on a school day of the school
year it starts school (the last five complete school years), height and weight drawn from the WHO
references (``engine.lms_value``; a few per thousand implausible, held for review), the school's
INSTNR and the nine motor items — Danish headers, ``;``, decimal commas, dd.mm.yyyy, as an
export from a municipal system.

Then it times, median of the runs, and prints rows per second for:

(a) the import through the real pipeline, ``imports.school_start_import`` as the administrator:
    the dry run (``--import-runs``, default 1), the commit (which checks the file again inside
    its transaction and writes all of it), and an idempotent re-import of the same file (every
    row unchanged);
(b) ``services.measurements_recompute`` over every measurement (``--runs``, default 3), and the
    classification alone: ``engine.compute`` on the columns and ``services.classify_in_place`` on
    the measurements, beside a per-row peer — pedgrowth's per-measurement path
    (``zscore_for_measurement``, BMI-for-age z only, one call per row) on ``--sample`` rows,
    scaled — with the ratio;
(c) the prevalence aggregation by area × school year × sex with Wilson intervals and suppression,
    ``prevalence_selectors.prevalence_for`` (overweight incl. obesity, and motor difficulties).

It asserts nothing about time: the figures are for the closing note.

Run: ``.venv/bin/python benchmarks/bench_growth_import.py [--rows N] [--runs R]
[--database-url postgres://…/borneliv_growth_bench]`` (``make bench`` runs it with the defaults).
"""

# SQL in this file is built from model metadata only, never from input.
# ruff: noqa: S608

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
from common import timed

SEED = 20_261_126
ROWS = 100_000
COHORTS = 5  # school years, and birth years
PASSWORD = "gynge-kastanje-fjord-2024"  # noqa: S105 - demo users made here; never logs in
IMPLAUSIBLE_SHARE = 0.002
HEADER = [
    "cpr", "dato", "hoejde", "vaegt", "instnr", "gang", "hop", "balance", "gadedrengeloeb",
    "eet_ben", "kast", "grib", "blyantsgreb", "haandpraeference",
]  # fmt: skip


def say(message: str) -> None:
    print(message, flush=True)


# --- the database --------------------------------------------------------------------------------


def prepare_database(url: str | None) -> tuple[str, Path | None]:
    """A fresh database: a temporary SQLite file, or the PostgreSQL ``*_bench`` one recreated."""
    if url is None:
        directory = Path(tempfile.mkdtemp(prefix="growth-bench-"))
        return f"sqlite:///{directory / 'growth_bench.sqlite3'}", directory
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("--database-url must be a PostgreSQL URL (the default is SQLite).")
    from bench_worklist import ensure_database

    ensure_database(url, rebuild=True)
    return url, None


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "borneliv.settings")
    from borneliv import cli

    cli.init_local()
    cli.setup_django()
    from django.conf import settings
    from django.core.management import call_command

    # Demo users are made with the fast hasher: their passwords are never used here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", interactive=False, verbosity=0)


def _insert(model: Any, columns: dict[str, list[Any]]) -> None:
    """One ``executemany`` INSERT; every concrete column of the model must be given."""
    from django.db import connection

    expected = {f.column for f in model._meta.concrete_fields}
    if set(columns) != expected:
        raise SystemExit(
            f"{model._meta.db_table}: the model's columns changed; given {sorted(columns)}, the "
            f"model has {sorted(expected)}. Update bench_growth_import.py."
        )
    quote = connection.ops.quote_name
    names = list(columns)
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(n) for n in names)}) "
        f"VALUES ({', '.join(['%s'] * len(names))})"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, list(zip(*(columns[n] for n in names), strict=True)))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                f"(SELECT max(id) FROM {quote(model._meta.db_table)}))",
                [model._meta.db_table],
            )


# --- the children and the file -------------------------------------------------------------------


class Cohort:
    """The synthetic children, their areas and their school-start rows, as numpy columns."""

    def __init__(self, rows: int, today: dt.date, rng: np.random.Generator) -> None:
        from borneliv.organisations.models import Area, Institution, InstitutionArea

        areas = list(Area.objects.order_by("pk").values_list("pk", "kind"))
        self.area_ids = np.array([pk for pk, _kind in areas])
        # Programme areas hold about three quarters of the children, as in the demo.
        weights = np.array([3.0 if kind == Area.Kind.PROGRAMME else 2.5 for _pk, kind in areas])
        self.area = self.area_ids[rng.choice(len(areas), rows, p=weights / weights.sum())]
        schools = dict(
            InstitutionArea.objects.filter(
                institution__kind=Institution.Kind.SCHOOL, valid_to__isnull=True
            )
            .exclude(institution__official_number="")
            .values_list("area_id", "institution__official_number")
        )
        self.school = [schools.get(int(a), "") for a in self.area]

        # The last COHORTS complete school years; a child starts school in August of the year
        # it turns six and is examined on a school day of that school year.
        last = today.year - 1 if today.month >= 8 else today.year - 2
        first = last - COHORTS + 1
        start_year = rng.integers(first, last + 1, rows)
        new_year = np.array([np.datetime64(f"{y}-01-01") for y in range(first - 6, last - 4)])
        birth_year = start_year - 6
        length = np.where(birth_year % 4 == 0, 366, 365)
        self.birth = new_year[birth_year - (first - 6)] + rng.integers(0, length).astype(
            "timedelta64[D]"
        )
        self.female = rng.random(rows) < 0.487
        august = np.array([np.datetime64(f"{y}-08-12") for y in range(first, last + 1)])
        exam = august[start_year - first] + rng.integers(0, 300, rows).astype("timedelta64[D]")
        weekday = (exam.view("int64") + 3) % 7  # 1970-01-01 was a Thursday; 0 = Monday
        exam = exam - np.where(weekday >= 5, weekday - 4, 0).astype("timedelta64[D]")
        self.exam = exam
        self.age = (exam - self.birth).astype(np.float64)

        # CPR serials: girls even, boys odd, numbered within each birth date and sex.
        days = self.birth.view("int64")
        order = np.lexsort((np.arange(rows), self.female, days))
        key = (days * 2 + self.female)[order]
        new = np.r_[True, key[1:] != key[:-1]]
        begin = np.maximum.accumulate(np.where(new, np.arange(rows), 0))
        rank = np.empty(rows, dtype=np.int64)
        rank[order] = np.arange(rows) - begin
        serial = 9000 + 2 * rank + np.where(self.female, 0, 1)
        if int(serial.max()) > 9999:
            raise SystemExit("Too many children per birth date for the synthetic CPR range.")
        text = np.datetime_as_string(self.birth).tolist()
        self.cpr = [
            f"{d[8:10]}{d[5:7]}{d[2:4]}-{s}" for d, s in zip(text, serial.tolist(), strict=True)
        ]

        # Height and BMI from the WHO references; weight = BMI × height².
        from borneliv.demo.growth import REMARKS_NATIONAL, who_lms
        from borneliv.growth import engine

        sex = np.where(self.female, 2, 1).astype(np.int8)
        height_z = np.clip(0.4 + rng.standard_normal(rows), -3.5, 3.5)
        bmi_z = np.clip(0.15 + rng.standard_normal(rows), -3.5, 3.5)
        height = engine.lms_value(height_z, *who_lms("lhfa", sex, self.age))
        bmi = engine.lms_value(bmi_z, *who_lms("bfa", sex, self.age))
        weight = bmi * (height / 100) ** 2
        bad = rng.random(rows) < IMPLAUSIBLE_SHARE  # 19.5 typed as 95, 116 as 61 …
        weight[bad] = np.minimum(weight[bad] * 5, 150.0)
        self.height = np.round(height, 1)
        self.weight = np.round(weight, 1)
        shares = np.array(REMARKS_NATIONAL) / sum(REMARKS_NATIONAL)
        count = rng.choice(len(shares), rows, p=shares)
        scores = rng.random((rows, 9))
        self.remarks = np.argsort(np.argsort(scores, axis=1), axis=1) < count[:, None]

    def insert_children(self) -> None:
        import uuid

        from django.conf import settings
        from django.db import connection, transaction
        from django.utils import timezone

        from borneliv.children.models import Child, Residence
        from borneliv.lib import pseudonym

        rows = len(self.cpr)
        fernet = pseudonym.fernet(settings.CPR_KEY)
        digits = [c.replace("-", "") for c in self.cpr]
        ids = list(range(1, rows + 1))
        births = self.birth.astype(object).tolist()
        created = connection.ops.adapt_datetimefield_value(timezone.now())
        native_uuid = connection.features.has_native_uuid_field
        with transaction.atomic():
            _insert(
                Child,
                {
                    "id": ids,
                    "public_id": [uuid.uuid4() if native_uuid else uuid.uuid4().hex for _ in ids],
                    "cpr_ciphertext": [fernet.encrypt(d.encode()).decode("ascii") for d in digits],
                    "cpr_pseudonym": [
                        pseudonym.pseudonym(settings.PSEUDONYM_KEY, d) for d in digits
                    ],
                    "birth_date": births,
                    "sex": np.where(self.female, "F", "M").tolist(),
                    "first_name": np.where(self.female, "Ida", "Otto").tolist(),
                    "last_name": ["Skolestart"] * rows,
                    "family_id": [None] * rows,
                    "is_synthetic": [True] * rows,
                    "created_at": [created] * rows,
                },
            )
            _insert(
                Residence,
                {
                    "id": ids,
                    "child_id": ids,
                    "area_id": self.area.tolist(),
                    "valid_from": births,
                    "valid_to": [None] * rows,
                },
            )

    def csv_bytes(self) -> bytes:
        def decimal(values: np.ndarray) -> list[str]:
            return [f"{v:.1f}".replace(".", ",") for v in values.tolist()]

        exam = [f"{d[8:10]}.{d[5:7]}.{d[:4]}" for d in np.datetime_as_string(self.exam).tolist()]
        remarks = np.where(self.remarks, "1", "0")
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        writer.writerow(HEADER)
        writer.writerows(
            [cpr, day, h, w, school, *items]
            for cpr, day, h, w, school, items in zip(
                self.cpr,
                exam,
                decimal(self.height),
                decimal(self.weight),
                self.school,
                remarks.tolist(),
                strict=True,
            )
        )
        return out.getvalue().encode("utf-8")


# --- the peer ------------------------------------------------------------------------------------


def pedgrowth_per_row(
    sex: np.ndarray, age_days: np.ndarray, bmi: np.ndarray, sample: int
) -> float | None:
    """Seconds per row of pedgrowth's per-measurement path (BMI-for-age z), on a sample."""
    try:
        from pedgrowth import GrowthChartsCalculator

        from borneliv.growth.tests import pedgrowth_offline
    except ImportError as exc:
        say(f"  pedgrowth: not installed ({exc}); no peer")
        return None
    directory = Path(tempfile.mkdtemp(prefix="pedgrowth-"))
    try:
        try:
            pedgrowth_offline.use(directory)
        except ImportError as exc:
            say(f"  pedgrowth: WHO providers not installed ({exc}); no peer")
            return None
        calculator = GrowthChartsCalculator(interpolation="linear")
        months = (age_days[:sample] / 30.4375).tolist()
        values = bmi[:sample].tolist()
        sexes = ["M" if s == 1 else "F" for s in sex[:sample].tolist()]
        calculator.zscore_for_measurement("bmifa", values[0], sexes[0], months[0])  # warm
        started = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for value, who, month in zip(values, sexes, months, strict=True):
                calculator.zscore_for_measurement("bmifa", value, who, month)
        return (time.perf_counter() - started) / len(values)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


# --- the steps -----------------------------------------------------------------------------------


def line(label: str, seconds: float, rows: int, runs: int) -> None:
    runs_text = f"median of {runs}" if runs > 1 else "1 run"
    say(f"  {label:<58} {seconds:8.2f} s  {rows / seconds:>12,.0f} rows/s  ({runs_text})")


def bench(rows: int, runs: int, import_runs: int, sample: int) -> None:
    from borneliv.accounts.models import User, today
    from borneliv.children.models import Child
    from borneliv.demo.services import demo_load
    from borneliv.growth import engine, imports, prevalence_selectors, services
    from borneliv.growth.models import Measurement, SchoolStartExam

    on = today()
    started = time.perf_counter()
    demo_load(password=PASSWORD)
    admin = User.objects.get(username="admin")
    rng = np.random.default_rng(SEED)
    cohort = Cohort(rows, on, rng)
    cohort.insert_children()
    data = cohort.csv_bytes()
    say(
        f"  registered {rows:,} children in {len(cohort.area_ids)} programme and comparison "
        f"areas and wrote a {len(data) / 1e6:.1f} MB school-start file "
        f"({time.perf_counter() - started:.1f} s)"
    )

    # (a) the import
    def dry_run() -> Any:
        return imports.school_start_import(
            data=data, filename="indskoling.csv", user=admin, dry_run=True
        )

    seconds, report = timed(dry_run, import_runs)
    if report.has_errors:
        messages = report.file_errors + [r.message for r in report.rows if r.errors][:5]
        raise SystemExit(f"The benchmark's file has errors: {messages}")
    line("(a) import, dry run (read, check, classify; no writes)", seconds, rows, import_runs)
    started = time.perf_counter()
    report = imports.school_start_import(
        data=data, filename="indskoling.csv", user=admin, dry_run=False
    )
    seconds = time.perf_counter() - started
    assert report.committed, report.file_errors
    line("    import, commit (checks again, writes all or nothing)", seconds, rows, 1)
    say(
        f"      {report.new:,} new, {report.held:,} held for review; "
        f"{Measurement.objects.count():,} measurements, {SchoolStartExam.objects.count():,} exams"
    )
    started = time.perf_counter()
    again = imports.school_start_import(
        data=data, filename="indskoling.csv", user=admin, dry_run=False
    )
    seconds = time.perf_counter() - started
    line("    import again, the same file (every row unchanged)", seconds, rows, 1)
    assert again.unchanged == rows, (again.new, again.updated, again.unchanged)

    # (b) recompute and classification
    total = Measurement.objects.count()
    seconds, done = timed(
        lambda: services.measurements_recompute(only_stale=False, batch_size=20_000), runs
    )
    assert done == total
    line("(b) measurements_recompute, every measurement", seconds, total, runs)
    measurements = list(
        Measurement.objects.only(
            "pk", "child_id", "measured_on", "weight_kg", "height_cm", "position",
            "review_status", "reviewed_at",
        )
    )  # fmt: skip
    children = Child.objects.values_list("pk", "birth_date", "sex")
    births = {pk: born for pk, born, _sex in children}
    sexes = {pk: sex for pk, _born, sex in children}
    classify_seconds, _ = timed(
        lambda: services.classify_in_place(measurements, births=births, sexes=sexes), runs
    )
    line("    classify_in_place on the loaded measurements", classify_seconds, total, runs)
    sex = np.array([1 if sexes[m.child_id] == "M" else 2 for m in measurements], dtype=np.int8)
    age = np.array(
        [(m.measured_on - births[m.child_id]).days for m in measurements], dtype=np.float64
    )
    weight = np.array([float(m.weight_kg) for m in measurements])
    height = np.array([float(m.height_cm) for m in measurements])
    engine_seconds, result = timed(
        lambda: engine.compute(sex=sex, age_days=age, weight_kg=weight, height_cm=height), runs
    )
    line("    engine.compute on the columns", engine_seconds, total, runs)
    per_row = pedgrowth_per_row(sex, age, result.bmi, min(sample, total))
    if per_row is not None:
        peer_rate = 1 / per_row
        say(
            f"  {'    pedgrowth zscore_for_measurement, one row per call':<58} "
            f"{per_row * total:8.2f} s  {peer_rate:>12,.0f} rows/s  "
            f"({min(sample, total):,} rows, scaled; BMI-for-age z only)"
        )
        say(
            f"      ratio classify_in_place / pedgrowth per row: "
            f"{per_row * total / classify_seconds:,.1f}x; engine.compute / pedgrowth per row: "
            f"{per_row * total / engine_seconds:,.0f}x (the engine also computes the other WHO "
            "z-scores, IOTF, categories and flags)"
        )

    # (c) prevalence by area × school year × sex
    last = on.year - 1 if on.month >= 8 else on.year - 2
    for measure, label in (
        (prevalence_selectors.Measure.OVERWEIGHT, "overweight"),
        (prevalence_selectors.Measure.MOTOR, "motor difficulties"),
    ):
        query = prevalence_selectors.Query(
            measure=measure,
            setting=prevalence_selectors.Setting.SCHOOL_START,
            year_from=last - COHORTS + 1,
            year_to=last,
        )
        seconds, prevalence = timed(
            lambda q=query: prevalence_selectors.prevalence_for(admin, q), runs
        )
        line(f"(c) prevalence_for, {label}, area × school year × sex", seconds, total, runs)
        say(
            f"      {len(prevalence.areas)} areas × {len(query.periods)} school years; "
            f"{prevalence.reference}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        default=None,
        help="a PostgreSQL database whose name ends in _bench (dropped and created again); "
        "default: a temporary SQLite file",
    )
    parser.add_argument("--rows", type=int, default=ROWS, help=f"children and rows ({ROWS:,})")
    parser.add_argument("--runs", type=int, default=3, help="runs of the cheap steps")
    parser.add_argument("--import-runs", type=int, default=1, help="runs of the dry run")
    parser.add_argument("--sample", type=int, default=2_000, help="rows for the per-row peer")
    parser.add_argument("--keep", action="store_true", help="keep the temporary SQLite file")
    args = parser.parse_args()
    if args.database_url and not urlsplit(args.database_url).path.lstrip("/").endswith("_bench"):
        raise SystemExit("Refusing: a bench database's name ends in _bench.")

    url, directory = prepare_database(args.database_url)
    try:
        started = time.perf_counter()
        setup_django(url)
        from django.db import connection

        say(
            f"growth end to end: {args.rows:,} school-start rows on {connection.vendor} "
            f"({'a fresh temporary file' if directory else urlsplit(url).path.lstrip('/')}; "
            f"migrated in {time.perf_counter() - started:.1f} s)"
        )
        bench(args.rows, max(1, args.runs), max(1, args.import_runs), args.sample)
    finally:
        if directory is not None:
            from django.db import connections

            connections.close_all()
            if args.keep:
                say(f"  kept {directory}")
            else:
                shutil.rmtree(directory, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
