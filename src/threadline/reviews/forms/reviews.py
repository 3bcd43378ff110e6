"""Opening a review, its milestones and findings, closing it, and searching reviews."""

import uuid
from typing import cast

from django import forms

from threadline.agencies.models import Practitioner
from threadline.web.forms import (
    GovUKDateField,
    GovUKForm,
    GovUKRadios,
)

from .. import selectors
from ..models import Review, ReviewType
from ..services import MILESTONES
from .common import (
    MILESTONE_LABELS,
    classes,
    lines,
    themes_of,
)

# --- opening a review and its milestones ------------------------------------------------


class OpenReviewForm(GovUKForm):
    title = forms.CharField(
        label="Title",
        required=False,
        max_length=200,
        help_text='How the review names the child, for example "Child R"',
    )
    review_type = forms.ChoiceField(
        label="What kind of review?",
        required=False,
        choices=ReviewType.choices,
        widget=GovUKRadios,
    )
    incident_summary = forms.CharField(
        label="The serious incident",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What happened to the child, as notified",
    )
    incident_on = GovUKDateField(
        label="Date of the incident", required=False, help_text="For example, 27 3 2026"
    )
    aware_on = GovUKDateField(label="Date the local authority became aware", required=False)
    notified_on = GovUKDateField(
        label="Date notified to the Panel (optional)",
        required=False,
        help_text="Leave it blank if the notification has not been made yet",
    )
    children = forms.CharField(
        label="Subject children",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Each child's NHS number or Threadline person ID, one a line",
    )
    scope_from = GovUKDateField(label="Scope period: from", required=False)
    scope_to = GovUKDateField(label="Scope period: to", required=False)
    terms_of_reference = forms.CharField(
        label="Terms of reference (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="The questions the review will answer, one a line",
    )
    independent_reviewer = forms.CharField(
        label="Independent reviewer (optional)", required=False, max_length=200
    )
    panel = forms.MultipleChoiceField(
        label="Panel members (optional)",
        required=False,
        help_text="Hold Ctrl (or Cmd) to choose several. You chair the panel",
        widget=forms.SelectMultiple(attrs={"size": 10}),
    )

    def __init__(self, *args, chair: Practitioner, **kwargs):
        super().__init__(*args, **kwargs)
        self.chair = chair
        people = (
            Practitioner.objects.filter(is_active=True, agency__isnull=False)
            .exclude(pk=chair.pk)
            .select_related("agency")
            .order_by("agency__name", "first_name", "last_name")
        )
        self.people = {str(p.pk): p for p in people}
        grouped: dict[str, list[tuple[str, str]]] = {}
        for key, person in self.people.items():
            label = f"{person}, {person.job_title}" if person.job_title else str(person)
            grouped.setdefault(str(person.agency), []).append((key, label))
        cast(forms.ChoiceField, self.fields["panel"]).choices = list(grouped.items())
        classes(self)

    def clean_children(self) -> list:
        found, missing = [], []
        for identifier in lines(self.cleaned_data["children"]):
            child = selectors.find_subject(identifier)
            if child is None:
                missing.append(identifier)
            else:
                found.append(child)
        for identifier in missing:
            try:
                uuid.UUID(identifier)
                self.add_error("children", f"No child with Threadline person ID {identifier}")
            except ValueError:
                self.add_error("children", f"No child with NHS number {identifier}")
        return found

    def service_fields(self) -> dict:
        data = self.cleaned_data
        members = [self.people[key] for key in data["panel"]]
        return {
            "title": data["title"],
            "review_type": data["review_type"],
            "incident_summary": data["incident_summary"],
            "incident_on": data["incident_on"],
            "aware_on": data["aware_on"],
            "notified_on": data["notified_on"],
            "children": data["children"],
            "scope_from": data["scope_from"],
            "scope_to": data["scope_to"],
            "terms_of_reference": lines(data["terms_of_reference"]),
            "independent_reviewer": data["independent_reviewer"],
            "panel": [(self.chair, "chair")] + [(member, "member") for member in members],
        }


class MilestoneForm(GovUKForm):
    prefix = "milestone"
    milestone = forms.ChoiceField(label="What happened?", required=False, widget=GovUKRadios)
    on = GovUKDateField(label="Date", required=False)

    def __init__(self, *args, review: Review, **kwargs):
        super().__init__(*args, **kwargs)
        self.remaining = [
            (name, MILESTONE_LABELS[name])
            for name, (date_field, _) in MILESTONES.items()
            if getattr(review, date_field) is None
        ]
        cast(forms.ChoiceField, self.fields["milestone"]).choices = self.remaining


class CloseReviewForm(GovUKForm):
    """Nothing to enter: the button confirms."""


class FindingForm(GovUKForm):
    prefix = "finding"
    text = forms.CharField(
        label="Finding", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    themes = forms.CharField(
        label="Themes (optional)",
        required=False,
        help_text="Separated by commas, for example: Information sharing, Domestic abuse",
    )

    def service_fields(self) -> dict:
        return {"text": self.cleaned_data["text"], "themes": themes_of(self.cleaned_data["themes"])}


# --- search -------------------------------------------------------------------------------


class SearchForm(GovUKForm):
    q = forms.CharField(label="Search recommendations and findings", required=False)
    theme = forms.CharField(required=False, widget=forms.HiddenInput)
