"""Forms parse and present; services.py validates and saves."""

import datetime as dt
import re

from django import forms
from django.utils import timezone

from threadline.agencies.models import AgencyType
from threadline.common.documents import ALLOWED_TYPES_TEXT, DOCUMENT_TYPES, document_max_bytes
from threadline.sharing.models import AGENCY_CATEGORY, Confidentiality, InformationCategory
from threadline.web.forms import (
    GovUKCheckbox,
    GovUKCheckboxes,
    GovUKDateField,
    GovUKForm,
    GovUKRadios,
)

from . import exports
from .models import DatePrecision, EntryCategory, Significance
from .selectors import Filters
from .services import event_moment

# Service errors shown on the form's own fields.
FIELD_MAP = {"event_at": "event_date"}

SCOPES = [
    ("child", "This child"),
    ("family", "This child and their brothers and sisters (those you can see)"),
]


def _selects(form: forms.Form, *names: str) -> None:
    for name in names:
        if name in form.fields:
            form.fields[name].widget.attrs["class"] = "govuk-select"


# --- the chronology's filters ---------------------------------------------------------


class FilterForm(GovUKForm):
    """The chronology's filters, read from the query string (every field optional)."""

    scope = forms.ChoiceField(
        label="Whose chronology",
        choices=SCOPES,
        widget=GovUKRadios,
        required=False,
        initial="child",
    )
    agency = forms.MultipleChoiceField(label="Agency", widget=GovUKCheckboxes, required=False)
    entry_type = forms.ChoiceField(
        label="Kind of event", choices=[("", "Any"), *EntryCategory.choices], required=False
    )
    significance = forms.MultipleChoiceField(
        label="Significance", choices=Significance.choices, widget=GovUKCheckboxes, required=False
    )
    since = GovUKDateField(label="From", required=False)
    until = GovUKDateField(label="To", required=False)
    in_error = forms.BooleanField(
        label="Show entries entered in error", required=False, widget=GovUKCheckbox
    )
    sort = forms.ChoiceField(
        label="Order",
        choices=[("newest", "Newest first"), ("oldest", "Oldest first")],
        required=False,
    )

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [(str(a.pk), a.name) for a in agencies]
        if not agencies:
            del self.fields["agency"]
        _selects(self, "entry_type", "sort")

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", "The end of the range must be on or after its start")
        return data

    def filters(self) -> Filters:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return Filters(
            agencies=tuple(data.get("agency") or ()),
            entry_types=(data["entry_type"],) if data.get("entry_type") else (),
            significance=tuple(data.get("significance") or ()),
            since=data.get("since"),
            until=data.get("until"),
            include_in_error=bool(data.get("in_error")),
            newest_first=data.get("sort") != "oldest",
        )


# --- recording and amending -----------------------------------------------------------

_TIME = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*$")


class TimeField(forms.CharField):
    """A time of day as 14:30 (or 14.30)."""

    def __init__(self, **kwargs):
        super().__init__(
            label="Time",
            required=False,
            max_length=5,
            help_text="If you know it, for example 14:30 (a 24-hour clock)",
            widget=forms.TextInput(attrs={"class": "govuk-input--width-5"}),
            **kwargs,
        )

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        match = _TIME.match(value)
        try:
            return dt.time(int(match[1]), int(match[2])) if match else None
        except ValueError:
            pass
        raise forms.ValidationError("Enter the time like 14:30", code="invalid_time")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Several files in one input; the service checks each one's size and type."""

    def __init__(self, **kwargs):
        max_mb = document_max_bytes() // (1024 * 1024)
        extensions = ",".join(f".{extension}" for extension in DOCUMENT_TYPES)
        super().__init__(
            label="Attachments (optional)",
            required=False,
            help_text=f"Letters, reports or faxes you received: {ALLOWED_TYPES_TEXT} files, "
            f"up to {max_mb} MB each",
            widget=MultipleFileInput(attrs={"class": "govuk-file-upload", "accept": extensions}),
            **kwargs,
        )

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(AttachmentsField, self).clean(f, initial) for f in files]


