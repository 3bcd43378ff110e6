"""People, names, references, addresses and relationships as the API reads and writes
them. Input serializers only parse types; the services validate and save."""

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from threadline.agencies.serializers import AgencyField
from threadline.common.api import TextField
from threadline.sharing.policy import get_person_for

from .models import (
    Address,
    Ethnicity,
    LocalReference,
    NameKind,
    Person,
    PersonKind,
    PersonName,
    Relationship,
    RelationshipType,
    Residence,
    Sex,
)

# --- fields ---------------------------------------------------------------------------


class VisiblePersonField(serializers.UUIDField):
    """A person the caller may see, named by id. Someone outside their reach is reported
    exactly like someone who does not exist."""

    default_error_messages = {"unknown_person": "There is no person with that id."}

    def to_internal_value(self, data) -> Person:
        pk = super().to_internal_value(data)
        try:
            return get_person_for(self.context["request"].user, pk)
        except Http404:
            self.fail("unknown_person")


# --- output ---------------------------------------------------------------------------


class PersonSummarySerializer(serializers.ModelSerializer):
    full_name = serializers.CharField(read_only=True)

    class Meta:
        model = Person
        fields = ["id", "kind", "full_name", "date_of_birth", "expected_delivery_date"]
        read_only_fields = fields


class PersonNameSerializer(serializers.ModelSerializer):
    class Meta:
        model = PersonName
        fields = ["id", "kind", "given_names", "family_name", "from_date", "to_date"]
        read_only_fields = fields


class LocalReferenceSerializer(serializers.ModelSerializer):
    agency = serializers.CharField(source="agency.code", read_only=True)

    class Meta:
        model = LocalReference
        fields = ["id", "agency", "reference"]
        read_only_fields = fields


class AddressSerializer(serializers.ModelSerializer):
    class Meta:
        model = Address
        fields = ["line_1", "line_2", "town", "postcode", "uprn"]
        read_only_fields = fields


class ResidenceSerializer(serializers.ModelSerializer):
    """One address in a person's history."""

    address = AddressSerializer(read_only=True)

    class Meta:
        model = Residence
        fields = ["id", "person", "address", "from_date", "to_date"]
        read_only_fields = fields


class PersonSerializer(serializers.ModelSerializer):
    full_name = serializers.CharField(read_only=True)
    recorded_by_agency = serializers.CharField(source="recorded_by_agency.code", read_only=True)
    names = PersonNameSerializer(many=True, read_only=True)
    references = LocalReferenceSerializer(many=True, read_only=True)
    current_address = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = [
            "id",
            "kind",
            "full_name",
            "given_names",
            "family_name",
            "date_of_birth",
            "expected_delivery_date",
            "sex",
            "ethnicity",
            "first_language",
            "interpreter_needed",
            "nhs_number",
            "recorded_by_agency",
            "names",
            "references",
            "current_address",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(ResidenceSerializer(allow_null=True))
    def get_current_address(self, person: Person) -> dict | None:
        today = timezone.localdate()
        current = next(
            (
                r
                for r in person.residences.all()
                if r.from_date <= today and (r.to_date is None or r.to_date >= today)
            ),
            None,
        )
        return ResidenceSerializer(current).data if current else None


class RelationshipSerializer(serializers.ModelSerializer):
    """Stored once: `person_a` is the `type` of `person_b`."""

    description = serializers.CharField(source="__str__", read_only=True)
    is_current = serializers.BooleanField(read_only=True)

    class Meta:
        model = Relationship
        fields = [
            "id",
            "person_a",
            "person_b",
            "type",
            "description",
            "from_date",
            "to_date",
            "notes",
            "is_current",
        ]
        read_only_fields = fields


class RelativeSerializer(serializers.Serializer):
    """A relationship seen from one person's side: who the other person is to them."""

    id = serializers.UUIDField(source="relationship.id")
    label = serializers.CharField(help_text="What `other` is to the person asked about.")
    other = PersonSummarySerializer(source="person")
    person_a = serializers.UUIDField(source="relationship.person_a_id")
    person_b = serializers.UUIDField(source="relationship.person_b_id")
    type = serializers.ChoiceField(source="relationship.type", choices=RelationshipType.choices)
    from_date = serializers.DateField(source="relationship.from_date", allow_null=True)
    to_date = serializers.DateField(source="relationship.to_date", allow_null=True)
    notes = serializers.CharField(source="relationship.notes")
    is_current = serializers.BooleanField(source="relationship.is_current")


# --- input ----------------------------------------------------------------------------


class PersonSearchQuerySerializer(serializers.Serializer):
    name = TextField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="Any name they have used; spelt roughly alike.",
    )
    date_of_birth = serializers.DateField(required=False)
    nhs_number = TextField(required=False, allow_blank=True, max_length=20)


class PersonInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=PersonKind.choices)
    given_names = TextField(required=False, allow_blank=True, max_length=200)
    family_name = TextField(max_length=200)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    expected_delivery_date = serializers.DateField(required=False, allow_null=True)
    sex = serializers.ChoiceField(choices=Sex.choices, required=False)
    ethnicity = serializers.ChoiceField(choices=Ethnicity.choices, required=False)
    first_language = TextField(required=False, allow_blank=True, max_length=80)
    interpreter_needed = serializers.BooleanField(required=False)
    nhs_number = TextField(
        required=False,
        allow_blank=True,
        allow_null=True,
        max_length=20,
        help_text="10 digits; spaces and hyphens are ignored.",
    )


class PersonCreateSerializer(PersonInputSerializer):
    class Meta:
        ref_name = "PersonCreate"


class PersonUpdateSerializer(PersonInputSerializer):
    """Only the fields sent are changed."""

    class Meta:
        ref_name = "PersonUpdate"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


class NameInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=NameKind.choices,
        default=NameKind.ALIAS,
        help_text="Not `legal`: change the legal name by updating the person.",
    )
    given_names = TextField(required=False, allow_blank=True, max_length=200, default="")
    family_name = TextField(max_length=200)
    from_date = serializers.DateField(required=False, allow_null=True)
    to_date = serializers.DateField(required=False, allow_null=True)


class ReferenceInputSerializer(serializers.Serializer):
    agency = AgencyField(help_text="Your own agency's id or code.")
    reference = TextField(max_length=60)


class PersonQuerySerializer(serializers.Serializer):
    person = serializers.UUIDField(help_text="The person whose records to list.")


class HouseholdQuerySerializer(PersonQuerySerializer):
    as_of = serializers.DateField(required=False, help_text="The day (default: today).")


class ResidentSerializer(serializers.ModelSerializer):
    """Someone living at the household's address, and from and to when."""

    person = PersonSummarySerializer(read_only=True)

    class Meta:
        model = Residence
        fields = ["person", "from_date", "to_date"]
        read_only_fields = fields


class HouseholdSerializer(serializers.Serializer):
    address = AddressSerializer(read_only=True)
    residents = ResidentSerializer(
        many=True, read_only=True, help_text="The person first, then the others you may see."
    )


class ResidenceInputSerializer(serializers.Serializer):
    person = VisiblePersonField()
    line_1 = TextField(max_length=200)
    line_2 = TextField(required=False, allow_blank=True, max_length=200, default="")
    town = TextField(max_length=100)
    postcode = TextField(max_length=20)
    uprn = TextField(required=False, allow_blank=True, max_length=12, default="")
    from_date = serializers.DateField()
    to_date = serializers.DateField(required=False, allow_null=True, default=None)


class RelationshipInputSerializer(serializers.Serializer):
    person_a = VisiblePersonField()
    person_b = VisiblePersonField()
    type = serializers.ChoiceField(
        choices=RelationshipType.choices, help_text="`person_a` is the `type` of `person_b`."
    )
    from_date = serializers.DateField(required=False, allow_null=True, default=None)
    to_date = serializers.DateField(required=False, allow_null=True, default=None)
    notes = TextField(required=False, allow_blank=True, max_length=500, default="")
