"""A child's plans, orders and proceedings: list and read those of children you can see
(sharing/policy.py `orders_visible_to`: 404 otherwise), each read with its extensions and
what it means in plain English; record one, extend it, end it, conclude care proceedings
— children's social care and legal services (the police: police protection), `403
not_allowed` for anyone else. No DELETE, PUT or PATCH: an order ends, it is never
deleted or rewritten (405).

Thin views over the same services and selectors as the web pages."""

from django.db.models import prefetch_related_objects
from django.urls import path, reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from threadline.audit.models import AuditAction
from threadline.audit.services import record_event
from threadline.common.api import (
    CREATE_ERRORS,
    CREATE_UNDER_ERRORS,
    IDEMPOTENCY_KEY_HEADER,
    REPLAYED_HEADER,
    RETRIEVE_ERRORS,
    APIView,
    Forbidden,
    error_responses,
    idempotent,
    validated,
)
from threadline.sharing.policy import can_record_order, get_person_for, orders_visible_to

from . import selectors, services
from .models import LegalOrder, OrderType
from .serializers import (
    ConcludeInputSerializer,
    EndInputSerializer,
    ExtendInputSerializer,
    OrderDetailSerializer,
    OrderInputSerializer,
    OrderQuerySerializer,
    OrderSerializer,
)

CREATE_HEADERS = [IDEMPOTENCY_KEY_HEADER, REPLAYED_HEADER]
_SHOWN_WITH = ("child", "recorded_by", "local_authority")
WHO_RECORDS = (
    "Children's social care and legal services record plans, orders and proceedings; the "
    "police record police protection"
)


def _not_allowed() -> Forbidden:
    return Forbidden(WHO_RECORDS, code="not_allowed")


def _detail(order: LegalOrder) -> dict:
    prefetch_related_objects([order], "extensions__recorded_by")
    return OrderDetailSerializer(order).data


def _order_response(request, order: LegalOrder, status_code=status.HTTP_200_OK) -> Response:
    """The order as it is now, after a change the actor was allowed to make (the change
    itself is on the audit trail)."""
    order = selectors.get_order_for(request.user, order.pk)
    return Response(_detail(order), status=status_code)


def _changeable(request, id) -> LegalOrder:
    """The order (404 if the caller may not see the child), if the caller's agency records
    this kind of order (403 `not_allowed` otherwise)."""
    order = selectors.get_order_for(request.user, id)
    if not can_record_order(request.user, order.order_type):
        raise _not_allowed()
    return order


class OrderList(APIView):
    serializer_class = OrderSerializer

    @extend_schema(
        operation_id="orders_list",
        tags=["orders"],
        summary="The plans, orders and proceedings of children you can see, newest first",
        description=(
            "Every agency that may see a child sees their legal status. Filters: `child` "
            "(a child you cannot see: `404`), `order_type`, `current` (`true`: in force "
            "today; `false`: ended, expired or not yet started). Audited as a search."
        ),
        parameters=[OrderQuerySerializer],
        responses={200: OrderSerializer(many=True), **error_responses(400, 401, 404)},
    )
    def get(self, request):
        query = validated(OrderQuerySerializer, request, request.query_params.dict())
        orders = orders_visible_to(request.user).select_related(*_SHOWN_WITH)
        terms, child = [], None
        if "child" in query:
            child = get_person_for(request.user, query["child"])
            orders = orders.filter(child=child)
            terms.append(f"of {child.full_name}")
        if query.get("order_type"):
            orders = orders.filter(order_type=query["order_type"])
            terms.append(OrderType(query["order_type"]).label.lower())
        if query["current"] is not None:
            in_force = LegalOrder.objects.in_force_on(timezone.localdate()).values("pk")
            orders = (
                orders.filter(pk__in=in_force)
                if query["current"]
                else orders.exclude(pk__in=in_force)
            )
            terms.append("in force" if query["current"] else "not in force")
        record_event(
            actor=request.user,
            action=AuditAction.SEARCH,
            child=child,
            summary=" ".join(["Listed orders", *terms])[:500],
            request=request,
        )
        page = self.paginate_queryset(orders.order_by("-starts_on", "-created_at"))
        return self.get_paginated_response(OrderSerializer(page, many=True).data)

    @extend_schema(
        operation_id="orders_create",
        tags=["orders"],
        summary="Record a plan, order or proceedings for a child you can see",
        description=(
            f"{WHO_RECORDS}: anyone else `403 not_allowed`. A supervision order ends after "
            "a year unless `ends_on` says otherwise, an emergency protection order after 8 "
            "days, police protection (`starts_at`) after 72 hours. Every problem with the "
            "order comes back at once, nothing saved: `unknown_person` (child), "
            "`end_before_start`, `start_in_future`, `category_required` (a child-protection "
            "plan), `supervision_order_too_long`, `emergency_protection_order_too_long`, "
            "`police_protection_too_long`, `care_and_supervision_order`, "
            "`plan_already_in_force`. Starts the statutory clock's tasks."
        ),
        request=OrderInputSerializer,
        parameters=CREATE_HEADERS,
        responses={201: OrderDetailSerializer, **CREATE_ERRORS},
    )
    @idempotent
    def post(self, request):
        # Those who may record no kind of order are refused before the body is read.
        if not any(can_record_order(request.user, kind) for kind in OrderType.values):
            raise _not_allowed()
        data = validated(OrderInputSerializer, request)
        if not can_record_order(request.user, data["order_type"]):
            raise _not_allowed()
        order = services.make_order(actor=request.user, request=request, **data)
        response = _order_response(request, order, status.HTTP_201_CREATED)
        response["Location"] = reverse("api-order-detail", args=[order.pk])
        return response


