"""Recommendations (typed in, or extracted and confirmed) and the agencies' actions."""

from collections.abc import Sequence
from typing import cast

from django import forms

from threadline.agencies.models import Agency, Practitioner
from threadline.chronology.forms import AttachmentsField
from threadline.common.documents import ALLOWED_TYPES_TEXT, document_max_bytes
from threadline.web.forms import (
    GovUKCheckbox,
    GovUKDateField,
    GovUKForm,
    GovUKRadios,
)

from .. import selectors
from ..models import AGENCY_STATUSES, Rag, Review
from ..services import ProposedRecommendation
from .common import (
    PARTNERSHIP,
    Addressees,
    DecisionForm,
    DocumentField,
    classes,
    rule_choices,
    themes_of,
)

# --- recommendations --------------------------------------------------------------------


class RecommendationForm(GovUKForm):
    number = forms.IntegerField(
        label="Number",
        required=False,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
    )
    text = forms.CharField(
        label="Recommendation", required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    addressed_to = forms.ChoiceField(label="Addressed to")
    themes = forms.CharField(
        label="Themes (optional)",
        required=False,
        help_text="Separated by commas, for example: Information sharing, Domestic abuse",
    )
    rule_id = forms.ChoiceField(
        label="The statutory clock's rule it created (optional)", required=False
    )

    def __init__(self, *args, review: Review, **kwargs):
        super().__init__(*args, **kwargs)
        self.addressees = Addressees(review)
        cast(forms.ChoiceField, self.fields["addressed_to"]).choices = self.addressees.choices()
        cast(forms.ChoiceField, self.fields["rule_id"]).choices = rule_choices()
        last = max(review.recommendations.values_list("number", flat=True), default=0)
        self.fields["number"].initial = last + 1
        self.fields["addressed_to"].initial = PARTNERSHIP

    def items(self) -> list[ProposedRecommendation]:
        data = self.cleaned_data
        return [
            ProposedRecommendation(
                number=data["number"],
                text=data["text"],
                addressed_to=self.addressees.agency(data["addressed_to"]),
                themes=themes_of(data["themes"]),
                rule_id=data["rule_id"],
            )
        ]


# The service names a recommendation's problems by its place in the list it was given.
RECOMMENDATION_FIELD_MAP = {f"items.0.{name}": name for name in ("number", "text", "rule_id")}


class UploadReviewForm(GovUKForm):
    document = DocumentField(
        label="The review document",
        help_text="The published review, or its draft: plain text, Word (.docx) or PDF, up "
        "to 10 MB",
    )

    def clean_document(self):
        if not self.cleaned_data["document"]:
            raise forms.ValidationError("Choose the review document", code="required")
        return self.cleaned_data["document"]


class ConfirmRecommendationsForm(GovUKForm):
    """The recommendations a document proposed, each editable, each with a box to include
    it (`include_1`, `number_1`, `text_1`, `addressed_to_1`…); `count` says how many were
    proposed. Nothing is saved until this form is posted."""

    count = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=200)

    def __init__(
        self,
        *args,
        review: Review,
        proposals: Sequence[selectors.ProposedFromDocument] = (),
        **kwargs,
    ):
        self.addressees = Addressees(review)
        data = args[0] if args else kwargs.get("data")
        if data is not None:
            try:
                rows = max(0, min(int(data.get("count", 0)), 200))
            except (TypeError, ValueError):
                rows = 0
        else:
            rows = len(proposals)
            initial: dict[str, object] = {"count": rows}
            for n, proposed in enumerate(proposals, start=1):
                initial |= {
                    f"include_{n}": True,
                    f"number_{n}": proposed.number,
                    f"text_{n}": proposed.text,
                    f"addressed_to_{n}": self.addressees.key_for(proposed.addressed_to),
                }
            kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        self.rows = rows
        self.field_map: dict[str, str] = {}
        choices = self.addressees.choices(empty="Select who it is for")
        for n in range(1, rows + 1):
            self.fields[f"include_{n}"] = forms.BooleanField(
                label="Save this recommendation", required=False, widget=GovUKCheckbox
            )
            self.fields[f"number_{n}"] = forms.IntegerField(
                label="Number",
                required=False,
                widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
            )
            self.fields[f"text_{n}"] = forms.CharField(
                label="Recommendation", required=False, widget=forms.Textarea(attrs={"rows": 4})
            )
            self.fields[f"addressed_to_{n}"] = forms.ChoiceField(
                label="Addressed to", required=False, choices=choices
            )
        classes(self)

    def row_fields(self) -> list[list]:
        return [
            [self[f"{name}_{n}"] for name in ("include", "number", "text", "addressed_to")]
            for n in range(1, self.rows + 1)
        ]

    def clean(self):
        data = super().clean()
        included = 0
        for n in range(1, self.rows + 1):
            if not data.get(f"include_{n}"):
                continue
            for name in ("number", "text", "rule_id"):
                self.field_map[f"items.{included}.{name}"] = f"{name}_{n}"
            included += 1
            if not data.get(f"addressed_to_{n}"):
                self.add_error(
                    f"addressed_to_{n}", f"Recommendation {n}: choose who it is addressed to"
                )
        return data

    def items(self) -> list[ProposedRecommendation]:
        data = self.cleaned_data
        return [
            ProposedRecommendation(
                number=data[f"number_{n}"],
                text=data[f"text_{n}"],
                addressed_to=self.addressees.agency(data[f"addressed_to_{n}"]),
            )
            for n in range(1, self.rows + 1)
            if data.get(f"include_{n}")
        ]


