"""API plumbing shared by every app: JSON errors with a stable `code` and the field,
and optimistic concurrency with ETag / If-Match."""

import hashlib

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def _flatten(detail, field=None):
    """DRF error detail (nested dicts/lists of ErrorDetail) → [{field, code, message}]."""
    if isinstance(detail, dict):
        return [e for key, value in detail.items()
                for e in _flatten(value, None if key == "non_field_errors" else
                                  key if field is None else f"{field}.{key}")]
    if isinstance(detail, list):
        return [e for item in detail for e in _flatten(item, field)]
    return [{"field": field, "code": getattr(detail, "code", "invalid"), "message": str(detail)}]


def _from_django(error: DjangoValidationError) -> list[dict]:
    if hasattr(error, "error_dict"):
        return [
            {"field": None if name == "__all__" else name, "code": e.code or "invalid",
             "message": " ".join(e.messages)}
            for name, errors in error.error_dict.items() for e in errors
        ]
    return [{"field": None, "code": e.code or "invalid", "message": " ".join(e.messages)}
            for e in error.error_list]


def error_response(errors: list[dict], status_code: int) -> Response:
    first = errors[0]
    return Response(
        {"code": first["code"], "field": first["field"], "message": first["message"],
         "errors": errors},
        status=status_code,
    )


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        return error_response(_from_django(exc), status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        return error_response(
            [{"field": None, "code": "not_found", "message": "Not found."}], 404
        )
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        errors = [{"field": None, "code": getattr(detail, "code", None) or
                   getattr(exc, "default_code", "error"), "message": str(detail)}]
    new = error_response(errors, response.status_code)
    for header in ("WWW-Authenticate", "Retry-After", "Allow"):
        if header in response:
            new[header] = response[header]
    return new


class PreconditionRequired(exceptions.APIException):
    status_code = 428
    default_code = "precondition_required"
    default_detail = "Send If-Match with the ETag of the version you are changing."


class PreconditionFailed(exceptions.APIException):
    status_code = 412
    default_code = "precondition_failed"
    default_detail = "The record has changed since you read it; fetch it again."


def etag_for(instance) -> str:
    version = f"{instance.pk}:{instance.updated_at.isoformat()}"
    return '"' + hashlib.sha256(version.encode()).hexdigest()[:32] + '"'


def check_if_match(request, instance) -> None:
    """Optimistic concurrency: updates must name the version they change."""
    sent = request.headers.get("If-Match")
    if not sent:
        raise PreconditionRequired()
    if sent.strip() != etag_for(instance):
        raise PreconditionFailed()
