"""Instrument documents: read, check and write an instrument version as JSON or XLSX.

One document is one version of one instrument: the instrument's code and names, the version's
number, notes, ages and summary rule, its answer scales (*choices*) and its items (*survey*). Two
formats carry the same document:

- **JSON** (``borneliv-motor-instrument``, format version 1), as shipped in
  ``motor/instruments/*.json`` and loaded by migration ``0002_default_instruments``.
- **XLSX, "XLSForm-like"**: sheet ``survey`` (``type`` = ``select_one <list_name>``, ``name`` =
  item code, ``label::Dansk (da)``, ``label::English (en)``, ``hint::…`` = guidance,
  ``domain``), sheet ``choices`` (``list_name``, ``name`` = value, labels, ``remark_weight``)
  and sheet ``settings`` (one row: ``form_id`` = instrument code, ``version``, ``form_title::…``,
  ``description::…``, ``note::…``, ``starting_point``, the rule and the ages).

``read_document`` parses either format into an ``InstrumentDocument`` and checks it, collecting
*every* problem with its sheet and row (``Problem``), never stopping at the first. Nothing here
touches the database: comparing with the stored versions is ``instruments_services``'s job.
``document_from_version`` turns a stored version back into a document, so export → import gives
the same instrument.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from borneliv.motor.models import OBSERVATION_DOMAINS, Domain

if TYPE_CHECKING:
    from borneliv.motor.models import InstrumentVersion

FORMAT = "borneliv-motor-instrument"
FORMAT_VERSION = 1
MAX_ITEMS = 500
MAX_CHOICES = 500
MAX_SHEET_ROWS = 5000

SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
TRUE_WORDS = frozenset({"yes", "true", "1", "ja", "y", "x"})
FALSE_WORDS = frozenset({"no", "false", "0", "nej", "n", ""})

# The sheets of the XLSX document, and the sections of the JSON document.
SURVEY, CHOICES, SETTINGS = "survey", "choices", "settings"
JSON_ITEMS, JSON_CHOICES, JSON_INSTRUMENT, JSON_VERSION = (
    "items",
    "choices",
    "instrument",
    "version",
)


# --- the document ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ChoiceDoc:
    """One answer of a scale."""

    list_name: str
    value: str
    label_da: str
    label_en: str
    remark_weight: Decimal


@dataclass(frozen=True)
class ItemDoc:
    code: str
    domain: str
    list_name: str
    label_da: str
    label_en: str
    guidance_da: str = ""
    guidance_en: str = ""

    @property
    def is_observation(self) -> bool:
        return self.domain in OBSERVATION_DOMAINS


@dataclass(frozen=True)
class InstrumentDocument:
    """One version of one instrument, as a file carries it."""

    code: str
    name_da: str
    name_en: str
    number: int
    few_signs_from: Decimal
    challenges_from: Decimal
    min_assessed: int
    age_min_months: int
    age_max_months: int
    description_da: str = ""
    description_en: str = ""
    note_da: str = ""
    note_en: str = ""
    is_starting_point: bool = False
    choices: tuple[ChoiceDoc, ...] = ()
    items: tuple[ItemDoc, ...] = ()

    def scale(self, list_name: str) -> list[ChoiceDoc]:
        return [c for c in self.choices if c.list_name == list_name]

    @property
    def skill_items(self) -> list[ItemDoc]:
        return [i for i in self.items if not i.is_observation]

    def with_number(self, number: int) -> InstrumentDocument:
        return replace(self, number=number)


@dataclass(frozen=True)
class Problem:
    """What is wrong, and where: the sheet (or JSON section), its row (None = the whole sheet)."""

    sheet: str
    row: int | None
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return f"{self.sheet}: {self.message}"
        return _("%(sheet)s, row %(row)d: %(message)s") % {
            "sheet": self.sheet,
            "row": self.row,
            "message": self.message,
        }


@dataclass
class Parsed:
    """The outcome of reading a file: the document if it could be built, and every problem."""

    document: InstrumentDocument | None
    problems: list[Problem] = field(default_factory=list)
    format: str = ""  # "json" or "xlsx"

    @property
    def ok(self) -> bool:
        return self.document is not None and not self.problems


# --- reading: both formats become rows, then one set of checks ------------------------------


@dataclass
class _Row:
    """One source row: where it comes from and its cells by canonical field name."""

    sheet: str
    number: int
    values: dict[str, Any]
    # For the JSON settings, which come from two sections: the section of each field.
    sheet_of: dict[str, str] = field(default_factory=dict)

    def where(self, name: str) -> str:
        return self.sheet_of.get(name, self.sheet)


@dataclass
class _Rows:
    settings: _Row | None
    items: list[_Row]
    choices: list[_Row]
    problems: list[Problem]
    readable: bool = True  # False: the file as a whole could not be read


#: The order of the problem report: file order, sheet by sheet (XLSX or JSON).
SHEET_ORDER = {
    SURVEY: 1,
    JSON_INSTRUMENT: 1,
    JSON_VERSION: 2,
    CHOICES: 3,
    JSON_ITEMS: 4,
    SETTINGS: 5,
}


INSTRUMENT_FIELDS = ("code", "name_da", "name_en", "description_da", "description_en")
SETTINGS_REQUIRED = (
    "code",
    "number",
    "name_da",
    "name_en",
    "few_signs_from",
    "challenges_from",
    "min_assessed",
    "age_min_months",
    "age_max_months",
)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _lang_aliases(prefix: str, language: str, names: Sequence[str]) -> list[str]:
    """Header names of a translated column, e.g. ``label::Dansk (da)``, ``label::da``."""
    aliases = [f"{prefix}::{name} ({language})" for name in names]
    aliases += [f"{prefix}::{language}", f"{prefix}_{language}", f"{prefix} ({language})"]
    return [a.lower() for a in aliases]


DANISH = ("Dansk", "Danish")
ENGLISH = ("English", "Engelsk")

SURVEY_COLUMNS: dict[str, list[str]] = {
    "type": ["type"],
    "code": ["name", "code"],
    "label_da": _lang_aliases("label", "da", DANISH),
    "label_en": _lang_aliases("label", "en", ENGLISH),
    "guidance_da": _lang_aliases("hint", "da", DANISH) + _lang_aliases("guidance", "da", DANISH),
    "guidance_en": _lang_aliases("hint", "en", ENGLISH) + _lang_aliases("guidance", "en", ENGLISH),
    "domain": ["domain"],
}
SURVEY_REQUIRED = ("type", "code", "label_da", "label_en", "domain")
CHOICES_COLUMNS: dict[str, list[str]] = {
    "list_name": ["list_name", "list name"],
    "value": ["name", "value"],
    "label_da": _lang_aliases("label", "da", DANISH),
    "label_en": _lang_aliases("label", "en", ENGLISH),
    "remark_weight": ["remark_weight", "remark weight"],
}
CHOICES_REQUIRED = ("list_name", "value", "label_da", "label_en", "remark_weight")
SETTINGS_COLUMNS: dict[str, list[str]] = {
    "code": ["form_id"],
    "number": ["version"],
    "name_da": _lang_aliases("form_title", "da", DANISH),
    "name_en": _lang_aliases("form_title", "en", ENGLISH),
    "description_da": _lang_aliases("description", "da", DANISH),
    "description_en": _lang_aliases("description", "en", ENGLISH),
    "note_da": _lang_aliases("note", "da", DANISH),
    "note_en": _lang_aliases("note", "en", ENGLISH),
    "is_starting_point": ["starting_point"],
    "few_signs_from": ["few_signs_from"],
    "challenges_from": ["challenges_from"],
    "min_assessed": ["min_assessed"],
    "age_min_months": ["age_min_months"],
    "age_max_months": ["age_max_months"],
}

# The header the export writes, per canonical field (the first alias is what a missing column
# is called in a message).
SURVEY_HEADER = {
    "type": "type",
    "code": "name",
    "label_da": "label::Dansk (da)",
    "label_en": "label::English (en)",
    "guidance_da": "hint::Dansk (da)",
    "guidance_en": "hint::English (en)",
    "domain": "domain",
}
CHOICES_HEADER = {
    "list_name": "list_name",
    "value": "name",
    "label_da": "label::Dansk (da)",
    "label_en": "label::English (en)",
    "remark_weight": "remark_weight",
}
SETTINGS_HEADER = {
    "code": "form_id",
    "number": "version",
    "name_da": "form_title::Dansk (da)",
    "name_en": "form_title::English (en)",
    "description_da": "description::Dansk (da)",
    "description_en": "description::English (en)",
    "is_starting_point": "starting_point",
    "few_signs_from": "few_signs_from",
    "challenges_from": "challenges_from",
    "min_assessed": "min_assessed",
    "age_min_months": "age_min_months",
    "age_max_months": "age_max_months",
    "note_da": "note::Dansk (da)",
    "note_en": "note::English (en)",
}


def _sheet_rows(
    sheet_name: str,
    table: Iterable[Sequence[Any]] | None,
    columns: Mapping[str, Sequence[str]],
    required: Sequence[str],
    header_names: Mapping[str, str],
    problems: list[Problem],
) -> list[_Row] | None:
    """The data rows of one sheet (the header is row 1); None if the sheet cannot be read."""
    if table is None:
        problems.append(Problem(sheet_name, None, _("The sheet is missing.")))
        return None
    iterator = iter(table)
    header = next(iterator, None)
    if header is None:
        problems.append(Problem(sheet_name, None, _("The sheet is empty.")))
        return None
    index: dict[str, int] = {}
    for position, cell in enumerate(header):
        name = _text(cell).lower()
        for column, aliases in columns.items():
            if name in aliases and column not in index:
                index[column] = position
    missing = [c for c in required if c not in index]
    if missing:
        problems.append(
            Problem(
                sheet_name,
                1,
                _("Missing columns: %(names)s.")
                % {"names": ", ".join(header_names[c] for c in missing)},
            )
        )
        return None
    rows: list[_Row] = []
    for number, cells in enumerate(iterator, start=2):
        if number > MAX_SHEET_ROWS:  # blank rows too: a sheet formatted to its last row
            problems.append(Problem(sheet_name, None, _("The sheet has too many rows.")))
            return None
        values = {
            column: (cells[position] if position < len(cells) else None)
            for column, position in index.items()
        }
        if all(_text(v) == "" for v in values.values()):
            continue  # a blank line
        rows.append(_Row(sheet_name, number, values))
        if len(rows) > max(MAX_ITEMS, MAX_CHOICES):
            problems.append(Problem(sheet_name, None, _("The sheet has too many rows.")))
            return None
    return rows


def _rows_from_xlsx(data: bytes) -> _Rows:
    from openpyxl import load_workbook

    problems: list[Problem] = []
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a broken file
        return _Rows(
            None,
            [],
            [],
            [Problem("", None, _("The file cannot be read as an Excel workbook."))],
            readable=False,
        )
    try:
        sheets = {name.strip().lower(): workbook[name] for name in workbook.sheetnames}

        def table(name: str) -> Iterable[Sequence[Any]] | None:
            sheet = sheets.get(name)
            return None if sheet is None else sheet.iter_rows(values_only=True)

        items = _sheet_rows(
            SURVEY, table(SURVEY), SURVEY_COLUMNS, SURVEY_REQUIRED, SURVEY_HEADER, problems
        )
        choices = _sheet_rows(
            CHOICES, table(CHOICES), CHOICES_COLUMNS, CHOICES_REQUIRED, CHOICES_HEADER, problems
        )
        settings_rows = _sheet_rows(
            SETTINGS, table(SETTINGS), SETTINGS_COLUMNS, (), SETTINGS_HEADER, problems
        )
    finally:
        workbook.close()
    settings = None
    if settings_rows is not None:
        if not settings_rows:
            problems.append(Problem(SETTINGS, 2, _("The settings row is missing.")))
        else:
            settings = settings_rows[0]
            for extra in settings_rows[1:]:
                problems.append(
                    Problem(
                        SETTINGS, extra.number, _("Only one settings row is read; remove this one.")
                    )
                )
    if items is not None:
        for row in items:
            kind, _space, list_name = _text(row.values.pop("type", "")).partition(" ")
            row.values["list_name"] = list_name.strip()
            row.values["_type"] = kind
    return _Rows(settings, items or [], choices or [], problems)


def _rows_from_json(data: bytes) -> _Rows:
    def fail(sheet: str, message: str) -> _Rows:
        return _Rows(None, [], [], [Problem(sheet, None, message)], readable=False)

    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        return fail("", _("The file is not valid JSON."))
    if not isinstance(doc, dict):
        return fail("", _("The file is not an instrument document."))
    if doc.get("format") != FORMAT:
        return fail(
            "format", _("The file is not an instrument document (format %(f)s).") % {"f": FORMAT}
        )
    if doc.get("format_version") != FORMAT_VERSION:
        return fail(
            "format_version",
            _("Only format version %(v)d can be read.") % {"v": FORMAT_VERSION},
        )
    problems: list[Problem] = []
    settings: _Row | None = None
    instrument, version = doc.get(JSON_INSTRUMENT), doc.get(JSON_VERSION)
    for name, section in ((JSON_INSTRUMENT, instrument), (JSON_VERSION, version)):
        if not isinstance(section, dict):
            problems.append(Problem(name, None, _("The section is missing.")))
    if isinstance(instrument, dict) and isinstance(version, dict):
        rule = version.get("rule")
        if not isinstance(rule, dict):
            problems.append(Problem(JSON_VERSION, None, _("The rule is missing.")))
            rule = {}
        values: dict[str, Any] = {k: instrument.get(k) for k in INSTRUMENT_FIELDS}
        sheet_of = dict.fromkeys(INSTRUMENT_FIELDS, JSON_INSTRUMENT)
        for key in ("number", "note_da", "note_en", "is_starting_point"):
            values[key] = version.get(key)
        for key in ("age_min_months", "age_max_months"):
            values[key] = version.get(key)
        for key in ("few_signs_from", "challenges_from", "min_assessed"):
            values[key] = rule.get(key)
        settings = _Row(JSON_VERSION, 1, values, sheet_of)

    def listed(name: str, keys: Sequence[str]) -> list[_Row]:
        entries = doc.get(name)
        if not isinstance(entries, list):
            problems.append(Problem(name, None, _("The list is missing.")))
            return []
        if len(entries) > max(MAX_ITEMS, MAX_CHOICES):
            problems.append(Problem(name, None, _("The list is too long.")))
            return []
        rows = []
        for number, entry in enumerate(entries, start=1):
            if not isinstance(entry, dict):
                problems.append(Problem(name, number, _("The entry is not an object.")))
                continue
            rows.append(_Row(name, number, {k: entry.get(k) for k in keys}))
        return rows

    choices = listed(JSON_CHOICES, ("list_name", "value", "label_da", "label_en", "remark_weight"))
    items = listed(
        JSON_ITEMS,
        ("code", "domain", "list_name", "label_da", "label_en", "guidance_da", "guidance_en"),
    )
    return _Rows(settings, items, choices, problems)


# --- the checks -----------------------------------------------------------------------------


class _Checker:
    """Collects problems while turning rows into typed values."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems

    def add(self, row: _Row, name: str, message: str) -> None:
        self.problems.append(Problem(row.where(name), row.number, message))

    def text(
        self, row: _Row, name: str, label: str, *, required: bool = False, max_length: int = 0
    ) -> str:
        value = _text(row.values.get(name))
        if required and not value:
            self.add(row, name, _("The %(field)s is empty.") % {"field": label})
        elif max_length and len(value) > max_length:
            self.add(
                row,
                name,
                _("The %(field)s is longer than %(max)d characters.")
                % {"field": label, "max": max_length},
            )
        return value

    def slug(self, row: _Row, name: str, label: str, max_length: int) -> str:
        value = _text(row.values.get(name))
        if not value:
            self.add(row, name, _("The %(field)s is empty.") % {"field": label})
        elif not SLUG.match(value) or len(value) > max_length:
            self.add(
                row,
                name,
                _(
                    "The %(field)s “%(value)s” is not a valid code: use at most %(max)d letters "
                    "a–z, digits, - and _, without spaces."
                )
                % {"field": label, "value": value[:60], "max": max_length},
            )
        return value

    def integer(
        self, row: _Row, name: str, label: str, low: int, high: int, default: int | None = None
    ) -> int | None:
        raw = row.values.get(name)
        if _text(raw) == "" and default is not None:
            return default
        try:
            if isinstance(raw, bool):
                raise ValueError
            if isinstance(raw, float):
                if not raw.is_integer():
                    raise ValueError
                number = int(raw)
            else:
                number = int(_text(raw))
        except (TypeError, ValueError):
            self.add(
                row,
                name,
                _("The %(field)s “%(value)s” is not a whole number.")
                % {"field": label, "value": _text(raw)[:30]},
            )
            return None
        if not low <= number <= high:
            self.add(
                row,
                name,
                _("The %(field)s must be between %(low)d and %(high)d.")
                % {"field": label, "low": low, "high": high},
            )
            return None
        return number

    def decimal(
        self, row: _Row, name: str, label: str, low: Decimal, high: Decimal, places: int
    ) -> Decimal | None:
        raw = row.values.get(name)
        text = _text(raw).replace(",", ".")
        try:
            if isinstance(raw, bool) or not text:
                raise InvalidOperation
            value = Decimal(repr(raw)) if isinstance(raw, float) else Decimal(text)
            if not value.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            self.add(
                row,
                name,
                _("The %(field)s “%(value)s” is not a number.")
                % {"field": label, "value": text[:30]},
            )
            return None
        if not low <= value <= high:
            self.add(
                row,
                name,
                _("The %(field)s must be between %(low)s and %(high)s.")
                % {"field": label, "low": number_text(low), "high": number_text(high)},
            )
            return None
        if value != value.quantize(Decimal(1).scaleb(-places)):
            self.add(
                row,
                name,
                _("The %(field)s has more than %(places)d decimals.")
                % {"field": label, "places": places},
            )
            return None
        return value

    def boolean(self, row: _Row, name: str, label: str) -> bool:
        raw = row.values.get(name)
        if isinstance(raw, bool):
            return raw
        text = _text(raw).lower()
        if text in TRUE_WORDS:
            return True
        if text not in FALSE_WORDS:
            self.add(
                row,
                name,
                _("The %(field)s must be yes or no, not “%(value)s”.")
                % {"field": label, "value": text[:30]},
            )
        return False


