"""Errors services raise. Django's ValidationError carries a stable `code` and the field;
forms show it in the GOV.UK error summary and the API returns it as JSON."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


def invalid(field: str | None, message: str, code: str) -> ValidationError:
    """A ValidationError for one field (or the whole record when field is None)."""
    if field is None:
        return ValidationError(message, code=code)
    return ValidationError({field: ValidationError(message, code=code)})


def add_error(errors: dict, field: str | None, message: str, code: str) -> None:
    """Collect one problem in `errors` (field → list), to raise every problem at once as
    `ValidationError(errors)`; `None` is the whole record."""
    errors.setdefault(field or NON_FIELD_ERRORS, []).append(ValidationError(message, code=code))
