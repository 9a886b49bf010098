"""User management pages: administrators everywhere, project leaders in their municipalities.

Who may do what is decided by the ``rules`` permissions of ``accounts/rules.py`` (the same ones
hide the buttons in the templates): ``accounts.manage_users`` opens the pages,
``accounts.manage_account`` (object: the user) changes the name, e-mail, password and active
flag, ``accounts.manage_membership`` (object: the membership) grants, changes and removes a role.
Accounts outside ``User.objects.visible_to`` and roles outside ``Membership.objects.visible_to``
answer 404, so ids reveal nothing.

Passwords: a new account and a reset get a temporary password, shown once on the page that
answers the POST (never in a URL, a message stored in the session, a log line or an e-mail); the
user must choose her own at the next login (``middleware.require_own_password``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from borneliv.accounts import selectors, services
from borneliv.accounts.forms import (
    MembershipDatesForm,
    MembershipForm,
    UserCreateForm,
    UserEditForm,
    UserFilterForm,
)
from borneliv.accounts.models import Membership, User
from borneliv.lib.forms import add_service_errors

PAGE_SIZE = 50
_ORGANISATION_FIELDS = ("municipality", "institution", "partner")


def _require(user: Any, perm: str, obj: Any = None) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied


def _visible_user(viewer: Any, user_id: int) -> User:
    _require(viewer, "accounts.manage_users")
    try:
        return User.objects.visible_to(viewer).get(pk=user_id)
    except User.DoesNotExist as exc:
        raise Http404 from exc


def _visible_membership(viewer: Any, membership_id: int) -> Membership:
    _require(viewer, "accounts.manage_users")
    try:
        return (
            Membership.objects.visible_to(viewer)
            .select_related("user", "municipality", "institution", "partner")
            .get(pk=membership_id)
        )
    except Membership.DoesNotExist as exc:
        raise Http404 from exc


def _add_membership_errors(form: Any, error: ValidationError) -> None:
    """A membership's errors on the form; the organisation fields are one choice here."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = "organisation" if field in _ORGANISATION_FIELDS else field
            form.add_error(target if target in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _may_grant(viewer: Any, target: User, fields: dict[str, Any]) -> bool:
    """Whether ``viewer`` may give ``target`` this role there (the rule, on an unsaved row)."""
    candidate = Membership(user=target, **fields)
    return bool(viewer.has_perm("accounts.manage_membership", candidate))


def _form_page(request: HttpRequest, template: str, form: Any, **context: Any) -> HttpResponse:
    """A page with a form; 400 when the form shows errors (the POST was refused)."""
    return render(request, template, {"form": form, **context}, status=400 if form.errors else 200)


def _name(user: User) -> str:
    return user.get_full_name() or user.get_username()


def _password_page(request: HttpRequest, user: User, password: str, *, created: bool) -> Any:
    """The answer to the POST shows the password; ``never_cache`` keeps it out of caches."""
    return render(
        request,
        "accounts/user_password.html",
        {"account": user, "password": password, "created": created},
    )


# The list and a new account


@login_required
def users(request: HttpRequest) -> HttpResponse:
    viewer = request.user
    _require(viewer, "accounts.manage_users")
    form = UserFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    queryset = selectors.users_for_list(
        viewer,
        q=filters.get("q", ""),
        role=filters.get("role", ""),
        status=filters.get("status", ""),
    )
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/users.html",
        {
            "form": form,
            "page": page,
            "rows": selectors.listed(viewer, list(page.object_list)),
            "filtered": any(filters.values()),
        },
    )


