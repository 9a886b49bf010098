"""``borneliv growth classify IN.csv -o OUT.csv [--iotf 2012|2000]``: the engine on a CSV file.

Reads the file in chunks (bounded memory for millions of rows), classifies each chunk with
``borneliv.growth.engine.classify`` and writes the input columns unchanged (read as text, so
they come out exactly as they went in) followed by the output columns. The delimiter (``,``,
``;`` or tab) is taken from the header line and used for the output too; a UTF-8 byte-order mark
is accepted. A one-line summary goes to standard error.

No Django, and no pandas at import time: ``borneliv`` builds its parser from this module on every
run, so the engine is imported inside ``run_classify``. Also runnable as
``python -m borneliv.growth.cli classify …``.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

CHUNK_ROWS = 200_000
#: Decimals written for BMI, z-scores and ISO-BMI. Rounded numbers written as the shortest text
#: that reads back as the same number ("14.4624", "2.0") are 1.5x faster to write than "%.4f".
DECIMALS = 4
FLOAT_COLUMNS = (
    "bmi",
    "bmi_for_age_z",
    "weight_for_age_z",
    "height_for_age_z",
    "weight_for_height_z",
    "iotf_adult_bmi",
)


def add_classify_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("input", help="CSV file to read ('-' for standard input)")
    parser.add_argument(
        "-o", "--output", required=True, help="CSV file to write ('-' for standard output)"
    )
    parser.add_argument(
        "--iotf",
        choices=("2012", "2000"),
        default="2012",
        help="IOTF cut-offs: 2012 = Cole & Lobstein LMS with adult-equivalent BMI and thinness "
        "grades (default); 2000 = the Cole 2000 BMI 25/30 table (overweight and obesity only)",
    )
    parser.add_argument(
        "--chunk-rows",
        type=int,
        default=CHUNK_ROWS,
        help=f"rows per chunk (default {CHUNK_ROWS:,}); memory grows with it",
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``growth`` subcommand's own subcommands."""
    sub = parser.add_subparsers(dest="growth_command", metavar="command", required=True)
    classify = sub.add_parser(
        "classify",
        help="add WHO z-scores, WHO and IOTF categories and flags to a CSV of measurements",
        description="Add BMI, WHO z-scores (BMI-, weight-, length/height-for-age, "
        "weight-for-length/height), the WHO BMI category, the IOTF adult-equivalent BMI and "
        "category, WHO plausibility flags and the reference used to each row. Input columns: "
        "sex (1/2, M/F, dreng/pige); age_days, or birth_date and measured_on (ISO dates); any "
        "of weight_kg, height_cm, bmi; optional position (L lying, H standing). Other columns "
        "pass through unchanged.",
    )
    add_classify_arguments(classify)
    classify.set_defaults(growth_run=run_classify)
    recompute = sub.add_parser(
        "recompute",
        help="reclassify stored measurements after the IOTF setting or the engine changed",
        description="Reclassify the stored measurements whose classification was made with "
        "another IOTF version or engine version (--all: every one), with progress shown. "
        "The same as `borneliv growth_recompute`.",
    )
    recompute.add_argument(
        "--iotf",
        choices=("2012", "2000"),
        default=None,
        help="IOTF version (default: the setting BORNELIV_GROWTH_IOTF)",
    )
    recompute.add_argument(
        "--all", action="store_true", help="reclassify every measurement, not only stale ones"
    )
    recompute.set_defaults(growth_run=run_recompute)
    school_start = sub.add_parser(
        "import-school-start",
        help="check (dry run) or import a school-start exam file (CSV or XLSX)",
        description="Check a school-start exam (indskolingsundersøgelse) file row by row and "
        "print the report (CPR numbers masked); with --commit import it, all rows or none. "
        "Exits with status 1 when a row has an error. The same as "
        "`borneliv import_school_start`; the file format is in borneliv/growth/README.md.",
    )
    school_start.add_argument("file", help="CSV (; or ,) or XLSX file")
    school_start.add_argument(
        "--commit", action="store_true", help="import the file (default: a dry run)"
    )
    school_start.add_argument(
        "--user", help="import as this user: only the children she may see (default: all)"
    )
    school_start.set_defaults(growth_run=run_import_school_start)


def run(args: argparse.Namespace) -> int:
    return int(args.growth_run(args))


def run_recompute(args: argparse.Namespace) -> int:
    """``borneliv growth recompute``: the ``growth_recompute`` management command."""
    from borneliv.cli import setup_django

    setup_django()
    from django.core.management import CommandError, call_command

    try:
        call_command("growth_recompute", iotf=args.iotf, all=args.all)
    except CommandError as exc:
        print(f"borneliv growth recompute: {exc}", file=sys.stderr)
        return 1
    return 0


