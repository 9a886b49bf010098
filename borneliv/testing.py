"""A small registry and the named personas every app's tests use.

``build_world()`` creates, through the real services, three programme municipalities and one
comparison area, and one user per role:

==========  ==========================================  ==============================
persona     role                                        organisation
==========  ==========================================  ==============================
hanne       health visitor                              Sundhedsplejen Aalborg
astrid      health visitor                              Sundhedsplejen Albertslund
pia         pedagogue                                   Børnehuset Troldhøj (Slangerup)
tina        teacher                                     Gl. Lindholm Skole (Aalborg)
carl        club contact                                Lindholm IF (Aalborg)
lars        municipal project leader (staff in admin)   Aalborg Kommune
rikke       researcher                                  —
ada         programme administrator (staff in admin)    —
otto        no membership at all                        —
==========  ==========================================  ==============================

Every persona's password is ``PASSWORD``.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from typing import Any, TypeVar

from borneliv.accounts import services as account_services
from borneliv.accounts.models import Role, User
from borneliv.organisations import services
from borneliv.organisations.models import Area, Institution, Municipality, Partner

PASSWORD = "lindholm-lobe-2024"  # noqa: S105 - a test fixture, not a secret
# The programme areas of the test world started before the oldest children the tests register.
PROGRAMME_START = dt.date(2023, 1, 1)
# The institutions joined their areas later (their area memberships start here).
INSTITUTIONS_FROM = dt.date(2024, 8, 1)
MEMBERS_FROM = dt.date(2024, 1, 1)
T = TypeVar("T")

PERSONAS = ("hanne", "astrid", "pia", "tina", "carl", "lars", "rikke", "ada", "otto")


@dataclass
class World:
    """Everything ``build_world()`` created, by name."""

    aalborg: Municipality
    albertslund: Municipality
    frederikssund: Municipality

    lindholm: Area
    vejgaard: Area  # Aalborg's comparison area
    herstedlund: Area  # Albertslund's programme area
    slangerup: Area

    gl_lindholm_skole: Institution
    lindholm_daycare: Institution
    aalborg_health: Institution
    herstedlund_skole: Institution
    albertslund_daycare: Institution
    albertslund_health: Institution
    troldhoj: Institution
    frederikssund_health: Institution

    lindholm_if: Partner
    albertslund_partner: Partner

    hanne: User
    astrid: User
    pia: User
    tina: User
    carl: User
    lars: User
    rikke: User
    ada: User
    otto: User

    def get(self, name: str) -> object:
        """An object or persona by attribute name (handy in parametrised tests)."""
        if name not in {f.name for f in fields(self)}:
            raise KeyError(name)
        return getattr(self, name)

    def persona(self, name: str) -> User:
        if name not in PERSONAS:
            raise KeyError(f"{name} is not a persona; choose one of {PERSONAS}")
        user: User = getattr(self, name)
        return user


def make_user(username: str, first_name: str, last_name: str, *, is_staff: bool = False) -> User:
    user = account_services.user_create(
        username=username,
        password=PASSWORD,
        first_name=first_name,
        last_name=last_name,
        email=f"{username}@example.org",
    )
    if is_staff:
        # Admin-site access is a Django flag, not a role.
        account_services.user_set_staff(user=user, is_staff=True)
    return user


def build_world() -> World:
    """Create the registry and the personas through the services (about 470 queries)."""
    aalborg = services.municipality_create(name="Aalborg", code="0851")
    albertslund = services.municipality_create(name="Albertslund", code="0165")
    frederikssund = services.municipality_create(name="Frederikssund", code="0250")

    programme = Area.Kind.PROGRAMME
    lindholm = services.area_create(
        municipality=aalborg, name="Lindholm", kind=programme, start_date=PROGRAMME_START
    )
    vejgaard = services.area_create(
        municipality=aalborg,
        name="Vejgaard",
        kind=Area.Kind.COMPARISON,
        start_date=PROGRAMME_START,
    )
    herstedlund = services.area_create(
        municipality=albertslund, name="Herstedlund", kind=programme, start_date=PROGRAMME_START
    )
    slangerup = services.area_create(
        municipality=frederikssund, name="Slangerup", kind=programme, start_date=PROGRAMME_START
    )

    def institution(
        municipality: Municipality,
        area: Area,
        name: str,
        kind: str,
        number: str,
        lat: float,
        lon: float,
    ) -> Institution:
        return services.institution_create(
            municipality=municipality,
            area=area,
            member_from=INSTITUTIONS_FROM,
            name=name,
            kind=kind,
            official_number=number,
            latitude=lat,
            longitude=lon,
        )

    kind = Institution.Kind
    gl_lindholm_skole = institution(
        aalborg, lindholm, "Gl. Lindholm Skole", kind.SCHOOL, "851012", 57.0662, 9.9066
    )
    lindholm_daycare = institution(
        aalborg, lindholm, "Børnehaven Lindholm Å", kind.DAYCARE, "85140", 57.0701, 9.9012
    )
    aalborg_health = institution(
        aalborg,
        lindholm,
        "Sundhedsplejen Aalborg",
        kind.HEALTH_VISITING,
        "851000100001",
        57.0488,
        9.9217,
    )
    herstedlund_skole = institution(
        albertslund, herstedlund, "Herstedlund Skole", kind.SCHOOL, "165004", 55.6687, 12.3429
    )
    albertslund_daycare = institution(
        albertslund, herstedlund, "Børnehuset Galaksen", kind.DAYCARE, "16522", 55.6712, 12.3478
    )
    albertslund_health = institution(
        albertslund,
        herstedlund,
        "Sundhedsplejen Albertslund",
        kind.HEALTH_VISITING,
        "165000100001",
        55.6570,
        12.3600,
    )
    troldhoj = institution(
        frederikssund, slangerup, "Børnehuset Troldhøj", kind.DAYCARE, "25031", 55.8510, 12.1750
    )
    frederikssund_health = institution(
        frederikssund,
        slangerup,
        "Sundhedsplejen Frederikssund",
        kind.HEALTH_VISITING,
        "250000100001",
        55.8390,
        12.0690,
    )

    lindholm_if = services.partner_create(
        municipality=aalborg,
        area=lindholm,
        name="Lindholm IF",
        kind=Partner.Kind.SPORTS_CLUB,
        contact_name="Carl Christensen",
        contact_email="carl@example.org",
    )
    albertslund_partner = services.partner_create(
        municipality=albertslund,
        area=herstedlund,
        name="Albertslund Svømmeklub",
        kind=Partner.Kind.SPORTS_CLUB,
    )

    hanne = make_user("hanne", "Hanne", "Holm")
    astrid = make_user("astrid", "Astrid", "Andersen")
    pia = make_user("pia", "Pia", "Pedersen")
    tina = make_user("tina", "Tina", "Thomsen")
    carl = make_user("carl", "Carl", "Christensen")
    lars = make_user("lars", "Lars", "Larsen", is_staff=True)
    rikke = make_user("rikke", "Rikke", "Rasmussen")
    ada = make_user("ada", "Ada", "Adamsen", is_staff=True)
    otto = make_user("otto", "Otto", "Olsen")

    grant = account_services.membership_create
    grant(user=hanne, role=Role.HEALTH_VISITOR, institution=aalborg_health, valid_from=MEMBERS_FROM)
    grant(
        user=astrid,
        role=Role.HEALTH_VISITOR,
        institution=albertslund_health,
        valid_from=MEMBERS_FROM,
    )
    grant(user=pia, role=Role.PEDAGOGUE, institution=troldhoj, valid_from=MEMBERS_FROM)
    grant(user=tina, role=Role.TEACHER, institution=gl_lindholm_skole, valid_from=MEMBERS_FROM)
    grant(user=carl, role=Role.CLUB_CONTACT, partner=lindholm_if, valid_from=MEMBERS_FROM)
    grant(user=lars, role=Role.PROJECT_LEADER, municipality=aalborg, valid_from=MEMBERS_FROM)
    grant(user=rikke, role=Role.RESEARCHER, valid_from=MEMBERS_FROM)
    grant(user=ada, role=Role.ADMIN, valid_from=MEMBERS_FROM)

    return World(
        aalborg=aalborg,
        albertslund=albertslund,
        frederikssund=frederikssund,
        lindholm=lindholm,
        vejgaard=vejgaard,
        herstedlund=herstedlund,
        slangerup=slangerup,
        gl_lindholm_skole=gl_lindholm_skole,
        lindholm_daycare=lindholm_daycare,
        aalborg_health=aalborg_health,
        herstedlund_skole=herstedlund_skole,
        albertslund_daycare=albertslund_daycare,
        albertslund_health=albertslund_health,
        troldhoj=troldhoj,
        frederikssund_health=frederikssund_health,
        lindholm_if=lindholm_if,
        albertslund_partner=albertslund_partner,
        hanne=hanne,
        astrid=astrid,
        pia=pia,
        tina=tina,
        carl=carl,
        lars=lars,
        rikke=rikke,
        ada=ada,
        otto=otto,
    )


def add_daycares(world: World, count: int, *, area: Area | None = None) -> list[Institution]:
    """Add ``count`` more daycares to an area (Lindholm by default), e.g. to pin query counts."""
    area = area or world.lindholm
    first = Institution.objects.filter(municipality=area.municipality, is_synthetic=True).count()
    return [
        services.institution_create(
            municipality=area.municipality,
            area=area,
            member_from=INSTITUTIONS_FROM,
            name=f"Daginstitution {area.name} {number:03d}",
            kind=Institution.Kind.DAYCARE,
            official_number=f"9{area.municipality.code}{number:03d}",
            latitude=57.05 if area.municipality.code == "0851" else 55.67,
            longitude=9.92 if area.municipality.code == "0851" else 12.35,
            is_synthetic=True,
        )
        for number in range(first + 1, first + count + 1)
    ]


REFERENCE_DATA_MIGRATIONS = (
    "borneliv.organisations.migrations.0002_reference_data",
    "borneliv.healthvisits.migrations.0002_stages_and_topics",
    # Breastfeeding calls as a series and the enhanced visit's four focus themes.
    "borneliv.healthvisits.migrations.0004_series_and_focus_themes",
    "borneliv.motor.migrations.0002_default_instruments",
)


def reload_reference_data() -> None:
    """Load the reference data that migrations provide (goals, sub-interventions, stages, topics).

    Transactional tests (live server, browser) flush every table after each test, migration data
    included; they call this to start from what a migrated database holds.
    """
    import importlib

    from django.apps import apps

    for name in REFERENCE_DATA_MIGRATIONS:
        importlib.import_module(name).load(apps, None)


#: Database images of data loaded once per test process (see ``loaded_once``), by key.
_IMAGES: dict[str, tuple[Any, Any]] = {}


@contextmanager
def loaded_once(key: str, load: Callable[[], T]) -> Iterator[T]:
    """Data that ``load()`` writes, for the duration of the block, loaded once per test process.

    The demo takes half a minute to load through its services, and several test modules read it.
    On SQLite the first use commits the load and keeps an in-memory image of the database; later
    uses copy that image in (milliseconds), and every use copies the database as it was back on
    leaving, so no other test sees the data. Each caller gets its own copy of ``load``'s result.
    Elsewhere (PostgreSQL) the data are loaded in a transaction rolled back on leaving. Only for
    module-scoped fixtures of ``db`` tests, inside ``django_db_blocker.unblock()``.
    """
    from django.db import connection, transaction

    connection.ensure_connection()
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        with transaction.atomic():
            yield load()
            transaction.set_rollback(True)
        return
    name = str(connection.settings_dict["NAME"])
    assert "memorydb" in name or "test" in name, f"not a test database: {name}"
    raw = connection.connection
    before = _image_of(raw)
    try:
        if key not in _IMAGES:
            result = load()
            _IMAGES[key] = (_image_of(raw), result)
        else:
            _IMAGES[key][0].backup(raw)
        yield copy.deepcopy(_IMAGES[key][1])
    finally:
        before.backup(raw)
        before.close()


def _image_of(raw: Any) -> Any:
    import sqlite3

    image = sqlite3.connect(":memory:", check_same_thread=False)
    raw.backup(image)
    return image
