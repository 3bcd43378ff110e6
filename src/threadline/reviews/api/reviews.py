"""Reviews: list, read, open; milestones, closing, asking agencies for reports; the review
chronology and agencies' additions to it; recommendations proposed from the document."""

from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response

from threadline.audit.models import AuditAction
from threadline.audit.services import record_event
from threadline.chronology import exports
from threadline.common.api import (
    CREATE_ERRORS,
    CREATE_UNDER_ERRORS,
    RETRIEVE_ERRORS,
    APIView,
    Forbidden,
    error_responses,
    idempotent,
    validated,
)
from threadline.sharing import policy

from .. import selectors, services
from ..models import Recommendation, Review
from ..serializers.reviews import (
    ChronologyQuerySerializer,
    ExtractionSerializer,
    ExtractJsonSerializer,
    ExtractUploadSerializer,
    MilestoneInputSerializer,
    OpenReviewInputSerializer,
    ReportRequestInputSerializer,
    ReviewChronologySerializer,
    ReviewDetailSerializer,
    ReviewEntryInputSerializer,
    ReviewEntrySerializer,
    ReviewQuerySerializer,
    ReviewReportSerializer,
    ReviewSerializer,
)
from .plumbing import (
    CREATE_HEADERS,
    WHO_MANAGES,
    FileAPIView,
    managed_review,
    not_allowed,
    refusals_as_403,
    upload_input,
)

EXPORT_TYPES = {fmt: exports.CONTENT_TYPES[fmt].split(";")[0] for fmt in exports.FORMATS}
_REVIEW_WITH = ("children", "panel__practitioner", "agency_reports__agency")


def _review_detail(request, review: Review) -> dict:
    numbered = Recommendation.objects.select_related("addressed_to").order_by("number")
    prefetch_related_objects([review], *_REVIEW_WITH, Prefetch("recommendations", numbered))
    actions = selectors.actions_visible_to(request.user).filter(recommendation__review=review)
    context = {"tasks": selectors.review_tasks(review), "figures": selectors.figures(actions)}
    return ReviewDetailSerializer(review, context=context).data


def _review_response(request, review: Review, status_code=status.HTTP_200_OK) -> Response:
    """The review as it is now, after a change the actor was allowed to make (the change
    itself is on the audit trail)."""
    review = selectors.get_review_for(request.user, review.pk)
    return Response(_review_detail(request, review), status=status_code)


class ReviewList(APIView):
    serializer_class = ReviewSerializer

    @extend_schema(
        operation_id="reviews_list",
        tags=["reviews"],
        summary="The case reviews you may see, latest incident first",
        description=(
            "Those your partnership runs, those you sit on the panel of, and those that "
            "asked your agency for a report or addressed a recommendation to it. Filters: "
            "`status`, `review_type`. Audited as a search."
        ),
        parameters=[ReviewQuerySerializer],
        responses={200: ReviewSerializer(many=True), **error_responses(400, 401)},
    )
    def get(self, request):
        query = validated(ReviewQuerySerializer, request, request.query_params.dict())
        reviews = policy.reviews_visible_to(request.user).select_related("partnership")
        terms = []
        if query.get("status"):
            reviews = reviews.filter(status=query["status"])
            terms.append(query["status"])
        if query.get("review_type"):
            reviews = reviews.filter(review_type=query["review_type"])
            terms.append(query["review_type"])
        record_event(
            actor=request.user,
            action=AuditAction.SEARCH,
            summary=" ".join(["Listed case reviews", *terms]),
            request=request,
        )
        page = self.paginate_queryset(reviews.order_by("-incident_on", "title", "id"))
        prefetch_related_objects(page, "children")
        return self.get_paginated_response(ReviewSerializer(page, many=True).data)

    @extend_schema(
        operation_id="reviews_create",
        tags=["reviews"],
        summary="Open a case review for your partnership: its children, scope, terms of "
        "reference and panel",
        description=(
            f"{WHO_MANAGES}: anyone else `403 not_allowed`, before the body is read. The "
            "subject children are named by person id or NHS number (an exact match; the "
            "partnership looks outside need-to-know). Their records, and those of everyone "
            "living with them in the scope period, are put under legal hold; the clock "
            "sets the notification (5 working days from awareness) and rapid review (15) "
            "tasks. Every problem at once, nothing saved: `unknown_person` "
            "(`children.N`), `unknown_practitioner` (`panel.N.practitioner`), `required`, "
            "`max_length` (title over 120), `invalid_choice` (review_type), "
            "`children_required`, `not_a_child`, `date_required`, `date_in_future`, "
            "`dates_out_of_order` (incident, awareness, notification), "
            "`scope_out_of_order`."
        ),
        request=OpenReviewInputSerializer,
        parameters=CREATE_HEADERS,
        responses={201: ReviewDetailSerializer, **CREATE_ERRORS},
    )
    @idempotent
    def post(self, request):
        if not policy.can_open_review(request.user):
            raise not_allowed()
        data = dict(validated(OpenReviewInputSerializer, request))
        data["panel"] = [(seat["practitioner"], seat["role"]) for seat in data["panel"]]
        with refusals_as_403():
            review = services.open_review(actor=request.user, request=request, **data)
        response = _review_response(request, review, status.HTTP_201_CREATED)
        response["Location"] = reverse("api-review-detail", args=[review.pk])
        return response


