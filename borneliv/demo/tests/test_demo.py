"""The demo programme: structure from the seed, synthetic markings, users per role, init-local."""

from __future__ import annotations

import datetime as dt
import io
import os
import stat
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from pytest_django.fixtures import Settings

from borneliv import cli
from borneliv.accounts import services as account_services
from borneliv.accounts.models import Membership, Role, User, today
from borneliv.demo import data
from borneliv.demo.services import DemoResult, demo_is_loaded, demo_load, demo_logins
from borneliv.lib.dk import MUNICIPALITIES
from borneliv.lib.env import read_env_file
from borneliv.organisations.models import Area, Institution, InstitutionArea, Municipality, Partner

PASSWORD = "gynge-kastanje-fjord-2024"

# What the seed publication says (kommunekode: programme areas, schools, special schools, daycares).
SEED_STRUCTURE = {
    "0851": {"areas": 4, "school": 4, "special_school": 0, "daycare": 16},
    "0250": {"areas": 2, "school": 2, "special_school": 0, "daycare": 5},
    "0165": {"areas": 4, "school": 4, "special_school": 1, "daycare": 9},
}
SEED_NAMES = {"Lindholm", "Slangerup", "Gl. Lindholm Skole", "Børnehuset Troldhøj"}

# Generous boxes (lat, lon) around the programme towns of each municipality (WGS84).
TOWN_BOXES = {
    "0851": ((56.95, 57.12), (9.80, 10.40)),  # Nørresundby, Aalborg, Aalborg Øst, Hals
    "0250": ((55.80, 55.90), (11.95, 12.22)),  # Jægerspris, Slangerup
    "0165": ((55.64, 55.70), (12.30, 12.39)),  # Albertslund
}


@pytest.fixture
def demo(db: None, settings: Settings) -> DemoResult:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return demo_load(password=PASSWORD)


def _current_area(institution: Institution) -> Area:
    (membership,) = InstitutionArea.objects.filter(institution=institution).valid_on(today())
    return membership.area


# --- the structure -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_loads_the_seed_structure_per_municipality(demo: DemoResult) -> None:
    assert demo.loaded
    for code, expected in SEED_STRUCTURE.items():
        municipality = Municipality.objects.get(code=code)
        kinds = Counter(
            Institution.objects.filter(municipality=municipality).values_list("kind", flat=True)
        )
        assert municipality.areas.programme().count() == expected["areas"], code
        assert kinds["school"] == expected["school"], code
        assert kinds["special_school"] == expected["special_school"], code
        assert kinds["daycare"] == expected["daycare"], code
        assert kinds["health_visiting"] == 1, code
        assert kinds["sfo"] == expected["school"], code  # one SFO per school
        assert 3 <= municipality.partners.count() <= 6, code


@pytest.mark.django_db
def test_it_places_the_seed_institutions_in_their_areas(demo: DemoResult) -> None:
    lindholm_skole = Institution.objects.get(name="Gl. Lindholm Skole")
    troldhoj = Institution.objects.get(name="Børnehuset Troldhøj")
    assert lindholm_skole.kind == "school"
    assert _current_area(lindholm_skole).name == "Lindholm"
    assert lindholm_skole.municipality.code == "0851"
    assert troldhoj.kind == "daycare"
    assert _current_area(troldhoj).name == "Slangerup"
    assert troldhoj.municipality.code == "0250"


@pytest.mark.django_db
def test_every_institution_is_in_exactly_one_area_of_its_municipality_today(
    demo: DemoResult,
) -> None:
    institutions = list(Institution.objects.select_related("municipality"))
    assert len(institutions) == demo.institutions == 54
    for institution in institutions:
        area = _current_area(institution)
        assert area.municipality_id == institution.municipality_id
        assert area.kind == Area.Kind.PROGRAMME


