"""Forms parse and present; the services in services.py validate and save."""

from django import forms

from threadline.web.forms import GovUKCheckbox, GovUKDateField, GovUKForm, GovUKRadios

from .models import Ethnicity, NameKind, PersonKind, RelationshipType, Sex


class PersonForm(GovUKForm):
    kind = forms.ChoiceField(
        label="Who are you recording?",
        choices=PersonKind.choices,
        widget=GovUKRadios,
        error_messages={"required": "Select whether this is a child, an unborn child or an adult"},
    )
    given_names = forms.CharField(
        label="Given names",
        required=False,
        max_length=200,
        help_text="Leave blank for an unborn child who has not been named",
    )
    family_name = forms.CharField(
        label="Family name",
        max_length=200,
        error_messages={"required": "Enter the family name"},
    )
    date_of_birth = GovUKDateField(
        label="Date of birth", required=False, help_text="For example, 27 3 2019"
    )
    expected_delivery_date = GovUKDateField(
        label="Expected delivery date", required=False, help_text="Only for an unborn child"
    )
    sex = forms.ChoiceField(
        label="Sex", choices=Sex.choices, widget=GovUKRadios, initial=Sex.UNKNOWN
    )
    ethnicity = forms.ChoiceField(
        label="Ethnicity", choices=Ethnicity.choices, initial=Ethnicity.NOBT
    )
    first_language = forms.CharField(
        label="First language", max_length=80, required=False, initial="English"
    )
    interpreter_needed = forms.BooleanField(
        label="Needs an interpreter", required=False, widget=GovUKCheckbox
    )
    nhs_number = forms.CharField(
        label="NHS number",
        required=False,
        max_length=14,
        help_text="10 digits, for example 943 476 5919",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-10"}),
    )


class AddressForm(GovUKForm):
    line_1 = forms.CharField(
        label="Address line 1",
        max_length=200,
        error_messages={"required": "Enter the first line of the address"},
    )
    line_2 = forms.CharField(label="Address line 2 (optional)", max_length=200, required=False)
    town = forms.CharField(
        label="Town or city",
        max_length=100,
        widget=forms.TextInput(attrs={"class": "govuk-!-width-two-thirds"}),
        error_messages={"required": "Enter the town or city"},
    )
    postcode = forms.CharField(
        label="Postcode",
        max_length=10,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
        error_messages={"required": "Enter the postcode"},
    )
    uprn = forms.CharField(
        label="UPRN (optional)",
        max_length=12,
        required=False,
        help_text="The Unique Property Reference Number, if you know it",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
    )
    from_date = GovUKDateField(label="Date they moved in")
    to_date = GovUKDateField(
        label="Date they left", required=False, help_text="Leave blank if they still live here"
    )


class RelationshipForm(GovUKForm):
    other = forms.ChoiceField(
        label="Person",
        error_messages={
            "required": "Select the person",
            "invalid_choice": "Select someone else from the list: "
            "a person cannot be related to themselves",
        },
    )
    type = forms.ChoiceField(
        label="Relationship",
        choices=[("", "Select a relationship")] + list(RelationshipType.choices),
        error_messages={"required": "Select the relationship"},
    )
    from_date = GovUKDateField(label="Since", required=False, help_text="If known")
    to_date = GovUKDateField(
        label="Until", required=False, help_text="Only if the relationship has ended"
    )
    notes = forms.CharField(
        label="Notes (optional)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, people, subject, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["other"].choices = [("", "Select a person")] + [
            (
                str(p.pk),
                f"{p.full_name}{f' (born {p.date_of_birth:%d %b %Y})' if p.date_of_birth else ''}",
            )
            for p in people
        ]
        self.fields["other"].widget.attrs["class"] = "govuk-select"
        self.fields["type"].label = f"This person is the … of {subject.full_name}"


class EndForm(GovUKForm):
    to_date = GovUKDateField(label="Date it ended")


class NameForm(GovUKForm):
    kind = forms.ChoiceField(
        label="Kind of name",
        widget=GovUKRadios,
        choices=[c for c in NameKind.choices if c[0] != NameKind.LEGAL],
        error_messages={"required": "Select the kind of name"},
    )
    given_names = forms.CharField(label="Given names", max_length=200, required=False)
    family_name = forms.CharField(
        label="Family name", max_length=200, error_messages={"required": "Enter the family name"}
    )
    from_date = GovUKDateField(label="Used from", required=False)
    to_date = GovUKDateField(label="Used until", required=False)


class SearchForm(GovUKForm):
    name = forms.CharField(
        label="Name",
        required=False,
        max_length=200,
        help_text="Any name they have used; similar spellings are found too",
    )
    date_of_birth = GovUKDateField(label="Date of birth", required=False)
    nhs_number = forms.CharField(
        label="NHS number",
        required=False,
        max_length=14,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "inputmode": "numeric"}),
    )

    def clean(self):
        data = super().clean()
        if not any(data.get(name) for name in ("name", "date_of_birth", "nhs_number")):
            raise forms.ValidationError(
                "Enter a name, a date of birth or an NHS number", code="empty_search"
            )
        return data


class ReferenceForm(GovUKForm):
    reference = forms.CharField(
        label="Your agency's reference",
        max_length=60,
        error_messages={"required": "Enter the reference"},
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20"}),
    )


class HouseholdDayForm(GovUKForm):
    day = GovUKDateField(label="Day", help_text="For example, 27 3 2025")
