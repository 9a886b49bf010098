"""The registry takes only the programme's children (0–10, a year's margin) and Danish phone numbers.

Registrations that must go through are made as the administrator (ada), who sees the whole
registry; a health visitor's registration of an unseen number becomes a referral.

Birth dates are counted back from the real today (``accounts.models.today``), so the boundaries
hold on any day the tests run.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from borneliv.accounts.models import today
from borneliv.children import forms, imports, services
from borneliv.children.models import Child, Family, Guardian, Residence
from borneliv.children.testing import synthetic_cpr
from borneliv.children.tests.conftest import ClientFor
from borneliv.lib.dk import normalise_phone
from borneliv.testing import World

pytestmark = pytest.mark.django_db


def years_ago(years: int, days: int = 0) -> dt.date:
    """The date ``years`` years before today, ``days`` days later (29 Feb → 1 Mar)."""
    now = today()
    try:
        then = now.replace(year=now.year - years)
    except ValueError:
        then = dt.date(now.year - years, 3, 1)
    return then + dt.timedelta(days=days)


def register(world: World, born: dt.date, serial: int = 0) -> Child:
    return services.child_register(
        cpr=synthetic_cpr(born, serial), first_name="Ib", last_name="Alder", area=world.lindholm
    )


# --- ages ----------------------------------------------------------------------------------------


def test_a_36_year_olds_number_is_refused_with_its_age_and_nothing_is_saved(world: World) -> None:
    with pytest.raises(ValidationError) as caught:
        register(world, years_ago(36, days=-10))
    (message,) = caught.value.message_dict["cpr"]
    assert "someone of 36 years" in message and "aged 0–10" in message
    assert "12th birthday" in message
    assert not Child.objects.exists() and not Residence.objects.exists()


def test_a_child_is_taken_until_the_day_before_its_12th_birthday(world: World) -> None:
    register(world, years_ago(12, days=1), serial=1)  # 11 years and 364 days old
    with pytest.raises(ValidationError, match="someone of 12 years"):
        register(world, years_ago(12), serial=2)  # the 12th birthday is today
    assert Child.objects.count() == 1


def test_a_newborn_is_taken_and_a_birth_tomorrow_is_refused(world: World) -> None:
    register(world, today(), serial=3)
    with pytest.raises(ValidationError, match="in the future"):
        register(world, today() + dt.timedelta(days=1), serial=4)


def test_the_age_check_counts_a_29_february_birthday_from_1_march() -> None:
    born = dt.date(2012, 2, 29)
    services.registry_age_check(born, on=dt.date(2024, 2, 28))
    with pytest.raises(ValidationError):
        services.registry_age_check(born, on=dt.date(2024, 2, 29))
    services.registry_age_check(dt.date(2013, 3, 1), on=dt.date(2025, 2, 28))
    with pytest.raises(ValidationError):
        services.registry_age_check(dt.date(2013, 3, 1), on=dt.date(2025, 3, 1))


def test_the_register_form_refuses_the_number_on_its_field(
    world: World, client_for: ClientFor
) -> None:
    cpr = synthetic_cpr(years_ago(36), 5)
    response = client_for("hanne").post(
        "/children/register/",
        {
            "cpr": cpr,
            "first_name": "Voksen",
            "last_name": "Person",
            "area": world.lindholm.pk,
            "family": "none",
        },
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == ["cpr"] and "someone of 36 years" in errors["cpr"][0]
    html = response.content.decode()
    assert cpr not in html and cpr.replace("-", "") not in html
    assert not Child.objects.exists()


def test_the_import_marks_a_child_outside_the_ages_as_a_row_error(world: World) -> None:
    old = synthetic_cpr(years_ago(20), 6)
    young = synthetic_cpr(years_ago(3), 7)
    data = (
        f"cpr;fornavn;efternavn;omraade\n{young};Lille;Ung;Lindholm\n{old};Stor;Gammel;Lindholm\n"
    ).encode()
    report = imports.import_children(imports.read_rows(data, "f.csv"), user=world.ada)
    assert [(row.number, row.status) for row in report.rows] == [(2, "ok"), (3, "error")]
    assert "someone of 20 years" in report.rows[1].message
    assert not report.can_commit
    committed = imports.import_children(
        imports.read_rows(data, "f.csv"), user=world.ada, commit=True
    )
    assert not committed.committed and not Child.objects.exists()


# --- phone numbers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("12345678", "12 34 56 78"),
        ("12 34 56 78", "12 34 56 78"),
        ("+45 12 34 56 78", "12 34 56 78"),
        ("+4512345678", "12 34 56 78"),
        ("\u00a012 34 5678 ", "12 34 56 78"),
        ("", ""),
    ],
)
def test_a_danish_number_is_stored_in_pairs(typed: str, stored: str) -> None:
    assert normalise_phone(typed) == stored
    assert services.phone_normalise(typed) == stored


@pytest.mark.parametrize(
    "typed", ["1234567", "123456789", "+46 12345678", "0045 1234 5678", "12-34-56-78", "tlf"]
)
def test_anything_else_is_refused_with_a_clear_message(typed: str) -> None:
    assert normalise_phone(typed) is None
    with pytest.raises(ValidationError) as caught:
        services.phone_normalise(typed)
    assert caught.value.message_dict["phone"] == [
        "A phone number has 8 digits, optionally with +45 in front, e.g. 12 34 56 78."
    ]


def test_the_guardian_service_stores_the_normalised_number_and_refuses_a_bad_one() -> None:
    family = services.family_create(name="Holm")
    guardian = services.guardian_add(
        family=family, name="Mette", relation="mother", phone="+45 2233 4455"
    )
    guardian.refresh_from_db()
    assert guardian.phone == "22 33 44 55"
    with pytest.raises(ValidationError, match="8 digits"):
        services.guardian_add(family=family, name="Per", relation="father", phone="2233")
    assert list(Guardian.objects.values_list("name", flat=True)) == ["Mette"]


def test_the_forms_check_and_normalise_the_phone_fields() -> None:
    form = forms.GuardianForm(
        {"guardian-name": "Mette", "guardian-relation": "mother", "guardian-phone": "+4522334455"}
    )
    assert form.is_valid() and form.cleaned_data["phone"] == "22 33 44 55"
    bad = forms.GuardianForm(
        {"guardian-name": "Mette", "guardian-relation": "mother", "guardian-phone": "22 33 44"}
    )
    assert not bad.is_valid()
    assert bad.errors["phone"] == [
        "A phone number has 8 digits, optionally with +45 in front, e.g. 12 34 56 78."
    ]
    widget = forms.GuardianForm().fields["phone"].widget
    assert widget.attrs["inputmode"] == "tel" and widget.attrs["autocomplete"] == "tel"


def test_registering_with_a_bad_guardian_phone_keeps_the_form_and_saves_nothing(
    world: World, client_for: ClientFor
) -> None:
    data = {
        "cpr": synthetic_cpr(years_ago(1), 8),
        "first_name": "Liva",
        "last_name": "Lund",
        "area": world.lindholm.pk,
        "family": "new",
        "family_name": "Lund",
        "guardian_1_name": "Lise Lund",
        "guardian_1_relation": "mother",
        "guardian_1_phone": "+45 1234",
    }
    client = client_for("ada")
    response = client.post("/children/register/", data)
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["guardian_1_phone"]
    assert not Child.objects.exists() and not Family.objects.exists()
    response = client.post("/children/register/", {**data, "guardian_1_phone": "+45 12 34 56 78"})
    assert response.status_code == 302
    assert Guardian.objects.get().phone == "12 34 56 78"


GUARDIAN_HEADER = "cpr;fornavn;efternavn;omraade;familie;vaerge;relation;telefon"


def test_the_import_adds_each_guardian_once_with_the_phone_normalised(world: World) -> None:
    first, second = synthetic_cpr(years_ago(3), 10), synthetic_cpr(years_ago(1), 11)
    data = (
        f"{GUARDIAN_HEADER}\n"
        f"{first};Ane;Krog;Lindholm;Krog;Sofie Krog;mor;+45 22 33 44 55\n"
        f"{second};Bo;Krog;Lindholm;Krog;sofie krog;Mor;22334455\n"
        f"{synthetic_cpr(years_ago(2), 12)};Cai;Dam;Lindholm;;Jens Dam;far;\n"
    ).encode()
    report = imports.import_children(imports.read_rows(data, "f.csv"), user=world.ada, commit=True)
    assert report.committed, [row.message for row in report.rows]
    krog = Family.objects.get(name="Krog")
    assert [(g.name, g.relation, g.phone) for g in krog.guardians.all()] == [
        ("Sofie Krog", "mother", "22 33 44 55")
    ]
    assert set(Child.objects.filter(last_name="Krog").values_list("family", flat=True)) == {krog.pk}
    # Without a family name, the guardian's family is named after the child.
    dam = Child.objects.get(first_name="Cai").family
    assert dam is not None and dam.name == "Dam"
    assert [(g.name, g.relation, g.phone) for g in dam.guardians.all()] == [
        ("Jens Dam", "father", "")
    ]


def test_the_import_reports_bad_guardian_cells_without_echoing_the_phone(world: World) -> None:
    data = (
        f"{GUARDIAN_HEADER}\n"
        f"{synthetic_cpr(years_ago(3), 13)};Ane;Krog;Lindholm;;Sofie;mor;1234 5\n"
        f"{synthetic_cpr(years_ago(3), 14)};Bo;Krog;Lindholm;;;;22334455\n"
        f"{synthetic_cpr(years_ago(3), 15)};Cai;Krog;Lindholm;;Jens;onkel;\n"
    ).encode()
    report = imports.import_children(imports.read_rows(data, "f.csv"), user=world.hanne)
    messages = [row.message for row in report.rows]
    assert [row.status for row in report.rows] == ["error"] * 3
    assert "8 digits" in messages[0] and "1234 5" not in messages[0]
    assert "needs the guardian's name" in messages[1]
    assert "Unknown relation “onkel”" in messages[2]
