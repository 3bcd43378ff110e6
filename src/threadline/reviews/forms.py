"""Forms parse and present; services.py validates and saves. Dates, texts and choices are
passed on as entered, so the rules about reviews and their messages are the service's
alone. What only a form can know is checked here: a subject child named by an NHS number
no one has, a document that cannot be read, a proposed recommendation left without an
addressee."""

import uuid
from collections.abc import Sequence
from typing import cast

from django import forms

from threadline.agencies.models import Agency, Practitioner
from threadline.chronology.forms import AttachmentsField, WordingForm
from threadline.common.documents import ALLOWED_TYPES_TEXT, document_max_bytes
from threadline.timescales.rules import RULES
from threadline.web.forms import (
    GovUKCheckbox,
    GovUKCheckboxes,
    GovUKDateField,
    GovUKForm,
    GovUKRadios,
)

from . import selectors
from .models import AGENCY_STATUSES, Rag, Review, ReviewType
from .services import MILESTONES, Milestone, ProposedRecommendation

PARTNERSHIP = "partnership"  # the addressee value for the partnership running the review

MILESTONE_LABELS = {
    Milestone.NOTIFIED: "Notified to the Child Safeguarding Practice Review Panel",
    Milestone.RAPID_REVIEW_COMPLETED: "Rapid review completed",
    Milestone.LCSPR_DECIDED: "Decision to hold a local child safeguarding practice review",
    Milestone.PUBLISHED: "Review published",
}


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _themes(text: str) -> list[str]:
    return [name.strip() for name in (text or "").split(",") if name.strip()]


def _rule_choices() -> list[tuple[str, str]]:
    return [("", "No rule")] + [(rule.id, rule.title) for rule in RULES]


_CLASSES: dict[type, str] = {
    forms.TextInput: "govuk-input",
    forms.NumberInput: "govuk-input",
    forms.Select: "govuk-select",
    forms.SelectMultiple: "govuk-select",
    forms.Textarea: "govuk-textarea",
}


def _classes(form: forms.Form) -> None:
    """GOV.UK classes on fields added after GovUKForm.__init__ ran."""
    for field in form.fields.values():
        widget = field.widget
        css = _CLASSES.get(type(widget))
        if css and css not in widget.attrs.get("class", "").split():
            widget.attrs["class"] = f"{css} {widget.attrs.get('class', '')}".strip()


class Addressees:
    """Who a recommendation may be addressed to: the partnership running the review, or
    any other agency; as form choices, and back to what the service takes."""

    def __init__(self, review: Review):
        self.review = review
        # The agencies of the partnership's area (as the API's document extraction).
        others = Agency.objects.filter(area=review.partnership.area)
        self.agencies = {
            str(a.pk): a for a in others.exclude(pk=review.partnership_id).order_by("name")
        }

    def choices(self, empty: str = "") -> list[tuple[str, str]]:
        first = [("", empty)] if empty else []
        partnership = (PARTNERSHIP, f"The partnership ({self.review.partnership.name})")
        return first + [partnership] + [(k, a.name) for k, a in self.agencies.items()]

    def agency(self, key: str) -> Agency | None:
        """None for the partnership (the service's default)."""
        return self.agencies.get(key)

    def key_for(self, agency: Agency | None) -> str:
        """The choice for the agency a document proposed ("" if it did not say)."""
        if agency is None:
            return ""
        if agency.pk == self.review.partnership_id:
            return PARTNERSHIP
        return str(agency.pk) if str(agency.pk) in self.agencies else ""


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
        _classes(self)

    def clean_children(self) -> list:
        found, missing = [], []
        for identifier in _lines(self.cleaned_data["children"]):
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
            "terms_of_reference": _lines(data["terms_of_reference"]),
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
        return {"text": self.cleaned_data["text"], "themes": _themes(self.cleaned_data["themes"])}


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


class DocumentField(forms.FileField):
    def __init__(self, *, label: str, help_text: str = "", **kwargs):
        super().__init__(
            label=label,
            required=False,
            help_text=help_text,
            widget=forms.ClearableFileInput(attrs={"class": "govuk-file-upload"}),
            **kwargs,
        )


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


class DecisionForm(GovUKForm):
    """Accept, or send back with what is missing."""

    decision = forms.ChoiceField(
        label="Your decision",
        choices=[("accept", "Accept"), ("return", "Send it back")],
        widget=GovUKRadios,
        error_messages={"required": "Select whether you accept it"},
    )

    @property
    def accept(self) -> bool:
        return self.cleaned_data["decision"] == "accept"


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
        cast(forms.ChoiceField, self.fields["rule_id"]).choices = _rule_choices()
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
                themes=_themes(data["themes"]),
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
        _classes(self)

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
        cast(forms.ChoiceField, self.fields["rule_id"]).choices = _rule_choices()
        _classes(self)

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
            "themes": _themes(data["themes"]),
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


# --- search -------------------------------------------------------------------------------


class SearchForm(GovUKForm):
    q = forms.CharField(label="Search recommendations and findings", required=False)
    theme = forms.CharField(required=False, widget=forms.HiddenInput)
