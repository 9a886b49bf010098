"""Writes for instruments: import a version from a file, start a new draft, publish, retire.

Administrators only (``motor.manage_instrument``), checked here so that a page, the admin, a
management command or a script cannot bypass it. Each write is one transaction: all or nothing.

A version's life: a **draft** (imported, or copied from the latest version) can be edited in the
admin; **published**, it is offered for new sessions and never changes again (``is_editable``);
**retired**, it is no longer offered, while past sessions keep it (the foreign keys protect it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from borneliv.lib.imports import MAX_JSON_DEPTH, json_depth_exceeds, json_loads
from borneliv.lib.tabular import ImportFileError, check_xlsx_rows, is_xlsx
from borneliv.lib.versioning import claim_version
from borneliv.motor.instruments import (
    JSON_CHOICES,
    JSON_ITEMS,
    JSON_VERSION,
    MAX_SHEET_ROWS,
    SETTINGS,
    ChoiceDoc,
    InstrumentDocument,
    ItemDoc,
    Parsed,
    Problem,
    check_document,
    document_from_version,
    read_document,
)
from borneliv.motor.models import Choice, Instrument, InstrumentVersion, Item

INSTRUMENT_FIELDS = ("name_da", "name_en", "description_da", "description_en")
VERSION_FIELDS = (
    "note_da",
    "note_en",
    "is_starting_point",
    "age_min_months",
    "age_max_months",
    "few_signs_from",
    "challenges_from",
    "min_assessed",
)
ITEM_FIELDS = tuple(f.name for f in fields(ItemDoc) if f.name != "code")


def _require_manager(user: Any) -> None:
    if not user.has_perm("motor.manage_instrument"):
        raise PermissionDenied


# --- the import ------------------------------------------------------------------------------


def instrument_read(data: bytes, filename: str = "") -> Parsed:
    """Read an uploaded instrument document within the import limits, then parse and check it.

    A JSON document nested deeper than ``lib.imports.MAX_JSON_DEPTH`` and a workbook with a
    sheet of more than ``MAX_SHEET_ROWS`` rows (blank ones too) are refused before parsing: the
    first would make ``json`` recurse until it fails, the second would keep the request busy
    for minutes.
    """
    try:
        if is_xlsx(data, filename):
            check_xlsx_rows(data, MAX_SHEET_ROWS)
        elif json_depth_exceeds(data, MAX_JSON_DEPTH):
            json_loads(data)  # raises with the message
    except ImportFileError as exc:
        return Parsed(None, [Problem("", None, str(exc))])
    return read_document(data, filename)


@dataclass(frozen=True)
class ItemChange:
    code: str
    fields: tuple[str, ...]  # ItemDoc field names: domain, list_name, label_da, …, position


@dataclass
class Diff:
    """What a document changes compared with the instrument's latest version."""

    against: int  # the latest version's number
    items_added: list[str] = field(default_factory=list)
    items_removed: list[str] = field(default_factory=list)
    items_changed: list[ItemChange] = field(default_factory=list)
    scales_added: list[str] = field(default_factory=list)
    scales_removed: list[str] = field(default_factory=list)
    scales_changed: list[str] = field(default_factory=list)
    version_changed: list[str] = field(default_factory=list)  # VERSION_FIELDS
    instrument_changed: list[str] = field(default_factory=list)  # INSTRUMENT_FIELDS

    @property
    def has_changes(self) -> bool:
        return any(
            (
                self.items_added,
                self.items_removed,
                self.items_changed,
                self.scales_added,
                self.scales_removed,
                self.scales_changed,
                self.version_changed,
                self.instrument_changed,
            )
        )


def document_diff(new: InstrumentDocument, old: InstrumentDocument) -> Diff:
    """Items, scales and settings added, removed or changed from ``old`` to ``new``."""
    diff = Diff(against=old.number)
    old_items = {i.code: (n, i) for n, i in enumerate(old.items)}
    new_items = {i.code: (n, i) for n, i in enumerate(new.items)}
    diff.items_added = [code for code in new_items if code not in old_items]
    diff.items_removed = [code for code in old_items if code not in new_items]
    # An item moved only because others were added or removed is not "changed": compare the
    # order of the items both versions have.
    kept_old = [c for c in old_items if c in new_items]
    kept_new = [c for c in new_items if c in old_items]
    for code in kept_new:
        before, after = old_items[code][1], new_items[code][1]
        changed = [f for f in ITEM_FIELDS if getattr(before, f) != getattr(after, f)]
        if kept_old.index(code) != kept_new.index(code):
            changed.append("position")
        if changed:
            diff.items_changed.append(ItemChange(code, tuple(changed)))

    def scales(doc: InstrumentDocument) -> dict[str, list[ChoiceDoc]]:
        out: dict[str, list[ChoiceDoc]] = {}
        for choice in doc.choices:
            out.setdefault(choice.list_name, []).append(choice)
        return out

    old_scales, new_scales = scales(old), scales(new)
    diff.scales_added = [n for n in new_scales if n not in old_scales]
    diff.scales_removed = [n for n in old_scales if n not in new_scales]
    diff.scales_changed = [
        n for n in new_scales if n in old_scales and new_scales[n] != old_scales[n]
    ]
    diff.version_changed = [f for f in VERSION_FIELDS if getattr(new, f) != getattr(old, f)]
    diff.instrument_changed = [f for f in INSTRUMENT_FIELDS if getattr(new, f) != getattr(old, f)]
    return diff


