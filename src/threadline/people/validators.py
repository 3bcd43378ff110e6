"""Identifiers: NHS numbers (modulus 11) and UK postcodes."""

import re

from django.core.exceptions import ValidationError

_POSTCODE = re.compile(r"^(GIR ?0AA|[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2})$")


def nhs_number_is_valid(value: str) -> bool:
    """True when `value` is ten digits whose last is the modulus-11 check digit."""
    if len(value) != 10 or not value.isdigit():
        return False
    total = sum(
        int(digit) * weight for digit, weight in zip(value[:9], range(10, 1, -1), strict=True)
    )
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(value[9])


def normalise_nhs_number(value: str) -> str:
    return re.sub(r"[\s-]", "", value or "")


def validate_nhs_number(value: str) -> None:
    if not nhs_number_is_valid(value):
        raise ValidationError(
            "Enter a valid NHS number: 10 digits, the last being the check digit",
            code="invalid_nhs_number",
        )


def normalise_postcode(value: str) -> str:
    """Upper case with one space before the inward code: ' nm1 4bx ' → 'NM1 4BX'."""
    compact = re.sub(r"\s", "", (value or "").upper())
    if len(compact) < 5:
        return compact
    return f"{compact[:-3]} {compact[-3:]}"


def validate_postcode(value: str) -> None:
    if not _POSTCODE.match(value):
        raise ValidationError("Enter a real postcode, like NM1 4BX", code="invalid_postcode")
