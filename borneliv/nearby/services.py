"""Writes for the Nærhedscirkel: importing extracts, computing circles, the staff's curation.

Keyword-only, one transaction each, ``full_clean()`` before saving; a ``ValidationError`` carries
a message for the user and nothing is saved. Writes made for a person (``by``) check the
permission themselves (``rules.py``), so no view, API or script can bypass it; ``by=SYSTEM`` is the
system (the import command, the demo).

Importing (``extract_import``) reads an OpenStreetMap file with the engine, cut to the box around
the municipality's located institutions plus ``MARGIN_METRES``, so a whole-Denmark file is never
held in memory; it stores the parsed data (``storage.py``) and records an ``Extract``. All or
nothing: a file that is not an OSM extract, cannot be read, or holds no paths there is refused
with a message and nothing is kept. Circles already computed in the municipality are then
recomputed from the new data (each in its own transaction), so the staff see what changed.

Computing (``circle_compute``) runs the engine for the institution's point with the circle's
settings on the municipality's newest extract and *merges* the candidates into the circle's
places (``merge_places``): matched by OSM id, then by name and position (within
``MATCH_METRES``); the staff's choices stay; places not found any more stay as "gone" with their
choices, until the staff remove them; the staff's own places are left alone.
"""

from __future__ import annotations

import hashlib
import secrets
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from borneliv.accounts.actors import SYSTEM, Actor, acting_user, may, require
from borneliv.lib.jobs import NO_PROGRESS, Progress
from borneliv.lib.versioning import StateChanged, claim_version
from borneliv.nearby import storage, types
from borneliv.nearby.geo import distance_m
from borneliv.nearby.labels import CATEGORY_LABELS
from borneliv.nearby.merge import KnownPlace, found_name, merge_places
from borneliv.nearby.models import CIRCLE_KINDS, Circle, CirclePlace, Extract
from borneliv.organisations.models import Goal, Institution, Municipality

if TYPE_CHECKING:
    pass

#: The data kept around the municipality's institutions (the cycling area is ~2.5 km at most
#: with the default settings; a larger limit reaches the edge, which the page then says).
MARGIN_METRES = 3000.0
#: An own place must lie this close to the institution (a click far off the circle is a slip).
OWN_PLACE_MAX_METRES = 15_000.0


def _save(obj: Any) -> Any:
    obj.full_clean()
    obj.save()
    return obj


def _engine() -> Any:
    # Imported late: the engine pulls in osmium, scipy and shapely, which pages that never
    # compute a circle do not need.
    from borneliv.nearby import engine

    return engine


# --- importing an extract ---------------------------------------------------------------------


#: Accepted file names and what the content must start with.
SUFFIXES = (".osm.pbf", ".pbf", ".osm", ".osm.gz", ".osm.bz2")


def osm_format(path: Path, file_name: str | None = None) -> str:
    """The extract's format ("pbf", "osm", "osm.gz", "osm.bz2") from its name and first bytes.

    Raises ``ValidationError`` with a plain message for anything else, before any parsing.
    """
    name = (file_name or path.name).lower()
    suffix = next((s for s in SUFFIXES if name.endswith(s)), None)
    if suffix is None:
        raise ValidationError(
            _(
                "“%(name)s” is not an OpenStreetMap extract: choose an .osm.pbf or .osm file "
                "(for example a regional extract from Geofabrik)."
            )
            % {"name": file_name or path.name}
        )
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError as exc:
        raise ValidationError(
            _("The file could not be opened: %(error)s") % {"error": exc.strerror or exc}
        ) from exc
    if suffix in (".osm.pbf", ".pbf"):
        ok = b"OSMHeader" in head[:64]
        kind = "pbf"
    elif suffix == ".osm.gz":
        ok, kind = head[:2] == b"\x1f\x8b", "osm.gz"
    elif suffix == ".osm.bz2":
        ok, kind = head[:3] == b"BZh", "osm.bz2"
    else:
        text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        ok = (text.startswith((b"<?xml", b"<osm"))) and b"<osm" in head
        kind = "osm"
    if not ok:
        raise ValidationError(
            _(
                "“%(name)s” does not hold OpenStreetMap data in the format its name says; "
                "nothing was imported. Check that the download finished and that it is an "
                ".osm.pbf or .osm file."
            )
            % {"name": file_name or path.name}
        )
    return kind


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def institutions_bbox(municipality: Municipality) -> tuple[float, float, float, float]:
    """(south, west, north, east) of the municipality's located institutions.

    The engine widens it by ``MARGIN_METRES`` when it reads the extract.
    """
    points = list(
        Institution.objects.located()
        .filter(municipality=municipality)
        .values_list("latitude", "longitude")
    )
    if not points:
        raise ValidationError(
            _(
                "%(municipality)s has no institutions with a location yet: the import keeps only "
                "the map data around them. Give the institutions their locations first."
            )
            % {"municipality": municipality.name}
        )
    lats = [float(p[0]) for p in points]
    lons = [float(p[1]) for p in points]
    return (min(lats), min(lons), max(lats), max(lons))


