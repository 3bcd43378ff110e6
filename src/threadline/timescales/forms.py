"""Forms parse and present; services.py validates and saves."""

from django import forms
from django.utils import timezone

from threadline.orders.models import PlanCategory
from threadline.web.forms import GovUKDateField, GovUKForm, GovUKRadios

from .models import EventKind

# What happened, as a practitioner would say it: every kind in RECORDED_BY_HAND.
KIND_LABELS = {
    EventKind.STRATEGY_DISCUSSION: "Strategy discussion that started section 47 enquiries",
    EventKind.INITIAL_CONFERENCE: "Initial child-protection conference",
    EventKind.CORE_GROUP: "Core group meeting",
    EventKind.REVIEW_CONFERENCE: "Review child-protection conference",
    EventKind.ASSESSMENT_COMPLETED: "Assessment completed",
    EventKind.LOOKED_AFTER_REVIEW: "Looked-after review",
    EventKind.SUPERVISION_ORDER_REVIEW: "Multi-agency supervision-order review",
    EventKind.EXTENSION_MEETING: "Meeting on whether to apply to extend the supervision order",
    EventKind.LEGAL_MEMORANDUM_SENT: "Legal memorandum on the order sent to the agencies",
}

PLAN_ANSWERS = {"yes": True, "no": False}


class EventForm(GovUKForm):
    kind = forms.ChoiceField(
        label="What happened?",
        choices=list(KIND_LABELS.items()),
        widget=GovUKRadios,
        error_messages={
            "required": "Select what happened",
            "invalid_choice": "Select what happened: orders and referrals are recorded on "
            "their own pages",
        },
    )
    occurred_on = GovUKDateField(
        label="Date it happened", required=False, help_text="For example, 27 3 2026"
    )
    plan = forms.ChoiceField(
        label="Did the conference make (or keep) a child-protection plan?",
        choices=[("yes", "Yes"), ("no", "No")],
        widget=GovUKRadios,
        required=False,
        help_text="For an initial or review conference only",
        error_messages={"invalid_choice": "Select yes or no"},
    )
    category = forms.ChoiceField(
        label="If it started a plan: the category of abuse or neglect",
        choices=[("", "Not a new plan"), *PlanCategory.choices],
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["occurred_on"].initial = timezone.localdate()

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "occurred_on": data["occurred_on"],
            "plan": PLAN_ANSWERS.get(data["plan"]),
            "category": data["category"],
        }
