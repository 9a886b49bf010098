"""Synthetic motor assessments for the demo: sessions, scores, follow-ups and dialogues.

``demo_motor_load`` runs after the demo children and their growth data (``children.py``) and adds,
for the 4-year instrument (``motor-4``):

- **Sessions**: each autumn (8 September – 13 November) of the last three school years, a session
  in "Mellemgruppen" (the 4-year-olds) of every demo daycare with at least ``MIN_CHILDREN`` such
  children that day, observed by the municipality's demo health visitor and the daycare's demo
  pedagogue where there is one. The demo registry holds children born in the last six years, so
  the oldest round usually finds no 4-year-olds and is left out: the demo has two school years.
  The two newest sessions (``OPEN_DAYCARES``, held a few days ago) are left **open** with part of
  the children scored, to show resuming; every other session is closed.
- **Scores**: most items "masters it"; about a quarter of the children with one or more items
  "on its way" or "not yet", about 8 % at "challenges" (Albertslund about twice that, as at the
  school-start exam); joy of movement and courage mostly "often" or "sometimes"; a few absent
  children, a few cells "not assessed" and a few children observed too little for a summary.
- **Follow-up**: the health visitor flags most children at "challenges" (and a few with "few
  signs") "talk with the parents", with a short Danish note.
- **Dialogues**: one per closed session, a couple of weeks after it: what the group is good at
  and the agreed focus, written from the group profile (``engine.group_profile``: its strengths
  and focus domains), linked to the goal "play" (sometimes "closeness"), with a follow-up date.
  Last year's follow-ups are done; this year's lie ahead, except Børnehuset Troldhøj's newest,
  which is due (yesterday), so the demo pedagogue's landing page shows it.

How it is written
    Sessions, presence, closing, follow-up flags and dialogues go through ``motor.services``, as
    a page would write them. The open sessions are scored through ``services.scores_save`` (the
    grid's write path). The closed sessions' ~13,000 scores would take ~15 s cell by cell, so they
    are planned in memory from the version's own scales (every value one of the item's scale),
    their summaries computed by ``engine.summarise`` with the version's rule (as
    ``services.scores_save`` does), and written with one ``executemany`` per table and their
    history rows copied in SQL, before the session is closed through the service.

Everything is drawn from one ``random.Random(seed)`` over the daycares and children in a fixed
order: the same registry and ``today`` always give the same sessions.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from borneliv.accounts.models import Membership, Role, User
from borneliv.children.models import Child
from borneliv.demo import data
from borneliv.demo.common import Writer, demo_children_only, local_time, say
from borneliv.motor import engine, services
from borneliv.motor.models import (
    Assessment,
    Choice,
    Dialogue,
    InstrumentVersion,
    Item,
    Score,
    Session,
)
from borneliv.organisations.models import Goal, Institution

SEED = 20_260_105
INSTRUMENT = "motor-4"
GROUP = "Mellemgruppen"
MIN_CHILDREN = 5
#: The autumn window of a round (month, day), and how long before today its sessions end, so that
#: the dialogue a couple of weeks later lies in the past.
ROUND_FROM = (9, 8)
ROUND_TO = (11, 13)
ROUND_ENDS_DAYS_AGO = 21
ROUNDS = 3
#: The newest sessions, left open: an Aalborg and an Albertslund daycare, held a few days ago.
OPEN_DAYCARES = ("Børnehuset Fjordglimt", "Børnehuset Tusindfryd")
OPEN_DAYS_AGO = 3
OPEN_SCORED_SHARE = 0.6
#: The daycare whose newest follow-up is due (the demo pedagogue's).
DUE_DAYCARE = "Børnehuset Troldhøj"
ALBERTSLUND = "0165"

#: Children by kind of answers: all skills mastered; one "on its way" (still age-appropriate);
#: few signs; challenges. Albertslund has about twice the challenges, as at school start.
PROFILE_SHARES = {"clean": 0.75, "minor": 0.06, "few": 0.11, "challenges": 0.08}
PROFILE_SHARES_ALBERTSLUND = {"clean": 0.63, "minor": 0.06, "few": 0.15, "challenges": 0.16}
ABSENT_SHARE = 0.05
INSUFFICIENT_SHARE = 0.015
NOT_ASSESSED_SHARE = 0.02
FOLLOW_UP_CHALLENGES = 0.85
FOLLOW_UP_FEW_SIGNS = 0.08
#: How often an item is the one a child has not mastered yet (standing on one leg most often).
ITEM_DIFFICULTY = {
    "run": 0.3,
    "jump": 0.8,
    "hop": 1.6,
    "climb": 0.7,
    "one_leg": 2.0,
    "beam": 1.5,
    "throw": 1.0,
    "catch": 1.4,
    "kick": 0.8,
    "roll": 0.6,
    "imitate": 0.7,
    "pencil_grip": 1.3,
}
#: Joy of movement and courage: (often, sometimes, rarely), for most children and for those with
#: challenges.
OBSERVATION_SHARES = (0.72, 0.24, 0.04)
OBSERVATION_SHARES_CHALLENGES = (0.45, 0.40, 0.15)

FOLLOW_UP_NOTES = (
    "Talt med forældrene om lege, der træner balancen derhjemme.",
    "Aftalt ny observation om et halvt år.",
    "Forældrene får idéer til boldlege; vi følger op til næste samtale.",
    "Henvist til fysioterapeut efter aftale med forældrene.",
    "Talt med forældrene; barnet er også usikker på trapper derhjemme.",
    "Aftalt med forældrene at se på cykel og løbecykel sammen.",
)
FEW_SIGNS_NOTES = (
    "Lidt usikker på ét ben; talt kort med forældrene ved afhentning.",
    "Ser igen ved næste observation.",
)
STRENGTHS = {
    "locomotion": "Gruppen løber, hopper og klatrer sikkert og med stor lyst, også på ujævnt terræn.",
    "balance": "Mange af børnene har god balance og prøver gerne at gå på stammer og kanter.",
    "object_control": "Børnene kaster og griber godt og spiller gerne bold sammen.",
    "body_awareness": "Børnene efterligner gerne bevægelser og ruller og vender sig uden besvær.",
    "fine_motor": "De fleste holder godt om blyanten og tegner med lyst ved bordet.",
}
FOCUS = {
    "locomotion": (
        "Hop og løb i legen hver dag: hinkeruder, sjippetov og fangelege på legepladsen."
    ),
    "balance": (
        "Mere balance i hverdagen: stå på ét ben i garderoben, balancebane på legepladsen og gå "
        "på kantsten på tur."
    ),
    "object_control": (
        "Flere boldlege i små grupper, så alle får mange kast og greb, også de børn, der holder "
        "sig lidt tilbage."
    ),
    "body_awareness": (
        "Sanglege og bevægelseslege, hvor børnene efterligner hinanden og mærker kroppen."
    ),
    "fine_motor": "Klippe, perle og tegne med kridt på fliserne, gerne i legen udenfor.",
}
JOY_TEXT = "Der er meget bevægelsesglæde i gruppen, og de fleste tør prøve noget nyt."
JOY_FOCUS = (
    "Give de mere stille børn mod på at prøve: små udfordringer, voksne der leger med, og ros "
    "for at forsøge."
)
DEFAULT_STRENGTH = "Børnene leger godt sammen og bevæger sig meget i løbet af dagen."
DEFAULT_FOCUS = "Fortsætte med daglig leg og bevægelse ude og inde, så alle børn er med."
#: The note when last year's follow-up was held, by the focus agreed.
FOLLOW_UP_DONE_NOTES = {
    "balance": "Balancebanen er i brug hver uge; børnene er blevet mere sikre.",
    "object_control": "Boldlegene er kommet godt i gang; vi fortsætter i foråret.",
    "locomotion": "Hinkeruder og fangelege hver dag; flere børn tør nu hoppe på ét ben.",
    "body_awareness": "Sanglegene er blevet en fast del af samlingen.",
    "fine_motor": "Perler og kridt er fremme hver dag; fokus fortsætter.",
}
FOLLOW_UP_DONE_DEFAULT = "Fulgt op på personalemødet; fokus fortsætter."
OTHER_PARTICIPANTS = "Pædagogerne i Mellemgruppen"


@dataclass
class MotorDemoResult:
    """What a call to ``demo_motor_load`` did."""

    loaded: bool
    sessions: int = 0
    open_sessions: int = 0
    school_years: int = 0
    assessments: int = 0
    scores: int = 0
    challenges: float = 0.0  # share of the children with a summary
    follow_ups: int = 0
    dialogues: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        return (
            f"  Motor: {self.sessions} sessions in {self.school_years} school years "
            f"({self.open_sessions} open), {self.assessments:,} children observed, "
            f"{self.scores:,} scores ({100 * self.challenges:.1f} % with motor challenges), "
            f"{self.follow_ups} follow-ups, {self.dialogues} dialogues ({self.seconds:.1f} s)"
        )


def demo_motor_applicable() -> bool:
    """Whether the database holds the demo's synthetic children and no motor session yet."""
    return demo_children_only() and not Session.objects.exists()


