"""The Nærhedscirkel: imported map data, each institution's circle and its curated places.

An ``Extract`` is one OpenStreetMap file imported for a municipality, cut to the area around the
municipality's institutions; its parsed data live in a file under ``settings.NEARBY_DIR``
(``storage.py``), the row records what was read. A municipality's newest extract is the one
circles are computed from.

A ``Circle`` belongs to one institution: its settings (speeds and time limits), the walking and
cycling areas last computed and whether the data edge cut them, and the random token of its public
read-only page for parents. Its ``CirclePlace`` rows are the candidates the engine found (source
``osm``, keyed by OSM id) and the staff's own places (source ``own``). The staff's choices — on the
circle or not, a name of their own, a child-height description, the programme's goals — are kept
across re-imports: ``services.circle_compute`` merges new candidates into the rows (by OSM id,
then by name and position) and marks what changed; a place no longer found stays, as "gone", with
its curation until the staff remove it.

Scope (``visible_to``): administrators see every circle; a project leader those of her
municipality (read-only); a pedagogue or teacher those of her own institutions. Circles are not
personal data; the public page shows only the places put on the circle.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import TYPE_CHECKING, Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from borneliv.accounts.models import Role
from borneliv.lib.fields import user_field
from borneliv.lib.versioning import Versioned
from borneliv.nearby.labels import CATEGORY_CHOICES, category_label

if TYPE_CHECKING:
    from borneliv.accounts.models import User

#: Institutions that can have a circle: daycares and schools (with SFOs and special schools).
CIRCLE_KINDS = ("daycare", "school", "special_school", "sfo")
#: The roles whose own institutions' circles they curate.
STAFF_ROLES = (Role.PEDAGOGUE, Role.TEACHER)


def new_public_token() -> str:
    """A random token for the public link (about 190 bits; URL-safe)."""
    return secrets.token_urlsafe(24)


def staff_institution_ids(user: User | Any) -> frozenset[int]:
    """The institutions whose circles the user curates as staff (pedagogue or teacher)."""
    scope = user.scope
    ids: frozenset[int] = frozenset()
    for role in STAFF_ROLES:
        ids |= scope.institutions_for(role)
    return ids


def institutions_with_circles_q(user: User | Any) -> Q | None:
    """The filter on institutions whose circles ``user`` may open; None: every institution."""
    scope = user.scope
    if scope.is_admin:
        return None
    q = Q(pk__in=sorted(staff_institution_ids(user)))
    if scope.led_municipality_ids:
        q |= Q(municipality_id__in=sorted(scope.led_municipality_ids))
    return q


class ExtractQuerySet(models.QuerySet["Extract"]):
    def visible_to(self, user: User | Any) -> ExtractQuerySet:
        """Extracts of the municipalities whose circles the user may open."""
        if not user.is_authenticated:
            return self.none()
        scope = user.scope
        if scope.is_admin:
            return self.all()
        municipalities = set(scope.led_municipality_ids)
        staff = staff_institution_ids(user)
        if staff:
            return self.filter(
                Q(municipality_id__in=municipalities)
                | Q(municipality__institutions__in=sorted(staff))
            ).distinct()
        return self.filter(municipality_id__in=municipalities)

    def newest_first(self) -> ExtractQuerySet:
        return self.order_by("-imported_at", "-pk")


class Extract(models.Model):
    """An OpenStreetMap extract imported for a municipality (the data kept: around its
    institutions)."""

    municipality = models.ForeignKey(
        "organisations.Municipality",
        on_delete=models.PROTECT,
        related_name="nearby_extracts",
        verbose_name=_("municipality"),
    )
    file_name = models.CharField(_("file name"), max_length=255)
    file_bytes = models.BigIntegerField(_("file size (bytes)"), default=0)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    imported_at = models.DateTimeField(_("imported"), default=timezone.now)
    imported_by = user_field(_("imported by"), on_delete=models.SET_NULL)
    # The bounding box of the data kept (the edge of the known world for the circles).
    south = models.FloatField(_("south"))
    west = models.FloatField(_("west"))
    north = models.FloatField(_("north"))
    east = models.FloatField(_("east"))
    data_timestamp = models.CharField(_("date of the map data"), max_length=40, blank=True)
    nodes = models.PositiveIntegerField(_("nodes kept"), default=0)
    ways = models.PositiveIntegerField(_("paths and streets"), default=0)
    features = models.PositiveIntegerField(_("possible places"), default=0)
    skipped = models.JSONField(_("problems skipped"), default=dict, blank=True)
    stored_file = models.CharField(_("stored data"), max_length=255)
    seconds = models.FloatField(_("import time (s)"), default=0)
    objects = ExtractQuerySet.as_manager()

    class Meta:
        verbose_name = _("map extract")
        verbose_name_plural = _("map extracts")
        ordering = ["-imported_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(south__lte=models.F("north")) & Q(west__lte=models.F("east")),
                name="nearby_extract_bbox_ordered",
            ),
        ]
        indexes = [models.Index(fields=["municipality", "-imported_at"])]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.municipality})"

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return (self.south, self.west, self.north, self.east)

    @property
    def skipped_total(self) -> int:
        return sum(int(v) for v in (self.skipped or {}).values())

    @property
    def data_date(self) -> dt.date | None:
        """The day of the newest change in the map data (the file's ISO timestamp), for showing
        as a date in the reader's format (dd.mm.åååå in Danish); None when unknown."""
        try:
            return dt.date.fromisoformat(self.data_timestamp[:10])
        except ValueError:
            return None

    def contains(self, lat: float, lon: float) -> bool:
        return self.south <= lat <= self.north and self.west <= lon <= self.east


class CircleQuerySet(models.QuerySet["Circle"]):
    def visible_to(self, user: User | Any) -> CircleQuerySet:
        if not user.is_authenticated:
            return self.none()
        q = institutions_with_circles_q(user)
        if q is None:
            return self.all()
        institutions = models.Subquery(
            _institution_model().objects.filter(q).values("pk")  # type: ignore[attr-defined]
        )
        return self.filter(institution__in=institutions)


def _institution_model() -> type[models.Model]:
    from django.apps import apps

    return apps.get_model("organisations", "Institution")


class Circle(Versioned):
    """An institution's Nærhedscirkel: settings, the computed areas, the public token."""

    institution = models.OneToOneField(
        "organisations.Institution",
        on_delete=models.CASCADE,
        related_name="nearby_circle",
        verbose_name=_("institution"),
    )
    walk_kmh = models.FloatField(
        _("walking speed (km/h)"),
        default=4.5,
        validators=[MinValueValidator(1.5), MaxValueValidator(8)],
        help_text=_("Children and adults together: about 3–5 km/h."),
    )
    bike_kmh = models.FloatField(
        _("cycling speed (km/h)"),
        default=15.0,
        validators=[MinValueValidator(4), MaxValueValidator(30)],
        help_text=_("A group with children on bikes or in a cargo bike: about 10–15 km/h."),
    )
    walk_minutes = models.PositiveSmallIntegerField(
        _("walking limit (minutes)"),
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    bike_minutes = models.PositiveSmallIntegerField(
        _("cycling limit (minutes)"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    public_token = models.CharField(
        _("public link token"), max_length=64, unique=True, default=new_public_token
    )
    token_rotated_at = models.DateTimeField(_("public link renewed"), null=True, blank=True)
    # What the last computation found (written by services.circle_compute only).
    extract = models.ForeignKey(
        Extract,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="circles",
        verbose_name=_("map extract"),
    )
    computed_at = models.DateTimeField(_("computed"), null=True, blank=True)
    computed_by = user_field(_("computed by"), on_delete=models.SET_NULL)
    walk_area = models.JSONField(_("walking area (GeoJSON)"), null=True, blank=True)
    bike_area = models.JSONField(_("cycling area (GeoJSON)"), null=True, blank=True)
    walk_touches_edge = models.BooleanField(_("walking area reaches the data edge"), default=False)
    bike_touches_edge = models.BooleanField(_("cycling area reaches the data edge"), default=False)
    start_snapped_metres = models.FloatField(
        _("distance to the nearest path (m)"), null=True, blank=True
    )
    # (south, west, north, east) to show: both areas with a margin.
    view_bbox = models.JSONField(_("map view"), null=True, blank=True)
    # What the engine computed (areas, candidates, the base map), in a file under NEARBY_DIR.
    computed_file = models.CharField(_("stored computation"), max_length=255, blank=True)
    # The summary of the last merge (counts and whether it was the first computation).
    last_changes = models.JSONField(_("changes at the last computation"), default=dict, blank=True)
    history = HistoricalRecords(
        excluded_fields=["walk_area", "bike_area", "view_bbox", "computed_file", "last_changes"]
    )
    objects = CircleQuerySet.as_manager()

    class Meta:
        verbose_name = _("proximity circle")
        verbose_name_plural = _("proximity circles")
        ordering = ["institution__name"]

    def __str__(self) -> str:
        return str(self.institution)

    @property
    def cut_by_edge(self) -> bool:
        return self.walk_touches_edge or self.bike_touches_edge

    @property
    def is_computed(self) -> bool:
        return self.computed_at is not None


class CirclePlaceQuerySet(models.QuerySet["CirclePlace"]):
    def included(self) -> CirclePlaceQuerySet:
        return self.filter(included=True)

    def for_list(self) -> CirclePlaceQuerySet:
        return self.prefetch_related("goals").order_by("-included", "category", "osm_name", "pk")


class CirclePlace(Versioned):
    """A place on (or for) the circle: a candidate found in the map data, or the staff's own."""

    class Source(models.TextChoices):
        OSM = "osm", _("Map data")
        OWN = "own", _("Added by the staff")

    class Change(models.TextChoices):
        NONE = "", _("Unchanged")
        NEW = "new", _("New")
        CHANGED = "changed", _("Changed")
        GONE = "gone", _("Not found any more")

    circle = models.ForeignKey(
        Circle, on_delete=models.CASCADE, related_name="places", verbose_name=_("circle")
    )
    source = models.CharField(_("source"), max_length=4, choices=Source.choices)
    osm_key = models.CharField(
        _("OpenStreetMap id"), max_length=40, blank=True, help_text=_("e.g. osm:node/123")
    )
    category = models.CharField(_("category"), max_length=20, choices=CATEGORY_CHOICES)
    osm_name = models.CharField(_("name in the map data"), max_length=200, blank=True)
    # Where the map data give no name: the engine's name of its kind and the nearest named street
    # ("Legeplads ved Langøgade"), in Danish and English (places.made_names).
    made_name = models.CharField(
        _("name made from the map data"),
        max_length=200,
        blank=True,
        help_text=_(
            "For a place without a name in the map data, e.g. “Playground near Langøgade”."
        ),
    )
    made_name_en = models.CharField(
        _("name made from the map data, in English"), max_length=200, blank=True
    )
    latitude = models.FloatField(
        _("latitude"), validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    longitude = models.FloatField(
        _("longitude"), validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    walk_minutes = models.FloatField(_("minutes on foot"), null=True, blank=True)
    bike_minutes = models.FloatField(_("minutes by bike"), null=True, blank=True)
    # The staff's choices (kept across re-imports).
    included = models.BooleanField(_("on the circle"), default=False)
    display_name = models.CharField(
        _("name on the circle"),
        max_length=120,
        blank=True,
        help_text=_("Leave empty to use the name in the map data."),
    )
    description = models.CharField(
        _("description"),
        max_length=300,
        blank=True,
        help_text=_('In the children\'s words, e.g. "here you can see the tractors".'),
    )
    goals = models.ManyToManyField(
        "organisations.Goal", related_name="nearby_places", blank=True, verbose_name=_("goals")
    )
    # What the last re-computation changed (NONE after the first one).
    change = models.CharField(
        _("change"), max_length=8, choices=Change.choices, default=Change.NONE, blank=True
    )
    change_details = models.JSONField(_("what changed"), default=list, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    created_by = user_field(_("created by"), on_delete=models.SET_NULL)
    history = HistoricalRecords(m2m_fields=[goals])
    objects = CirclePlaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("place on the circle")
        verbose_name_plural = _("places on the circle")
        ordering = ["circle", "-included", "category", "osm_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["circle", "osm_key"],
                condition=~Q(osm_key=""),
                name="nearby_place_osm_key_unique_in_circle",
            ),
            models.CheckConstraint(
                condition=(Q(source="osm") & ~Q(osm_key="")) | (Q(source="own") & Q(osm_key="")),
                name="nearby_place_key_matches_source",
            ),
            models.CheckConstraint(
                condition=Q(source="osm") | ~Q(change="gone"),
                name="nearby_place_own_never_gone",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The staff's name, else the map data's, else the one made for it in the language."""
        made = self.made_name
        if self.made_name_en and (get_language() or "").startswith("en"):
            made = self.made_name_en
        return self.display_name or self.osm_name or made or category_label(self.category)

    @property
    def category_label(self) -> str:
        return category_label(self.category)

    @property
    def is_own(self) -> bool:
        return self.source == self.Source.OWN

    @property
    def is_gone(self) -> bool:
        return self.change == self.Change.GONE

    @property
    def walk_label(self) -> str:
        return minutes_label(self.walk_minutes)

    @property
    def bike_label(self) -> str:
        return minutes_label(self.bike_minutes)


def minutes_label(minutes: float | None) -> str:
    """Whole minutes, at least 1, rounded as the poster rounds ("" when out of reach)."""
    if minutes is None:
        return ""
    return str(max(1, round(minutes)))
