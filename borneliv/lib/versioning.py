"""Optimistic locking: one mechanism for every record people edit on pages, in the API and admin.

A record that users edit inherits ``Versioned``: a ``lock_version`` that starts at 1 and grows by
one with every change. A form carries the version it showed (a hidden field,
``lib.forms.VersionedFormMixin``); the service claims the next version before it writes::

    @transaction.atomic
    def institution_update(*, institution, version, **fields):
        claim_version(institution, version)   # raises EditConflict if someone was faster
        ...
        institution.save()

``claim_version`` is one conditional ``UPDATE … SET lock_version = lock_version + 1 WHERE id = …
AND lock_version = …``: the database answers "1 row" to exactly one of two saves that started
from the same version (the UPDATE takes the row lock on PostgreSQL and the write lock on SQLite,
whose transactions here begin IMMEDIATE), so the check and the write cannot be split by another
save. The loser gets ``EditConflict``: who changed the record and when (from its history), and
the record as it is now, so the form can show the other person's version beside the user's own
(``templates/includes/edit_conflict.html``) instead of silently overwriting it.

State transitions (close, publish, confirm…) are not edits of a form: their services re-read the
row with ``select_for_update()`` inside the transaction and check the state there;
``changed_by`` names who made the transition for the message.

Django-dependent (models, translations), like ``db.py``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class Versioned(models.Model):
    """Adds ``lock_version``: 1 when created, one more with every change through a service."""

    lock_version = models.PositiveIntegerField(gettext_lazy("version"), default=1, editable=False)

    class Meta:
        abstract = True


@dataclass(frozen=True)
class Change:
    """Who saved a record's current version, and when (``None`` where there is no history)."""

    by: str
    at: dt.datetime | None

    @property
    def headline(self) -> str:
        """“Changed by Hanne Holm at 14:05” (a date too when it was not today)."""
        if self.at is None:
            if self.by:
                return _("Changed by %(name)s.") % {"name": self.by}
            return _("Changed by someone else.")
        local = timezone.localtime(self.at)
        time = local.strftime("%H:%M")
        if local.date() == timezone.localdate():
            if self.by:
                return _("Changed by %(name)s at %(time)s.") % {"name": self.by, "time": time}
            return _("Changed at %(time)s.") % {"time": time}
        date = local.strftime("%d.%m.%Y")
        if self.by:
            return _("Changed by %(name)s on %(date)s at %(time)s.") % {
                "name": self.by,
                "date": date,
                "time": time,
            }
        return _("Changed on %(date)s at %(time)s.") % {"date": date, "time": time}


def _display_name(user: Any) -> str:
    if user is None:
        return ""
    full = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return str(full or getattr(user, "username", "") or user)


def changed_by(record: models.Model) -> Change:
    """Who saved ``record`` last and when, from its history (django-simple-history)."""
    history = getattr(record, "history", None)
    if history is None:
        return Change(by="", at=getattr(record, "updated_at", None))
    rows = history.select_related("history_user")
    version = getattr(record, "lock_version", None)
    # The save that made the current version, not a later save of other columns (a grid's
    # summary, a recompute) that left the version as it was.
    made = (
        rows.filter(lock_version=version).order_by("history_date", "pk").first()
        if version is not None
        else None
    )
    latest = made or rows.order_by("-history_date", "-pk").first()
    if latest is None:
        return Change(by="", at=None)
    return changed_by_history(latest)


def changed_by_history(row: Any) -> Change:
    """Who made one historical row (django-simple-history), and when."""
    return Change(by=_display_name(row.history_user), at=row.history_date)


class EditConflict(ValidationError):
    """Someone saved the record after the user read it; nothing was written.

    ``current`` is the record as stored now (their version), ``change`` who saved it and when.
    """

    code = "stale_version"

    def __init__(self, current: models.Model, *, change: Change | None = None) -> None:
        self.current = current
        self.change = change or changed_by(current)
        super().__init__(
            _("%(change)s Your changes were not saved, so as not to overwrite theirs.")
            % {"change": self.change.headline},
            code=self.code,
        )


class StateChanged(ValidationError):
    """A state transition that another request made first (e.g. a measurement decided twice)."""

    code = "state_changed"

    def __init__(self, message: str) -> None:
        super().__init__(message, code=self.code)


def claim_version(record: Versioned, version: int | None) -> None:
    """Take the next version of ``record`` if it is still ``version``; else ``EditConflict``.

    Call it inside the service's transaction before writing: the claim is rolled back with
    everything else if a later check fails. ``record.lock_version`` then holds the new number,
    so the ``save()`` that follows writes it (and its history row records it).
    ``version=None`` (a script, the demo, a test that edits without a form) claims whatever
    version is stored: no conflict check, but the version still grows.
    """
    model = type(record)
    rows = model._default_manager.filter(pk=record.pk)
    if version is None:
        rows.update(lock_version=F("lock_version") + 1)
        record.lock_version = rows.values_list("lock_version", flat=True).get()
        return
    if not rows.filter(lock_version=version).update(lock_version=F("lock_version") + 1):
        raise EditConflict(model._default_manager.get(pk=record.pk))
    record.lock_version = version + 1


def locked(model: type[models.Model], pk: Any) -> Any:
    """The row re-read under ``select_for_update()``, to check a state inside the transaction.

    No ``select_related``: on PostgreSQL a row re-read after waiting for another transaction's
    lock comes back with its new values but the joined rows of the older snapshot (a reviewer
    read as nobody). Read related rows after the lock instead.
    """
    return model._default_manager.select_for_update().get(pk=pk)
