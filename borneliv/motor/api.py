"""The motor assessment's API under ``/api/v1/motor/``: instruments (export), sessions (scoped,
pseudonymous child ids, every read of a child's assessment logged) and group profiles."""

from ninja import Router

router = Router(tags=["motor"])