def _check_settings(check: _Checker, row: _Row) -> tuple[dict[str, Any], bool]:
    """The instrument's and version's fields, and whether all of them are right."""
    before = len(check.problems)
    values: dict[str, Any] = {
        "code": check.slug(row, "code", _("instrument code"), 40),
        "name_da": check.text(row, "name_da", _("Danish name"), required=True, max_length=200),
        "name_en": check.text(row, "name_en", _("English name"), required=True, max_length=200),
        "description_da": check.text(row, "description_da", _("Danish description")),
        "description_en": check.text(row, "description_en", _("English description")),
        "note_da": check.text(row, "note_da", _("Danish note")),
        "note_en": check.text(row, "note_en", _("English note")),
        "is_starting_point": check.boolean(row, "is_starting_point", _("starting point")),
        "number": check.integer(row, "number", _("version number"), 1, 32767),
        "age_min_months": check.integer(row, "age_min_months", _("youngest age (months)"), 0, 240),
        "age_max_months": check.integer(row, "age_max_months", _("oldest age (months)"), 0, 240),
        "min_assessed": check.integer(
            row, "min_assessed", _("fewest skill items observed"), 0, MAX_ITEMS
        ),
        "few_signs_from": check.decimal(
            row, "few_signs_from", _("few signs from"), Decimal("0.5"), Decimal("999.9"), 1
        ),
        "challenges_from": check.decimal(
            row, "challenges_from", _("challenges from"), Decimal("0.5"), Decimal("999.9"), 1
        ),
    }
    few, challenges = values["few_signs_from"], values["challenges_from"]
    if few is not None and challenges is not None and challenges < few:
        check.add(
            row,
            "challenges_from",
            _(
                "The rule is inconsistent: challenges start at %(challenges)s remarks, fewer "
                "than few signs (%(few)s). Challenges must start at the same number or more."
            )
            % {"challenges": number_text(challenges), "few": number_text(few)},
        )
    youngest, oldest = values["age_min_months"], values["age_max_months"]
    if youngest is not None and oldest is not None and oldest < youngest:
        check.add(
            row,
            "age_max_months",
            _("The oldest age (%(oldest)d months) is below the youngest (%(youngest)d months).")
            % {"oldest": oldest, "youngest": youngest},
        )
    return values, len(check.problems) == before


