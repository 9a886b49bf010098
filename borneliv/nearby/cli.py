"""``borneliv nearby circle EXTRACT --lat LAT --lon LON …``: the Nærhedscirkel without a database.

Reads the extract around the point (the point's surroundings plus the cycling distance and a
margin, so a whole-country file is never loaded whole), computes the circle and prints the places
found — category, name, walking and cycling minutes — as an aligned table, or as CSV with
``--csv``. When the data edge cuts the walking or cycling area, a line starting ``WARNING:``
follows the table on standard output (and goes to standard error too, so it is seen when the
output is redirected). ``--geojson`` writes the circle as GeoJSON (with the base map),
``--poster`` draws the poster (PDF or PNG by the suffix). A one-line summary (data read, timings)
goes to standard error.

Exit status: 0 done; 2 bad arguments, an unreadable or missing file, or a point outside the data
(a clear message, no traceback).

No Django: ``borneliv`` builds its parser from this module on every run, so the engines are
imported inside ``run_circle``. Also runnable as ``python -m borneliv.nearby.cli circle …``.
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
import time
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

#: Read this far beyond the farthest one can get (metres), for the map around the areas.
READ_MARGIN_M = 1_000.0


def _positive(text: str) -> float:
    try:
        value = float(text.replace(",", "."))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from exc
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive number: {text!r}")
    return value


def _coordinate(limit: float) -> Any:
    def parse(text: str) -> float:
        try:
            value = float(text.replace(",", "."))
        except ValueError as exc:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from exc
        if not math.isfinite(value) or abs(value) > limit:
            raise argparse.ArgumentTypeError(f"must be between -{limit:g} and {limit:g}")
        return value

    return parse


def add_circle_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("extract", help="OpenStreetMap extract (.osm or .osm.pbf)")
    parser.add_argument("--lat", type=_coordinate(90), required=True, help="latitude (WGS84)")
    parser.add_argument("--lon", type=_coordinate(180), required=True, help="longitude (WGS84)")
    parser.add_argument(
        "--walk-minutes", type=_positive, default=15.0, help="walking limit (default 15)"
    )
    parser.add_argument(
        "--bike-minutes", type=_positive, default=10.0, help="cycling limit (default 10)"
    )
    parser.add_argument("--walk-kmh", type=_positive, default=4.5, help="walking speed (4.5)")
    parser.add_argument("--bike-kmh", type=_positive, default=15.0, help="cycling speed (15)")
    parser.add_argument("--title", default="Nærhedscirkel", help="the poster's title")
    parser.add_argument("--institution", default="", help="the institution's name on the poster")
    parser.add_argument("--geojson", metavar="OUT.geojson", help="write the circle as GeoJSON")
    parser.add_argument(
        "--poster", metavar="OUT.pdf|OUT.png", help="draw the poster (PDF or PNG, by suffix)"
    )
    parser.add_argument("--paper", choices=("A4", "A3"), default="A4", help="poster size (A4)")
    parser.add_argument("--csv", action="store_true", help="print CSV instead of a table")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``nearby`` subcommand's own subcommands."""
    sub = parser.add_subparsers(dest="nearby_command", metavar="command", required=True)
    circle = sub.add_parser(
        "circle",
        help="the places within walking and cycling distance of a point, from an OSM extract",
        description="Compute the Nærhedscirkel of a point from an OpenStreetMap extract, "
        "without a database: print the places (category, name, walking and cycling minutes) "
        "as a table or CSV; optionally write GeoJSON and the poster. A line starting "
        "'WARNING:' says when the data edge cuts the area. Exit status 2 on bad arguments "
        "or an unreadable file.",
    )
    add_circle_arguments(circle)
    circle.set_defaults(nearby_run=run_circle)


def run(args: argparse.Namespace) -> int:
    return int(args.nearby_run(args))


def _fail(message: str) -> int:
    print(f"borneliv nearby circle: {message}", file=sys.stderr)
    return 2


