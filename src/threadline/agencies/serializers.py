"""Agencies and practitioners as the API shows them: a directory, not case data.
Input fields resolve codes and ids to records, failing with a stable code."""

import uuid

from rest_framework import serializers

from threadline.common.api import TextField

from .models import Agency, Practitioner


class AgencySummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["id", "code", "name"]
        read_only_fields = fields


class AgencySerializer(serializers.ModelSerializer):
    # Plain strings: the address may be blank, which is not a valid `format: email`.
    safeguarding_email = serializers.CharField(read_only=True)

    class Meta:
        model = Agency
        fields = ["id", "code", "name", "agency_type", "area", "phone", "safeguarding_email"]
        read_only_fields = fields


class PractitionerSerializer(serializers.ModelSerializer):
    """Who a practitioner is and how to reach them (never sign-in details)."""

    name = serializers.CharField(source="get_full_name", read_only=True)
    agency = AgencySummarySerializer(read_only=True, allow_null=True)
    team = serializers.CharField(source="team.name", read_only=True, allow_null=True, default=None)
    email = serializers.CharField(read_only=True)

    class Meta:
        model = Practitioner
        fields = [
            "id",
            "name",
            "first_name",
            "last_name",
            "agency",
            "team",
            "role",
            "job_title",
            "email",
            "phone",
            "experience",
        ]
        read_only_fields = fields


class PractitionerSummarySerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="get_full_name", read_only=True)
    email = serializers.CharField(read_only=True)

    class Meta:
        model = Practitioner
        fields = ["id", "name", "job_title", "email", "phone", "experience"]
        read_only_fields = fields


class PractitionerQuerySerializer(serializers.Serializer):
    agency = TextField(
        required=False, help_text="Only practitioners of this agency (its id or code)."
    )


def find_agency(value: str) -> Agency | None:
    """An agency by its id or its code."""
    try:
        return Agency.objects.filter(pk=uuid.UUID(str(value))).first()
    except ValueError:
        return Agency.objects.filter(code=value).first()


class AgencyField(TextField):
    """An agency named by its id or its code."""

    default_error_messages = {"unknown_agency": "There is no agency with id or code {value}."}

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "The agency's id or code.")
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)

    def run_validation(self, data=serializers.empty) -> Agency | None:
        value = super().run_validation(data)  # a clean string first (length, no NULs)
        if value is None:
            return None
        agency = find_agency(value)
        if agency is None:
            self.fail("unknown_agency", value=value)
        return agency


class AgencyListField(TextField):
    """Agencies by id or code, separated by commas."""

    default_error_messages = {"unknown_agency": "There is no agency with id or code {value}."}

    def to_internal_value(self, data) -> tuple:
        value = super().to_internal_value(data)
        agencies = []
        for part in (p.strip() for p in value.split(",")):
            if not part:
                continue
            agency = find_agency(part)
            if agency is None:
                raise self.fail("unknown_agency", value=part[:40])
            agencies.append(agency.pk)
        return tuple(agencies)


class PractitionerField(serializers.UUIDField):
    """An active practitioner named by id."""

    default_error_messages = {"unknown_practitioner": "There is no practitioner with that id."}

    def to_internal_value(self, data) -> Practitioner:
        pk = super().to_internal_value(data)
        practitioner = (
            Practitioner.objects.filter(pk=pk, is_active=True).select_related("agency").first()
        )
        if practitioner is None:
            self.fail("unknown_practitioner")
        return practitioner