# --- the plan -----------------------------------------------------------------------------------


@dataclass
class Scale:
    """A scale's values from strongest to weakest, and their remark weights."""

    values: list[str]
    weights: dict[str, Decimal]


@dataclass
class PlannedSession:
    daycare: Institution
    held_on: dt.date
    school_year: int
    is_open: bool
    by: User  # the health visitor
    observers: list[User]
    pedagogue: User | None
    session: Session | None = None
    answers: dict[int, dict[str, str | None]] = field(default_factory=dict)  # child → code → value
    absent: list[int] = field(default_factory=list)
    kinds: dict[int, str] = field(default_factory=dict)  # present child → answer profile


def _weekday_between(rng: random.Random, low: dt.date, high: dt.date) -> dt.date | None:
    days = [
        low + dt.timedelta(days=n)
        for n in range((high - low).days + 1)
        if (low + dt.timedelta(days=n)).weekday() < 5
    ]
    return rng.choice(days) if days else None


def _latest_weekday(on: dt.date) -> dt.date:
    while on.weekday() >= 5:
        on -= dt.timedelta(days=1)
    return on


def _school_year(on: dt.date) -> int:
    return on.year if on.month >= 8 else on.year - 1


def _rounds(today: dt.date) -> list[tuple[int, dt.date, dt.date]]:
    """(school year, first day, last day) of each autumn round that lies in the past."""
    current = _school_year(today)
    latest = today - dt.timedelta(days=ROUND_ENDS_DAYS_AGO)
    rounds = []
    for year in range(current - ROUNDS + 1, current + 1):
        first = dt.date(year, *ROUND_FROM)
        last = min(dt.date(year, *ROUND_TO), latest)
        if first <= last:
            rounds.append((year, first, last))
    return rounds


