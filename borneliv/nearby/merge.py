"""Merging a new computation's candidates into a circle's known places, without Django.

``merge_places`` pairs the places a circle already has (``KnownPlace``, plain data read from its
rows) with the engine's candidates: by OSM key; then by the same (normalised) name within
``MATCH_METRES``, or, both nameless, by category within ``MATCH_NAMELESS_METRES``, nearest first.
What is left is new or gone. ``services.circle_compute`` reads the rows and writes the plan.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import borneliv.nearby.types as types
from borneliv.nearby.geo import distance_m

#: A candidate whose OSM id changed is the same place when it has the same name and lies within
#: this distance.
MATCH_METRES = 50.0
#: Nameless candidates (a playground without a name) match by category within this distance.
MATCH_NAMELESS_METRES = 20.0
#: A matched place "moved" when its point moved more than this.
MOVED_METRES = 25.0
#: ``CirclePlace.Change.GONE``: a known place that was not found last time.
GONE = "gone"


@dataclass
class KnownPlace:
    """A circle's existing OSM place, as the merge sees it."""

    pk: int
    osm_key: str
    name: str
    category: str
    lat: float
    lon: float
    change: str


@dataclass
class Match:
    pk: int
    place: types.Place
    details: list[str]


@dataclass
class MergePlan:
    matched: list[Match]
    new: list[types.Place]
    gone: list[tuple[int, list[str]]]  # pk, why


def found_name(place: types.Place) -> str:
    """The candidate's name in the map data ("" when OSM gives none)."""
    return place.name if getattr(place, "named", True) else ""


def normalised(name: str) -> str:
    text = unicodedata.normalize("NFKC", name).casefold()
    return " ".join(text.split())


def merge_places(
    known: Sequence[KnownPlace], found: Sequence[types.Place], *, still_in_data: set[str]
) -> MergePlan:
    """Pair the circle's known places with the engine's candidates.

    First by OSM key; then, among the rest, by the same (normalised) name within
    ``MATCH_METRES`` — or, both nameless, by the same category within ``MATCH_NAMELESS_METRES``
    — nearest first. ``still_in_data`` holds the keys of every feature in the new data: a known
    place not found on the circle but still in the data has fallen out of reach (new settings),
    otherwise it is no longer in the map data.
    """
    unique: dict[str, types.Place] = {}
    for place in found:
        unique.setdefault(place.key, place)
    found = list(unique.values())
    by_key = {k.osm_key: k for k in known}
    matched: list[Match] = []
    rest_found: list[types.Place] = []
    used: set[int] = set()
    for place in found:
        known_place = by_key.get(place.key)
        if known_place is not None and known_place.pk not in used:
            used.add(known_place.pk)
            matched.append(Match(known_place.pk, place, _differences(known_place, place)))
        else:
            rest_found.append(place)
    rest_known = [k for k in known if k.pk not in used]
    pairs: list[tuple[float, int, int]] = []
    for i, place in enumerate(rest_found):
        name = normalised(found_name(place))
        for j, known_place in enumerate(rest_known):
            same_name = bool(name) and name == normalised(known_place.name)
            nameless = not name and not known_place.name and place.category == known_place.category
            if not (same_name or nameless):
                continue
            metres = distance_m(place.lat, place.lon, known_place.lat, known_place.lon)
            if metres <= (MATCH_METRES if same_name else MATCH_NAMELESS_METRES):
                pairs.append((metres, i, j))
    taken_found: set[int] = set()
    taken_known: set[int] = set()
    for _metres, i, j in sorted(pairs):
        if i in taken_found or j in taken_known:
            continue
        taken_found.add(i)
        taken_known.add(j)
        known_place = rest_known[j]
        details = ["osm_id", *_differences(known_place, rest_found[i])]
        matched.append(Match(known_place.pk, rest_found[i], details))
    new = [p for i, p in enumerate(rest_found) if i not in taken_found]
    gone = [
        (k.pk, ["out_of_reach" if k.osm_key in still_in_data else "not_in_data"])
        for j, k in enumerate(rest_known)
        if j not in taken_known
    ]
    return MergePlan(matched=matched, new=new, gone=gone)


def _differences(known: KnownPlace, place: types.Place) -> list[str]:
    details = []
    if known.change == GONE:
        details.append("back")
    if normalised(known.name) != normalised(found_name(place)):
        details.append("name")
    if known.category != place.category:
        details.append("category")
    if distance_m(known.lat, known.lon, place.lat, place.lon) > MOVED_METRES:
        details.append("moved")
    return details
