"""The motor assessment's API under ``/api/v1/motor/``: instruments (export), sessions (scoped,
pseudonymous child ids, every read of a child's assessment logged) and group profiles.

Instruments are reference data: anyone with a role reads the published and retired versions
(drafts only those who manage instruments). Sessions are scoped by
``Session.objects.visible_to`` like the pages: a session outside the caller's scope answers 404,
and project leaders and researchers, who see only aggregates, get an empty list. A child is known
only by its random ``public_id`` and first name (as in the children API); reading a session's
children writes one access-log row per child (view ``motor_api``).

No ``from __future__ import annotations`` here, for the reason given in
``borneliv/organisations/api.py`` (ninja's ``Query[FilterSchema]`` under ``@paginate``).
"""

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import HttpRequest
from ninja import Field, FilterLookup, FilterSchema, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from borneliv.accounts.actors import request_user
from borneliv.children.services import access_log_record
from borneliv.motor import instruments, instruments_selectors
from borneliv.motor.models import Assessment, Level, Score, Session

router = Router(tags=["motor"])


class Message(Schema):
    detail: str


# --- instruments --------------------------------------------------------------------------------


class VersionSummaryOut(Schema):
    number: int
    status: str = Field(description="draft, published or retired")
    is_starting_point: bool = Field(description="Shipped as a starting point to adjust")
    age_min_months: int
    age_max_months: int
    items: int = Field(description="Number of items")
    published_at: dt.datetime | None


class InstrumentOut(Schema):
    code: str
    name_da: str
    name_en: str
    description_da: str
    description_en: str
    versions: list[VersionSummaryOut] = Field(description="Newest first")


class DocumentInstrumentOut(Schema):
    code: str
    name_da: str
    name_en: str
    description_da: str
    description_en: str


class DocumentRuleOut(Schema):
    few_signs_from: str = Field(description="Remarks from which: few signs (a decimal)")
    challenges_from: str = Field(description="Remarks from which: challenges (a decimal)")
    min_assessed: int = Field(description="Fewest skill items observed for a summary")


class DocumentVersionOut(Schema):
    number: int
    is_starting_point: bool
    age_min_months: int
    age_max_months: int
    note_da: str
    note_en: str
    rule: DocumentRuleOut


class DocumentChoiceOut(Schema):
    list_name: str = Field(description="The scale")
    value: str
    label_da: str
    label_en: str
    remark_weight: str = Field(description="0 to 1, a decimal: 1 = a full remark")


class DocumentItemOut(Schema):
    code: str
    domain: str
    list_name: str = Field(description="The item's scale (choices with this list_name)")
    label_da: str
    label_en: str
    guidance_da: str
    guidance_en: str


class InstrumentDocumentOut(Schema):
    format: str = Field(description=f'Always "{instruments.FORMAT}"')
    format_version: int
    instrument: DocumentInstrumentOut
    version: DocumentVersionOut
    choices: list[DocumentChoiceOut] = Field(description="Scale by scale, weakest answer first")
    items: list[DocumentItemOut] = Field(description="In the order they are observed")


@router.get("/instruments", response={200: list[InstrumentOut], 403: Message})
def list_instruments(request: HttpRequest) -> Any:
    """The instruments and their versions (drafts only for administrators)."""
    user = request_user(request)
    if not user.has_perm("motor.view_instrument"):
        return Status(403, {"detail": "You need a role to read the instruments."})
    return [
        {
            "code": i.code,
            "name_da": i.name_da,
            "name_en": i.name_en,
            "description_da": i.description_da,
            "description_en": i.description_en,
            "versions": [
                {
                    "number": v.number,
                    "status": v.status,
                    "is_starting_point": v.is_starting_point,
                    "age_min_months": v.age_min_months,
                    "age_max_months": v.age_max_months,
                    "items": v.item_count,
                    "published_at": v.published_at,
                }
                for v in i.visible_versions  # type: ignore[attr-defined]
            ],
        }
        for i in instruments_selectors.instruments_for(user)
    ]


@router.get(
    "/instruments/{code}/versions/{number}",
    response={200: InstrumentDocumentOut, 403: Message, 404: Message},
)
def get_instrument_version(request: HttpRequest, code: str, number: int) -> Any:
    """One version as the JSON document the import reads (the same as the page's export)."""
    user = request_user(request)
    if not user.has_perm("motor.view_instrument"):
        return Status(403, {"detail": "You need a role to read the instruments."})
    version = instruments_selectors.version_for(user, code, number)
    if version is None:
        return Status(404, {"detail": "Not Found"})
    return instruments.to_dict(instruments.document_from_version(version))


# --- sessions ---------------------------------------------------------------------------------


class SessionFilter(FilterSchema):
    daycare_id: Annotated[int | None, FilterLookup("institution_id")] = Field(
        None, description="Held in this daycare"
    )
    group: Annotated[str | None, FilterLookup("group__iexact")] = Field(
        None, description="The daycare group's name"
    )
    held_from: Annotated[dt.date | None, FilterLookup("held_on__gte")] = Field(
        None, description="Held on or after"
    )
    held_to: Annotated[dt.date | None, FilterLookup("held_on__lte")] = Field(
        None, description="Held on or before"
    )
    status: Annotated[Literal["open", "closed"] | None, FilterLookup("status")] = None
    instrument: Annotated[str | None, FilterLookup("version__instrument__code")] = Field(
        None, description="The instrument's code, e.g. motor-4"
    )


