"""Django validators around the Django-free checks in ``borneliv.lib.dk``."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from borneliv.lib import dk


def _validator(check: Callable[[str], str | None], code: str) -> Callable[[str], None]:
    def validate(value: str) -> None:
        message = check(value)
        if message:
            raise ValidationError(gettext(message) % {"code": value}, code=code)

    validate.__name__ = validate.__qualname__ = f"validate_{code}"
    return validate


validate_municipality_code = _validator(dk.check_municipality_code, "municipality_code")
validate_school_number = _validator(dk.check_school_number, "school_number")
validate_daycare_number = _validator(dk.check_daycare_number, "daycare_number")
validate_sor_code = _validator(dk.check_sor_code, "sor_code")
validate_postcode = _validator(dk.check_postcode, "postcode")


def validate_location(latitude: float | None, longitude: float | None) -> None:
    """Both or neither; and inside Denmark."""
    if (latitude is None) != (longitude is None):
        raise ValidationError(gettext("Give both latitude and longitude, or neither."))
    if latitude is not None and longitude is not None:
        message = dk.check_in_denmark(latitude, longitude)
        if message:
            raise ValidationError(gettext(message), code="location")
