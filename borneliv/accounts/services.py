"""Writes for users, memberships and API tokens."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from borneliv.accounts.models import ApiToken, Membership, User
from borneliv.lib.versioning import claim_version


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


# Managing accounts (the user pages; the Django admin and the demo use ``user_create``)

#: Letters and digits that cannot be mistaken for one another when read aloud or copied by hand.
_TEMPORARY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def temporary_password() -> str:
    """A random password to hand over once, e.g. ``k7mp-9xqa-t3hw`` (about 59 bits)."""
    while True:
        groups = ["".join(secrets.choice(_TEMPORARY_ALPHABET) for _ in range(4)) for _ in range(3)]
        password = "-".join(groups)
        try:
            validate_password(password)
        except ValidationError:  # e.g. all digits: draw again
            continue
        return password


def _give_temporary_password(user: User) -> str:
    password = temporary_password()
    user.set_password(password)
    user.must_change_password = True
    return password


@transaction.atomic
def user_create_with_membership(
    *,
    username: str,
    first_name: str,
    last_name: str,
    email: str = "",
    role: str,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
    municipality: Any = None,
    institution: Any = None,
    partner: Any = None,
) -> tuple[User, str]:
    """A new account with its first role and a temporary password, which is returned once.

    The user must choose a password of her own at the first login. All or nothing: a membership
    that does not validate leaves no account behind.
    """
    user = User(
        username=username.strip(),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email.strip(),
    )
    password = _give_temporary_password(user)
    user.full_clean()
    user.save()
    membership_create(
        user=user,
        role=role,
        valid_from=valid_from,
        valid_to=valid_to,
        municipality=municipality,
        institution=institution,
        partner=partner,
    )
    return user, password


@transaction.atomic
def user_update(
    *, user: User, first_name: str, last_name: str, email: str, version: int | None = None
) -> User:
    """Change the name and e-mail address of an account (historised).

    ``version``: the account's version the form showed; an older one raises ``EditConflict``.
    """
    claim_version(user, version)
    user.first_name = first_name.strip()
    user.last_name = last_name.strip()
    user.email = email.strip()
    user.full_clean()
    user.save(update_fields=["first_name", "last_name", "email", "lock_version"])
    return user


@transaction.atomic
def user_set_active(*, user: User, is_active: bool) -> User:
    """Deactivate (no login, no API token, sessions end) or reactivate an account.

    Memberships are left as they are, so a reactivated account has the roles it had.
    """
    user.is_active = is_active
    user.save(update_fields=["is_active"])
    user.forget_scope()
    return user


@transaction.atomic
def user_password_reset(*, user: User) -> str:
    """Give the account a temporary password, returned once; the user must change it at login.

    Her other sessions end (Django ties a session to the password), and failed-login lockouts on
    her username are lifted, since she is likely to have tried a few times.
    """
    from axes.utils import reset as axes_reset

    password = _give_temporary_password(user)
    user.save(update_fields=["password", "must_change_password"])
    axes_reset(username=user.get_username())
    return password


@transaction.atomic
def user_password_set(*, user: User, password: str) -> User:
    """The user's own new password (checked by the validators); clears ``must_change_password``."""
    validate_password(password, user)
    user.set_password(password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    return user


@transaction.atomic
def membership_update(
    *,
    membership: Membership,
    valid_from: dt.date,
    valid_to: dt.date | None,
    version: int | None = None,
) -> Membership:
    """Change the period of a membership; refuses an overlap with the same role there.

    The role and the organisation never change: that is another membership (end this one).
    """
    User.objects.select_for_update().filter(pk=membership.user_id).first()
    claim_version(membership, version)
    membership.valid_from = valid_from
    membership.valid_to = valid_to
    membership.full_clean()
    membership_check_overlap(membership=membership)
    membership.save(update_fields=["valid_from", "valid_to", "lock_version"])
    membership.user.forget_scope()
    return membership


@transaction.atomic
def membership_withdraw(*, membership: Membership) -> None:
    """Remove a membership that has not started yet (one that has is ended, never removed)."""
    if membership.has_started:
        raise ValidationError(
            _("This role has been in use already; end it instead of removing it.")
        )
    membership.delete()


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
