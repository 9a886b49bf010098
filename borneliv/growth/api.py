"""API endpoints of growth (registered in borneliv/api.py): a child's measurements, prevalence.

Children are addressed by their random ``public_id``; a child outside the caller's scope answers
404, and every read of a child's measurements writes one access-log row. Prevalence is suppressed
like the page (``lib.disclosure``).
"""

from __future__ import annotations

from ninja import Router

router = Router(tags=["growth"])
