"""Candidate places for the Nærhedscirkel: OSM tags → categories, noise filtered, duplicates merged.

``CATEGORIES`` is the configurable table: per category a code, a Danish and an English label
(plain data: the Django layer names categories through its own translated mapping), the tag
rules that make a feature one of it and the rules that exclude it. The first category whose
rule matches wins, so order matters (a ``leisure=sports_centre`` with ``sport=swimming`` is a
swimming pool, not a sports hall).

Tag conditions are short strings, all of a rule's conditions must hold:

* ``"k"`` the key is present; ``"!k"`` it is absent;
* ``"k=a|b"`` the value is one of a, b; ``"!k=a|b"`` it is none of them (or absent);
* ``"k~a|b"`` one of the ``;``-separated values is a or b; ``"!k~a|b"`` none is.

Nameless clutter: an unnamed feature is kept only where its rule gives a display name for
unnamed ones (playgrounds, parks, nature areas, pitches, fire places, viewpoints …) and, for
areas, only when it is at least ``unnamed_min_area_m2`` large. ``Place.named`` is then False
and the place gets a name a parent can find, made of that word and the nearest named street
(else named path, else named place): "Legeplads ved Langøgade", in Danish and English
(``made_names``); places of a circle that end up with the same name are told apart by direction
or number, "Legeplads ved Langøgade (nord)" (``distinguish``).
Rules marked ``named_only`` never keep an unnamed feature (lakes, theatres, farms).

Duplicates are merged: a node inside an area of the same category (the playground's node inside
the playground's outline), and features of the same category and the same name whose points lie
within ``MERGE_RADIUS_M`` of each other (unnamed ones count by their display name, so a row of
unnamed pitches becomes one "Boldbane"). The kept feature is the largest; it is reached from any
of the merged features' points.

Travel minutes: network time from the start to the network node nearest the place, plus the
straight-line access from that node to the place at the mode's speed. The cycling minutes are
never more than the walking minutes (one can push the bike where it may not be ridden). Areas (parks, woods, lakes)
are reached from any network node inside them or within ``EDGE_ACCESS_M`` of their outline (at
that node's distance to the outline), so a big park is "2 minutes away" at its gate, not at its
middle.
"""

from __future__ import annotations

import math
import re
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from borneliv.nearby.types import Coords, Feature, MapData, Place

if TYPE_CHECKING:
    from borneliv.nearby.network import Network
    from borneliv.nearby.reach import Travel

#: Same category, same name, points closer than this: one place.
MERGE_RADIUS_M = 100.0
#: Network nodes this close to an area's outline (or inside it) reach the area.
EDGE_ACCESS_M = 50.0
#: A place farther than this from any network node is not reachable on foot or by bike.
MAX_ACCESS_M = 400.0

_EARTH_M_PER_DEG = 111_320.0


@dataclass(frozen=True)
class TagRule:
    """All of ``when`` must hold. ``unnamed_da``/``unnamed_en`` override the category's."""

    when: tuple[str, ...]
    named_only: bool = False
    unnamed_da: str | None = None
    unnamed_en: str | None = None
    unnamed_min_area_m2: float | None = None


@dataclass(frozen=True)
class Category:
    code: str
    label_da: str
    label_en: str
    rules: tuple[TagRule, ...]
    exclude: tuple[tuple[str, ...], ...] = ()  # any rule holding excludes the feature
    exclude_name: str | None = None  # a regular expression (case-insensitive) on the name
    unnamed_da: str | None = None  # None: unnamed features of this category are clutter
    unnamed_en: str | None = None
    unnamed_min_area_m2: float = 0.0


_PRIVATE = ("access=private|no|customers",)
_GYM_NAMES = r"fitness|\bsats\b|puregym|crossfit|\bgym\b|\bloop\b"