@pytest.mark.django_db
def test_every_institution_lies_in_its_town(demo: DemoResult) -> None:
    for institution in Institution.objects.select_related("municipality"):
        (lat_min, lat_max), (lon_min, lon_max) = TOWN_BOXES[institution.municipality.code]
        assert institution.latitude is not None and institution.longitude is not None
        assert lat_min <= institution.latitude <= lat_max, institution.name
        assert lon_min <= institution.longitude <= lon_max, institution.name


@pytest.mark.django_db
def test_no_two_institutions_share_a_spot(demo: DemoResult) -> None:
    spots = list(Institution.objects.values_list("latitude", "longitude"))
    assert len(set(spots)) == len(spots)


@pytest.mark.django_db
def test_every_name_not_in_the_seed_is_marked_synthetic(demo: DemoResult) -> None:
    for model in (Area, Institution, Partner):
        for name, is_synthetic in model.objects.values_list("name", "is_synthetic"):
            assert is_synthetic == (name not in SEED_NAMES), name


@pytest.mark.django_db
def test_official_numbers_are_unique_and_synthetic_ones_in_the_documented_range(
    demo: DemoResult,
) -> None:
    rows = list(Institution.objects.values_list("kind", "official_number", "is_synthetic"))
    numbers = [number for _, number, _ in rows if number]
    assert len(numbers) == len(set(numbers))
    for kind, number, is_synthetic in rows:
        if is_synthetic:
            assert data.is_synthetic_number(kind, number), (kind, number)
        else:
            assert number == "", "a real institution never gets an invented number"


@pytest.mark.django_db
def test_it_has_comparison_areas_in_real_municipalities(demo: DemoResult) -> None:
    comparison = list(Area.objects.comparison().select_related("municipality"))
    assert 3 <= len(comparison) <= 5
    for area in comparison:
        assert MUNICIPALITIES[area.municipality.code] == area.municipality.name
        assert not area.memberships.exists()


@pytest.mark.django_db
def test_programmes_start_in_2020(demo: DemoResult) -> None:
    assert set(Area.objects.values_list("start_date__year", flat=True)) == {2020}


@pytest.mark.django_db
def test_area_history_records_a_daycare_that_moved(demo: DemoResult) -> None:
    valmuen = Institution.objects.get(name="Børnehuset Valmuen")
    history = list(
        InstitutionArea.objects.filter(institution=valmuen)
        .order_by("valid_from")
        .values_list("area__name", "valid_from", "valid_to")
    )
    assert history == [
        ("Albertslund Syd", dt.date(2020, 1, 1), dt.date(2023, 7, 31)),
        ("Albertslund Centrum", dt.date(2023, 8, 1), None),
    ]


# --- users ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_creates_one_user_per_role_with_the_right_scope(demo: DemoResult) -> None:
    users = {user.username: user for user in User.objects.all()}
    assert set(users) == {
        "admin", "projektleder", "sundhedsplejerske", "sundhedsplejerske2",
        "sundhedsplejerske3", "paedagog", "laerer", "klub", "forsker",
    }  # fmt: skip
    assert set(Membership.objects.values_list("role", flat=True)) == set(Role.values)
    aalborg = Municipality.objects.get(code="0851")

    admin = users["admin"]
    assert admin.is_staff and admin.is_superuser and admin.scope.is_admin

    leader = users["projektleder"]
    assert leader.is_staff and not leader.is_superuser
    assert leader.scope.led_municipality_ids == {aalborg.pk}

    def institution_of(username: str, role: str) -> Institution:
        (pk,) = users[username].scope.institutions_for(role)
        return Institution.objects.get(pk=pk)

    health = institution_of("sundhedsplejerske", Role.HEALTH_VISITOR)
    assert (health.kind, health.municipality.code) == ("health_visiting", "0851")
    health2 = institution_of("sundhedsplejerske2", Role.HEALTH_VISITOR)
    assert (health2.kind, health2.municipality.code) == ("health_visiting", "0165")
    health3 = institution_of("sundhedsplejerske3", Role.HEALTH_VISITOR)
    assert (health3.kind, health3.municipality.code) == ("health_visiting", "0250")
    assert institution_of("paedagog", Role.PEDAGOGUE).name == "Børnehuset Troldhøj"
    assert institution_of("laerer", Role.TEACHER).name == "Gl. Lindholm Skole"

    (partner_pk,) = users["klub"].scope.partner_ids
    club = Partner.objects.get(pk=partner_pk)
    assert (club.kind, club.municipality.code) == ("sports_club", "0851")

    researcher = users["forsker"]
    assert researcher.scope.is_researcher and not researcher.scope.is_admin
    for username in ("sundhedsplejerske", "paedagog", "laerer", "klub", "forsker"):
        assert not users[username].is_staff, username
    for user in users.values():
        assert user.first_name and user.last_name
        assert user.check_password(PASSWORD)


