import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class RecordModel(models.Model):
    """Base for every domain record: a UUID key (integer keys never leave the database)
    and when it was written."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class DatedQuerySet(models.QuerySet):
    """Rows that are in force between `from_date` and an optional `to_date`."""

    def as_of(self, day):
        return self.filter(from_date__lte=day).filter(
            models.Q(to_date__isnull=True) | models.Q(to_date__gte=day)
        )

    def current(self):
        return self.as_of(timezone.localdate())


def dates_in_order(prefix: str = "") -> models.CheckConstraint:
    """A check constraint that an end date, when present, is not before the start date."""
    return models.CheckConstraint(
        condition=models.Q(to_date__isnull=True) | models.Q(to_date__gte=models.F("from_date")),
        name=f"{prefix}%(app_label)s_%(class)s_dates_in_order",
    )


class IdempotencyRecord(models.Model):
    """An API write made with an `Idempotency-Key`: who sent it, a fingerprint of the
    request, and (once it succeeded) the response to replay. `status_code` is empty
    while the first request is still in flight. Rows older than a day are reclaimed."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    response_headers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["actor", "key"], name="idempotency_key_unique_per_actor"
            )
        ]

    def __str__(self) -> str:
        return f"{self.actor_id}:{self.key}"
