r"""Import of children from a municipal births extract (CSV or XLSX), with a dry run.

The file has a header row; column names are matched without regard to case, in Danish or English:

=================  ==========================================  ========
column             also called                                 required
=================  ==========================================  ========
``cpr``            cpr_nr, cprnr, cpr-nr, cpr-nummer           yes
``fornavn``        first_name                                  yes
``efternavn``      last_name                                   yes
``omraade``        område, omrade, area (name or id)           yes
``tilflytningsdato`` resident_from (dd.mm.yyyy or ISO)         no
``familie``        family                                      no
``vaerge``         værge, guardian (the guardian's name)       no
``relation``       guardian_relation: mor, far, medmor,        no
                   plejeforælder, anden (or in English)
``telefon``        tlf, phone (the guardian's phone)           no
=================  ==========================================  ========

A row with a guardian adds the guardian to the child's family (named by ``familie``, else by the
child's last name), once per family; ``relation`` and ``telefon`` need the guardian's name. The
phone is a Danish number (8 digits, optionally after +45, spaces allowed), stored as
``12 34 56 78``. A child outside the programme's ages (``services.registry_age_check``: 12 years
or more, or born in the future) is a row error.

``import_children(rows, user=…, commit=False)`` checks every row and returns a report: ``ok``
(would be registered), ``refer`` (would be sent to an administrator: see below), ``unchanged``
(the same child with the same name and area is registered already, so re-importing a file
changes nothing) or ``error`` with a message. With
``commit=True`` it checks again and registers the ``ok`` rows through the services in one
transaction, all or nothing; a report with errors is never committed.

A user who does not see the whole registry (anyone but an administrator or the command line) gets
``refer`` for every row whose number she cannot see, new or registered where she cannot see
alike: the commit sends those rows to an administrator as one batch of ``Referral``\ s
(``children.referrals``), so the report never tells her whether a child exists elsewhere. Every
row that matched a registered child writes an access-log row (one bulk insert for the file).

CPR numbers are never echoed: a report shows them masked (``DDMMYY-xxxx``), and messages and log
lines carry row numbers, not numbers from the file.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from borneliv.children import referrals, services
from borneliv.children.models import Child, Family, Guardian, Referral
from borneliv.children.selectors import registrable_areas, with_current_residence
from borneliv.children.services import ReadView
from borneliv.lib import dk, tabular
from borneliv.lib.cpr import Cpr
from borneliv.lib.imports import checked_text
from borneliv.lib.tabular import ImportFileError as ImportFileError  # re-exported
from borneliv.lib.tabular import SourceRow
from borneliv.organisations.models import Area

logger = logging.getLogger(__name__)

MAX_ROWS = 50_000
CHUNK = 900  # SQLite allows more bound parameters, but old builds stop at 999

ALIASES: dict[str, tuple[str, ...]] = {
    "cpr": ("cpr", "cpr_nr", "cprnr", "cpr-nr", "cpr-nummer", "cpr_nummer", "cpr nummer"),
    "first_name": ("fornavn", "first_name", "first name", "firstname"),
    "last_name": ("efternavn", "last_name", "last name", "lastname", "surname"),
    "area": ("omraade", "område", "omrade", "area", "area_id", "lokalområde", "lokalomraade"),
    "resident_from": ("tilflytningsdato", "resident_from", "resident from", "tilflytning"),
    "family": ("familie", "family", "familienavn", "family_name"),
    "guardian": ("vaerge", "værge", "vaergenavn", "guardian", "guardian_name"),
    "relation": ("relation", "vaerge_relation", "værge_relation", "guardian_relation"),
    "phone": ("telefon", "tlf", "telefonnummer", "phone", "guardian_phone"),
}
#: The ``relation`` column's words, Danish or English, by ``Guardian.Relation``.
RELATIONS: dict[str, str] = {
    **{word: Guardian.Relation.MOTHER for word in ("mor", "mother")},
    **{word: Guardian.Relation.FATHER for word in ("far", "father")},
    **{word: Guardian.Relation.CO_MOTHER for word in ("medmor", "co-mother", "co_mother")},
    **{
        word: Guardian.Relation.FOSTER
        for word in ("plejeforælder", "plejeforaelder", "plejemor", "plejefar", "foster")
    },
    **{word: Guardian.Relation.OTHER for word in ("anden", "andet", "other")},
}
REQUIRED = ("cpr", "first_name", "last_name", "area")
#: The stored fields' lengths: a longer value is a row error, never cut to fit.
NAME_MAX = Child._meta.get_field("first_name").max_length or 100
FAMILY_MAX = Family._meta.get_field("name").max_length or 200
GUARDIAN_MAX = Guardian._meta.get_field("name").max_length or 200
_SIX_DIGITS = re.compile(r"\d{6}")


@dataclass
class ReportRow:
    number: int
    status: str  # "ok", "refer", "unchanged" or "error"
    messages: list[str] = field(default_factory=list)
    masked_cpr: str = ""
    first_name: str = ""
    last_name: str = ""
    area: Area | None = None
    resident_from: dt.date | None = None
    family_name: str = ""
    guardian_name: str = ""
    guardian_relation: str = ""
    guardian_phone: str = ""  # normalised, "12 34 56 78"
    cpr: Cpr | None = field(default=None, repr=False)  # in memory only, never shown
    existing: Child | None = field(default=None, repr=False)
    child: Child | None = field(default=None, repr=False)  # registered by the commit

    OK = "ok"
    REFER = "refer"
    UNCHANGED = "unchanged"
    ERROR = "error"

    @property
    def message(self) -> str:
        return " ".join(self.messages)

    def fail(self, message: str) -> None:
        self.status = self.ERROR
        self.messages.append(message)


@dataclass
class ImportReport:
    rows: list[ReportRow] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    committed: bool = False
    batch: uuid.UUID | None = None  # the referrals a commit sent to an administrator

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def ok(self) -> int:
        return self.count(ReportRow.OK)

    @property
    def referred(self) -> int:
        """Rows the commit sends to an administrator (for a user without the whole registry)."""
        return self.count(ReportRow.REFER)

    @property
    def unchanged(self) -> int:
        return self.count(ReportRow.UNCHANGED)

    @property
    def errors(self) -> int:
        return self.count(ReportRow.ERROR)

    @property
    def has_errors(self) -> bool:
        return bool(self.file_errors) or self.errors > 0

    @property
    def can_commit(self) -> bool:
        return not self.has_errors and (self.ok > 0 or self.referred > 0)


# Reading (the generic part is shared with other imports in ``borneliv.lib.tabular``)


def read_rows(data: bytes, filename: str = "") -> list[SourceRow]:
    """The data rows of a CSV (``;`` or ``,``, UTF-8 with or without BOM) or XLSX file."""
    return tabular.read_rows(data, filename, aliases=ALIASES, required=REQUIRED, max_rows=MAX_ROWS)


# Checking

_text = tabular.cell_text
_cpr_text = tabular.cpr_text
_date = tabular.cell_date


def _first_message(error: ValidationError) -> str:
    return " ".join(str(m) for m in error.messages)


class _Areas:
    """The areas the importing user may register children in, by id and by name."""

    def __init__(self, user: Any) -> None:
        if user is None:
            areas = list(Area.objects.select_related("municipality").order_by("pk"))
        else:
            areas = list(registrable_areas(user))
        self.by_id = {area.pk: area for area in areas}
        self.by_name: dict[str, list[Area]] = {}
        for area in areas:
            self.by_name.setdefault(area.name.casefold(), []).append(area)

    def find(self, value: Any, row: ReportRow) -> Area | None:
        text = _text(value)
        if not text:
            row.fail(_("The area is missing."))
            return None
        if text.isdigit() and int(text) in self.by_id:
            return self.by_id[int(text)]
        matches = self.by_name.get(text.casefold(), [])
        if len(matches) == 1:
            return matches[0]
        shown = text if not _SIX_DIGITS.search(text) and len(text) <= 60 else "…"
        if len(matches) > 1:
            row.fail(
                _("The area name “%(name)s” exists in several municipalities; use the area id.")
                % {"name": shown}
            )
        else:
            row.fail(
                _("Unknown area “%(name)s”: not one of the areas you may register children in.")
                % {"name": shown}
            )
        return None


def _check_row(source: SourceRow, areas: _Areas) -> ReportRow:
    values = source.values
    row = ReportRow(number=source.number, status=ReportRow.OK)
    try:
        row.cpr = services.cpr_parse(_cpr_text(values.get("cpr")))
    except ValidationError as exc:
        row.fail(_first_message(exc))
    else:
        row.masked_cpr = row.cpr.masked
        try:
            services.registry_age_check(row.cpr.birth_date)
        except ValidationError as exc:
            row.fail(_first_message(exc))
    for problem in source.problems:
        row.fail(problem)
    errors: list[str] = []
    row.first_name = checked_text(source, "first_name", NAME_MAX, errors)
    row.last_name = checked_text(source, "last_name", NAME_MAX, errors)
    if not row.first_name:
        row.fail(_("The first name is missing."))
    if not row.last_name:
        row.fail(_("The last name is missing."))
    row.area = areas.find(values.get("area"), row)
    try:
        row.resident_from = _date(values.get("resident_from"))
    except ValueError:
        row.fail(_("The date of moving in is not a date (use dd.mm.yyyy)."))
    if row.cpr and row.resident_from and row.resident_from < row.cpr.birth_date:
        row.fail(_("The date of moving in lies before the birth date."))
    row.family_name = checked_text(source, "family", FAMILY_MAX, errors)
    row.guardian_name = checked_text(source, "guardian", GUARDIAN_MAX, errors)
    for message in errors:
        row.fail(message)
    _check_guardian(values, row)
    return row


def _check_guardian(values: dict[str, Any], row: ReportRow) -> None:
    """The optional guardian columns: a name, and with it a relation and a phone number."""
    relation = _text(values.get("relation"))
    phone = _text(values.get("phone"))
    if relation:
        row.guardian_relation = RELATIONS.get(relation.casefold(), "")
        if not row.guardian_relation:
            shown = relation if len(relation) <= 30 and not _SIX_DIGITS.search(relation) else "…"
            row.fail(
                _("Unknown relation “%(relation)s”: use mor, far, medmor, plejeforælder or anden.")
                % {"relation": shown}
            )
    elif row.guardian_name:
        row.guardian_relation = Guardian.Relation.OTHER
    if phone:
        normalised = dk.normalise_phone(phone)
        if normalised is None:
            row.fail(_(dk.PHONE_MESSAGE))
        else:
            row.guardian_phone = normalised
    if (relation or phone) and not row.guardian_name:
        row.fail(_("A relation or phone number needs the guardian's name (column vaerge)."))
    if row.guardian_name and not row.family_name:
        row.family_name = row.last_name  # the guardian needs a family: the child's last name


def _check_existing(rows: list[ReportRow], user: Any) -> None:
    """Mark rows whose child is registered already: unchanged, or an error if it differs."""
    by_key: dict[str, ReportRow] = {}
    for row in rows:
        if row.cpr is not None and row.status != ReportRow.ERROR:
            by_key.setdefault(services.cpr_pseudonym(row.cpr.digits), row)
    keys = list(by_key)
    existing: list[Child] = []
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        existing.extend(
            with_current_residence(
                Child.objects.filter(cpr_pseudonym__in=chunk).select_related("family")
            )
        )
    if not existing:
        return
    if services.sees_whole_registry(user):
        visible = {child.pk for child in existing}
    else:
        visible = set()
        ids = [child.pk for child in existing]
        for start in range(0, len(ids), CHUNK):
            visible.update(
                Child.objects.visible_to(user)
                .filter(pk__in=ids[start : start + CHUNK])
                .values_list("pk", flat=True)
            )
    for child in existing:
        row = by_key[child.cpr_pseudonym]
        if row.status == ReportRow.ERROR:
            continue
        same = (
            child.first_name.casefold() == row.first_name.casefold()
            and child.last_name.casefold() == row.last_name.casefold()
            and row.area is not None
            and child.current_area_id == row.area.pk  # type: ignore[attr-defined]
        )
        if same and child.pk in visible:
            row.status = ReportRow.UNCHANGED
            row.existing = child
            row.messages.append(_("Registered already with this name and area; left as it is."))
        elif child.pk in visible:
            row.fail(
                _(
                    "This child is registered already as %(name)s in another area or with "
                    "another name; change the registered child on its page instead."
                )
                % {"name": child.full_name}
            )
        # else: registered where the user cannot see. The row stays "ok" and becomes "refer"
        # like every new number of hers (_refer), so the report cannot tell the two apart.
    if user is not None:
        # Every hit leaves a trace, also one the user is not told about: one bulk insert.
        services.access_log_record_reads(
            user=user,
            reads=[
                (
                    child.pk,
                    ReadView.IMPORT_CHECK if child.pk in visible else ReadView.IMPORT_REFERRED,
                )
                for child in existing
            ],
        )


def _refer(rows: list[ReportRow], user: Any) -> None:
    """For a user without the whole registry: every row still "ok" goes to an administrator."""
    if services.sees_whole_registry(user):
        return
    for row in rows:
        if row.status == ReportRow.OK:
            row.status = ReportRow.REFER
            row.messages.append(
                _("Goes to an administrator, who registers the child or finds it registered.")
            )


def check_rows(source_rows: Sequence[SourceRow], *, user: Any) -> ImportReport:
    """The dry run: a report of every row; writes nothing."""
    areas = _Areas(user)
    report = ImportReport(rows=[_check_row(source, areas) for source in source_rows])
    first_row_of: dict[str, int] = {}
    for row in report.rows:
        if row.cpr is None:
            continue
        first = first_row_of.setdefault(row.cpr.digits, row.number)
        if first != row.number:
            row.fail(_("The same CPR number appears in row %(row)d already.") % {"row": first})
    _check_existing(report.rows, user)
    _refer(report.rows, user)
    if not report.rows:
        report.file_errors.append(_("The file has no data rows."))
    return report


def _family_key(row: ReportRow) -> tuple[str, int] | None:
    if not row.family_name or row.area is None:
        return None
    return (row.family_name.casefold(), row.area.pk)


def _add_guardian(family: Family, row: ReportRow, known: dict[int, set[str]]) -> None:
    """Add the row's guardian to the family unless a guardian of that name is there already."""
    names = known.get(family.pk)
    if names is None:  # a family registered before this import: read its guardians once
        names = known[family.pk] = {
            name.casefold() for name in family.guardians.values_list("name", flat=True)
        }
    if row.guardian_name.casefold() in names:
        return
    services.guardian_add(
        family=family,
        name=row.guardian_name,
        relation=row.guardian_relation,
        phone=row.guardian_phone,
    )
    names.add(row.guardian_name.casefold())


