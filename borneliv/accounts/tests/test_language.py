"""Danish by default, English on request, and a Danish catalogue with nothing left untranslated."""

from __future__ import annotations

import ast
import gettext
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from borneliv.organisations import services
from borneliv.organisations.models import Institution
from borneliv.testing import INSTITUTIONS_FROM, PROGRAMME_START, World

ClientFor = Callable[[str], Client]

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
DANISH_PO = LOCALE_DIR / "da" / "LC_MESSAGES" / "django.po"
DANISH_MO = LOCALE_DIR / "da" / "LC_MESSAGES" / "django.mo"


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


# Pages


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "welcome", "role_label"),
    [
        ("pia", "Velkommen, Pia", "Pædagog"),
        ("tina", "Velkommen, Tina", "Lærer eller skoleleder"),
        ("lars", "Velkommen, Lars", "Kommunal projektleder"),
        ("rikke", "Velkommen, Rikke", "Forsker"),
    ],
)
def test_the_landing_page_is_danish_by_default(
    client_for: ClientFor, persona: str, welcome: str, role_label: str
) -> None:
    html = page(client_for(persona), "/")
    assert '<html lang="da">' in html
    assert welcome in html
    assert role_label in html
    assert "Logget ind som" in html
    assert "Welcome" not in html


@pytest.mark.django_db
def test_a_user_can_switch_to_english_and_back(client_for: ClientFor) -> None:
    client = client_for("pia")
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert (response.status_code, response["Location"]) == (302, "/")
    html = page(client, "/")
    assert '<html lang="en">' in html
    assert "Welcome, Pia" in html
    assert "Pedagogue" in html
    assert "Logged in as" in html
    assert "Velkommen" not in html

    client.post("/i18n/setlang/", {"language": "da", "next": "/"})
    assert "Velkommen, Pia" in page(client, "/")


@pytest.mark.django_db
def test_the_area_page_shows_danish_dates_as_dd_mm_yyyy(
    world: World, client_for: ClientFor
) -> None:
    assert PROGRAMME_START.isoformat() == "2023-01-01"
    assert INSTITUTIONS_FROM.isoformat() == "2024-08-01"
    html = page(client_for("lars"), f"/areas/{world.lindholm.pk}/")
    assert "siden 01.01.2023" in html  # the area's start date
    assert '<td class="nowrap">01.08.2024</td>' in html  # membership history
    assert "igangværende" in html
    assert "2024-08-01" not in html and "2023-01-01" not in html


@pytest.mark.django_db
def test_the_area_page_shows_english_dates_in_english(world: World, client_for: ClientFor) -> None:
    client = client_for("lars")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = page(client, f"/areas/{world.lindholm.pk}/")
    assert "since 1 Jan 2023" in html
    assert "01.08.2024" not in html


# Validation messages from the services


def refusal(call: Callable[[], object], language: str) -> dict[str, list[str]]:
    with translation.override(language), pytest.raises(ValidationError) as excinfo:
        call()
    return excinfo.value.message_dict


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("da", "0999 er ikke en dansk kommunekode."),
        ("en", "0999 is not the code of a Danish municipality."),
    ],
)
def test_an_unknown_municipality_code_is_refused_in_the_users_language(
    world: World, language: str, message: str
) -> None:
    errors = refusal(lambda: services.municipality_create(name="Ukendt", code="0999"), language)
    assert errors == {"code": [message]}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "message"),
    [
        (
            "da",
            "En institution skal være tilknyttet et lokalområde. Vælg det lokalområde, den ligger i.",
        ),
        ("en", "An institution must belong to an area. Choose the area it lies in."),
    ],
)
def test_an_institution_without_an_area_is_refused_in_the_users_language(
    world: World, language: str, message: str
) -> None:
    def create() -> Institution:
        return services.institution_create(
            municipality=world.aalborg,
            name="Børnehuset Uden Område",
            kind=Institution.Kind.DAYCARE,
            area=None,
            member_from=PROGRAMME_START,
        )

    assert refusal(create, language) == {"area": [message]}


@pytest.mark.django_db
def test_a_membership_in_another_municipality_is_refused_in_danish(world: World) -> None:
    def join() -> object:
        return services.institution_join_area(
            institution=world.troldhoj, area=world.lindholm, valid_from=PROGRAMME_START
        )

    assert refusal(join, "da") == {
        "area": ["Lindholm ligger i Aalborg, men Børnehuset Troldhøj hører til Frederikssund."]
    }


# The Danish catalogue