@dataclass
class ImportResult:
    extract: Extract
    recomputed: list[tuple[Institution, ChangeSummary]] = field(default_factory=list)
    failed: list[tuple[Institution, str]] = field(default_factory=list)


def _decimal(value: float, places: int = 0) -> str:
    """A number in the reader's language: "1.234.567" and "12,3" in Danish, "1,234,567" in English."""
    return formats.number_format(value, places, use_l10n=True, force_grouping=True)


def _reading_progress(progress: Progress) -> Callable[[int, int], None]:
    """The engine's bytes read, as the bar's numbers and a line for each further tenth."""
    reported = [-1]

    def report(done: int, total: int) -> None:
        tenth = int(10 * done / total) if total else 10
        if tenth > reported[0]:
            reported[0] = tenth
            progress.line(_("Reading the map data: %(percent)s %%") % {"percent": 10 * tenth})
        progress.progress(done, total)

    return report


def extract_import(
    *,
    by: Actor,
    municipality: Municipality,
    path: Path,
    file_name: str | None = None,
    progress: Progress = NO_PROGRESS,
    recompute: bool = True,
) -> ImportResult:
    """Import an OSM extract for a municipality; then recompute its computed circles.

    ``file_name`` is the name the user gave (an upload's stored file has another); ``progress``
    receives a line at each stage and the numbers while the file is read and the circles are
    updated (the page's bar, ``borneliv.jobs``). Nothing is saved when the file is refused; each
    circle's recomputation is its own transaction.
    """
    require(by, "nearby.import_extract")
    path = Path(path)
    name = file_name or path.name
    kind = osm_format(path, name)
    bbox = institutions_bbox(municipality)
    started = time.monotonic()
    size = path.stat().st_size
    progress.line(
        _("Checking %(name)s (%(mb)s MB)…") % {"name": name, "mb": _decimal(size / 1e6, 1)}
    )
    sha = file_sha256(path)
    progress.line(
        _("Reading the map data around the institutions of %(municipality)s…")
        % {"municipality": municipality.name}
    )
    with tempfile.TemporaryDirectory(prefix="borneliv-osm-") as tmp:
        # The engine tells the format by the file's suffix; an upload's stored file has none.
        readable = Path(tmp) / f"extract.{kind}"
        readable.symlink_to(path.resolve())
        try:
            data = _engine().read_extract(
                readable, bbox=bbox, margin_m=MARGIN_METRES, progress=_reading_progress(progress)
            )
        except (ValueError, OSError, RuntimeError) as exc:
            raise ValidationError(
                _("The file could not be read as OpenStreetMap data: %(error)s")
                % {"error": str(exc).replace(str(readable), name)[:300]}
            ) from exc
    if len(data.way_ids) == 0:
        raise ValidationError(
            _(
                "The extract holds no paths or streets around the institutions of "
                "%(municipality)s. Is it the right region?"
            )
            % {"municipality": municipality.name}
        )
    stored = storage.extract_name(sha, bbox)
    storage.extract_write(data, stored)
    south, west, north, east = data.bbox
    with transaction.atomic():
        extract = _save(
            Extract(
                municipality=municipality,
                file_name=name[:255],
                file_bytes=size,
                sha256=sha,
                imported_by=acting_user(by),
                south=south,
                west=west,
                north=north,
                east=east,
                data_timestamp=(data.data_timestamp or "")[:40],
                nodes=len(data.node_ids),
                ways=len(data.way_ids),
                features=len(data.features),
                skipped={k: int(v) for k, v in sorted(data.skipped.items())},
                stored_file=stored,
                seconds=round(time.monotonic() - started, 3),
            )
        )
    progress.line(import_counts(extract))
    result = ImportResult(extract=extract)
    if not recompute:
        return result
    circles = list(
        Circle.objects.filter(
            institution__municipality=municipality, computed_at__isnull=False
        ).select_related("institution__municipality")
    )
    for n, circle in enumerate(circles, 1):
        progress.line(
            _("Updating circle %(n)s of %(count)s: %(name)s")
            % {"n": n, "count": len(circles), "name": circle.institution.name}
        )
        progress.progress(n - 1, len(circles))
        try:
            summary = circle_compute(institution=circle.institution, by=SYSTEM)
        except ValidationError as exc:
            result.failed.append((circle.institution, "; ".join(exc.messages)))
        else:
            result.recomputed.append((circle.institution, summary))
    progress.progress(len(circles), len(circles))
    return result


