"""Forms parse and present; the services in services.py validate and save."""

from django import forms

from threadline.web.forms import GovUKForm, GovUKRadios

from .models import MatchStatus


class DecisionForm(GovUKForm):
    decision = forms.ChoiceField(
        label="Are these the same person?",
        choices=[
            (MatchStatus.SAME, "Yes, the same person: link the record to them"),
            (MatchStatus.NOT_SAME, "No, not the same person"),
        ],
        widget=GovUKRadios,
        error_messages={"required": "Select whether these are the same person"},
    )


class QueueFilterForm(GovUKForm):
    status = forms.ChoiceField(
        label="Show",
        required=False,
        choices=[("", "Every pair")] + list(MatchStatus.choices),
        initial=MatchStatus.PENDING,
    )


class UndoLinkForm(GovUKForm):
    reason = forms.CharField(
        label="Why is this record not this person?",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the record is not this person"},
    )
