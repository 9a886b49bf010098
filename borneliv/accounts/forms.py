from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from borneliv.accounts.models import Membership, Role, today
from borneliv.accounts.rules import PROJECT_LEADER_GRANTS
from borneliv.lib.forms import VersionedFormMixin, required_in_practice


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("What the token is for, e.g. “R analysis”.")
    )
    expires_at = forms.DateTimeField(
        label=_("Expires"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M"],
        help_text=_("Leave empty for a token that lasts until you revoke it."),
    )

    def clean_expires_at(self) -> object:
        value = self.cleaned_data.get("expires_at")
        if value is not None and value <= timezone.now():
            raise forms.ValidationError(_("The expiry must lie in the future."))
        return value


# User management (``views_users.py``)

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y"]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _date_field(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=DateInput(),
        input_formats=DATE_INPUT_FORMATS,
        help_text=help_text,
    )


def _related(field: str) -> Any:
    """The organisations model behind a membership field (accounts does not import the app)."""
    return Membership._meta.get_field(field).related_model


def grantable_roles(user: Any) -> list[tuple[str, str]]:
    """The roles ``user`` may grant, as choices: all for an administrator; for a project leader
    the roles held in an organisation of her municipality (never administrator or researcher)."""
    if user.scope.is_admin:
        return [(value, str(label)) for value, label in Role.choices]
    return [(value, str(label)) for value, label in Role.choices if value in PROJECT_LEADER_GRANTS]


class Organisations:
    """The organisations ``user`` may grant roles in, as grouped choices ``kind:id``.

    An administrator: every municipality, institution and partner; a project leader: those of
    the municipalities she leads. The choice value says which membership field it fills.
    """

    def __init__(self, user: Any) -> None:
        scope = user.scope
        Municipality = _related("municipality")
        Institution = _related("institution")
        Partner = _related("partner")
        municipalities = Municipality.objects.order_by("name")
        institutions = Institution.objects.select_related("municipality").order_by(
            "municipality__name", "name"
        )
        partners = Partner.objects.select_related("municipality").order_by(
            "municipality__name", "name"
        )
        if not scope.is_admin:
            led = scope.led_municipality_ids
            municipalities = municipalities.filter(pk__in=led)
            institutions = institutions.filter(municipality_id__in=led)
            partners = partners.filter(municipality_id__in=led)
        self.several = scope.is_admin or len(scope.led_municipality_ids) > 1
        self.by_value: dict[str, tuple[str, Any]] = {}
        groups: dict[str, list[tuple[str, str]]] = {}
        group_labels = {
            "municipality": _("Municipality (project leader)"),
            "health_visiting": _("Health-visiting units (health visitor)"),
            "daycare": _("Daycares (pedagogue)"),
            "school": _("Schools and after-school clubs (teacher or school leader)"),
            "partner": _("Partners (club contact)"),
        }
        for municipality in municipalities:
            self._add(groups, "municipality", "municipality", municipality, municipality.name)
        for institution in institutions:
            kind = institution.kind
            group = kind if kind in ("health_visiting", "daycare") else "school"
            self._add(groups, group, "institution", institution, self._label(institution))
        for partner in partners:
            self._add(groups, "partner", "partner", partner, self._label(partner))
        self.choices: list[Any] = [("", _("— none (administrator, researcher) —"))]
        self.choices += [
            (str(group_labels[key]), groups[key]) for key in group_labels if key in groups
        ]

    def _label(self, obj: Any) -> str:
        return f"{obj.name} ({obj.municipality.name})" if self.several else str(obj.name)

    def _add(
        self, groups: dict[str, list[tuple[str, str]]], group: str, field: str, obj: Any, label: str
    ) -> None:
        value = f"{field}:{obj.pk}"
        self.by_value[value] = (field, obj)
        groups.setdefault(group, []).append((value, label))

    def target(self, value: str) -> dict[str, Any]:
        """The membership fields for a chosen value: ``{"institution": <Institution>}`` or {}."""
        if not value:
            return {}
        field, obj = self.by_value[value]
        return {field: obj}


class MembershipForm(forms.Form):
    """A role in an organisation, from a date up to and including another."""

    role = forms.ChoiceField(label=_("Role"))
    organisation = forms.ChoiceField(
        label=_("Where"),
        required=False,
        help_text=_(
            "The municipality, institution or partner the role is held in. Administrators and "
            "researchers hold theirs in none."
        ),
    )
    valid_from = _date_field(_("From"))
    valid_to = _date_field(
        _("Up to and including"),
        required=False,
        help_text=_("Leave empty for a role without an end date."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("valid_from", today())
        super().__init__(*args, **kwargs)
        self.organisations = Organisations(user)
        # Empty only for an administrator's or a researcher's role (the help text says so).
        required_in_practice(self.fields["organisation"])
        roles = grantable_roles(user)
        self.fields["role"].choices = [("", _("Choose a role")), *roles]  # type: ignore[attr-defined]
        self.fields["organisation"].choices = (  # type: ignore[attr-defined]
            self.organisations.choices
            if user.scope.is_admin
            else [("", _("Choose where")), *self.organisations.choices[1:]]
        )

    def membership_fields(self) -> dict[str, Any]:
        """The cleaned data as ``membership_create`` keywords."""
        data = self.cleaned_data
        return {
            "role": data["role"],
            "valid_from": data["valid_from"],
            "valid_to": data.get("valid_to"),
            **self.organisations.target(data.get("organisation") or ""),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("valid_from"), data.get("valid_to")
        if start and end and end < start:
            self.add_error("valid_to", _("A membership cannot end before it starts."))
        return data


class UserCreateForm(MembershipForm):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_("What the person logs in with, e.g. “hanne.holm”. Letters, digits and . - _ @"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(label=_("E-mail"), required=False)

    field_order = [
        "username",
        "first_name",
        "last_name",
        "email",
        "role",
        "organisation",
        "valid_from",
        "valid_to",
    ]


class UserEditForm(VersionedFormMixin, forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(label=_("E-mail"), required=False)


class MembershipDatesForm(VersionedFormMixin, forms.Form):
    valid_from = _date_field(_("From"))
    valid_to = _date_field(
        _("Up to and including"),
        required=False,
        help_text=_("The last day with this role. Leave empty for no end date."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("valid_from"), data.get("valid_to")
        if start and end and end < start:
            self.add_error("valid_to", _("A membership cannot end before it starts."))
        return data


class UserFilterForm(forms.Form):
    """The user list's filters (GET)."""

    STATUSES = [
        ("", _("Active and deactivated")),
        ("active", _("Active")),
        ("inactive", _("Deactivated")),
    ]

    q = forms.CharField(label=_("Name or username"), required=False, max_length=100)
    role = forms.ChoiceField(label=_("Role"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=STATUSES)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", _("All roles")), *Role.choices]  # type: ignore[attr-defined]
