"""The demo programme as plain data: municipalities, areas, institutions, partners, users.

No Django import: ``services.demo_load`` turns this into rows through the organisation and account
services. The structure follows the seed publication (``skab-borneliv-i-sund-balance.txt``):
Aalborg (4 areas, 4 schools, 16 daycares), Frederikssund (2 areas, 2 schools, 5 daycares) and
Albertslund (the whole municipality in 4 areas; 4 schools, 1 special school, 9 daycares), all in
the programme since 2020.

Only these names come from the seed and are real: the three municipalities, the areas Lindholm
(Aalborg) and Slangerup (Frederikssund), Gl. Lindholm Skole and Børnehuset Troldhøj. Every other
name is invented and marked ``is_synthetic``. Real institutions get no official number: the demo
never invents a number for a real institution (fill it from the register instead).

Synthetic official numbers live in ranges that cannot be mistaken for real ones:
- schools, SFOs, special schools: INSTNR ``999001``–``999999``. A municipal school's INSTNR starts
  with its kommunenr (e.g. 851…); no municipality has the code 999.
- daycares: Dagtilbudsregister numbers ``99990001``–``99999999``.
- health-visiting units: SOR-like codes ``9999990000000001`` and up (16 digits).

Locations are WGS84. An institution without an explicit location is placed deterministically on
a sunflower (golden-angle) spiral inside its area's disc, so the demo looks the same on every load.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

# The seed says each municipality has taken part "since 2020"; the exact day is not public.
PROGRAMME_START = dt.date(2020, 1, 1)

SYNTHETIC_SCHOOL_NUMBER_PREFIX = "999"  # 6 digits in all
SYNTHETIC_DAYCARE_NUMBER_PREFIX = "9999"  # 8 digits in all
SYNTHETIC_SOR_CODE_PREFIX = "999999"  # 16 digits in all

SCHOOL = "school"
SPECIAL_SCHOOL = "special_school"
SFO = "sfo"
DAYCARE = "daycare"
HEALTH_VISITING = "health_visiting"

PROGRAMME = "programme"
COMPARISON = "comparison"


def is_synthetic_number(kind: str, number: str) -> bool:
    """Whether ``number`` lies in the documented synthetic range for institutions of ``kind``."""
    if kind in (SCHOOL, SPECIAL_SCHOOL, SFO):
        return len(number) == 6 and number.startswith(SYNTHETIC_SCHOOL_NUMBER_PREFIX)
    if kind == DAYCARE:
        return len(number) == 8 and number.startswith(SYNTHETIC_DAYCARE_NUMBER_PREFIX)
    if kind == HEALTH_VISITING:
        return len(number) == 16 and number.startswith(SYNTHETIC_SOR_CODE_PREFIX)
    return False


@dataclass(frozen=True)
class InstitutionSpec:
    name: str
    kind: str
    official_number: str = ""
    # Explicit location; ``None`` places the institution on its area's spiral.
    location: tuple[float, float] | None = None
    is_synthetic: bool = True
    # For a school: the number of its SFO (after-school club), which is then created beside it.
    sfo_number: str = ""
    # An earlier area membership: (area name, the day the institution moved to this area).
    moved_from: tuple[str, dt.date] | None = None


@dataclass(frozen=True)
class AreaSpec:
    name: str
    kind: str
    center: tuple[float, float]
    radius_m: float
    postcode: str
    city: str
    description: str
    is_synthetic: bool = True
    start_date: dt.date = PROGRAMME_START
    institutions: tuple[InstitutionSpec, ...] = ()


@dataclass(frozen=True)
class PartnerSpec:
    name: str
    kind: str
    area: str | None
    contact_name: str
    contact_email: str
    is_synthetic: bool = True


@dataclass(frozen=True)
class MunicipalitySpec:
    code: str
    name: str
    areas: tuple[AreaSpec, ...]
    partners: tuple[PartnerSpec, ...] = ()


@dataclass(frozen=True)
class UserSpec:
    username: str
    role: str
    first_name: str
    last_name: str
    # Where the role is held: ("municipality", code), ("institution", name), ("partner", name).
    organisation: tuple[str, str] | None = None
    is_staff: bool = False
    is_superuser: bool = False


def _school(
    name: str,
    number: str,
    *,
    sfo: str = "",
    is_synthetic: bool = True,
    location: tuple[float, float] | None = None,
) -> InstitutionSpec:
    return InstitutionSpec(
        name=name,
        kind=SCHOOL,
        official_number=number,
        sfo_number=sfo,
        is_synthetic=is_synthetic,
        location=location,
    )


def _daycare(
    name: str,
    number: str,
    *,
    is_synthetic: bool = True,
    location: tuple[float, float] | None = None,
    moved_from: tuple[str, dt.date] | None = None,
) -> InstitutionSpec:
    return InstitutionSpec(
        name=name,
        kind=DAYCARE,
        official_number=number,
        is_synthetic=is_synthetic,
        location=location,
        moved_from=moved_from,
    )


def _health(name: str, code: str) -> InstitutionSpec:
    return InstitutionSpec(name=name, kind=HEALTH_VISITING, official_number=code)


AALBORG = MunicipalitySpec(
    code="0851",
    name="Aalborg",
    areas=(
        AreaSpec(
            name="Lindholm",
            kind=PROGRAMME,
            is_synthetic=False,
            center=(57.0640, 9.8860),
            radius_m=650,
            postcode="9400",
            city="Nørresundby",
            description="Lokalområde i Nørresundby omkring Gl. Lindholm Skole.",
            institutions=(
                # Real school (seed); its INSTNR is left for the register, not invented.
                _school(
                    "Gl. Lindholm Skole",
                    "",
                    sfo="999001",
                    is_synthetic=False,
                    location=(57.0652, 9.8838),
                ),
                _daycare("Børnehuset Fjordglimt", "99990001"),
                _daycare("Vuggestuen Mælkebøtten", "99990002"),
                _daycare("Børnehaven Lufthavnsskoven", "99990003"),
                _daycare("Børnehuset Kastanjen", "99990004"),
                _daycare("Naturbørnehaven Egern", "99990005"),
            ),
        ),
        AreaSpec(
            name="Aalborg Øst",
            kind=PROGRAMME,
            center=(57.0300, 9.9930),
            radius_m=900,
            postcode="9220",
            city="Aalborg Øst",
            description="Lokalområde i Aalborg Øst med almene boligområder og grønne kiler.",
            institutions=(
                _school("Smedegårdskolen", "999003", sfo="999004"),
                _health("Sundhedsplejen Aalborg", "9999990000000001"),
                _daycare("Børnehuset Regnbuen", "99990006"),
                _daycare("Vuggestuen Myretuen", "99990007"),
                _daycare("Børnehaven Spiren", "99990008"),
                _daycare("Børnehuset Humlebien", "99990009"),
            ),
        ),
        AreaSpec(
            name="Vestbyen",
            kind=PROGRAMME,
            center=(57.0490, 9.8990),
            radius_m=450,
            postcode="9000",
            city="Aalborg",
            description="Lokalområde i Aalborgs vestlige bydel ved Limfjorden.",
            institutions=(
                _school("Fjordbyens Skole", "999005", sfo="999006"),
                _daycare("Børnehuset Fyrtårnet", "99990010"),
                _daycare("Vuggestuen Bikuben", "99990011"),
                _daycare("Børnehaven Mågen", "99990012"),
                _daycare("Børnehuset Havtornen", "99990013"),
            ),
        ),
        AreaSpec(
            name="Hals",
            kind=PROGRAMME,
            center=(57.0010, 10.3080),
            radius_m=700,
            postcode="9370",
            city="Hals",
            description="Mindre by ved Limfjordens udløb i Aalborg Kommunes østlige del.",
            institutions=(
                _school("Hals Kystskole", "999007", sfo="999008"),
                _daycare("Børnehuset Lærkereden", "99990014"),
                _daycare("Børnehaven Strandengen", "99990015"),
                _daycare("Vuggestuen Ællingen", "99990016"),
            ),
        ),
        AreaSpec(
            name="Vejgaard",
            kind=COMPARISON,
            center=(57.0430, 9.9480),
            radius_m=700,
            postcode="9000",
            city="Aalborg",
            description=(
                "Sammenligningsområde: en bydel i Aalborg, der ligner programområderne i "
                "børnetal og boligsammensætning."
            ),
        ),
    ),
    partners=(
        PartnerSpec(
            "Lindholm Gymnastik og Idræt", "sports_club", "Lindholm", "Peter Bach",
            "kontakt@lindholm-gi.example",
        ),
        PartnerSpec(
            "Købmanden ved Lindholm", "business", "Lindholm", "Susanne Friis",
            "butik@koebmanden-lindholm.example",
        ),
        PartnerSpec(
            "Aalborg Øst Svømmeklub", "sports_club", "Aalborg Øst", "Ahmad Rahimi",
            "bestyrelse@aoe-svoem.example",
        ),
        PartnerSpec(
            "Cykelsmeden i Hals", "business", "Hals", "Morten Kjeldsen",
            "vaerksted@cykelsmeden-hals.example",
        ),
        PartnerSpec(
            "Frivilligcentret Vestbyen", "volunteer", "Vestbyen", "Inger Thomsen",
            "frivillig@vestbyen.example",
        ),
        PartnerSpec(
            "Børnekulturhuset Fjorden", "cultural", None, "Karen Østergaard",
            "info@boernekulturhuset-fjorden.example",
        ),
    ),
)  # fmt: skip

FREDERIKSSUND = MunicipalitySpec(
    code="0250",
    name="Frederikssund",
    areas=(
        AreaSpec(
            name="Slangerup",
            kind=PROGRAMME,
            is_synthetic=False,
            center=(55.8500, 12.1800),
            radius_m=800,
            postcode="3550",
            city="Slangerup",
            description="Stationsbyen Slangerup med skov, hal og foreningsliv tæt på.",
            institutions=(
                # Real daycare (seed); its Dagtilbudsregister number is not invented.
                _daycare(
                    "Børnehuset Troldhøj", "", is_synthetic=False, location=(55.8478, 12.1772)
                ),
                _school("Lindegårdsskolen", "999009", sfo="999010"),
                _health("Sundhedsplejen Frederikssund", "9999990000000002"),
                _daycare("Børnehaven Mosekonen", "99990017"),
                _daycare("Vuggestuen Græshoppen", "99990018"),
            ),
        ),
        AreaSpec(
            name="Jægerspris",
            kind=PROGRAMME,
            center=(55.8520, 11.9850),
            radius_m=700,
            postcode="3630",
            city="Jægerspris",
            description="Mindre by i Hornsherred mellem fjord og skov.",
            institutions=(
                _school("Skovlyskolen", "999011", sfo="999012"),
                _daycare("Børnehuset Skovtrolden", "99990019"),
                _daycare("Børnehaven Bakketoppen", "99990020"),
            ),
        ),
        AreaSpec(
            name="Skibby",
            kind=COMPARISON,
            center=(55.7500, 11.9620),
            radius_m=700,
            postcode="4050",
            city="Skibby",
            description=(
                "Sammenligningsområde: en mindre by i samme kommune, der ligner "
                "programområderne."
            ),
        ),
    ),
    partners=(
        PartnerSpec(
            "Slangerup Kung Fu Klub", "sports_club", "Slangerup", "Kim Lauridsen",
            "kontakt@slangerup-kungfu.example",
        ),
        PartnerSpec(
            "Slangerup Genbrugscykler", "business", "Slangerup", "Jens Holst",
            "cykler@slangerup-genbrug.example",
        ),
        PartnerSpec(
            "Jægerspris Gymnastikforening", "sports_club", "Jægerspris", "Lotte Vang",
            "formand@jaegerspris-gf.example",
        ),
        PartnerSpec(
            "Naturskolen Hornsherred", "cultural", "Jægerspris", "Rasmus Krogh",
            "naturskolen@hornsherred.example",
        ),
        PartnerSpec(
            "Besøgsvennerne i Slangerup", "volunteer", "Slangerup", "Grethe Munk",
            "besoegsvenner@slangerup.example",
        ),
    ),
)  # fmt: skip

ALBERTSLUND = MunicipalitySpec(
    code="0165",
    name="Albertslund",
    areas=(
        AreaSpec(
            name="Albertslund Syd",
            kind=PROGRAMME,
            center=(55.6480, 12.3520),
            radius_m=500,
            postcode="2620",
            city="Albertslund",
            description="Den sydlige bydel med tæt-lav bebyggelse og Vestskoven tæt på.",
            institutions=(
                _school("Sydbyskolen", "999013", sfo="999014"),
                _daycare("Børnehuset Solsikken", "99990021"),
                _daycare("Vuggestuen Pusleriet", "99990022"),
            ),
        ),
        AreaSpec(
            name="Albertslund Centrum",
            kind=PROGRAMME,
            center=(55.6590, 12.3580),
            radius_m=450,
            postcode="2620",
            city="Albertslund",
            description="Bymidten omkring stationen og torvet.",
            institutions=(
                _school("Torvets Skole", "999015", sfo="999016"),
                _health("Sundhedsplejen Albertslund", "9999990000000003"),
                _daycare("Børnehuset Tusindfryd", "99990023"),
                _daycare("Børnehaven Guldsmeden", "99990024"),
                # Moved from Albertslund Syd when the area boundaries were redrawn in 2023.
                _daycare(
                    "Børnehuset Valmuen",
                    "99990025",
                    location=(55.6545, 12.3556),
                    moved_from=("Albertslund Syd", dt.date(2023, 8, 1)),
                ),
            ),
        ),
        AreaSpec(
            name="Albertslund Nord",
            kind=PROGRAMME,
            center=(55.6710, 12.3430),
            radius_m=500,
            postcode="2620",
            city="Albertslund",
            description="Den nordlige bydel nord for Roskildevej.",
            institutions=(
                _school("Nordmarksskolen", "999017", sfo="999018"),
                InstitutionSpec("Specialskolen Ådalen", SPECIAL_SCHOOL, "999019"),
                _daycare("Børnehuset Vibereden", "99990026"),
                _daycare("Vuggestuen Kløverløvet", "99990027"),
            ),
        ),
        AreaSpec(
            name="Herstederne",
            kind=PROGRAMME,
            center=(55.6830, 12.3500),
            radius_m=600,
            postcode="2620",
            city="Albertslund",
            description="Landsbyerne Herstedøster og Herstedvester med nyere boligområder.",
            institutions=(
                _school("Vestskovskolen", "999020", sfo="999021"),
                _daycare("Børnehuset Hasselnødden", "99990028"),
                _daycare("Børnehaven Rønnebær", "99990029"),
            ),
        ),
    ),
    partners=(
        PartnerSpec(
            "Albertslund Badmintonklub", "sports_club", "Albertslund Nord", "Thomas Eriksen",
            "kontakt@albertslund-badminton.example",
        ),
        PartnerSpec(
            "Sydbyens Boldklub", "sports_club", "Albertslund Syd", "Yasmin Haddad",
            "ungdom@sydbyens-bk.example",
        ),
        PartnerSpec(
            "Grønttorvet Albertslund", "business", "Albertslund Centrum", "Ole Winther",
            "butik@groenttorvet.example",
        ),
        PartnerSpec(
            "Vestskovens Spejdere", "volunteer", "Herstederne", "Marianne Juhl",
            "gruppeleder@vestskovens-spejdere.example",
        ),
        PartnerSpec(
            "Børnebiblioteket Albertslund", "cultural", "Albertslund Centrum", "Helle Bjerre",
            "boern@bibliotek-albertslund.example",
        ),
    ),
)  # fmt: skip

# Comparison areas in neighbouring municipalities that resemble Albertslund's areas.
HOEJE_TAASTRUP = MunicipalitySpec(
    code="0169",
    name="Høje-Taastrup",
    areas=(
        AreaSpec(
            name="Taastrup Nord",
            kind=COMPARISON,
            center=(55.6580, 12.2950),
            radius_m=700,
            postcode="2630",
            city="Taastrup",
            description="Sammenligningsområde: forstadsbydel vest for København.",
        ),
    ),
)
ISHOEJ = MunicipalitySpec(
    code="0183",
    name="Ishøj",
    areas=(
        AreaSpec(
            name="Ishøj Strand",
            kind=COMPARISON,
            center=(55.6100, 12.3650),
            radius_m=700,
            postcode="2635",
            city="Ishøj",
            description="Sammenligningsområde: forstadsbydel ved Køge Bugt.",
        ),
    ),
)

MUNICIPALITIES: tuple[MunicipalitySpec, ...] = (
    AALBORG,
    FREDERIKSSUND,
    ALBERTSLUND,
    HOEJE_TAASTRUP,
    ISHOEJ,
)

# The real names (from the seed); everything else in the demo is synthetic.
SEED_NAMES = frozenset({"Lindholm", "Slangerup", "Gl. Lindholm Skole", "Børnehuset Troldhøj"})

# One demo user per role. Names are invented; the seed's real people are not used.
USERS: tuple[UserSpec, ...] = (
    UserSpec("admin", "admin", "Mette", "Lauridsen", is_staff=True, is_superuser=True),
    UserSpec(
        "projektleder", "project_leader", "Louise", "Kjær",
        organisation=("municipality", "0851"), is_staff=True,
    ),
    UserSpec(
        "sundhedsplejerske", "health_visitor", "Hanne", "Mikkelsen",
        organisation=("institution", "Sundhedsplejen Aalborg"),
    ),
    UserSpec(
        "sundhedsplejerske2", "health_visitor", "Birgitte", "Dalsgaard",
        organisation=("institution", "Sundhedsplejen Albertslund"),
    ),
    # Frederikssund's, who observes Børnehuset Troldhøj's 4-year-olds with the demo pedagogue.
    UserSpec(
        "sundhedsplejerske3", "health_visitor", "Karin", "Skovgaard",
        organisation=("institution", "Sundhedsplejen Frederikssund"),
    ),
    UserSpec(
        "paedagog", "pedagogue", "Jonas", "Villadsen",
        organisation=("institution", "Børnehuset Troldhøj"),
    ),
    UserSpec(
        "laerer", "teacher", "Mads", "Overgaard",
        organisation=("institution", "Gl. Lindholm Skole"),
    ),
    UserSpec(
        "klub", "club_contact", "Peter", "Bach",
        organisation=("partner", "Lindholm Gymnastik og Idræt"),
    ),
    UserSpec("forsker", "researcher", "Signe", "Thygesen"),
)  # fmt: skip


def sfo_name(school_name: str) -> str:
    """The Danish genitive: 'Smedegårdskolen' → 'Smedegårdskolens SFO'."""
    genitive = school_name if school_name.endswith(("s", "x", "z")) else school_name + "s"
    return f"{genitive} SFO"


_EARTH_RADIUS_M = 6_371_000.0
_GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))


def spiral_location(
    center: tuple[float, float], radius_m: float, index: int, count: int
) -> tuple[float, float]:
    """Point ``index`` of ``count`` spread evenly over a disc (Vogel's sunflower spiral)."""
    distance = radius_m * math.sqrt((index + 0.5) / max(count, 1))
    angle = index * _GOLDEN_ANGLE
    lat0, lon0 = center
    dlat = distance * math.cos(angle) / _EARTH_RADIUS_M
    dlon = distance * math.sin(angle) / (_EARTH_RADIUS_M * math.cos(math.radians(lat0)))
    return round(lat0 + math.degrees(dlat), 5), round(lon0 + math.degrees(dlon), 5)


# An SFO sits on its school's grounds: a few metres north-east, so both markers show.
SFO_OFFSET = (0.00025, 0.00035)


def located(area: AreaSpec) -> list[tuple[InstitutionSpec, tuple[float, float]]]:
    """The area's institutions with their locations (explicit or on the area's spiral)."""
    placed = [spec for spec in area.institutions if spec.location is None]
    result = []
    for spec in area.institutions:
        if spec.location is not None:
            result.append((spec, spec.location))
        else:
            index = placed.index(spec)
            result.append((spec, spiral_location(area.center, area.radius_m, index, len(placed))))
    return result
