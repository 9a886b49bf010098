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
