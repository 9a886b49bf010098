"""The programme's three goals and six sub-interventions, with stable codes (see DOMAIN.md)."""

from django.db import migrations

GOALS = [
    ("play", "Leg og bevægelse sammen", "Play and movement together", 1),
    ("food", "Sund mad og drikke sammen", "Healthy food and drink together", 2),
    ("closeness", "Oplevelser og nærhed sammen", "Experiences and closeness together", 3),
]

SUBINTERVENTIONS = [
    (
        1,
        "school_action_plans",
        "Skolernes handleplaner",
        "Schools' action plans",
        "Hver skole (inkl. SFO) udarbejder og følger op på sin egen handleplan for mere leg og "
        "bevægelse, sundere mad og drikke og oplevelser i lokalområdet – i skolen og sammen med "
        "lokalsamfundet.",
        "Each school (including its after-school club) writes and follows up its own plan for more "
        "play and movement, healthier food and drink and local experiences, in school and with the "
        "local community.",
    ),
    (
        2,
        "daycare_principles",
        "Principper for dagtilbud",
        "Daycare principles",
        "Alle dagtilbud arbejder ud fra fælles principper for aktiviteter, rutiner og rammer, der "
        "understøtter leg, bevægelse, nysgerrighed på mad og oplevelser i lokalområdet.",
        "All daycares work by shared principles for activities, routines and settings that support "
        "play, movement, curiosity about food and local experiences.",
    ),
    (
        3,
        "motor_assessment",
        "Legebaseret motorikvurdering ved 4 år",
        "Play-based motor assessment at age 4",
        "Sundhedsplejersken observerer børnene i en dagtilbudsgruppe under leg med fokus på "
        "bevægelsesglæde og mod på at udfordre kroppen; derefter en tværfaglig dialog med "
        "personalet om, hvad gruppen er god til, og hvor det pædagogiske fokus skal styrkes.",
        "The health visitor observes the children of a daycare group during play, focusing on joy "
        "of movement and courage to challenge the body; then a cross-disciplinary dialogue with "
        "the staff about what the group is good at and where the pedagogical focus should be "
        "strengthened.",
    ),
    (
        4,
        "health_visiting",
        "Sundhedspleje",
        "Health visiting",
        "Alle familier får et mere grundigt hjemmebesøg ved 4–6 måneder; sårbare familier "
        "tilbydes telefonisk rådgivning om amning/flaske i de første seks måneder, en opringning "
        "ved 1 år og et hjemmebesøg ved 1½ år.",
        "Every family gets a more thorough home visit at 4–6 months; vulnerable families are "
        "offered phone counselling on breastfeeding/bottle routines in the first six months, a "
        "phone call at 1 year and a home visit at 1½ years.",
    ),
    (
        5,
        "sports_associations",
        "Idrætsforeninger med dagtilbud og skoler",
        "Sports associations with daycares and schools",
        "Børn prøver idræt og møder trænere i institutionstiden; idrætshaller åbner for familier "
        "i weekenden med foreninger som værter.",
        "Children try sports and meet coaches in institution time; sports halls open for families "
        "at weekends with associations as hosts.",
    ),
    (
        6,
        "local_community",
        "Lokalsamfundet",
        "Local community",
        "En årlig festival for programmet og Nærhedscirklen: et plakatkort over sjove steder i "
        "børnehøjde inden for gå- og cykelafstand.",
        "An annual programme festival and the Nærhedscirkel: a poster map of fun child-height "
        "places within easy walking or cycling distance.",
    ),
]


def load(apps, schema_editor):
    Goal = apps.get_model("organisations", "Goal")
    SubIntervention = apps.get_model("organisations", "SubIntervention")
    for code, name_da, name_en, order in GOALS:
        Goal.objects.update_or_create(
            code=code, defaults={"name_da": name_da, "name_en": name_en, "sort_order": order}
        )
    for number, code, name_da, name_en, desc_da, desc_en in SUBINTERVENTIONS:
        SubIntervention.objects.update_or_create(
            code=code,
            defaults={
                "number": number,
                "name_da": name_da,
                "name_en": name_en,
                "description_da": desc_da,
                "description_en": desc_en,
                "sort_order": number,
            },
        )


def unload(apps, schema_editor):
    apps.get_model("organisations", "Goal").objects.filter(
        code__in=[g[0] for g in GOALS]
    ).delete()
    apps.get_model("organisations", "SubIntervention").objects.filter(
        code__in=[s[1] for s in SUBINTERVENTIONS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("organisations", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