#: The category table. Codes are stable: the Django layer, stored curations and the poster use them.
CATEGORIES: tuple[Category, ...] = (
    Category(
        "playground",
        "Legeplads",
        "Playground",
        rules=(TagRule(("leisure=playground",)),),
        exclude=(_PRIVATE,),
        unnamed_da="Legeplads",
        unnamed_en="Playground",
    ),
    Category(
        "swimming",
        "Svømmehal og friluftsbad",
        "Swimming pool",
        rules=(
            TagRule(("leisure=sports_centre", "sport~swimming")),
            TagRule(("leisure=water_park",)),
            TagRule(("amenity=public_bath",)),
            TagRule(("leisure=swimming_pool",)),
        ),
        exclude=(
            _PRIVATE,
            # A pool in a garden or a hotel: unnamed, not for swimming sport, no public access.
            ("leisure=swimming_pool", "!name", "!sport~swimming", "!access=yes|public|permissive"),
            ("leisure=swimming_pool", "location=indoor", "!name"),
        ),
        unnamed_da="Svømmebad",
        unnamed_en="Swimming pool",
    ),
    Category(
        "park",
        "Park",
        "Park",
        rules=(
            TagRule(("leisure=park",)),
            TagRule(("landuse=village_green",)),
            TagRule(("leisure=garden", "garden:type=botanical|community|public")),
            TagRule(("leisure=garden", "access=yes|public|permissive"), named_only=True),
            TagRule(("landuse=recreation_ground",)),
            TagRule(("leisure=recreation_ground",), named_only=True),
        ),
        exclude=(("access=private|no",),),
        unnamed_da="Park",
        unnamed_en="Park",
        unnamed_min_area_m2=2_000.0,
    ),
    Category(
        "nature",
        "Skov og natur",
        "Woods and nature",
        rules=(
            TagRule(("landuse=forest",)),
            TagRule(("natural=wood",)),
            TagRule(("leisure=nature_reserve",)),
            TagRule(("boundary=national_park",), named_only=True),
            TagRule(("natural=heath",)),
            TagRule(("natural=wetland",), named_only=True),
            TagRule(("landuse=meadow",), named_only=True),
            TagRule(("natural=grassland",), named_only=True),
        ),
        exclude=(("access=private|no",),),
        unnamed_da="Naturområde",
        unnamed_en="Nature area",
        unnamed_min_area_m2=10_000.0,
    ),
    Category(
        "beach",
        "Strand og søbred",
        "Beach and lakeside",
        rules=(
            TagRule(("natural=beach",)),
            TagRule(("leisure=beach_resort",)),
            TagRule(
                ("leisure=bathing_place|swimming_area",),
                unnamed_da="Badested",
                unnamed_en="Bathing place",
            ),
            # Lakes and ponds by name only: an unnamed pond is drawn on the map, not listed.
            TagRule(
                ("natural=water", "!water=river|canal|ditch|drain|stream|wastewater|moat"),
                named_only=True,
            ),
            TagRule(("landuse=reservoir",), named_only=True),
        ),
        exclude=(_PRIVATE,),
        unnamed_da="Strand",
        unnamed_en="Beach",
    ),
    Category(
        "sports",
        "Idrætsanlæg og boldbane",
        "Sports ground or hall",
        rules=(
            TagRule(
                ("leisure=pitch",),
                unnamed_da="Boldbane",
                unnamed_en="Pitch",
                unnamed_min_area_m2=2_500.0,
            ),
            TagRule(("leisure=sports_centre|sports_hall|ice_rink",)),
            TagRule(("leisure=track", "sport~athletics|running")),
            TagRule(("building=sports_hall",), named_only=True),
        ),
        exclude=(
            _PRIVATE,
            # Commercial gyms are not trips for children.
            ("leisure=fitness_centre",),
            ("sport~fitness|bodybuilding|crossfit|yoga|pilates|aerobics",),
        ),
        exclude_name=_GYM_NAMES,
        unnamed_da="Idrætsanlæg",
        unnamed_en="Sports ground",
    ),
    Category(
        "library",
        "Bibliotek",
        "Library",
        rules=(TagRule(("amenity=library",)),),
        exclude=(("access=private|no",),),
        unnamed_da="Bibliotek",
        unnamed_en="Library",
    ),
    Category(
        "farm",
        "Dyr og bondegårde",
        "Farm animals",
        rules=(
            TagRule(
                ("tourism=zoo", "zoo=petting_zoo"), unnamed_da="Dyrepark", unnamed_en="Petting zoo"
            ),
            TagRule(("tourism=zoo",), named_only=True),
            TagRule(("animal_keeping",), named_only=True),
            TagRule(("tourism=attraction", "attraction=animal|farm|animal_park"), named_only=True),
            TagRule(("place=farm|city_farm", "visitor|tourism"), named_only=True),
            TagRule(("landuse=farmyard", "visitor|tourism"), named_only=True),
            TagRule(("building=farm", "visitor|tourism"), named_only=True),
            TagRule(("amenity=city_farm",)),
        ),
        exclude=(("access=private|no",), ("visitor=no",)),
        unnamed_da="Bondegård",
        unnamed_en="Farm",
    ),
    Category(
        "picnic",
        "Picnic- og bålplads",
        "Picnic and fire place",
        rules=(
            TagRule(("tourism=picnic_site",), unnamed_da="Picnicplads", unnamed_en="Picnic site"),
            TagRule(("leisure=firepit",), unnamed_da="Bålplads", unnamed_en="Fire pit"),
            TagRule(("amenity=bbq",), unnamed_da="Grillplads", unnamed_en="Barbecue"),
            TagRule(
                ("amenity=shelter", "shelter_type=lean_to|basic_hut"),
                unnamed_da="Shelter",
                unnamed_en="Shelter",
            ),
        ),
        exclude=(_PRIVATE,),
        unnamed_da="Picnicplads",
        unnamed_en="Picnic site",
    ),
    Category(
        "viewpoint",
        "Udsigtspunkt",
        "Viewpoint",
        rules=(
            TagRule(("tourism=viewpoint",)),
            TagRule(
                ("man_made=tower", "tower:type=observation"),
                unnamed_da="Udsigtstårn",
                unnamed_en="Observation tower",
            ),
        ),
        exclude=(("access=private|no",),),
        unnamed_da="Udsigtspunkt",
        unnamed_en="Viewpoint",
    ),
    Category(
        "culture",
        "Kultur for børn",
        "Culture for children",
        rules=(
            TagRule(("tourism=museum",)),
            TagRule(("amenity=arts_centre",), named_only=True),
            TagRule(("tourism=aquarium",)),
            TagRule(("amenity=planetarium",)),
            # Theatres only where the data say they play for children.
            TagRule(("amenity=theatre", "theatre:genre~children|puppet|puppetry"), named_only=True),
            TagRule(
                ("amenity=theatre", "name/børn|barn|dukke|children|kids|puppet"), named_only=True
            ),
        ),
        exclude=(("access=private|no",),),
        unnamed_da="Museum",
        unnamed_en="Museum",
    ),
)

