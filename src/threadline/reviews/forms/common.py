"""What the case-review forms share: reading lines and themes, the rule and addressee
choices, a document upload, and an accept-or-return decision."""

from django import forms

from threadline.agencies.models import Agency
from threadline.timescales.rules import RULES
from threadline.web.forms import (
    GovUKForm,
    GovUKRadios,
)

from ..models import Review
from ..services import Milestone

PARTNERSHIP = "partnership"  # the addressee value for the partnership running the review

MILESTONE_LABELS = {
    Milestone.NOTIFIED: "Notified to the Child Safeguarding Practice Review Panel",
    Milestone.RAPID_REVIEW_COMPLETED: "Rapid review completed",
    Milestone.LCSPR_DECIDED: "Decision to hold a local child safeguarding practice review",
    Milestone.PUBLISHED: "Review published",
}


def lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def themes_of(text: str) -> list[str]:
    return [name.strip() for name in (text or "").split(",") if name.strip()]


def rule_choices() -> list[tuple[str, str]]:
    return [("", "No rule")] + [(rule.id, rule.title) for rule in RULES]


_CLASSES: dict[type, str] = {
    forms.TextInput: "govuk-input",
    forms.NumberInput: "govuk-input",
    forms.Select: "govuk-select",
    forms.SelectMultiple: "govuk-select",
    forms.Textarea: "govuk-textarea",
}


def classes(form: forms.Form) -> None:
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


class DocumentField(forms.FileField):
    def __init__(self, *, label: str, help_text: str = "", **kwargs):
        super().__init__(
            label=label,
            required=False,
            help_text=help_text,
            widget=forms.ClearableFileInput(attrs={"class": "govuk-file-upload"}),
            **kwargs,
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
