"""Identity resolution as the API reads and writes it. Input serializers only parse
types; services.py validates with stable codes."""

from rest_framework import serializers

from threadline.agencies.serializers import PractitionerSummarySerializer
from threadline.people.models import Person
from threadline.people.serializers import VisiblePersonField

from .models import MatchCandidate, MatchStatus, SourceRecord

# The choices sent as a decision, and what the model would do with a pair.
DECISIONS = [(MatchStatus.SAME.value, "same"), (MatchStatus.NOT_SAME.value, "not_same")]
MODEL_DECISIONS = [("link", "link"), ("review", "review")]

# --- output ---------------------------------------------------------------------------


class MatchPersonSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="full_name", read_only=True)

    class Meta:
        model = Person
        fields = ["id", "name", "kind", "date_of_birth"]
        read_only_fields = fields


class ReasonSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="The field compared, e.g. 'Date of birth'.")
    level = serializers.CharField(help_text="How the two values compared, in words.")
    weight = serializers.FloatField(
        help_text="Its part in the match weight: the log2 Bayes factor (positive counts "
        "towards the same person)."
    )


class SourceRecordSerializer(serializers.ModelSerializer):
    """An agency's record of a person as it last sent it."""

    agency = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = SourceRecord
        fields = [
            "id",
            "agency",
            "local_id",
            "version",
            "received_at",
            "nhs_number",
            "first_name",
            "surname",
            "dob",
            "sex",
            "postcode",
            "address",
        ]
        read_only_fields = fields


class MatchCandidateSerializer(serializers.ModelSerializer):
    """A pair in the review queue: an agency's record and a person it may be."""

    record = SourceRecordSerializer(read_only=True, help_text="The record waiting for a person.")
    person = MatchPersonSerializer(read_only=True, help_text="The person it may be.")
    candidate_record = SourceRecordSerializer(
        read_only=True,
        allow_null=True,
        help_text="The person's record that matched best (null: the person's own details).",
    )
    status = serializers.ChoiceField(choices=MatchStatus.choices, read_only=True)
    likelihood = serializers.CharField(read_only=True, help_text="The probability in words.")
    contributions = ReasonSerializer(many=True, read_only=True)
    decided_by = PractitionerSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = MatchCandidate
        fields = [
            "id",
            "status",
            "probability",
            "likelihood",
            "match_weight",
            "model_version",
            "record",
            "person",
            "candidate_record",
            "contributions",
            "decided_by",
            "decided_at",
            "created_at",
        ]
        read_only_fields = fields


class KnownPersonSerializer(serializers.Serializer):
    """A person someone may also be, with why."""

    person = MatchPersonSerializer(read_only=True)
    probability = serializers.FloatField(read_only=True)
    likelihood = serializers.CharField(read_only=True)
    match_weight = serializers.FloatField(read_only=True)
    decision = serializers.ChoiceField(
        choices=MODEL_DECISIONS,
        read_only=True,
        help_text="What the model would do with the pair: `link` (above the auto-link "
        "threshold) or `review` (in the review band).",
    )
    reasons = ReasonSerializer(many=True, read_only=True)


# --- input ----------------------------------------------------------------------------


class MatchQueueQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=MatchStatus.choices,
        required=False,
        help_text="`pending` (the default), `same`, `not_same` or `withdrawn`.",
    )
    agency = serializers.SlugField(
        required=False, help_text="Only records sent by this agency (its code)."
    )
    person = VisiblePersonField(
        required=False,
        help_text="Only pairs about this person (`unknown_person` if you cannot see them).",
    )


class MatchDecisionInputSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(
        choices=DECISIONS,
        help_text="`same` links the record to the person; `not_same` is remembered.",
    )
