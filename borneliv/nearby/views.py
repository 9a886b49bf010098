"""Pages of the Nærhedscirkel (``/nearby/``).

- ``index``: the circles of the user's institutions (staff: their own; project leaders: their
  municipality's; administrators: all), and for administrators the extracts imported.
- ``institution``: the curation page — the map, the candidates, the places on the circle, what
  changed at the last computation, the settings, the poster links, the public link. Staff of the
  institution change it (the POST views below); a project leader reads it.
- ``public``: the read-only page for parents, by the circle's token, without login (``noindex``).
- ``area``: the circles of an area's institutions on one map, for the project leader.
- ``extract_import``: administrators import an extract; it runs in the background
  (``borneliv.jobs``) and the job's page shows its progress.

Institutions outside the user's scope answer 404; a reader's attempt to change answers 403.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from borneliv.accounts.actors import request_user
from borneliv.jobs.services import enqueue
from borneliv.lib.forms import VERSION_FIELD, add_service_errors
from borneliv.lib.text import ascii_filename
from borneliv.nearby import jobs as nearby_jobs
from borneliv.nearby import selectors, services, storage
from borneliv.nearby.forms import ImportForm, OwnPlaceForm, PlaceForm, SettingsForm
from borneliv.nearby.models import Circle, CirclePlace, Extract
from borneliv.nearby.storage import StoredDataMissing
from borneliv.organisations.models import Area, Institution

if TYPE_CHECKING:
    from borneliv.accounts.models import User

logger = logging.getLogger(__name__)

# --- helpers -------------------------------------------------------------------------------------


def _get_institution(user: Any, pk: int, *, change: bool = False) -> Institution:
    """The institution if the user may open its circle (404 otherwise); 403 for a reader who
    tries to change it."""
    institution: Institution = get_object_or_404(
        selectors.institutions_for(user).select_related("municipality"), pk=pk
    )
    if not user.has_perm("nearby.view_circle", institution):
        raise Http404
    if change and not user.has_perm("nearby.change_circle", institution):
        raise PermissionDenied
    return institution


def _get_circle(institution: Institution) -> Circle:
    circle = Circle.objects.filter(institution=institution).select_related("extract").first()
    if circle is None:
        raise Http404
    circle.institution = institution
    return circle


def _get_place(institution: Institution, place_pk: int) -> CirclePlace:
    place: CirclePlace = get_object_or_404(
        CirclePlace.objects.select_related("circle"), pk=place_pk, circle__institution=institution
    )
    place.circle.institution = institution
    return place


def _back(institution: Institution, anchor: str = "") -> HttpResponse:
    url = reverse("nearby:institution", args=[institution.pk])
    return redirect(url + (f"#{anchor}" if anchor else ""))


def _changes_message(summary: services.ChangeSummary) -> str:
    if summary.first:
        return _(
            "The circle was computed: %(count)s places found within reach. Choose the ones that "
            "go on the circle."
        ) % {"count": summary.candidates}
    return _(
        "The circle was updated: %(new)s new, %(changed)s changed, %(gone)s not found any more."
    ) % {"new": summary.new, "changed": summary.changed, "gone": summary.gone}


def _public_url(request: HttpRequest, circle: Circle) -> str:
    path = reverse("nearby:public", args=[circle.public_token])
    site = (getattr(settings, "SITE_URL", "") or "").rstrip("/")
    return site + path if site else request.build_absolute_uri(path)


def _demo_note(institution: Institution) -> str | None:
    if not institution.is_synthetic:
        return None
    return _(
        "Demo: an invented institution, placed in the demo's map data (Østerbro, 2017); not a "
        "real circle."
    )


# --- the list --------------------------------------------------------------------------------------


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not user.has_perm("nearby.view_circle"):
        raise Http404
    rows = selectors.institutions_for_list(user)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    institutions = list(page.object_list)
    extracts = selectors.extracts_by_municipality({i.municipality_id for i in institutions})
    for inst in institutions:
        inst.circle = getattr(inst, "nearby_circle", None)  # type: ignore[attr-defined]
        inst.extract = extracts.get(inst.municipality_id)  # type: ignore[attr-defined]
    context: dict[str, Any] = {
        "page": page,
        "institutions": institutions,
        "areas": selectors.areas_for_map(user),
    }
    if user.has_perm("nearby.import_extract"):
        context["extracts"] = list(
            Extract.objects.select_related("municipality", "imported_by").newest_first()[:20]
        )
    return render(request, "nearby/index.html", context)


# --- the curation page -------------------------------------------------------------------------


def _circle_context(
    request: HttpRequest,
    institution: Institution,
    *,
    settings_form: SettingsForm | None = None,
    own_form: OwnPlaceForm | None = None,
) -> dict[str, Any]:
    user: Any = request.user
    page = selectors.circle_page(institution)
    circle = page.circle
    can_change = user.has_perm("nearby.change_circle", institution)
    if settings_form is None:
        initial = (
            {
                "walk_kmh": circle.walk_kmh,
                "bike_kmh": circle.bike_kmh,
                "walk_minutes": circle.walk_minutes,
                "bike_minutes": circle.bike_minutes,
            }
            if circle
            else {"walk_kmh": 4.5, "bike_kmh": 15.0, "walk_minutes": 15, "bike_minutes": 10}
        )
        settings_form = SettingsForm(initial=initial, record=circle)
    return {
        "institution": institution,
        "page": page,
        "circle": circle,
        "can_change": can_change,
        "settings_form": settings_form,
        "own_form": own_form or OwnPlaceForm(),
        "public_url": _public_url(request, circle) if circle and circle.is_computed else "",
        "demo_note": _demo_note(institution),
        "papers": ("A4", "A3"),
    }


@login_required
@require_GET
def institution(request: HttpRequest, pk: int) -> HttpResponse:
    inst = _get_institution(request.user, pk)
    return render(request, "nearby/circle.html", _circle_context(request, inst))


@login_required
@require_POST
def circle_compute(request: HttpRequest, pk: int) -> HttpResponse:
    inst = _get_institution(request.user, pk, change=True)
    try:
        summary = services.circle_compute(institution=inst, by=request_user(request))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _changes_message(summary))
    return _back(inst)


@login_required
@require_POST
def circle_settings(request: HttpRequest, pk: int) -> HttpResponse:
    inst = _get_institution(request.user, pk, change=True)
    form = SettingsForm(request.POST, record=Circle.objects.filter(institution=inst).first())
    if form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != VERSION_FIELD}
        try:
            summary = services.circle_update_settings(
                by=request_user(request), institution=inst, version=form.version, **values
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _changes_message(summary) if summary else _("The settings were saved."),
            )
            return _back(inst, "settings")
    context = _circle_context(request, inst, settings_form=form)
    return render(request, "nearby/circle.html", context, status=400)


@login_required
@require_POST
def places_include(request: HttpRequest, pk: int) -> HttpResponse:
    inst = _get_institution(request.user, pk, change=True)
    circle = _get_circle(inst)
    try:
        ids = [int(v) for v in request.POST.getlist("included")]
        # The boxes ticked when the page was drawn: only the user's own ticks change anything.
        shown = [int(v) for v in request.POST.getlist("shown")]
        changed = services.places_include(
            by=request_user(request),
            circle=circle,
            included_ids=ids,
            shown_ids=shown if "listed" in request.POST else None,
        )
    except (ValueError, ValidationError):
        messages.error(request, _("The choice could not be saved; reload the page and try again."))
    else:
        messages.success(
            request,
            _("The places on the circle were saved (%(count)s changed).") % {"count": changed},
        )
    return _back(inst, "places")


@login_required
@require_POST
def place_add(request: HttpRequest, pk: int) -> HttpResponse:
    inst = _get_institution(request.user, pk, change=True)
    circle = _get_circle(inst)
    form = OwnPlaceForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            place = services.place_add_own(
                by=request_user(request),
                circle=circle,
                latitude=data["latitude"],
                longitude=data["longitude"],
                name=data["name"],
                description=data["description"],
                category=data["category"],
                goals=data["goals"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("“%(name)s” was added to the circle.") % {"name": place.name}
            )
            return _back(inst, "places")
    context = _circle_context(request, inst, own_form=form)
    return render(request, "nearby/circle.html", context, status=400)


@login_required
def place(request: HttpRequest, pk: int, place_pk: int) -> HttpResponse:
    user: Any = request.user
    inst = _get_institution(user, pk, change=request.method == "POST")
    obj = _get_place(inst, place_pk)
    can_change = user.has_perm("nearby.change_circle", inst)
    if request.method == "POST":
        form = PlaceForm(request.POST, record=obj)
        if form.is_valid():
            values = {k: v for k, v in form.cleaned_data.items() if k != VERSION_FIELD}
            try:
                services.place_curate(by=user, place=obj, version=form.version, **values)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("“%(name)s” was saved.") % {"name": obj.name})
                return _back(inst, "places")
    else:
        form = PlaceForm(
            record=obj,
            initial={
                "included": obj.included,
                "display_name": obj.display_name,
                "description": obj.description,
                "goals": list(obj.goals.all()),
            },
        )
    return render(
        request,
        "nearby/place.html",
        {"institution": inst, "place": obj, "form": form, "can_change": can_change},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def place_remove(request: HttpRequest, pk: int, place_pk: int) -> HttpResponse:
    inst = _get_institution(request.user, pk, change=True)
    obj = _get_place(inst, place_pk)
    name = obj.name
    try:
        services.place_remove(by=request_user(request), place=obj)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("“%(name)s” was removed.") % {"name": name})
    return _back(inst, "places")


@login_required
@require_POST
def token_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    inst = _get_institution(request.user, pk, change=True)
    circle = _get_circle(inst)
    try:
        services.token_rotate(
            by=request_user(request), circle=circle, seen_token=request.POST.get("token") or None
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.info(request, message)
    else:
        messages.success(request, _("The public link was renewed; the old link no longer works."))
    return _back(inst, "public-link")


@login_required
@require_GET
def circle_geojson(request: HttpRequest, pk: int) -> HttpResponse:
    inst = _get_institution(request.user, pk)
    circle = _get_circle(inst)
    if not circle.is_computed:
        raise Http404
    data = selectors.circle_geojson(circle, public=False)
    return _geojson(data)


def _geojson(data: dict[str, Any]) -> JsonResponse:
    response = JsonResponse(data, json_dumps_params={"separators": (",", ":")})
    response["Content-Type"] = "application/geo+json"
    response["Cache-Control"] = "private, no-cache"
    return response


# --- the poster ------------------------------------------------------------------------------------


POSTER_TYPES = {"pdf": "application/pdf", "png": "image/png"}


def _poster_response(request: HttpRequest, circle: Circle, fmt: str) -> HttpResponse:
    from borneliv.nearby import poster

    if fmt not in POSTER_TYPES:
        raise Http404
    paper = request.GET.get("paper", "A4").upper()
    if paper not in ("A4", "A3"):
        paper = "A4"
    institution = circle.institution
    computed = selectors.computed_circle(circle)
    if computed is None:
        computed = _recompute_for_poster(circle)
    places = [
        poster.PosterPlace(
            number=n,
            category=p.category,
            name=p.name,
            walk_minutes=p.walk_minutes,
            bike_minutes=p.bike_minutes,
            lat=p.latitude,
            lon=p.longitude,
            description=p.description,
            own=p.is_own,
        )
        for n, p in enumerate(selectors.public_places(circle), start=1)
    ]
    language = "en" if (get_language() or "da").startswith("en") else "da"
    content = poster.render_bytes(
        computed,
        fmt=cast(Any, fmt),
        paper=paper,
        title=_("Our proximity circle"),
        institution=institution.name,
        public_url=_public_url(request, circle),
        language=language,
        places=places,
        demo_note=_demo_note(institution),
    )
    response = HttpResponse(content, content_type=POSTER_TYPES[fmt])
    # "Børnehuset Fælleden" → "boernehuset-faelleden": ASCII that keeps the Danish meaning.
    name = ascii_filename(_("Proximity circle"), institution.name, paper, extension=fmt)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-cache"
    return response


def _recompute_for_poster(circle: Circle) -> Any:
    """The engine's circle again, when its stored computation is gone (nothing is saved)."""
    from borneliv.nearby import engine, storage

    extract = circle.extract
    institution = circle.institution
    if extract is None or not institution.has_location:
        raise Http404
    try:
        data = storage.extract_read(extract.stored_file)
    except StoredDataMissing as exc:
        raise Http404 from exc
    return engine.circle(
        data,
        float(institution.latitude or 0),
        float(institution.longitude or 0),
        services.circle_settings(circle),
    )


