"""Display helpers for schedule statuses: a translated label and a CSS modifier per status."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from borneliv.healthvisits.models import StageSkip
from borneliv.healthvisits.schedule import (
    REASON_DECLINED,
    REASON_NOT_PROGRAMME_AREA,
    REASON_NOT_VULNERABLE,
    REASON_PREREQUISITE_NOT_COMPLETED,
    REASON_PREREQUISITE_OPEN,
    REASON_PROGRAMME_NOT_STARTED,
    Status,
)

register = template.Library()

STATUS_LABELS: dict[Status, Promise] = {
    Status.UPCOMING: _("Upcoming"),
    Status.DUE: _("Due"),
    Status.CLOSING: _("Window closing"),
    Status.OVERDUE: _("Overdue"),
    Status.EXPIRED: _("Expired"),
    Status.COMPLETED: _("Completed"),
    Status.SKIPPED: _("Skipped"),
    Status.DECLINED: _("Declined"),
    Status.NOT_ELIGIBLE: _("Not offered"),
    Status.WAITING: _("Waiting"),
    Status.ONGOING: _("Ongoing"),
}

REASON_LABELS: dict[str, Promise] = {
    REASON_DECLINED: _("The family declined"),
    REASON_NOT_VULNERABLE: _("Offered to vulnerable families only"),
    REASON_PREREQUISITE_OPEN: _("Waits for an earlier contact"),
    REASON_PREREQUISITE_NOT_COMPLETED: _("The earlier contact was not completed"),
    REASON_NOT_PROGRAMME_AREA: _(
        "Not in a programme area during the window (a comparison area, or no residence recorded)"
    ),
    REASON_PROGRAMME_NOT_STARTED: _("The programme had not started in the area"),
    **{value: label for value, label in StageSkip.Reason.choices},
}


@register.filter
def status_label(status: Any) -> Promise | str:
    """The translated name of a schedule status (``Status`` or its value)."""
    try:
        return STATUS_LABELS[Status(status)]
    except ValueError:
        return str(status)


@register.filter
def status_class(status: Any) -> str:
    """``status status--<value>``: the badge colour of a status."""
    try:
        return f"status status--{Status(status).value}"
    except ValueError:
        return "status"


@register.filter
def reason_label(reason: str) -> Promise | str:
    return REASON_LABELS.get(reason, reason)


@register.filter
def topic_choices(form: Any, focus: bool) -> list[Any]:
    """A contact form's topic checkboxes: the focus themes (``True``) or the others."""
    return list(form.topic_choices(focus=bool(focus)))
