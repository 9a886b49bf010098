"""ASCII file names that keep their Danish meaning (lib/text.py)."""

from __future__ import annotations

import re

import pytest

from borneliv.lib.text import MAX_STEM, ascii_filename, ascii_words


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Æblehaven", "aeblehaven"),
        ("Børnehuset Fælleden", "boernehuset-faelleden"),
        ("Åløkke Skole", "aaloekke-skole"),
        ("ÆØÅ æøå", "aeoeaa-aeoeaa"),
        ("Nærhedscirkel", "naerhedscirkel"),
        ("Gl. Lindholm Skole", "gl-lindholm-skole"),
        ("Café Ørsted & Søn", "cafe-oersted-soen"),
        ("Müller's Straße", "mueller-s-strasse"),
        ("  --Lindholm   Å--  ", "lindholm-aa"),
        ("Ｆｕｌｌｗｉｄｔｈ １２", "fullwidth-12"),
        ("Sundhedspleje: 6–10 måneder", "sundhedspleje-6-10-maaneder"),
        ("2012—2018", "2012-2018"),
        ("", ""),
        ("✿ ☺", ""),
    ],
)
def test_danish_letters_are_spelled_out_and_the_rest_made_plain(text: str, words: str) -> None:
    assert ascii_words(text) == words


def test_a_poster_file_name_keeps_its_meaning() -> None:
    name = ascii_filename("Nærhedscirkel", "Børnehuset Fælleden", "A4", extension="pdf")

    assert name == "naerhedscirkel-boernehuset-faelleden-a4.pdf"


def test_empty_parts_are_left_out_and_nothing_left_gives_the_fallback() -> None:
    assert ascii_filename("Plan", "", "☺", "2025", extension="csv") == "plan-2025.csv"
    assert ascii_filename("☺", extension="png") == "download.png"
    assert ascii_filename("", fallback="Kort") == "kort"
    assert ascii_filename("data", extension="tar.gz") == "data.tar.gz"


def test_the_name_is_safe_in_a_header_and_bounded() -> None:
    name = ascii_filename('a"b;c\r\nd/e\\f', "x" * 500, extension="pdf")

    assert re.fullmatch(r"[a-z0-9.-]+", name)
    assert len(name) <= MAX_STEM + len(".pdf")
    assert not name.removesuffix(".pdf").endswith("-")