def import_counts(extract: Extract) -> str:
    """What an import kept, in one line for its starter."""
    return _(
        "Imported: %(ways)s paths and streets, %(features)s possible places, %(skipped)s "
        "problems skipped (%(seconds)s s)."
    ) % {
        "ways": _decimal(extract.ways),
        "features": _decimal(extract.features),
        "skipped": _decimal(extract.skipped_total),
        "seconds": _decimal(extract.seconds, 1),
    }


# --- computing a circle and merging the candidates ---------------------------------------------


@dataclass
class ChangeSummary:
    """What a computation changed in a circle's places."""

    first: bool
    new: int = 0
    changed: int = 0
    gone: int = 0
    unchanged: int = 0
    candidates: int = 0
    cut_by_edge: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "first": self.first,
            "new": self.new,
            "changed": self.changed,
            "gone": self.gone,
            "unchanged": self.unchanged,
            "candidates": self.candidates,
            "cut_by_edge": self.cut_by_edge,
        }


def circle_settings(circle: Circle) -> types.Settings:
    return types.Settings(
        walk_kmh=float(circle.walk_kmh),
        bike_kmh=float(circle.bike_kmh),
        walk_minutes=float(circle.walk_minutes),
        bike_minutes=float(circle.bike_minutes),
    )


def latest_extract(municipality_id: int) -> Extract | None:
    return Extract.objects.filter(municipality_id=municipality_id).newest_first().first()


def _check_institution(institution: Institution) -> None:
    if institution.kind not in CIRCLE_KINDS:
        raise ValidationError(_("Proximity circles are made for daycares and schools."))
    if not institution.has_location:
        raise ValidationError(
            _("%(name)s has no location yet; give it one in the registry first.")
            % {"name": institution.name}
        )


def circle_get_or_create(*, institution: Institution) -> Circle:
    """The institution's circle, created with the default settings when it has none."""
    _check_institution(institution)
    circle, _created = Circle.objects.get_or_create(institution=institution)
    return circle


def _area_geometry(reach: types.Reach) -> dict[str, Any] | None:
    """The reachable area as a GeoJSON MultiPolygon (None when nothing was reached)."""
    if not reach.polygons:
        return None
    from borneliv.nearby import geojson

    return geojson.area_geometry(reach)


def _round_minutes(value: float | None) -> float | None:
    return None if value is None else round(float(value), 2)


