from django.core.exceptions import ValidationError


def codes(error: ValidationError) -> set[str]:
    """The stable codes a service's ValidationError carries, whatever its shape."""
    if hasattr(error, "error_dict"):
        return {e.code for errors in error.error_dict.values() for e in errors}
    return {e.code for e in error.error_list}
