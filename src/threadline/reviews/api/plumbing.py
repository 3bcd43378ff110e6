"""What every case-review endpoint shares: who may act (403 with the services' own
codes), uploads as multipart or JSON, Idempotency-Key for JSON bodies, and answers that
are files."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse

from threadline.common.api import (
    IDEMPOTENCY_KEY_HEADER,
    REPLAYED_HEADER,
    APIView,
    Forbidden,
    validated,
)
from threadline.common.documents import DOCUMENT_TYPES
from threadline.sharing import policy

from .. import selectors
from ..models import Review

CREATE_HEADERS = [IDEMPOTENCY_KEY_HEADER, REPLAYED_HEADER]
WHO_MANAGES = "Only the safeguarding partnership's officers do this for a review"
WHO_RESPONDS = "Only the agency's safeguarding leads and team managers respond for it"
# The services' refusals of the caller (rather than of the input): answered with 403.
REFUSALS = {"not_allowed", "not_your_agency"}
DOCUMENT_MEDIA_TYPES = sorted({content_type for content_type, _ in DOCUMENT_TYPES.values()})
DOCUMENT_RESPONSES = {
    (200, media_type): OpenApiResponse(OpenApiTypes.BINARY, description="The file, as uploaded.")
    for media_type in DOCUMENT_MEDIA_TYPES
}
UPLOAD_NOTE = (
    " Send the files as `multipart/form-data`, or inside a JSON body as `{filename, content}` "
    "with the content base64-encoded (within the request size limit, 2.5 MB)."
)


def not_allowed() -> Forbidden:
    return Forbidden(WHO_MANAGES, code="not_allowed")


def managed_review(request, id) -> Review:
    """The review (404 if the caller may not see it), if the caller is an officer of the
    partnership running it (403 `not_allowed` otherwise)."""
    review = selectors.get_review_for(request.user, id)
    if not policy.can_manage_review(request.user, review):
        raise not_allowed()
    return review


def require_manager(request, review: Review) -> None:
    if not policy.can_manage_review(request.user, review):
        raise not_allowed()


def require_responder(request, agency_id) -> None:
    if not policy.can_respond_for(request.user, agency_id):
        raise Forbidden(WHO_RESPONDS, code="not_your_agency")


@contextmanager
def refusals_as_403() -> Iterator[None]:
    """A service's refusal of the caller (`not_allowed`, `not_your_agency`, about the
    whole request) is a 403, as the views' own checks give; other problems stay 400."""
    try:
        yield
    except ValidationError as error:
        if not hasattr(error, "error_dict") and {e.code for e in error.error_list} <= REFUSALS:
            first = error.error_list[0]
            raise Forbidden(" ".join(first.messages), code=first.code) from error
        raise


def is_multipart(request) -> bool:
    return request.content_type.startswith("multipart/")


def upload_input(request, form_serializer, json_serializer) -> dict:
    """An upload's validated input, from a multipart form or a JSON body."""
    return validated(form_serializer if is_multipart(request) else json_serializer, request)


class FileAPIView(APIView):
    """A view that may answer with a file: `?format=` names the file's format, not a
    renderer (DRF's meaning of it), and an `Accept` for the file's type is not refused;
    errors are JSON."""

    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)


def download(stored, *, name: str, content_type: str) -> FileResponse:
    return FileResponse(
        stored.open("rb"), as_attachment=True, filename=name, content_type=content_type
    )
