"""Forms of the motor pages: a new session, adding a child, the follow-up decision."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from borneliv.accounts.models import User, today
from borneliv.lib.forms import VersionedFormMixin
from borneliv.motor.models import InstrumentVersion
from borneliv.motor.selectors import ObserverChoice
from borneliv.organisations.models import Institution


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class ObserverCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes that carry, per user, the daycares she may observe at (``data-daycares``), so
    the page's script can show only the observers of the chosen daycare."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.daycares_by_user: dict[str, str] = {}

    def create_option(
        self,
        name: str,
        value: Any,
        label: Any,
        selected: Any,
        index: int,
        subindex: int | None = None,
        attrs: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        daycares = self.daycares_by_user.get(str(value))
        if daycares is not None:
            option["attrs"]["data-daycares"] = daycares
        return option


class SessionForm(forms.Form):
    """A new session. Field names match the keys of ``services.session_create``'s errors."""

    institution = forms.ModelChoiceField(
        label=_("Daycare"),
        queryset=Institution.objects.none(),
        empty_label=_("— choose a daycare —"),
    )
    group = forms.CharField(
        label=_("Group"),
        max_length=100,
        help_text=_("The group as it is named in the daycare's enrolments."),
    )
    held_on = forms.DateField(label=_("Date"), widget=DateInput)
    version = forms.ModelChoiceField(
        label=_("Instrument"), queryset=InstrumentVersion.objects.none(), empty_label=None
    )
    observers = forms.ModelMultipleChoiceField(
        label=_("Observers"),
        queryset=User.objects.none(),
        widget=ObserverCheckboxes,
        help_text=_("Health visitors and the daycare's pedagogues who take part."),
    )
    other_observers = forms.CharField(
        label=_("Other observers"),
        required=False,
        max_length=300,
        help_text=_("Names of people without an account, e.g. a substitute."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self,
        *args: Any,
        daycares: Sequence[Institution],
        groups: dict[int, list[str]],
        versions: Sequence[InstrumentVersion],
        observers: Sequence[ObserverChoice],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.daycares = {d.pk: d for d in daycares}
        self.observer_daycares = {o.user.pk: o.daycare_ids for o in observers}
        # Choices are set from what the view already read, so rendering costs no query;
        # validation still checks the submitted ids against these querysets.
        institution: Any = self.fields["institution"]
        institution.queryset = Institution.objects.filter(pk__in=list(self.daycares))
        several_municipalities = len({d.municipality_id for d in daycares}) > 1
        institution.choices = [("", institution.empty_label)] + [
            (d.pk, f"{d.name} ({d.municipality.name})" if several_municipalities else d.name)
            for d in daycares
        ]
        institution.widget.attrs["data-groups"] = json.dumps(
            {str(pk): names for pk, names in groups.items()}, ensure_ascii=False
        )
        self.group_suggestions = sorted(
            {g for names in groups.values() for g in names}, key=str.casefold
        )
        self.fields["group"].widget.attrs.update(
            {"list": "motor-groups", "autocomplete": "off", "data-group-input": ""}
        )
        version: Any = self.fields["version"]
        version.queryset = InstrumentVersion.objects.filter(pk__in=[v.pk for v in versions])
        version.choices = [(v.pk, str(v)) for v in versions]
        field: Any = self.fields["observers"]
        field.queryset = User.objects.filter(pk__in=[o.user.pk for o in observers])
        field.choices = [
            (o.user.pk, f"{o.user.get_full_name() or o.user.username} ({', '.join(o.roles)})")
            for o in observers
        ]
        field.widget.daycares_by_user = {
            str(o.user.pk): " ".join(str(pk) for pk in sorted(o.daycare_ids)) for o in observers
        }

    def clean_held_on(self) -> dt.date:
        held_on: dt.date = self.cleaned_data["held_on"]
        if held_on > today():
            raise forms.ValidationError(_("The session date cannot be in the future."))
        return held_on

    def clean_group(self) -> str:
        group: str = self.cleaned_data["group"].strip()
        if not group:
            raise forms.ValidationError(_("Name the group."))
        return group

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        daycare = data.get("institution")
        observers = data.get("observers")
        if daycare is not None and observers:
            strangers = [
                u for u in observers if daycare.pk not in self.observer_daycares.get(u.pk, ())
            ]
            if strangers:
                names = ", ".join(u.get_full_name() or u.username for u in strangers)
                self.add_error(
                    "observers",
                    _(
                        "%(names)s cannot observe at %(daycare)s: only the daycare's pedagogues "
                        "and the municipality's health visitors can."
                    )
                    % {"names": names, "daycare": daycare.name},
                )
        return data


class AddChildForm(forms.Form):
    child = forms.ChoiceField(label=_("Child of the group"))

    def __init__(self, *args: Any, children: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["child"]
        field.choices = [("", _("— choose a child —"))] + [
            (str(c.public_id), f"{c.first_name} {c.last_name}") for c in children
        ]


class FollowUpForm(VersionedFormMixin, forms.Form):
    """The health visitor's follow-up decision; ``record=`` the assessment it changes."""

    follow_up = forms.BooleanField(label=_("Talk with the parents / follow up"), required=False)
    follow_up_note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What to talk about, or why no follow-up is needed."),
    )
