"""Import of school-start exam (indskolingsundersøgelse) files, CSV or XLSX, with a dry run.

The file has a header row; column names are matched without regard to case, in Danish or English
(spaces, hyphens and underscores count alike):

=====================  ==========================================================  ========
column                 also called                                                 required
=====================  ==========================================================  ========
``cpr``                cpr_nr, cprnr, cpr-nummer                                   yes
``examined_on``        dato, date, undersoegelsesdato, undersøgelsesdato           yes
``height_cm``          hoejde, højde, height                                       no
``weight_kg``          vaegt, vægt, weight (a decimal comma is fine)               no
``position``           stilling: H/stående/standing or L/liggende/lying            no
``school_instnr``      instnr, skole: the school's 6-digit INSTNR                  no
``walk`` … (9 items)   gang, hop, balance, gadedrengeloeb, eet_ben, kast, grib,    no
                       blyantsgreb, haandpraeference (see ``ITEM_ALIASES``)
=====================  ==========================================================  ========

A motor item's cell says whether the child had a **remark** on it (could not do it): ``1``, ``ja``,
``j``, ``yes``, ``y`` or ``x`` = a remark; ``0``, ``nej``, ``n`` or ``no`` = no remark; an empty
cell = not assessed. Three or more remarks mean motor difficulties (``services.exam_derive``).

A row is keyed on the child and the exam date: a row whose child already has a school-start
measurement and exam that day with the same values is ``unchanged``; with other values it is an
``update``; otherwise it is ``new``. The engine classifies every new and changed row in one call
(``services.classify_in_place``), and a row it flags (WHO's plausibility limits and the other
``services.HOLD_FLAGS``) is ``held``: written, but held for review and counted nowhere until a
health visitor confirms it. A row that cannot be imported is an ``error`` with a message; a file
with any error row is never written (``school_start_import`` commits all or nothing, writing through
``services.school_start_write``).

Scope: only children the importing user may see (``Child.objects.visible_to``); a CPR number
outside it is an error that reads the same whether or not the number is registered elsewhere.
CPR numbers are never echoed: the report shows them masked (``DDMMYY-xxxx``), and messages and log
lines carry row numbers, not numbers from the file.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

from borneliv.accounts.models import User
from borneliv.children import services as children_services
from borneliv.children.models import Child
from borneliv.growth import labels, services
from borneliv.growth.models import (
    HEIGHT_MAX_CM,
    HEIGHT_MIN_CM,
    MOTOR_ITEM_CODES,
    WEIGHT_MAX_KG,
    WEIGHT_MIN_KG,
    Context,
    Measurement,
    ReviewStatus,
    SchoolStartExam,
)
from borneliv.lib import tabular
from borneliv.lib.cpr import Cpr
from borneliv.lib.tabular import ImportFileError, SourceRow
from borneliv.organisations.models import Institution

logger = logging.getLogger(__name__)

#: More than the births import: a municipality's whole school-start year fits in one file.
MAX_ROWS = 200_000
CHUNK = 900  # SQLite allows more bound parameters, but old builds stop at 999
SCHOOL_KINDS = (Institution.Kind.SCHOOL, Institution.Kind.SPECIAL_SCHOOL)


def _spellings(*names: str) -> tuple[str, ...]:
    """Each name as written, and with its underscores as spaces and as hyphens."""
    found: list[str] = []
    for name in names:
        for variant in (name, name.replace("_", " "), name.replace("_", "-")):
            if variant not in found:
                found.append(variant)
    return tuple(found)


ITEM_ALIASES: dict[str, tuple[str, ...]] = {
    "walk": _spellings("walk", "gang", "gaa", "gå"),
    "jump": _spellings("jump", "hop", "hoppe"),
    "balance": _spellings("balance"),
    "skip": _spellings("skip", "skipping", "gadedrengeloeb", "gadedrengeløb", "gadedrengelob"),
    "one_leg": _spellings(
        "one_leg",
        "eet_ben",
        "ét_ben",
        "et_ben",
        "stå_på_et_ben",
        "stå_på_ét_ben",
        "staa_paa_et_ben",
        "staa_paa_eet_ben",
    ),
    "throw": _spellings("throw", "kast", "kaste"),
    "catch": _spellings("catch", "grib", "gribe"),
    "pencil_grip": _spellings("pencil_grip", "blyantsgreb", "blyantgreb"),
    "hand_preference": _spellings(
        "hand_preference", "haandpraeference", "håndpræference", "handpraeference"
    ),
}
ALIASES: dict[str, tuple[str, ...]] = {
    "cpr": _spellings("cpr", "cpr_nr", "cprnr", "cpr_nummer"),
    "examined_on": _spellings(
        "examined_on",
        "dato",
        "date",
        "exam_date",
        "undersoegelsesdato",
        "undersøgelsesdato",
        "maaledato",
        "måledato",
    ),
    "height_cm": _spellings(
        "height_cm", "hoejde", "højde", "hojde", "height", "hoejde_cm", "højde_cm"
    ),
    "weight_kg": _spellings("weight_kg", "vaegt", "vægt", "vagt", "weight", "vaegt_kg", "vægt_kg"),
    "position": _spellings("position", "stilling", "maalestilling", "målestilling"),
    "school": _spellings("school_instnr", "instnr", "skole_instnr", "skole", "school"),
    **ITEM_ALIASES,
}
REQUIRED = ("cpr", "examined_on")
#: Each column as the import page documents it (in Danish, as the files are written): what
#: messages call it, never the internal name ("dato", not "examined_on"). Each is accepted too.
COLUMN_NAMES: dict[str, str] = {
    "cpr": "cpr",
    "examined_on": "dato",
    "height_cm": "hoejde",
    "weight_kg": "vaegt",
    "position": "position",
    "school": "instnr",
    "walk": "gang",
    "jump": "hop",
    "balance": "balance",
    "skip": "gadedrengeloeb",
    "one_leg": "eet_ben",
    "throw": "kast",
    "catch": "grib",
    "pencil_grip": "blyantsgreb",
    "hand_preference": "haandpraeference",
}
VALUE_COLUMNS = ("height_cm", "weight_kg", *MOTOR_ITEM_CODES)

REMARK_VALUES = frozenset({"1", "ja", "j", "yes", "y", "x", "true", "sand"})
NO_REMARK_VALUES = frozenset({"0", "nej", "n", "no", "false", "falsk"})
POSITIONS = {
    "h": "H",
    "stående": "H",
    "staaende": "H",
    "standing": "H",
    "l": "L",
    "liggende": "L",
    "lying": "L",
}
_LONG_DIGITS = re.compile(r"\d{6}")
_CPR_SHAPED = re.compile(r"\d{6}[-_ ]?\d{4}")


@dataclass
class ReportRow:
    """One row of the file as checked: what it holds, what the import does with it, and why."""

    number: int
    masked_cpr: str = ""
    examined_on: dt.date | None = None
    weight_kg: Decimal | None = None
    height_cm: Decimal | None = None
    position: str = ""
    school: Institution | None = None
    remarks: dict[str, bool | None] = field(default_factory=dict)
    action: str = ""  # NEW, UPDATE or UNCHANGED once the row is free of errors
    held: bool = False
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    hold_reasons: list[str] = field(default_factory=list)
    # In memory only, never shown: the parsed CPR number, the child, what the commit writes.
    cpr: Cpr | None = field(default=None, repr=False)
    child: Child | None = field(default=None, repr=False)
    measurement: Measurement | None = field(default=None, repr=False)
    exam: SchoolStartExam | None = field(default=None, repr=False)
    write_measurement: bool = field(default=False, repr=False)  # new or changed values

    NEW = "new"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    HELD = "held"
    ERROR = "error"

    @property
    def status(self) -> str:
        if self.errors:
            return self.ERROR
        if self.held and self.action != self.UNCHANGED:
            return self.HELD
        return self.action

    @property
    def message(self) -> str:
        return " ".join(self.errors or self.notes)

    @property
    def height_shown(self) -> float | None:
        """The height as a float: a page shows it localised (112,5) without trailing zeros."""
        return None if self.height_cm is None else float(self.height_cm)

    @property
    def weight_shown(self) -> float | None:
        return None if self.weight_kg is None else float(self.weight_kg)

    @property
    def remark_count(self) -> int:
        return sum(1 for value in self.remarks.values() if value)

    @property
    def items_assessed(self) -> int:
        return sum(1 for value in self.remarks.values() if value is not None)

    def fail(self, message: str) -> None:
        self.errors.append(message)


@dataclass
class ImportReport:
    """The dry run's (or the commit's) verdict on every row of one file."""

    filename: str = ""
    sha256: str = ""
    rows: list[ReportRow] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    committed: bool = False
    batch: Any = None  # the ImportBatch a commit created

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def new(self) -> int:
        return sum(1 for row in self.rows if not row.errors and row.action == ReportRow.NEW)

    @property
    def updated(self) -> int:
        return sum(1 for row in self.rows if not row.errors and row.action == ReportRow.UPDATE)

    @property
    def unchanged(self) -> int:
        return self.count(ReportRow.UNCHANGED)

    @property
    def held(self) -> int:
        """New or updated rows held for review (they count in ``new``/``updated`` too)."""
        return self.count(ReportRow.HELD)

    @property
    def errors(self) -> int:
        return self.count(ReportRow.ERROR)

    @property
    def has_errors(self) -> bool:
        return bool(self.file_errors) or self.errors > 0

    @property
    def can_commit(self) -> bool:
        return not self.has_errors and bool(self.rows)

    @property
    def changes(self) -> int:
        return self.new + self.updated


# Reading


def read_rows(data: bytes, filename: str = "") -> list[SourceRow]:
    """The data rows of a CSV (``;`` or ``,``, UTF-8 with or without BOM) or XLSX file."""
    rows = tabular.read_rows(
        data,
        filename,
        aliases=ALIASES,
        required=REQUIRED,
        max_rows=MAX_ROWS,
        names=COLUMN_NAMES,
    )
    if rows and not any(column in row.values for row in rows for column in VALUE_COLUMNS):
        raise ImportFileError(
            _(
                "The file has no column with values to import: give %(height)s, %(weight)s or "
                "the motor items (%(items)s)."
            )
            % {
                "height": COLUMN_NAMES["height_cm"],
                "weight": COLUMN_NAMES["weight_kg"],
                "items": ", ".join(COLUMN_NAMES[code] for code in MOTOR_ITEM_CODES),
            }
        )
    return rows


# Cells


def _shown(text: str) -> str:
    """A cell's text fit to quote in a message: never something that may be a CPR number."""
    return "…" if _LONG_DIGITS.search(text) or len(text) > 40 else text


