"""The school-start import (upload → dry-run report → import), past imports, the review queue.

The uploaded file waits for the user's confirmation in her session, encrypted with the CPR key
(Fernet, like the births import) and readable for an hour; the confirmation must carry the random
token shown with the report, and the file is read again and checked again before it is written.
So no CPR number is ever in the session in clear, nothing lands in a temporary file that could
outlive the import, and the session entry is dropped after the import (or replaced by the next
upload, or gone with the session).

The review queue lists the held measurements of the children the user may see; each page writes
one access-log row per child shown (view ``growth_review_queue``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from borneliv.accounts.models import User
from borneliv.children.models import Child
from borneliv.children.services import access_log_record
from borneliv.growth import imports, labels, services
from borneliv.growth.forms import ReviewForm, SchoolStartImportForm
from borneliv.growth.imports import COLUMN_NAMES, ITEM_ALIASES
from borneliv.growth.models import ImportBatch, Measurement, ReviewStatus, SchoolStartExam
from borneliv.lib.imports import PendingUpload
from borneliv.lib.versioning import StateChanged

IMPORT_SESSION_KEY = "growth_school_start_import"
PENDING = PendingUpload(IMPORT_SESSION_KEY)
HISTORY_PAGE_SIZE = 25
QUEUE_PAGE_SIZE = 25


def _require(user: Any, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied


# --- the import --------------------------------------------------------------------------------


def _summary(report: Any) -> str:
    return _(
        "Imported %(file)s: %(new)d new, %(updated)d updated, %(unchanged)d unchanged; "
        "%(held)d held for review."
    ) % {
        "file": report.filename,
        "new": report.new,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "held": report.held,
    }


@never_cache
@login_required
def school_start_import(request: HttpRequest) -> HttpResponse:
    """Upload → dry-run report → "import" (the file waits encrypted in the session)."""
    user = cast(User, request.user)  # logged in
    _require(user, "growth.import_school_start")
    form = SchoolStartImportForm()
    report = None
    token = ""
    if request.method == "POST" and request.POST.get("commit"):
        pending = PENDING.take(request.session, request.POST.get("token", ""))
        if pending is None:
            messages.error(
                request, _("The uploaded file has expired or was replaced; upload it again.")
            )
            return redirect("growth:import")
        data, filename = pending
        report = imports.school_start_import(data=data, filename=filename, user=user, dry_run=False)
        PENDING.drop(request.session)
        if report.committed:
            messages.success(request, _summary(report))
            return redirect("growth:import_history")
    elif request.method == "POST":
        form = SchoolStartImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read()
            report = imports.school_start_import(
                data=data, filename=upload.name or "", user=user, dry_run=True
            )
            if report.can_commit:
                token = PENDING.keep(request.session, data, report.filename)
            else:
                PENDING.drop(request.session)
    return render(
        request,
        "growth/import.html",
        {
            "form": form,
            "report": report,
            "token": token,
            # Each motor item by the name the messages use, then a few others it accepts.
            "item_columns": [
                (COLUMN_NAMES[code], [a for a in aliases if a != COLUMN_NAMES[code]][:3])
                for code, aliases in ITEM_ALIASES.items()
            ],
        },
        status=400 if form.errors else 200,
    )


def _batches_visible_to(user: Any) -> Any:
    """Past imports the user may see: her own, and those holding a child she may see."""
    batches = ImportBatch.objects.select_related("imported_by")
    if user.scope.is_admin:
        return batches
    children = Child.objects.visible_to(user)
    return batches.filter(
        Q(imported_by=user)
        | Q(pk__in=Measurement.objects.filter(child__in=children).values("import_batch"))
        | Q(pk__in=SchoolStartExam.objects.filter(child__in=children).values("import_batch"))
    )


@login_required
def import_history(request: HttpRequest) -> HttpResponse:
    """The past school-start imports: file, who, when, counts."""
    user = request.user
    _require(user, "growth.import_school_start")
    page = Paginator(
        _batches_visible_to(user).order_by("-imported_at", "-pk"), HISTORY_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(request, "growth/import_history.html", {"page": page})


# --- the review queue --------------------------------------------------------------------------


@dataclass
class QueueRow:
    measurement: Measurement
    reasons: list[Promise]
    form: ReviewForm

    # Floats, so the page shows them localised without trailing zeros (21,3, not 21,300).
    @property
    def weight(self) -> float | None:
        value = self.measurement.weight_kg
        return None if value is None else float(value)

    @property
    def height(self) -> float | None:
        value = self.measurement.height_cm
        return None if value is None else float(value)


def _review_form(measurement: Measurement, data: Any = None) -> ReviewForm:
    # Ids unique per row: many forms share the page.
    return ReviewForm(data, auto_id=f"id_{measurement.public_id.hex}_%s")


def _queue(
    request: HttpRequest, *, bound: ReviewForm | None = None, bound_pk: int | None = None
) -> HttpResponse:
    user: Any = request.user
    held = (
        Measurement.objects.visible_to(user)
        .held()
        .select_related("child", "institution", "import_batch")
        .order_by("measured_on", "pk")
    )
    page = Paginator(held, QUEUE_PAGE_SIZE).get_page(
        request.POST.get("page") or request.GET.get("page")
    )
    rows = [
        QueueRow(
            measurement=m,
            reasons=labels.flag_labels(m.flags & services.HOLD_FLAGS),
            form=bound if bound is not None and m.pk == bound_pk else _review_form(m),
        )
        for m in page.object_list
    ]
    children = {row.measurement.child_id: row.measurement.child for row in rows}
    access_log_record(user=user, children=children.values(), view="growth_review_queue")
    return render(
        request,
        "growth/review.html",
        {"page": page, "rows": rows},
        status=400 if bound is not None else 200,
    )


@never_cache
@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    """The held measurements of the children the user may see, oldest first, paginated."""
    _require(request.user, "growth.review_measurement")
    return _queue(request)


@require_POST
@login_required
def review_decide(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Confirm or reject one held measurement (a rejection needs a note)."""
    user: Any = request.user
    _require(user, "growth.review_measurement")
    measurement = Measurement.objects.visible_to(user).filter(public_id=public_id).first()
    if measurement is None:
        raise Http404
    back = reverse("growth:review")
    page = request.POST.get("page", "")
    if page.isdigit():
        back = f"{back}?page={page}"
    form = _review_form(measurement, request.POST)
    if form.is_valid():
        try:
            services.measurement_review(
                measurement=measurement,
                user=user,
                decision=form.cleaned_data["decision"],
                note=form.cleaned_data["note"],
            )
        except StateChanged as exc:
            # Decided by someone else meanwhile (checked under the row lock in the service).
            messages.info(request, exc.messages[0])
            return redirect(back)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    form.add_error("note" if field == "review_note" else None, errors)
            else:
                form.add_error(None, exc)
        else:
            if form.cleaned_data["decision"] == ReviewStatus.CONFIRMED:
                messages.success(request, _("The measurement was confirmed and now counts."))
            else:
                messages.success(request, _("The measurement was rejected; it never counts."))
            return redirect(back)
    return _queue(request, bound=form, bound_pk=measurement.pk)
