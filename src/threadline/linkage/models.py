"""Identity resolution: each agency's record of a person as it was received (a source
record, with every version kept), the links that place it with a resolved person
(`people.Person`), and the review queue of pairs the model was unsure about.

A resolved person IS a `people.Person`: the source records linked to them are the
agencies' knowledge of that human. The model that scores pairs is in `engine/`."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from threadline.common.models import RecordModel

from .engine.comparisons import FIELD_LABELS as COMPARISON_LABELS

# The identifying fields an agency holds, as the engine names them (engine.FIELDS).
RECORD_FIELDS = ("nhs_number", "first_name", "surname", "dob", "sex", "postcode", "address")

# Field names as a practitioner reads them: the engine's comparison labels, with
# postcode and address apart (a record shows both; the model compares them as one).
FIELD_LABELS = {**COMPARISON_LABELS, "postcode": "Postcode", "address": "Address"}


def percentage(probability: float) -> str:
    """A probability as people read it: '97%', '99.6%', 'over 99.9%'."""
    if probability > 0.999:
        return "over 99.9%"
    if probability < 0.001:
        return "under 0.1%"
    if probability >= 0.99 or probability < 0.01:
        return f"{probability:.1%}"
    return f"{probability:.0%}"


def likelihood(probability: float) -> str:
    """The probability in words."""
    if probability >= 0.99:
        return "Almost certainly the same person"
    if probability >= 0.9:
        return "Very likely the same person"
    if probability >= 0.5:
        return "Possibly the same person"
    return "Unlikely to be the same person"


# The local id of the source record Threadline keeps for a person recorded through its
# own pages or API (the recording agency's record of them): `threadline:<person id>`.
THREADLINE_PREFIX = "threadline:"


class SourceRecord(RecordModel):
    """One agency's record of a person, as last received. Identified by the agency's own
    local id; each change the agency sends is a new version (`versions`), and the fields
    here are those of the latest. `person` is the resolved person it is linked to (the
    current `Link`); empty while the record waits in the review queue."""

    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    local_id = models.CharField(max_length=100)
    version = models.PositiveIntegerField(default=1)
    nhs_number = models.CharField(max_length=20, blank=True)
    first_name = models.CharField(max_length=200, blank=True)
    surname = models.CharField(max_length=200, blank=True)
    dob = models.DateField("date of birth", null=True, blank=True)
    sex = models.CharField(max_length=20, blank=True)
    postcode = models.CharField(max_length=20, blank=True)
    address = models.CharField(max_length=300, blank=True)
    received_at = models.DateTimeField()
    person = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="source_records",
    )

    class Meta:
        ordering = ["agency__name", "local_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "local_id"], name="source_record_local_id_unique_in_agency"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency.code}:{self.local_id}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.surname}".strip() or "(no name)"

    @property
    def entered_in_threadline(self) -> bool:
        return self.local_id.startswith(THREADLINE_PREFIX)

    @classmethod
    def of_person(cls, person) -> "SourceRecord":
        """An unsaved record of a person's identifying details as Threadline holds them
        (the recording agency's record of a person recorded through Threadline)."""
        return cls(
            agency_id=person.recorded_by_agency_id,
            local_id=f"{THREADLINE_PREFIX}{person.pk}",
            person=person,
            nhs_number=person.nhs_number or "",
            first_name=person.given_names,
            surname=person.family_name,
            dob=person.date_of_birth,
            sex="" if person.sex == "U" else person.sex,
        )

    def fields(self) -> dict[str, str | None]:
        """The identifying fields as the engine reads them (empty → None)."""
        values = {name: getattr(self, name) or None for name in RECORD_FIELDS}
        if self.dob is not None:
            values["dob"] = self.dob.isoformat()
        return values


class SourceRecordVersion(models.Model):
    """A version of a source record exactly as the agency sent it; never changed."""

    record = models.ForeignKey(SourceRecord, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    fields = models.JSONField()
    received_at = models.DateTimeField()

    class Meta:
        ordering = ["record", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["record", "version"], name="source_record_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.record_id} v{self.version}"


class BlockingKey(models.Model):
    """A normalised pre-filter key of a source record (its name and value are the
    engine's: `engine.blocking_keys`). Candidates for a record are the records sharing
    one of its keys, found through the (name, value) index."""

    record = models.ForeignKey(SourceRecord, on_delete=models.CASCADE, related_name="keys")
    name = models.CharField(max_length=40)
    value = models.CharField(max_length=200)

    class Meta:
        indexes = [models.Index(fields=["name", "value"], name="blocking_key_lookup")]
        constraints = [
            models.UniqueConstraint(fields=["record", "name"], name="blocking_key_one_per_name")
        ]

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class LinkMethod(models.TextChoices):
    MODEL = "model", "Linked by the model"
    DECISION = "decision", "Same person: a practitioner's decision"
    NEW_PERSON = "new_person", "A new person for a record that matched no one"
    ENTERED = "entered", "Recorded in Threadline as this person"


class Link(RecordModel):
    """That a source record is (was) of a person: with the probability and model version
    when the model made or proposed it, who or what made it, and when. Undoing a link
    keeps it, marked with who undid it, when and why."""

    record = models.ForeignKey(SourceRecord, on_delete=models.CASCADE, related_name="links")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    method = models.CharField(max_length=20, choices=LinkMethod.choices)
    probability = models.FloatField(null=True, blank=True)
    model_version = models.CharField(max_length=100, blank=True)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    undo_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["record"],
                condition=Q(undone_at__isnull=True),
                name="one_current_link_per_source_record",
            ),
            models.CheckConstraint(
                condition=Q(undone_at__isnull=True) | ~Q(undo_reason=""),
                name="undone_link_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(probability__isnull=True) | Q(probability__gte=0, probability__lte=1),
                name="link_probability_between_0_and_1",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.record_id} → {self.person_id}"

    @property
    def made_by_label(self) -> str:
        if self.made_by_id is not None:
            return str(self.made_by)
        return "The model" if self.method == LinkMethod.MODEL else "Threadline"

    @property
    def is_current(self) -> bool:
        return self.undone_at is None

    @property
    def percentage(self) -> str:
        return "" if self.probability is None else percentage(self.probability)


class MatchStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a decision"
    SAME = "same", "Same person"
    NOT_SAME = "not_same", "Not the same person"
    WITHDRAWN = "withdrawn", "No longer needed"


# The statuses a pair may move to from each status (services enforce them). A decision
# is final: the pair is never asked again. A pending pair is withdrawn when its record
# is linked some other way (another pair decided "same", or the record changed).
TRANSITIONS = {
    MatchStatus.PENDING: {MatchStatus.SAME, MatchStatus.NOT_SAME, MatchStatus.WITHDRAWN},
    MatchStatus.SAME: set(),
    MatchStatus.NOT_SAME: set(),
    MatchStatus.WITHDRAWN: set(),
}
DECISIONS = (MatchStatus.SAME, MatchStatus.NOT_SAME)


class MatchCandidate(RecordModel):
    """A pair the model was unsure about: a source record and a person it may be (with
    the record of theirs that matched best), the probability, the model version and each
    field's contribution to the match weight. One row per record and person: a decision
    is remembered, so the pair is never asked again."""

    record = models.ForeignKey(SourceRecord, on_delete=models.CASCADE, related_name="candidates")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    candidate_record = models.ForeignKey(
        SourceRecord, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    probability = models.FloatField()
    match_weight = models.FloatField()
    model_version = models.CharField(max_length=100, blank=True)
    contributions = models.JSONField(default=list, blank=True)
    status = models.CharField(
        max_length=10, choices=MatchStatus.choices, default=MatchStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-probability", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["record", "person"], name="match_candidate_pair_once"),
            models.CheckConstraint(
                condition=Q(status="pending", decided_at__isnull=True)
                | (~Q(status="pending") & Q(decided_at__isnull=False)),
                name="match_candidate_decided_when_not_pending",
            ),
            models.CheckConstraint(
                condition=Q(probability__gte=0, probability__lte=1),
                name="match_candidate_probability_between_0_and_1",
            ),
        ]
        indexes = [models.Index(fields=["status", "-probability"], name="match_queue")]

    def __str__(self) -> str:
        return f"{self.record_id} ~ {self.person_id} ({self.status})"

    @property
    def is_pending(self) -> bool:
        return self.status == MatchStatus.PENDING

    @property
    def percentage(self) -> str:
        return percentage(self.probability)

    @property
    def likelihood(self) -> str:
        return likelihood(self.probability)