def _decimal(value: Any, places: int) -> Decimal | None:
    """A number cell (a decimal comma is fine), rounded to ``places``; None if empty.

    Raises ``ValueError`` (with the text) for a cell that is not a number.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(str(value))
    if isinstance(value, int | float | Decimal):
        text = str(value)
    else:
        text = tabular.cell_text(value).replace(" ", "").replace("\u00a0", "")
        if not text:
            return None
        if "," in text:
            if "." in text or text.count(",") > 1:
                raise ValueError(text)
            text = text.replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(text) from None
    if not number.is_finite():
        raise ValueError(text)
    if number.adjusted() > 6:
        return number  # far outside any limit; rounding it is pointless
    return number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _remark(value: Any) -> bool | None:
    """A motor item's cell: True = a remark, False = no remark, None = not assessed."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    text = tabular.cell_text(value).casefold()
    if not text:
        return None
    if text in REMARK_VALUES:
        return True
    if text in NO_REMARK_VALUES:
        return False
    raise ValueError(text)


def _localised(number: Decimal | float) -> str:
    """A number as the reader writes it: "112,5" in Danish, without trailing zeros."""
    text = f"{number:f}" if isinstance(number, Decimal) else f"{number:g}"
    return formats.number_format(Decimal(text), use_l10n=True)


