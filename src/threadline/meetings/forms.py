"""Forms parse and present; services.py validates and saves. The date and time, the place,
the decisions and the actions are passed on as entered, so the rules about meetings and
their messages are the service's alone. The outcome has a fixed number of blank rows for
decisions and actions; rows left empty are ignored."""

import datetime as dt
from typing import cast

from django import forms
from django.utils import timezone

from threadline.agencies.models import Agency, Practitioner
from threadline.chronology.forms import TimeField
from threadline.orders.models import PlanCategory
from threadline.web.forms import GovUKCheckboxes, GovUKDateField, GovUKForm, GovUKRadios

from .models import Attendance, DecisionType, MeetingType, PlacementEndReason

# Service errors shown on the form's own fields.
FIELD_MAP = {"starts_at": "starts_on"}
DECISION_ROWS = 3
ACTION_ROWS = 5
DECISION_FIELDS = ("decision_type", "category", "agreed_by", "dissent", "detail")
ACTION_FIELDS = ("description", "owner", "due_on")


def _people(practitioners) -> list[tuple[str, str]]:
    return [(str(p.pk), f"{p} ({p.agency.name})") for p in practitioners]


class ArrangeForm(GovUKForm):
    meeting_type = forms.ChoiceField(
        label="What kind of meeting?",
        choices=MeetingType.choices,
        widget=GovUKRadios,
        error_messages={"required": "Select the kind of meeting"},
    )
    starts_on = GovUKDateField(label="Date", required=False, help_text="For example, 27 3 2026")
    starts_time = TimeField()
    place = forms.CharField(
        label="Where (optional if it is a call)",
        required=False,
        max_length=300,
        help_text="For example, Northmoor Civic Centre, room 4",
    )
    call_details = forms.CharField(
        label="How to join the call (optional)",
        required=False,
        max_length=500,
        help_text="The link or dial-in number, for a meeting held online or by phone",
    )
    chair = forms.ChoiceField(
        label="Chair (optional)",
        required=False,
        help_text="Leave it blank if the chair is not yet known",
    )
    agencies = forms.MultipleChoiceField(
        label="Agencies to invite",
        required=False,
        widget=GovUKCheckboxes,
        help_text="The agencies in the child's network. Your agency is always invited",
    )
    other_agency = forms.ChoiceField(
        label="Another agency to invite (optional)",
        required=False,
    )
    reports_from = forms.MultipleChoiceField(
        label="Which agencies must send a written report?",
        required=False,
        widget=GovUKCheckboxes,
        help_text="Reports are due three working days before the meeting",
    )

    def __init__(self, *args, agency: Agency, network: list[Agency], **kwargs):
        super().__init__(*args, **kwargs)
        self.agencies_by_id = {str(a.pk): a for a in Agency.objects.all()}
        others = [a for a in network if a.pk != agency.pk]
        invite = [(str(a.pk), a.name) for a in others]
        cast(forms.ChoiceField, self.fields["agencies"]).choices = invite
        known = {a.pk for a in network} | {agency.pk}
        cast(forms.ChoiceField, self.fields["other_agency"]).choices = [("", "None")] + sorted(
            ((k, a.name) for k, a in self.agencies_by_id.items() if a.pk not in known),
            key=lambda choice: choice[1],
        )
        cast(forms.ChoiceField, self.fields["reports_from"]).choices = invite + [
            ("other", "The other agency chosen above")
        ]
        self.chairs = {
            str(p.pk): p
            for p in Practitioner.objects.filter(agency=agency, is_active=True)
            .select_related("agency")
            .order_by("first_name", "last_name")
        }
        cast(forms.ChoiceField, self.fields["chair"]).choices = [("", "To be confirmed")] + [
            (k, str(p)) for k, p in self.chairs.items()
        ]
        self.fields["starts_time"].label = "Time"
        self.fields["starts_time"].help_text = "For example, 10:00 (a 24-hour clock)"

    def service_fields(self) -> dict:
        data = self.cleaned_data
        starts_at = None
        if data["starts_on"] and data["starts_time"]:
            starts_at = timezone.make_aware(
                dt.datetime.combine(data["starts_on"], data["starts_time"])
            )
        other = self.agencies_by_id.get(data["other_agency"] or "")
        agencies = [self.agencies_by_id[k] for k in data["agencies"]]
        reports = [self.agencies_by_id[k] for k in data["reports_from"] if k != "other"]
        if other is not None:
            agencies.append(other)
            if "other" in data["reports_from"]:
                reports.append(other)
        return {
            "meeting_type": data["meeting_type"],
            "starts_at": starts_at,
            "place": data["place"],
            "call_details": data["call_details"],
            "chair": self.chairs.get(data["chair"] or ""),
            "agencies": agencies,
            "reports_from": reports,
        }


