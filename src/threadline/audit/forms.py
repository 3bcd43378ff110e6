from django import forms

from threadline.web.forms import GovUKDateField, GovUKForm

from .models import AuditAction


class AuditSearchForm(GovUKForm):
    child = forms.UUIDField(widget=forms.HiddenInput, required=False)
    username = forms.CharField(
        label="Username",
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20"}),
    )
    action = forms.ChoiceField(
        label="What they did",
        required=False,
        choices=[("", "Anything")] + list(AuditAction.choices),
    )
    since = GovUKDateField(label="From", required=False)
    until = GovUKDateField(label="To", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].widget.attrs["class"] = "govuk-select"