class OrderDetail(APIView):
    serializer_class = OrderDetailSerializer

    @extend_schema(
        operation_id="orders_retrieve",
        tags=["orders"],
        summary="One plan or order, with its extensions and what it means in plain English",
        description="Audited as a view of the child's order.",
        responses={200: OrderDetailSerializer, **RETRIEVE_ERRORS},
    )
    def get(self, request, id):
        order = selectors.get_order_record(actor=request.user, order_id=id, request=request)
        return Response(_detail(order))


class OrderExtend(APIView):
    serializer_class = OrderDetailSerializer

    @extend_schema(
        operation_id="orders_extend_create",
        tags=["orders"],
        summary="Record that a court extended a supervision order or an emergency protection order",
        description=(
            "A supervision order to at most three years from the day it was made; an "
            "emergency protection order once, by at most 7 days. `not_extendable` (another "
            "kind of order), `not_in_force` (ended), `new_end_required`, `end_not_later`, "
            "`extension_beyond_three_years`, `emergency_protection_order_extended_once`, "
            "`emergency_protection_extension_too_long`, `granted_in_future`. Another "
            "agency: `403 not_allowed`."
        ),
        request=ExtendInputSerializer,
        parameters=CREATE_HEADERS,
        responses={200: OrderDetailSerializer, **CREATE_UNDER_ERRORS},
    )
    @idempotent
    def post(self, request, id):
        order = _changeable(request, id)
        data = validated(ExtendInputSerializer, request)
        order = services.extend_order(actor=request.user, order=order, request=request, **data)
        return _order_response(request, order)


class OrderEnd(APIView):
    serializer_class = OrderDetailSerializer

    @extend_schema(
        operation_id="orders_end_create",
        tags=["orders"],
        summary="Record that a plan or order ended, and why: it stays in the history",
        description=(
            "`required` / `end_before_start` / `end_in_future` (ended_on), `invalid_choice` "
            "(reason), `already_ended`. Another agency: `403 not_allowed`."
        ),
        request=EndInputSerializer,
        parameters=CREATE_HEADERS,
        responses={200: OrderDetailSerializer, **CREATE_UNDER_ERRORS},
    )
    @idempotent
    def post(self, request, id):
        order = _changeable(request, id)
        data = validated(EndInputSerializer, request)
        order = services.end_order(actor=request.user, order=order, request=request, **data)
        return _order_response(request, order)


class OrderConclude(APIView):
    serializer_class = OrderDetailSerializer

    @extend_schema(
        operation_id="orders_conclude_create",
        tags=["orders"],
        summary="Record that care proceedings concluded, with the outcome",
        description=(
            "The proceedings end; every agency involved with the child or family is sent "
            "the outcome to acknowledge, and legal services owe them a memorandum on what "
            "the order means. `not_proceedings` (not care proceedings), `invalid_choice` "
            "(outcome), `required` / `end_before_start` / `end_in_future` (concluded_on), "
            "`already_ended`. Another agency: `403 not_allowed`."
        ),
        request=ConcludeInputSerializer,
        parameters=CREATE_HEADERS,
        responses={200: OrderDetailSerializer, **CREATE_UNDER_ERRORS},
    )
    @idempotent
    def post(self, request, id):
        order = _changeable(request, id)
        data = validated(ConcludeInputSerializer, request)
        order = services.conclude_proceedings(
            actor=request.user, order=order, request=request, **data
        )
        return _order_response(request, order)


urlpatterns = [
    path("orders/", OrderList.as_view(), name="api-order-list"),
    path("orders/<uuid:id>/", OrderDetail.as_view(), name="api-order-detail"),
    path("orders/<uuid:id>/extend/", OrderExtend.as_view(), name="api-order-extend"),
    path("orders/<uuid:id>/end/", OrderEnd.as_view(), name="api-order-end"),
    path("orders/<uuid:id>/conclude/", OrderConclude.as_view(), name="api-order-conclude"),
]
