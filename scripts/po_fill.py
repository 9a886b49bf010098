"""Fill translations into a gettext catalogue from a JSON file, or list what is untranslated.

    python scripts/po_fill.py da TRANSLATIONS.json   # {"msgid": "msgstr", "one": ["en", "flere"]}
    python scripts/po_fill.py da --missing           # msgids without a (non-fuzzy) translation

A key may carry a context as ``"context\\u0004msgid"``; a plural entry takes a list of forms.
Filled entries lose their ``fuzzy`` flag. Keys not in the catalogue are reported and exit 1, so
run ``make messages`` first (``make translations FILE=…`` does both, under a lock).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

LOCALE = Path(__file__).resolve().parents[1] / "borneliv" / "locale"


def _unquote(line: str) -> str:
    body = line.strip()
    assert body.startswith('"') and body.endswith('"'), line
    return json.loads(body)  # PO escapes (\n \" \\ \t) are a subset of JSON's


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")
    if "\n" not in escaped or (escaped.endswith("\n") and escaped.count("\n") == 1):
        return '"' + escaped.replace("\n", "\\n") + '"'
    parts = escaped.split("\n")
    lines = [p + "\\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])
    return '""\n' + "\n".join(f'"{p}"' for p in lines)


@dataclass
class Entry:
    raw: str = ""  # the block as read; written back unchanged unless the entry was filled
    comments: list[str] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)  # msgctxt, msgid, msgid_plural, msgstr[n]
    changed: bool = False

    @property
    def key(self) -> str:
        ctx = self.fields.get("msgctxt")
        return f"{ctx}\x04{self.fields['msgid']}" if ctx is not None else self.fields["msgid"]

    @property
    def fuzzy(self) -> bool:
        return any(c.startswith("#,") and "fuzzy" in c for c in self.comments)

    @property
    def translated(self) -> bool:
        strings = [v for k, v in self.fields.items() if k.startswith("msgstr")]
        return not self.fuzzy and bool(strings) and all(strings)

    def render(self) -> str:
        if not self.changed:
            return self.raw
        out = list(self.comments)
        for name, value in self.fields.items():
            out.append(f"{name} {_quote(value)}")
        return "\n".join(out)


def parse(text: str) -> list[Entry]:
    entries: list[Entry] = []
    for block in text.split("\n\n"):
        if not block.strip():
            continue
        entry = Entry(raw=block.strip("\n"))
        current: str | None = None
        for line in block.splitlines():
            if line.startswith("#"):
                entry.comments.append(line)
            elif line.startswith('"'):
                assert current is not None, line
                entry.fields[current] += _unquote(line)
            else:
                name, _, rest = line.partition(" ")
                current = name
                entry.fields[name] = _unquote(rest)
        entries.append(entry)
    return entries


def fill(entries: list[Entry], translations: dict[str, str | list[str]]) -> list[str]:
    by_key = {e.key: e for e in entries if "msgid" in e.fields}
    unknown = []
    for key, value in translations.items():
        entry = by_key.get(key)
        if entry is None:
            unknown.append(key)
            continue
        if isinstance(value, list):
            for i, form in enumerate(value):
                entry.fields[f"msgstr[{i}]"] = form
        else:
            entry.fields["msgstr"] = value
        kept = []
        for c in entry.comments:
            if c.startswith("#,"):
                flags = [f.strip() for f in c[2:].split(",") if f.strip() != "fuzzy"]
                if flags:
                    kept.append("#, " + ", ".join(flags))
            elif c.startswith("#|"):
                continue  # the previous msgid of a fuzzy match
            else:
                kept.append(c)
        entry.comments = kept
        entry.changed = True
    return unknown


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    path = LOCALE / argv[0] / "LC_MESSAGES" / "django.po"
    entries = parse(path.read_text(encoding="utf-8"))
    if argv[1] == "--missing":
        missing = [e.key for e in entries if e.fields.get("msgid") and not e.translated]
        for key in missing:
            print(json.dumps(key, ensure_ascii=False))
        return 1 if missing else 0
    translations = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    unknown = fill(entries, translations)
    path.write_text("\n\n".join(e.render() for e in entries) + "\n", encoding="utf-8")
    for key in unknown:
        print(f"not in the catalogue (run make messages?): {key!r}", file=sys.stderr)
    return 1 if unknown else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
