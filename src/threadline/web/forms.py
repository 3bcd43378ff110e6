"""GOV.UK Design System form machinery, written once: every form in Threadline mixes in
GovUKForm so its widgets carry GOV.UK classes, error states and the date-input pattern,
and views hand service errors back to the form with `add_service_errors`."""

import datetime as dt

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from threadline.audit.services import client_ip

from . import services

_WIDGET_CLASSES = {
    forms.TextInput: "govuk-input",
    forms.EmailInput: "govuk-input",
    forms.NumberInput: "govuk-input",
    forms.PasswordInput: "govuk-input",
    forms.Select: "govuk-select",
    forms.Textarea: "govuk-textarea",
}
# Django's own select renders a template per option; this one writes them in one loop
# (a 13-option select: 0.71 → 0.35 ms).
_WIDGET_TEMPLATES = {forms.Select: "components/widgets/select.html"}


class GovUKDateWidget(forms.MultiWidget):
    """Day, month and year boxes (the GOV.UK date input pattern)."""

    template_name = "components/widgets/date_input.html"

    def __init__(self, attrs=None):
        box = {"inputmode": "numeric", "class": "govuk-input govuk-date-input__input"}
        super().__init__(
            {
                "day": forms.TextInput(box | {"class": box["class"] + " govuk-input--width-2"}),
                "month": forms.TextInput(box | {"class": box["class"] + " govuk-input--width-2"}),
                "year": forms.TextInput(box | {"class": box["class"] + " govuk-input--width-4"}),
            },
            attrs,
        )

    def decompress(self, value):
        if isinstance(value, dt.date):
            return [value.day, value.month, value.year]
        return [None, None, None]


class GovUKDateField(forms.MultiValueField):
    """A date entered as day, month and year, with GOV.UK error messages."""

    widget = GovUKDateWidget

    def __init__(self, *, label: str, required: bool = True, **kwargs):
        self.label_text = label
        super().__init__(
            fields=(forms.CharField(), forms.CharField(), forms.CharField()),
            require_all_fields=False,
            required=required,
            label=label,
            **kwargs,
        )
        self.error_messages["required"] = f"Enter the {label.lower()}"

    def compress(self, data_list):
        if not data_list or not any(data_list):
            return None
        day, month, year = (part.strip() if part else "" for part in data_list)
        missing = [
            name
            for name, part in zip(("day", "month", "year"), (day, month, year), strict=True)
            if not part
        ]
        if missing:
            raise ValidationError(
                f"{self.label_text} must include a {' and '.join(missing)}", code="incomplete_date"
            )
        try:
            value = dt.date(int(year), int(month), int(day))
        except ValueError as exc:
            raise ValidationError(
                f"{self.label_text} must be a real date", code="invalid_date"
            ) from exc
        if value.year < 1900:
            raise ValidationError(f"{self.label_text} must be after 1900", code="invalid_date")
        return value


# Widgets of several inputs, which Django numbers `<id>_0`, `<id>_1`… (a date's boxes
# too, whatever the names of its parts).
_NUMBERED_INPUTS = (GovUKDateWidget, forms.RadioSelect, forms.CheckboxSelectMultiple)


class GovUKForm(forms.Form):
    """Base form: GOV.UK classes on widgets and error classes on invalid fields."""

    template_name = "components/form_fields.html"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            css = _WIDGET_CLASSES.get(type(widget))
            if css:
                existing = widget.attrs.get("class", "")
                widget.attrs["class"] = f"{css} {existing}".strip()
            widget.template_name = _WIDGET_TEMPLATES.get(type(widget), widget.template_name)

    def full_clean(self):
        super().full_clean()
        self._mark_errors()

    def add_error(self, field, error):
        super().add_error(field, error)
        self._mark_errors()

    def _mark_errors(self):
        if self._errors is None:
            return
        for name in self._errors:
            if name not in self.fields:
                continue
            widget = self.fields[name].widget
            css = _WIDGET_CLASSES.get(type(widget))
            if css and f"{css}--error" not in widget.attrs.get("class", ""):
                widget.attrs["class"] += f" {css}--error"
            if isinstance(widget, GovUKDateWidget):
                for sub in widget.widgets:
                    if "govuk-input--error" not in sub.attrs["class"]:
                        sub.attrs["class"] += " govuk-input--error"

    def add_service_errors(self, error: ValidationError, field_map: dict | None = None) -> None:
        """Show a service's ValidationError on the form: on the field it names where the
        form has that field, otherwise at the top of the error summary."""
        field_map = field_map or {}
        if not hasattr(error, "error_dict"):
            for message in error.messages:
                self.add_error(None, message)
            return
        for name, errors in error.error_dict.items():
            target = field_map.get(name, name)
            for e in errors:
                for message in e.messages:
                    self.add_error(target if target in self.fields else None, message)

    def error_links(self) -> list[tuple[str, str]]:
        """(anchor, message) pairs for the error summary; each links to the box to fix:
        the first box of a date (the day), the first radio or checkbox, else the field."""
        links = [("", message) for message in self.non_field_errors()]
        for field in self:
            anchor = field.auto_id
            if isinstance(field.field.widget, _NUMBERED_INPUTS):
                anchor = f"{field.auto_id}_0"
            links.extend((anchor, message) for message in field.errors)
        return links


class GovUKRadios(forms.RadioSelect):
    template_name = "components/widgets/radios.html"


class GovUKCheckboxes(forms.CheckboxSelectMultiple):
    template_name = "components/widgets/checkboxes.html"


class GovUKCheckbox(forms.CheckboxInput):
    def __init__(self, attrs=None):
        super().__init__({"class": "govuk-checkboxes__input"} | (attrs or {}))


# --- Sign-in forms ----------------------------------------------------------------------


class SignInForm(AuthenticationForm):
    """Username and password. A (username, address) pair that is locked out is refused
    before its password is checked; `refused` tells the view so."""

    refused = False

    def clean(self):
        username = self.cleaned_data.get("username")
        ip = client_ip(self.request)
        if username and services.is_locked_out(username=username, ip=ip):
            self.refused = True
            raise ValidationError(services.locked_out_message(), code="locked_out")
        try:
            return super().clean()
        except ValidationError as error:
            if username and services.is_locked_out(username=username, ip=ip):  # just now
                raise ValidationError(services.locked_out_message(), code="locked_out") from error
            raise


class CodeField(forms.CharField):
    """The 6-digit code from an authenticator app; spaces are ignored."""

    def __init__(self, **kwargs):
        super().__init__(
            label="Security code",
            max_length=20,
            help_text="The 6-digit code your authenticator app shows for Threadline",
            error_messages={"required": "Enter the 6-digit security code from your app"},
            widget=forms.TextInput(
                attrs={
                    "class": "govuk-input--width-5",
                    "inputmode": "numeric",
                    "autocomplete": "one-time-code",
                    "spellcheck": "false",
                }
            ),
            **kwargs,
        )

    def clean(self, value):
        value = super().clean(value)
        value = "".join(value.split()).replace("-", "")
        if value and not (len(value) == 6 and value.isascii() and value.isdigit()):
            raise ValidationError(
                "Enter the security code as 6 digits, like 123456", code="invalid_code"
            )
        return value


class CodeForm(GovUKForm):
    code = CodeField()


class ReauthenticateForm(GovUKForm):
    """The password again, and a security code for people who have an app."""

    password = forms.CharField(
        label="Password",
        strip=False,
        error_messages={"required": "Enter your password"},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    code = CodeField()

    def __init__(self, *args, with_code: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_code:
            del self.fields["code"]
