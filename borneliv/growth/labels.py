"""Readable, translated names for the engine's codes: categories, their definitions, flags.

The engine (``engine.py``) speaks in stable English codes (``possible_risk_of_overweight``,
flag bits); pages, the API's display fields and the prevalence tables show these labels instead.
Every label is lazy, so it is translated into the language of the request that shows it.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from borneliv.growth import engine

#: WHO BMI-for-age categories (``engine.WHO_CATEGORIES``).
WHO_CATEGORY_LABELS: dict[str, Promise] = {
    "severely_wasted": _("Severely wasted"),
    "wasted": _("Wasted"),
    "normal": _("Normal"),
    "possible_risk_of_overweight": _("Possible risk of overweight"),
    "overweight": _("Overweight"),
    "obese": _("Obese"),
    "severe_thinness": _("Severe thinness"),
    "thinness": _("Thinness"),
    "obesity": _("Obesity"),
}

#: IOTF categories (``engine.IOTF_CATEGORIES``).
IOTF_CATEGORY_LABELS: dict[str, Promise] = {
    "thinness_grade_3": _("Thinness grade 3"),
    "thinness_grade_2": _("Thinness grade 2"),
    "thinness_grade_1": _("Thinness grade 1"),
    "normal": _("Normal weight"),
    "overweight": _("Overweight"),
    "obesity": _("Obesity"),
    "morbid_obesity": _("Morbid obesity"),
    "not_overweight": _("Not overweight"),
}

#: The cut-points of ``engine.WHO_CATEGORY_RULES`` and ``engine.IOTF_CATEGORY_RULES`` in words,
#: by (category, reference).
CATEGORY_DEFINITIONS: dict[tuple[str, str], Promise] = {
    ("severely_wasted", "WHO 2006"): _("BMI-for-age z-score below −3"),
    ("wasted", "WHO 2006"): _("BMI-for-age z-score −3 or more and below −2"),
    ("normal", "WHO 2006"): _("BMI-for-age z-score −2 or more and +1 or less"),
    ("possible_risk_of_overweight", "WHO 2006"): _("BMI-for-age z-score above +1 and +2 or less"),
    ("overweight", "WHO 2006"): _("BMI-for-age z-score above +2 and +3 or less"),
    ("obese", "WHO 2006"): _("BMI-for-age z-score above +3"),
    ("severe_thinness", "WHO 2007"): _("BMI-for-age z-score below −3"),
    ("thinness", "WHO 2007"): _("BMI-for-age z-score −3 or more and below −2"),
    ("normal", "WHO 2007"): _("BMI-for-age z-score −2 or more and +1 or less"),
    ("overweight", "WHO 2007"): _("BMI-for-age z-score above +1 and +2 or less"),
    ("obesity", "WHO 2007"): _("BMI-for-age z-score above +2"),
    ("thinness_grade_3", "IOTF 2012"): _("adult-equivalent BMI below 16"),
    ("thinness_grade_2", "IOTF 2012"): _("adult-equivalent BMI 16 or more and below 17"),
    ("thinness_grade_1", "IOTF 2012"): _("adult-equivalent BMI 17 or more and below 18.5"),
    ("normal", "IOTF 2012"): _("adult-equivalent BMI 18.5 or more and below 25"),
    ("overweight", "IOTF 2012"): _("adult-equivalent BMI 25 or more and below 30"),
    ("obesity", "IOTF 2012"): _("adult-equivalent BMI 30 or more and below 35"),
    ("morbid_obesity", "IOTF 2012"): _("adult-equivalent BMI 35 or more"),
    ("not_overweight", "IOTF 2000"): _("BMI below the cut-off for adult BMI 25 at the age"),
    ("overweight", "IOTF 2000"): _(
        "BMI at or above the cut-off for adult BMI 25, below that for 30"
    ),
    ("obesity", "IOTF 2000"): _("BMI at or above the cut-off for adult BMI 30 at the age"),
}

#: Where each reference applies, in words (headings of the definitions).
REFERENCE_SCOPES: dict[str, Promise] = {
    "WHO 2006": _("WHO 2006, from birth to 5 years (60 months)"),
    "WHO 2007": _("WHO 2007, from 5 years (60 months) to 19 years"),
    "IOTF 2012": _("IOTF 2012 (Cole & Lobstein), from 2 to 18 years"),
    "IOTF 2000": _("IOTF 2000 (Cole et al.), from 2 to 18 years, overweight and obesity only"),
}

#: The engine's flags (``engine.FLAG_MESSAGES``) in plain words.
FLAG_LABELS: dict[int, Promise] = {
    engine.SEX_INVALID: _("The child's sex is unknown."),
    engine.AGE_MISSING: _("The age is unknown."),
    engine.AGE_DAYS_INVALID: _("The age is not a number."),
    engine.DATES_INVALID: _("A date could not be read."),
    engine.AGE_NEGATIVE: _("Measured before the child was born."),
    engine.AGE_BEYOND_REFERENCES: _("The child is 19 or older: beyond the references."),
    engine.WEIGHT_INVALID: _("The weight is not a positive number."),
    engine.HEIGHT_INVALID: _("The height/length is not a positive number."),
    engine.BMI_INVALID: _("The BMI is not a positive number."),
    engine.POSITION_INVALID: _("The position is neither lying nor standing, so it was ignored."),
    engine.NO_MEASUREMENT: _("Neither weight nor height/length was measured."),
    engine.BMI_MISMATCH: _("The given BMI does not match the weight and height."),
    engine.STANDING_UNDER_9_MONTHS: _(
        "Measured standing before 9 months, which is implausible; no adjustment made."
    ),
    engine.BMI_NOT_ADJUSTED: _("The BMI could not be adjusted for the position."),
    engine.SIZE_OUTSIDE_TABLE: _(
        "The length/height lies outside the WHO weight-for-length/height table."
    ),
    engine.ISO_BMI_UNDEFINED: _(
        "The BMI lies so far above the IOTF curves that no adult-equivalent BMI exists."
    ),
    engine.WHO_FLAG_WAZ: _("Implausible weight for the age (WHO: z below −6 or above +5)."),
    engine.WHO_FLAG_HAZ: _("Implausible height/length for the age (WHO: z below −6 or above +6)."),
    engine.WHO_FLAG_WHZ: _(
        "Implausible weight for the length/height (WHO: z below −5 or above +5)."
    ),
    engine.WHO_FLAG_BAZ: _("Implausible BMI for the age (WHO: z below −5 or above +5)."),
}


def who_category_label(code: str) -> Promise | str:
    """The readable name of a WHO category code; the code itself if unknown, "" for none."""
    return WHO_CATEGORY_LABELS.get(code, code)


def iotf_category_label(code: str) -> Promise | str:
    """The readable name of an IOTF category code; the code itself if unknown, "" for none."""
    return IOTF_CATEGORY_LABELS.get(code, code)


def flag_labels(mask: int) -> list[Promise]:
    """The plain-words message of each flag set in ``mask``, in the engine's order."""
    return [label for bit, label in FLAG_LABELS.items() if mask & bit]


def category_definitions() -> list[dict[str, object]]:
    """The categories of each reference with their definitions, for a page's explanation.

    ``[{"reference": "WHO 2006", "scope": …, "categories": [{"code", "label", "rule"}…]}…]``
    in the order of ``engine.WHO_CATEGORY_RULES`` then ``engine.IOTF_CATEGORY_RULES``.
    """
    groups: dict[str, list[dict[str, object]]] = {}
    for code, reference, _rule in (*engine.WHO_CATEGORY_RULES, *engine.IOTF_CATEGORY_RULES):
        label = (
            WHO_CATEGORY_LABELS[code] if reference.startswith("WHO") else IOTF_CATEGORY_LABELS[code]
        )
        groups.setdefault(reference, []).append(
            {"code": code, "label": label, "rule": CATEGORY_DEFINITIONS[(code, reference)]}
        )
    return [
        {"reference": reference, "scope": REFERENCE_SCOPES[reference], "categories": categories}
        for reference, categories in groups.items()
    ]