def _place_fields(place: types.Place) -> dict[str, Any]:
    category = place.category if place.category in CATEGORY_LABELS else "culture"
    return {
        "osm_key": place.key,
        "osm_name": found_name(place)[:200],
        # An unnamed place: the name the engine made for it ("Legeplads ved Langøgade"), which
        # may change with the map data without counting as a change of the place.
        "made_name": "" if place.named else place.name[:200],
        "made_name_en": "" if place.named else (place.name_en or place.name)[:200],
        "category": category,
        "latitude": place.lat,
        "longitude": place.lon,
        "walk_minutes": _round_minutes(place.walk_minutes),
        "bike_minutes": _round_minutes(place.bike_minutes),
    }


def _advice(by: Actor, *, admin: str, others: str) -> str:
    """What to do about the map data: an administrator (or the system) is told how, anyone else
    whom to ask: staff never see server instructions they cannot follow."""
    return admin if may(by, "nearby.import_extract") else others


def circle_compute(*, institution: Institution, by: Actor) -> ChangeSummary:
    """Compute the institution's circle from its municipality's newest extract and merge.

    Creates the circle (default settings) when it has none. Raises ``ValidationError`` when
    there is no extract, or the institution lies outside its data.
    """
    require(by, "nearby.change_circle", institution)
    _check_institution(institution)
    extract = latest_extract(institution.municipality_id)
    if extract is None:
        raise ValidationError(
            _("No map data has been imported for %(municipality)s yet.")
            % {"municipality": institution.municipality.name}
            + " "
            + _advice(
                by,
                admin=_("Import an OpenStreetMap extract on the page “Import map data”."),
                others=_("Ask your administrator to import map data."),
            ),
            code="no_map_data",
        )
    lat, lon = float(institution.latitude or 0), float(institution.longitude or 0)
    if not extract.contains(lat, lon):
        raise ValidationError(
            _("%(name)s lies outside the imported map data.") % {"name": institution.name}
            + " "
            + _advice(
                by,
                admin=_("Import an extract that covers it (%(file)s does not).")
                % {"file": extract.file_name},
                others=_("Ask your administrator to import map data that cover it."),
            ),
            code="outside_map_data",
        )
    try:
        data = storage.extract_read(extract.stored_file)
    except storage.StoredDataMissing as exc:
        raise ValidationError(
            _advice(
                by,
                admin=_(
                    "The stored map data of %(file)s is missing on the server; import the "
                    "extract again."
                )
                % {"file": extract.file_name},
                others=_(
                    "The map data cannot be read at the moment. Ask your administrator to "
                    "import them again."
                ),
            ),
            code="map_data_missing",
        ) from exc
    circle = circle_get_or_create(institution=institution)
    try:
        result = _engine().circle(data, lat, lon, circle_settings(circle))
    except ValueError as exc:  # engine.OutsideDataError among them
        raise ValidationError(
            _(
                "%(name)s lies too far from the paths and streets of the map data to compute its "
                "circle."
            )
            % {"name": institution.name}
            + " "
            + _advice(
                by,
                admin=_(
                    "Check its location in the registry, or import map data that cover it "
                    "(%(file)s does not)."
                )
                % {"file": extract.file_name},
                others=_("Ask your administrator to check its location."),
            ),
            code="too_far_from_paths",
        ) from exc
    still_in_data = {f"osm:{f.osm_type}/{f.osm_id}" for f in data.features}
    own = list(
        circle.places.filter(source=CirclePlace.Source.OWN).values_list(
            "pk", "latitude", "longitude"
        )
    )
    minutes = time_points(data, lat, lon, circle_settings(circle), [(a, b) for _pk, a, b in own])
    timed = {pk: m for (pk, _lat, _lon), m in zip(own, minutes, strict=True)}
    computed_file = storage.circle_write(circle.pk, result)
    try:
        summary = _store_circle(circle, extract, result, still_in_data, timed, computed_file, by)
    except BaseException:
        storage.remove(computed_file)
        raise
    return summary


