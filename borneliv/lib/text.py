"""Text helpers without Django: ASCII file names that keep their Danish meaning.

Browsers, mail programs and municipal file shares still mangle non-ASCII file names, so a
download is named in plain ASCII. Dropping the letters that do not decompose (what ``slugify``
does) turns "Børnehuset Fælleden" into "brnehuset-flleden"; Danish writes æ, ø and å as ae, oe
and aa when the letters are missing, so that is what a file name gets.
"""

from __future__ import annotations

import re
import unicodedata

#: Letters written out the Danish way (and the German ones a Danish reader spells the same),
#: before any other accent is simply dropped.
_SPELLED_OUT = str.maketrans(
    {
        "æ": "ae",
        "ø": "oe",
        "å": "aa",
        "Æ": "Ae",
        "Ø": "Oe",
        "Å": "Aa",
        "ä": "ae",
        "ö": "oe",
        "ü": "ue",
        "Ä": "Ae",
        "Ö": "Oe",
        "Ü": "Ue",
        "ß": "ss",
        # A dash between numbers keeps them apart: "6–10 måneder" is not "610 maaneder".
        "–": "-",
        "—": "-",
    }
)
_NOT_WORD = re.compile(r"[^a-z0-9]+")
#: File systems allow 255 bytes; a download name never needs that many.
MAX_STEM = 120


def ascii_words(text: str) -> str:
    """``text`` as lower-case ASCII words joined by hyphens: "Æblehaven" → "aeblehaven"."""
    spelled = unicodedata.normalize("NFKC", text).translate(_SPELLED_OUT)
    plain = unicodedata.normalize("NFKD", spelled).encode("ascii", "ignore").decode("ascii")
    return _NOT_WORD.sub("-", plain.lower()).strip("-")


def ascii_filename(*parts: str, extension: str = "", fallback: str = "download") -> str:
    """A file name of the parts in ASCII words, e.g. ``("Nærhedscirkel", "Børnehuset
    Fælleden", "A4")`` with ``extension="pdf"`` → ``naerhedscirkel-boernehuset-faelleden-a4.pdf``.

    Empty parts are left out; when nothing is left, ``fallback`` names the file. The result holds
    only ``a-z``, ``0-9``, ``-`` and ``.``, so it is safe in a ``Content-Disposition`` header.
    """
    words = [word for word in (ascii_words(part) for part in parts) if word]
    stem = "-".join(words)[:MAX_STEM].rstrip("-") or ascii_words(fallback) or "download"
    suffix = ".".join(word for word in map(ascii_words, extension.split(".")) if word)
    return f"{stem}.{suffix}" if suffix else stem