@dataclass
class Entry:
    msgctxt: str | None = None  # pgettext's context, e.g. "motor domain"
    msgid: str = ""
    msgid_plural: str | None = None
    msgstrs: dict[int | None, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0


def read_po(path: Path) -> list[Entry]:
    """A minimal .po reader: flags, msgctxt, msgid, msgid_plural and msgstr / msgstr[n], with
    continuation lines."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int | None] | None = None
    keyword = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$')
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            current, target = None, None
            continue
        if line.startswith("#~"):  # obsolete entries are not part of the catalogue
            continue
        if current is None:
            current = Entry(line=number)
            entries.append(current)
        if line.startswith("#,"):
            current.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif match := keyword.match(line):
            name, index, value = match.groups()
            text = ast.literal_eval(value)
            if name == "msgctxt":
                current.msgctxt, target = text, ("msgctxt", None)
            elif name == "msgid":
                current.msgid, target = text, ("msgid", None)
            elif name == "msgid_plural":
                current.msgid_plural, target = text, ("msgid_plural", None)
            else:
                key = int(index) if index is not None else None
                current.msgstrs[key], target = text, ("msgstr", key)
        elif line.startswith('"') and target is not None:
            text = ast.literal_eval(line)
            kind, key = target
            if kind == "msgctxt":
                current.msgctxt = (current.msgctxt or "") + text
            elif kind == "msgid":
                current.msgid += text
            elif kind == "msgid_plural":
                current.msgid_plural = (current.msgid_plural or "") + text
            else:
                current.msgstrs[key] += text
        else:
            raise AssertionError(f"{path}:{number}: cannot read {raw!r}")
    return [entry for entry in entries if entry.msgstrs]


@pytest.fixture(scope="module")
def catalogue() -> list[Entry]:
    return read_po(DANISH_PO)


def messages_of(catalogue: list[Entry]) -> list[Entry]:
    return [entry for entry in catalogue if entry.msgid]


def test_the_danish_catalogue_header_declares_danish_plurals_and_utf8(
    catalogue: list[Entry],
) -> None:
    header = next(entry for entry in catalogue if entry.msgid == "")
    assert "fuzzy" not in header.flags
    text = header.msgstrs[None]
    assert "Language: da\n" in text
    assert "Plural-Forms: nplurals=2; plural=(n != 1);\n" in text
    assert "Content-Type: text/plain; charset=UTF-8\n" in text


def test_every_danish_message_is_translated_and_checked(catalogue: list[Entry]) -> None:
    messages = messages_of(catalogue)
    assert len(messages) > 250  # the parser really read the catalogue
    untranslated = [e.msgid for e in messages if not all(e.msgstrs.values())]
    fuzzy = [e.msgid for e in messages if "fuzzy" in e.flags]
    assert untranslated == [], "run makemessages, then translate these in the Danish .po"
    assert fuzzy == [], "check these translations and remove their #, fuzzy flags"
    plurals = [e for e in messages if e.msgid_plural is not None]
    assert plurals
    assert all(set(e.msgstrs) == {0, 1} for e in plurals)


PLACEHOLDER = re.compile(r"%\(\w+\)s|%s|\{\{.*?\}\}|\{%.*?%\}")
TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def test_danish_translations_keep_placeholders_and_html_tags(catalogue: list[Entry]) -> None:
    problems = []
    for entry in messages_of(catalogue):
        if entry.msgid_plural is None:
            pairs = [(entry.msgid, entry.msgstrs[None])]
        else:
            # The plural form must keep every placeholder; the singular may leave out the count.
            pairs = [(entry.msgid_plural, entry.msgstrs[1])]
            allowed = set(PLACEHOLDER.findall(entry.msgid + entry.msgid_plural))
            if not set(PLACEHOLDER.findall(entry.msgstrs[0])) <= allowed:
                problems.append(entry.msgid)
        for source, translated in pairs:
            if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(translated)):
                problems.append(entry.msgid)
            if sorted(TAG.findall(source)) != sorted(TAG.findall(translated)):
                problems.append(entry.msgid)
    assert problems == []


def test_the_compiled_danish_catalogue_matches_the_po_file(catalogue: list[Entry]) -> None:
    """Catches a .po edited without running ``compilemessages``."""
    with DANISH_MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in messages_of(catalogue):
        context = entry.msgctxt
        if entry.msgid_plural is None:
            found = (
                compiled.pgettext(context, entry.msgid)
                if context is not None
                else compiled.gettext(entry.msgid)
            )
            if found != entry.msgstrs[None]:
                stale.append(entry.msgid)
        else:
            for n, index in ((1, 0), (2, 1)):
                found = (
                    compiled.npgettext(context, entry.msgid, entry.msgid_plural, n)
                    if context is not None
                    else compiled.ngettext(entry.msgid, entry.msgid_plural, n)
                )
                if found != entry.msgstrs[index]:
                    stale.append(entry.msgid)
    assert stale == [], "run compilemessages"


def test_an_english_browser_still_gets_danish_until_the_user_chooses(world: World) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    client.force_login(world.pia)
    response = client.get("/")
    assert response.headers["Content-Language"] == "da"
    assert "Velkommen, Pia" in response.content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Welcome, Pia" in client.get("/").content.decode()
