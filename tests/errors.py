from django.core.exceptions import ValidationError


def codes(error: ValidationError) -> set[str]:
    """The stable codes a service's ValidationError carries, whatever its shape."""
    if hasattr(error, "error_dict"):
        return {e.code for errors in error.error_dict.values() for e in errors}
    return {e.code for e in error.error_list}


def codes_by_field(error: ValidationError) -> dict[str, list[str]]:
    """Field (`__all__` for the whole record) → the codes of its problems, in order."""
    if not hasattr(error, "error_dict"):
        return {"__all__": [e.code for e in error.error_list]}
    return {name: [e.code for e in errors] for name, errors in error.error_dict.items()}