CATEGORY_BY_CODE: dict[str, Category] = {category.code: category for category in CATEGORIES}


# --- tag conditions --------------------------------------------------------------------------


class _Condition:
    """One parsed condition string (see the module docstring); ``k/regex`` matches the value."""

    __slots__ = ("key", "keys", "kind", "negate", "pattern", "values")

    def __init__(self, text: str) -> None:
        self.negate = text.startswith("!")
        body = text[1:] if self.negate else text
        self.pattern: re.Pattern[str] | None = None
        self.values: frozenset[str] = frozenset()
        for kind in ("=", "~", "/"):
            if kind in body:
                key, _, value = body.partition(kind)
                self.key, self.kind = key, kind
                if kind == "/":
                    self.pattern = re.compile(value, re.IGNORECASE)
                else:
                    self.values = frozenset(value.split("|"))
                break
        else:
            self.key, self.kind = body, ""
            # "k|j": any of the keys is present
        self.keys = tuple(self.key.split("|")) if self.kind == "" else (self.key,)

    def holds(self, tags: dict[str, str]) -> bool:
        if self.kind == "":
            found = any(key in tags for key in self.keys)
        else:
            value = tags.get(self.key)
            if value is None:
                found = False
            elif self.kind == "=":
                found = value in self.values
            elif self.kind == "~":
                found = any(part.strip() in self.values for part in value.split(";"))
            else:
                assert self.pattern is not None
                found = self.pattern.search(value) is not None
        return found != self.negate


