"""The ninja API at /api/v1/, assembled from each app's router.

Authentication: a personal bearer token (``Authorization: Bearer bl_…``, created on the "API
access" page) or a logged-in session. Every endpoint is scoped with the same ``visible_to(user)``
as the pages.

The rules, in this order:

- A request with an ``Authorization: Bearer`` header is authenticated by the token alone: a
  usable token acts as its owner without a CSRF check (a browser never adds the header on its
  own, so a forged cross-site request cannot carry it); a token that is not usable is refused
  with 401, even when a session cookie comes along. Falling back to the cookie would let a
  made-up header stand in for the CSRF token.
- Otherwise the session cookie authenticates, and an unsafe method (POST, PUT, PATCH, DELETE)
  must pass Django's CSRF check (403 otherwise), exactly like a page's form.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from borneliv.accounts.services import api_token_authenticate
from borneliv.children.api import router as children_router
from borneliv.growth.api import router as growth_router
from borneliv.healthvisits.api import router as healthvisits_router
from borneliv.motor.api import router as motor_router
from borneliv.nearby.api import router as nearby_router
from borneliv.organisations.api import router as organisations_router


class BearerToken(HttpBearer):
    """A personal token; once the header is there, nothing else is tried (see the module doc)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(token)
        if user is None:
            raise AuthenticationError
        request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The logged-in session; unsafe methods must pass Django's CSRF check.

    Unlike ninja's own ``SessionAuth``, the CSRF check runs only when the session has a user, so
    a caller without one gets 401 rather than a CSRF failure, and the check sits after the
    bearer token in the list of schemes instead of pre-empting it.
    """

    param_name: str = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None
        exempt = getattr(request, "_ninja_csrf_exempt", False)
        if not exempt and check_csrf(request) is not None:
            raise HttpError(403, "CSRF check failed")
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return request.user if request.user.is_authenticated else None


api = NinjaAPI(
    title="Børneliv API",
    version="1",
    description=(
        "The Børneliv registry. Authenticate with a personal token, "
        "`Authorization: Bearer <token>` (no CSRF token needed; a token that is not usable is "
        "refused even beside a session cookie), or with a logged-in session (POST needs the "
        "CSRF token, as a form does). Results are limited to what your memberships let you see."
    ),
    auth=[BearerToken(), SessionAuth()],
    urls_namespace="api",
)
api.add_router("/", organisations_router)
api.add_router("/", children_router)
api.add_router("/", healthvisits_router)
api.add_router("/growth/", growth_router)
api.add_router("/motor/", motor_router)
api.add_router("/nearby/", nearby_router)