@pytest.mark.django_db
def test_demo_logins_list_role_and_username(demo: DemoResult) -> None:
    logins = demo_logins()
    assert logins == demo.logins
    assert [username for _, username in logins] == [spec.username for spec in data.USERS]
    assert logins[0] == (str(Role.ADMIN.label), "admin")


# --- loading ---------------------------------------------------------------------------------------


def _snapshot() -> dict[str, int]:
    models = (Municipality, Area, Institution, InstitutionArea, Partner, User, Membership)
    counts = {model.__name__: model.objects.count() for model in models}
    counts |= {f"history {m.__name__}": m.history.count() for m in models}
    return counts


@pytest.mark.django_db
def test_loading_twice_changes_nothing(demo: DemoResult) -> None:
    before = _snapshot()
    again = demo_load(password="another-password-9876")
    assert not again.loaded
    assert _snapshot() == before
    assert User.objects.get(username="admin").check_password(PASSWORD)


@pytest.mark.django_db
def test_it_refuses_a_weak_password_and_saves_nothing(settings: Settings) -> None:
    with pytest.raises(ValidationError):
        demo_load(password="short")
    assert not demo_is_loaded()


@pytest.mark.django_db
def test_it_refuses_when_a_demo_username_is_taken(settings: Settings) -> None:
    account_services.user_create(username="admin", password=None)
    with pytest.raises(ValidationError, match="admin"):
        demo_load(password=PASSWORD)
    assert not demo_is_loaded()


@pytest.mark.django_db
def test_the_command_loads_once_and_prints_the_logins(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    monkeypatch.setenv("BORNELIV_DEMO_PASSWORD", PASSWORD)
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    text = out.getvalue()
    assert "Loaded the demo programme" in text
    for spec in data.USERS:
        assert spec.username in text
    assert PASSWORD in text

    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "already holds a programme" in out.getvalue()
    assert "sundhedsplejerske2" in out.getvalue()
    assert PASSWORD in out.getvalue()

    out = io.StringIO()
    call_command("load_demo", password="not-the-demo-password", stdout=out)
    assert "another password" in out.getvalue()
    assert "not-the-demo-password" not in out.getvalue()


@pytest.mark.django_db
def test_the_command_explains_a_missing_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BORNELIV_DEMO_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="BORNELIV_DEMO_PASSWORD"):
        call_command("load_demo", stdout=io.StringIO())
    assert not demo_is_loaded()


# --- the data, without a database ----------------------------------------------------------------


def test_demo_names_are_unique() -> None:
    names = [
        spec.name
        for municipality in data.MUNICIPALITIES
        for area in municipality.areas
        for spec in area.institutions
    ]
    assert len(names) == len(set(names))
    assert data.SEED_NAMES == SEED_NAMES


def test_sfo_names_use_the_danish_genitive() -> None:
    assert data.sfo_name("Smedegårdskolen") == "Smedegårdskolens SFO"
    assert data.sfo_name("Gl. Lindholm Skole") == "Gl. Lindholm Skoles SFO"


