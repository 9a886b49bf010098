"""The UI language: Danish unless the user chose otherwise."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation


def preferred_language(get_response: Callable[[HttpRequest], HttpResponse]) -> Any:
    """Activate the language chosen with the language switch (its cookie), else Danish.

    Django's LocaleMiddleware would follow the browser's Accept-Language, so a Danish health
    visitor with an English browser would get English; the programme's working language is
    Danish, and English is an explicit choice.
    """
    supported = {code for code, _name in settings.LANGUAGES}

    def middleware(request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response

    return middleware


def require_own_password(get_response: Callable[[HttpRequest], HttpResponse]) -> Any:
    """Send a user with a temporary password to the password page before anything else.

    Someone else chose the temporary password (a new account, a reset: ``services``), so until
    the user has set her own, her session opens only the password page, the logout and the
    language switch; API calls made with that session answer 403. A personal API token is a
    credential of its own and is not affected.
    """
    from django.http import JsonResponse
    from django.shortcuts import redirect
    from django.urls import reverse

    def middleware(request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.must_change_password:
            allowed = {
                reverse("accounts:password_change"),
                reverse("accounts:logout"),
                reverse("set_language"),
            }
            if request.path not in allowed and not request.path.startswith(settings.STATIC_URL):
                if request.path.startswith("/api/"):
                    if "HTTP_AUTHORIZATION" not in request.META:
                        return JsonResponse(
                            {"detail": "Choose a password of your own first."}, status=403
                        )
                else:
                    return redirect(f"{reverse('accounts:password_change')}")
        return get_response(request)

    return middleware