class ReviewDetail(APIView):
    serializer_class = ReviewDetailSerializer

    @extend_schema(
        operation_id="reviews_retrieve",
        tags=["reviews"],
        summary="One review: its children, dates, panel, the clock's tasks, the reports "
        "asked for, its recommendations and the action plans' figures",
        description="The figures count the actions you may see. Audited as a view.",
        responses={200: ReviewDetailSerializer, **RETRIEVE_ERRORS},
    )
    def get(self, request, id):
        review = selectors.get_review_for(request.user, id)
        record_event(
            actor=request.user,
            action=AuditAction.VIEW,
            target=review,
            child=review.clock_child,
            summary=f"Viewed {review}",
            request=request,
        )
        return Response(_review_detail(request, review))


class ReviewMilestone(APIView):
    serializer_class = ReviewDetailSerializer

    @extend_schema(
        operation_id="reviews_milestones_create",
        tags=["reviews"],
        summary="Record the notification, the rapid review's completion, the decision to "
        "hold a local practice review, or publication",
        description=(
            f"{WHO_MANAGES}: anyone else `403 not_allowed`. The clock's task for it is done "
            "(deciding on a local practice review starts the six-month publication clock "
            "and makes the review one; publishing publishes it). `invalid_choice` "
            "(milestone), `date_required`, `date_in_future`, `dates_out_of_order` (before "
            "awareness, or before the milestone before it), `already_recorded`, "
            "`review_closed`."
        ),
        request=MilestoneInputSerializer,
        parameters=CREATE_HEADERS,
        responses={200: ReviewDetailSerializer, **CREATE_UNDER_ERRORS},
    )
    @idempotent
    def post(self, request, id):
        review = managed_review(request, id)
        data = validated(MilestoneInputSerializer, request)
        with refusals_as_403():
            review = services.record_milestone(
                actor=request.user, review=review, request=request, **data
            )
        return _review_response(request, review)


class ReviewClose(APIView):
    serializer_class = ReviewDetailSerializer

    @extend_schema(
        operation_id="reviews_close_create",
        tags=["reviews"],
        summary="Close a review whose actions are all closed: its legal hold ends",
        description=(
            f"{WHO_MANAGES}: anyone else `403 not_allowed`. No body. `actions_open` (some "
            "action is not closed yet), `review_closed`."
        ),
        request=None,
        parameters=CREATE_HEADERS,
        responses={200: ReviewDetailSerializer, **CREATE_UNDER_ERRORS},
    )
    @idempotent
    def post(self, request, id):
        review = managed_review(request, id)
        with refusals_as_403():
            review = services.close_review(actor=request.user, review=review, request=request)
        return _review_response(request, review)


class ReviewReportRequests(APIView):
    serializer_class = ReviewReportSerializer

    @extend_schema(
        operation_id="reviews_report_requests_create",
        tags=["reviews"],
        summary="Ask agencies for their management reviews (agency reports) by a date",
        description=(
            f"{WHO_MANAGES}: anyone else `403 not_allowed`. Each agency's safeguarding "
            "inbox gets a notice to acknowledge; the review becomes visible to it. "
            "`unknown_agency` (`agencies.N`), `agencies_required`, `already_requested`, "
            "`date_required`, `due_in_past` (due_on: after today), `review_closed`."
        ),
        request=ReportRequestInputSerializer,
        parameters=CREATE_HEADERS,
        responses={201: ReviewReportSerializer(many=True), **CREATE_UNDER_ERRORS},
    )
    @idempotent
    def post(self, request, id):
        review = managed_review(request, id)
        data = validated(ReportRequestInputSerializer, request)
        with refusals_as_403():
            reports = services.request_reports(
                actor=request.user, review=review, request=request, **data
            )
        prefetch_related_objects(reports, "agency", "requested_by")
        return Response(
            ReviewReportSerializer(reports, many=True).data, status=status.HTTP_201_CREATED
        )