class SessionCountsOut(Schema):
    children: int = Field(description="Children on the session")
    present: int
    age_appropriate: int
    few_signs: int
    challenges: int
    insufficient: int = Field(description="Present, but too few skill items observed")
    follow_up: int = Field(description="Marked to talk with the parents / follow up")


class SessionOut(Schema):
    id: uuid.UUID = Field(description="The session's public id")
    daycare_id: int
    daycare: str
    group: str
    held_on: dt.date
    instrument: str = Field(description="The instrument's code")
    version: int = Field(description="The instrument version's number")
    status: str = Field(description="open or closed")
    counts: SessionCountsOut

    @staticmethod
    def resolve_id(obj: Session) -> uuid.UUID:
        return obj.public_id

    @staticmethod
    def resolve_daycare_id(obj: Session) -> int:
        return obj.institution_id

    @staticmethod
    def resolve_daycare(obj: Session) -> str:
        return obj.institution.name

    @staticmethod
    def resolve_instrument(obj: Session) -> str:
        return obj.version.instrument.code

    @staticmethod
    def resolve_version(obj: Session) -> int:
        return obj.version.number

    @staticmethod
    def resolve_counts(obj: Session) -> dict[str, int]:
        return {name: getattr(obj, f"n_{name}") for name in COUNTS}


class ScoreOut(Schema):
    item: str = Field(description="The item's code")
    value: str = Field(description="The answer's value; empty when not assessed")
    not_assessed: bool


class AssessmentOut(Schema):
    child: uuid.UUID = Field(description="The child's pseudonymous id (not the CPR number)")
    first_name: str
    present: bool
    level: str = Field(
        description="age_appropriate, few_signs, challenges, insufficient; empty if absent"
    )
    remarks: float | None = Field(description="The summed remark weights of the skill items")
    assessed_items: int = Field(description="Skill items observed")
    follow_up: bool = Field(description="The health visitor's decision to talk with the parents")
    follow_up_note: str
    scores: list[ScoreOut]


class SessionDetailOut(SessionOut):
    observers: list[str] = Field(description="Usernames of the observers with an account")
    other_observers: str
    note: str
    closed_at: dt.datetime | None
    assessments: list[AssessmentOut] = Field(description="One per child, by first name")

    @staticmethod
    def resolve_observers(obj: Session) -> list[str]:
        return sorted(o.username for o in obj.observers.all())

    @staticmethod
    def resolve_assessments(obj: Session) -> list[dict[str, Any]]:
        return [
            {
                "child": a.child.public_id,
                "first_name": a.child.first_name,
                "present": a.present,
                "level": a.level,
                "remarks": None if a.remarks is None else float(a.remarks),
                "assessed_items": a.assessed_items,
                "follow_up": a.follow_up,
                "follow_up_note": a.follow_up_note,
                "scores": [
                    {"item": s.item.code, "value": s.value, "not_assessed": s.not_assessed}
                    for s in a.scores.all()
                ],
            }
            for a in obj.assessments.all()
        ]


COUNTS = {
    "children": Count("assessments"),
    "present": Count("assessments", filter=Q(assessments__present=True)),
    "age_appropriate": Count("assessments", filter=Q(assessments__level=Level.AGE_APPROPRIATE)),
    "few_signs": Count("assessments", filter=Q(assessments__level=Level.FEW_SIGNS)),
    "challenges": Count("assessments", filter=Q(assessments__level=Level.CHALLENGES)),
    "insufficient": Count("assessments", filter=Q(assessments__level=Level.INSUFFICIENT)),
    "follow_up": Count("assessments", filter=Q(assessments__follow_up=True)),
}


def _sessions(request: HttpRequest) -> QuerySet[Session]:
    return (
        Session.objects.visible_to(request_user(request))
        .select_related("institution", "version__instrument")
        .annotate(**{f"n_{name}": count for name, count in COUNTS.items()})
    )


@router.get("/sessions", response=list[SessionOut])
@paginate(PageNumberPagination)
def list_sessions(request: HttpRequest, filters: Query[SessionFilter]) -> Any:
    """The sessions you may see, newest first, with counts per summary level (no children)."""
    return filters.filter(_sessions(request)).order_by("-held_on", "institution__name", "group")


@router.get("/sessions/{public_id}", response={200: SessionDetailOut, 404: Message})
def get_session(request: HttpRequest, public_id: uuid.UUID) -> Any:
    """One session with each child's summary and scores (each child is access-logged)."""
    user = request_user(request)
    session = (
        _sessions(request)
        .filter(public_id=public_id)
        .prefetch_related(
            "observers",
            Prefetch(
                "assessments",
                queryset=Assessment.objects.select_related("child")
                .order_by("child__first_name", "child__last_name", "pk")
                .prefetch_related(
                    Prefetch(
                        "scores",
                        queryset=Score.objects.select_related("item").order_by(
                            "item__position", "item__code"
                        ),
                    )
                ),
            ),
        )
        .first()
    )
    if session is None:
        return Status(404, {"detail": "Not Found"})
    children = [a.child for a in session.assessments.all()]
    access_log_record(user=user, children=children, view="motor_api")
    return session
