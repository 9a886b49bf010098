"""Forms of the growth pages (one section per feature)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from borneliv.growth.models import (
    HEIGHT_MAX_CM,
    HEIGHT_MIN_CM,
    WEIGHT_MAX_KG,
    WEIGHT_MIN_KG,
    Context,
    Position,
)
from borneliv.lib.imports import UploadForm, upload_field

# --- a child's measurement (views/child.py) --------------------------------------------------------


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DecimalCommaField(forms.DecimalField):
    """A decimal number typed with a comma or a point ("12,5" and "12.5"), within limits.

    Django's localized input would treat a point as a Danish thousands separator ("12.5" →
    125), which for a weight is a dangerous misreading; here both mean the decimal point.
    """

    widget = forms.TextInput

    def __init__(self, *, low: float, high: float, range_message: Any, **kwargs: Any) -> None:
        self.low, self.high = Decimal(str(low)), Decimal(str(high))
        self.range_message = range_message
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Any:  # Decimal | None
        if value in self.empty_values:
            return None
        text = str(value).strip().replace(" ", "").replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation as exc:
            raise ValidationError(_("Enter a number, e.g. 12.5."), code="invalid") from exc
        if not number.is_finite():
            raise ValidationError(_("Enter a number, e.g. 12.5."), code="invalid")
        return number

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is not None and not self.low <= value <= self.high:
            raise ValidationError(
                self.range_message,
                code="out_of_range",
                params={"low": number_format(self.low), "high": number_format(self.high)},
            )

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        # A text box, not type=number: browsers' number inputs disagree on the decimal comma.
        attrs.pop("step", None)
        attrs.pop("min", None)
        attrs.pop("max", None)
        attrs["inputmode"] = "decimal"
        attrs["autocomplete"] = "off"
        return attrs


WEIGHT_HELP = _("In kilograms, e.g. 12.4.")
HEIGHT_LABEL = _("Height or length (cm)")
HEIGHT_HELP = _("In centimetres, to one decimal, e.g. 86.5.")


def weight_field(help_text: Any = WEIGHT_HELP) -> DecimalCommaField:
    """The weight of a measurement as a form field (kg, decimal comma, the plausible range)."""
    return DecimalCommaField(
        label=_("Weight (kg)"),
        required=False,
        max_digits=6,
        decimal_places=3,
        low=WEIGHT_MIN_KG,
        high=WEIGHT_MAX_KG,
        range_message=_("The weight must be between %(low)s and %(high)s kg."),
        help_text=help_text,
    )


def height_field(label: Any = HEIGHT_LABEL, help_text: Any = HEIGHT_HELP) -> DecimalCommaField:
    """The height or length of a measurement as a form field (cm, one decimal)."""
    return DecimalCommaField(
        label=label,
        required=False,
        max_digits=4,
        decimal_places=1,
        low=HEIGHT_MIN_CM,
        high=HEIGHT_MAX_CM,
        range_message=_("The height or length must be between %(low)s and %(high)s cm."),
        help_text=help_text,
    )


def position_field() -> forms.ChoiceField:
    """Lying (length) or standing (height)."""
    return forms.ChoiceField(
        label=_("Measured"),
        choices=Position.choices,
        required=False,
        widget=forms.RadioSelect,
        help_text=_("Usually lying under 2 years and standing from 2 years."),
    )


class MeasurementForm(forms.Form):
    """A measurement of one child: date, weight and/or height/length, position, context, note."""

    measured_on = forms.DateField(label=_("Date measured"), widget=DateInput)
    weight_kg = weight_field()
    height_cm = height_field()
    position = position_field()
    context = forms.ChoiceField(label=_("Occasion"), choices=Context.choices)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        weight, height = data.get("weight_kg"), data.get("height_cm")
        if (
            weight is None
            and height is None
            and not self.has_error("weight_kg")
            and not self.has_error("height_cm")
        ):
            raise ValidationError(_("Give a weight, a height/length or both."), code="empty")
        if height is not None and not data.get("position"):
            self.add_error("position", _("Say whether the child was measured lying or standing."))
        return data


# --- the school-start import and the review queue (views/imports.py) ------------------------------


class SchoolStartImportForm(UploadForm):
    file = upload_field(
        _(
            "CSV (separated by ; or ,) or Excel (.xlsx) with the columns cpr, dato, hoejde, "
            "vaegt, optionally instnr and the nine motor items (see the columns below)."
        )
    )


class ReviewForm(forms.Form):
    """Confirm or reject a held measurement; a rejection needs a note saying why."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("confirmed", _("Confirm")), ("rejected", _("Reject"))],
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when you reject: say why the value is wrong."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "rejected" and not (data.get("note") or "").strip():
            self.add_error("note", _("Say why the measurement is rejected."))
        return data