class ReviewChronology(FileAPIView):
    serializer_class = ReviewChronologySerializer

    @extend_schema(
        operation_id="reviews_chronology_retrieve",
        tags=["reviews"],
        summary="The review chronology: what every agency recorded about the subject "
        "children and their households in the scope, with the agencies' additions",
        description=(
            "For the panel and the partnership's officers (`404` for anyone else). Oldest "
            "first; entries entered in error are left out, restricted ones counted "
            "(`restricted`), not shown. With `format` (`csv`, `xlsx`, `docx`, `pdf`), the "
            "file in the layout review authors use, as an attachment; without it, the "
            "rows as JSON. Audited as a view, or as an export with its format."
        ),
        parameters=[ChronologyQuerySerializer],
        responses={
            (200, "application/json"): ReviewChronologySerializer,
            **{
                (200, media_type): OpenApiResponse(
                    OpenApiTypes.BINARY, description=f"The {fmt.upper()} file, as an attachment."
                )
                for fmt, media_type in EXPORT_TYPES.items()
            },
            **error_responses(400, 401, 404),
        },
    )
    def get(self, request, id):
        review = selectors.get_review_for(request.user, id)
        query = validated(ChronologyQuerySerializer, request, request.query_params.dict())
        if query.get("format"):
            document = selectors.export_review_chronology(
                actor=request.user, review=review, fmt=query["format"], request=request
            )
            response = HttpResponse(document.content, content_type=document.content_type)
            response["Content-Disposition"] = content_disposition_header(
                as_attachment=True, filename=document.filename
            )
            return response
        chronology = selectors.review_chronology(actor=request.user, review=review, request=request)
        body = {"review": review.pk, "restricted": chronology.restricted, "rows": chronology.rows}
        return Response(ReviewChronologySerializer(body).data)


class ReviewEntries(APIView):
    serializer_class = ReviewEntrySerializer

    @extend_schema(
        operation_id="reviews_chronology_entries_create",
        tags=["reviews"],
        summary="Add to the review chronology what your agency's files hold that the live "
        "record does not",
        description=(
            "The panel, the partnership's officers and the agencies asked for a report: "
            "anyone else who sees the review `403 not_allowed`. `date_required`, "
            "`event_in_future`, `out_of_scope` (event_at outside the review's scope), "
            "`required`, `max_length` (summary over 200), `invalid_choice`."
        ),
        request=ReviewEntryInputSerializer,
        parameters=CREATE_HEADERS,
        responses={201: ReviewEntrySerializer, **CREATE_UNDER_ERRORS},
    )
    @idempotent
    def post(self, request, id):
        review = selectors.get_review_for(request.user, id)
        if not policy.can_add_review_entry(request.user, review):
            raise Forbidden(
                "Agencies asked for a report, and the panel, add to this chronology",
                code="not_allowed",
            )
        data = validated(ReviewEntryInputSerializer, request)
        with refusals_as_403():
            entry = services.add_review_entry(
                actor=request.user, review=review, request=request, **data
            )
        return Response(ReviewEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


class ReviewExtract(APIView):
    serializer_class = ExtractionSerializer
    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema(
        operation_id="reviews_recommendations_extract_create",
        tags=["reviews"],
        summary="Propose the recommendations a review's document holds (plain text, Word "
        ".docx or PDF): saves nothing",
        description=(
            f"{WHO_MANAGES}: anyone else `403 not_allowed`. `file` is the document, up to "
            "10 MB. Each proposal is `{number, text, addressed_to, addressed_to_name}`: "
            "`addressed_to` is the agency of the partnership's area the text names (the "
            "partnership's own id when the partnership is asked), `null` when it does not "
            "say. Check them, then save them with `POST /recommendations/` "
            "(`extracted: true`). Problems, on `file`: `required`, `no_recommendations` "
            "(none found: nothing extracted), `unreadable_document` (not a plain-text, Word "
            "or PDF document, an older .doc, a password-protected or damaged file, an empty "
            "one), `document_too_big`. The file may be sent as multipart form data or "
            "inside a JSON body as `{filename, content}` with the content base64-encoded."
        ),
        request={
            "multipart/form-data": ExtractUploadSerializer,
            "application/json": ExtractJsonSerializer,
        },
        responses={200: ExtractionSerializer, **error_responses(400, 401, 403, 404, 415)},
    )
    def post(self, request, id):
        review = managed_review(request, id)
        data = upload_input(request, ExtractUploadSerializer, ExtractJsonSerializer)
        if data["file"] is None:
            raise exceptions.ValidationError(
                {"file": [exceptions.ErrorDetail("Choose the review document", code="required")]}
            )
        found = selectors.recommendations_in_document(review=review, document=data["file"])
        proposed = [
            {
                "number": p.number,
                "text": p.text,
                "addressed_to": p.addressed_to.pk if p.addressed_to else None,
                "addressed_to_name": p.addressed_to.name if p.addressed_to else None,
            }
            for p in found
        ]
        return Response(ExtractionSerializer({"proposed": proposed}).data)
