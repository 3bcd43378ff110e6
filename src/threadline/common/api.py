"""API plumbing shared by every app: JSON errors with a stable `code` and the field,
optimistic concurrency with ETag / If-Match, the Idempotency-Key header, and the
error responses every operation documents in the OpenAPI schema."""

import contextlib
import functools
import hashlib
import json
import re
from collections.abc import Callable
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import Error as DatabaseFailure
from django.db import IntegrityError, transaction
from django.http import Http404, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import exceptions, generics, serializers, status
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder
from rest_framework.views import exception_handler as drf_exception_handler

from threadline.audit.models import AuditAction
from threadline.audit.services import record_event


def validated(serializer_class, request, data=None):
    """A request's validated input (its body, or `data`: query strings are passed as a
    plain dict, so that an empty `?date_of_birth=` is refused rather than read as absent,
    HTML-form style); invalid input raises the API's 400 with codes and fields."""
    serializer = serializer_class(
        data=request.data if data is None else data, context={"request": request}
    )
    serializer.is_valid(raise_exception=True)
    check_dates(serializer.validated_data)
    return serializer.validated_data


EARLIEST_YEAR = 1900


def check_dates(data, field: str | None = None) -> None:
    """Every date and time sent is from 1900 on, as the web's date fields require (an
    earlier one is a typo; before 1847, London's offset has seconds, which no RFC 3339
    time can carry back). `400 invalid_date` naming the field."""
    if isinstance(data, dict):
        for key, value in data.items():
            check_dates(value, key if field is None else f"{field}.{key}")
    elif isinstance(data, list | tuple):
        for value in data:
            check_dates(value, field)
    elif isinstance(data, date) and data.year < EARLIEST_YEAR:
        raise exceptions.ValidationError(
            {
                field: [
                    exceptions.ErrorDetail(
                        f"Enter a date in {EARLIEST_YEAR} or later", code="invalid_date"
                    )
                ]
            }
        )


def drf_error_items(detail, field=None):
    """DRF error detail (nested dicts/lists of ErrorDetail) → [{field, code, message}]."""
    if isinstance(detail, dict):
        return [
            e
            for key, value in detail.items()
            for e in drf_error_items(
                value,
                # A list's own error ("not a list") belongs to the list's field.
                field if key == "non_field_errors" else key if field is None else f"{field}.{key}",
            )
        ]
    if isinstance(detail, list):
        return [e for item in detail for e in drf_error_items(item, field)]
    return [{"field": field, "code": getattr(detail, "code", "invalid"), "message": str(detail)}]


def django_error_items(error: DjangoValidationError) -> list[dict]:
    if hasattr(error, "error_dict"):
        return [
            {
                "field": None if name == "__all__" else name,
                "code": e.code or "invalid",
                "message": " ".join(e.messages),
            }
            for name, errors in error.error_dict.items()
            for e in errors
        ]
    return [
        {"field": None, "code": e.code or "invalid", "message": " ".join(e.messages)}
        for e in error.error_list
    ]


def error_response(errors: list[dict], status_code: int) -> Response:
    first = errors[0]
    return Response(
        {
            "code": first["code"],
            "field": first["field"],
            "message": first["message"],
            "errors": errors,
        },
        status=status_code,
    )


def _audit_refusal(context, status_code: int) -> None:
    """Every refusal is on the audit trail (SECURITY.md), as on the web routes."""
    request = context.get("request")
    if request is not None and request.user.is_authenticated:
        record_event(
            actor=request.user,
            action=AuditAction.DENIED,
            request=request,
            summary=f"Refused ({status_code}) {request.method} {request.path}"[:500],
        )


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        return error_response(django_error_items(exc), status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404 | exceptions.NotFound):
        _audit_refusal(context, 404)
        return error_response([{"field": None, "code": "not_found", "message": "Not found."}], 404)
    if isinstance(exc, DjangoPermissionDenied):
        exc = Forbidden()
    if isinstance(exc, exceptions.PermissionDenied):
        _audit_refusal(context, 403)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = drf_error_items(exc.detail)
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        errors = [
            {
                "field": None,
                "code": getattr(detail, "code", None) or getattr(exc, "default_code", "error"),
                "message": str(detail),
            }
        ]
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


class Forbidden(exceptions.PermissionDenied):
    """The caller may see the record but not make this change (never for unseen records:
    those are 404)."""

    default_code = "forbidden"
    default_detail = "You can see this record but you are not allowed to make this change."


class IdempotencyKeyReused(exceptions.APIException):
    status_code = 422
    default_code = "idempotency_key_reused"
    default_detail = "This Idempotency-Key was already used with a different request."


class IdempotencyKeyInFlight(exceptions.APIException):
    status_code = 409
    default_code = "idempotency_key_in_flight"
    default_detail = "A request with this Idempotency-Key is still being processed; retry later."