@login_required
@sensitive_post_parameters()
@never_cache
def user_new(request: HttpRequest) -> HttpResponse:
    viewer = request.user
    _require(viewer, "accounts.manage_users")
    form = UserCreateForm(request.POST or None, user=viewer)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = form.membership_fields()
        if not _may_grant(viewer, User(), fields):
            raise PermissionDenied
        try:
            user, password = services.user_create_with_membership(
                username=data["username"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                **fields,
            )
        except ValidationError as exc:
            _add_membership_errors(form, exc)
        else:
            return _password_page(request, user, password, created=True)
    return _form_page(request, "accounts/user_new.html", form)


# One account


@login_required
def user_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    viewer = request.user
    user = _visible_user(viewer, user_id)
    account = selectors.account(viewer, user)
    manageable = {
        m.pk for m in account.memberships if viewer.has_perm("accounts.manage_membership", m)
    }
    return render(
        request,
        "accounts/user_detail.html",
        {
            "account": account,
            "can_manage_account": viewer.has_perm("accounts.manage_account", user),
            "can_add_role": viewer.has_perm("accounts.add_role", user),
            "manageable": manageable,
        },
    )


@login_required
def user_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    viewer = request.user
    user = _visible_user(viewer, user_id)
    _require(viewer, "accounts.manage_account", user)
    initial = {"first_name": user.first_name, "last_name": user.last_name, "email": user.email}
    form = UserEditForm(request.POST or None, initial=initial, record=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.user_update(
                user=user,
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                version=form.version,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The account was saved."))
            return redirect("accounts:user", user_id=user.pk)
    return _form_page(request, "accounts/user_edit.html", form, account=user)


def _set_active(request: HttpRequest, user_id: int, *, is_active: bool) -> HttpResponse:
    viewer = request.user
    user = _visible_user(viewer, user_id)
    _require(viewer, "accounts.manage_account", user)
    services.user_set_active(user=user, is_active=is_active)
    if is_active:
        message = _("%(name)s can log in again.")
    else:
        message = _("%(name)s can no longer log in. The roles are kept for a reactivation.")
    messages.success(request, message % {"name": _name(user)})
    return redirect("accounts:user", user_id=user.pk)


@login_required
@require_POST
def user_deactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    return _set_active(request, user_id, is_active=False)


@login_required
@require_POST
def user_reactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    return _set_active(request, user_id, is_active=True)


@login_required
@require_POST
@never_cache
def user_password_reset(request: HttpRequest, user_id: int) -> HttpResponse:
    viewer = request.user
    user = _visible_user(viewer, user_id)
    _require(viewer, "accounts.manage_account", user)
    password = services.user_password_reset(user=user)
    return _password_page(request, user, password, created=False)


# Roles


@login_required
def membership_new(request: HttpRequest, user_id: int) -> HttpResponse:
    viewer = request.user
    user = _visible_user(viewer, user_id)
    _require(viewer, "accounts.add_role", user)
    form = MembershipForm(request.POST or None, user=viewer)
    if request.method == "POST" and form.is_valid():
        fields = form.membership_fields()
        if not _may_grant(viewer, user, fields):
            raise PermissionDenied
        try:
            membership = services.membership_create(user=user, **fields)
        except ValidationError as exc:
            _add_membership_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s now has the role %(role)s.")
                % {
                    "name": _name(user),
                    "role": membership.get_role_display(),
                },
            )
            return redirect("accounts:user", user_id=user.pk)
    return _form_page(request, "accounts/membership_new.html", form, account=user)


@login_required
def membership_edit(request: HttpRequest, membership_id: int) -> HttpResponse:
    viewer = request.user
    membership = _visible_membership(viewer, membership_id)
    _require(viewer, "accounts.manage_membership", membership)
    form = MembershipDatesForm(
        request.POST or None,
        initial={"valid_from": membership.valid_from, "valid_to": membership.valid_to},
        record=membership,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_update(
                membership=membership,
                valid_from=form.cleaned_data["valid_from"],
                valid_to=form.cleaned_data["valid_to"],
                version=form.version,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The period of the role was saved."))
            return redirect("accounts:user", user_id=membership.user_id)
    return _form_page(
        request,
        "accounts/membership_edit.html",
        form,
        membership=membership,
        account=membership.user,
    )


@login_required
@require_POST
def membership_withdraw(request: HttpRequest, membership_id: int) -> HttpResponse:
    viewer = request.user
    membership = _visible_membership(viewer, membership_id)
    _require(viewer, "accounts.manage_membership", membership)
    try:
        services.membership_withdraw(membership=membership)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The role was removed before it started."))
    return redirect("accounts:user", user_id=membership.user_id)


# The user's own password


@login_required
@sensitive_post_parameters()
@never_cache
def password_change(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.user_password_set(user=user, password=form.cleaned_data["new_password1"])
        update_session_auth_hash(request, user)  # stay logged in here, end the other sessions
        messages.success(request, _("Your new password is saved."))
        return redirect("accounts:home")
    return _form_page(
        request, "accounts/password_change.html", form, required=user.must_change_password
    )