def _check_choices(check: _Checker, rows: list[_Row]) -> dict[str, list[ChoiceDoc]]:
    """The scales by list name, in file order; rows with a problem are left out."""
    scales: dict[str, list[ChoiceDoc]] = {}
    first_row: dict[str, int] = {}
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        before = len(check.problems)
        list_name = check.slug(row, "list_name", _("scale name (list_name)"), 40)
        value = check.slug(row, "value", _("answer value (name)"), 32)
        label_da = check.text(row, "label_da", _("Danish label"), required=True, max_length=100)
        label_en = check.text(row, "label_en", _("English label"), required=True, max_length=100)
        weight = check.decimal(row, "remark_weight", _("remark weight"), Decimal(0), Decimal(1), 2)
        first_row.setdefault(list_name, row.number)
        if list_name and value:
            key = (list_name, value)
            if key in seen:
                check.add(
                    row,
                    "value",
                    _(
                        "The answer “%(value)s” appears twice in the scale %(scale)s (also row %(row)d)."
                    )
                    % {"value": value, "scale": list_name, "row": seen[key]},
                )
            else:
                seen[key] = row.number
        if len(check.problems) > before or weight is None:
            scales.setdefault(list_name, [])
            continue
        scales.setdefault(list_name, []).append(
            ChoiceDoc(list_name, value, label_da, label_en, weight)
        )
    for list_name, number in first_row.items():
        answers = sum(1 for key in seen if key[0] == list_name)
        if SLUG.match(list_name) and answers < 2:
            check.problems.append(
                Problem(
                    rows[0].sheet if rows else CHOICES,
                    number,
                    _("The scale %(scale)s has %(count)d answer; a scale needs at least two.")
                    % {"scale": list_name, "count": answers},
                )
            )
    return scales