class _Compiled:
    """A category table prepared for fast matching."""

    def __init__(self, categories: Sequence[Category]) -> None:
        self.categories = tuple(categories)
        self.rules = [
            [(rule, [_Condition(c) for c in rule.when]) for rule in category.rules]
            for category in self.categories
        ]
        self.excludes = [
            [[_Condition(c) for c in rule] for rule in category.exclude]
            for category in self.categories
        ]
        self.names = [
            re.compile(category.exclude_name, re.IGNORECASE) if category.exclude_name else None
            for category in self.categories
        ]
        # A feature can only match when one of its (key, value) pairs triggers a rule's first
        # condition: key → the values that do (None: any value).
        self.triggers: dict[str, set[str] | None] = {}
        for category in self.categories:
            for rule in category.rules:
                first = _Condition(rule.when[0])
                for key in first.keys:
                    if first.kind == "=" and not first.negate:
                        known = self.triggers.get(key, set())
                        if known is not None:
                            self.triggers[key] = known | set(first.values)
                    else:
                        self.triggers[key] = None

    def could_match(self, pairs: Iterable[Any]) -> bool:
        """Whether any (key, value) pair may start a rule (a dict's items or pyosmium's tags)."""
        triggers = self.triggers
        for key, value in pairs:
            if key in triggers:
                values = triggers[key]
                if values is None or value in values:
                    return True
        return False

    def classify(self, tags: dict[str, str], area_m2: float) -> tuple[int, str, str, bool] | None:
        """(category index, Danish name, English name, named) or None when not a place."""
        if not self.could_match(tags.items()):
            return None
        name = (tags.get("name") or tags.get("name:da") or "").strip()
        for index, category in enumerate(self.categories):
            for rule, conditions in self.rules[index]:
                if not all(condition.holds(tags) for condition in conditions):
                    continue
                if any(all(c.holds(tags) for c in rule_) for rule_ in self.excludes[index]):
                    return None
                pattern = self.names[index]
                if pattern is not None and name and pattern.search(name):
                    return None
                if name:
                    return index, name, name, True
                if rule.named_only:
                    return None
                unnamed_da = rule.unnamed_da or category.unnamed_da
                unnamed_en = rule.unnamed_en or category.unnamed_en or unnamed_da
                if unnamed_da is None or unnamed_en is None:
                    return None
                min_area = (
                    rule.unnamed_min_area_m2
                    if rule.unnamed_min_area_m2 is not None
                    else category.unnamed_min_area_m2
                )
                if min_area > 0 and area_m2 < min_area:
                    return None
                return index, unnamed_da, unnamed_en, False
        return None


_DEFAULT = _Compiled(CATEGORIES)


def _compiled(categories: Sequence[Category] | None) -> _Compiled:
    if categories is None or tuple(categories) == _DEFAULT.categories:
        return _DEFAULT
    return _Compiled(categories)


def could_be_place(pairs: Iterable[Any], categories: Sequence[Category] | None = None) -> bool:
    """A quick test for the reader: may an object with these (key, value) tags become a place?

    Broad: no exclusions. Takes a dict's ``items()`` or pyosmium's tag list.
    """
    return _compiled(categories).could_match(pairs)


def categorise(
    tags: dict[str, str], area_m2: float = 0.0, categories: Sequence[Category] | None = None
) -> tuple[str, str, bool] | None:
    """The category code, display name (Danish) and whether it is named; None: not a place."""
    found = _compiled(categories).classify(tags, area_m2)
    if found is None:
        return None
    index, name_da, _, named = found
    return _compiled(categories).categories[index].code, name_da, named


# --- the catalogue: categorised, merged, start-independent ----------------------------------


@dataclass
class Catalogue:
    """The places of a map, before travel times: computed once per map and category table."""

    features: list[Feature]
    codes: list[str]
    names: list[str]  # Danish: the OSM name, or the category's word for an unnamed place
    named: list[bool]
    # The representative point of each merged feature, and the place it belongs to.
    point_lat: npt.NDArray[np.float64]
    point_lon: npt.NDArray[np.float64]
    point_owner: npt.NDArray[np.int64]
    # The outlines of the merged areas, and the place each belongs to.
    outlines: list[Coords]
    outline_owner: npt.NDArray[np.int64]
    # Per network (by id): (place, vertex, access metres) triples through which places are
    # reached (cached).
    access: dict[
        int, tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float64]]
    ] = field(default_factory=dict)
    # English beside ``names`` (the same where OSM names the place).
    names_en: list[str] = field(default_factory=list)
    # Per unnamed place (by index): its made name in Danish and English (cached).
    made_names: dict[int, tuple[str, str]] = field(default_factory=dict)
    landmarks: Landmarks | None = None  # the named streets, paths and places (cached)


def _project(
    lat: npt.NDArray[np.float64], lon: npt.NDArray[np.float64], lat0: float
) -> npt.NDArray[np.float64]:
    scale = math.cos(math.radians(lat0))
    return np.column_stack((lon * _EARTH_M_PER_DEG * scale, lat * _EARTH_M_PER_DEG))


