"""Response headers that Django's SecurityMiddleware does not set."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=()"
)


def security_headers(get_response: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Add Permissions-Policy and keep personal pages out of shared caches."""

    def middleware(request: Any) -> Any:
        response = get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if not request.path.startswith("/static/"):
            # Pages may hold personal data: never store them in a shared or browser cache.
            response.headers.setdefault("Cache-Control", "no-store, private")
        return response

    return middleware
