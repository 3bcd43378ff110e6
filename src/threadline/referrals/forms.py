"""Forms parse and present; services/ validates and saves."""

import datetime as dt

from django import forms

from threadline.people.models import PersonKind
from threadline.web.forms import GovUKCheckboxes, GovUKDateField, GovUKForm, GovUKRadios

from .models import CARING_RELATIONSHIPS, ConcernCategory, Decision, SharingBasis, Urgency


class ReferralForm(GovUKForm):
    """A referral about a child already on Threadline."""

    concerns = forms.CharField(
        label="Your concerns",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="What you have seen or been told, when and by whom, and what you know "
        "about the child's safety now",
        error_messages={"required": "Describe your concerns about the child"},
    )
    categories = forms.MultipleChoiceField(
        label="Categories of concern",
        choices=ConcernCategory.choices,
        widget=GovUKCheckboxes,
        help_text="Select all that apply",
        error_messages={"required": "Select at least one category of concern"},
    )
    urgency = forms.ChoiceField(
        label="How urgent is this?",
        choices=Urgency.choices,
        widget=GovUKRadios,
        error_messages={"required": "Select how urgent the referral is"},
    )
    family_told = forms.CharField(
        label="What the family has been told",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Or why you have not told them, for example because it would put the child "
        "at greater risk",
        error_messages={
            "required": "Say what the family has been told about the referral, "
            "or why they have not been told"
        },
    )
    sharing_basis = forms.ChoiceField(
        label="Basis for sharing",
        choices=SharingBasis.choices,
        widget=GovUKRadios,
        help_text="You do not need consent to share information to keep a child safe",
        error_messages={
            "required": "Select whether the family consents, or you are sharing without "
            "consent to safeguard the child"
        },
    )

    REFERRAL_FIELDS = ("concerns", "categories", "urgency", "family_told", "sharing_basis")

    def referral_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.REFERRAL_FIELDS}


class NewChildReferralForm(ReferralForm):
    """A referral that records the child (born or unborn) in the same step."""

    kind = forms.ChoiceField(
        label="Has the child been born?",
        choices=[(PersonKind.CHILD, "Yes"), (PersonKind.UNBORN, "No, the child is unborn")],
        widget=GovUKRadios,
        error_messages={"required": "Select whether the child has been born or is unborn"},
    )
    given_names = forms.CharField(
        label="Given names",
        required=False,
        max_length=200,
        help_text="Leave blank for an unborn child who has not been named",
    )
    family_name = forms.CharField(label="Family name", required=False, max_length=200)
    date_of_birth = GovUKDateField(
        label="Date of birth", required=False, help_text="For a child who has been born"
    )
    expected_delivery_date = GovUKDateField(
        label="Expected delivery date", required=False, help_text="For an unborn child"
    )
    nhs_number = forms.CharField(
        label="NHS number (optional)",
        required=False,
        max_length=14,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-10"}),
    )
    parent_relationship = forms.ChoiceField(
        label="Parent", choices=CARING_RELATIONSHIPS, widget=GovUKRadios, initial="mother"
    )

    CHILD_FIELDS = (
        "kind",
        "given_names",
        "family_name",
        "date_of_birth",
        "expected_delivery_date",
        "nhs_number",
    )
    field_order = [*CHILD_FIELDS, "parent_relationship"]

    def __init__(self, *args, parent=None, **kwargs):
        super().__init__(*args, **kwargs)
        if parent is None:
            del self.fields["parent_relationship"]
            self.fields["family_name"].help_text = "Required"
        else:
            self.fields[
                "parent_relationship"
            ].label = f"How is {parent.full_name} related to the child?"
            self.fields["family_name"].help_text = f"Leave blank for {parent.family_name}"

    def child_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.CHILD_FIELDS}


# Service errors about the new child (`new_child.<field>`) shown on the form's own fields.
NEW_CHILD_ERRORS = {f"new_child.{name}": name for name in NewChildReferralForm.CHILD_FIELDS}


class DecisionForm(GovUKForm):
    decision = forms.ChoiceField(
        label="Decision",
        choices=Decision.choices,
        widget=GovUKRadios,
        error_messages={"required": "Select your decision"},
    )
    rationale = forms.CharField(
        label="Rationale",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="The referrer is sent your decision and this rationale",
        error_messages={"required": "Give the rationale for your decision"},
    )


OTHER_CHILDREN = 3  # rows for children not on Threadline


def _label(child) -> str:
    born = f", born {child.date_of_birth:%d %b %Y}" if child.date_of_birth else ""
    return f"{child.full_name}{born}"


class AdultChildrenForm(GovUKForm):
    relationship = forms.ChoiceField(
        label="How are they connected to the children?",
        choices=CARING_RELATIONSHIPS,
        widget=GovUKRadios,
        error_messages={"required": "Select how they are connected to the children"},
    )
    children = forms.MultipleChoiceField(
        label="Children on Threadline", required=False, widget=GovUKCheckboxes
    )

    def __init__(self, *args, children, **kwargs):
        super().__init__(*args, **kwargs)
        if children:
            self.fields["children"].choices = [(str(c.pk), _label(c)) for c in children]
        else:
            del self.fields["children"]
        for n in range(1, OTHER_CHILDREN + 1):
            self.fields[f"child_{n}_name"] = forms.CharField(
                label=f"Child {n}: full name",
                required=False,
                max_length=200,
                help_text="A child not listed above" if n == 1 else "",
            )
            self.fields[f"child_{n}_date_of_birth"] = GovUKDateField(
                label=f"Child {n}: date of birth", required=False, help_text="If you know it"
            )

    def clean(self):
        data = super().clean()
        if not data.get("children") and not self.other_children():
            raise forms.ValidationError(
                "Choose a child or give a child's name", code="children_required"
            )
        return data

    def other_children(self) -> list[tuple[str, dt.date | None]]:
        data = self.cleaned_data
        rows = [
            (data.get(f"child_{n}_name", "").strip(), data.get(f"child_{n}_date_of_birth"))
            for n in range(1, OTHER_CHILDREN + 1)
        ]
        return [(name, born) for name, born in rows if name]
