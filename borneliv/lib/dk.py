"""Danish identifiers: municipality codes, institution numbers, postcodes, coordinates.

Django-free: each ``check_*`` returns an error message (English, for translation by the caller's
wrapper) or ``None`` when the value is valid.
"""

from __future__ import annotations

import re


def gettext_noop(message: str) -> str:
    """Mark a message for translation (extracted by makemessages); translated by the caller."""
    return message


# The 98 municipalities (kommuner) since 2007, by kommunekode (Danmarks Statistik, KOMKODE).
MUNICIPALITIES: dict[str, str] = {
    "0101": "København", "0147": "Frederiksberg", "0151": "Ballerup", "0153": "Brøndby",
    "0155": "Dragør", "0157": "Gentofte", "0159": "Gladsaxe", "0161": "Glostrup",
    "0163": "Herlev", "0165": "Albertslund", "0167": "Hvidovre", "0169": "Høje-Taastrup",
    "0173": "Lyngby-Taarbæk", "0175": "Rødovre", "0183": "Ishøj", "0185": "Tårnby",
    "0187": "Vallensbæk", "0190": "Furesø", "0201": "Allerød", "0210": "Fredensborg",
    "0217": "Helsingør", "0219": "Hillerød", "0223": "Hørsholm", "0230": "Rudersdal",
    "0240": "Egedal", "0250": "Frederikssund", "0253": "Greve", "0259": "Køge",
    "0260": "Halsnæs", "0265": "Roskilde", "0269": "Solrød", "0270": "Gribskov",
    "0306": "Odsherred", "0316": "Holbæk", "0320": "Faxe", "0326": "Kalundborg",
    "0329": "Ringsted", "0330": "Slagelse", "0336": "Stevns", "0340": "Sorø",
    "0350": "Lejre", "0360": "Lolland", "0370": "Næstved", "0376": "Guldborgsund",
    "0390": "Vordingborg", "0400": "Bornholm", "0410": "Middelfart", "0420": "Assens",
    "0430": "Faaborg-Midtfyn", "0440": "Kerteminde", "0450": "Nyborg", "0461": "Odense",
    "0479": "Svendborg", "0480": "Nordfyns", "0482": "Langeland", "0492": "Ærø",
    "0510": "Haderslev", "0530": "Billund", "0540": "Sønderborg", "0550": "Tønder",
    "0561": "Esbjerg", "0563": "Fanø", "0573": "Varde", "0575": "Vejen",
    "0580": "Aabenraa", "0607": "Fredericia", "0615": "Horsens", "0621": "Kolding",
    "0630": "Vejle", "0657": "Herning", "0661": "Holstebro", "0665": "Lemvig",
    "0671": "Struer", "0706": "Syddjurs", "0707": "Norddjurs", "0710": "Favrskov",
    "0727": "Odder", "0730": "Randers", "0740": "Silkeborg", "0741": "Samsø",
    "0746": "Skanderborg", "0751": "Aarhus", "0756": "Ikast-Brande",
    "0760": "Ringkøbing-Skjern", "0766": "Hedensted", "0773": "Morsø", "0779": "Skive",
    "0787": "Thisted", "0791": "Viborg", "0810": "Brønderslev", "0813": "Frederikshavn",
    "0820": "Vesthimmerlands", "0825": "Læsø", "0840": "Rebild", "0846": "Mariagerfjord",
    "0849": "Jammerbugt", "0851": "Aalborg", "0860": "Hjørring",
}  # fmt: skip

# Mainland Denmark and Bornholm, generously bounded (WGS84 degrees).
DENMARK_LAT = (54.4, 57.9)
DENMARK_LON = (7.9, 15.3)

# ASCII digits only: ``\d`` alone would also accept e.g. Arabic-Indic digits ("٠٨٥١").
_FOUR_DIGITS = re.compile(r"\d{4}", re.ASCII)
_SIX_DIGITS = re.compile(r"\d{6}", re.ASCII)
_DAYCARE_NUMBER = re.compile(r"\d{3,10}", re.ASCII)
_SOR_CODE = re.compile(r"\d{6,18}", re.ASCII)


def check_municipality_code(code: str) -> str | None:
    if not _FOUR_DIGITS.fullmatch(code or ""):
        return gettext_noop("A municipality code has exactly 4 digits, e.g. 0851.")
    if code not in MUNICIPALITIES:
        return gettext_noop("%(code)s is not the code of a Danish municipality.")
    return None


def check_school_number(number: str) -> str | None:
    """INSTNR from Institutionsregisteret: 6 digits."""
    if not _SIX_DIGITS.fullmatch(number or ""):
        return gettext_noop("A school's institution number (INSTNR) has exactly 6 digits.")
    return None


def check_daycare_number(number: str) -> str | None:
    """Dagtilbudsregisteret number: digits only (3–10), never reused."""
    if not _DAYCARE_NUMBER.fullmatch(number or ""):
        return gettext_noop("A Dagtilbudsregister number consists of 3 to 10 digits.")
    return None


def check_sor_code(code: str) -> str | None:
    """SOR code (Sundhedsvæsenets Organisationsregister): 6–18 digits."""
    if not _SOR_CODE.fullmatch(code or ""):
        return gettext_noop("A SOR code consists of 6 to 18 digits.")
    return None


def check_postcode(code: str) -> str | None:
    if not _FOUR_DIGITS.fullmatch(code or "") or not 800 <= int(code) <= 9990:
        return gettext_noop("A Danish postcode has 4 digits between 0800 and 9990.")
    return None


def check_in_denmark(latitude: float, longitude: float) -> str | None:
    if not (DENMARK_LAT[0] <= latitude <= DENMARK_LAT[1]) or not (
        DENMARK_LON[0] <= longitude <= DENMARK_LON[1]
    ):
        return gettext_noop(
            "The location lies outside Denmark; check latitude and longitude (WGS84)."
        )
    return None


# A Danish phone number: 8 digits, optionally after +45; spaces (also non-breaking) anywhere.
_PHONE = re.compile(r"(?:\+45)?(\d{8})", re.ASCII)
_PHONE_SPACES = re.compile(r"\s+")
PHONE_MESSAGE = gettext_noop(
    "A phone number has 8 digits, optionally with +45 in front, e.g. 12 34 56 78."
)


def normalise_phone(text: str) -> str | None:
    """A Danish phone number written as ``12 34 56 78``; ``""`` for none; ``None`` if invalid.

    Accepts 8 digits, optionally after ``+45``, with spaces anywhere (``+45 12345678``,
    ``12 34 56 78``). The country code is dropped: every number here is Danish.
    """
    compact = _PHONE_SPACES.sub("", text or "")
    if not compact:
        return ""
    match = _PHONE.fullmatch(compact)
    if match is None:
        return None
    digits = match.group(1)
    return " ".join(digits[i : i + 2] for i in range(0, 8, 2))
