"""Asking agencies for their reports, submitting and assuring them, and adding to
the review chronology."""

from typing import cast

from django import forms

from threadline.agencies.models import Agency
from threadline.chronology.forms import WordingForm
from threadline.web.forms import (
    GovUKCheckboxes,
    GovUKDateField,
    GovUKForm,
)

from ..models import Review
from .common import DecisionForm, DocumentField

# --- agencies' reports ------------------------------------------------------------------


class RequestReportsForm(GovUKForm):
    agencies = forms.MultipleChoiceField(
        label="Which agencies?", required=False, widget=GovUKCheckboxes
    )
    due_on = GovUKDateField(label="Reports due by", required=False)

    def __init__(self, *args, review: Review, **kwargs):
        super().__init__(*args, **kwargs)
        asked = review.agency_reports.values("agency_id")
        self.not_asked = {
            str(a.pk): a
            for a in Agency.objects.exclude(pk=review.partnership_id)
            .exclude(pk__in=asked)
            .order_by("name")
        }
        cast(forms.ChoiceField, self.fields["agencies"]).choices = [
            (k, a.name) for k, a in self.not_asked.items()
        ]

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "agencies": [self.not_asked[k] for k in data["agencies"]],
            "due_on": data["due_on"],
        }


class SubmitReportForm(GovUKForm):
    what_was_known = forms.CharField(
        label="What did your agency know about the children and family?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    when_known = forms.CharField(
        label="When did it know it?", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    what_was_done = forms.CharField(
        label="What did your agency do?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    what_differently = forms.CharField(
        label="What would it do differently?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    document = DocumentField(
        label="The report", help_text="Your management review: PDF, Word or plain text"
    )


class AssureReportForm(DecisionForm):
    quality_note = forms.CharField(
        label="What the report needs (if you send it back)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def service_fields(self) -> dict:
        return {"accept": self.accept, "note": self.cleaned_data["quality_note"]}


class ReviewEntryForm(WordingForm):
    """An entry for the review chronology: what an agency's files hold that the live
    record does not."""