def _check_items(
    check: _Checker, rows: list[_Row], scale_names: set[str], *, xlsx: bool
) -> list[ItemDoc]:
    items: list[ItemDoc] = []
    seen: dict[str, int] = {}
    domains = {d.value for d in Domain}
    for row in rows:
        before = len(check.problems)
        if xlsx and row.values.get("_type") != "select_one":
            check.add(
                row,
                "type",
                _("The type must be “select_one <scale>”, not “%(type)s”.")
                % {"type": (_text(row.values.get("_type")) or "")[:40]},
            )
        code = check.slug(row, "code", _("item code"), 40)
        if code:
            if code in seen:
                check.add(
                    row,
                    "code",
                    _("The item code “%(code)s” appears twice (also row %(row)d).")
                    % {"code": code, "row": seen[code]},
                )
            else:
                seen[code] = row.number
        domain = _text(row.values.get("domain"))
        if domain not in domains:
            check.add(
                row,
                "domain",
                _("Unknown domain “%(domain)s”; use one of: %(domains)s.")
                % {"domain": domain[:40], "domains": ", ".join(sorted(domains))},
            )
        list_name = _text(row.values.get("list_name"))
        if not list_name:
            check.add(row, "list_name", _("The item names no scale."))
        elif list_name not in scale_names:
            check.add(
                row,
                "list_name",
                _("The scale “%(scale)s” is not in the choices.") % {"scale": list_name[:40]},
            )
        label_da = check.text(row, "label_da", _("Danish label"), required=True, max_length=200)
        label_en = check.text(row, "label_en", _("English label"), required=True, max_length=200)
        guidance_da = check.text(row, "guidance_da", _("Danish guidance"))
        guidance_en = check.text(row, "guidance_en", _("English guidance"))
        if len(check.problems) == before:
            items.append(
                ItemDoc(code, domain, list_name, label_da, label_en, guidance_da, guidance_en)
            )
    return items