def _column_label(column: str) -> str:
    return _("The height (cm)") if column == "height_cm" else _("The weight (kg)")


def _check_number(
    row: ReportRow, values: dict[str, Any], column: str, places: int, low: float, high: float
) -> Decimal | None:
    try:
        number = _decimal(values.get(column), places)
    except ValueError as exc:
        row.fail(
            _("%(what)s “%(value)s” is not a number.")
            % {"what": _column_label(column), "value": _shown(str(exc))}
        )
        return None
    if number is not None and not low <= number <= high:
        row.fail(
            _("%(what)s %(value)s lies outside the limits %(low)s–%(high)s.")
            % {
                "what": _column_label(column),
                "value": _shown(_localised(number.normalize())),
                "low": _localised(low),
                "high": _localised(high),
            }
        )
        return None
    return number


# Checking one row by itself


def _check_row(source: SourceRow, schools: dict[str, Institution], today: dt.date) -> ReportRow:
    values = source.values
    row = ReportRow(number=source.number)
    for problem in source.problems:
        row.fail(problem)
    try:
        row.cpr = children_services.cpr_parse(tabular.cpr_text(values.get("cpr")))
    except ValidationError as exc:
        row.fail(" ".join(str(m) for m in exc.messages))
    else:
        row.masked_cpr = row.cpr.masked
    try:
        row.examined_on = tabular.cell_date(values.get("examined_on"))
    except ValueError:
        row.fail(_("The exam date is not a date (use dd.mm.yyyy)."))
    else:
        if row.examined_on is None:
            row.fail(_("The exam date is missing."))
        elif row.examined_on > today:
            row.fail(_("The exam date is in the future."))
        elif row.cpr is not None and row.examined_on < row.cpr.birth_date:
            row.fail(_("The exam date lies before the child's birth date."))
    row.height_cm = _check_number(row, values, "height_cm", 1, HEIGHT_MIN_CM, HEIGHT_MAX_CM)
    row.weight_kg = _check_number(row, values, "weight_kg", 3, WEIGHT_MIN_KG, WEIGHT_MAX_KG)

    position = tabular.cell_text(values.get("position")).casefold()
    if position:
        if position in POSITIONS:
            row.position = POSITIONS[position]
        else:
            row.fail(
                _("The position “%(value)s” is not H (standing) or L (lying).")
                % {"value": _shown(position)}
            )

    instnr = tabular.cell_text(values.get("school"))
    if instnr:
        if not re.fullmatch(r"\d{6}", instnr):
            row.fail(_("The school's institution number (INSTNR) must have 6 digits."))
        elif instnr not in schools:
            row.fail(
                _("No school with the institution number %(instnr)s is in the registry.")
                % {"instnr": instnr}
            )
        else:
            row.school = schools[instnr]

    for code in MOTOR_ITEM_CODES:
        try:
            row.remarks[code] = _remark(values.get(code))
        except ValueError as exc:
            row.remarks[code] = None
            row.fail(
                _(
                    "The value “%(value)s” of %(item)s is not a remark (1, ja, yes, x), "
                    "no remark (0, nej, no) or empty (not assessed)."
                )
                % {"value": _shown(str(exc)), "item": COLUMN_NAMES[code]}
            )
    if (
        not row.errors
        and row.height_cm is None
        and row.weight_kg is None
        and not row.items_assessed
    ):
        row.fail(_("The row has neither a height, a weight nor an assessed motor item."))
    return row


