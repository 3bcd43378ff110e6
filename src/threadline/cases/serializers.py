"""Cases and the child's network as the API shows them. Input serializers parse types
and resolve ids (through the policy for people); the services validate and save."""

from django.utils import timezone
from rest_framework import serializers

from threadline.agencies.serializers import (
    AgencyField,
    AgencySummarySerializer,
    PractitionerField,
    PractitionerSummarySerializer,
)
from threadline.common.api import TextField
from threadline.people.serializers import PersonSummarySerializer, VisiblePersonField
from threadline.sharing.models import Confidentiality, InformationCategory

from .models import Allocation, Case, Involvement


def _in_force(row) -> bool:
    today = timezone.localdate()
    return row.from_date <= today and (row.to_date is None or row.to_date >= today)


class InvolvementSerializer(serializers.ModelSerializer):
    agency = AgencySummarySerializer(read_only=True)
    practitioner = PractitionerSummarySerializer(read_only=True, allow_null=True)
    current = serializers.SerializerMethodField()

    class Meta:
        model = Involvement
        fields = [
            "id",
            "agency",
            "practitioner",
            "role",
            "from_date",
            "to_date",
            "current",
            "category",
            "confidentiality",
        ]
        read_only_fields = fields

    def get_current(self, involvement: Involvement) -> bool:
        return _in_force(involvement)


class AllocationSerializer(serializers.ModelSerializer):
    social_worker = PractitionerSummarySerializer(read_only=True)
    current = serializers.SerializerMethodField()

    class Meta:
        model = Allocation
        fields = ["id", "social_worker", "from_date", "to_date", "current"]
        read_only_fields = fields

    def get_current(self, allocation: Allocation) -> bool:
        return _in_force(allocation)


class CaseSummarySerializer(serializers.ModelSerializer):
    child = PersonSummarySerializer(read_only=True)
    local_authority = AgencySummarySerializer(read_only=True)
    lead_agency = AgencySummarySerializer(read_only=True)
    lead_professional = PractitionerSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "reference",
            "child",
            "local_authority",
            "opened_on",
            "closed_on",
            "lead_agency",
            "lead_professional",
        ]
        read_only_fields = fields


class CaseSerializer(CaseSummarySerializer):
    """The case with the child's network and the allocation history."""

    involvements = InvolvementSerializer(many=True, read_only=True)
    allocations = AllocationSerializer(many=True, read_only=True)

    class Meta(CaseSummarySerializer.Meta):
        fields = [*CaseSummarySerializer.Meta.fields, "involvements", "allocations"]
        read_only_fields = fields


class CaseInputSerializer(serializers.Serializer):
    child = VisiblePersonField()
    opened_on = serializers.DateField(required=False, help_text="Today if not given.")
    lead_agency = AgencyField(required=False, help_text="Id or code; your own agency if not given.")


class InvolvementInputSerializer(serializers.Serializer):
    agency = AgencyField()
    practitioner = PractitionerField(
        required=False, allow_null=True, help_text="Someone who works for the agency."
    )
    role = TextField(max_length=120, help_text="For example: health visitor.")
    from_date = serializers.DateField()
    to_date = serializers.DateField(required=False, allow_null=True)
    category = serializers.ChoiceField(
        choices=InformationCategory.choices,
        required=False,
        help_text="Whose information this involvement is; the agency's own by default.",
    )
    confidentiality = serializers.ChoiceField(choices=Confidentiality.choices, required=False)


class AllocationInputSerializer(serializers.Serializer):
    social_worker = PractitionerField()
    from_date = serializers.DateField()


class LeadProfessionalInputSerializer(serializers.Serializer):
    lead_professional = PractitionerField()