def _staff() -> tuple[dict[int, User], dict[int, User]]:
    """The demo health visitor of each municipality, and the demo pedagogue of each daycare."""
    usernames = [u.username for u in data.USERS]
    visitors: dict[int, User] = {}
    pedagogues: dict[int, User] = {}
    for membership in (
        Membership.objects.filter(
            user__username__in=usernames, role__in=[Role.HEALTH_VISITOR, Role.PEDAGOGUE]
        )
        .select_related("user", "institution")
        .order_by("user__username", "pk")
    ):
        institution = membership.institution
        if institution is None:
            continue
        if membership.role == Role.HEALTH_VISITOR:
            visitors.setdefault(institution.municipality_id, membership.user)
        else:
            pedagogues.setdefault(institution.pk, membership.user)
    return visitors, pedagogues


def _plan_sessions(
    today: dt.date, version: InstrumentVersion, rng: random.Random
) -> list[PlannedSession]:
    visitors, pedagogues = _staff()
    codes = [spec.code for spec in data.MUNICIPALITIES]
    daycares = list(
        Institution.objects.filter(kind=Institution.Kind.DAYCARE, municipality__code__in=codes)
        .select_related("municipality")
        .order_by("municipality__code", "name")
    )
    recent = _latest_weekday(today - dt.timedelta(days=OPEN_DAYS_AGO))
    planned: list[PlannedSession] = []
    for daycare in daycares:
        visitor = visitors.get(daycare.municipality_id)
        if visitor is None:
            continue
        pedagogue = pedagogues.get(daycare.pk)
        observers = [visitor] + ([pedagogue] if pedagogue is not None else [])
        days = [(year, _weekday_between(rng, first, last)) for year, first, last in _rounds(today)]
        is_open_daycare = daycare.name in OPEN_DAYCARES
        if is_open_daycare:
            # The newest session takes the place of this school year's round.
            days = [(y, d) for y, d in days if y != _school_year(recent)]
            days.append((_school_year(recent), recent))
        for year, day in days:
            if day is None:
                continue
            children = services.enrolled_children(daycare, GROUP, day, version=version)
            if len(children) < MIN_CHILDREN:
                continue
            planned.append(
                PlannedSession(
                    daycare=daycare,
                    held_on=day,
                    school_year=year,
                    is_open=is_open_daycare and day == recent,
                    by=visitor,
                    observers=observers,
                    pedagogue=pedagogue,
                )
            )
    return planned