@transaction.atomic
def _store_circle(
    circle: Circle,
    extract: Extract,
    result: types.Circle,
    still_in_data: set[str],
    timed: dict[int, tuple[float | None, float | None]],
    computed_file: str,
    by: Actor,
) -> ChangeSummary:
    circle = Circle.objects.select_for_update().get(pk=circle.pk)
    first = circle.computed_at is None
    osm_places = list(circle.places.filter(source=CirclePlace.Source.OSM))
    known = [
        KnownPlace(
            pk=p.pk,
            osm_key=p.osm_key,
            name=p.osm_name,
            category=p.category,
            lat=p.latitude,
            lon=p.longitude,
            change=p.change,
        )
        for p in osm_places
    ]
    plan = merge_places(known, result.places, still_in_data=still_in_data)
    by_pk = {p.pk: p for p in osm_places}
    summary = ChangeSummary(
        first=first, candidates=len(result.places), cut_by_edge=result.cut_by_edge
    )
    updated: list[CirclePlace] = []
    for match in plan.matched:
        row = by_pk[match.pk]
        for name, value in _place_fields(match.place).items():
            setattr(row, name, value)
        if first:
            row.change, row.change_details = CirclePlace.Change.NONE, []
        elif match.details:
            row.change, row.change_details = CirclePlace.Change.CHANGED, match.details
            summary.changed += 1
        else:
            row.change, row.change_details = CirclePlace.Change.NONE, []
            summary.unchanged += 1
        updated.append(row)
    for pk, why in plan.gone:
        row = by_pk[pk]
        row.change, row.change_details = CirclePlace.Change.GONE, why
        row.walk_minutes = row.bike_minutes = None
        summary.gone += 1
        updated.append(row)
    fields = [
        "osm_key",
        "osm_name",
        "made_name",
        "made_name_en",
        "category",
        "latitude",
        "longitude",
        "walk_minutes",
        "bike_minutes",
        "change",
        "change_details",
    ]
    # A place matched by name takes the candidate's key, which no known place holds (a known
    # place with that key would have matched by key), so the unique constraint holds.
    if updated:
        CirclePlace.objects.bulk_update(updated, fields)
    change_new = CirclePlace.Change.NONE if first else CirclePlace.Change.NEW
    summary.new = 0 if first else len(plan.new)
    CirclePlace.objects.bulk_create(
        [
            CirclePlace(
                circle=circle,
                source=CirclePlace.Source.OSM,
                change=change_new,
                **_place_fields(place),
            )
            for place in plan.new
        ]
    )
    if first:
        summary.unchanged = len(result.places)
    _update_own_places(circle, timed)
    old_file = circle.computed_file
    circle.extract = extract
    circle.computed_at = timezone.now()
    circle.computed_by = acting_user(by)
    circle.walk_area = _area_geometry(result.walk)
    circle.bike_area = _area_geometry(result.bike)
    circle.walk_touches_edge = bool(result.walk.touches_edge)
    circle.bike_touches_edge = bool(result.bike.touches_edge)
    circle.start_snapped_metres = round(float(result.start_snapped_metres), 1)
    circle.view_bbox = [round(v, 6) for v in result.bbox]
    circle.computed_file = computed_file
    circle.last_changes = summary.as_json()
    _save(circle)
    if old_file and old_file != computed_file:
        transaction.on_commit(lambda: storage.remove(old_file))
    return summary


def _update_own_places(circle: Circle, timed: dict[int, tuple[float | None, float | None]]) -> None:
    """The staff's own places get the minutes timed for them (none when out of reach)."""
    own = list(circle.places.filter(source=CirclePlace.Source.OWN))
    for row in own:
        walk, bike = timed.get(row.pk, (None, None))
        row.walk_minutes, row.bike_minutes = _round_minutes(walk), _round_minutes(bike)
    if own:
        CirclePlace.objects.bulk_update(own, ["walk_minutes", "bike_minutes"])