class TextField(serializers.CharField):
    """A CharField for input that takes only JSON strings (DRF's own would turn 42 or
    true into "42" or "True", which a client never meant)."""

    default_error_messages = {"invalid": "Send text (a JSON string)."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


# --- OpenAPI: the error body and the responses each kind of operation can give --------


class ErrorItemSerializer(serializers.Serializer):
    field = serializers.CharField(allow_null=True, help_text="The input field at fault, if any.")
    code = serializers.CharField(help_text="A stable, machine-readable code.")
    message = serializers.CharField()


class ErrorSerializer(ErrorItemSerializer):
    """The first error's field, code and message, then every error found."""

    errors = ErrorItemSerializer(many=True)

    class Meta:
        ref_name = "Error"


_ERROR_DESCRIPTIONS = {
    400: "The input is invalid; nothing was saved.",
    401: "Not signed in: send `Authorization: Token <key>`.",
    403: "You can see the record but may not make this change.",
    404: "No such record, or it is outside your reach.",
    409: "A request with this Idempotency-Key is still in flight.",
    412: "If-Match does not match the current ETag: fetch the record again.",
    415: "Send the body as application/json.",
    422: "This Idempotency-Key was used with a different request.",
    428: "Send If-Match with the ETag from your last read.",
}


def document_database_unavailable(result, generator, request, public):
    """drf-spectacular postprocessing hook: any operation may answer 503
    `database_unavailable` (web.errors) while PostgreSQL restarts or fails over."""
    unavailable = {
        "description": "The database cannot be reached just now: send the same request "
        "again after Retry-After seconds (code `database_unavailable`).",
        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    for item in result["paths"].values():
        for operation in item.values():
            operation["responses"].setdefault("503", unavailable)
    return result


def error_responses(*codes: int) -> dict:
    return {
        code: OpenApiResponse(ErrorSerializer, description=_ERROR_DESCRIPTIONS[code])
        for code in codes
    }


# Every authenticated operation can answer 401; reads of one record 404; writes 400, 403
# (including a failed CSRF check for session callers) and 415.
READ_ERRORS = error_responses(401)
RETRIEVE_ERRORS = error_responses(401, 404)
CREATE_ERRORS = error_responses(400, 401, 403, 409, 415, 422)
CREATE_UNDER_ERRORS = error_responses(400, 401, 403, 404, 409, 415, 422)
UPDATE_ERRORS = error_responses(400, 401, 403, 404, 412, 415, 428)

ETAG_HEADER = OpenApiParameter(
    "ETag",
    type=str,
    location=OpenApiParameter.HEADER,
    response=[200, 201],
    description="The version of the record; send it back as If-Match to change it.",
)
IF_MATCH_HEADER = OpenApiParameter(
    "If-Match",
    type={"type": "string", "minLength": 1},
    location=OpenApiParameter.HEADER,
    required=True,
    description="The ETag of the version you are changing.",
)
IDEMPOTENCY_KEY_MAX_LENGTH = 255
_IDEMPOTENCY_KEY = re.compile(rf"[\x21-\x7e]{{1,{IDEMPOTENCY_KEY_MAX_LENGTH}}}")
IDEMPOTENCY_KEY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    location=OpenApiParameter.HEADER,
    required=False,
    type={"type": "string", "pattern": f"^{_IDEMPOTENCY_KEY.pattern}$"},
    description=(
        "Optional: 1 to 255 visible ASCII characters, such as a UUID. Repeating a request "
        "with the same key and body returns the first response again instead of creating "
        "a second record."
    ),
)
REPLAYED_HEADER = OpenApiParameter(
    "Idempotent-Replayed",
    type=str,
    location=OpenApiParameter.HEADER,
    response=[200, 201],
    description="`true` when this response is a replay of an earlier request with the same key.",
)


# --- Idempotency-Key -------------------------------------------------------------------

# A key is remembered for a day; a claim whose request never finished (a crashed worker)
# is given up after IDEMPOTENCY_ABANDONED_SECONDS so the client can retry.
IDEMPOTENCY_TTL = timedelta(hours=24)
_REPLAYED_HEADERS = ("ETag", "Location")


def request_fingerprint(method: str, path: str, data) -> str:
    """What makes two requests 'the same': method, path and the parsed body (a file by
    its name, size and SHA-256)."""
    canonical = json.dumps(
        {"method": method, "path": path, "body": _comparable(data)}, sort_keys=True, cls=JSONEncoder
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _comparable(data):
    """A multipart body as plain JSON: each field's values, each file as its digest."""
    if isinstance(data, UploadedFile):
        digest = hashlib.sha256()
        for chunk in data.chunks():
            digest.update(chunk)
        data.seek(0)
        return {"file": data.name, "size": data.size, "sha256": digest.hexdigest()}
    if hasattr(data, "lists"):  # a QueryDict (form or multipart body)
        return {key: [_comparable(v) for v in values] for key, values in data.lists()}
    return data


def _claim(actor, key: str, fingerprint: str):
    """Claim the key for this request; returns the record, or a replayed response, or
    raises when the key is in flight or was used for something else."""
    from .models import IdempotencyRecord

    for _ in range(3):
        try:
            with transaction.atomic():
                return IdempotencyRecord.objects.create(
                    actor=actor, key=key, fingerprint=fingerprint
                )
        except IntegrityError:
            pass
        existing = IdempotencyRecord.objects.filter(actor=actor, key=key).first()
        if existing is None:
            continue  # released between our insert and our read
        age = timezone.now() - existing.created_at
        abandoned_after = timedelta(seconds=settings.IDEMPOTENCY_ABANDONED_SECONDS)
        abandoned = existing.status_code is None and age > abandoned_after
        if age > IDEMPOTENCY_TTL or abandoned:
            # Conditional delete: only one retrier wins the right to reclaim the key, and
            # an abandoned claim only while it is still unfinished (the request we took
            # for dead may have just committed its response).
            stale = IdempotencyRecord.objects.filter(pk=existing.pk, created_at=existing.created_at)
            if age <= IDEMPOTENCY_TTL:
                stale = stale.filter(status_code__isnull=True)
            stale.delete()
            continue
        if existing.fingerprint != fingerprint:
            raise IdempotencyKeyReused()
        if existing.status_code is None:
            raise IdempotencyKeyInFlight()
        response = Response(existing.response_body, status=existing.status_code)
        for header, value in existing.response_headers.items():
            response[header] = value
        response["Idempotent-Replayed"] = "true"
        return response
    raise IdempotencyKeyInFlight()


def idempotent(handler: Callable) -> Callable:
    """Decorate an API view's `post`: with an `Idempotency-Key` header, the first
    successful response is stored and replayed for the same caller, key and request.
    Failed requests are not stored, so the client can correct them and retry."""

    @functools.wraps(handler)
    def wrapper(view, request, *args, **kwargs):
        key = request.headers.get("Idempotency-Key")
        if key is None:
            return handler(view, request, *args, **kwargs)
        if not _IDEMPOTENCY_KEY.fullmatch(key):
            raise exceptions.ValidationError(
                {
                    "Idempotency-Key": [
                        exceptions.ErrorDetail(
                            f"Send a key of 1 to {IDEMPOTENCY_KEY_MAX_LENGTH} visible "
                            "ASCII characters",
                            code="invalid_idempotency_key",
                        )
                    ]
                }
            )
        fingerprint = request_fingerprint(request.method, request.path, request.data)
        claimed = _claim(request.user, key, fingerprint)
        if isinstance(claimed, Response):
            return claimed
        try:
            # The write and its stored response commit together: a worker killed between
            # the two would otherwise leave the write made and the key in flight, and the
            # retry that takes over the abandoned claim would make the write again. The
            # claim is also a fence: if a retry took it over meanwhile, storing the
            # response updates no row, and this request's write rolls back.
            with transaction.atomic():
                response = handler(view, request, *args, **kwargs)
                if 200 <= response.status_code < 300:
                    claimed.status_code = response.status_code
                    claimed.response_body = json.loads(json.dumps(response.data, cls=JSONEncoder))
                    claimed.response_headers = {
                        h: response[h] for h in _REPLAYED_HEADERS if h in response
                    }
                    claimed.save(update_fields=["status_code", "response_body", "response_headers"])
        except BaseException:
            # Not stored: the client may retry. (If the database is gone this fails too,
            # and the claim waits to be abandoned.)
            with contextlib.suppress(DatabaseFailure):
                claimed.delete()
            raise
        if not 200 <= response.status_code < 300:
            claimed.delete()
        return response

    return wrapper


def forget_old_idempotency_records(*, now=None) -> int:
    """Delete remembered responses past their day (they hold copies of personal data).
    `threadline housekeeping` runs it on a schedule; returns how many were deleted."""
    from .models import IdempotencyRecord

    cutoff = (now or timezone.now()) - IDEMPOTENCY_TTL
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted


# --- views --------------------------------------------------------------------------


class Pagination(LimitOffsetPagination):
    """`limit` (at most 200) and `offset`; a malformed value is a 400, not ignored."""

    default_limit = 50
    max_limit = 200
    max_offset = 10**9  # far past any list, and inside every database's integer range

    def _parameter(self, request, name: str, default: int, maximum: int) -> int:
        raw = request.query_params.get(name)
        if raw is None:
            return default
        if not raw.isascii() or not raw.isdigit():
            raise exceptions.ValidationError(
                {
                    name: [
                        exceptions.ErrorDetail("Enter a whole number of 0 or more", code="invalid")
                    ]
                }
            )
        return min(int(raw), maximum)

    def get_limit(self, request) -> int:
        return self._parameter(request, self.limit_query_param, self.default_limit, self.max_limit)

    def get_offset(self, request) -> int:
        return self._parameter(request, self.offset_query_param, 0, self.max_offset)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 0
        return parameters


class APIView(generics.GenericAPIView):
    """Base of every API view: JSON bodies only, strict limit/offset pagination."""

    parser_classes = [JSONParser]
    pagination_class = Pagination


@csrf_exempt  # it changes nothing; a POST to a wrong path should still get this 404
def not_found(request, *args, **kwargs) -> JsonResponse:
    """Any /api/ path that matches no route: the same JSON 404 as a missing record."""
    error = {"field": None, "code": "not_found", "message": "Not found."}
    return JsonResponse({**error, "errors": [error]}, status=404)