class ReportForm(GovUKForm):
    content = forms.CharField(
        label="Your agency's report",
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text="What your agency knows about the child and family, your concerns, and "
        "what your agency is doing. Every agency invited reads it",
    )


class AttendanceForm(GovUKForm):
    agency = forms.ChoiceField(label="Agency", error_messages={"required": "Select the agency"})
    attendance = forms.ChoiceField(
        label="Did they attend?",
        choices=Attendance.choices,
        widget=GovUKRadios,
        error_messages={"required": "Select whether they attended"},
    )

    def __init__(self, *args, invitations, **kwargs):
        super().__init__(*args, **kwargs)
        self.invited = {str(i.agency_id): i.agency for i in invitations}
        cast(forms.ChoiceField, self.fields["agency"]).choices = [
            (k, a.name) for k, a in self.invited.items()
        ]

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {"agency": self.invited[data["agency"]], "attendance": data["attendance"]}


class CancelForm(GovUKForm):
    reason = forms.CharField(
        label="Why is the meeting cancelled?",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Everyone invited is told",
    )


class OutcomeForm(GovUKForm):
    """The outcome, with DECISION_ROWS decision rows (`decision_1_type`…) and
    ACTION_ROWS action rows (`action_1_description`…); the template lays them out."""

    held_on = GovUKDateField(label="Date it was held", required=False)
    chair = forms.ChoiceField(label="Who chaired it?", required=False)
    minutes = forms.CharField(
        label="Minutes",
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="They go to every agency invited",
    )

    def __init__(self, *args, chairs, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {str(p.pk): p for p in [*chairs, *owners]}
        cast(forms.ChoiceField, self.fields["chair"]).choices = [("", "Select the chair")] + [
            (str(p.pk), str(p)) for p in chairs
        ]
        self.fields["held_on"].initial = timezone.localdate()
        for n in range(1, DECISION_ROWS + 1):
            self.fields[f"decision_{n}_decision_type"] = forms.ChoiceField(
                label="Decision",
                required=False,
                choices=[("", "Select a decision")] + DecisionType.choices,
            )
            self.fields[f"decision_{n}_category"] = forms.ChoiceField(
                label="Category, for a plan made",
                required=False,
                choices=[("", "Not a plan made")] + PlanCategory.choices,
            )
            self.fields[f"decision_{n}_agreed_by"] = forms.CharField(
                label="Who agreed",
                required=False,
                max_length=500,
                help_text="The agencies that agreed",
            )
            self.fields[f"decision_{n}_dissent"] = forms.CharField(
                label="Who disagreed, and why (optional)", required=False
            )
            self.fields[f"decision_{n}_detail"] = forms.CharField(
                label="Detail (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
        for n in range(1, ACTION_ROWS + 1):
            self.fields[f"action_{n}_description"] = forms.CharField(
                label="What is to be done", required=False, max_length=500
            )
            self.fields[f"action_{n}_owner"] = forms.ChoiceField(
                label="Who will do it",
                required=False,
                choices=[("", "Select who")] + _people(owners),
            )
            self.fields[f"action_{n}_due_on"] = GovUKDateField(label="Due by", required=False)
        # Re-run the GOV.UK classes over the rows added here.
        for name in self.fields:
            if name.startswith(("decision_", "action_")):
                widget = self.fields[name].widget
                css = {
                    forms.TextInput: "govuk-input",
                    forms.Select: "govuk-select",
                    forms.Textarea: "govuk-textarea",
                }.get(type(widget))
                if css and css not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = f"{css} {widget.attrs.get('class', '')}".strip()

    def decision_rows(self) -> list[list]:
        return [
            [self[f"decision_{n}_{name}"] for name in DECISION_FIELDS]
            for n in range(1, DECISION_ROWS + 1)
        ]

    def action_rows(self) -> list[list]:
        return [
            [self[f"action_{n}_{name}"] for name in ACTION_FIELDS]
            for n in range(1, ACTION_ROWS + 1)
        ]

    def service_fields(self) -> dict:
        data = self.cleaned_data
        decisions = []
        for n in range(1, DECISION_ROWS + 1):
            row = {name: data[f"decision_{n}_{name}"] for name in DECISION_FIELDS}
            if any(row.values()):
                decisions.append(row)
        actions = []
        for n in range(1, ACTION_ROWS + 1):
            row = {name: data[f"action_{n}_{name}"] for name in ACTION_FIELDS}
            if any(row.values()):
                row["owner"] = self.people.get(row["owner"] or "")
                actions.append(row)
        return {
            "held_on": data["held_on"],
            "chair": self.people.get(data["chair"] or ""),
            "decisions": decisions,
            "actions": actions,
            "minutes": data["minutes"],
        }


# --- placement agreements ---------------------------------------------------------------

ROLE_ROWS = 5
ROLE_FIELDS = ("party", "agency", "responsibilities")


def _agency_choices(empty: str) -> tuple[dict[str, Agency], list[tuple[str, str]]]:
    agencies = {str(a.pk): a for a in Agency.objects.order_by("name")}
    return agencies, [("", empty)] + [(k, a.name) for k, a in agencies.items()]


class PlacementForm(GovUKForm):
    """The agreement, with ROLE_ROWS rows of responsibilities (`role_1_party`…); the
    template lays them out. Rows left empty are ignored."""

    facility = forms.CharField(
        label="Facility",
        required=False,
        max_length=200,
        help_text="For example, Harbour House parent and baby unit",
    )
    facility_agency = forms.ChoiceField(
        label="The facility's agency (optional)",
        required=False,
        help_text="If the facility is run by an agency in Threadline",
    )
    starts_on = GovUKDateField(
        label="Start date", required=False, help_text="For example, 27 3 2026"
    )
    planned_end_on = GovUKDateField(label="Planned end date", required=False)
    review_every_weeks = forms.IntegerField(
        label="Review every (weeks)",
        initial=6,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
        error_messages={
            "required": "Enter how often the placement is reviewed, in weeks",
            "invalid": "Enter how often the placement is reviewed as a number of weeks",
        },
    )
    exit_strategy = forms.CharField(
        label="Exit strategy",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What happens if the placement ends at short notice, and who does it",
    )
    reciprocal_support = forms.CharField(
        label="What the agencies provide to the facility (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.agencies, choices = _agency_choices("Not an agency in Threadline")
        cast(forms.ChoiceField, self.fields["facility_agency"]).choices = choices
        for n in range(1, ROLE_ROWS + 1):
            self.fields[f"role_{n}_party"] = forms.CharField(
                label="Who",
                required=False,
                max_length=200,
                help_text="The facility, an agency or a parent",
            )
            self.fields[f"role_{n}_agency"] = forms.ChoiceField(
                label="Their agency (optional)",
                required=False,
                choices=choices,
            )
            self.fields[f"role_{n}_responsibilities"] = forms.CharField(
                label="What they agree to do",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        # Re-run the GOV.UK classes over the rows added here.
        for name in self.fields:
            if name.startswith("role_"):
                widget = self.fields[name].widget
                css = {
                    forms.TextInput: "govuk-input",
                    forms.Select: "govuk-select",
                    forms.Textarea: "govuk-textarea",
                }.get(type(widget))
                if css and css not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = f"{css} {widget.attrs.get('class', '')}".strip()

    def role_rows(self) -> list[list]:
        return [[self[f"role_{n}_{name}"] for name in ROLE_FIELDS] for n in range(1, ROLE_ROWS + 1)]

    def service_fields(self) -> dict:
        data = self.cleaned_data
        roles = []
        for n in range(1, ROLE_ROWS + 1):
            row = {name: data[f"role_{n}_{name}"] for name in ROLE_FIELDS}
            if any(row.values()):
                row["agency"] = self.agencies.get(row["agency"] or "")
                roles.append(row)
        return {
            "facility": data["facility"],
            "facility_agency": self.agencies.get(data["facility_agency"] or ""),
            "starts_on": data["starts_on"],
            "planned_end_on": data["planned_end_on"],
            "review_every_weeks": data["review_every_weeks"],
            "exit_strategy": data["exit_strategy"],
            "reciprocal_support": data["reciprocal_support"],
            "roles": roles,
        }


class PlacementReviewForm(GovUKForm):
    reviewed_on = GovUKDateField(label="Date of the review", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewed_on"].initial = timezone.localdate()


class PlacementEndForm(GovUKForm):
    ended_on = GovUKDateField(label="Date it ended", required=False)
    reason = forms.ChoiceField(
        label="Why did it end?",
        required=False,
        choices=PlacementEndReason.choices,
        widget=GovUKRadios,
    )
    notes = forms.CharField(
        label="What happened (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="An early end tells every agency in the network at once, with the exit strategy",
    )
