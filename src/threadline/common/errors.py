"""Errors services raise. Django's ValidationError carries a stable `code` and the field;
forms show it in the GOV.UK error summary and the API returns it as JSON."""

from django.core.exceptions import ValidationError


def invalid(field: str | None, message: str, code: str) -> ValidationError:
    """A ValidationError for one field (or the whole record when field is None)."""
    if field is None:
        return ValidationError(message, code=code)
    return ValidationError({field: ValidationError(message, code=code)})
