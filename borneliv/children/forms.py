"""Forms of the child registry. A CPR field never renders the number back into the page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from borneliv.accounts.models import User, today
from borneliv.children import selectors, services
from borneliv.children.models import Guardian, VulnerabilityPeriod
from borneliv.lib.imports import UploadForm, upload_field
from borneliv.organisations.models import Area, Institution

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y"]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def date_field(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=DateInput(),
        input_formats=DATE_INPUT_FORMATS,
        help_text=help_text,
    )


class CprInput(forms.TextInput):
    """A text input that never shows a value: a form re-displayed after an error is empty.

    The number must not travel back into the page (or the browser's form history), so the user
    types it again.
    """

    def __init__(self) -> None:
        super().__init__(
            attrs={
                "autocomplete": "off",
                "inputmode": "numeric",
                "spellcheck": "false",
                "autocapitalize": "off",
                "maxlength": "13",
                "placeholder": "DDMMÅÅ-XXXX",
            }
        )

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        return super().get_context(name, None, attrs)


class CprField(forms.CharField):
    """A CPR number, validated (format, real date, century); cleans to its ten digits."""

    widget = CprInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("CPR number"))
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        text = super().clean(value)
        if not text:
            return ""
        try:
            return services.cpr_parse(text).digits
        except ValidationError as exc:
            raise ValidationError(exc.messages, code="invalid_cpr") from None


class PhoneField(forms.CharField):
    """A Danish phone number (8 digits, optionally +45, spaces allowed); cleans to "12 34 56 78"."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Phone"))
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("8 digits, e.g. 12 34 56 78."))
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"})
        )
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        text = super().clean(value)
        try:
            return services.phone_normalise(text)
        except ValidationError as exc:
            raise ValidationError(exc.messages, code="invalid_phone") from None


class FindByCprForm(forms.Form):
    cpr = CprField(help_text=_("Ten digits, with or without the hyphen."))


class NameSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name"),
        max_length=100,
        min_length=selectors.SEARCH_MIN_LENGTH,
        required=False,
        help_text=_("First name, last name or both."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class RegisterForm(forms.Form):
    NO_FAMILY = "none"
    NEW_FAMILY = "new"

    cpr = CprField(help_text=_("Ten digits. The birth date and sex are read from it."))
    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    area = forms.ModelChoiceField(label=_("Area"), queryset=Area.objects.none(), empty_label=None)
    resident_from = date_field(
        _("Lives in the area since"),
        required=False,
        help_text=_("Leave empty for the birth date."),
    )
    family = forms.ChoiceField(
        label=_("Family"),
        choices=[(NO_FAMILY, _("No family yet")), (NEW_FAMILY, _("A new family"))],
        initial=NO_FAMILY,
        widget=forms.RadioSelect,
    )
    family_name = forms.CharField(label=_("Family name"), max_length=200, required=False)
    guardian_1_name = forms.CharField(label=_("Name"), max_length=200, required=False)
    guardian_1_relation = forms.ChoiceField(
        label=_("Relation"), choices=[("", "—"), *Guardian.Relation.choices], required=False
    )
    guardian_1_phone = PhoneField()
    guardian_1_email = forms.EmailField(label=_("E-mail"), required=False)
    guardian_2_name = forms.CharField(label=_("Name"), max_length=200, required=False)
    guardian_2_relation = forms.ChoiceField(
        label=_("Relation"), choices=[("", "—"), *Guardian.Relation.choices], required=False
    )
    guardian_2_phone = PhoneField()
    guardian_2_email = forms.EmailField(label=_("E-mail"), required=False)

    GUARDIANS = (1, 2)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        area: Any = self.fields["area"]
        area.queryset = selectors.registrable_areas(user)
        area.label_from_instance = lambda a: f"{a.name} ({a.municipality.name})"

    def clean_cpr(self) -> str:
        """The CPR number of a child of the programme's ages (``services.registry_age_check``)."""
        digits: str = self.cleaned_data["cpr"]
        if digits:
            try:
                services.registry_age_check(services.cpr_parse(digits).birth_date)
            except ValidationError as exc:
                raise ValidationError(exc.messages, code="outside_ages") from None
        return digits

    def guardian_fields(self, number: int) -> list[forms.BoundField]:
        return [
            self[f"guardian_{number}_{part}"] for part in ("name", "relation", "phone", "email")
        ]

    @property
    def guardian_rows(self) -> list[tuple[int, list[forms.BoundField]]]:
        return [(n, self.guardian_fields(n)) for n in self.GUARDIANS]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("family") != self.NEW_FAMILY:
            return data
        if not data.get("family_name", "").strip():
            self.add_error("family_name", _("Give the new family a name."))
        for n in self.GUARDIANS:
            name = data.get(f"guardian_{n}_name", "").strip()
            others = [data.get(f"guardian_{n}_{part}") for part in ("relation", "phone", "email")]
            if name and not data.get(f"guardian_{n}_relation"):
                self.add_error(f"guardian_{n}_relation", _("Choose the guardian's relation."))
            elif not name and any(others):
                self.add_error(f"guardian_{n}_name", _("Give the guardian's name."))
        return data

    def guardians(self) -> list[dict[str, str]]:
        data = self.cleaned_data
        return [
            {
                "name": data[f"guardian_{n}_name"],
                "relation": data[f"guardian_{n}_relation"],
                "phone": data[f"guardian_{n}_phone"],
                "email": data[f"guardian_{n}_email"],
            }
            for n in self.GUARDIANS
            if data.get(f"guardian_{n}_name", "").strip()
        ]


class RevealCprForm(forms.Form):
    prefix = "reveal"

    purpose = forms.CharField(
        label=_("Purpose"),
        max_length=200,
        help_text=_("Why you need the full number, e.g. “report to the municipality’s system”."),
    )

    def clean_purpose(self) -> str:
        purpose: str = self.cleaned_data["purpose"].strip()
        if len(purpose) < 3:
            raise ValidationError(_("Describe the purpose in a few words."))
        return purpose


class FamilyForm(forms.Form):
    prefix = "family"

    name = forms.CharField(label=_("Family name"), max_length=200)


class GuardianForm(forms.Form):
    prefix = "guardian"

    name = forms.CharField(label=_("Name"), max_length=200)
    relation = forms.ChoiceField(label=_("Relation"), choices=Guardian.Relation.choices)
    phone = PhoneField()
    email = forms.EmailField(label=_("E-mail"), required=False)


class VulnerabilitySetForm(forms.Form):
    prefix = "vulnerable"

    reason = forms.ChoiceField(label=_("Reason"), choices=VulnerabilityPeriod.Reason.choices)
    valid_from = date_field(_("From"))
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only what colleagues need to know to offer the right contacts."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"valid_from": today()})
        super().__init__(*args, **kwargs)


class VulnerabilityClearForm(forms.Form):
    valid_to = date_field(_("Last day"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"valid_to": today()})
        super().__init__(*args, **kwargs)


class MoveForm(forms.Form):
    prefix = "move"

    area = forms.ModelChoiceField(label=_("New area"), queryset=Area.objects.none())
    valid_from = date_field(_("Moves in on"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"valid_from": today()})
        super().__init__(*args, **kwargs)
        area: Any = self.fields["area"]
        area.queryset = selectors.registrable_areas(user)
        area.label_from_instance = lambda a: f"{a.name} ({a.municipality.name})"


class EnrolForm(forms.Form):
    prefix = "enrol"

    institution = forms.ModelChoiceField(
        label=_("Daycare or school"), queryset=Institution.objects.none()
    )
    group = forms.CharField(label=_("Group or class"), max_length=100, required=False)
    valid_from = date_field(_("From"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"valid_from": today()})
        super().__init__(*args, **kwargs)
        institution: Any = self.fields["institution"]
        institution.queryset = selectors.enrollable_institutions(user)
        institution.label_from_instance = lambda i: (
            f"{i.name} ({i.get_kind_display().lower()}, {i.municipality.name})"
        )


class EnrolmentEndForm(forms.Form):
    valid_to = date_field(_("Last day"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"valid_to": today()})
        super().__init__(*args, **kwargs)


class ImportForm(UploadForm):
    file = upload_field(
        _(
            "CSV (separated by ; or ,) or Excel (.xlsx) with the columns cpr, fornavn, "
            "efternavn, omraade and optionally tilflytningsdato and familie."
        )
    )


class AccessLogFilterForm(forms.Form):
    reader = forms.ModelChoiceField(label=_("User"), queryset=User.objects.none(), required=False)
    child = forms.CharField(
        label=_("Child"),
        max_length=100,
        required=False,
        help_text=_("Name, or the id shown in lists (8 characters or the whole id)."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    date_from = date_field(_("From"), required=False)
    date_to = date_field(_("To (inclusive)"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        reader: Any = self.fields["reader"]
        reader.queryset = selectors.readers(user)
        reader.label_from_instance = lambda u: (
            f"{u.get_full_name()} ({u.username})" if u.get_full_name() else u.username
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        first: dt.date | None = data.get("date_from")
        last: dt.date | None = data.get("date_to")
        if first and last and last < first:
            self.add_error("date_to", _("The end lies before the start."))
        return data
