"""The ninja API at /api/v1/, assembled from each app's router.

Authentication: a logged-in session (with CSRF for unsafe methods) or a personal bearer token
(``Authorization: Bearer bl_…``, created on the "API access" page). Every endpoint is scoped
with the same ``visible_to(user)`` as the pages.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.security import HttpBearer, SessionAuth

from borneliv.accounts.services import api_token_authenticate
from borneliv.children.api import router as children_router
from borneliv.growth.api import router as growth_router
from borneliv.healthvisits.api import router as healthvisits_router
from borneliv.motor.api import router as motor_router
from borneliv.nearby.api import router as nearby_router
from borneliv.organisations.api import router as organisations_router


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(token)
        if user is None:
            return None
        request.user = user
        return user


api = NinjaAPI(
    title="Børneliv API",
    version="1",
    description=(
        "Read access to the Børneliv registry. Authenticate with a session or with a personal "
        "token: `Authorization: Bearer <token>`. Results are limited to what your memberships "
        "let you see."
    ),
    auth=[SessionAuth(), BearerToken()],
    urls_namespace="api",
)
api.add_router("/", organisations_router)
api.add_router("/", children_router)
api.add_router("/", healthvisits_router)
api.add_router("/growth/", growth_router)
api.add_router("/motor/", motor_router)
api.add_router("/nearby/", nearby_router)