def run_import_school_start(args: argparse.Namespace) -> int:
    """``borneliv growth import-school-start``: the ``import_school_start`` management command."""
    from borneliv.cli import setup_django

    setup_django()
    from django.core.management import CommandError, call_command

    options: dict[str, Any] = {"commit": args.commit}
    if args.user:
        options["user"] = args.user
    try:
        call_command("import_school_start", args.file, **options)
    except CommandError as exc:
        print(f"borneliv growth import-school-start: {exc}", file=sys.stderr)
        return exc.returncode
    return 0


def _sniff_delimiter(first_line: str) -> str:
    counts = {delimiter: first_line.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


@contextmanager
def _open_output(path: str) -> Iterator[IO[str]]:
    if path == "-":
        yield sys.stdout
        return
    with Path(path).open("w", encoding="utf-8", newline="") as handle:
        yield handle


def _input_text(path: str) -> IO[str]:
    if path == "-":
        return sys.stdin
    return Path(path).open(encoding="utf-8-sig", newline="")


def run_classify(args: argparse.Namespace) -> int:
    """Classify ``args.input`` into ``args.output``; 0 on success, 2 on a file-level error."""
    import pandas as pd

    from borneliv.growth.engine import classify

    started = time.perf_counter()
    rows = flagged = 0
    skipped: list[str] = []
    try:
        source = _input_text(args.input)
    except OSError as exc:
        print(f"borneliv growth classify: cannot read {args.input}: {exc}", file=sys.stderr)
        return 2
    with source:
        first_line = source.readline().removeprefix("\ufeff")  # standard input keeps a BOM
        if not first_line.strip():
            print(f"borneliv growth classify: {args.input} is empty", file=sys.stderr)
            return 2
        delimiter = _sniff_delimiter(first_line)
        options: dict[str, Any] = {
            "sep": delimiter,
            "dtype": str,
            "keep_default_na": False,
            "na_filter": False,
            "on_bad_lines": "warn",
        }
        text = _Rewound(first_line, source)
        try:
            with _open_output(args.output) as out:
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    reader = pd.read_csv(text, chunksize=max(1, args.chunk_rows), **options)
                    header_written = False
                    for chunk in reader:
                        result = classify(chunk, iotf=args.iotf)
                        for column in FLOAT_COLUMNS:
                            # + 0.0 turns a rounded -0.0 into 0.0
                            result[column] = result[column].round(DECIMALS) + 0.0
                        result.to_csv(
                            out,
                            sep=delimiter,
                            index=False,
                            header=not header_written,
                            lineterminator="\n",
                        )
                        header_written = True
                        rows += len(result)
                        flagged += int((result["flags"] != "").sum())
                    if not header_written:  # a header without rows
                        empty = pd.read_csv(_Rewound(first_line, source), **options)
                        classify(empty, iotf=args.iotf).to_csv(
                            out, sep=delimiter, index=False, lineterminator="\n"
                        )
                skipped = [
                    str(w.message).strip() for w in caught if "Skipping line" in str(w.message)
                ]
        except ValueError as exc:
            print(f"borneliv growth classify: {args.input}: {exc}", file=sys.stderr)
            return 2
        except OSError as exc:
            print(f"borneliv growth classify: cannot write {args.output}: {exc}", file=sys.stderr)
            return 2
    seconds = time.perf_counter() - started
    rate = rows / seconds if seconds > 0 else 0.0
    print(
        f"growth classify: {rows:,} rows, {flagged:,} with flags, {seconds:.2f} s "
        f"({rate:,.0f} rows/s), IOTF {args.iotf}",
        file=sys.stderr,
    )
    if skipped:
        lines = "; ".join(line for message in skipped for line in message.splitlines())
        print(
            f"growth classify: {len(skipped)} malformed line(s) not read (too many fields): "
            f"{lines}",
            file=sys.stderr,
        )
    return 0


class _Rewound:
    """A text stream that yields an already-read first line again, then the rest of ``source``."""

    def __init__(self, first_line: str, source: IO[str]) -> None:
        self._pending = first_line
        self._source = source

    def read(self, size: int = -1) -> str:
        head, self._pending = self._pending, ""
        if size is None or size < 0:
            return head + self._source.read()
        if len(head) >= size:
            self._pending = head[size:]
            return head[:size]
        return head + self._source.read(size - len(head))

    def __iter__(self) -> Iterator[str]:
        if self._pending:
            head, self._pending = self._pending, ""
            yield head
        yield from self._source


def _subcommands() -> tuple[Any, ...]:
    from borneliv.cli import Subcommand

    return (
        Subcommand(
            "growth",
            "growth references: classify measurements with WHO and IOTF (see `growth classify -h`), "
            "recompute stored classifications (`growth recompute`)",
            run,
            add_arguments,
        ),
    )


#: For ``borneliv.cli.SUBCOMMAND_MODULES``.
SUBCOMMANDS = _subcommands()


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m borneliv.growth.cli classify …``."""
    parser = argparse.ArgumentParser(prog="python -m borneliv.growth.cli")
    add_arguments(parser)
    args = parser.parse_args(argv)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
