"""Writes for users, memberships and API tokens."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from borneliv.accounts.models import ApiToken, Membership, User


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
) -> User:
    user = User(username=username, first_name=first_name, last_name=last_name, email=email)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    return user


@transaction.atomic
def user_set_staff(*, user: User, is_staff: bool, is_superuser: bool = False) -> User:
    """Grant or withdraw access to the admin site (historised like every user change)."""
    user.is_staff = is_staff
    user.is_superuser = is_superuser
    user.save(update_fields=["is_staff", "is_superuser"])
    user.forget_scope()
    return user


@transaction.atomic
def membership_create(
    *,
    user: User,
    role: str,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
    municipality: Any = None,
    institution: Any = None,
    partner: Any = None,
) -> Membership:
    """Give ``user`` a role in an organisation; refuses a period overlapping the same role there."""
    membership = Membership(
        user=user,
        role=role,
        valid_from=valid_from,
        valid_to=valid_to,
        municipality=municipality,
        institution=institution,
        partner=partner,
    )
    membership.full_clean()
    User.objects.select_for_update().filter(pk=user.pk).first()
    membership_check_overlap(membership=membership)
    membership.save()
    user.forget_scope()
    return membership


def membership_check_overlap(*, membership: Membership) -> None:
    """Refuse a period that overlaps the same user's same role in the same organisation."""
    overlap = Q(valid_to__isnull=True) | Q(valid_to__gte=membership.valid_from)
    if membership.valid_to is not None:
        overlap &= Q(valid_from__lte=membership.valid_to)
    clash = (
        Membership.objects.filter(
            overlap,
            Q(municipality_id=membership.municipality_id),
            Q(institution_id=membership.institution_id),
            Q(partner_id=membership.partner_id),
            user_id=membership.user_id,
            role=membership.role,
        )
        .exclude(pk=membership.pk)
        .exists()
    )
    if clash:
        raise ValidationError(
            _("%(user)s already has this role here in an overlapping period.")
            % {"user": membership.user}
        )


@transaction.atomic
def membership_end(*, membership: Membership, on: dt.date) -> Membership:
    """End a membership on ``on`` (inclusive)."""
    membership.valid_to = on
    membership.full_clean()
    membership_check_overlap(membership=membership)
    membership.save()
    return membership


def api_token_create(
    *, user: User, name: str, expires_at: dt.datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a token; returns the row and the plain token, which is never stored or shown again."""
    plain = "bl_" + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name.strip(),
        prefix=plain[:10],
        digest=ApiToken.digest_of(plain),
        expires_at=expires_at,
    )
    token.full_clean()
    token.save()
    return token, plain


def api_token_revoke(*, token: ApiToken) -> ApiToken:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    return token


def api_token_authenticate(plain: str) -> User | None:
    """The active user behind a usable token, recording its use; ``None`` otherwise."""
    token = (
        ApiToken.objects.usable()
        .select_related("user")
        .filter(digest=ApiToken.digest_of(plain), user__is_active=True)
        .first()
    )
    if token is None:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user
