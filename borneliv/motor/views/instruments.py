"""The instrument pages: the list, a version (and its export), the import, a version's life.

Everyone with a role reads the instruments; only administrators (``motor.manage_instrument``)
import, start drafts, publish and retire. The import is upload → check (nothing saved) →
confirm. Between the two steps the checked document waits in the user's session as canonical
JSON with a random token and its checksum; an instrument holds no personal data, so it needs no
encryption, and the commit checks it again against the stored versions before writing.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from borneliv.lib.imports import UploadForm, upload_field
from borneliv.motor import instruments, instruments_selectors, instruments_services
from borneliv.motor.models import Domain, Instrument, InstrumentVersion

IMPORT_SESSION_KEY = "motor_instrument_import"
MAX_UPLOAD_BYTES = 2 * 1024 * 1024


def _require(user: Any, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied


class InstrumentImportForm(UploadForm):
    max_bytes = MAX_UPLOAD_BYTES
    too_large = gettext_lazy("The file is larger than %(mb)d MB; an instrument is much smaller.")
    file = upload_field(
        gettext_lazy(
            "An instrument exported from Børneliv: Excel (.xlsx, XLSForm-like with the sheets "
            "survey, choices and settings) or JSON."
        ),
        accept=".xlsx,.json,application/json,"
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


# --- reading -----------------------------------------------------------------------------------


@login_required
def instrument_list(request: HttpRequest) -> HttpResponse:
    """Every instrument with its versions and their status."""
    user = request.user
    _require(user, "motor.view_instrument")
    return render(
        request,
        "motor/instrument_list.html",
        {
            "instruments": instruments_selectors.instruments_for(user),
            "can_manage": user.has_perm("motor.manage_instrument"),
        },
    )


def _version_or_404(user: Any, code: str, number: int) -> InstrumentVersion:
    version = instruments_selectors.version_for(user, code, number)
    if version is None:
        raise Http404
    return version


@login_required
def instrument_version(request: HttpRequest, code: str, number: int) -> HttpResponse:
    """One version: items by domain, answers and weights, the rule in words; ``?format=`` exports."""
    user = request.user
    _require(user, "motor.view_instrument")
    version = _version_or_404(user, code, number)
    fmt = request.GET.get("format", "")
    if fmt:
        if fmt not in instruments.WRITERS:
            raise Http404
        document = instruments.document_from_version(version)
        write, content_type = instruments.WRITERS[fmt]
        response = HttpResponse(write(document), content_type=content_type)
        response["Content-Disposition"] = (
            f'attachment; filename="{instruments.filename_for(document, fmt)}"'
        )
        return response
    siblings = list(
        instruments_selectors.versions_visible_to(user)
        .filter(instrument=version.instrument)
        .order_by("-number")
    )
    can_manage = user.has_perm("motor.manage_instrument")
    return render(
        request,
        "motor/instrument_version.html",
        {
            "version": version,
            "instrument": version.instrument,
            "groups": instruments_selectors.domain_groups(version),
            "rule": instruments_selectors.rule_in_words(version),
            "siblings": siblings,
            "session_count": version.sessions.count(),
            "can_manage": can_manage,
            "can_new_draft": can_manage
            and not any(v.status == InstrumentVersion.Status.DRAFT for v in siblings),
        },
    )


# --- the import --------------------------------------------------------------------------------


def _pending(request: HttpRequest, token: str) -> tuple[instruments.Parsed, str] | None:
    """The checked document waiting in the session for the commit, if the token matches."""
    pending = request.session.get(IMPORT_SESSION_KEY)
    if not pending or not token or not secrets.compare_digest(pending.get("token", ""), token):
        return None
    data = pending.get("document", "").encode("utf-8")
    if hashlib.sha256(data).hexdigest() != pending.get("sha256"):
        return None
    parsed = instruments.read_document(data, "document.json")
    parsed.format = pending.get("format", parsed.format)
    return parsed, pending.get("filename", "")


@never_cache
@login_required
def instrument_import(request: HttpRequest) -> HttpResponse:
    """Upload → check (nothing saved) → confirm: the version is created as a draft."""
    user = request.user
    _require(user, "motor.manage_instrument")
    form = InstrumentImportForm()
    report = None
    token = ""
    filename = ""
    if request.method == "POST" and request.POST.get("commit"):
        pending = _pending(request, request.POST.get("token", ""))
        if pending is None:
            messages.error(
                request, _("The checked file has expired or was replaced; upload it again.")
            )
            return redirect("motor:instrument_import")
        parsed, filename = pending
        report = instruments_services.instrument_import(by=user, document=parsed, dry_run=False)
        request.session.pop(IMPORT_SESSION_KEY, None)
        if report.committed:
            assert report.version is not None
            messages.success(
                request,
                _(
                    "Imported %(file)s as version %(number)d of %(name)s, a draft. Check it, "
                    "then publish it."
                )
                % {
                    "file": filename,
                    "number": report.version.number,
                    "name": report.version.instrument.name,
                },
            )
            return redirect(
                "motor:instrument_version",
                code=report.version.instrument.code,
                number=report.version.number,
            )
    elif request.method == "POST":
        form = InstrumentImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            filename = upload.name or ""
            parsed = instruments_services.instrument_read(upload.read(), filename)
            report = instruments_services.instrument_import(by=user, document=parsed, dry_run=True)
            request.session.pop(IMPORT_SESSION_KEY, None)
            if report.can_commit and report.document is not None:
                token = secrets.token_urlsafe(16)
                text = instruments.to_json(report.document).decode("utf-8")
                request.session[IMPORT_SESSION_KEY] = {
                    "token": token,
                    "filename": filename,
                    "format": report.format,
                    "document": text,
                    "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
                }
    return render(
        request,
        "motor/instrument_import.html",
        {
            "form": form,
            "report": report,
            "token": token,
            "filename": filename,
            "domains": Domain.choices,
            "survey_columns": instruments.SURVEY_HEADER.values(),
            "choices_columns": instruments.CHOICES_HEADER.values(),
            "settings_columns": instruments.SETTINGS_HEADER.values(),
        },
        status=400 if form.errors else 200,
    )


# --- a version's life ------------------------------------------------------------------------


def _refused(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@require_POST
@login_required
def instrument_new_draft(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    _require(user, "motor.manage_instrument")
    instrument = get_object_or_404(Instrument, code=code)
    try:
        draft = instruments_services.version_new_draft(by=user, instrument=instrument)
    except ValidationError as exc:
        _refused(request, exc)
        return redirect("motor:instruments")
    messages.success(
        request,
        _(
            "Version %(number)d was created as a draft, a copy of the latest version. Change its "
            "items in the administration, then publish it."
        )
        % {"number": draft.number},
    )
    return redirect("motor:instrument_version", code=code, number=draft.number)


def _version_action(request: HttpRequest, code: str, number: int, action: str) -> HttpResponse:
    user = request.user
    _require(user, "motor.manage_instrument")
    version = get_object_or_404(
        InstrumentVersion.objects.select_related("instrument"),
        instrument__code=code,
        number=number,
    )
    try:
        if action == "publish":
            instruments_services.version_publish(by=user, version=version)
            messages.success(
                request,
                _("Version %(number)d is published: it can be used for new sessions.")
                % {"number": number},
            )
        else:
            instruments_services.version_retire(by=user, version=version)
            messages.success(
                request,
                _(
                    "Version %(number)d is retired: it is no longer offered for new sessions; "
                    "past sessions keep it."
                )
                % {"number": number},
            )
    except ValidationError as exc:
        _refused(request, exc)
    return redirect("motor:instrument_version", code=code, number=number)


@require_POST
@login_required
def instrument_publish(request: HttpRequest, code: str, number: int) -> HttpResponse:
    return _version_action(request, code, number, "publish")


@require_POST
@login_required
def instrument_retire(request: HttpRequest, code: str, number: int) -> HttpResponse:
    return _version_action(request, code, number, "retire")