@dataclass
class ImportReport:
    """What an import would do (dry run) or did (commit), or why it cannot."""

    document: InstrumentDocument | None
    problems: list[Problem]
    format: str = ""
    dry_run: bool = True
    instrument: Instrument | None = None  # the existing instrument, if any
    latest_number: int | None = None
    diff: Diff | None = None
    version: InstrumentVersion | None = None  # the draft created by a commit

    @property
    def can_commit(self) -> bool:
        return self.document is not None and not self.problems

    @property
    def committed(self) -> bool:
        return self.version is not None

    @property
    def is_new_instrument(self) -> bool:
        return self.instrument is None

    @property
    def item_count(self) -> int:
        return len(self.document.items) if self.document else 0

    @property
    def skill_item_count(self) -> int:
        return len(self.document.skill_items) if self.document else 0

    @property
    def choice_count(self) -> int:
        return len(self.document.choices) if self.document else 0

    @property
    def scale_count(self) -> int:
        return len({c.list_name for c in self.document.choices}) if self.document else 0


def _settings_place(fmt: str) -> tuple[str, int | None]:
    return (SETTINGS, 2) if fmt == "xlsx" else (JSON_VERSION, None)


def _number_problems(
    document: InstrumentDocument, numbers: Sequence[int], fmt: str
) -> list[Problem]:
    sheet, row = _settings_place(fmt)
    if document.number in numbers:
        return [
            Problem(
                sheet,
                row,
                _(
                    "Version %(number)d of %(code)s already exists; nothing was changed. Give the "
                    "document a higher version number to import it as a new version."
                )
                % {"number": document.number, "code": document.code},
            )
        ]
    if numbers and document.number < max(numbers):
        return [
            Problem(
                sheet,
                row,
                _(
                    "The version number %(number)d is not higher than the latest version "
                    "(%(latest)d) of %(code)s."
                )
                % {"number": document.number, "latest": max(numbers), "code": document.code},
            )
        ]
    return []


def _latest(instrument: Instrument) -> InstrumentVersion | None:
    return (
        instrument.versions.select_related("instrument")
        .prefetch_related("choices", "items")
        .order_by("-number")
        .first()
    )


def _plan(parsed: Parsed, *, dry_run: bool) -> ImportReport:
    report = ImportReport(
        document=parsed.document,
        problems=list(parsed.problems),
        format=parsed.format,
        dry_run=dry_run,
    )
    document = parsed.document
    if document is None or report.problems:
        return report
    report.instrument = Instrument.objects.filter(code=document.code).first()
    if report.instrument is not None:
        numbers = list(report.instrument.versions.values_list("number", flat=True))
        report.problems += _number_problems(document, numbers, parsed.format)
        latest = _latest(report.instrument)
        if latest is not None:
            report.latest_number = latest.number
            report.diff = document_diff(document, document_from_version(latest))
    return report


def _create_version(
    instrument: Instrument,
    document: InstrumentDocument,
    *,
    choices: Sequence[ChoiceDoc],
    items: Sequence[ItemDoc],
) -> InstrumentVersion:
    version = InstrumentVersion(
        instrument=instrument,
        number=document.number,
        status=InstrumentVersion.Status.DRAFT,
        **{f: getattr(document, f) for f in VERSION_FIELDS},
    )
    version.full_clean()
    version.save()
    positions: dict[str, int] = {}
    for c in choices:
        position = positions.get(c.list_name, 0)
        positions[c.list_name] = position + 1
        choice = Choice(
            version=version,
            list_name=c.list_name,
            value=c.value,
            label_da=c.label_da,
            label_en=c.label_en,
            position=position,
            remark_weight=c.remark_weight,
        )
        choice.full_clean()
        choice.save()
    for position, i in enumerate(items):
        item = Item(
            version=version,
            code=i.code,
            position=position,
            domain=i.domain,
            list_name=i.list_name,
            label_da=i.label_da,
            label_en=i.label_en,
            guidance_da=i.guidance_da,
            guidance_en=i.guidance_en,
        )
        item.full_clean()
        item.save()
    return version