def _merge(
    features: list[Feature], codes: list[str], names: list[str]
) -> tuple[list[int], dict[int, list[int]]]:
    """Indices of the kept features and, per kept one, the indices merged into it (itself first)."""
    count = len(features)
    parent = list(range(count))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        a, b = find(i), find(j)
        if a != b:
            parent[max(a, b)] = min(a, b)

    if count > 1:
        from scipy.spatial import cKDTree

        lat = np.array([f.lat for f in features])
        lon = np.array([f.lon for f in features])
        xy = _project(lat, lon, float(lat.mean()))
        pairs = cKDTree(xy).query_pairs(MERGE_RADIUS_M, output_type="ndarray")
        keys = [(code, name.casefold()) for code, name in zip(codes, names, strict=True)]
        for i, j in pairs.tolist():
            if keys[i] == keys[j]:
                union(i, j)
        # A node inside an area of the same category is the same place.
        areas = [i for i, f in enumerate(features) if len(f.outline) >= 4]
        nodes = [i for i, f in enumerate(features) if f.osm_type == "node"]
        if areas and nodes:
            import shapely

            polygons = np.array([shapely.Polygon(features[i].outline) for i in areas], dtype=object)
            points = shapely.points([(features[i].lon, features[i].lat) for i in nodes])
            tree = shapely.STRtree(polygons)
            point_idx, polygon_idx = tree.query(points, predicate="within")
            for p, q in zip(point_idx.tolist(), polygon_idx.tolist(), strict=True):
                node, area = nodes[p], areas[q]
                if codes[node] == codes[area]:
                    union(node, area)
    groups: dict[int, list[int]] = {}
    for i in range(count):
        groups.setdefault(find(i), []).append(i)
    kept: list[int] = []
    members: dict[int, list[int]] = {}
    rank = {"relation": 0, "way": 1, "node": 2}
    for group in groups.values():
        best = min(
            group,
            key=lambda i: (-features[i].area_m2, rank[features[i].osm_type], features[i].osm_id),
        )
        kept.append(best)
        members[best] = [best, *(i for i in group if i != best)]
    kept.sort()
    return kept, members


def catalogue(data: MapData, categories: Sequence[Category] | None = None) -> Catalogue:
    """The map's places, categorised, cleaned and merged (cached per map and table)."""
    cache = cache_for(data)
    key = ("catalogue", None if categories is None else tuple(categories))
    found = cache.get(key)
    if found is not None:
        return found
    table = _compiled(categories)
    features: list[Feature] = []
    codes: list[str] = []
    names: list[str] = []
    names_en: list[str] = []
    named: list[bool] = []
    for feature in data.features:
        found_ = table.classify(feature.tags, feature.area_m2)
        if found_ is None:
            continue
        index, name_da, name_en, is_named = found_
        features.append(feature)
        codes.append(table.categories[index].code)
        names.append(name_da)
        names_en.append(name_en)
        named.append(is_named)
    kept, members = _merge(features, codes, names)
    lat_list: list[float] = []
    lon_list: list[float] = []
    owner: list[int] = []
    outlines: list[Coords] = []
    outline_owner: list[int] = []
    out_features, out_codes, out_names, out_named, out_names_en = [], [], [], [], []
    for place, index in enumerate(kept):
        # A named member lends its name to an unnamed kept area (the park's name on its node).
        name, name_en, is_named = names[index], names_en[index], named[index]
        if not is_named:
            for other in members[index]:
                if named[other]:
                    name, name_en, is_named = names[other], names_en[other], True
                    break
        for member in members[index]:
            lat_list.append(features[member].lat)
            lon_list.append(features[member].lon)
            owner.append(place)
            if len(features[member].outline) >= 4:
                outlines.append(features[member].outline)
                outline_owner.append(place)
        out_features.append(features[index])
        out_codes.append(codes[index])
        out_names.append(name)
        out_names_en.append(name_en)
        out_named.append(is_named)
    result = Catalogue(
        features=out_features,
        codes=out_codes,
        names=out_names,
        named=out_named,
        point_lat=np.array(lat_list, dtype=np.float64),
        point_lon=np.array(lon_list, dtype=np.float64),
        point_owner=np.array(owner, dtype=np.int64),
        outlines=outlines,
        outline_owner=np.array(outline_owner, dtype=np.int64),
        names_en=out_names_en,
    )
    cache[key] = result
    return result