def _scales(version: InstrumentVersion) -> dict[str, Scale]:
    by_list: dict[str, list[Choice]] = defaultdict(list)
    for choice in Choice.objects.filter(version=version).order_by("list_name", "position"):
        by_list[choice.list_name].append(choice)
    return {
        name: Scale(
            values=[c.value for c in sorted(choices, key=lambda c: (c.remark_weight, -c.position))],
            weights={c.value: c.remark_weight for c in choices},
        )
        for name, choices in by_list.items()
    }


def _remarks_for(kind: str, rng: random.Random) -> tuple[int, int]:
    """How many skill items "not yet" and "on its way" a child of this profile has."""
    if kind == "clean":
        return 0, 0
    if kind == "minor":
        return 0, 1
    if kind == "few":  # 1 ≤ remarks < 3
        return rng.choice([(1, 0), (1, 0), (0, 2), (1, 1), (0, 3), (1, 2), (2, 0), (0, 4)])
    # challenges: remarks ≥ 3
    return rng.choice([(3, 0), (2, 2), (3, 1), (2, 3), (4, 0), (3, 2), (4, 2), (5, 1)])


def _quota(rng: random.Random, shares: dict[str, float], n: int) -> list[str]:
    """``n`` profiles in the given shares (largest remainders), in random order."""
    total = sum(shares.values())
    exact = {kind: share / total * n for kind, share in shares.items()}
    counts = {kind: int(value) for kind, value in exact.items()}
    by_remainder = sorted(exact, key=lambda kind: counts[kind] - exact[kind])
    for kind in by_remainder[: n - sum(counts.values())]:
        counts[kind] += 1
    kinds = [kind for kind, count in counts.items() for _ in range(count)]
    rng.shuffle(kinds)
    return kinds


def _plan_profiles(
    plans: Sequence[PlannedSession], children: dict[int, list[Child]], rng: random.Random
) -> None:
    """Who is absent, and each present child's profile, in exact shares per municipality."""
    present: dict[str, list[tuple[PlannedSession, int]]] = defaultdict(list)
    for plan in plans:
        assert plan.session is not None
        for child in children[plan.session.pk]:
            if rng.random() < ABSENT_SHARE:
                plan.absent.append(child.pk)
            else:
                present[plan.daycare.municipality.code].append((plan, child.pk))
    for code, members in present.items():
        shares = PROFILE_SHARES_ALBERTSLUND if code == ALBERTSLUND else PROFILE_SHARES
        for (plan, child_id), kind in zip(members, _quota(rng, shares, len(members)), strict=True):
            plan.kinds[child_id] = kind


