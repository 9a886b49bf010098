"""The parts every import shares: the upload form, the file waiting in the session, the limits.

An import is upload → dry run (a report of every row, nothing written) → commit (checked again
and written all or nothing through the app's services). The reading of CSV/XLSX tables is in
``lib.tabular``; here are:

- ``UploadForm``: the file field and its size limit (``clean_file`` once for every import);
- ``PendingUpload``: the uploaded file kept in the user's session between the dry run and the
  commit, encrypted with the CPR key (Fernet) and readable for an hour, behind a random token the
  confirmation must carry, with the file's SHA-256 checked on the way back;
- ``json_loads``: JSON with a nesting limit checked *before* parsing (a 100,000-level document
  makes ``json.loads`` raise ``RecursionError``);
- ``checked_text``: a text cell against its field's maximum length: refused, never cut;
- ``ImportCommand``: the management command ``import FILE [--commit] [--user NAME]``, a dry run
  by default, with a row-by-row report.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from borneliv.lib import pseudonym
from borneliv.lib.tabular import ImportFileError, SourceRow, cell_text

if TYPE_CHECKING:  # lib sits below accounts: the user model only by name at runtime
    from borneliv.accounts.models import User

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
PENDING_TTL_SECONDS = 3600
#: Deeper than any document an import reads (an instrument is four levels deep).
MAX_JSON_DEPTH = 20

# --- the upload form ------------------------------------------------------------------------------


class UploadForm(forms.Form):
    """One file, at most ``max_bytes``; a subclass sets the help text and accepted types."""

    max_bytes: ClassVar[int] = MAX_UPLOAD_BYTES
    too_large = gettext_lazy("The file is larger than %(mb)d MB; split it into smaller files.")
    file = forms.FileField(label=gettext_lazy("File"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > self.max_bytes:
            raise ValidationError(self.too_large % {"mb": self.max_bytes // (1024 * 1024)})
        return upload


def upload_field(help_text: Any, accept: str = ".csv,.xlsx,text/csv") -> forms.FileField:
    """The file field of an import page, with its help text and the types the picker offers."""
    return forms.FileField(
        label=gettext_lazy("File"),
        help_text=help_text,
        widget=forms.ClearableFileInput(attrs={"accept": accept}),
    )


# --- the file waiting in the session ----------------------------------------------------------


@dataclass
class PendingUpload:
    """An uploaded file kept, encrypted, in the session under ``key`` until the commit."""

    key: str
    ttl_seconds: int = PENDING_TTL_SECONDS

    def keep(self, session: SessionBase, data: bytes, filename: str) -> str:
        """Keep the file; returns the token the confirmation must carry."""
        token = secrets.token_urlsafe(16)
        session[self.key] = {
            "token": token,
            "filename": filename,
            "sha256": hashlib.sha256(data).hexdigest(),
            "data": pseudonym.encrypt_bytes(settings.CPR_KEY, data),
        }
        return token

    def take(self, session: SessionBase, token: str) -> tuple[bytes, str] | None:
        """The file and its name if the token matches and it is still readable, else None."""
        pending = session.get(self.key)
        if not pending or not token or not secrets.compare_digest(pending.get("token", ""), token):
            return None
        try:
            data = pseudonym.decrypt_bytes(settings.CPR_KEY, pending["data"], ttl=self.ttl_seconds)
        except pseudonym.SecretKeyError:
            return None
        if hashlib.sha256(data).hexdigest() != pending.get("sha256"):
            return None
        return data, pending.get("filename", "")

    def drop(self, session: SessionBase) -> None:
        session.pop(self.key, None)


# --- limits on what a file holds ------------------------------------------------------------------

_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
_JSON_BRACKET = re.compile(rb"[\[\]{}]")


def json_depth_exceeds(data: bytes, max_depth: int) -> bool:
    """Whether the JSON text nests arrays and objects deeper than ``max_depth``.

    Strings are taken out first (a bracket inside one does not count); then each bracket is
    one step in or out. Linear in the size, and without recursion.
    """
    depth = 0
    for match in _JSON_BRACKET.finditer(_JSON_STRING.sub(b'""', data)):
        if match.group() in (b"[", b"{"):
            depth += 1
            if depth > max_depth:
                return True
        else:
            depth -= 1
    return False


def json_loads(data: bytes, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Parse a JSON file (UTF-8, with or without BOM); ``ImportFileError`` if it cannot be."""
    if json_depth_exceeds(data, max_depth):
        raise ImportFileError(
            _("The file nests its lists and objects deeper than %(max)d levels; it is refused.")
            % {"max": max_depth}
        )
    try:
        return json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ImportFileError(_("The file is not valid JSON.")) from None


def too_long_message(column: str, max_length: int, length: int) -> str:
    return _(
        "The column %(column)s is longer than %(max)d characters (it has %(length)d); shorten "
        "it: nothing is cut."
    ) % {"column": column, "max": max_length, "length": length}


def checked_text(
    source: SourceRow, column: str, max_length: int, errors: list[str], *, name: str = ""
) -> str:
    """A text cell of ``source``; if longer than ``max_length``, a message joins ``errors``.

    The text is returned whole either way: an over-long value makes the row an error and is
    never cut to fit.
    """
    text = cell_text(source.values.get(column))
    if len(text) > max_length:
        errors.append(too_long_message(name or source.column_name(column), max_length, len(text)))
    return text


# --- the management command ------------------------------------------------------------------


class ImportCommand(BaseCommand):
    """``manage.py <import> FILE [--commit] [--user USERNAME]``: a dry run unless ``--commit``.

    A subclass says how to run its import (``run``), how to print a row (``row_line``) and sum
    up (``summary``, ``done``). Prints one line per row, the file's errors on standard error,
    and exits with status 1 when the file or a row has an error (nothing is written then).
    """

    commit_help = "write the file (all rows or none)"
    user_help = "import as this user (what she may see only); default: everything"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="CSV (; or ,) or XLSX file")
        parser.add_argument("--commit", action="store_true", help=self.commit_help)
        parser.add_argument("--user", help=self.user_help)

    def run(self, data: bytes, filename: str, user: User | None, *, commit: bool) -> Any:
        raise NotImplementedError

    def row_line(self, row: Any) -> str:
        raise NotImplementedError

    def summary(self, report: Any) -> str:
        raise NotImplementedError

    def done(self, report: Any) -> str:
        raise NotImplementedError

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from None
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"], is_active=True).first()
            if user is None:
                raise CommandError(f"No active user {options['user']!r}.")
        report = self.run(data, path.name, user, commit=options["commit"])
        for row in report.rows:
            self.stdout.write(self.row_line(row))
        for error in report.file_errors:
            self.stderr.write(error)
        summary = self.summary(report)
        if report.has_errors:
            raise CommandError(f"{summary} Nothing was imported.", returncode=1)
        if report.committed:
            self.stdout.write(self.style.SUCCESS(f"{summary} {self.done(report)}"))
        elif options["commit"]:
            self.stdout.write(f"{summary} Nothing to import.")
        else:
            self.stdout.write(f"{summary} Dry run: run again with --commit to import.")
