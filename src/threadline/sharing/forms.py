from django import forms

from threadline.agencies.models import Agency
from threadline.web.forms import GovUKCheckboxes, GovUKDateField, GovUKForm, GovUKRadios

from .models import InformationCategory, LegalBasis


class AgreementForm(GovUKForm):
    title = forms.CharField(
        label="Title", max_length=200, error_messages={"required": "Enter a title"}
    )
    provider = forms.ModelChoiceField(
        label="Agency sharing its records",
        queryset=Agency.objects.all(),
        empty_label="Select an agency",
        error_messages={"required": "Select the agency sharing its records"},
    )
    recipient = forms.ModelChoiceField(
        label="Agency allowed to see them",
        queryset=Agency.objects.all(),
        empty_label="Select an agency",
        error_messages={"required": "Select the agency allowed to see them"},
    )
    categories = forms.MultipleChoiceField(
        label="Categories of information",
        choices=InformationCategory.choices,
        widget=GovUKCheckboxes,
        error_messages={"required": "Choose at least one category of information"},
    )
    purpose = forms.CharField(
        label="Purpose",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the purpose of sharing"},
    )
    legal_basis = forms.ChoiceField(
        label="Legal basis",
        choices=LegalBasis.choices,
        widget=GovUKRadios,
        error_messages={"required": "Select the legal basis"},
    )
    from_date = GovUKDateField(label="In force from")
    to_date = GovUKDateField(label="In force until")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("provider", "recipient"):
            self.fields[name].widget.attrs["class"] = "govuk-select"


class EndAgreementForm(GovUKForm):
    to_date = GovUKDateField(label="Last day the agreement is in force")


class AccessRequestForm(GovUKForm):
    provider = forms.ModelChoiceField(
        label="Agency whose records you need",
        queryset=Agency.objects.all(),
        empty_label="Select an agency",
        error_messages={"required": "Select the agency"},
    )
    category = forms.ChoiceField(
        label="Category of information",
        choices=InformationCategory.choices,
        widget=GovUKRadios,
        error_messages={"required": "Select the category of information"},
    )
    reason = forms.CharField(
        label="Why you need to see them",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The safeguarding lead who decides will read this",
        error_messages={"required": "Say why you need to see these records"},
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = Agency.objects.exclude(pk=actor.agency_id)
        self.fields["provider"].widget.attrs["class"] = "govuk-select"


class DecisionForm(GovUKForm):
    decision = forms.ChoiceField(
        label="Decision",
        widget=GovUKRadios,
        choices=[("approve", "Approve"), ("refuse", "Refuse")],
        error_messages={"required": "Select approve or refuse"},
    )
    decision_reason = forms.CharField(
        label="Reason for your decision",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Give the reason for your decision"},
    )
    expires_on = GovUKDateField(
        label="Access until", required=False, help_text="If you approve. Leave blank for 90 days"
    )


class BreakGlassForm(GovUKForm):
    nhs_number = forms.CharField(
        label="NHS number",
        max_length=14,
        required=False,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "inputmode": "numeric"}),
        help_text="Or give the full name and date of birth",
    )
    name = forms.CharField(label="Full name", max_length=200, required=False)
    date_of_birth = GovUKDateField(label="Date of birth", required=False)
    reason = forms.CharField(
        label="The emergency",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Your reason is sent to the agency that holds the record",
        error_messages={"required": "Explain the emergency"},
    )

    def clean(self):
        data = super().clean()
        if not data.get("nhs_number") and not (data.get("name") and data.get("date_of_birth")):
            raise forms.ValidationError(
                "Enter the NHS number, or the full name and date of birth", code="no_identifier"
            )
        return data


class ReviewForm(GovUKForm):
    review_note = forms.CharField(
        label="What you found",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Record what you found"},
    )
