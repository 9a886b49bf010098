from __future__ import annotations

from django import forms

from borneliv.lib.forms import VersionedFormMixin
from borneliv.organisations.models import Institution


class InstitutionForm(VersionedFormMixin, forms.ModelForm):
    """The details staff and project leaders may change; kind and municipality are fixed."""

    class Meta:
        model = Institution
        fields = ["name", "official_number", "street", "postcode", "city", "latitude", "longitude"]

    def _post_clean(self) -> None:
        # Model validation runs in the service (full_clean), which reports errors to the form;
        # running it here too would validate twice and mutate the instance before the service.
        pass
