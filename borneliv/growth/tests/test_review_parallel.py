"""Eight decisions on one held measurement at the same moment: exactly one is made.

PostgreSQL only (SQLite serialises every write transaction, so nothing runs side by side), on
committed data and separate connections: apart from ``test_review.py``, whose module shares one
uncommitted world.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from borneliv.children import services as children_services
from borneliv.children.testing import synthetic_cpr
from borneliv.growth import services
from borneliv.growth.models import Context, Measurement, ReviewStatus
from borneliv.testing import build_world, reload_reference_data
from borneliv.testing_versions import postgresql_only, together

DONE = (
    "The measurement was confirmed and now counts.",
    "The measurement was rejected; it never counts.",
)
ALREADY = "This measurement was "


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_eight_parallel_decisions_on_one_held_measurement_make_exactly_one() -> None:
    reload_reference_data()  # flushed by earlier transactional tests
    world = build_world()
    kid = children_services.child_register(
        cpr=synthetic_cpr(dt.date(2019, 3, 15), 30),
        first_name="Ida",
        last_name="Parallel",
        area=world.lindholm,
        is_synthetic=True,
    )
    held = services.measurement_record(
        child=kid,
        measured_on=dt.date(2025, 8, 15),
        context=Context.SCHOOL_START,
        weight_kg=Decimal("62.0"),
        height_cm=Decimal("112.0"),
        position="H",
    )
    assert held.review_status == ReviewStatus.HELD
    url = reverse("growth:review_decide", args=[held.public_id])

    def decide(n: int) -> Callable[[], str]:
        def call() -> str:
            client = Client()
            client.force_login(world.hanne)
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
            data = {"decision": "confirmed"} if n % 2 else {"decision": "rejected", "note": f"{n}"}
            return client.post(url, data, follow=True).content.decode()

        return call

    pages = together([decide(n) for n in range(8)])
    made = [page for page in pages if any(done in page for done in DONE)]
    refused = [page for page in pages if ALREADY in page and "already, by Hanne Holm" in page]
    assert (len(made), len(refused)) == (1, 7)
    stored = Measurement.objects.get(pk=held.pk)
    assert stored.review_status in (ReviewStatus.CONFIRMED, ReviewStatus.REJECTED)
    # One decision in the history, not eight overwriting each other.
    statuses = list(stored.history.order_by("history_date").values_list("review_status", flat=True))
    assert statuses == [ReviewStatus.HELD, stored.review_status]
