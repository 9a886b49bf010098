"""The growth services: classification stored with its reference, refusals, review, recompute.

Children are registered through the children services with synthetic CPR numbers; every date is
fixed and in the past (the services refuse measurements in the future).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from borneliv.children import services as child_services
from borneliv.children.models import Child
from borneliv.children.testing import synthetic_cpr
from borneliv.growth import engine, services
from borneliv.growth.models import (
    MOTOR_ITEM_CODES,
    Context,
    Measurement,
    ReviewStatus,
    SchoolStartExam,
)
from borneliv.testing import World


def register(world: World, born: dt.date, serial: int, sex: str = "F") -> Child:
    return child_services.child_register(
        cpr=synthetic_cpr(born, serial, sex=sex),
        first_name="Ida" if sex == "F" else "Otto",
        last_name="Testesen",
        area=world.lindholm,
    )


@pytest.fixture
def girl(world: World) -> Child:
    """Born 2019-03-10: 6 years old on 2025-03-10."""
    return register(world, dt.date(2019, 3, 10), 0, "F")


@pytest.fixture
def boy(world: World) -> Child:
    """Born 2022-05-01: 2 years old on 2024-05-01."""
    return register(world, dt.date(2022, 5, 1), 1, "M")


def record(child: Child, on: dt.date, weight: str | None, height: str | None, **kw: Any) -> Any:
    return services.measurement_record(
        child=child,
        measured_on=on,
        context=kw.pop("context", Context.HEALTH_VISIT),
        weight_kg=None if weight is None else Decimal(weight),
        height_cm=None if height is None else Decimal(height),
        **kw,
    )


def codes(error: ValidationError) -> list[str | None]:
    if hasattr(error, "error_dict"):
        return [e.code for errors in error.error_dict.values() for e in errors]
    return [e.code for e in error.error_list]


# --- classify_in_place ---------------------------------------------------------------------------


def test_it_stores_the_engines_values_for_the_same_inputs(girl: Child, boy: Child) -> None:
    rows = [
        Measurement(
            child=girl, measured_on=dt.date(2025, 3, 10), weight_kg=Decimal("21.4"),
            height_cm=Decimal("116.5"), position="H", context=Context.SCHOOL_START,
        ),
        Measurement(
            child=boy, measured_on=dt.date(2022, 9, 1), weight_kg=Decimal("7.1"),
            height_cm=Decimal("66.0"), position="L", context=Context.HEALTH_VISIT,
        ),
        Measurement(
            child=boy, measured_on=dt.date(2024, 5, 20), weight_kg=Decimal("13.0"),
            height_cm=None, context=Context.OTHER,
        ),
    ]  # fmt: skip
    services.classify_in_place(rows, iotf="2012")

    ages = np.array([(m.measured_on - m.child.birth_date).days for m in rows], dtype=np.float64)
    expected = engine.compute(
        sex=np.array([2, 1, 1], dtype=np.int8),
        age_days=ages,
        weight_kg=np.array([21.4, 7.1, 13.0]),
        height_cm=np.array([116.5, 66.0, np.nan]),
        position=np.array([2, 1, 0], dtype=np.int8),
        iotf="2012",
    )
    for i, m in enumerate(rows):
        assert m.age_days == int(ages[i])
        for name in (
            "bmi",
            "bmi_for_age_z",
            "weight_for_age_z",
            "height_for_age_z",
            "weight_for_height_z",
            "iotf_adult_bmi",
        ):
            value = getattr(expected, name)[i]
            if np.isnan(value):
                assert getattr(m, name) is None, name
            else:
                assert getattr(m, name) == pytest.approx(float(value), abs=1e-12), name
        who = int(expected.who_category[i])
        assert m.who_category == (engine.WHO_CATEGORIES[who] if who >= 0 else "")
        cat = int(expected.iotf_category[i])
        assert m.iotf_category == (engine.IOTF_CATEGORIES[cat] if cat >= 0 else "")
        assert m.flags == int(expected.flags[i])
        assert m.reference == engine.REFERENCE_NAMES[int(expected.reference[i])]
        assert m.iotf_version == "2012"
        assert m.engine_version == engine.ENGINE_VERSION
        assert m.classified_at is not None
        assert m.review_status == ReviewStatus.ACCEPTED
    assert rows[0].reference == "WHO 2007; IOTF 2012"
    assert rows[1].reference == "WHO 2006"  # under 2 years: no IOTF
    assert rows[1].iotf_category == ""
    assert rows[2].bmi is None and rows[2].weight_for_age_z is not None


def test_the_births_and_sexes_dicts_give_the_same_result(girl: Child) -> None:
    def fresh() -> Measurement:
        return Measurement(
            child_id=girl.pk, measured_on=dt.date(2025, 3, 10), weight_kg=Decimal("24.0"),
            height_cm=Decimal("118.0"), context=Context.SCHOOL_START,
        )  # fmt: skip

    with_child, with_dicts = fresh(), fresh()
    services.classify_in_place([with_child], iotf="2012")
    services.classify_in_place(
        [with_dicts], births={girl.pk: girl.birth_date}, sexes={girl.pk: "F"}, iotf="2012"
    )
    for field in services.DERIVED_FIELDS:
        if field != "classified_at":
            assert getattr(with_child, field) == getattr(with_dicts, field), field


def test_it_uses_the_iotf_setting_by_default(girl: Child, settings: Any) -> None:
    settings.GROWTH_IOTF = "2000"
    m = record(girl, dt.date(2025, 3, 10), "24.0", "118.0", context=Context.SCHOOL_START)
    assert m.iotf_version == "2000"
    assert m.reference == "WHO 2007; IOTF 2000 (overweight/obesity only)"
    assert m.iotf_category in {"not_overweight", "overweight", "obesity"}
    assert m.iotf_adult_bmi is None


def test_a_who_flagged_value_is_held_for_review(boy: Child) -> None:
    # 45 kg at 2 years: inside the hard limits, far beyond WHO's weight-for-age limit.
    m = record(boy, dt.date(2024, 5, 1), "45.0", "87.0")
    assert m.flags & engine.WHO_FLAG_WAZ
    assert m.review_status == ReviewStatus.HELD
    assert "weight-for-age" in services.hold_reasons(m)
    assert Measurement.objects.held().get() == m
    assert not Measurement.objects.counted().exists()


def test_standing_at_4_months_is_held(boy: Child) -> None:
    m = record(boy, dt.date(2022, 9, 1), "6.9", "64.0", position="H")
    assert m.flags & engine.STANDING_UNDER_9_MONTHS
    assert m.review_status == ReviewStatus.HELD


def test_a_plausible_value_is_accepted_and_counted(boy: Child) -> None:
    m = record(boy, dt.date(2024, 5, 1), "12.6", "87.5")
    assert m.flags & services.HOLD_FLAGS == 0
    assert m.review_status == ReviewStatus.ACCEPTED
    assert m.is_counted
    assert services.hold_reasons(m) == ""


@pytest.mark.parametrize("decision", [ReviewStatus.CONFIRMED, ReviewStatus.REJECTED])
def test_a_reviewed_measurement_keeps_its_status_on_reclassification(
    boy: Child, world: World, decision: str
) -> None:
    m = record(boy, dt.date(2024, 5, 1), "45.0", "87.0")
    reviewed = services.measurement_review(
        measurement=m, user=world.hanne, decision=decision, note="Checked with the family."
    )
    services.classify_in_place([reviewed], iotf="2000")
    assert reviewed.review_status == decision
    assert reviewed.flags & engine.WHO_FLAG_WAZ  # still flagged, but the reviewer decided


# --- measurement_record: refusals ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("on", "weight", "height", "code"),
    [
        (dt.date(2019, 3, 9), "3.4", "50.0", "before_birth"),
        (dt.date(2099, 1, 1), "20.0", "115.0", "future"),
        (dt.date(2025, 3, 10), None, None, "empty"),
    ],
)
def test_it_refuses_bad_dates_and_empty_measurements(
    girl: Child, on: dt.date, weight: str | None, height: str | None, code: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        record(girl, on, weight, height)
    assert codes(caught.value) == [code]
    assert not Measurement.objects.exists()


@pytest.mark.parametrize(
    ("weight", "height", "field"),
    [
        ("0.29", "50.0", "weight_kg"),
        ("200.001", "150.0", "weight_kg"),
        ("20.0", "24.9", "height_cm"),
        ("20.0", "220.1", "height_cm"),
    ],
)
def test_it_refuses_values_outside_the_hard_limits(
    girl: Child, weight: str, height: str, field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        record(girl, dt.date(2025, 3, 10), weight, height)
    assert field in caught.value.message_dict
    assert not Measurement.objects.exists()


def test_a_weight_in_hectograms_inside_the_hard_limits_is_held(girl: Child) -> None:
    m = record(girl, dt.date(2025, 3, 10), "185.0", None)  # 18.5 kg typed in hectograms
    assert m.pk is not None
    assert m.review_status == ReviewStatus.HELD
    assert m.flags & engine.WHO_FLAG_WAZ


def test_the_hard_limits_themselves_are_allowed(girl: Child) -> None:
    low = record(girl, dt.date(2019, 3, 10), "0.3", "25.0")
    high = record(girl, dt.date(2025, 3, 10), "200.0", "220.0")
    assert low.weight_kg == Decimal("0.3") and high.height_cm == Decimal("220.0")
    assert low.review_status == high.review_status == ReviewStatus.HELD


def test_it_refuses_a_second_measurement_of_the_same_kind_on_the_same_day(girl: Child) -> None:
    record(girl, dt.date(2025, 3, 10), "21.0", "116.0", context=Context.SCHOOL_START)
    with pytest.raises(ValidationError) as caught:
        record(girl, dt.date(2025, 3, 10), "21.5", "116.5", context=Context.SCHOOL_START)
    assert caught.value.code == "duplicate_measurement"
    # Another context on the same day is a different measurement.
    record(girl, dt.date(2025, 3, 10), "21.5", "116.5", context=Context.OTHER)
    assert Measurement.objects.count() == 2


def test_it_refuses_an_unknown_context(girl: Child) -> None:
    with pytest.raises(ValidationError) as caught:
        record(girl, dt.date(2025, 3, 10), "21.0", "116.0", context="party")
    assert "context" in caught.value.message_dict
    assert not Measurement.objects.exists()


# --- database constraints (the services bypassed) -------------------------------------------------


def raw(child: Child, **fields: Any) -> Measurement:
    values: dict[str, Any] = {
        "child": child,
        "measured_on": dt.date(2025, 3, 10),
        "context": Context.OTHER,
        "weight_kg": Decimal("20.0"),
        "height_cm": Decimal("115.0"),
    }
    values.update(fields)
    return Measurement.objects.create(**values)


@pytest.mark.parametrize(
    "fields",
    [
        {"weight_kg": Decimal("250.0")},
        {"weight_kg": Decimal("0.1")},
        {"height_cm": Decimal("300.0")},
        {"height_cm": Decimal("10.0")},
        {"weight_kg": None, "height_cm": None},
        {"context": "party"},
        {"position": "S"},
        {"review_status": "maybe"},
    ],
)
def test_the_database_refuses_what_the_service_refuses(girl: Child, fields: dict) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        raw(girl, **fields)
    assert not Measurement.objects.exists()


def test_the_database_refuses_an_update_out_of_range_and_a_duplicate(girl: Child) -> None:
    m = raw(girl)
    with pytest.raises(IntegrityError), transaction.atomic():
        Measurement.objects.filter(pk=m.pk).update(weight_kg=Decimal("250.0"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Measurement.objects.filter(pk=m.pk).update(weight_kg=None, height_cm=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        raw(girl)  # same child, day and context
    m.refresh_from_db()
    assert m.weight_kg == Decimal("20.0")


# --- measurement_review --------------------------------------------------------------------------


def test_confirming_a_held_measurement_makes_it_count(boy: Child, world: World) -> None:
    m = record(boy, dt.date(2024, 5, 1), "45.0", "87.0")
    reviewed = services.measurement_review(
        measurement=m, user=world.hanne, decision=ReviewStatus.CONFIRMED
    )
    m.refresh_from_db()
    assert m.review_status == ReviewStatus.CONFIRMED == reviewed.review_status
    assert m.reviewed_by == world.hanne and m.reviewed_at is not None
    assert list(Measurement.objects.counted()) == [m]


def test_rejecting_needs_a_note_and_then_never_counts(boy: Child, world: World) -> None:
    m = record(boy, dt.date(2024, 5, 1), "45.0", "87.0")
    with pytest.raises(ValidationError) as caught:
        services.measurement_review(
            measurement=m, user=world.hanne, decision=ReviewStatus.REJECTED, note="  "
        )
    assert codes(caught.value) == ["note_needed"]
    m.refresh_from_db()
    assert m.review_status == ReviewStatus.HELD and m.reviewed_at is None

    services.measurement_review(
        measurement=m,
        user=world.hanne,
        decision=ReviewStatus.REJECTED,
        note=" Weight typed in hectograms. ",
    )
    m.refresh_from_db()
    assert m.review_status == ReviewStatus.REJECTED
    assert m.review_note == "Weight typed in hectograms."
    assert not Measurement.objects.counted().exists()
    assert not Measurement.objects.held().exists()


@pytest.mark.parametrize("decision", ["held", "accepted", "maybe"])
def test_review_accepts_only_confirm_or_reject(boy: Child, world: World, decision: str) -> None:
    m = record(boy, dt.date(2024, 5, 1), "45.0", "87.0")
    with pytest.raises(ValidationError):
        services.measurement_review(measurement=m, user=world.hanne, decision=decision)
    m.refresh_from_db()
    assert m.review_status == ReviewStatus.HELD


# --- exam_derive ----------------------------------------------------------------------------------


def exam(values: dict[str, bool | None]) -> SchoolStartExam:
    e = SchoolStartExam()
    for code in MOTOR_ITEM_CODES:
        setattr(e, f"remark_{code}", values.get(code))
    services.exam_derive(e)
    return e


def items(remarks: int, missing: int = 0) -> dict[str, bool | None]:
    """The first ``remarks`` items with a remark, the next ``missing`` not assessed, rest fine."""
    out: dict[str, bool | None] = {}
    for i, code in enumerate(MOTOR_ITEM_CODES):
        out[code] = True if i < remarks else None if i < remarks + missing else False
    return out


@pytest.mark.parametrize(
    ("remarks", "missing", "expected"),
    [
        (0, 0, False),
        (2, 0, False),
        (3, 0, True),
        (9, 0, True),
        (3, 4, True),  # three remarks are enough whatever is missing
        (2, 1, None),  # the missing item could make three
        (1, 2, None),
        (0, 9, None),  # nothing assessed
        (1, 1, False),  # even a remark on the missing item makes only two
        (0, 2, False),
    ],
)
def test_exam_derive_counts_remarks(remarks: int, missing: int, expected: bool | None) -> None:
    e = exam(items(remarks, missing))
    assert e.remarks == remarks
    assert e.items_assessed == 9 - missing
    assert e.motor_difficulties is expected


def test_exam_record_saves_the_derived_counts(girl: Child) -> None:
    saved = services.exam_record(child=girl, examined_on=dt.date(2025, 9, 1), remarks=items(3, 1))
    saved.refresh_from_db()
    assert (saved.remarks, saved.items_assessed, saved.motor_difficulties) == (3, 8, True)


def test_exam_record_refuses_unknown_items_and_dates_before_birth(girl: Child) -> None:
    with pytest.raises(ValidationError):
        services.exam_record(child=girl, examined_on=dt.date(2025, 9, 1), remarks={"swim": True})
    with pytest.raises(ValidationError):
        services.exam_record(child=girl, examined_on=dt.date(2019, 1, 1), remarks={})
    assert not SchoolStartExam.objects.exists()


# --- measurements_recompute -----------------------------------------------------------------------


@pytest.fixture
def three(girl: Child, boy: Child) -> list[Measurement]:
    """Three measurements classified with IOTF 2012: two at school start, one at 2 years."""
    return [
        record(girl, dt.date(2025, 3, 10), "21.0", "116.0", context=Context.SCHOOL_START),
        record(girl, dt.date(2025, 9, 1), "27.5", "119.0", context=Context.OTHER),
        record(boy, dt.date(2024, 5, 3), "12.6", "87.5"),
    ]


def test_recompute_touches_only_stale_rows(three: list[Measurement]) -> None:
    assert services.measurements_recompute(iotf="2012") == 0
    stale = three[1]
    Measurement.objects.filter(pk=stale.pk).update(engine_version="0", bmi=None)
    Measurement.objects.filter(pk=three[2].pk).update(iotf_version="", classified_at=None)
    assert services.measurements_recompute(iotf="2012") == 2
    stale.refresh_from_db()
    assert stale.engine_version == engine.ENGINE_VERSION
    assert stale.bmi == pytest.approx(27.5 / 1.19**2)
    untouched = Measurement.objects.get(pk=three[0].pk)
    assert untouched.classified_at == three[0].classified_at
    assert services.measurements_recompute(iotf="2012", only_stale=False) == 3


def test_recompute_switches_iotf_2012_to_2000(three: list[Measurement]) -> None:
    before = {m.pk: m.iotf_category for m in Measurement.objects.all()}
    assert set(before.values()) <= set(engine.IOTF_CATEGORIES[:7])
    assert services.measurements_recompute(iotf="2000") == 3
    for m in Measurement.objects.all():
        assert m.iotf_version == "2000"
        assert m.iotf_adult_bmi is None
        assert m.iotf_category in {"not_overweight", "overweight", "obesity"}
        assert m.reference.endswith("IOTF 2000 (overweight/obesity only)")
    heavy = Measurement.objects.get(pk=three[1].pk)  # BMI 19.4 at 6.5 y: overweight by both
    assert heavy.iotf_category == "overweight"
    assert before[heavy.pk] == "overweight"
    # And back again: 2012's categories and reference return.
    assert services.measurements_recompute(iotf="2012") == 3
    back = Measurement.objects.get(pk=three[0].pk)
    assert back.iotf_category == before[back.pk]
    assert back.reference == "WHO 2007; IOTF 2012"


def test_recompute_keeps_review_decisions(three: list[Measurement], world: World) -> None:
    held = record(three[2].child, dt.date(2024, 5, 1), "45.0", "87.0")
    services.measurement_review(
        measurement=held, user=world.hanne, decision=ReviewStatus.REJECTED, note="Typo."
    )
    still_held = record(three[2].child, dt.date(2024, 6, 1), "45.0", "88.0")
    services.measurements_recompute(iotf="2000")
    held.refresh_from_db()
    still_held.refresh_from_db()
    assert held.review_status == ReviewStatus.REJECTED
    assert still_held.review_status == ReviewStatus.HELD


def test_recompute_reports_progress_per_batch(three: list[Measurement]) -> None:
    calls: list[tuple[int, int]] = []
    total = services.measurements_recompute(
        iotf="2000", batch_size=2, progress=lambda done, of: calls.append((done, of))
    )
    assert total == 3
    assert calls == [(2, 3), (3, 3)]


def test_recompute_with_nothing_to_do_reports_nothing(three: list[Measurement]) -> None:
    calls: list[tuple[int, int]] = []
    assert services.measurements_recompute(iotf="2012", progress=lambda *a: calls.append(a)) == 0
    assert calls == []


def test_recompute_refuses_an_unknown_iotf_version(three: list[Measurement]) -> None:
    with pytest.raises(ValidationError):
        services.measurements_recompute(iotf="2007")


def test_recompute_reads_a_fixed_number_of_queries_per_batch(
    three: list[Measurement], django_assert_max_num_queries: Any
) -> None:
    # ids, then per batch: measurements, children, one bulk update (plus savepoints).
    with django_assert_max_num_queries(8):
        services.measurements_recompute(iotf="2000", only_stale=False)
