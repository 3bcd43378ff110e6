"""People, their names, references, address history and relationships. Thin views:
parse with a serializer, check the policy, call one service or selector, render."""

from django.db import transaction
from django.db.models import prefetch_related_objects
from django.urls import path, reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
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
    error_responses,
    etag_for,
    idempotent,
    validated,
)
from threadline.common.errors import invalid
from threadline.sharing.policy import (
    can_edit_person,
    can_record_person,
    get_person_for,
)

from . import selectors, services
from .households import households_on
from .models import Person
from .serializers import (
    HouseholdQuerySerializer,
    HouseholdSerializer,
    LocalReferenceSerializer,
    NameInputSerializer,
    PersonCreateSerializer,
    PersonNameSerializer,
    PersonQuerySerializer,
    PersonSearchQuerySerializer,
    PersonSerializer,
    PersonUpdateSerializer,
    ReferenceInputSerializer,
    RelationshipInputSerializer,
    RelationshipSerializer,
    RelativeSerializer,
    ResidenceInputSerializer,
    ResidenceSerializer,
)

CREATE_HEADERS = [IDEMPOTENCY_KEY_HEADER, REPLAYED_HEADER]
LIST_BY_PERSON_ERRORS = error_responses(400, 401, 404)


def _person_response(person: Person, status_code: int = status.HTTP_200_OK) -> Response:
    prefetch_related_objects(
        [person], "recorded_by_agency", "names", "references__agency", "residences__address"
    )
    response = Response(PersonSerializer(person).data, status=status_code)
    response["ETag"] = etag_for(person)
    return response


# --- people ---------------------------------------------------------------------------


class PersonList(APIView):
    serializer_class = PersonSerializer

    @extend_schema(
        operation_id="people_list",
        tags=["people"],
        summary="Search the people you may see",
        parameters=[PersonSearchQuerySerializer],
        responses={200: PersonSerializer(many=True), **error_responses(400, 401)},
    )
    def get(self, request):
        query = validated(PersonSearchQuerySerializer, request, request.query_params.dict())
        people = selectors.search_people(actor=request.user, request=request, **query)
        page = self.paginate_queryset(
            people.select_related("recorded_by_agency").prefetch_related(
                "names", "references__agency", "residences__address"
            )
        )
        return self.get_paginated_response(PersonSerializer(page, many=True).data)

    @extend_schema(
        operation_id="people_create",
        tags=["people"],
        summary="Record a child, an unborn child or an adult",
        request=PersonCreateSerializer,
        parameters=[*CREATE_HEADERS, ETAG_HEADER],
        responses={201: PersonSerializer, **CREATE_ERRORS},
    )
    @idempotent
    def post(self, request):
        if not can_record_person(request.user):
            raise Forbidden()
        data = validated(PersonCreateSerializer, request)
        person = services.create_person(actor=request.user, request=request, **data)
        response = _person_response(person, status.HTTP_201_CREATED)
        response["Location"] = reverse("api-person-detail", args=[person.pk])
        return response


class PersonDetail(APIView):
    serializer_class = PersonSerializer

    @extend_schema(
        operation_id="people_retrieve",
        tags=["people"],
        parameters=[ETAG_HEADER],
        responses={200: PersonSerializer, **RETRIEVE_ERRORS},
    )
    def get(self, request, id):
        person = selectors.get_person_record(actor=request.user, person_id=id, request=request)
        return _person_response(person)

    @extend_schema(
        operation_id="people_partial_update",
        tags=["people"],
        summary="Correct a person's details (send If-Match)",
        request=PersonUpdateSerializer,
        parameters=[IF_MATCH_HEADER, ETAG_HEADER],
        responses={200: PersonSerializer, **UPDATE_ERRORS},
    )
    def patch(self, request, id):
        person = get_person_for(request.user, id)
        if not can_edit_person(request.user, person):
            raise Forbidden()
        if not request.headers.get("If-Match"):
            raise PreconditionRequired()
        data = validated(PersonUpdateSerializer, request)
        with transaction.atomic():
            # Compare under the row lock, so two writers cannot both pass the check.
            current = Person.objects.select_for_update().get(pk=person.pk)
            check_if_match(request, current)
            person = services.update_person(
                actor=request.user, person=current, request=request, **data
            )
        return _person_response(person)


class PersonNames(APIView):
    serializer_class = PersonNameSerializer

    @extend_schema(
        operation_id="people_names_create",
        tags=["people"],
        summary="Record an alias, known-as or previous name",
        request=NameInputSerializer,
        parameters=CREATE_HEADERS,
        responses={201: PersonNameSerializer, **CREATE_UNDER_ERRORS},
    )
    @idempotent
    def post(self, request, id):
        person = get_person_for(request.user, id)
        data = validated(NameInputSerializer, request)
        name = services.add_name(actor=request.user, person=person, request=request, **data)
        return Response(PersonNameSerializer(name).data, status=status.HTTP_201_CREATED)


class PersonReferences(APIView):
    serializer_class = LocalReferenceSerializer

    @extend_schema(
        operation_id="people_references_create",
        tags=["people"],
        summary="Record your agency's own reference for the person",
        request=ReferenceInputSerializer,
        parameters=CREATE_HEADERS,
        responses={201: LocalReferenceSerializer, **CREATE_UNDER_ERRORS},
    )
    @idempotent
    def post(self, request, id):
        person = get_person_for(request.user, id)
        data = validated(ReferenceInputSerializer, request)
        if data["agency"].pk != request.user.agency_id:
            raise invalid(
                "agency", "You can only record your own agency's reference", "not_your_agency"
            )
        reference = services.add_local_reference(
            actor=request.user, person=person, request=request, **data
        )
        return Response(LocalReferenceSerializer(reference).data, status=status.HTTP_201_CREATED)


