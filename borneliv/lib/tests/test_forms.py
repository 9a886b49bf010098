"""Form helpers: which fields say "(optional)", and decimal numbers as the reader writes them."""

from __future__ import annotations

from django import forms
from django.utils import translation

from borneliv.lib.forms import DecimalInput, required_in_practice, shows_optional


class Example(forms.Form):
    name = forms.CharField()
    note = forms.CharField(required=False)
    agreed = forms.BooleanField(required=False)
    relation = forms.ChoiceField(required=False, choices=[("", "—"), ("mother", "Mother")])
    stage = forms.ChoiceField(
        required=False, choices=[("", "— not a scheduled contact —"), ("visit", "Visit")]
    )
    status = forms.ChoiceField(required=False, choices=[("", "All"), ("active", "Active")])
    where = forms.CharField(required=False)
    speed = forms.FloatField(localize=True, widget=DecimalInput)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        required_in_practice(self.fields["where"])


def test_optional_is_said_only_where_leaving_a_field_is_not_an_answer() -> None:
    form = Example()
    said = [name for name in form.fields if shows_optional(form[name])]
    assert said == ["note", "relation"]


def test_a_decimal_is_shown_and_read_with_a_comma_in_danish() -> None:
    with translation.override("da"):
        assert 'value="4,5"' in str(Example(initial={"speed": 4.5})["speed"])
        assert 'value="15"' in str(Example(initial={"speed": 15.0})["speed"])
        assert 'inputmode="decimal"' in str(Example()["speed"])
        form = Example({"name": "x", "speed": "4,5"})
        assert form.is_valid() and form.cleaned_data["speed"] == 4.5
    with translation.override("en"):
        assert 'value="4.5"' in str(Example(initial={"speed": 4.5})["speed"])
