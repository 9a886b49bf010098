"""A child's growth page: the table and chart, scope, the access log, recording a measurement.

Children are registered through the children services with synthetic CPR numbers, measurements
through ``services.measurement_record``. Dates are fixed and in the past, except where a test
needs "today" (the form's default and its refusal of future dates).
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from borneliv.children import services as child_services
from borneliv.children.models import AccessLog, Child
from borneliv.children.testing import synthetic_cpr
from borneliv.growth import services
from borneliv.growth.models import Context, Measurement, ReviewStatus
from borneliv.growth.tests.conftest import ClientFor
from borneliv.testing import World

SVG = "{http://www.w3.org/2000/svg}"


def register(area: Any, born: dt.date, serial: int, sex: str, first_name: str) -> Child:
    return child_services.child_register(
        cpr=synthetic_cpr(born, serial, sex=sex),
        first_name=first_name,
        last_name="Vækst",
        area=area,
    )


@pytest.fixture
def ida(world: World) -> Child:
    """A girl in Lindholm (Aalborg), born 2019-03-10."""
    return register(world.lindholm, dt.date(2019, 3, 10), 0, "F", "Ida")


@pytest.fixture
def freja(world: World) -> Child:
    """A girl in Herstedlund (Albertslund)."""
    return register(world.herstedlund, dt.date(2019, 6, 1), 2, "F", "Freja")


def measure(child: Child, on: dt.date, weight: str | None, height: str | None, **kw: Any) -> Any:
    return services.measurement_record(
        child=child,
        measured_on=on,
        context=kw.pop("context", Context.HEALTH_VISIT),
        weight_kg=None if weight is None else Decimal(weight),
        height_cm=None if height is None else Decimal(height),
        position=kw.pop("position", "H"),
        **kw,
    )


@pytest.fixture
def ida_measured(ida: Child, world: World) -> list[Measurement]:
    """Ida at 4 (normal), at 6 (above the IOTF 30 curve), and one implausible value (held)."""
    return [
        measure(ida, dt.date(2023, 3, 10), "16.0", "102.0", measured_by=world.hanne),
        measure(ida, dt.date(2023, 9, 10), "60.0", "100.0"),  # BMI 60 at 4½: held
        measure(ida, dt.date(2025, 3, 10), "27.0", "115.0", note="Weighed in clothes"),
    ]


def page_url(child: Child) -> str:
    return reverse("growth:child", args=[child.public_id])


def chart_url(child: Child) -> str:
    return reverse("growth:child_chart", args=[child.public_id])


def form_url(child: Child) -> str:
    return reverse("growth:measurement_add", args=[child.public_id])


# --- the page ------------------------------------------------------------------------------------


def test_the_page_shows_each_measurement_with_its_classification(
    client_for: ClientFor, ida: Child, ida_measured: list[Measurement]
) -> None:
    response = client_for("hanne").get(page_url(ida))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [r.measurement.measured_on for r in rows] == [
        dt.date(2023, 3, 10),
        dt.date(2023, 9, 10),
        dt.date(2025, 3, 10),
    ]
    first, held, last = rows
    # 16 kg / 1.02 m² = 15.38: WHO 2006 normal, IOTF 2012 normal.
    assert first.weight == "16.0" and first.height == "102.0" and first.bmi == "15.4"
    with translation.override("en"):  # the request left Danish active; labels are lazy
        assert str(first.who_category) == "Normal" and str(first.iotf_category) == "Normal weight"
        assert first.measurement.reference == "WHO 2006; IOTF 2012"
        assert first.age == "4 years" and first.status == "counted"
        # 27 kg / 1.15 m² = 20.42 at 6: WHO 2007 obesity (z 2.45), IOTF adult-equivalent 31.9.
        assert last.bmi == "20.4" and last.bmi_z == "2.45" and str(last.who_category) == "Obesity"
        assert last.iotf_adult_bmi == "31.9" and str(last.iotf_category) == "Obesity"
        assert last.measurement.reference == "WHO 2007; IOTF 2012"
        # The implausible one is shown as held, with the reason in words.
        assert held.status == "held" and held.measurement.review_status == ReviewStatus.HELD
        assert any("Implausible BMI for the age" in str(flag) for flag in held.hold_reasons)

    html = response.content.decode()
    assert "Ida Vækst" in html
    for text in ("15.4", "20.4", "31.9", "Normal weight", "Obesity", "WHO 2007; IOTF 2012"):
        assert text in html
    assert "Held for review" in html and "Implausible BMI for the age" in html
    assert "Weighed in clothes" in html
    assert "1 measurement is held for review" in html
    assert chart_url(ida) in html
    assert form_url(ida) in html  # hanne may add
    # The definitions of the categories, in words.
    assert "BMI-for-age z-score above +2" in html
    assert "adult-equivalent BMI 25 or more and below 30" in html


def test_reading_the_page_writes_one_access_log_row(
    client_for: ClientFor, ida: Child, world: World
) -> None:
    client_for("hanne").get(page_url(ida))
    (row,) = AccessLog.objects.all()
    assert row.child_id == ida.pk and row.user_id == world.hanne.pk
    assert row.view == "growth_child"


@pytest.mark.parametrize("persona", ["astrid", "lars", "pia", "rikke", "otto"])
def test_a_child_outside_the_scope_is_not_found(
    client_for: ClientFor, ida: Child, ida_measured: list[Measurement], persona: str
) -> None:
    client = client_for(persona)
    assert client.get(page_url(ida)).status_code == 404
    assert client.get(chart_url(ida)).status_code == 404
    assert client.get(form_url(ida)).status_code == 404
    assert client.post(form_url(ida), {"measured_on": "2024-01-01"}).status_code == 404
    assert not AccessLog.objects.exists()


def test_astrid_sees_her_own_municipalitys_child(client_for: ClientFor, freja: Child) -> None:
    assert client_for("astrid").get(page_url(freja)).status_code == 200


def test_an_unknown_id_is_not_found(client_for: ClientFor) -> None:
    url = "/growth/children/00000000-0000-4000-8000-000000000000/"
    assert client_for("hanne").get(url).status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in(ida: Child) -> None:
    response = Client().get(page_url(ida))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_administrator_reads_but_cannot_add(
    client_for: ClientFor, ida: Child, ida_measured: list[Measurement]
) -> None:
    client = client_for("ada")
    response = client.get(page_url(ida))
    assert response.status_code == 200
    assert form_url(ida) not in response.content.decode()
    assert client.get(form_url(ida)).status_code == 403


def test_a_child_without_measurements_says_so(client_for: ClientFor, ida: Child) -> None:
    html = client_for("hanne").get(page_url(ida)).content.decode()
    assert "No measurements recorded yet." in html
    assert chart_url(ida) not in html


def test_the_page_costs_the_same_queries_for_any_number_of_measurements(
    client_for: ClientFor,
    ida: Child,
    world: World,
    django_assert_max_num_queries: Any,
) -> None:
    client = client_for("hanne")
    measure(ida, dt.date(2020, 3, 10), "12.0", "88.0", measured_by=world.hanne)
    with django_assert_max_num_queries(10) as few:
        client.get(page_url(ida))
    for month in range(1, 11):
        measure(ida, dt.date(2021, month, 10), "13.0", "90.0", measured_by=world.hanne)
    with django_assert_max_num_queries(10) as many:
        assert len(client.get(page_url(ida)).context["rows"]) == 11
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_child_pages_link_to_the_growth_page(
    client_for: ClientFor, ida: Child, world: World
) -> None:
    client = client_for("hanne")
    for url in (
        reverse("children:detail", args=[ida.public_id]),
        reverse("healthvisits:child", args=[ida.public_id]),
    ):
        assert page_url(ida) in client.get(url).content.decode()


# --- the chart -----------------------------------------------------------------------------------


def test_the_chart_is_svg_with_the_curves_and_the_childs_points(
    client_for: ClientFor, ida: Child, ida_measured: list[Measurement], world: World
) -> None:
    response = client_for("hanne").get(chart_url(ida))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    root = ET.fromstring(response.content)  # noqa: S314 - our own output
    ids = {g.get("id") for g in root.iter(f"{SVG}g")}
    assert {"who2006-z+0", "who2007-z+2", "who-seam", "iotf-25", "iotf-30"} <= ids
    counted = next(g for g in root.iter(f"{SVG}g") if g.get("id") == "points-counted")
    assert len(list(counted.iter(f"{SVG}use"))) == 2
    assert "points-held" in ids or "points-held-edge" in ids
    title = root.find(f"{SVG}title")
    assert title is not None and title.text == "BMI-for-age, girl"
    (row,) = AccessLog.objects.all()
    assert row.view == "growth_chart" and row.user_id == world.hanne.pk


def test_the_chart_has_its_own_strict_policy(
    client_for: ClientFor, ida: Child, ida_measured: list[Measurement]
) -> None:
    client = client_for("hanne")
    policy = client.get(chart_url(ida))["Content-Security-Policy"]
    assert "script-src 'none'" in policy and "default-src 'none'" in policy
    page_policy = client.get(page_url(ida))["Content-Security-Policy"]
    assert "unsafe-inline" not in page_policy


def test_the_height_chart_and_an_unknown_chart(
    client_for: ClientFor, ida: Child, ida_measured: list[Measurement]
) -> None:
    client = client_for("hanne")
    height = client.get(chart_url(ida) + "?indicator=height")
    assert height.status_code == 200
    root = ET.fromstring(height.content)  # noqa: S314 - our own output
    assert root.find(f"{SVG}title").text == "Length/height-for-age, girl"  # type: ignore[union-attr]
    assert client.get(chart_url(ida) + "?indicator=shoe-size").status_code == 404


# --- recording a measurement ---------------------------------------------------------------------


def form_data(**values: str) -> dict[str, str]:
    data = {
        "measured_on": "2024-03-11",
        "weight_kg": "20.5",
        "height_cm": "112.0",
        "position": "H",
        "context": "health_visit",
        "note": "",
    }
    data.update(values)
    return data


def test_the_form_proposes_today_the_visit_and_the_position_for_the_age(
    client_for: ClientFor, ida: Child, world: World
) -> None:
    client = client_for("hanne")
    response = client.get(form_url(ida))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["measured_on"] == timezone.localdate()
    assert form.initial["position"] == "H" and form.initial["context"] == "health_visit"
    baby = register(world.lindholm, timezone.localdate() - dt.timedelta(days=200), 5, "M", "Bo")
    assert client.get(form_url(baby)).context["form"].initial["position"] == "L"
    assert AccessLog.objects.filter(view="growth_measurement_form").count() == 2


def test_a_measurement_is_recorded_and_classified(
    client_for: ClientFor, ida: Child, world: World
) -> None:
    response = client_for("hanne").post(
        form_url(ida), form_data(weight_kg="20,5", note=" After lunch ")
    )
    assert response.status_code == 302 and response["Location"] == page_url(ida)
    m = Measurement.objects.get(child=ida)
    assert m.weight_kg == Decimal("20.5") and m.height_cm == Decimal("112.0")
    assert m.measured_on == dt.date(2024, 3, 11) and m.position == "H"
    assert m.measured_by == world.hanne and m.institution == world.aalborg_health
    assert m.note == "After lunch" and m.review_status == ReviewStatus.ACCEPTED
    assert m.bmi == pytest.approx(20.5 / 1.12**2)
    assert m.reference == "WHO 2007; IOTF 2012"


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"measured_on": "2999-01-01"}, "measured_on", "The date is in the future."),
        (
            {"measured_on": "2019-03-09"},
            "measured_on",
            "The date is before the child's birth date.",
        ),
        ({"weight_kg": "0"}, "weight_kg", "The weight must be between 0.3 and 200 kg."),
        ({"weight_kg": "999"}, "weight_kg", "The weight must be between 0.3 and 200 kg."),
        ({"weight_kg": "twelve"}, "weight_kg", "Enter a number, e.g. 12.5."),
        ({"height_cm": "1120"}, "height_cm", "The height or length must be between 25 and 220 cm."),
        ({"position": ""}, "position", "Say whether the child was measured lying or standing."),
        (
            {"weight_kg": "", "height_cm": ""},
            "__all__",
            "Give a weight, a height/length or both.",
        ),
    ],
)
def test_bad_input_is_refused_clearly_and_nothing_is_saved(
    client_for: ClientFor, ida: Child, values: dict[str, str], field: str, message: str
) -> None:
    response = client_for("hanne").post(form_url(ida), form_data(**values))
    assert response.status_code == 200
    form = response.context["form"]
    with translation.override("en"):  # the request left Danish active; messages are lazy
        assert message in [str(error) for error in form.errors[field]]
    html = response.content.decode()
    assert "Nothing was saved" in html and message.replace("'", "&#x27;") in html
    # What was typed stays in the form.
    for name, value in values.items():
        if value and name != "position":
            assert f'value="{value}"' in html
    assert not Measurement.objects.exists()


def test_a_second_measurement_of_the_same_kind_on_the_same_day_is_refused(
    client_for: ClientFor, ida: Child
) -> None:
    client = client_for("hanne")
    assert client.post(form_url(ida), form_data()).status_code == 302
    response = client.post(form_url(ida), form_data(weight_kg="21.0"))
    assert response.status_code == 200
    assert "already has a measurement of this kind on that day" in str(
        response.context["form"].non_field_errors()
    )
    assert Measurement.objects.get().weight_kg == Decimal("20.5")
    # Another occasion on the same day is a different measurement.
    assert client.post(form_url(ida), form_data(context="other")).status_code == 302
    assert Measurement.objects.count() == 2


def test_a_weight_alone_is_recorded_without_a_position(client_for: ClientFor, ida: Child) -> None:
    response = client_for("hanne").post(form_url(ida), form_data(height_cm="", position=""))
    assert response.status_code == 302
    m = Measurement.objects.get()
    assert m.height_cm is None and m.position == "" and m.bmi is None
    assert m.weight_for_age_z is not None


def test_an_implausible_measurement_is_saved_but_held_and_shown_as_held(
    client_for: ClientFor, ida: Child
) -> None:
    response = client_for("hanne").post(
        form_url(ida), form_data(weight_kg="80", height_cm="112.0"), follow=True
    )
    assert response.redirect_chain[-1][0] == page_url(ida)
    m = Measurement.objects.get()
    assert m.review_status == ReviewStatus.HELD
    html = response.content.decode()
    assert "The measurement was saved, but it is held for review" in html
    assert "Implausible BMI for the age" in html
    (row,) = response.context["rows"]
    assert row.status == "held"
    assert 'class="growth-status growth-status--held">Held for review<' in html


def test_the_definitions_follow_the_iotf_setting(
    client_for: ClientFor, ida: Child, settings: Any
) -> None:
    settings.GROWTH_IOTF = "2000"
    html = client_for("hanne").get(page_url(ida)).content.decode()
    assert "BMI below the cut-off for adult BMI 25 at the age" in html
    assert "adult-equivalent BMI 16 or more and below 17" not in html
    assert "Classifications stored here use IOTF 2000." in html


def test_numbers_are_shown_the_danish_way_in_danish(
    ida: Child, ida_measured: list[Measurement], world: World
) -> None:
    client = Client()
    client.force_login(world.hanne)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "da"
    with translation.override("da"):
        response = client.get(page_url(ida))
    (first, _held, last) = response.context["rows"]
    assert first.bmi == "15,4" and last.bmi_z == "2,45" and last.iotf_adult_bmi == "31,9"
    assert "10.03.2023" in response.content.decode()
