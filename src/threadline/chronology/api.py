"""Chronology entries: list (one child's, 404 if you cannot see them, or every child's
you may see) with filters; record one, or up to 1,000 all or none; read one; amend it
(PATCH, If-Match: a new version, the old one kept); mark it as entered in error; export
a child's chronology. No DELETE: nothing is ever deleted (405).

Thin views over the same services and selectors as the web pages."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.urls import path, reverse
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response

from threadline.common.api import (
    CREATE_ERRORS,
    CREATE_UNDER_ERRORS,
    ETAG_HEADER,
    IDEMPOTENCY_KEY_HEADER,
    IF_MATCH_HEADER,
    REPLAYED_HEADER,
    RETRIEVE_ERRORS,
    UPDATE_ERRORS,
    APIView,
    Forbidden,
    PreconditionRequired,
    check_if_match,
    django_error_items,
    drf_error_items,
    error_response,
    error_responses,
    etag_for,
    idempotent,
    validated,
)
from threadline.sharing.policy import can_amend_entry, get_entry_for, get_person_for

from . import exports, selectors, services
from .models import ChronologyEntry
from .serializers import (
    AmendInputSerializer,
    BulkInputSerializer,
    BulkResultSerializer,
    ChronologyEntryDetailSerializer,
    ChronologyEntrySerializer,
    EntryInputSerializer,
    EntryQuerySerializer,
    ExportQuerySerializer,
    InErrorInputSerializer,
)

CREATE_HEADERS = [IDEMPOTENCY_KEY_HEADER, REPLAYED_HEADER]
EXPORT_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def _filters(query: dict) -> selectors.Filters:
    return selectors.Filters(
        agencies=query.get("agency") or (),
        entry_types=(query["entry_type"],) if query.get("entry_type") else (),
        significance=(query["significance"],) if query.get("significance") else (),
        categories=(query["category"],) if query.get("category") else (),
        since=query.get("from"),
        until=query.get("to"),
        include_in_error=query.get("in_error", False),
        newest_first=query.get("order", "newest") != "oldest",
    )


def _no_agency(request) -> None:
    if request.user.agency_id is None:
        raise Forbidden("Administrators see no case data and do not record chronology entries.")


def _entry_response(request, entry, status_code=status.HTTP_200_OK) -> Response:
    entry = selectors.entry_with_history(actor=request.user, entry_id=entry.pk)
    response = Response(ChronologyEntryDetailSerializer(entry).data, status=status_code)
    response["ETag"] = etag_for(entry)
    return response


class EntryList(APIView):
    serializer_class = ChronologyEntrySerializer

    @extend_schema(
        operation_id="chronology_entries_list",
        tags=["chronology-entries"],
        summary="A child's chronology (or their family's): the entries you may read, newest first",
        description=(
            "`child` is required: a chronology is one child's (with `scope=family`, their "
            "brothers' and sisters' too). "
            "An entry is read by those who may see a child it is about, when the recording "
            "agency's information category is shared with them (sharing agreements, access "
            "requests, break-glass); restricted entries by the people named on them. "
            "Entries entered in error are left out unless `in_error=true`."
        ),
        parameters=[EntryQuerySerializer],
        responses={
            200: ChronologyEntrySerializer(many=True),
            **error_responses(400, 401, 404),
        },
    )
    def get(self, request):
        query = validated(EntryQuerySerializer, request, request.query_params.dict())
        listing = selectors.list_entries(
            actor=request.user,
            child=query["child"],
            family=query["scope"] == "family",
            filters=_filters(query),
            request=request,
        )
        page = self.paginate_queryset(listing.entries)
        selectors.name_visible_children(request.user, page or [], seen=listing.children)
        return self.get_paginated_response(ChronologyEntrySerializer(page, many=True).data)

    @extend_schema(
        operation_id="chronology_entries_create",
        tags=["chronology-entries"],
        summary="Record what happened, as your agency knows it, about a child or several "
        "children of a family",
        description=(
            "`recorded_at` is set by Threadline. Every problem comes back at once, nothing "
            "saved: `event_in_future`, `not_your_agency` (agency), `unknown_person` "
            "(children you cannot see, or who do not exist), `not_a_child`, "
            "`summary_required`, `max_length` (summary over 200 characters), "
            "`entry_type_required`, `attachment_too_big`, `attachment_type_not_allowed`."
        ),
        request=EntryInputSerializer,
        parameters=[*CREATE_HEADERS, ETAG_HEADER],
        responses={201: ChronologyEntryDetailSerializer, **CREATE_ERRORS},
    )
    @idempotent
    def post(self, request):
        _no_agency(request)
        data = validated(EntryInputSerializer, request)
        entry = services.record_entry(actor=request.user, request=request, **data)
        response = _entry_response(request, entry, status.HTTP_201_CREATED)
        response["Location"] = reverse("api-chronology-entry-detail", args=[entry.pk])
        return response


def _row_errors(rows: dict[int, list[dict]]) -> list[dict]:
    return [{"row": row, **error} for row, errors in sorted(rows.items()) for error in errors]


def _bulk_refused(rows: dict[int, list[dict]]) -> Response:
    count = len(rows)
    errors = _row_errors(rows)
    response = error_response(errors, status.HTTP_400_BAD_REQUEST)
    response.data.update(
        {
            "code": "invalid",
            "field": None,
            "message": f"{count} {'entry has' if count == 1 else 'entries have'} problems; "
            "nothing was saved",
        }
    )
    return response


def _service_rows(rows: dict[int, dict], index: list[int]) -> dict[int, list[dict]]:
    """The service's problems (by row of what it was given, then field) by the request's
    row numbers (`index` maps them)."""
    return {index[row]: django_error_items(ValidationError(errors)) for row, errors in rows.items()}


class EntryBulk(APIView):
    serializer_class = BulkResultSerializer

    @extend_schema(
        operation_id="chronology_entries_bulk_create",
        tags=["chronology-entries"],
        summary=f"Record up to {services.BULK_MAX} entries at once: all or none",
        description=(
            '`{"entries": [...]}`, each as for a single entry. If any entry has a problem '
            "nothing is saved and the answer is `400` with code `invalid` and every problem "
            "of every entry, each with its `row` (the index in `entries`), `field`, `code` "
            "and `message`. More than 1,000 entries: `too_many`."
        ),
        request=BulkInputSerializer,
        parameters=CREATE_HEADERS,
        responses={201: BulkResultSerializer, **CREATE_ERRORS},
    )
    @idempotent
    def post(self, request):
        _no_agency(request)
        rows = request.data.get("entries") if isinstance(request.data, dict) else None
        if not isinstance(rows, list):
            raise exceptions.ValidationError(
                {"entries": [exceptions.ErrorDetail("Send a list of entries", code="required")]}
            )
        if len(rows) > services.BULK_MAX:
            raise exceptions.ValidationError(
                {
                    "entries": [
                        exceptions.ErrorDetail(
                            f"Send at most {services.BULK_MAX} entries at once "
                            f"(you sent {len(rows)})",
                            code="too_many",
                        )
                    ]
                }
            )
        parsed, index, refused = [], [], {}
        for row, data in enumerate(rows):
            serializer = EntryInputSerializer(data=data, context={"request": request})
            if serializer.is_valid():
                parsed.append(serializer.validated_data)
                index.append(row)
            else:
                refused[row] = drf_error_items(serializer.errors)
        if refused:
            refused |= _service_rows(services.check_entries(actor=request.user, rows=parsed), index)
            return _bulk_refused(refused)
        try:
            entries = services.record_entries_bulk(actor=request.user, rows=parsed, request=request)
        except services.RowsInvalid as error:
            return _bulk_refused(_service_rows(error.rows, index))
        results = [{"row": row, "id": entry.pk} for row, entry in zip(index, entries, strict=True)]
        return Response(
            BulkResultSerializer({"count": len(results), "results": results}).data,
            status=status.HTTP_201_CREATED,
        )


class EntryDetail(APIView):
    serializer_class = ChronologyEntryDetailSerializer

    @extend_schema(
        operation_id="chronology_entries_retrieve",
        tags=["chronology-entries"],
        summary="One entry, with its earlier versions and attachments",
        parameters=[ETAG_HEADER],
        responses={200: ChronologyEntryDetailSerializer, **RETRIEVE_ERRORS},
    )
    def get(self, request, id):
        entry = selectors.get_entry_record(actor=request.user, entry_id=id, request=request)
        response = Response(ChronologyEntryDetailSerializer(entry).data)
        response["ETag"] = etag_for(entry)
        return response

    @extend_schema(
        operation_id="chronology_entries_partial_update",
        tags=["chronology-entries"],
        summary="Amend an entry (its agency's staff; send If-Match and the reason): a new "
        "version, the earlier wording kept in `versions`",
        description=(
            "Send any of the wording fields and `reason` (`reason_required`). Another "
            "agency's entry: `403 forbidden`; one entered in error: `entered_in_error`; "
            "no change: `nothing_changed`. The checks of a new entry apply."
        ),
        request=AmendInputSerializer,
        parameters=[IF_MATCH_HEADER, ETAG_HEADER],
        responses={200: ChronologyEntryDetailSerializer, **UPDATE_ERRORS},
    )
    def patch(self, request, id):
        entry = get_entry_for(request.user, id)
        if not can_amend_entry(request.user, entry):
            raise Forbidden(f"Only {entry.agency.name} amends its entries.")
        if not request.headers.get("If-Match"):
            raise PreconditionRequired()
        data = dict(validated(AmendInputSerializer, request))
        reason = data.pop("reason", "")
        with transaction.atomic():
            # Compare under the row lock, so two writers cannot both pass the check.
            current = ChronologyEntry.objects.select_for_update().get(pk=entry.pk)
            check_if_match(request, current)
            entry = services.amend_entry(
                actor=request.user, entry=current, reason=reason, request=request, **data
            )
        return _entry_response(request, entry)


class EntryInError(APIView):
    serializer_class = ChronologyEntryDetailSerializer

    @extend_schema(
        operation_id="chronology_entries_entered_in_error_create",
        tags=["chronology-entries"],
        summary="Mark an entry as entered in error (its agency's staff), with the reason: "
        "kept, and left out of lists unless asked for",
        request=InErrorInputSerializer,
        parameters=CREATE_HEADERS,
        responses={200: ChronologyEntryDetailSerializer, **CREATE_UNDER_ERRORS},
    )
    @idempotent
    def post(self, request, id):
        entry = get_entry_for(request.user, id)
        if not can_amend_entry(request.user, entry):
            raise Forbidden(f"Only {entry.agency.name} marks its entries as entered in error.")
        data = validated(InErrorInputSerializer, request)
        entry = services.mark_entered_in_error(
            actor=request.user, entry=entry, reason=data["reason"], request=request
        )
        return _entry_response(request, entry)


class EntryExport(APIView):
    serializer_class = ChronologyEntrySerializer

    def perform_content_negotiation(self, request, force=False):
        # `?format=` names the file's format, not a renderer (DRF's meaning of it): the
        # file is returned as it is, and errors as JSON.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        operation_id="chronology_entries_export",
        tags=["chronology-entries"],
        summary="A child's (or family's) chronology as CSV, XLSX, DOCX or PDF, in the layout "
        "case reviews use",
        description=(
            "Oldest first; entries entered in error are left out; the columns are date and "
            "time, agency, source, event, action or outcome, significance and an empty "
            "analysis column. The export is on the audit trail with its range, agencies "
            "and format."
        ),
        parameters=[ExportQuerySerializer],
        responses={
            **{
                (200, media_type): OpenApiResponse(
                    OpenApiTypes.BINARY, description=f"The {fmt.upper()} file, as an attachment."
                )
                for fmt, media_type in EXPORT_TYPES.items()
            },
            **error_responses(400, 401, 404),
        },
    )
    def get(self, request):
        query = validated(ExportQuerySerializer, request, request.query_params.dict())
        child = get_person_for(request.user, query["child"])
        children = (
            selectors.family_children(request.user, child)
            if query["scope"] == "family"
            else [child]
        )
        document = selectors.export(
            actor=request.user,
            child=child,
            children=children,
            filters=_filters(query),
            fmt=query["format"],
            request=request,
        )
        response = HttpResponse(document.content, content_type=document.content_type)
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=document.filename
        )
        return response


assert set(EXPORT_TYPES) == set(exports.FORMATS)

urlpatterns = [
    path("chronology-entries/", EntryList.as_view(), name="api-chronology-entry-list"),
    path("chronology-entries/bulk/", EntryBulk.as_view(), name="api-chronology-entry-bulk"),
    path("chronology-entries/export/", EntryExport.as_view(), name="api-chronology-entry-export"),
    path(
        "chronology-entries/<uuid:id>/",
        EntryDetail.as_view(),
        name="api-chronology-entry-detail",
    ),
    path(
        "chronology-entries/<uuid:id>/entered-in-error/",
        EntryInError.as_view(),
        name="api-chronology-entry-in-error",
    ),
]