def _commit(report: ImportReport, user: Any) -> None:
    families: dict[tuple[str, int], Family] = {}
    guardians: dict[int, set[str]] = {}  # guardian names by family id, as far as known
    # A new sibling joins the family of a child the same file registered before.
    for row in report.rows:
        key = _family_key(row)
        if key and row.existing is not None and row.existing.family is not None:
            families.setdefault(key, row.existing.family)
    for row in report.rows:
        if row.status != ReportRow.OK:
            continue
        assert row.cpr is not None and row.area is not None
        family = None
        key = _family_key(row)
        if key is not None:
            family = families.get(key)
            if family is None:
                family = families[key] = services.family_create(name=row.family_name)
                guardians[family.pk] = set()
        row.child = services.child_register(
            cpr=row.cpr.digits,
            first_name=row.first_name,
            last_name=row.last_name,
            area=row.area,
            resident_from=row.resident_from,
            family=family,
            by=user,
        )
        if row.guardian_name and family is not None:
            _add_guardian(family, row, guardians)
    _commit_referrals(report, user, families)


def _commit_referrals(
    report: ImportReport, user: Any, families: dict[tuple[str, int], Family]
) -> None:
    """The "refer" rows as one batch of referrals, in one ``bulk_create``."""
    rows = [row for row in report.rows if row.status == ReportRow.REFER]
    if not rows:
        return
    batch = uuid.uuid4()
    built = []
    for row in rows:
        assert row.cpr is not None and row.area is not None
        key = _family_key(row)
        guardian = (
            [
                {
                    "name": row.guardian_name,
                    "relation": row.guardian_relation,
                    "phone": row.guardian_phone,
                    "email": "",
                }
            ]
            if row.guardian_name
            else []
        )
        built.append(
            referrals.referral_build(
                by=user,
                parsed=row.cpr,
                first_name=row.first_name,
                last_name=row.last_name,
                area=row.area,
                resident_from=row.resident_from,
                family=families.get(key) if key is not None else None,
                family_name=row.family_name,
                guardians=guardian,
                source=Referral.Source.IMPORT,
                batch=batch,
                row_number=row.number,
            )
        )
    Referral.objects.bulk_create(built)
    report.batch = batch


def import_children(
    source_rows: Sequence[SourceRow], *, user: Any, commit: bool = False
) -> ImportReport:
    """Check the rows; with ``commit``, register the ``ok`` rows, all or nothing.

    ``user`` limits the areas (and what messages reveal) to the user's scope; ``None`` (the
    management command) means every area. A commit checks again inside its transaction and
    writes nothing if any row has an error.
    """
    if not commit:
        report = check_rows(source_rows, user=user)
        _log(report, user)
        return report
    with transaction.atomic():
        report = check_rows(source_rows, user=user)
        if report.can_commit:
            try:
                _commit(report, user)
            except ValidationError as exc:
                # Someone registered one of the children between the check and now.
                transaction.set_rollback(True)
                report.file_errors.append(
                    _("Nothing was imported: %(reason)s") % {"reason": _first_message(exc)}
                )
            else:
                report.committed = True
    _log(report, user)
    return report


def _log(report: ImportReport, user: Any) -> None:
    logger.info(
        "children import by %s: %d rows, %d ok, %d referred, %d unchanged, %d errors, committed=%s",
        getattr(user, "username", "command line"),
        len(report.rows),
        report.ok,
        report.referred,
        report.unchanged,
        report.errors,
        report.committed,
    )
