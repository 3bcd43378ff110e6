"""Forms parse and present; services.py validates and saves. The dates, the category and
the end are passed on as entered, so the law's limits and their messages are the
service's alone."""

import datetime as dt
from typing import cast

from django import forms
from django.utils import timezone

from threadline.chronology.forms import TimeField
from threadline.web.forms import GovUKDateField, GovUKForm, GovUKRadios

from .models import EndReason, OrderType, PlanCategory, ProceedingsOutcome

# Service errors shown on the form's own fields.
FIELD_MAP = {"starts_at": "starts_time", "ends_at": "starts_time"}


class OrderForm(GovUKForm):
    """A plan, order or proceedings. The page shows the category under "Child-protection
    plan" and the time under "Police protection" (GOV.UK conditional reveal)."""

    order_type = forms.ChoiceField(
        label="What kind of plan or order?",
        widget=GovUKRadios,
        error_messages={
            "required": "Select the kind of plan or order",
            "invalid_choice": "Select a kind of plan or order your agency records",
        },
    )
    category = forms.ChoiceField(
        label="Category of abuse or neglect",
        choices=PlanCategory.choices,
        widget=GovUKRadios,
        required=False,
        help_text="The category the conference recorded",
    )
    starts_on = GovUKDateField(
        label="Date it was made or started",
        required=False,
        help_text="For example, 27 3 2026",
    )
    starts_time = TimeField()
    ends_on = GovUKDateField(
        label="End date (optional)",
        required=False,
        help_text="Only if the court set one. Otherwise a supervision order lasts a year, an "
        "emergency protection order 8 days and police protection 72 hours; plans and care "
        "orders have no set end",
    )
    court = forms.CharField(
        label="Court (optional)",
        required=False,
        max_length=200,
        help_text="For a court order, for example Northmoor Family Court",
    )
    case_number = forms.CharField(
        label="Court case number (optional)",
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20"}),
    )
    made_by = forms.CharField(
        label="Made by (optional)",
        required=False,
        max_length=200,
        help_text="The judge, the conference and its chair, or the police officer",
    )
    notes = forms.CharField(
        label="Notes (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Conditions, directions or anything agencies need to know about it",
    )

    def __init__(self, *args, types: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        kinds = cast(forms.ChoiceField, self.fields["order_type"])
        kinds.choices = [(t, OrderType(t).label) for t in types]
        if len(types) == 1:
            kinds.initial = types[0]
        time = self.fields["starts_time"]
        time.label = "Time the child was taken into police protection"
        time.help_text = "For example, 22:15 (a 24-hour clock). It ends 72 hours later"

    def service_fields(self) -> dict:
        """The service's fields: a category only for a plan, a moment only for police
        protection (the boxes the page hides for other kinds may still hold values)."""
        data = self.cleaned_data
        kind = data["order_type"]
        starts_at = None
        if kind == OrderType.POLICE_PROTECTION and data["starts_on"] and data["starts_time"]:
            starts_at = timezone.make_aware(
                dt.datetime.combine(data["starts_on"], data["starts_time"])
            )
        return {
            "order_type": kind,
            "category": data["category"] if kind == OrderType.CP_PLAN else "",
            "starts_on": data["starts_on"],
            "starts_at": starts_at,
            "ends_on": data["ends_on"],
            "court": data["court"],
            "case_number": data["case_number"],
            "made_by": data["made_by"],
            "notes": data["notes"],
        }


class ExtendForm(GovUKForm):
    new_end = GovUKDateField(
        label="New end date", required=False, help_text="The date the court extended it to"
    )
    granted_on = GovUKDateField(
        label="Date the court granted the extension",
        required=False,
        help_text="Today, unless you are recording it later",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["granted_on"].initial = timezone.localdate()


class EndForm(GovUKForm):
    ended_on = GovUKDateField(label="Date it ended", required=False)
    reason = forms.ChoiceField(
        label="Why did it end?",
        choices=[(v, label) for v, label in EndReason.choices if v != EndReason.CONCLUDED],
        widget=GovUKRadios,
        error_messages={"required": "Select why it ended"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ended_on"].initial = timezone.localdate()


class ConcludeForm(GovUKForm):
    concluded_on = GovUKDateField(label="Date the proceedings concluded", required=False)
    outcome = forms.ChoiceField(
        label="What did the court decide?",
        choices=ProceedingsOutcome.choices,
        widget=GovUKRadios,
        error_messages={"required": "Select the outcome"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["concluded_on"].initial = timezone.localdate()