class WordingForm(GovUKForm):
    """What happened and when: the part of an entry an amendment may change."""

    event_date = GovUKDateField(
        label="Date of the event", help_text="For example, 27 3 2025. For a month only, enter 1"
    )
    event_time = TimeField()
    event_precision = forms.ChoiceField(
        label="How exactly is the date known?",
        choices=[
            (DatePrecision.TIME, "The exact time"),
            (DatePrecision.DAY, "The day"),
            (DatePrecision.MONTH, "Only the month"),
        ],
        widget=GovUKRadios,
        initial=DatePrecision.DAY,
        error_messages={"required": "Select how exactly the date is known"},
    )
    entry_type = forms.ChoiceField(
        label="Kind of event",
        choices=[("", "Select the kind of event"), *EntryCategory.choices],
        error_messages={"required": "Select what kind of event it was"},
    )
    summary = forms.CharField(
        label="Summary",
        help_text="One line, up to 200 characters: what happened",
        error_messages={"required": "Enter a short summary of what happened"},
    )
    detail = forms.CharField(
        label="Detail (optional)", required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    outcome = forms.CharField(
        label="Action taken or outcome (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    significance = forms.ChoiceField(
        label="Significance",
        choices=Significance.choices,
        widget=GovUKRadios,
        initial=Significance.ROUTINE,
        error_messages={"required": "Select how significant the event is"},
    )
    source_reference = forms.CharField(
        label="Your agency's reference (optional)",
        required=False,
        help_text="Where the full record is kept, for example a case-note number",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _selects(self, "entry_type")

    def clean(self):
        data = super().clean()
        timed = data.get("event_precision") == DatePrecision.TIME
        if timed and not data.get("event_time") and "event_time" not in self.errors:
            self.add_error("event_time", "Enter the time, or choose 'The day'")
        return data

    def wording(self) -> dict:
        """The service's wording fields: the event's moment from date, time and precision."""
        data = self.cleaned_data
        precision = data["event_precision"]
        when: dt.date | dt.datetime = data["event_date"]
        if precision == DatePrecision.TIME:
            when = dt.datetime.combine(data["event_date"], data["event_time"])
        return {
            "event_at": event_moment(when, precision),
            "event_precision": precision,
            "entry_type": data["entry_type"],
            "summary": data["summary"],
            "detail": data["detail"],
            "outcome": data["outcome"],
            "significance": data["significance"],
            "source_reference": data["source_reference"],
        }


class EntryForm(WordingForm):
    also_about = forms.MultipleChoiceField(
        label="Is it also about their brothers or sisters?",
        widget=GovUKCheckboxes,
        required=False,
        help_text="Select any other children the event was about",
    )
    category = forms.ChoiceField(
        label="Information category",
        choices=InformationCategory.choices,
        help_text="Who may see it follows your agency's information-sharing agreements",
    )
    confidentiality = forms.ChoiceField(
        label="Confidentiality",
        choices=[
            (Confidentiality.NORMAL, "Normal: shared under the agreements"),
            (Confidentiality.RESTRICTED, "Restricted: only you can read it"),
        ],
        widget=GovUKRadios,
        initial=Confidentiality.NORMAL,
    )
    attachments = AttachmentsField()

    field_order = ["also_about", *WordingForm.base_fields]

    def __init__(self, *args, agency, others, **kwargs):
        super().__init__(*args, **kwargs)
        self.others = {str(c.pk): c for c in others}
        if others:
            self.fields["also_about"].choices = [(pk, c.full_name) for pk, c in self.others.items()]
        else:
            del self.fields["also_about"]
        self.fields["category"].initial = AGENCY_CATEGORY[AgencyType(agency.agency_type)]
        _selects(self, "category")

    def entry_data(self, child) -> dict:
        data = self.cleaned_data
        others = [self.others[pk] for pk in data.get("also_about") or ()]
        return {
            "children": [child, *others],
            "category": data["category"],
            "confidentiality": data["confidentiality"],
            "attachments": data["attachments"],
            **self.wording(),
        }


class AmendForm(WordingForm):
    reason = forms.CharField(
        label="Why are you amending it?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The earlier wording is kept in the entry's history with your reason",
        error_messages={"required": "Say why you are amending the entry"},
    )

    @classmethod
    def initial_for(cls, entry) -> dict:
        local = timezone.localtime(entry.event_at)
        return {
            "event_date": local.date(),
            "event_time": f"{local:%H:%M}" if entry.event_precision == DatePrecision.TIME else "",
            "event_precision": entry.event_precision,
            "entry_type": entry.entry_type,
            "summary": entry.summary,
            "detail": entry.detail,
            "outcome": entry.outcome,
            "significance": entry.significance,
            "source_reference": entry.source_reference,
        }


class InErrorForm(GovUKForm):
    reason = forms.CharField(
        label="Why was it entered in error?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: recorded on the wrong child's chronology, or a duplicate",
        error_messages={"required": "Say why the entry was entered in error"},
    )


# --- exports --------------------------------------------------------------------------

FORMAT_LABELS = {
    "csv": "CSV (a spreadsheet of plain text)",
    "xlsx": "Excel workbook (XLSX)",
    "docx": "Word document (DOCX)",
    "pdf": "PDF",
}


class ExportForm(GovUKForm):
    format = forms.ChoiceField(
        label="Format",
        choices=[(f, FORMAT_LABELS[f]) for f in exports.FORMATS],
        widget=GovUKRadios,
        error_messages={"required": "Select the format of the export"},
    )
    scope = forms.ChoiceField(
        label="Whose chronology", choices=SCOPES, widget=GovUKRadios, required=False
    )
    since = GovUKDateField(label="From", required=False, help_text="Leave blank from the start")
    until = GovUKDateField(label="To", required=False, help_text="Leave blank to today")
    agency = forms.MultipleChoiceField(
        label="Agencies",
        widget=GovUKCheckboxes,
        required=False,
        help_text="Leave all unselected for every agency",
    )

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [(str(a.pk), a.name) for a in agencies]
        if not agencies:
            del self.fields["agency"]

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", "The end of the range must be on or after its start")
        return data

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(
            agencies=tuple(data.get("agency") or ()),
            since=data.get("since"),
            until=data.get("until"),
            newest_first=False,
        )