# --- households (who lived with a person on a day) -------------------------------------


class HouseholdList(APIView):
    serializer_class = HouseholdSerializer

    @extend_schema(
        operation_id="households_list",
        tags=["households"],
        summary="Who lived at the same address as a person on a day (today by default), "
        "from address histories",
        parameters=[HouseholdQuerySerializer],
        responses={200: HouseholdSerializer(many=True), **LIST_BY_PERSON_ERRORS},
    )
    def get(self, request):
        query = validated(HouseholdQuerySerializer, request, request.query_params.dict())
        person = selectors.get_person_record(
            actor=request.user, person_id=query["person"], request=request
        )
        day = query.get("as_of") or timezone.localdate()
        page = self.paginate_queryset(households_on(person, day, actor=request.user))
        return self.get_paginated_response(HouseholdSerializer(page, many=True).data)


# --- addresses (a person's address history) --------------------------------------------


class AddressList(APIView):
    serializer_class = ResidenceSerializer

    @extend_schema(
        operation_id="addresses_list",
        tags=["addresses"],
        summary="A person's address history",
        parameters=[PersonQuerySerializer],
        responses={200: ResidenceSerializer(many=True), **LIST_BY_PERSON_ERRORS},
    )
    def get(self, request):
        query = validated(PersonQuerySerializer, request, request.query_params.dict())
        person = selectors.get_person_record(
            actor=request.user, person_id=query["person"], request=request
        )
        page = self.paginate_queryset(
            person.residences.select_related("address").order_by("-from_date", "id")
        )
        return self.get_paginated_response(ResidenceSerializer(page, many=True).data)

    @extend_schema(
        operation_id="addresses_create",
        tags=["addresses"],
        summary="Record that a person lives, or lived, at an address",
        request=ResidenceInputSerializer,
        parameters=CREATE_HEADERS,
        responses={201: ResidenceSerializer, **CREATE_ERRORS},
    )
    @idempotent
    def post(self, request):
        data = validated(ResidenceInputSerializer, request)
        residence = services.move_to_address(actor=request.user, request=request, **data)
        response = Response(ResidenceSerializer(residence).data, status=status.HTTP_201_CREATED)
        response["Location"] = reverse("api-address-detail", args=[residence.pk])
        return response


class AddressDetail(APIView):
    serializer_class = ResidenceSerializer

    @extend_schema(
        operation_id="addresses_retrieve",
        tags=["addresses"],
        responses={200: ResidenceSerializer, **RETRIEVE_ERRORS},
    )
    def get(self, request, id):
        residence = selectors.get_residence_record(
            actor=request.user, residence_id=id, request=request
        )
        return Response(ResidenceSerializer(residence).data)


# --- relationships ---------------------------------------------------------------------


class RelationshipList(APIView):
    serializer_class = RelationshipSerializer

    @extend_schema(
        operation_id="relationships_list",
        tags=["relationships"],
        summary="A person's relationships, each labelled from that person's side",
        parameters=[PersonQuerySerializer],
        responses={200: RelativeSerializer(many=True), **LIST_BY_PERSON_ERRORS},
    )
    def get(self, request):
        query = validated(PersonQuerySerializer, request, request.query_params.dict())
        person = selectors.get_person_record(
            actor=request.user, person_id=query["person"], request=request
        )
        relatives = selectors.relationships_of(person, actor=request.user)
        page = self.paginate_queryset(relatives)
        return self.get_paginated_response(RelativeSerializer(page, many=True).data)

    @extend_schema(
        operation_id="relationships_create",
        tags=["relationships"],
        summary="Record that person_a is the <type> of person_b",
        request=RelationshipInputSerializer,
        parameters=CREATE_HEADERS,
        responses={201: RelationshipSerializer, **CREATE_ERRORS},
    )
    @idempotent
    def post(self, request):
        data = validated(RelationshipInputSerializer, request)
        relationship = services.add_relationship(actor=request.user, request=request, **data)
        response = Response(
            RelationshipSerializer(relationship).data, status=status.HTTP_201_CREATED
        )
        response["Location"] = reverse("api-relationship-detail", args=[relationship.pk])
        return response


class RelationshipDetail(APIView):
    serializer_class = RelationshipSerializer

    @extend_schema(
        operation_id="relationships_retrieve",
        tags=["relationships"],
        responses={200: RelationshipSerializer, **RETRIEVE_ERRORS},
    )
    def get(self, request, id):
        relationship = selectors.get_relationship_record(
            actor=request.user, relationship_id=id, request=request
        )
        return Response(RelationshipSerializer(relationship).data)


urlpatterns = [
    path("people/", PersonList.as_view(), name="api-person-list"),
    path("people/<uuid:id>/", PersonDetail.as_view(), name="api-person-detail"),
    path("people/<uuid:id>/names/", PersonNames.as_view(), name="api-person-names"),
    path("people/<uuid:id>/references/", PersonReferences.as_view(), name="api-person-references"),
    path("households/", HouseholdList.as_view(), name="api-household-list"),
    path("addresses/", AddressList.as_view(), name="api-address-list"),
    path("addresses/<uuid:id>/", AddressDetail.as_view(), name="api-address-detail"),
    path("relationships/", RelationshipList.as_view(), name="api-relationship-list"),
    path("relationships/<uuid:id>/", RelationshipDetail.as_view(), name="api-relationship-detail"),
]
