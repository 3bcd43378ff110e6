from django.conf import settings
from django.db import models


class AuditAction(models.TextChoices):
    VIEW = "view", "Viewed"
    SEARCH = "search", "Searched"
    CREATE = "create", "Created"
    UPDATE = "update", "Changed"
    EXPORT = "export", "Exported"
    SIGN_IN = "sign_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Failed sign-in"
    SIGN_OUT = "sign_out", "Signed out"
    DENIED = "denied", "Denied"
    BREAK_GLASS = "break_glass", "Break-glass access"
    ACCESS_REQUEST = "access_request", "Asked for access"
    ACCESS_DECISION = "access_decision", "Decided an access request"
    PERMISSION_CHANGE = "permission_change", "Changed a sharing agreement"
    MFA_ENROLLED = "mfa_enrolled", "Set up an authenticator app"
    MFA_VERIFIED = "mfa_verified", "Entered an authenticator code"
    MFA_FAILED = "mfa_failed", "Wrong authenticator code"
    LOCKED_OUT = "locked_out", "Locked out"
    REAUTHENTICATED = "reauthenticated", "Confirmed identity again"


class AuditEvent(models.Model):
    """One row of the append-only audit trail. `hash` is an HMAC over this row's content
    and the previous row's hash, so an edited, removed or reordered row breaks the chain."""

    seq = models.BigIntegerField(primary_key=True)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    actor_label = models.CharField(max_length=200)
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    child_id = models.UUIDField(null=True, blank=True, db_index=True)
    summary = models.CharField(max_length=500, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    purpose = models.CharField(max_length=500, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.actor_label} {self.action} {self.object_type} {self.object_id}"


class AuditChainHead(models.Model):
    """A single row holding the newest hash; writers lock it so the chain stays a line."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"Audit chain head at row {self.last_seq}"