@login_required
@require_GET
def circle_poster(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    inst = _get_institution(request.user, pk)
    circle = _get_circle(inst)
    if not circle.is_computed:
        raise Http404
    return _poster_response(request, circle, fmt)


# --- the public page -------------------------------------------------------------------------------


def _public_circle(token: str) -> Circle:
    circle = selectors.circle_by_token(token)
    if circle is None:
        raise Http404
    return circle


def _noindex(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def public(request: HttpRequest, token: str) -> HttpResponse:
    circle = _public_circle(token)
    places = selectors.public_places(circle)
    response = render(
        request,
        "nearby/public.html",
        {
            "circle": circle,
            "institution": circle.institution,
            "places": places,
            "demo_note": _demo_note(circle.institution),
        },
    )
    return _noindex(response)


@require_GET
def public_geojson(request: HttpRequest, token: str) -> HttpResponse:
    circle = _public_circle(token)
    return _noindex(_geojson(selectors.circle_geojson(circle, public=True)))


@require_GET
def public_poster(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    circle = _public_circle(token)
    return _noindex(_poster_response(request, circle, fmt))


# --- the area map ----------------------------------------------------------------------------------


def _get_area(user: Any, pk: int) -> Area:
    area: Area = get_object_or_404(
        Area.objects.visible_to(user).select_related("municipality"), pk=pk
    )
    if not user.has_perm("nearby.view_area_map", area):
        raise Http404
    return area


@login_required
@require_GET
def area(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _get_area(request.user, pk)
    rows = selectors.area_rows(obj)
    return render(request, "nearby/area.html", {"area": obj, "rows": rows})


@login_required
@require_GET
def area_geojson(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _get_area(request.user, pk)
    return _geojson(selectors.area_geojson(obj, selectors.area_rows(obj)))


# --- importing an extract --------------------------------------------------------------------------


@login_required
def extract_import(request: HttpRequest) -> HttpResponse:
    """Check the file, keep an upload, queue the import and show its progress page."""
    user: User = cast("User", request.user)
    if not user.has_perm("nearby.import_extract"):
        raise Http404
    if request.method != "POST":
        return render(request, "nearby/import.html", {"form": ImportForm()})
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "nearby/import.html", {"form": form}, status=400)
    municipality = form.cleaned_data["municipality"]
    upload = form.cleaned_data.get("upload")
    if upload is not None:
        path, file_name = storage.upload_keep(upload.chunks()), upload.name
    else:
        path, file_name = form.cleaned_data["path"], form.cleaned_data["path"].name
    try:
        services.osm_format(path, file_name)
        services.institutions_bbox(municipality)
    except ValidationError as exc:
        if upload is not None:
            storage.upload_remove(path)
        add_service_errors(form, exc)
        return render(request, "nearby/import.html", {"form": form}, status=400)
    job = enqueue(
        nearby_jobs.EXTRACT_IMPORT,
        by=user,
        municipality=municipality.pk,
        municipality_name=municipality.name,
        path=str(path),
        file_name=file_name,
        uploaded=upload is not None,
    )
    return redirect("jobs:job", pk=job.pk)
