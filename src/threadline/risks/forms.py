"""Forms parse and present; services.py validates and saves. Fields the service checks
(the factor, the evidence, the dates) are passed on as entered, so its rules and
messages are the only ones."""

from django import forms
from django.utils import timezone

from threadline.agencies.models import AgencyType
from threadline.sharing.models import AGENCY_CATEGORY, Confidentiality, InformationCategory
from threadline.web.forms import GovUKDateField, GovUKForm, GovUKRadios

from .models import Factor, RiskStatus


def factor_choices() -> list[tuple[str, str]]:
    return [("", "Select the factor")] + [
        (f.code, f"{f.code} — {f.label}") for f in Factor.objects.filter(in_use=True)
    ]


class RiskForm(GovUKForm):
    factor = forms.CharField(
        label="Factor",
        required=False,
        help_text="The Children in Need census assessment factor that best describes the risk",
        widget=forms.Select(attrs={"class": "govuk-!-width-full"}),
    )
    evidence = forms.CharField(
        label="Evidence",
        required=False,
        help_text="What your agency knows, how it knows it, and when",
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    identified_on = GovUKDateField(
        label="Date identified",
        required=False,
        help_text="When your agency first knew of it, for example 27 3 2025",
    )
    review_date = GovUKDateField(
        label="Review date",
        required=False,
        help_text="When your agency will next review the risk",
    )
    category = forms.ChoiceField(
        label="Information category",
        choices=InformationCategory.choices,
        help_text="Who may read it follows your agency's information-sharing agreements",
    )
    confidentiality = forms.ChoiceField(
        label="Confidentiality",
        choices=[
            (Confidentiality.NORMAL, "Normal: shared under the agreements"),
            (Confidentiality.RESTRICTED, "Restricted: only you can read it"),
        ],
        widget=GovUKRadios,
        initial=Confidentiality.NORMAL,
        error_messages={"required": "Select normal or restricted"},
    )

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["factor"].widget.choices = factor_choices()
        self.fields["identified_on"].initial = timezone.localdate()
        self.fields["category"].initial = AGENCY_CATEGORY[AgencyType(agency.agency_type)]


class ReviewForm(GovUKForm):
    notes = forms.CharField(
        label="What the review found",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    status = forms.ChoiceField(
        label="After this review, the risk is",
        choices=[
            (RiskStatus.ACTIVE, "Still active"),
            (RiskStatus.UNDER_REVIEW, "Under review: it may no longer apply"),
        ],
        widget=GovUKRadios,
        initial=RiskStatus.ACTIVE,
        error_messages={"required": "Select whether the risk stays active or is under review"},
    )
    next_review_date = GovUKDateField(
        label="Next review date", required=False, help_text="For example, 27 3 2027"
    )


class CloseForm(GovUKForm):
    rationale = forms.CharField(
        label="Why can the risk be closed?",
        required=False,
        help_text="What has changed, and how your agency knows: it stays in the family history",
        widget=forms.Textarea(attrs={"rows": 5}),
    )
