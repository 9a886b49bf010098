"""Forms of the health-visiting pages: worklist filters, contacts, skipping a stage."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from borneliv.growth.forms import height_field, position_field, weight_field
from borneliv.healthvisits.models import Contact, ContactMode, Outcome, Stage, StageSkip, Topic
from borneliv.healthvisits.selectors import Bucket, Sort, WorklistFilters
from borneliv.healthvisits.services import VisitMeasurement
from borneliv.lib.forms import VersionedFormMixin


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class WorklistFilterForm(forms.Form):
    """The worklist's query string: bucket, area, stage, programme only, sort order."""

    bucket = forms.ChoiceField(
        required=False,
        choices=[("", _("All open contacts"))] + [(b.value, b.value) for b in Bucket],
        widget=forms.HiddenInput,
    )
    area = forms.TypedChoiceField(label=_("Area"), required=False, coerce=int, empty_value=None)
    stage = forms.ChoiceField(label=_("Contact"), required=False)
    programme = forms.BooleanField(label=_("Programme contacts only"), required=False)
    sort = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        data: Any,
        *,
        areas: Sequence[tuple[int, str]],
        stages: Sequence[Stage],
    ) -> None:
        super().__init__(data)
        area_field: Any = self.fields["area"]
        area_field.choices = [("", _("All areas")), *areas]
        stage_field: Any = self.fields["stage"]
        stage_field.choices = [("", _("All contacts"))] + [(s.code, s.name) for s in stages]

    def filters(self) -> WorklistFilters:
        """The filters chosen; invalid parts of the query string fall back to the defaults."""
        # Invalid parts of the query string (a stale area id, say) are left out of cleaned_data;
        # the valid rest still applies.
        self.is_valid()
        data = self.cleaned_data
        raw_sort = str(data.get("sort") or "")
        descending = raw_sort.startswith("-")
        try:
            sort = Sort(raw_sort.lstrip("-"))
        except ValueError:
            sort, descending = Sort.WINDOW_END, False
        bucket = data.get("bucket") or None
        return WorklistFilters(
            bucket=Bucket(bucket) if bucket else None,
            area_id=data.get("area"),
            stage=data.get("stage") or "",
            programme_only=bool(data.get("programme")),
            sort=sort,
            descending=descending,
        )


class ContactForm(VersionedFormMixin, forms.Form):
    """One contact as one registration: what happened, the topics, the next contact of a
    series, and — when a new contact is recorded — the weight and length measured on it."""

    contact_date = forms.DateField(label=_("Date"), widget=DateInput)
    mode = forms.ChoiceField(label=_("Contact mode"), choices=ContactMode.choices)
    stage = forms.ModelChoiceField(
        label=_("Stage of the schedule"),
        queryset=Stage.objects.none(),
        required=False,
        empty_label=_("— not a scheduled contact —"),
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=Outcome.choices, widget=forms.RadioSelect
    )
    topics = forms.ModelMultipleChoiceField(
        label=_("Topics covered"),
        queryset=Topic.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    next_contact_on = forms.DateField(
        label=_("Next call planned"),
        required=False,
        widget=DateInput,
        help_text=_(
            "Breastfeeding counselling is a series: plan the next call, or leave the field "
            "empty when the family needs no more calls."
        ),
    )
    weight_kg = weight_field(help_text=_("In kilograms, e.g. 7.45."))
    height_cm = height_field(
        label=_("Length or height (cm)"),
        help_text=_("In centimetres, to one decimal, e.g. 66.5."),
    )
    position = position_field()
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    MEASUREMENT_FIELDS = ("weight_kg", "height_cm", "position")

    def __init__(
        self,
        *args: Any,
        contact: Contact | None = None,
        measure: bool = True,
        **kwargs: Any,
    ) -> None:
        # The contact being changed: the hidden lock_version and conflicts (lib.forms).
        super().__init__(*args, record=contact, **kwargs)
        stages = Stage.objects.active()
        topics = Topic.objects.filter(is_active=True)
        if contact is not None:
            # A contact keeps its stage and topics even if they were retired since.
            if contact.stage_id:
                stages = Stage.objects.filter(pk=contact.stage_id) | stages
            topics = topics | Topic.objects.filter(contacts=contact)
        # A measurement is recorded with a new contact; a stored one is changed on the growth
        # page (it may have been reviewed since).
        self.measure = measure and contact is None
        if not self.measure:
            for name in self.MEASUREMENT_FIELDS:
                del self.fields[name]
        stage_field: Any = self.fields["stage"]
        stage_field.queryset = stages.distinct().order_by("sort_order", "window_start_days")
        topic_field: Any = self.fields["topics"]
        topic_field.queryset = topics.distinct().order_by("sort_order")
        self.stage_choices = list(stage_field.queryset.prefetch_related("focus_topics"))

    @property
    def focus_topic_ids(self) -> dict[int, list[int]]:
        """Per stage id, the ids of its focus themes (for the page's script)."""
        return {s.pk: [t.pk for t in s.focus_topics.all()] for s in self.stage_choices if s.pk}

    @property
    def series_stage_ids(self) -> list[int]:
        return [s.pk for s in self.stage_choices if s.is_series]

    @property
    def focus_topics(self) -> list[Topic]:
        """The focus themes of every stage offered, in catalogue order."""
        seen = {t.pk: t for s in self.stage_choices for t in s.focus_topics.all()}
        return sorted(seen.values(), key=lambda t: t.sort_order)

    def topic_choices(self, *, focus: bool) -> list[Any]:
        """The topic checkboxes split in two: the focus themes, and all the others."""
        focus_ids = {t.pk for t in self.focus_topics}
        return [
            choice
            for choice in self["topics"]
            if (int(str(choice.data["value"])) in focus_ids) == focus
        ]

    def visit_measurement(self) -> VisitMeasurement | None:
        if not self.measure:
            return None
        data = self.cleaned_data
        return VisitMeasurement(
            weight_kg=data.get("weight_kg"),
            height_cm=data.get("height_cm"),
            position=data.get("position") or "",
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.measure and data.get("height_cm") is not None and not data.get("position"):
            self.add_error("position", _("Say whether the child was measured lying or standing."))
        measured = self.measure and (
            data.get("weight_kg") is not None or data.get("height_cm") is not None
        )
        if measured and data.get("outcome") and data["outcome"] != Outcome.COMPLETED:
            self.add_error(
                "weight_kg", _("A measurement is recorded only on a contact that took place.")
            )
        return data


class SkipForm(forms.Form):
    stage = forms.ModelChoiceField(
        label=_("Stage"), queryset=Stage.objects.none(), empty_label=_("— choose a stage —")
    )
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=[("", _("— choose a reason —")), *StageSkip.Reason.choices],
    )
    explanation = forms.CharField(
        label=_("Explanation"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the reason is “other”."),
    )
    skipped_on = forms.DateField(label=_("Date"), widget=DateInput)

    def __init__(self, *args: Any, stages: Sequence[Stage] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stage_field: Any = self.fields["stage"]
        stage_field.queryset = Stage.objects.filter(pk__in=[s.pk for s in stages]).order_by(
            "sort_order", "window_start_days"
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("reason") == StageSkip.Reason.OTHER
            and not (data.get("explanation") or "").strip()
        ):
            self.add_error("explanation", _("Explain the reason when it is “other”."))
        return data
