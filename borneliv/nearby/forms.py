"""Forms of the Nærhedscirkel: settings, one place, an own place, the import."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from borneliv.lib.forms import DecimalInput, VersionedFormMixin, required_in_practice
from borneliv.nearby.labels import CATEGORY_CHOICES
from borneliv.organisations.models import Goal, Municipality

#: Extracts shipped with the platform (the demo's Østerbro data) can be imported from the page.
SHIPPED_DIR = Path(__file__).resolve().parent / "data"
EXTRACT_SUFFIXES = (".osm.pbf", ".pbf", ".osm", ".osm.gz", ".osm.bz2")


def incoming_dir() -> Path:
    """Where an administrator puts large extracts on the server to import them from the page."""
    return Path(settings.NEARBY_DIR) / "incoming"


def server_files() -> list[tuple[str, str]]:
    """(value, label) of the extracts on the server: the incoming folder, then the shipped ones."""
    choices: list[tuple[str, str]] = []
    for prefix, folder in (("incoming", incoming_dir()), ("shipped", SHIPPED_DIR)):
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if path.is_file() and path.name.lower().endswith(EXTRACT_SUFFIXES):
                size = formats.number_format(path.stat().st_size / 1e6, 1, use_l10n=True)
                choices.append((f"{prefix}/{path.name}", f"{path.name} ({size} MB)"))
    return choices


def server_file_path(value: str) -> Path | None:
    """The path of a choice of ``server_files`` (None for anything else: no free paths)."""
    offered = {v for v, _label in server_files()}
    if value not in offered:
        return None
    prefix, name = value.split("/", 1)
    return (incoming_dir() if prefix == "incoming" else SHIPPED_DIR) / name


class GoalsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.name


def _goals_field() -> GoalsField:
    return GoalsField(
        label=_("The programme's goals it supports"),
        queryset=Goal.objects.order_by("sort_order"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class SettingsForm(VersionedFormMixin, forms.Form):
    walk_kmh = forms.FloatField(
        label=_("Walking speed (km/h)"),
        min_value=1.5,
        max_value=8,
        localize=True,  # "4,5" on a Danish page (a point is read too)
        widget=DecimalInput,
    )
    walk_minutes = forms.IntegerField(label=_("Walking limit (minutes)"), min_value=1, max_value=60)
    bike_kmh = forms.FloatField(
        label=_("Cycling speed (km/h)"),
        min_value=4,
        max_value=30,
        localize=True,
        widget=DecimalInput,
    )
    bike_minutes = forms.IntegerField(label=_("Cycling limit (minutes)"), min_value=1, max_value=60)


class PlaceForm(VersionedFormMixin, forms.Form):
    included = forms.BooleanField(label=_("On the circle"), required=False)
    display_name = forms.CharField(
        label=_("Name on the circle"),
        max_length=120,
        required=False,
        help_text=_("What the children call it. Leave empty to use the name in the map data."),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_('In the children\'s words: "here you can see the tractors", "the big puddle".'),
    )
    goals = _goals_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["goals"] = _goals_field()


class OwnPlaceForm(forms.Form):
    latitude = forms.FloatField(
        label=_("Latitude"),
        min_value=-90,
        max_value=90,
        widget=forms.NumberInput(attrs={"step": "any", "data-own-lat": ""}),
    )
    longitude = forms.FloatField(
        label=_("Longitude"),
        min_value=-180,
        max_value=180,
        widget=forms.NumberInput(attrs={"step": "any", "data-own-lon": ""}),
    )
    name = forms.CharField(label=_("Name"), max_length=120)
    category = forms.ChoiceField(label=_("Category"), choices=CATEGORY_CHOICES, initial="own")
    description = forms.CharField(
        label=_("Description"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_('e.g. "the baker shows us the oven".'),
    )
    goals = _goals_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "own")
        super().__init__(*args, **kwargs)
        self.fields["goals"] = _goals_field()
        self.fields["latitude"].error_messages["required"] = _(
            "Click on the map where the place is."
        )
        self.fields["longitude"].error_messages["required"] = _(
            "Click on the map where the place is."
        )


class ImportForm(forms.Form):
    municipality = forms.ModelChoiceField(
        label=_("Municipality"), queryset=Municipality.objects.order_by("name")
    )
    upload = forms.FileField(
        label=_("Upload an extract"),
        required=False,
        help_text=_(
            "An .osm.pbf or .osm file. For a large regional file, use a file on the server."
        ),
    )
    server_file = forms.ChoiceField(
        label=_("Or a file on the server"),
        required=False,
        help_text=_(
            "Files placed in the server's incoming folder, and the extracts shipped with it."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["server_file"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—"), *server_files()]
        # One of the two must be given (``clean``): neither is "(optional)".
        required_in_practice(self.fields["upload"])
        required_in_practice(field)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload, server_file = data.get("upload"), data.get("server_file")
        if bool(upload) == bool(server_file):
            raise ValidationError(_("Upload a file or choose one on the server (one of them)."))
        if server_file:
            path = server_file_path(server_file)
            if path is None:
                raise ValidationError(_("Choose one of the files on the server."))
            data["path"] = path
        return data
