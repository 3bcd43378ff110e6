import uuid

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
