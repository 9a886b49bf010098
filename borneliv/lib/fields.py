"""Model-field factories and period helpers the apps' models share.

Each factory returns exactly the field the models used to spell out in full, so the migrations
stay as they are (``makemigrations --check`` finds no change). Django-dependent, like ``db.py``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q


def user_field(
    verbose_name: Any = None,
    *,
    optional: bool = True,
    on_delete: Any = models.PROTECT,
    related_name: str = "+",
) -> models.ForeignKey[Any, Any]:
    """A reference to the user who did something (``created_by``, ``reviewed_by``, …).

    Optional by default (``null`` and ``blank``): the step may not have happened yet. A user is
    never deleted while a record names her (``PROTECT``; the nearby app's records let go of her
    with ``SET_NULL``), and the user has no reverse accessor (``related_name="+"``).
    """
    extra: dict[str, Any] = {"null": True, "blank": True} if optional else {}
    if verbose_name is not None:
        extra["verbose_name"] = verbose_name
    return models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=on_delete, related_name=related_name, **extra
    )


def valid_on_q(day: dt.date, prefix: str = "") -> Q:
    """Rows whose period ``valid_from``–``valid_to`` (inclusive, open-ended) contains ``day``."""
    return Q(**{f"{prefix}valid_from__lte": day}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": day})
    )


def period_constraint(name: str, message: Any) -> models.CheckConstraint:
    """``valid_to`` is empty or not before ``valid_from``."""
    return models.CheckConstraint(
        condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
        name=name,
        violation_error_message=message,
    )