def time_points(
    data: types.MapData,
    lat: float,
    lon: float,
    settings: types.Settings,
    points: Sequence[tuple[float, float]],
) -> list[tuple[float | None, float | None]]:
    """Walking and cycling minutes from (lat, lon) to each point, None beyond the limits.

    As the engine times its candidates: the network time to the point's nearest network node
    plus the straight line from there (a point farther than ``places.MAX_ACCESS_M`` from the
    network is not reachable).
    """
    if not points:
        return []
    from borneliv.nearby import places as engine_places
    from borneliv.nearby import reach

    lats = np.array([p[0] for p in points], dtype=np.float64)
    lons = np.array([p[1] for p in points], dtype=np.float64)
    columns: list[list[float | None]] = []
    for network, speed, limit in zip(
        _engine().networks(data),
        (settings.walk_kmh, settings.bike_kmh),
        (settings.walk_minutes, settings.bike_minutes),
        strict=True,
    ):
        try:
            trip = reach.travel(network, lat, lon, speed_kmh=speed, minutes=limit)
        except ValueError:
            columns.append([None] * len(points))
            continue
        vertex, access = network.nearest(lats, lons)
        metres = trip.snap_m + trip.dist_m[vertex] + access
        metres = np.where(access <= engine_places.MAX_ACCESS_M, metres, np.inf)
        minutes = metres / (speed * 1000.0 / 60.0)
        columns.append(
            [round(float(m), 1) if np.isfinite(m) and m <= limit + 1e-9 else None for m in minutes]
        )
    return list(zip(columns[0], columns[1], strict=True))


# --- settings, curation, own places, the public link ---------------------------------------------


def circle_update_settings(
    *,
    by: Actor,
    institution: Institution,
    walk_kmh: float,
    bike_kmh: float,
    walk_minutes: int,
    bike_minutes: int,
    version: int | None = None,
) -> ChangeSummary | None:
    """Change the speeds and limits; recompute when the circle was computed before.

    ``version``: the circle's version the settings form showed (``EditConflict`` if older).
    """
    require(by, "nearby.change_circle", institution)
    with transaction.atomic():
        circle = circle_get_or_create(institution=institution)
        circle = Circle.objects.select_for_update().get(pk=circle.pk)
        claim_version(circle, version)
        circle.walk_kmh = walk_kmh
        circle.bike_kmh = bike_kmh
        circle.walk_minutes = walk_minutes
        circle.bike_minutes = bike_minutes
        _save(circle)
    if circle.computed_at is None and latest_extract(institution.municipality_id) is None:
        return None
    return circle_compute(institution=institution, by=by)


