"""The programme's contact schedule and the topic catalogue (DOMAIN.md, sub-intervention 4).

Windows are days from birth. KLChildren codes are the encounter types of KL's FHIR guide
(hl7dk/kl-children, CodeSystem "Tempcodes"), so contacts can be reported to KL Gateway. Municipal
eligibility overrides (e.g. Albertslund offering the 1-year call and 1½-year visit to all
families) are data per municipality, set in the admin (the demo sets Albertslund's).
"""

from django.db import migrations

STAGES = [
    # code, da, en, kl code, kl name, mode, target, start, end, closing, expiry, eligibility, programme
    ("establishment_visit", "Etableringsbesøg", "Establishment visit",
     "b4bf6058-502a-4d64-bb8e-369661f43b47", "Etableringsbesøg",
     "home_visit", 7, 3, 14, 4, 14, "all", False),
    ("feeding_phone", "Telefonisk rådgivning om amning og flaske",
     "Phone counselling on breastfeeding and bottle routines", "", "",
     "phone", 42, 7, 183, 21, 0, "vulnerable", True),
    ("visit_2m", "Besøg ved det ca. 2 måneder gamle barn", "Visit at about 2 months",
     "51f30d1c-d60e-4e3e-ac22-ec9712ea962d", "Besøg ved det ca. 2 måneder gamle barn",
     "home_visit", 60, 45, 75, 10, 30, "all", False),
    ("enhanced_visit_4_6m", "Udvidet hjemmebesøg ved 4–6 måneder",
     "Enhanced home visit at 4–6 months",
     "58ff370b-a775-4bec-b24a-91604e0a5fe7", "Besøg ved det 4-6 måneder gamle barn",
     "home_visit", 150, 120, 183, 14, 30, "all", True),
    ("visit_8_11m", "Besøg ved det 8–11 måneder gamle barn", "Visit at 8–11 months",
     "3f3e6489-31bd-44cf-9920-3c632868feb7", "Besøg ved det 8-11 måneder gamle barn",
     "home_visit", 270, 240, 335, 14, 30, "all", False),
    ("phone_1y", "Opringning ved 1 år", "Phone call at 1 year", "", "",
     "phone", 365, 350, 395, 10, 30, "vulnerable", True),
    ("visit_18m", "Hjemmebesøg ved 1½ år", "Home visit at 1½ years",
     "4b039ba1-4005-42e6-b672-09b81ad7578a", "Behovsbesøg af småbørnssundhedsplejen",
     "home_visit", 548, 530, 580, 14, 30, "vulnerable", True),
]  # fmt: skip

TOPICS = [
    ("motor_play", "Tumleleg og motorisk leg", "Tumbling and motor play", "play"),
    ("family_meals", "Familiemåltider", "Family meals", "food"),
    ("screen_habits", "Skærmvaner", "Screen habits", "closeness"),
    ("family_experiences", "Familieoplevelser i lokalområdet",
     "Family experiences in the local area", "closeness"),
    ("breastfeeding_bottle", "Amning og flaske", "Breastfeeding and bottle", "food"),
    ("sleep", "Søvn og døgnrytme", "Sleep and daily rhythm", None),
    ("first_foods", "Overgang til fast føde", "Starting solid food", "food"),
    ("outdoor_play", "Leg og bevægelse udendørs", "Play and movement outdoors", "play"),
    ("language_interaction", "Sprog og samspil", "Language and interaction", "closeness"),
    ("parent_wellbeing", "Forældrenes trivsel", "Parents' well-being", None),
]  # fmt: skip


def load(apps, schema_editor):
    Stage = apps.get_model("healthvisits", "Stage")
    Topic = apps.get_model("healthvisits", "Topic")
    Goal = apps.get_model("organisations", "Goal")
    for order, row in enumerate(STAGES, start=1):
        (code, da, en, kl, kl_name, mode, target, start, end, closing, expiry, elig, prog) = row
        Stage.objects.update_or_create(
            code=code,
            defaults={
                "name_da": da,
                "name_en": en,
                "klchildren_code": kl,
                "klchildren_display": kl_name,
                "mode": mode,
                "target_age_days": target,
                "window_start_days": start,
                "window_end_days": end,
                "closing_days": closing,
                "expiry_days": expiry,
                "eligibility": elig,
                "is_programme": prog,
                "sort_order": order,
            },
        )
    goals = {g.code: g for g in Goal.objects.all()}
    for order, (code, da, en, goal) in enumerate(TOPICS, start=1):
        Topic.objects.update_or_create(
            code=code,
            defaults={"name_da": da, "name_en": en, "goal": goals.get(goal), "sort_order": order},
        )


def unload(apps, schema_editor):
    apps.get_model("healthvisits", "Topic").objects.filter(code__in=[t[0] for t in TOPICS]).delete()
    apps.get_model("healthvisits", "Stage").objects.filter(code__in=[s[0] for s in STAGES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("healthvisits", "0001_initial"),
        ("organisations", "0002_reference_data"),
    ]
    operations = [migrations.RunPython(load, unload)]