def _plan_answers(
    plan: PlannedSession,
    items: Sequence[Item],
    scales: dict[str, Scale],
    version: InstrumentVersion,
    rng: random.Random,
) -> None:
    """The answers of each present child, from its profile."""
    skills = [i for i in items if not i.is_observation]
    observations = [i for i in items if i.is_observation]
    weights = [ITEM_DIFFICULTY.get(i.code, 1.0) for i in skills]
    for child, kind in plan.kinds.items():
        not_yet, on_its_way = _remarks_for(kind, rng)
        chosen: list[Item] = []
        pool = list(range(len(skills)))
        for _ in range(min(not_yet + on_its_way, len(skills))):
            k = rng.choices(pool, weights=[weights[j] for j in pool])[0]
            pool.remove(k)
            chosen.append(skills[k])
        answers: dict[str, str | None] = {}
        for item in skills:
            scale = scales[item.list_name].values
            if item in chosen[:not_yet]:
                answers[item.code] = scale[-1]  # the weakest: "not yet"
            elif item in chosen[not_yet:]:
                answers[item.code] = scale[min(1, len(scale) - 1)]  # "on its way"
            elif rng.random() < NOT_ASSESSED_SHARE:
                answers[item.code] = None
            else:
                answers[item.code] = scale[0]  # "masters it"
        if rng.random() < INSUFFICIENT_SHARE:
            # Came late or was shy: too few items observed for a summary.
            keep = {i.code for i in rng.sample(skills, k=max(0, version.min_assessed - 2))}
            for item in skills:
                if item.code not in keep:
                    answers[item.code] = None
        observed = OBSERVATION_SHARES_CHALLENGES if kind == "challenges" else OBSERVATION_SHARES
        for item in observations:
            scale = scales[item.list_name].values[:3]
            answers[item.code] = rng.choices(scale, weights=observed[: len(scale)])[0]
        plan.answers[child] = answers


def _summary(
    answers: dict[str, str | None],
    items: Sequence[Item],
    scales: dict[str, Scale],
    rule: engine.Rule,
) -> engine.Summary:
    """As ``services.scores_save`` derives it: skill items only, not assessed counts neither way."""
    weights: list[Decimal | None] = []
    for item in items:
        if item.is_observation or item.code not in answers:
            continue
        value = answers[item.code]
        weights.append(None if value is None else scales[item.list_name].weights[value])
    return engine.summarise(weights, rule)


# --- writing ------------------------------------------------------------------------------------