def _schools(source_rows: Sequence[SourceRow]) -> dict[str, Institution]:
    numbers = {tabular.cell_text(row.values.get("school")) for row in source_rows} - {""}
    if not numbers:
        return {}
    return {
        school.official_number: school
        for school in Institution.objects.filter(kind__in=SCHOOL_KINDS, official_number__in=numbers)
    }


# Checking rows against the registry and what is stored


def _find_children(rows: list[ReportRow], user: Any) -> None:
    """Attach the child of every row; rows whose child the user cannot see become errors."""
    by_pseudonym: dict[str, list[ReportRow]] = {}
    for row in rows:
        if row.cpr is not None and not row.errors:
            pseudonym = children_services.cpr_pseudonym(row.cpr.digits)
            by_pseudonym.setdefault(pseudonym, []).append(row)
    children = Child.objects.all() if user is None else Child.objects.visible_to(user)
    keys = list(by_pseudonym)
    for start in range(0, len(keys), CHUNK):
        for child in children.filter(cpr_pseudonym__in=keys[start : start + CHUNK]).only(
            "pk", "cpr_pseudonym", "birth_date", "sex", "first_name", "last_name"
        ):
            for row in by_pseudonym[child.cpr_pseudonym]:
                row.child = child
    for group in by_pseudonym.values():
        for row in group:
            if row.child is None:
                # The same words whether the number is registered out of scope or not at all.
                row.fail(_("No child with this CPR number is in the registry you can see."))


def _stored(rows: list[ReportRow]) -> tuple[dict[tuple[int, dt.date], Measurement], dict]:
    """The stored school-start measurements and exams of the rows' children, by (child, date)."""
    child_ids = sorted({row.child.pk for row in rows if row.child is not None and not row.errors})
    measurements: dict[tuple[int, dt.date], Measurement] = {}
    exams: dict[tuple[int, dt.date], SchoolStartExam] = {}
    for start in range(0, len(child_ids), CHUNK):
        chunk = child_ids[start : start + CHUNK]
        for m in Measurement.objects.filter(child_id__in=chunk, context=Context.SCHOOL_START):
            measurements[(m.child_id, m.measured_on)] = m
        for exam in SchoolStartExam.objects.filter(child_id__in=chunk):
            exams[(exam.child_id, exam.examined_on)] = exam
    return measurements, exams