def _ordered_choices(
    scales: Mapping[str, Sequence[ChoiceDoc]], items: Sequence[ItemDoc]
) -> tuple[ChoiceDoc, ...]:
    """The answers scale by scale: scales in the order items first use them, unused ones after."""
    order = list(dict.fromkeys(i.list_name for i in items if i.list_name in scales))
    order += sorted(name for name in scales if name not in order)
    return tuple(choice for name in order for choice in scales[name])


def _check(rows: _Rows, *, xlsx: bool) -> Parsed:
    if not rows.readable:
        return Parsed(None, list(rows.problems))
    problems = list(rows.problems)
    check = _Checker(problems)
    settings, settings_ok = (
        _check_settings(check, rows.settings) if rows.settings is not None else ({}, False)
    )
    scales = _check_choices(check, rows.choices)
    items = _check_items(check, rows.items, set(scales), xlsx=xlsx)
    items_sheet = SURVEY if xlsx else JSON_ITEMS
    if not rows.items and not any(p.sheet == items_sheet for p in problems):
        problems.append(Problem(items_sheet, None, _("The instrument has no items.")))
    # Counted from the rows, so the message comes even when an item row has another problem.
    skill_rows = sum(
        1
        for row in rows.items
        if _text(row.values.get("domain")) in {d.value for d in Domain} - OBSERVATION_DOMAINS
    )
    min_assessed = settings.get("min_assessed")
    if rows.settings is not None and min_assessed is not None and min_assessed > skill_rows:
        check.add(
            rows.settings,
            "min_assessed",
            _(
                "The rule needs %(min)d skill items observed, but the instrument has only "
                "%(count)d: no child could get a summary."
            )
            % {"min": min_assessed, "count": skill_rows},
        )
    if not settings_ok or problems:
        problems.sort(key=lambda p: (SHEET_ORDER.get(p.sheet, 0), p.row or 0))
        return Parsed(None, problems)
    return Parsed(
        InstrumentDocument(**settings, choices=_ordered_choices(scales, items), items=tuple(items)),
        [],
    )


