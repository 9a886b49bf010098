"""Form helpers shared by the apps' views."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.forms import Form
from django.utils.translation import gettext as _


def add_service_errors(form: Form, error: ValidationError) -> None:
    """A service's ValidationError on the form: by field where the form has it, else on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def parse_year(value: str | None, field: str, errors: dict[str, str]) -> int | None:
    """A year from a query parameter; None when blank, an error under ``field`` when not a year."""
    if value in (None, ""):
        return None
    try:
        return int(value)
    except ValueError:
        errors[field] = _("Choose a year.")
        return None