def _same_measurement(m: Measurement, row: ReportRow) -> bool:
    return (
        m.weight_kg == row.weight_kg
        and m.height_cm == row.height_cm
        and m.position == row.position
        and m.institution_id == (row.school.pk if row.school else None)
    )


# Notes every row may get, translated once per language rather than once per row (gettext per
# row costs as much as the rest of the row's check). gettext_noop marks them for makemessages.
_NOTES = (
    gettext_noop("New exam."),
    gettext_noop("Imported already with these values; left as it is."),
    gettext_noop("measurement"),
    gettext_noop("motor items"),
    gettext_noop("exam"),
)


@functools.lru_cache(maxsize=64)
def _translated(text: str, language: str | None) -> str:
    return _(text)


def _cached(text: str) -> str:
    return _translated(text, get_language())


def _plan(row: ReportRow, measurement: Measurement | None, exam: SchoolStartExam | None) -> None:
    """Decide new / update / unchanged and prepare (unsaved) what a commit would write."""
    assert row.child is not None and row.examined_on is not None
    has_values = row.height_cm is not None or row.weight_kg is not None
    school_id = row.school.pk if row.school else None
    changed: list[str] = []

    if measurement is not None and not has_values:
        row.fail(
            _(
                "The row has no height or weight, but a measurement from this exam is stored; "
                "give the values, or correct the measurement on the child's page."
            )
        )
        return
    if has_values:
        if measurement is None:
            measurement = Measurement(
                child=row.child,
                measured_on=row.examined_on,
                context=Context.SCHOOL_START,
            )
            row.write_measurement = True
            changed.append("measurement")
        elif not _same_measurement(measurement, row):
            row.write_measurement = True
            values_changed = (
                measurement.weight_kg != row.weight_kg
                or measurement.height_cm != row.height_cm
                or measurement.position != row.position
            )
            if values_changed and measurement.reviewed_at is not None:
                # A review judged the old values; the new ones need their own.
                measurement.reviewed_at = None
                measurement.reviewed_by = None
                measurement.review_note = ""
                measurement.review_status = ReviewStatus.ACCEPTED
                row.notes.append(_("The earlier review no longer applies: the values changed."))
            changed.append("measurement")
        measurement.weight_kg = row.weight_kg
        measurement.height_cm = row.height_cm
        measurement.position = row.position
        measurement.institution = row.school
        row.measurement = measurement  # to write if ``write_measurement``, else only to link

    remarks_changed = exam is None or exam.item_remarks() != row.remarks
    link_changed = exam is not None and exam.measurement_id != (
        measurement.pk if measurement is not None else None
    )
    if remarks_changed:
        changed.append("motor items")
    elif link_changed or (exam is not None and exam.school_id != school_id):
        changed.append("exam")
    if exam is None:
        exam = SchoolStartExam(child=row.child, examined_on=row.examined_on)
    for code in MOTOR_ITEM_CODES:
        setattr(exam, f"remark_{code}", row.remarks.get(code))
    exam.school = row.school
    services.exam_derive(exam)
    row.exam = exam

    new = exam.pk is None and (measurement is None or measurement.pk is None)
    if new:
        row.action = ReportRow.NEW
        row.notes.insert(0, _cached("New exam."))
    elif changed:
        row.action = ReportRow.UPDATE
        parts = ", ".join(_cached(part) for part in dict.fromkeys(changed))
        row.notes.insert(0, _("Updates what is stored: %(what)s.") % {"what": parts})
    else:
        row.action = ReportRow.UNCHANGED
        row.exam = None  # nothing to write
        row.notes.insert(0, _cached("Imported already with these values; left as it is."))
    if (
        not row.write_measurement
        and measurement is not None
        and measurement.review_status == ReviewStatus.HELD
    ):
        row.notes.append(_("Still held for review."))


