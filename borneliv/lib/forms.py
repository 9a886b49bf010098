"""Form helpers shared by the apps' views."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.forms import BaseForm, BoundField
from django.utils import formats
from django.utils.translation import gettext as _

from borneliv.lib.versioning import Change, EditConflict

VERSION_FIELD = "lock_version"


def add_service_errors(form: BaseForm, error: ValidationError) -> None:
    """A service's ValidationError on the form: by field where the form has it, else on top.

    An ``EditConflict`` also puts the other person's version on the form (``show_conflict``).
    """
    if isinstance(error, EditConflict) and isinstance(form, VersionedFormMixin):
        form.show_conflict(error)
        return
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class DecimalInput(forms.TextInput):
    """A decimal number as the reader writes it: "4,5" in Danish, "4.5" in English.

    For a field with ``localize=True``, which reads a comma and a point alike (no thousands
    separator is in use). A browser's ``<input type=number>`` shows "4.5" on a Danish page; a
    text box with ``inputmode="decimal"`` shows the number localised and still brings up the
    number keyboard on a phone. Whole numbers show without ".0".
    """

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"inputmode": "decimal", **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return super().format_value(value)


def required_in_practice(field: forms.Field) -> forms.Field:
    """Mark a field the form accepts empty but the user's case needs, so it is not "(optional)".

    E.g. where a role is held: empty only for administrators and researchers, which the help
    text says; or two fields of which one must be given. Validation stays the form's and the
    service's; ``includes/field.html`` only leaves out the "(optional)" after the label.
    """
    field.required_in_practice = True  # type: ignore[attr-defined]
    return field


_ONLY_DASHES = re.compile(r"[-–—\s]*")


def _blank_choice_label(field: forms.Field) -> str | None:
    """The label of a choice field's empty choice ("—", "All roles"), None when it has none."""
    if isinstance(field, forms.ModelChoiceField):
        return None if field.empty_label is None else str(field.empty_label)
    if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.MultipleChoiceField):
        choices: Any = field.choices
        for value, label in choices:
            if value in ("", None) and not isinstance(label, list | tuple):
                return str(label)
    return None


def shows_optional(bound: BoundField) -> bool:
    """Whether a field's label says "(optional)": only where leaving it is not itself an answer.

    Not on a required field, nor on one the user's case needs (``required_in_practice``), nor on
    a checkbox (unticked is an answer), nor on a choice whose empty choice is an answer of its own
    ("— not a scheduled contact —", "All roles"), as opposed to a bare "—".
    """
    field = bound.field
    if field.required or getattr(field, "required_in_practice", False):
        return False
    if bound.widget_type == "checkbox":
        return False
    blank = _blank_choice_label(field)
    return blank is None or bool(_ONLY_DASHES.fullmatch(blank))


def parse_year(value: str | None, field: str, errors: dict[str, str]) -> int | None:
    """A year from a query parameter; None when blank, an error under ``field`` when not a year."""
    if value in (None, ""):
        return None
    try:
        return int(value)
    except ValueError:
        errors[field] = _("Choose a year.")
        return None


@dataclass(frozen=True)
class ConflictRow:
    """One field that differs: its label, the stored value (theirs) and the submitted (yours)."""

    label: str
    theirs: str
    yours: str


@dataclass(frozen=True)
class Conflict:
    change: Change
    rows: list[ConflictRow]


def display_value(field: forms.Field, value: Any) -> str:
    """A value as the user reads it: choice labels, names, dd.mm.åååå, decimal comma, Ja/Nej."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, models.Manager):
        value = list(value.all())
    if isinstance(field, forms.ModelMultipleChoiceField) or (
        isinstance(value, Iterable) and not isinstance(value, str | bytes)
    ):
        items = list(value)
        if items and not isinstance(items[0], models.Model):
            choices: Any = getattr(field, "queryset", None)
            items = list(choices.filter(pk__in=items)) if choices is not None else items
        return ", ".join(sorted(str(item) for item in items)) or "—"
    if isinstance(field, forms.ModelChoiceField) and not isinstance(value, models.Model):
        queryset: Any = field.queryset
        value = queryset.filter(pk=value).first() or value
    if isinstance(field, forms.BooleanField) or isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
        options: Any = field.choices
        labels = {str(key): label for key, label in options}
        return str(labels.get(str(value), value))
    if isinstance(value, dt.datetime):
        return formats.date_format(value, "SHORT_DATETIME_FORMAT")
    if isinstance(value, dt.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, Decimal | float):
        return formats.number_format(value, use_l10n=True)
    return str(value)


class VersionedFormMixin:
    """A form that edits a ``Versioned`` record: a hidden ``lock_version``, and conflicts shown.

    Give the record as ``record=`` (a ``ModelForm``'s ``instance`` serves too). The hidden field
    carries the version the page showed; the view passes ``cleaned_data["lock_version"]`` to the
    service. When the service raises ``EditConflict``, ``add_service_errors`` calls
    ``show_conflict``: the form keeps what the user typed, lists the fields where the stored
    version (theirs) differs from it, names who saved it and when
    (``includes/edit_conflict.html``, shown by ``includes/form_errors.html``), and now carries the
    stored version, so saving again deliberately replaces theirs.
    """

    conflict: Conflict | None = None
    fields: dict[str, forms.Field]
    data: Any

    def __init__(self, *args: Any, record: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        record = record if record is not None else getattr(self, "instance", None)
        self.record = record if record is not None and record.pk is not None else None
        if self.record is not None:
            self.fields[VERSION_FIELD] = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
            form: Any = self
            form.initial.setdefault(VERSION_FIELD, self.record.lock_version)

    @property
    def version(self) -> int | None:
        """The version the user edited (``None`` for a new record)."""
        if self.record is None:
            return None
        cleaned: dict[str, Any] = getattr(self, "cleaned_data", {})
        return cleaned.get(VERSION_FIELD)

    def conflict_values(self, current: Any) -> dict[str, Any]:
        """The stored values of the form's fields (override where a field is not an attribute)."""
        values: dict[str, Any] = {}
        for name in self.fields:
            if name == VERSION_FIELD or not hasattr(current, name):
                continue
            values[name] = getattr(current, name)
        return values

    def show_conflict(self, error: EditConflict) -> None:
        form: Any = self
        form.add_error(None, error)
        theirs = self.conflict_values(error.current)
        yours: dict[str, Any] = getattr(self, "cleaned_data", {})
        rows = []
        for name, value in theirs.items():
            field = self.fields[name]
            stored, typed = display_value(field, value), display_value(field, yours.get(name))
            if stored != typed:
                rows.append(ConflictRow(label=str(field.label or name), theirs=stored, yours=typed))
        self.conflict = Conflict(change=error.change, rows=rows)
        data = self.data.copy()
        current: Any = error.current
        data[form.add_prefix(VERSION_FIELD)] = str(current.lock_version)
        self.data = data