def test_spiral_locations_stay_within_the_radius() -> None:
    center = (55.66, 12.35)
    for index in range(10):
        lat, lon = data.spiral_location(center, 500, index, 10)
        # 500 m is about 0.0045° of latitude and 0.008° of longitude here.
        assert abs(lat - center[0]) < 0.0046 and abs(lon - center[1]) < 0.0081


# --- init-local and the command line ---------------------------------------------------------------


@pytest.fixture
def env_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "var" / "local.env"
    monkeypatch.setenv("BORNELIV_ENV_FILE", str(path))
    return path


def test_init_local_writes_the_keys_readable_by_the_owner_only(env_file: Path) -> None:
    assert cli.main(["init-local", "--quiet"]) == 0
    values = read_env_file(env_file)
    assert set(values) == {
        "BORNELIV_SECRET_KEY", "BORNELIV_HTTPS", "BORNELIV_DEBUG", "BORNELIV_DEMO_PASSWORD",
        "BORNELIV_CPR_KEY", "BORNELIV_PSEUDONYM_KEY",
    }  # fmt: skip
    assert len(values["BORNELIV_SECRET_KEY"]) >= 50
    assert values["BORNELIV_HTTPS"] == values["BORNELIV_DEBUG"] == "0"
    assert len(values["BORNELIV_DEMO_PASSWORD"]) >= 10
    Fernet(values["BORNELIV_CPR_KEY"].encode())  # a valid key
    assert len(bytes.fromhex(values["BORNELIV_PSEUDONYM_KEY"])) == 32
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600


def test_init_local_never_overwrites_and_adds_missing_keys(env_file: Path) -> None:
    env_file.parent.mkdir(parents=True)
    env_file.write_text("# mine\nBORNELIV_SECRET_KEY=keep-me\nBORNELIV_HTTPS=1", encoding="utf-8")
    cli.main(["init-local", "--quiet"])
    text = env_file.read_text(encoding="utf-8")
    assert text.startswith("# mine\nBORNELIV_SECRET_KEY=keep-me\nBORNELIV_HTTPS=1\n")
    values = read_env_file(env_file)
    assert values["BORNELIV_SECRET_KEY"] == "keep-me"
    assert values["BORNELIV_HTTPS"] == "1"
    assert "BORNELIV_CPR_KEY" in values
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600

    cli.main(["init-local", "--quiet"])
    assert env_file.read_text(encoding="utf-8") == text


def test_init_local_needs_no_django_settings(env_file: Path) -> None:
    script = (
        "import sys; from borneliv import cli; cli.main(['init-local', '--quiet']); "
        "assert 'django.conf' not in sys.modules, 'init-local imported Django'"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    subprocess.run([sys.executable, "-c", script], check=True, env=env, timeout=60)  # noqa: S603
    assert "BORNELIV_SECRET_KEY" in read_env_file(env_file)


def test_demo_passwords_are_readable_and_differ() -> None:
    passwords = {cli.demo_password() for _ in range(20)}
    assert len(passwords) > 15
    for password in passwords:
        *words, digits = password.split("-")
        assert len(words) == 3 and digits.isdigit() and len(digits) == 4


def test_unknown_subcommands_go_to_django(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[list[str]] = []

    def run_django(argv: list[str]) -> int:
        seen.append(list(argv))
        return 0

    monkeypatch.setattr(cli, "run_django", run_django)
    assert cli.main(["createsuperuser", "--username", "x"]) == 0
    assert seen == [["createsuperuser", "--username", "x"]]


def test_the_parser_offers_the_builtin_subcommands() -> None:
    parser = cli.build_parser(cli.subcommands())
    assert parser.parse_args(["serve"]).addr == "127.0.0.1:8000"
    assert parser.parse_args(["serve", "--addr", "127.0.0.1:8799"]).addr == "127.0.0.1:8799"
    assert parser.parse_args(["init-local", "--quiet"]).quiet
    assert parser.parse_args(["demo"]).command == "demo"
