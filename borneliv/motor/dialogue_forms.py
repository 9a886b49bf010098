"""The dialogue form: the conversation about a group profile, its agreed focus and follow-up."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from borneliv.accounts.models import Membership, Role, User, today
from borneliv.lib.forms import VersionedFormMixin
from borneliv.motor.models import Dialogue, Session
from borneliv.organisations.models import Goal


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class ParticipantField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.get_username()


def participant_choices(session: Session, dialogue: Dialogue | None = None) -> QuerySet[User]:
    """Who can take part: the municipality's health visitors and the daycare's pedagogues.

    Memberships valid today; a dialogue's recorded participants stay on the list even after
    their membership has ended, so editing it never drops them silently.
    """
    members = Membership.objects.valid_on(today()).filter(
        Q(
            role=Role.HEALTH_VISITOR,
            institution__municipality_id=session.institution.municipality_id,
        )
        | Q(role=Role.PEDAGOGUE, institution_id=session.institution_id)
    )
    query = Q(pk__in=members.values("user_id"))
    if dialogue is not None:
        query |= Q(pk__in=dialogue.participants.values("pk"))
    return User.objects.filter(query, is_active=True).order_by("first_name", "last_name", "pk")


class DialogueForm(VersionedFormMixin, forms.Form):
    held_on = forms.DateField(label=_("Date of the dialogue"), widget=DateInput)
    participants = ParticipantField(
        label=_("Participants"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Health visitors and the daycare's pedagogues. You are added if none is chosen."
        ),
    )
    other_participants = forms.CharField(
        label=_("Other participants"),
        required=False,
        max_length=300,
        help_text=_("Names of others who took part, e.g. the daycare leader."),
    )
    strengths = forms.CharField(
        label=_("What the group is good at"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Started from the group profile: change it to what you agreed on."),
    )
    focus = forms.CharField(
        label=_("Agreed pedagogical focus"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What the daycare will work on with the group, and how."),
    )
    goals = forms.ModelMultipleChoiceField(
        label=_("The programme's goals it supports"),
        queryset=Goal.objects.order_by("sort_order"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    follow_up_on = forms.DateField(
        label=_("Follow up on"),
        required=False,
        widget=DateInput,
        help_text=_("The follow-up appears on the daycare's front page from this date."),
    )

    def __init__(
        self, *args: Any, session: Session, dialogue: Dialogue | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, record=dialogue, **kwargs)
        participants: Any = self.fields["participants"]
        participants.queryset = participant_choices(session, dialogue)

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "held_on": data["held_on"],
            "participants": list(data["participants"]),
            "other_participants": data["other_participants"],
            "strengths": data["strengths"],
            "focus": data["focus"],
            "goals": list(data["goals"]),
            "follow_up_on": data.get("follow_up_on"),
            **({"version": self.version} if self.record is not None else {}),
        }


def initial_for(dialogue: Dialogue) -> dict[str, Any]:
    return {
        "held_on": dialogue.held_on,
        "participants": list(dialogue.participants.all()),
        "other_participants": dialogue.other_participants,
        "strengths": dialogue.strengths,
        "focus": dialogue.focus,
        "goals": list(dialogue.goals.all()),
        "follow_up_on": dialogue.follow_up_on,
    }


class FollowUpDoneForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)
    next = forms.CharField(required=False, widget=forms.HiddenInput)
