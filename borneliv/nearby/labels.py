"""Names of the Nærhedscirkel's place categories in the interface (Danish by default).

The codes are the engines' (``places.CATEGORIES``) plus ``own`` for a place the staff added by
hand. The engines stay free of Django and of translations; the pages, the API and the poster's
Danish and English texts take their names from here.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

#: Category codes in the order lists and legends show them.
CATEGORY_LABELS: dict[str, Promise] = {
    "playground": _("Playground"),
    "park": _("Park"),
    "nature": _("Woods and nature"),
    "beach": _("Beach and lakeside"),
    "sports": _("Sports ground or hall"),
    "swimming": _("Swimming pool"),
    "library": _("Library"),
    "farm": _("Farm animals"),
    "picnic": _("Picnic and fire place"),
    "viewpoint": _("Viewpoint"),
    "culture": _("Culture for children"),
    "own": _("Our own place"),
}

CATEGORY_CHOICES: list[tuple[str, Promise]] = list(CATEGORY_LABELS.items())

#: The order in lists: the category's position in ``CATEGORY_LABELS``.
CATEGORY_ORDER: dict[str, int] = {code: n for n, code in enumerate(CATEGORY_LABELS)}


def category_label(code: str, language: str | None = None) -> str:
    """The category's name in the active language (or in ``language``); the code if unknown."""
    label = CATEGORY_LABELS.get(code)
    if label is None:
        return code
    if language is None:
        return str(label)
    with override(language):
        return str(label)