def _minutes(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def _width(text: str) -> int:
    return sum(0 if unicodedata.combining(ch) else 1 for ch in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    gap = " " * max(0, width - _width(text))
    return gap + text if right else text + gap


def print_table(rows: list[tuple[str, str, str, str]], out: IO[str]) -> None:
    header = ("category", "name", "walk min", "bike min")
    widths = [max(_width(row[i]) for row in [header, *rows]) for i in range(4)]
    lines = [header, *rows]
    for n, row in enumerate(lines):
        cells = [
            _pad(row[0], widths[0]),
            _pad(row[1], widths[1]),
            _pad(row[2], widths[2], right=True),
            _pad(row[3], widths[3], right=True),
        ]
        print("  ".join(cells).rstrip(), file=out)
        if n == 0:
            print("  ".join("-" * w for w in widths), file=out)


def edge_warning(circle: Any) -> str | None:
    """The ``WARNING:`` line when the data edge cuts an area, else None."""
    cut = [
        label
        for label, reach in (("walking", circle.walk), ("cycling", circle.bike))
        if reach.touches_edge
    ]
    if not cut:
        return None
    areas = (
        "the walking and the cycling areas reach" if len(cut) == 2 else f"the {cut[0]} area reaches"
    )
    return (
        f"WARNING: {areas} the edge of the map data: the area is cut there and places beyond "
        "it are missing. Use an extract that reaches further."
    )


def run_circle(args: argparse.Namespace) -> int:
    """Compute and print the circle; 0 on success, 2 on an argument or file problem."""
    extract = Path(args.extract)
    if not extract.is_file():
        return _fail(f"cannot read {extract}: no such file")
    for option in ("geojson", "poster"):
        target = getattr(args, option)
        if target and not Path(target).parent.is_dir():
            return _fail(f"cannot write {target}: no such directory")
    if args.poster and Path(args.poster).suffix.lower() not in (".pdf", ".png"):
        return _fail(f"--poster must end in .pdf or .png: {args.poster}")

    from borneliv.nearby.engine import OutsideDataError, circle, read_extract
    from borneliv.nearby.types import Settings

    settings = Settings(
        walk_kmh=args.walk_kmh,
        bike_kmh=args.bike_kmh,
        walk_minutes=args.walk_minutes,
        bike_minutes=args.bike_minutes,
    )
    reach_m = max(
        settings.walk_kmh * settings.walk_minutes, settings.bike_kmh * settings.bike_minutes
    ) * (1000.0 / 60.0)
    started = time.perf_counter()
    try:
        data = read_extract(
            extract,
            bbox=(args.lat, args.lon, args.lat, args.lon),
            margin_m=reach_m + READ_MARGIN_M,
        )
    except (OSError, ValueError) as exc:
        return _fail(f"cannot read {extract}: {exc}")
    read_s = time.perf_counter() - started
    if data.node_ids.size == 0:
        return _fail(
            f"{extract.name} has no streets or paths near {args.lat}, {args.lon}: "
            "is the point inside the extract?"
        )
    started = time.perf_counter()
    try:
        result = circle(data, args.lat, args.lon, settings)
    except OutsideDataError as exc:
        return _fail(str(exc))
    circle_s = time.perf_counter() - started

    from borneliv.nearby.places import CATEGORY_BY_CODE

    rows = [
        (
            CATEGORY_BY_CODE[p.category].label_da if p.category in CATEGORY_BY_CODE else p.category,
            p.name,
            _minutes(p.walk_minutes),
            _minutes(p.bike_minutes),
        )
        for p in result.places
    ]
    out = sys.stdout
    if args.csv:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(
            ["category", "category_label", "name", "walk_minutes", "bike_minutes", "osm"]
        )
        for p, row in zip(result.places, rows, strict=True):
            writer.writerow(
                [
                    p.category,
                    row[0],
                    p.name,
                    "" if p.walk_minutes is None else f"{p.walk_minutes:.1f}",
                    "" if p.bike_minutes is None else f"{p.bike_minutes:.1f}",
                    p.key,
                ]
            )
    else:
        print_table(rows, out)
    warning = edge_warning(result)
    if warning:
        # After the table (or the CSV rows), and on standard error for redirected output.
        print(warning, file=out)
        print(warning, file=sys.stderr)

    if args.geojson:
        from borneliv.nearby.geojson import dumps

        try:
            Path(args.geojson).write_text(dumps(result, basemap=True), encoding="utf-8")
        except OSError as exc:
            return _fail(f"cannot write {args.geojson}: {exc}")
    if args.poster:
        try:
            from borneliv.nearby import poster
        except ImportError as exc:
            return _fail(f"the poster cannot be drawn here (borneliv.nearby.poster: {exc})")
        try:
            poster.render(
                result,
                args.poster,
                title=args.title,
                institution=args.institution,
                public_url=None,
                paper=args.paper,
            )
        except OSError as exc:
            return _fail(f"cannot write {args.poster}: {exc}")
    print(
        f"nearby circle: {len(result.places)} places; read {read_s:.2f} s, circle {circle_s:.2f} s; "
        f"start {result.start_snapped_metres:.0f} m from the network"
        + (f"; skipped in the file: {dict(data.skipped)}" if data.skipped else ""),
        file=sys.stderr,
    )
    return 0


def _subcommands() -> tuple[Any, ...]:
    from borneliv.cli import Subcommand

    return (
        Subcommand(
            "nearby",
            "the Nærhedscirkel: places within walking and cycling distance of a point, from an "
            "OpenStreetMap extract, without a database (see `nearby circle -h`)",
            run,
            add_arguments,
        ),
    )


#: For ``borneliv.cli.SUBCOMMAND_MODULES``.
SUBCOMMANDS = _subcommands()


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m borneliv.nearby.cli circle …``."""
    parser = argparse.ArgumentParser(prog="python -m borneliv.nearby.cli")
    add_arguments(parser)
    args = parser.parse_args(argv)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