def _access(
    cat: Catalogue, network: Network
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """(place, vertex, metres): the network vertices from which each place is reached."""
    cached = cat.access.get(id(network))
    if cached is not None:
        return cached
    vertex, metres = network.nearest(cat.point_lat, cat.point_lon)
    near = metres <= MAX_ACCESS_M
    owners = [cat.point_owner[near]]
    vertices = [vertex[near]]
    access = [metres[near]]
    if cat.outlines and network.size:
        import shapely

        rings = [np.asarray(ring, dtype=np.float64) for ring in cat.outlines]
        polygons = shapely.make_valid(
            np.array(
                [shapely.Polygon(network.project(ring[:, 1], ring[:, 0])) for ring in rings],
                dtype=object,
            )
        )
        points = shapely.points(network.project(network.lat, network.lon))
        point_idx, polygon_idx = shapely.STRtree(polygons).query(
            points, predicate="dwithin", distance=EDGE_ACCESS_M
        )
        owners.append(cat.outline_owner[polygon_idx])
        vertices.append(point_idx.astype(np.int64))
        access.append(shapely.distance(points[point_idx], polygons[polygon_idx]))
    found = (
        np.concatenate(owners).astype(np.int64),
        np.concatenate(vertices).astype(np.int64),
        np.concatenate(access).astype(np.float64),
    )
    cat.access[id(network)] = found
    return found


def _minutes(cat: Catalogue, travel: Travel) -> npt.NDArray[np.float64]:
    """Per place: minutes by the travel's mode (inf where beyond its limit)."""
    best = np.full(len(cat.features), np.inf)
    if not cat.features:
        return best
    owner, vertex, access = _access(cat, travel.network)
    total = travel.snap_m + travel.dist_m[vertex] + access
    np.minimum.at(best, owner, total)
    minutes = best / (travel.speed_kmh * 1000.0 / 60.0)
    return np.where(minutes <= travel.minutes + 1e-9, minutes, np.inf)


def candidates(
    data: MapData,
    walk: Travel,
    bike: Travel,
    *,
    categories: Sequence[Category] | None = None,
) -> list[Place]:
    """The places reachable on foot or by bike within the limits, nearest on foot first."""
    cat = catalogue(data, categories)
    walk_min = _minutes(cat, walk)
    # A cyclist can push the bike: where walking is quicker (through a park with paths closed to
    # bikes), that is the time with the bike too, if it is within the cycling limit.
    bike_min = np.minimum(_minutes(cat, bike), np.where(walk_min <= bike.minutes, walk_min, np.inf))
    reached = np.flatnonzero(np.isfinite(walk_min) | np.isfinite(bike_min)).tolist()
    made = made_names(data, cat, [i for i in reached if not cat.named[i]])
    places: list[Place] = []
    for i in reached:
        feature = cat.features[i]
        name, name_en = made.get(i, (cat.names[i], ""))
        places.append(
            Place(
                key=f"osm:{feature.osm_type}/{feature.osm_id}",
                osm_type=feature.osm_type,
                osm_id=feature.osm_id,
                category=cat.codes[i],
                name=name,
                name_en=name_en,
                lat=feature.lat,
                lon=feature.lon,
                walk_minutes=_round(walk_min[i]),
                bike_minutes=_round(bike_min[i]),
                tags=dict(feature.tags),
                named=cat.named[i],
            )
        )
    distinguish(places, lat0=_centre_lat(data))
    places.sort(
        key=lambda p: (
            p.walk_minutes if p.walk_minutes is not None else math.inf,
            p.bike_minutes if p.bike_minutes is not None else math.inf,
            p.name,
        )
    )
    return places


# --- names for places OpenStreetMap leaves unnamed ----------------------------------------------

#: An unnamed place is named after the nearest named street within this distance, else the
#: nearest named path, else the nearest named place ("Legeplads ved Langøgade").
NEAR_NAME_M = 250.0
#: Ways a parent knows less readily by name than streets: used only when no named street is near.
PATH_HIGHWAYS = frozenset(
    {"footway", "path", "cycleway", "track", "steps", "bridleway", "corridor"}
)
#: How a made name reads, by language: near a street or place, or inside a named area.
NAME_FORMS: dict[str, dict[str, str]] = {
    "da": {"near": "{what} ved {name}", "in": "{what} i {name}"},
    "en": {"near": "{what} near {name}", "in": "{what} in {name}"},
}
#: The eight directions from north clockwise, by language: what tells two same names apart.
DIRECTIONS: dict[str, tuple[str, ...]] = {
    "da": ("nord", "nordøst", "øst", "sydøst", "syd", "sydvest", "vest", "nordvest"),
    "en": ("north", "northeast", "east", "southeast", "south", "southwest", "west", "northwest"),
}
#: Places of the same name closer than this to each other (or to their middle) cannot be told
#: apart by direction: they are numbered instead.
SAME_SPOT_M = 10.0


@dataclass
class Named:
    """Named lines or areas of one kind, in metres around ``Landmarks.lat0``, with a tree."""

    names: list[str]
    geometries: npt.NDArray[np.object_]
    areas: npt.NDArray[np.bool_]  # a polygon (one can be *in* it), not a line or a point
    tree: Any  # shapely.STRtree


@dataclass
class Landmarks:
    """What a place without a name is named after: named streets, named paths, named places."""

    lat0: float
    streets: Named | None
    paths: Named | None
    places: Named | None


def _centre_lat(data: MapData) -> float:
    south, _west, north, _east = data.bbox
    return (south + north) / 2


def _named(items: list[tuple[str, Any, bool]]) -> Named | None:
    import shapely

    if not items:
        return None
    geometries = np.array([geometry for _, geometry, _ in items], dtype=object)
    return Named(
        names=[name for name, _, _ in items],
        geometries=geometries,
        areas=np.array([area for _, _, area in items], dtype=bool),
        tree=shapely.STRtree(geometries),
    )


def _geometry(feature: Feature, lat0: float) -> Any:
    """A feature in metres: its outline as a polygon where it has one, else its point."""
    import shapely

    if len(feature.outline) >= 4:
        ring = np.asarray(feature.outline, dtype=np.float64)
        polygon = shapely.make_valid(shapely.Polygon(_project(ring[:, 1], ring[:, 0], lat0)))
        if not polygon.is_empty:
            return polygon
    return shapely.Point(_project(np.array([feature.lat]), np.array([feature.lon]), lat0)[0])


def landmarks(data: MapData, cat: Catalogue) -> Landmarks:
    """The named streets and paths of the map's network and its named places (cached)."""
    if cat.landmarks is not None:
        return cat.landmarks
    import shapely

    lat0 = _centre_lat(data)
    streets: list[tuple[str, Any, bool]] = []
    paths: list[tuple[str, Any, bool]] = []
    for nodes, tags in zip(data.way_nodes, data.way_tags, strict=True):
        name = (tags.get("name") or tags.get("name:da") or "").strip()
        if not name or len(nodes) < 2:
            continue
        line = shapely.LineString(_project(data.lat[nodes], data.lon[nodes], lat0))
        (paths if tags.get("highway") in PATH_HIGHWAYS else streets).append((name, line, False))
    places = [
        (name, geometry, geometry.geom_type != "Point")
        for feature, name, is_named in zip(cat.features, cat.names, cat.named, strict=True)
        if is_named
        for geometry in [_geometry(feature, lat0)]
    ]
    cat.landmarks = Landmarks(lat0, _named(streets), _named(paths), _named(places))
    return cat.landmarks


def made_names(data: MapData, cat: Catalogue, indices: Sequence[int]) -> dict[int, tuple[str, str]]:
    """Danish and English names for the catalogue's unnamed places at ``indices``.

    A parent cannot find "Park" when there are five: the place is named after its kind and the
    nearest named street within ``NEAR_NAME_M`` ("Legeplads ved Langøgade"), else the nearest
    named path, else the nearest named place ("Boldbane i Fælledparken" when inside it). A big
    area touching several streets takes the one nearest its middle. With nothing named near, the
    kind alone remains. Start-independent, so cached with the catalogue; telling apart places
    that end up with the same name is the circle's business (:func:`distinguish`).
    """
    import shapely

    todo = [i for i in dict.fromkeys(indices) if i not in cat.made_names]
    if todo:
        marks = landmarks(data, cat)
        geometries = np.array([_geometry(cat.features[i], marks.lat0) for i in todo], dtype=object)
        points = shapely.points(
            _project(
                np.array([cat.features[i].lat for i in todo]),
                np.array([cat.features[i].lon for i in todo]),
                marks.lat0,
            )
        )
        found: dict[int, tuple[str, str]] = {}  # position in todo → (form, name)
        for kind in (marks.streets, marks.paths, marks.places):
            rest = np.array([k for k in range(len(todo)) if k not in found], dtype=np.int64)
            if kind is None or rest.size == 0:
                continue
            (source, target), distance = kind.tree.query_nearest(
                geometries[rest], max_distance=NEAR_NAME_M, return_distance=True, all_matches=True
            )
            # Ties (an area touching several streets) go to the one nearest the place's point.
            from_point = shapely.distance(points[rest[source]], kind.geometries[target])
            best: dict[int, tuple[float, float, str, int]] = {}
            for s, t, d, p in zip(
                source.tolist(),
                target.tolist(),
                distance.tolist(),
                from_point.tolist(),
                strict=True,
            ):
                candidate = (round(d, 3), round(p, 3), kind.names[t], t)
                if s not in best or candidate < best[s]:
                    best[s] = candidate
            for s, (_d, from_middle, name, t) in best.items():
                inside = kind is marks.places and bool(kind.areas[t]) and from_middle == 0
                found[int(rest[s])] = ("in" if inside else "near", name)
        for k, i in enumerate(todo):
            what_da, what_en = cat.names[i], cat.names_en[i] if cat.names_en else cat.names[i]
            if k in found:
                form, name = found[k]
                cat.made_names[i] = (
                    NAME_FORMS["da"][form].format(what=what_da, name=name),
                    NAME_FORMS["en"][form].format(what=what_en, name=name),
                )
            else:
                cat.made_names[i] = (what_da, what_en)
    return {i: cat.made_names[i] for i in indices}


def directions(xy: npt.NDArray[np.float64]) -> list[int] | None:
    """For places of one name at ``xy`` (metres, y north): a distinct direction for each, as an
    index into ``DIRECTIONS`` (0 north, 2 east …), or None when direction cannot tell them apart.

    Two places: north/south or west/east, along the axis they differ most in. More: their
    directions from the group's middle, in four quarters if that tells them apart, else eight.
    """
    if len(xy) < 2:
        return None
    if len(xy) == 2:
        dx, dy = xy[1] - xy[0]
        if math.hypot(dx, dy) < SAME_SPOT_M:
            return None
        if abs(dy) >= abs(dx):
            return [0, 4] if dy < 0 else [4, 0]
        return [6, 2] if dx > 0 else [2, 6]
    offsets = xy - xy.mean(axis=0)
    if (np.hypot(offsets[:, 0], offsets[:, 1]) < SAME_SPOT_M).any():
        return None
    bearing = np.degrees(np.arctan2(offsets[:, 0], offsets[:, 1])) % 360  # clockwise from north
    for step in (90, 45):
        sectors = (np.round(bearing / step).astype(int) * (step // 45)) % 8
        if len(set(sectors.tolist())) == len(sectors):
            return [int(v) for v in sectors]
    return None


def distinguish(places: list[Place], *, lat0: float) -> None:
    """Tell apart unnamed places that got the same name: "Legeplads ved Langøgade (nord)" and
    "(syd)"; where direction cannot, by number from north to south ("(1)", "(2)" …)."""
    groups: dict[str, list[Place]] = {}
    for place in places:
        if not place.named:
            groups.setdefault(place.name.casefold(), []).append(place)
    for group in groups.values():
        if len(group) < 2:
            continue
        xy = _project(np.array([p.lat for p in group]), np.array([p.lon for p in group]), lat0)
        found = directions(xy)
        if found is None:
            order = sorted(range(len(group)), key=lambda n: (-xy[n, 1], xy[n, 0]))
            suffixes = {n: (str(rank), str(rank)) for rank, n in enumerate(order, start=1)}
        else:
            suffixes = {n: (DIRECTIONS["da"][d], DIRECTIONS["en"][d]) for n, d in enumerate(found)}
        for n, place in enumerate(group):
            da, en = suffixes[n]
            place.name_en = f"{place.name_en or place.name} ({en})"
            place.name = f"{place.name} ({da})"


def _round(minutes: float) -> float | None:
    return round(float(minutes), 1) if math.isfinite(minutes) else None


# --- a cache per MapData (the map is read once and serves many circles) ----------------------

_CACHES: dict[int, dict[Any, Any]] = {}


def cache_for(data: MapData) -> dict[Any, Any]:
    """A dict that lives as long as ``data`` (MapData is unhashable, so keyed by id)."""
    key = id(data)
    cache = _CACHES.get(key)
    if cache is None:
        cache = {}
        _CACHES[key] = cache
        weakref.finalize(data, _CACHES.pop, key, None)
    return cache