def check_rows(
    source_rows: Sequence[SourceRow], *, user: Any, filename: str = "", sha256: str = ""
) -> ImportReport:
    """The dry run over rows read already: a report of every row; writes nothing.

    ``user`` limits the children to those the user may see; ``None`` (the command line without
    ``--user``) means every child.
    """
    schools = _schools(source_rows)
    today = timezone.localdate()
    report = ImportReport(
        filename=filename,
        sha256=sha256,
        rows=[_check_row(source, schools, today) for source in source_rows],
    )
    first_row_of: dict[tuple[str, dt.date], int] = {}
    for row in report.rows:
        if row.cpr is None or row.examined_on is None:
            continue
        first = first_row_of.setdefault((row.cpr.digits, row.examined_on), row.number)
        if first != row.number:
            row.fail(
                _("The same child and exam date appear in row %(row)d already.") % {"row": first}
            )
    _find_children(report.rows, user)
    measurements, exams = _stored(report.rows)
    for row in report.rows:
        if row.errors:
            continue
        assert row.child is not None and row.examined_on is not None
        key = (row.child.pk, row.examined_on)
        _plan(row, measurements.get(key), exams.get(key))

    # One engine call for the whole file: every new or changed measurement.
    to_classify = [row for row in report.rows if not row.errors and row.write_measurement]
    births = {row.child.pk: row.child.birth_date for row in to_classify if row.child}
    sexes = {row.child.pk: row.child.sex for row in to_classify if row.child}
    services.classify_in_place(
        [row.measurement for row in to_classify if row.measurement is not None],
        births=births,
        sexes=sexes,
    )
    for row in to_classify:
        assert row.measurement is not None
        if row.measurement.review_status == ReviewStatus.HELD:
            row.held = True
            row.hold_reasons = [
                str(label)
                for label in labels.flag_labels(row.measurement.flags & services.HOLD_FLAGS)
            ]
            row.notes.append(" ".join([_("Held for review:"), *row.hold_reasons]))
    if not report.rows and not report.file_errors:
        report.file_errors.append(_("The file has no data rows."))
    return report


def safe_filename(filename: str) -> str:
    """The file's name fit to store and show: no folders, and no CPR-shaped number in it."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    return _CPR_SHAPED.sub("xxxxxx-xxxx", name)[:255]


def check(data: bytes, filename: str, user: Any) -> ImportReport:
    """The dry run of a whole file: read it, check every row, write nothing."""
    sha256 = hashlib.sha256(data).hexdigest()
    filename = safe_filename(filename)
    try:
        rows = read_rows(data, filename)
    except ImportFileError as exc:
        return ImportReport(filename=filename, sha256=sha256, file_errors=[str(exc)])
    return check_rows(rows, user=user, filename=filename, sha256=sha256)


def log(report: ImportReport, user: Any) -> None:
    """One log line per import: counts and the file's checksum, never a number from the file."""
    logger.info(
        "school-start import by %s: sha256 %s, %d rows, %d new, %d updated, %d unchanged, "
        "%d held, %d errors, committed=%s",
        getattr(user, "username", "command line"),
        report.sha256[:12],
        len(report.rows),
        report.new,
        report.updated,
        report.unchanged,
        report.held,
        report.errors,
        report.committed,
    )


def commit(report: ImportReport, *, by: User | None) -> None:
    """Write a checked report through ``services.school_start_write``: all of it or nothing.

    A plain function of the report and the importer, so a background task can call it too.
    Raises ``IntegrityError`` when someone recorded one of these exams meanwhile.
    """
    writes = [row for row in report.rows if row.action != row.UNCHANGED]
    exams: list[SchoolStartExam] = []
    for row in writes:
        assert row.exam is not None
        row.exam.measurement = row.measurement
        exams.append(row.exam)
    report.batch = services.school_start_write(
        file_name=report.filename,
        file_sha256=report.sha256,
        by=by,
        counts={
            "rows": len(report.rows),
            "created": report.new,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "held": report.held,
        },
        measurements=[
            row.measurement
            for row in writes
            if row.measurement is not None and row.write_measurement
        ],
        exams=exams,
    )


def school_start_import(
    *, data: bytes, filename: str, user: User | None, dry_run: bool = True
) -> ImportReport:
    """Check (``dry_run``) or import a school-start exam file; returns the report.

    The commit checks the file again inside its transaction and writes all of it or nothing:
    any error row (or a conflict with a concurrent import) leaves the database as it was. Held
    rows are not errors: they are written with ``review_status = held``. It records an
    ``ImportBatch`` (file name, SHA-256, counts), creates or updates the ``school_start``
    measurements (classified by one engine call for the whole file, during the check) and the
    exams, and writes one history row per changed object. Re-importing the same file changes no
    measurement or exam (every row is ``unchanged``); the batch still records that it was run.
    """
    if dry_run:
        report = check(data, filename, user)
        log(report, user)
        return report
    with transaction.atomic():
        report = check(data, filename, user)
        if report.can_commit:
            try:
                with transaction.atomic():
                    commit(report, by=user)
            except IntegrityError:
                report.batch = None
                report.file_errors.append(
                    _(
                        "Nothing was imported: some of these exams were recorded by someone "
                        "else meanwhile. Check the file again."
                    )
                )
            else:
                report.committed = True
    log(report, user)
    return report