def _history_copy(model: Any, where: str, params: list[Any], kind: str, on: dt.datetime,
                  user: User) -> None:  # fmt: skip
    """A history row (``kind`` "+" or "~") for each row of ``model`` matching ``where``."""
    history = model.history.model
    special = {"history_id", "history_date", "history_change_reason", "history_type",
               "history_user_id"}  # fmt: skip
    quote = connection.ops.quote_name
    copied = ", ".join(
        quote(f.column) for f in history._meta.concrete_fields if f.attname not in special
    )
    table, history_table = quote(model._meta.db_table), quote(history._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {history_table} ({copied}, history_date, history_type, "  # noqa: S608
            f"history_user_id) SELECT {copied}, %s, %s, %s FROM {table} WHERE {where}",
            [connection.ops.adapt_datetimefield_value(on), kind, user.pk, *params],
        )


def _write_scores_in_bulk(
    plans: Sequence[PlannedSession],
    items: Sequence[Item],
    scales: dict[str, Scale],
    rule: engine.Rule,
    now: dt.datetime,
) -> tuple[int, list[Assessment]]:
    """The closed sessions' scores and summaries, with their history rows, in bulk.

    As ``services.scores_save`` leaves them: a "+" history row per score and a "~" row per
    assessment whose summary changed, dated on the session day, by the health visitor. The ORM's
    bulk methods cost ~3 s here (``bulk_update`` builds a CASE per row); one ``executemany`` per
    table and the history rows copied in SQL, one statement per session, take a tenth of that.
    """
    by_code = {i.code: i for i in items}
    sessions = {p.session.pk: p for p in plans if p.session is not None}
    assessments = list(
        Assessment.objects.filter(session_id__in=list(sessions), present=True).order_by("pk")
    )
    ops = connection.ops
    score_rows: list[tuple[Any, ...]] = []
    update_rows: list[tuple[Any, ...]] = []
    updated: list[Assessment] = []
    for assessment in assessments:
        plan = sessions[assessment.session_id]
        answers = plan.answers.get(assessment.child_id)
        if answers is None:
            continue
        for code, value in answers.items():
            item = by_code[code]
            if value is not None and value not in scales[item.list_name].weights:
                raise ValueError(f"{value!r} is not on the scale of {code!r}.")
            score_rows.append((assessment.pk, item.pk, value or "", value is None))
        summary = _summary(answers, items, scales, rule)
        assessment.remarks = summary.remarks
        assessment.assessed_items = summary.assessed
        assessment.level = summary.level
        assessment.updated_at = local_time(plan.held_on, 11, now)
        update_rows.append(
            (
                ops.adapt_decimalfield_value(summary.remarks, 4, 1),
                summary.assessed,
                summary.level,
                ops.adapt_datetimefield_value(assessment.updated_at),
                assessment.pk,
            )
        )
        updated.append(assessment)
    quote = ops.quote_name
    score_table = quote(Score._meta.db_table)
    assessment_table = quote(Assessment._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {score_table} (assessment_id, item_id, value, not_assessed) "  # noqa: S608
            "VALUES (%s, %s, %s, %s)",
            score_rows,
        )
        cursor.executemany(
            f"UPDATE {assessment_table} SET remarks = %s, assessed_items = %s, "  # noqa: S608
            "level = %s, updated_at = %s WHERE id = %s",
            update_rows,
        )
    for pk, plan in sessions.items():
        when = local_time(plan.held_on, 11, now)
        _history_copy(
            Score,
            f"assessment_id IN (SELECT id FROM {assessment_table} WHERE session_id = %s)",  # noqa: S608
            [pk],
            "+",
            when,
            plan.by,
        )
        _history_copy(
            Assessment, "session_id = %s AND present = %s", [pk, True], "~", when, plan.by
        )
    return len(score_rows), updated


def _score_through_the_grid(plan: PlannedSession) -> int:
    """Part of an open session's children, saved as the grid saves them (``scores_save``)."""
    assert plan.session is not None
    children = sorted(plan.answers)
    scored = children[: max(1, round(OPEN_SCORED_SHARE * len(children)))]
    cells = [
        services.Cell(child, code, services.NOT_ASSESSED if value is None else value)
        for child in scored
        for code, value in plan.answers[child].items()
    ]
    services.scores_save(by=plan.by, session=plan.session, cells=cells)
    # The rest waits for the grid: the session is resumed later.
    for child in children[len(scored) :]:
        plan.answers.pop(child)
    return len(cells)


def _dialogue_text(
    plan: PlannedSession,
    items: Sequence[Item],
    scales: dict[str, Scale],
    levels: dict[int, str],
) -> tuple[str, str, str]:
    """What the group is good at and the agreed focus, from its profile; and the focus domain.

    The profile's strengths and focus areas (``engine.group_profile``); a group that masters
    everything still agrees on a focus: its weakest skill domain.
    """
    specs = [
        engine.ItemSpec(
            code=i.code,
            label=i.label_da,
            domain=i.domain,
            steps=[
                engine.ScaleStep(v, v, scales[i.list_name].weights[v])
                for v in reversed(scales[i.list_name].values)
            ],
            observation=i.is_observation,
        )
        for i in items
    ]
    answers: dict[object, dict[str, str | None]] = {k: v for k, v in plan.answers.items()}
    by_child: dict[object, str] = {k: v for k, v in levels.items()}
    profile = engine.group_profile(specs, answers, present=list(answers), levels=by_child)
    strong = [d.domain for d in profile.strengths if d.domain in STRENGTHS][:2]
    weak = [d.domain for d in profile.focus if d.domain in FOCUS][:2]
    if not weak:
        skills = [
            d
            for d in profile.domains
            if d.domain in FOCUS and d.domain not in strong and d.mastery is not None
        ]
        weak = [min(skills, key=lambda d: d.mastery or 0.0).domain] if skills else []
    strengths = [STRENGTHS[d] for d in strong]
    focus = [FOCUS[d] for d in weak]
    joy = profile.item("joy")
    if joy is not None and (joy.mastery or 0) >= 0.8:
        strengths.append(JOY_TEXT)
    elif joy is not None:
        focus.append(JOY_FOCUS)
    return (
        " ".join(strengths) or DEFAULT_STRENGTH,
        " ".join(focus) or DEFAULT_FOCUS,
        weak[0] if weak else "",
    )


def demo_motor_load(
    *, today: dt.date, seed: int = SEED, stdout: Writer | None = None
) -> MotorDemoResult:
    """Load the demo's motor sessions, unless not applicable (see ``demo_motor_applicable``).

    One transaction: on any error nothing is saved.
    """
    started = time.monotonic()
    with transaction.atomic():
        version = (
            InstrumentVersion.objects.published()
            .filter(instrument__code=INSTRUMENT)
            .order_by("-number")
            .first()
        )
        if version is None or not demo_motor_applicable():
            return MotorDemoResult(loaded=False)
        rng = random.Random(seed)
        now = timezone.now()
        items = list(Item.objects.filter(version=version).order_by("position", "code"))
        scales = _scales(version)
        rule = engine.Rule(
            few_signs_from=version.few_signs_from,
            challenges_from=version.challenges_from,
            min_assessed=version.min_assessed,
        )
        goals = {g.code: g for g in Goal.objects.all()}
        plans = _plan_sessions(today, version, rng)

        for plan in plans:
            plan.session = services.session_create(
                by=plan.by,
                institution=plan.daycare,
                group=GROUP,
                held_on=plan.held_on,
                version=version,
                observers=plan.observers,
            )
        children: dict[int, list[Child]] = defaultdict(list)
        for assessment in (
            Assessment.objects.filter(session__in=[p.session for p in plans])
            .select_related("child")
            .order_by("session_id", "child__first_name", "child__last_name", "child_id")
        ):
            children[assessment.session_id].append(assessment.child)
        _plan_profiles(plans, children, rng)
        for plan in plans:
            assert plan.session is not None
            _plan_answers(plan, items, scales, version, rng)
            for child_id in plan.absent:
                services.assessment_set_present(
                    by=plan.by, session=plan.session, child_id=child_id, present=False
                )

        closed = [p for p in plans if not p.is_open]
        scores, summarised = _write_scores_in_bulk(closed, items, scales, rule, now)
        for plan in plans:
            if plan.is_open:
                scores += _score_through_the_grid(plan)
        levels: dict[int, dict[int, str]] = defaultdict(dict)
        for assessment in Assessment.objects.filter(
            session__in=[p.session for p in plans], present=True
        ).exclude(level=""):
            levels[assessment.session_id][assessment.child_id] = assessment.level

        follow_ups = 0
        dialogues = 0
        for plan in plans:
            session = plan.session
            assert session is not None
            if plan.is_open:
                continue
            # As an observer who confirmed it: a demo group with few summaries stays realistic.
            session = plan.session = services.session_close(
                by=plan.by, session=session, accept_few_observations=True
            )
            for assessment in Assessment.objects.filter(session=session, present=True).order_by(
                "pk"
            ):
                if assessment.level == engine.CHALLENGES:
                    if rng.random() >= FOLLOW_UP_CHALLENGES:
                        continue
                    note = rng.choice(FOLLOW_UP_NOTES)
                elif assessment.level == engine.FEW_SIGNS:
                    if rng.random() >= FOLLOW_UP_FEW_SIGNS:
                        continue
                    note = rng.choice(FEW_SIGNS_NOTES)
                else:
                    continue
                services.follow_up_decide(
                    by=plan.by, assessment=assessment, follow_up=True, note=note
                )
                follow_ups += 1
            dialogues += _record_dialogue(
                plan, plans, items, scales, levels[session.pk], goals, today, rng
            )
        _backdate(plans, now, rng)
    sessions = [p.session for p in plans if p.session is not None]
    summaries = [a for a in summarised if a.level in engine.LEVELS]
    result = MotorDemoResult(
        loaded=True,
        sessions=len(sessions),
        open_sessions=sum(1 for p in plans if p.is_open),
        school_years=len({p.school_year for p in plans}),
        assessments=sum(len(p.answers) for p in plans),
        scores=scores,
        challenges=(
            sum(1 for a in summaries if a.level == engine.CHALLENGES) / len(summaries)
            if summaries
            else 0.0
        ),
        follow_ups=follow_ups,
        dialogues=dialogues,
        seconds=time.monotonic() - started,
    )
    say(stdout, result.summary())
    return result


def _record_dialogue(
    plan: PlannedSession,
    plans: Sequence[PlannedSession],
    items: Sequence[Item],
    scales: dict[str, Scale],
    levels: dict[int, str],
    goals: dict[str, Goal],
    today: dt.date,
    rng: random.Random,
) -> int:
    """The dialogue about a closed session, and last year's follow-up marked as held."""
    session = plan.session
    assert session is not None
    held_on = min(plan.held_on + dt.timedelta(days=rng.randint(10, 18)), today)
    newest = max(p.held_on for p in plans if p.daycare.pk == plan.daycare.pk)
    if plan.daycare.name == DUE_DAYCARE and plan.held_on == newest:
        # Due yesterday: the demo pedagogue's landing page shows it.
        follow_up_on = max(held_on, today - dt.timedelta(days=1))
    else:
        follow_up_on = held_on + dt.timedelta(days=rng.randint(110, 160))
    strengths, focus, domain = _dialogue_text(plan, items, scales, levels)
    chosen = [goals[code] for code in ("play",) if code in goals]
    if "closeness" in goals and rng.random() < 0.3:
        chosen.append(goals["closeness"])
    by = plan.pedagogue or plan.by
    dialogue = services.dialogue_record(
        by=by,
        session=session,
        held_on=held_on,
        strengths=strengths,
        focus=focus,
        participants=plan.observers,
        other_participants=OTHER_PARTICIPANTS,
        goals=chosen,
        follow_up_on=follow_up_on,
    )
    done_on = follow_up_on + dt.timedelta(days=rng.randint(0, 10))
    if follow_up_on < today - dt.timedelta(days=14) and done_on <= today:
        services.dialogue_follow_up_done(
            by=by,
            dialogue=dialogue,
            done_on=done_on,
            note=FOLLOW_UP_DONE_NOTES.get(domain, FOLLOW_UP_DONE_DEFAULT),
        )
    return 1


def _backdate(plans: Sequence[PlannedSession], now: dt.datetime, rng: random.Random) -> None:
    """Creation and closing times on the days they happened (the services stamp "now")."""
    sessions = []
    for plan in plans:
        session = plan.session
        assert session is not None
        session.created_at = local_time(plan.held_on, 9, now)
        if session.closed_at is not None:
            session.closed_at = local_time(
                plan.held_on + dt.timedelta(days=rng.randint(0, 3)), 15, now
            )
        sessions.append(session)
    Session.objects.bulk_update(sessions, ["created_at", "closed_at"])
    dialogues = list(Dialogue.objects.filter(session__in=sessions))
    for dialogue in dialogues:
        dialogue.created_at = local_time(dialogue.held_on, 14, now)
    Dialogue.objects.bulk_update(dialogues, ["created_at"])