class EditRecommendationForm(GovUKForm):
    text = forms.CharField(
        label="Recommendation", required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    themes = forms.CharField(
        label="Themes",
        required=False,
        help_text="Separated by commas, for example: Information sharing, Domestic abuse",
    )
    rule_id = forms.ChoiceField(
        label="The statutory clock's rule it created (optional)", required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["rule_id"]).choices = rule_choices()
        classes(self)

    @classmethod
    def initial_for(cls, recommendation) -> dict:
        return {
            "text": recommendation.text,
            "themes": ", ".join(t.name for t in recommendation.themes.all()),
            "rule_id": recommendation.rule_id,
        }

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "text": data["text"],
            "themes": themes_of(data["themes"]),
            "rule_id": data["rule_id"],
        }


# --- action plans -----------------------------------------------------------------------


class ActionForm(GovUKForm):
    description = forms.CharField(
        label="What will be done",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One specific action",
    )
    owner = forms.ChoiceField(label="Who owns it", required=False)
    due_on = GovUKDateField(label="Due by", required=False)
    measure_of_success = forms.CharField(
        label="How you will know it worked",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The measure of success, for example: a dip sample of 20 cases shows it",
    )

    def __init__(self, *args, agency: Agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.owners = {
            str(p.pk): p
            for p in Practitioner.objects.filter(agency=agency, is_active=True).order_by(
                "first_name", "last_name"
            )
        }
        cast(forms.ChoiceField, self.fields["owner"]).choices = [("", "Select who")] + [
            (k, f"{p}, {p.job_title}" if p.job_title else str(p)) for k, p in self.owners.items()
        ]

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "description": data["description"],
            "owner": self.owners.get(data["owner"] or ""),
            "due_on": data["due_on"],
            "measure_of_success": data["measure_of_success"],
        }


class ActionUpdateForm(GovUKForm):
    prefix = "update"
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[(s.value, s.label) for s in AGENCY_STATUSES],
        widget=GovUKRadios,
        help_text='Attach the evidence before marking it "done"',
    )
    rag = forms.ChoiceField(
        label="RAG rating", required=False, choices=Rag.choices, widget=GovUKRadios
    )
    note = forms.CharField(
        label="Note (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


# The service names its file problems `files`.
EVIDENCE_FIELD_MAP = {"files": "documents"}


class EvidenceForm(GovUKForm):
    prefix = "evidence"
    documents = AttachmentsField()
    note = forms.CharField(
        label="What the evidence shows (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["documents"].label = "Evidence documents"
        self.fields["documents"].help_text = (
            f"Documents that show the action is done: {ALLOWED_TYPES_TEXT} files, up to "
            f"{document_max_bytes() // (1024 * 1024)} MB each"
        )


class EvidenceDecisionForm(DecisionForm):
    prefix = "decide"
    note = forms.CharField(
        label="What evidence is missing (if you send it back)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def service_fields(self) -> dict:
        return {"accept": self.accept, "note": self.cleaned_data["note"]}


class CloseActionForm(GovUKForm):
    prefix = "close"
    note = forms.CharField(
        label="Note (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
