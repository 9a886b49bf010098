"""The engine's rules, one at a time, on small hand-made inputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from borneliv.growth import engine
from borneliv.growth.references import age_table, iotf_table, size_table


def one(**columns: object) -> pd.Series:
    """Classify a single row and return it."""
    return engine.classify(pd.DataFrame({key: [value] for key, value in columns.items()})).iloc[0]


def table_z(indicator: str, sex: int, row: int, value: float) -> float:
    """z straight from one table row (no interpolation), the independent way."""
    table = age_table(indicator)
    index = (sex - 1) * table.rows_per_sex + row
    L, M, S = table.lms.L[index], table.lms.M[index], table.lms.S[index]
    return float(((value / M) ** L - 1) / (L * S))


def test_it_computes_bmi_from_weight_and_height() -> None:
    row = one(sex=1, age_days=1000, weight_kg=14.0, height_cm=95.0)
    assert row["bmi"] == pytest.approx(14.0 / 0.95**2)


def test_it_uses_who2006_by_day_below_60_months() -> None:
    assert one(sex=2, age_days=1826, bmi=15.0)["bmi_for_age_z"] == pytest.approx(
        table_z("bfa", 2, 1826, 15.0)
    )
    assert one(sex=2, age_days=1826, bmi=15.0)["reference"] == "WHO 2006; IOTF 2012"


def test_it_switches_to_who2007_at_60_months() -> None:
    table = age_table("bfa")
    row60 = table.who2007_row0  # month 60
    switch = 60 * 30.4375
    assert one(sex=1, age_days=switch, bmi=15.0)["bmi_for_age_z"] == pytest.approx(
        table_z("bfa", 1, row60, 15.0)
    )
    assert one(sex=1, age_days=1827, bmi=15.0)["reference"] == "WHO 2007; IOTF 2012"
    assert one(sex=1, age_days=switch - 1e-6, bmi=15.0)["reference"] == "WHO 2006; IOTF 2012"


def test_it_interpolates_between_days_and_between_months() -> None:
    z0, z1 = table_z("wfa", 1, 400, 10.0), table_z("wfa", 1, 401, 10.0)
    assert one(sex=1, age_days=400.25, weight_kg=10.0)["weight_for_age_z"] == pytest.approx(
        0.75 * z0 + 0.25 * z1, abs=1e-4
    )
    table = age_table("lhfa")
    # Height-for-age has L = 1, so z is linear in M and S only through the interpolation itself.
    months = 100.5
    i = table.rows_per_sex + table.who2007_row0 + 40  # girls, month 100
    M = (table.lms.M[i] + table.lms.M[i + 1]) / 2
    S = (table.lms.S[i] + table.lms.S[i + 1]) / 2
    got = one(sex=2, age_days=months * 30.4375, height_cm=130.0)["height_for_age_z"]
    assert got == pytest.approx((130.0 / M - 1) / S)


def test_length_and_height_tables_meet_at_day_731_without_interpolation() -> None:
    for age in (730.0, 730.2, 730.49):
        assert one(sex=1, age_days=age, height_cm=85.0)["height_for_age_z"] == pytest.approx(
            table_z("lhfa", 1, 730, 85.0)
        )
    for age in (730.5, 730.9, 731.0):
        assert one(sex=1, age_days=age, height_cm=85.0)["height_for_age_z"] == pytest.approx(
            table_z("lhfa", 1, 731, 85.0)
        )


@pytest.mark.parametrize(
    ("age", "position", "used"),
    [
        (500, "H", 80.7),  # standing before day 731: + 0.7
        (500, "L", 80.0),
        (500, "", 80.0),
        (900, "L", 79.3),  # lying from day 731: - 0.7
        (900, "H", 80.0),
        (4000, "L", 79.3),
        (200, "H", 80.0),  # standing under 9 months: implausible, not adjusted
    ],
)
def test_the_position_adjustment(age: float, position: str, used: float) -> None:
    row = one(sex=2, age_days=age, weight_kg=10.0, height_cm=80.0, position=position)
    assert row["bmi"] == pytest.approx(10.0 / (used / 100) ** 2)
    direct = engine.who_age_z(
        "lhfa", np.array([2], np.int8), np.array([float(age)]), np.array([used])
    )
    assert row["height_for_age_z"] == pytest.approx(direct[0], nan_ok=True)
    early = engine.FLAG_MESSAGES[engine.STANDING_UNDER_9_MONTHS]
    assert (early in row["flags"]) == (age == 200)


def test_weight_for_length_below_731_days_and_weight_for_height_from_it() -> None:
    table = size_table()
    wfl_row = round((80.0 - 45.0) * 10)
    wfh_row = table.wfh_row0 + round((80.0 - 65.0) * 10)

    def z(row: int) -> float:
        L, M, S = table.lms.L[row], table.lms.M[row], table.lms.S[row]
        return float(((10.0 / M) ** L - 1) / (L * S))

    assert one(sex=1, age_days=700, weight_kg=10.0, height_cm=80.0)["weight_for_height_z"] == (
        pytest.approx(z(wfl_row))
    )
    assert one(sex=1, age_days=800, weight_kg=10.0, height_cm=80.0)["weight_for_height_z"] == (
        pytest.approx(z(wfh_row))
    )
    # Lying at 800 days: 80.7 cm measured is 80.0 cm standing.
    assert one(sex=1, age_days=800, weight_kg=10.0, height_cm=80.7, position="L")[
        "weight_for_height_z"
    ] == pytest.approx(z(wfh_row))


def test_weight_for_length_interpolates_between_millimetres() -> None:
    low = one(sex=2, age_days=300, weight_kg=8.0, height_cm=70.1)["weight_for_height_z"]
    high = one(sex=2, age_days=300, weight_kg=8.0, height_cm=70.2)["weight_for_height_z"]
    middle = one(sex=2, age_days=300, weight_kg=8.0, height_cm=70.15)["weight_for_height_z"]
    assert min(low, high) < middle < max(low, high)
    assert middle == pytest.approx((low + high) / 2, abs=1e-3)


def test_weight_for_length_without_age_follows_position_then_87_cm() -> None:
    def wfh(**extra: object) -> float:
        frame = pd.DataFrame(
            {
                "sex": [1],
                "age_days": [""],
                "weight_kg": [12.0],
                **{k: [v] for k, v in extra.items()},
            }
        )
        return float(engine.classify(frame)["weight_for_height_z"].iloc[0])

    lying = wfh(height_cm=86.0, position="L")
    standing = wfh(height_cm=86.0, position="H")
    assert lying != standing
    assert wfh(height_cm=86.0) == lying  # < 87 cm: length
    assert wfh(height_cm=88.0) == wfh(height_cm=88.0, position="H")


def test_weight_for_height_is_empty_outside_the_table_and_flagged() -> None:
    row = one(sex=1, age_days=900, weight_kg=30.0, height_cm=125.0)
    assert np.isnan(row["weight_for_height_z"])
    assert engine.FLAG_MESSAGES[engine.SIZE_OUTSIDE_TABLE] in row["flags"]
    assert np.isnan(
        one(sex=1, age_days=2000, weight_kg=20.0, height_cm=110.0)["weight_for_height_z"]
    )


def test_restricted_tails_for_weight_but_not_for_height() -> None:
    table = age_table("wfa")
    i = 1000
    L, M, S = table.lms.L[i], table.lms.M[i], table.lms.S[i]

    def sd(k: float) -> float:
        return float(M * (1 + L * S * k) ** (1 / L))

    heavy = sd(3) + 2.0
    light = sd(-3) - 0.5
    assert one(sex=1, age_days=1000, weight_kg=heavy)["weight_for_age_z"] == pytest.approx(
        3 + (heavy - sd(3)) / (sd(3) - sd(2))
    )
    assert one(sex=1, age_days=1000, weight_kg=light)["weight_for_age_z"] == pytest.approx(
        -3 + (light - sd(-3)) / (sd(-2) - sd(-3))
    )
    tall = one(sex=1, age_days=1000, height_cm=120.0)["height_for_age_z"]
    assert tall == pytest.approx(table_z("lhfa", 1, 1000, 120.0))
    assert tall > 3


def test_weight_for_age_ends_at_10_years_bmi_and_height_at_19() -> None:
    age_10 = 121 * 30.4375
    assert not np.isnan(one(sex=1, age_days=age_10 - 1, weight_kg=30.0)["weight_for_age_z"])
    assert np.isnan(one(sex=1, age_days=age_10, weight_kg=30.0)["weight_for_age_z"])
    age_19 = 229 * 30.4375
    row = one(sex=2, age_days=age_19 - 1, weight_kg=55.0, height_cm=165.0)
    assert not np.isnan(row["bmi_for_age_z"]) and not np.isnan(row["height_for_age_z"])
    assert np.isnan(row["weight_for_age_z"])
    assert row["reference"] == "WHO 2007"  # past 18 y: no IOTF
    row = one(sex=2, age_days=age_19, weight_kg=55.0, height_cm=165.0)
    assert np.isnan(row["bmi_for_age_z"]) and row["reference"] == ""
    assert row["bmi"] == pytest.approx(55 / 1.65**2)
    assert engine.FLAG_MESSAGES[engine.AGE_BEYOND_REFERENCES] in row["flags"]


@pytest.mark.parametrize(
    ("z", "category"),
    [
        (-3.01, "severely_wasted"),
        (-3.0, "wasted"),
        (-2.006, "wasted"),
        (-2.004, "normal"),  # rounds to -2.00
        (-2.0, "normal"),
        (1.0, "normal"),
        (1.004, "normal"),  # rounds to 1.00: not above 1
        (1.006, "possible_risk_of_overweight"),
        (2.0, "possible_risk_of_overweight"),
        (2.01, "overweight"),
        (3.0, "overweight"),
        (3.01, "obese"),
        (5.0, "obese"),
    ],
)
def test_who2006_bmi_categories(z: float, category: str) -> None:
    bmi = _bmi_at_z(1, 1000.0, z)
    assert one(sex=1, age_days=1000, bmi=bmi)["who_bmi_category"] == category


@pytest.mark.parametrize(
    ("z", "category"),
    [
        (-3.01, "severe_thinness"),
        (-3.0, "thinness"),
        (-2.0, "normal"),
        (1.0, "normal"),
        (1.01, "overweight"),
        (2.0, "overweight"),
        (2.01, "obesity"),
    ],
)
def test_who2007_bmi_categories(z: float, category: str) -> None:
    bmi = _bmi_at_z(2, 3000.0, z)
    assert one(sex=2, age_days=3000, bmi=bmi)["who_bmi_category"] == category


def _bmi_at_z(sex: int, age: float, z: float) -> float:
    """The BMI whose (restricted-tail) z is ``z``, by bisection on the engine itself."""
    low, high = 5.0, 60.0
    for _ in range(200):
        middle = (low + high) / 2
        got = engine.who_age_z(
            "bfa", np.array([sex], np.int8), np.array([age]), np.array([middle])
        )[0]
        low, high = (middle, high) if got < z else (low, middle)
    return (low + high) / 2


def test_a_flagged_bmi_for_age_z_gets_no_category() -> None:
    row = one(sex=1, age_days=1000, bmi=40.0)
    assert row["bmi_for_age_z"] > 5
    assert pd.isna(row["who_bmi_category"])
    assert engine.FLAG_MESSAGES[engine.WHO_FLAG_BAZ] in row["flags"]
    assert row["iotf_category"] == "morbid_obesity"
    # So far above the curves that 1 + L18 S18 z <= 0: no ISO-BMI, but clearly morbid obesity.
    assert np.isnan(row["iotf_adult_bmi"])
    assert engine.FLAG_MESSAGES[engine.ISO_BMI_UNDEFINED] in row["flags"]


@pytest.mark.parametrize(
    ("z", "flagged"),
    [(-6.004, False), (-6.006, True), (5.004, False), (5.006, True)],
)
def test_who_weight_for_age_flag_on_rounded_z(z: float, flagged: bool) -> None:
    table = age_table("wfa")
    i = 500
    L, M, S = table.lms.L[i], table.lms.M[i], table.lms.S[i]
    sd3, sd2 = (M * (1 + L * S * k) ** (1 / L) for k in (np.sign(z) * 3, np.sign(z) * 2))
    weight = sd3 + (z - np.sign(z) * 3) * abs(sd3 - sd2)
    row = one(sex=1, age_days=500, weight_kg=weight)
    assert row["weight_for_age_z"] == pytest.approx(z)
    assert (engine.FLAG_MESSAGES[engine.WHO_FLAG_WAZ] in row["flags"]) == flagged


def test_iotf_adult_bmi_and_categories_at_the_cutoffs() -> None:
    sex = np.array([1, 2] * 6, np.int8)
    age = np.full(12, 10.3 * 365.25)
    adult = np.repeat([16.0, 17.0, 18.5, 25.0, 30.0, 35.0], 2)
    child = np.array(
        [engine.iotf2012_cutoff(sex[i : i + 1], age[i : i + 1], adult[i])[0] for i in range(12)]
    )
    iso, code = engine.iotf_adult_bmi(sex, age, child * (1 + 1e-9))
    assert iso == pytest.approx(adult, abs=1e-6)
    names = np.array(engine.IOTF_CATEGORIES)
    assert list(names[code]) == list(
        np.repeat(
            [
                "thinness_grade_2",
                "thinness_grade_1",
                "normal",
                "overweight",
                "obesity",
                "morbid_obesity",
            ],
            2,
        )
    )
    _, below = engine.iotf_adult_bmi(sex, age, child * (1 - 1e-9))
    assert list(names[below]) == list(
        np.repeat(
            [
                "thinness_grade_3",
                "thinness_grade_2",
                "thinness_grade_1",
                "normal",
                "overweight",
                "obesity",
            ],
            2,
        )
    )


def test_iotf_at_18_is_the_adult_bmi_and_outside_2_to_18_is_empty() -> None:
    row = one(sex=1, age_days=18 * 365.25, bmi=27.3)
    assert row["iotf_adult_bmi"] == pytest.approx(27.3)
    assert row["iotf_category"] == "overweight"
    for age in (2 * 365.25 - 0.5, 18 * 365.25 + 0.5):
        row = one(sex=1, age_days=age, bmi=17.0)
        assert np.isnan(row["iotf_adult_bmi"]) and pd.isna(row["iotf_category"])
    assert one(sex=1, age_days=2 * 365.25, bmi=17.0)["iotf_category"] == "normal"


def test_iotf_interpolation_is_exact_at_the_published_half_years() -> None:
    table = iotf_table()
    halfyears = np.arange(33)
    for sex in (1, 2):
        ok, L, M, S = engine.iotf_lms(np.full(33, sex, np.int8), (2 + halfyears / 2) * 365.25)
        assert ok.all()
        np.testing.assert_allclose(L, table.grid_L[sex - 1], rtol=0, atol=1e-12)
        np.testing.assert_allclose(M, table.grid_M[sex - 1], rtol=0, atol=1e-12)
        np.testing.assert_allclose(S, table.grid_S[sex - 1], rtol=0, atol=1e-12)


def test_iotf_2000_gives_overweight_and_obesity_only() -> None:
    frame = pd.DataFrame({"sex": [1, 1, 1], "age_days": [3652.5] * 3, "bmi": [19.0, 20.0, 25.0]})
    result = engine.classify(frame, iotf="2000")
    # Cole 2000 at 10 y, boys: 19.84 and 24.00.
    assert result["iotf_category"].tolist() == ["not_overweight", "overweight", "obesity"]
    assert result["iotf_adult_bmi"].isna().all()
    assert set(result["reference"]) == {"WHO 2007; IOTF 2000 (overweight/obesity only)"}


def test_rejects_an_unknown_iotf_version() -> None:
    with pytest.raises(ValueError, match="iotf"):
        engine.classify(pd.DataFrame({"sex": [1], "age_days": [1000], "bmi": [16]}), iotf="2007")


@pytest.mark.parametrize("sex", ["1", "M", "m", " dreng ", "DRENG", 1, 1.0])
def test_boys_spelled_any_way(sex: object) -> None:
    assert one(sex=sex, age_days=1000, bmi=16.0)["bmi_for_age_z"] == pytest.approx(
        one(sex=1, age_days=1000, bmi=16.0)["bmi_for_age_z"]
    )


@pytest.mark.parametrize("sex", ["2", "F", "f", "pige", "Pige", 2])
def test_girls_spelled_any_way(sex: object) -> None:
    assert one(sex=sex, age_days=1000, bmi=16.0)["bmi_for_age_z"] == pytest.approx(
        one(sex=2, age_days=1000, bmi=16.0)["bmi_for_age_z"]
    )


def test_age_from_dates_and_age_days_wins() -> None:
    frame = pd.DataFrame(
        {
            "sex": ["1", "1", "1"],
            "age_days": ["", "500", ""],
            "birth_date": ["2020-01-01", "2020-01-01", "2020-02-30"],
            "measured_on": ["2022-01-01", "2022-01-01", "2022-01-01"],
            "bmi": ["16", "16", "16"],
        }
    )
    result = engine.classify(frame)
    z = engine.who_age_z(
        "bfa", np.array([1, 1], np.int8), np.array([731.0, 500.0]), np.array([16.0, 16.0])
    )
    assert result["bmi_for_age_z"].iloc[:2].to_numpy() == pytest.approx(z)
    assert result["flags"].iloc[2] == engine.FLAG_MESSAGES[engine.DATES_INVALID]
    assert np.isnan(result["bmi_for_age_z"].iloc[2])


def test_unreadable_rows_are_flagged_and_the_rest_computed() -> None:
    frame = pd.DataFrame(
        {
            "sex": ["1", "x", "2", "2", "1", "1", "2", "1", ""],
            "age_days": ["1000", "1000", "abc", "-5", "1000", "1000", "", "1000", "1000"],
            "weight_kg": ["14", "14", "14", "14", "-1", "fourteen", "14", "", "14"],
            "height_cm": ["95", "95", "95", "95", "95", "95", "95", "", "95"],
        }
    )
    result = engine.classify(frame)
    message = engine.FLAG_MESSAGES
    assert result["flags"].tolist() == [
        "",
        message[engine.SEX_INVALID],
        message[engine.AGE_DAYS_INVALID],
        message[engine.AGE_NEGATIVE],
        message[engine.WEIGHT_INVALID],
        message[engine.WEIGHT_INVALID],
        message[engine.AGE_MISSING],
        message[engine.NO_MEASUREMENT],
        message[engine.SEX_INVALID],
    ]
    assert not np.isnan(result["bmi_for_age_z"].iloc[0])
    assert result["bmi_for_age_z"].iloc[1:].isna().all()
    assert not np.isnan(result["height_for_age_z"].iloc[4])  # weight unreadable, height fine


def test_decimal_comma_and_spaces_are_read() -> None:
    assert one(sex="1", age_days=" 1000,5 ", weight_kg="14,2", height_cm="95,0")["bmi"] == (
        pytest.approx(14.2 / 0.95**2)
    )


def test_a_given_bmi_is_checked_against_weight_and_height() -> None:
    row = one(sex=1, age_days=1000, weight_kg=14.0, height_cm=95.0, bmi=15.5)
    assert row["flags"] == ""
    row = one(sex=1, age_days=1000, weight_kg=14.0, height_cm=95.0, bmi=18.0)
    assert row["bmi"] == pytest.approx(14.0 / 0.95**2)
    assert row["flags"] == engine.FLAG_MESSAGES[engine.BMI_MISMATCH]


def test_a_bmi_without_height_is_not_adjusted_and_says_so() -> None:
    row = one(sex=1, age_days=1000, bmi=16.0, position="L")
    assert row["bmi"] == 16.0
    assert row["flags"] == engine.FLAG_MESSAGES[engine.BMI_NOT_ADJUSTED]


def test_other_columns_pass_through_in_order_and_outputs_are_appended() -> None:
    frame = pd.DataFrame(
        {
            "child": ["a", "b"],
            "sex": ["1", "2"],
            "bmi": ["16", "17"],
            "age_days": ["1000", "2000"],
            "flags": ["old", "old"],
            "note": ["x", "y"],
        },
        index=[10, 11],
    )
    result = engine.classify(frame)
    assert list(result.columns) == ["child", "sex", "age_days", "note", *engine.OUTPUT_COLUMNS]
    assert list(result.index) == [10, 11]
    assert result["child"].tolist() == ["a", "b"] and result["sex"].tolist() == ["1", "2"]
    assert result["flags"].tolist() == ["", ""]


def test_a_missing_column_is_an_error_of_the_file() -> None:
    with pytest.raises(ValueError, match="sex"):
        engine.classify(pd.DataFrame({"age_days": [1], "bmi": [16]}))
    with pytest.raises(ValueError, match="age"):
        engine.classify(pd.DataFrame({"sex": [1], "bmi": [16]}))
    with pytest.raises(ValueError, match="measurement"):
        engine.classify(pd.DataFrame({"sex": [1], "age_days": [16]}))


def test_an_empty_frame() -> None:
    result = engine.classify(pd.DataFrame({"sex": [], "age_days": [], "bmi": []}))
    assert list(result.columns) == ["sex", "age_days", *engine.OUTPUT_COLUMNS]
    assert len(result) == 0


def test_reference_names_cover_every_combination() -> None:
    assert engine.REFERENCE_NAMES == (
        "",
        "IOTF 2012",
        "IOTF 2000 (overweight/obesity only)",
        "WHO 2006",
        "WHO 2006; IOTF 2012",
        "WHO 2006; IOTF 2000 (overweight/obesity only)",
        "WHO 2007",
        "WHO 2007; IOTF 2012",
        "WHO 2007; IOTF 2000 (overweight/obesity only)",
    )


def test_flag_text_lists_messages_in_a_fixed_order() -> None:
    mask = engine.WHO_FLAG_BAZ | engine.SEX_INVALID
    assert engine.flag_text(mask) == (
        f"{engine.FLAG_MESSAGES[engine.SEX_INVALID]}; {engine.FLAG_MESSAGES[engine.WHO_FLAG_BAZ]}"
    )
    assert all(";" not in message for message in engine.FLAG_MESSAGES.values())
