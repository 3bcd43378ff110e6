from django.db import models
from django.utils import timezone


class AttemptKind(models.TextChoices):
    FAILED = "failed", "Failed password or code"
    LOCKED = "locked", "Locked out"


class SignInAttempt(models.Model):
    """A failed password or code, or the start of a lockout, for one username from one
    address. Only the last LOCKOUT_MINUTES matter, so older rows are deleted as new ones
    are written; the audit trail keeps the history."""

    username = models.CharField(max_length=150)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    kind = models.CharField(max_length=10, choices=AttemptKind.choices)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(
                fields=["username", "ip_address", "kind", "at"], name="sign_in_attempt_pair"
            ),
            models.Index(fields=["at"], name="sign_in_attempt_at"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.username} from {self.ip_address} at {self.at:%Y-%m-%d %H:%M}"