def read_document(data: bytes, filename: str = "") -> Parsed:
    """Parse and check a JSON or XLSX instrument document; every problem with its place."""
    if data[:4] == b"PK\x03\x04" or filename.lower().endswith(".xlsx"):
        parsed = _check(_rows_from_xlsx(data), xlsx=True)
        parsed.format = "xlsx"
    else:
        parsed = _check(_rows_from_json(data), xlsx=False)
        parsed.format = "json"
    return parsed


def check_document(document: InstrumentDocument) -> list[Problem]:
    """The problems of a document built elsewhere (e.g. a draft edited in the admin)."""
    return _check(_rows_from_json(to_json(document)), xlsx=False).problems


# --- writing ----------------------------------------------------------------------------------


def number_text(value: Decimal) -> str:
    """A decimal without trailing zeros or exponent: 1, 0.5, 10."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def to_dict(document: InstrumentDocument) -> dict[str, Any]:
    """The JSON document (as shipped in ``motor/instruments/*.json``)."""
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "instrument": {
            "code": document.code,
            "name_da": document.name_da,
            "name_en": document.name_en,
            "description_da": document.description_da,
            "description_en": document.description_en,
        },
        "version": {
            "number": document.number,
            "is_starting_point": document.is_starting_point,
            "age_min_months": document.age_min_months,
            "age_max_months": document.age_max_months,
            "note_da": document.note_da,
            "note_en": document.note_en,
            "rule": {
                "few_signs_from": number_text(document.few_signs_from),
                "challenges_from": number_text(document.challenges_from),
                "min_assessed": document.min_assessed,
            },
        },
        "choices": [
            {
                "list_name": c.list_name,
                "value": c.value,
                "label_da": c.label_da,
                "label_en": c.label_en,
                "remark_weight": number_text(c.remark_weight),
            }
            for c in document.choices
        ],
        "items": [
            {
                "code": i.code,
                "domain": i.domain,
                "list_name": i.list_name,
                "label_da": i.label_da,
                "label_en": i.label_en,
                "guidance_da": i.guidance_da,
                "guidance_en": i.guidance_en,
            }
            for i in document.items
        ],
    }


def to_json(document: InstrumentDocument) -> bytes:
    return (json.dumps(to_dict(document), ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def _weight_cell(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def to_xlsx(document: InstrumentDocument) -> bytes:
    """The XLSForm-like workbook: sheets survey, choices and settings."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    survey = workbook.active
    assert survey is not None
    survey.title = SURVEY
    survey.append(list(SURVEY_HEADER.values()))
    for item in document.items:
        survey.append(
            [
                f"select_one {item.list_name}",
                item.code,
                item.label_da,
                item.label_en,
                item.guidance_da,
                item.guidance_en,
                item.domain,
            ]
        )
    choices = workbook.create_sheet(CHOICES)
    choices.append(list(CHOICES_HEADER.values()))
    for choice in document.choices:
        choices.append(
            [
                choice.list_name,
                choice.value,
                choice.label_da,
                choice.label_en,
                _weight_cell(choice.remark_weight),
            ]
        )
    settings = workbook.create_sheet(SETTINGS)
    settings.append(list(SETTINGS_HEADER.values()))
    settings.append(
        [
            document.code,
            document.number,
            document.name_da,
            document.name_en,
            document.description_da,
            document.description_en,
            "yes" if document.is_starting_point else "no",
            _weight_cell(document.few_signs_from),
            _weight_cell(document.challenges_from),
            document.min_assessed,
            document.age_min_months,
            document.age_max_months,
            document.note_da,
            document.note_en,
        ]
    )
    bold = Font(bold=True)
    widths = {"label": 32, "hint": 60, "description": 60, "note": 60, "form_title": 40}
    for sheet in (survey, choices, settings):
        sheet.freeze_panes = "A2"
        for cell in sheet[1]:
            cell.font = bold
            prefix = str(cell.value).split("::")[0]
            sheet.column_dimensions[cell.column_letter].width = widths.get(prefix, 18)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


WRITERS: dict[str, tuple[Callable[[InstrumentDocument], bytes], str]] = {
    "json": (to_json, "application/json"),
    "xlsx": (
        to_xlsx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
}


def filename_for(document: InstrumentDocument, fmt: str) -> str:
    return f"{document.code}-v{document.number}.{fmt}"


# --- from and to the database -----------------------------------------------------------------


def document_from_version(version: InstrumentVersion) -> InstrumentDocument:
    """A stored version as a document (two queries when choices and items are not prefetched)."""
    instrument = version.instrument
    scales: dict[str, list[ChoiceDoc]] = {}
    for c in sorted(version.choices.all(), key=_choice_order):
        scales.setdefault(c.list_name, []).append(
            ChoiceDoc(c.list_name, c.value, c.label_da, c.label_en, c.remark_weight)
        )
    items = [
        ItemDoc(i.code, i.domain, i.list_name, i.label_da, i.label_en, i.guidance_da, i.guidance_en)
        for i in sorted(version.items.all(), key=lambda i: (i.position, i.code))
    ]
    return InstrumentDocument(
        code=instrument.code,
        name_da=instrument.name_da,
        name_en=instrument.name_en,
        description_da=instrument.description_da,
        description_en=instrument.description_en,
        number=version.number,
        note_da=version.note_da,
        note_en=version.note_en,
        is_starting_point=version.is_starting_point,
        age_min_months=version.age_min_months,
        age_max_months=version.age_max_months,
        few_signs_from=version.few_signs_from,
        challenges_from=version.challenges_from,
        min_assessed=version.min_assessed,
        choices=_ordered_choices(scales, items),
        items=tuple(items),
    )


def _choice_order(choice: Any) -> tuple[str, int, str]:
    return (choice.list_name, choice.position, choice.value)