def instrument_import(*, by: Any, document: Parsed, dry_run: bool) -> ImportReport:
    """Check a parsed document against the stored versions; unless a dry run, create the draft.

    The report lists every problem (the file's and the version number's); with any problem,
    nothing is written. A commit creates the instrument if it is new (or updates its names and
    descriptions to the document's) and the version as a draft, all in one transaction.
    """
    _require_manager(by)
    report = _plan(document, dry_run=dry_run)
    if dry_run or not report.can_commit:
        return report
    doc = report.document
    assert doc is not None
    try:
        with transaction.atomic():
            instrument = Instrument.objects.select_for_update().filter(
                code=doc.code
            ).first() or Instrument(code=doc.code)
            numbers = (
                list(instrument.versions.values_list("number", flat=True)) if instrument.pk else []
            )
            again = _number_problems(doc, numbers, report.format)
            if again:  # another import got there first
                report.problems += again
                return report
            changed = [f for f in INSTRUMENT_FIELDS if getattr(instrument, f) != getattr(doc, f)]
            if changed or instrument.pk is None:
                for f in INSTRUMENT_FIELDS:
                    setattr(instrument, f, getattr(doc, f))
                instrument.full_clean()
                instrument.save()
            report.version = _create_version(instrument, doc, choices=doc.choices, items=doc.items)
    except IntegrityError:
        report.version = None
        report.problems += _number_problems(doc, [doc.number], report.format)
    except ValidationError as exc:
        report.version = None
        sheet, row = _settings_place(report.format)
        report.problems += [Problem(sheet, row, str(m)) for m in exc.messages]
    return report


# --- a version's life ---------------------------------------------------------------------------


def version_check_editable(version: InstrumentVersion) -> None:
    """Refuse any change to a published or retired version: past assessments rely on it."""
    if not version.is_editable:
        raise ValidationError(
            _(
                "Version %(number)d is %(status)s and cannot be changed. Start a new draft "
                "version instead."
            )
            % {"number": version.number, "status": version.get_status_display().lower()}
        )


@transaction.atomic
def version_new_draft(*, by: Any, instrument: Instrument) -> InstrumentVersion:
    """A new draft: a copy of the latest version's items, scales and rule, numbered one higher."""
    _require_manager(by)
    instrument = Instrument.objects.select_for_update().get(pk=instrument.pk)
    draft = instrument.versions.filter(status=InstrumentVersion.Status.DRAFT).first()
    if draft is not None:
        raise ValidationError(
            _("Version %(number)d is already a draft: change or publish it first.")
            % {"number": draft.number}
        )
    latest = _latest(instrument)
    if latest is None:
        raise ValidationError(_("The instrument has no version to copy; import one instead."))
    document = document_from_version(latest).with_number(latest.number + 1)
    return _create_version(instrument, document, choices=document.choices, items=document.items)


def _draft_problem(problem: Problem, document: InstrumentDocument) -> str:
    """A problem of a draft, naming the item or scale rather than a row of a file."""
    index = (problem.row or 0) - 1
    if problem.sheet == JSON_ITEMS and 0 <= index < len(document.items):
        item = document.items[index]
        return _("Item %(code)s: %(message)s") % {"code": item.code, "message": problem.message}
    if problem.sheet == JSON_CHOICES and 0 <= index < len(document.choices):
        choice = document.choices[index]
        return _("Scale %(scale)s, answer %(value)s: %(message)s") % {
            "scale": choice.list_name,
            "value": choice.value,
            "message": problem.message,
        }
    return problem.message


@transaction.atomic
def version_publish(*, by: Any, version: InstrumentVersion) -> InstrumentVersion:
    """Publish a draft: from now on it is offered for new sessions and never changes."""
    _require_manager(by)
    version = InstrumentVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != InstrumentVersion.Status.DRAFT:
        raise ValidationError(
            _("Only a draft can be published; version %(number)d is %(status)s.")
            % {"number": version.number, "status": version.get_status_display().lower()}
        )
    document = document_from_version(version)
    messages = [_draft_problem(p, document) for p in check_document(document)]
    if not document.skill_items:
        messages.append(
            _("A version needs at least one skill item (not only joy of movement and courage).")
        )
    if messages:
        raise ValidationError(messages)
    # A draft's change form opened before now no longer saves (lib.versioning).
    claim_version(version, None)
    version.status = InstrumentVersion.Status.PUBLISHED
    version.published_at = timezone.now()
    version.published_by = by
    version.full_clean()
    version.save()
    return version


@transaction.atomic
def version_retire(*, by: Any, version: InstrumentVersion) -> InstrumentVersion:
    """Retire a published version: no longer offered for new sessions; past sessions keep it."""
    _require_manager(by)
    version = InstrumentVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != InstrumentVersion.Status.PUBLISHED:
        raise ValidationError(
            _("Only a published version can be retired; version %(number)d is %(status)s.")
            % {"number": version.number, "status": version.get_status_display().lower()}
        )
    claim_version(version, None)
    version.status = InstrumentVersion.Status.RETIRED
    version.full_clean()
    version.save()
    return version
