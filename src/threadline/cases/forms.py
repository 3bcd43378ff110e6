from django import forms

from threadline.agencies.models import Agency, Practitioner
from threadline.web.forms import GovUKDateField, GovUKForm


class InvolvementForm(GovUKForm):
    agency = forms.ModelChoiceField(
        label="Agency",
        queryset=Agency.objects.order_by("name"),
        empty_label="Select an agency",
        error_messages={"required": "Select the agency"},
    )
    practitioner = forms.ModelChoiceField(
        label="Named practitioner (optional)",
        required=False,
        queryset=Practitioner.objects.filter(agency__isnull=False, is_active=True)
        .select_related("agency")
        .order_by("agency__name", "last_name"),
        empty_label="No named practitioner yet",
    )
    role = forms.CharField(
        label="Role",
        max_length=120,
        help_text="For example: health visitor",
        error_messages={"required": "Enter the agency's role"},
    )
    from_date = GovUKDateField(label="Involved since")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].widget.attrs["class"] = "govuk-select"
        self.fields["practitioner"].widget.attrs["class"] = "govuk-select"
        self.fields["practitioner"].label_from_instance = lambda p: f"{p} — {p.agency}"


class AllocationForm(GovUKForm):
    social_worker = forms.ModelChoiceField(
        label="Social worker",
        queryset=Practitioner.objects.none(),
        empty_label="Select a social worker",
        error_messages={"required": "Select a social worker"},
    )
    from_date = GovUKDateField(label="Allocated from")

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["social_worker"]
        field.queryset = Practitioner.objects.filter(
            agency=case.local_authority, is_active=True
        ).exclude(experience="")
        field.widget.attrs["class"] = "govuk-select"
        field.label_from_instance = lambda p: f"{p} ({p.get_experience_display()})"


class LeadProfessionalForm(GovUKForm):
    lead_professional = forms.ModelChoiceField(
        label="Lead professional",
        queryset=Practitioner.objects.none(),
        empty_label="Select a practitioner",
        error_messages={"required": "Select the lead professional"},
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["lead_professional"]
        in_network = case.involvements.current().exclude(practitioner=None).values("practitioner")
        field.queryset = Practitioner.objects.filter(pk__in=in_network).select_related("agency")
        field.widget.attrs["class"] = "govuk-select"
        field.label_from_instance = lambda p: f"{p} — {p.agency}"


class InvolvementEndForm(GovUKForm):
    to_date = GovUKDateField(label="Last day of involvement")