def _goals(goals: Iterable[Goal | int]) -> list[Goal]:
    ids = [g.pk if isinstance(g, Goal) else int(g) for g in goals]
    found = list(Goal.objects.filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise ValidationError({"goals": _("Choose goals of the programme.")})
    return found


def _clean_text(value: str, limit: int) -> str:
    return " ".join(value.split())[:limit]


@transaction.atomic
def place_curate(
    *,
    by: Actor,
    place: CirclePlace,
    included: bool,
    display_name: str = "",
    description: str = "",
    goals: Iterable[Goal | int] = (),
    version: int | None = None,
) -> CirclePlace:
    """The staff's choices for one place: on the circle or not, its name, description, goals.

    ``version``: the place's version the form showed (``EditConflict`` if someone saved since).
    """
    require(by, "nearby.change_circle", place.circle.institution)
    place = CirclePlace.objects.select_for_update().get(pk=place.pk)
    claim_version(place, version)
    if place.is_own and not _clean_text(display_name, 120):
        raise ValidationError({"display_name": _("Give your own place a name.")})
    place.included = included
    place.display_name = _clean_text(display_name, 120)
    if place.display_name and place.display_name == place.osm_name:
        place.display_name = ""
    place.description = description.strip()[:300]
    _save(place)
    place.goals.set(_goals(goals))
    return place


@transaction.atomic
def places_include(
    *,
    by: Actor,
    circle: Circle,
    included_ids: Iterable[int],
    shown_ids: Iterable[int] | None = None,
) -> int:
    """Put the places ``included_ids`` on the circle and take the others off (the checkboxes).

    ``shown_ids``: the places that were on the circle when the list was shown. Then only the
    boxes the user ticked or unticked change anything, so a list opened before someone else's
    change does not undo it (a lost update); without it, exactly ``included_ids`` end up on the
    circle. Returns how many places changed. Ids of other circles are refused.
    """
    require(by, "nearby.change_circle", circle.institution)
    wanted = {int(pk) for pk in included_ids}
    shown = None if shown_ids is None else {int(pk) for pk in shown_ids}
    rows = list(circle.places.select_for_update().order_by("pk"))
    strangers = (wanted | (shown or set())) - {row.pk for row in rows}
    if strangers:
        raise ValidationError(_("Some of the places chosen are not on this circle."))
    changed = 0
    for row in rows:
        value = row.pk in wanted
        if shown is not None and value == (row.pk in shown):
            continue  # the user left this box as it was shown
        if row.included != value:
            row.included = value
            claim_version(row, None)
            row.save(update_fields=["included", "lock_version"])  # one history row per change
            changed += 1
    return changed


@transaction.atomic
def place_add_own(
    *,
    by: Actor,
    circle: Circle,
    latitude: float,
    longitude: float,
    name: str,
    description: str = "",
    category: str = "own",
    goals: Iterable[Goal | int] = (),
) -> CirclePlace:
    """Add a place of the staff's own (clicked on the map); it goes on the circle."""
    institution = circle.institution
    require(by, "nearby.change_circle", institution)
    name = _clean_text(name, 120)
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("Give the place a name.")
    if category not in CATEGORY_LABELS:
        errors["category"] = _("Choose a category.")
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        errors["latitude"] = _("Click on the map to place it.")
    elif (
        distance_m(
            latitude, longitude, float(institution.latitude or 0), float(institution.longitude or 0)
        )
        > OWN_PLACE_MAX_METRES
    ):
        errors["latitude"] = _("The place lies too far from the institution; click on the map.")
    if errors:
        raise ValidationError(errors)
    walk, bike = _own_minutes(circle, latitude, longitude)
    place = _save(
        CirclePlace(
            circle=circle,
            source=CirclePlace.Source.OWN,
            category=category,
            display_name=name,
            description=description.strip()[:300],
            latitude=round(latitude, 6),
            longitude=round(longitude, 6),
            walk_minutes=walk,
            bike_minutes=bike,
            included=True,
            created_by=acting_user(by),
        )
    )
    place.goals.set(_goals(goals))
    return place


def _own_minutes(circle: Circle, lat: float, lon: float) -> tuple[float | None, float | None]:
    """Minutes to a new own place from the data the circle was computed from (if at hand)."""
    extract = circle.extract
    institution = circle.institution
    if extract is None or not institution.has_location:
        return (None, None)
    try:
        data = storage.extract_read(extract.stored_file)
    except storage.StoredDataMissing:
        return (None, None)
    ((walk, bike),) = time_points(
        data,
        float(institution.latitude or 0),
        float(institution.longitude or 0),
        circle_settings(circle),
        [(lat, lon)],
    )
    return (walk, bike)


@transaction.atomic
def place_remove(*, by: Actor, place: CirclePlace) -> None:
    """Remove an own place, or a place no longer found in the map data."""
    require(by, "nearby.change_circle", place.circle.institution)
    if not (place.is_own or place.is_gone):
        raise ValidationError(
            _("Places found in the map data are taken off the circle, not removed.")
        )
    place.delete()


@transaction.atomic
def token_rotate(*, by: Actor, circle: Circle, seen_token: str | None = None) -> Circle:
    """A new public link; the old one stops working at once.

    ``seen_token``: the link the page showed. If someone renewed it since, nothing happens
    (``StateChanged``): renewing twice would silently void the link the first one just printed.
    """
    require(by, "nearby.change_circle", circle.institution)
    circle = Circle.objects.select_for_update().get(pk=circle.pk)
    if seen_token is not None and not secrets.compare_digest(seen_token, circle.public_token):
        raise StateChanged(
            _("The link was renewed already, at %(time)s; the new link is shown.")
            % {
                "time": timezone.localtime(circle.token_rotated_at or timezone.now()).strftime(
                    "%d.%m.%Y %H:%M"
                )
            }
        )
    claim_version(circle, None)
    old = circle.public_token
    while circle.public_token == old:
        circle.public_token = Circle._meta.get_field("public_token").get_default()
    circle.token_rotated_at = timezone.now()
    return _save(circle)
