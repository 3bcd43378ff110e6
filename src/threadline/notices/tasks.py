"""Background work for notices: sending the queued emails (the outbox) and escalating
notices nobody acknowledged. Both are safe to run twice, or in several workers at once.

Each email is sent at least once and, unless a worker dies between the mail server
accepting it and our recording that, exactly once: docs/notices.md explains."""

import contextlib
import hashlib
import logging
from datetime import datetime, timedelta
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.db.models import F, Min
from django.tasks import task
from django.utils import timezone

from .models import Delivery, DeliveryStatus, NoticeRecipient

logger = logging.getLogger(__name__)


def backoff(attempts: int) -> timedelta:
    """The wait after a delivery's `attempts`-th failure: NOTICE_RETRY_BASE_SECONDS,
    doubling, at most NOTICE_RETRY_MAX_SECONDS. There is no last attempt: a mail server
    down for a day is tried at that interval until it returns."""
    seconds = settings.NOTICE_RETRY_BASE_SECONDS * 2 ** min(max(attempts - 1, 0), 20)
    return timedelta(seconds=min(seconds, settings.NOTICE_RETRY_MAX_SECONDS))


def message_id(delivery: Delivery) -> str:
    """The same Message-ID for every attempt at one delivery, so a mail system that keeps
    one copy per Message-ID drops a repeat. Hashed: the key holds the address."""
    digest = hashlib.sha256(delivery.key.encode()).hexdigest()[:32]
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "threadline"
    return f"<{digest}.notice@{domain}>"


def _email(delivery: Delivery) -> EmailMessage:
    """Only that there is something to see, and where: never the title, body or child."""
    notice = delivery.recipient.notice
    body = (
        "There is a notice for you in Threadline that needs your acknowledgement.\n\n"
        f"Sign in to read it: {settings.SITE_URL}/notices/{delivery.recipient_id}/\n\n"
        "This email does not contain case details."
    )
    return EmailMessage(
        subject=f"Threadline: {notice.get_notice_type_display().lower()} for you",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[delivery.address],
        # RFC 3834: out-of-office replies should not answer an automatic message.
        headers={"Message-ID": message_id(delivery), "Auto-Submitted": "auto-generated"},
    )


def _claim(now: datetime) -> tuple[Delivery, bool] | None:
    """Take the next due delivery for this worker, and say whether an earlier claim on it
    never recorded an outcome (its worker died mid-send, so it may have gone).

    The claim is a conditional UPDATE, committed before sending: it pushes the row's next
    attempt on by the lease, so no other worker takes it meanwhile, and no database lock
    is held while we talk to the mail server (on SQLite that would stop every writer).
    SKIP LOCKED lets concurrent PostgreSQL workers take different rows."""
    lease = timedelta(seconds=settings.NOTICE_DELIVERY_LEASE_SECONDS)
    due = Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
    while True:
        with transaction.atomic():
            row = (
                due.select_for_update(skip_locked=True)
                .order_by("next_attempt_at", "pk")
                .values("pk", "claimed_at")
                .first()
            )
            if row is None:
                return None
            earlier_claim = row["claimed_at"]
            in_doubt = earlier_claim is not None
            noted = {"last_error": _interrupted(earlier_claim)} if earlier_claim else {}
            claimed = due.filter(pk=row["pk"]).update(
                claimed_at=now, attempts=F("attempts") + 1, next_attempt_at=now + lease, **noted
            )
        if claimed == 1:
            if in_doubt:
                logger.warning("Delivery %s: %s", row["pk"], noted["last_error"])
            delivery = Delivery.objects.select_related("recipient__notice").get(pk=row["pk"])
            return delivery, in_doubt


def _interrupted(claimed_at: datetime) -> str:
    return (
        f"The worker sending this at {claimed_at:%Y-%m-%d %H:%M:%S} UTC stopped before "
        "recording the outcome; it may have gone. Sending again with the same Message-ID."
    )


def _record_sent(delivery: Delivery) -> None:
    now = timezone.now()
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.SENT, sent_at=now, updated_at=now
        )
        NoticeRecipient.objects.filter(pk=delivery.recipient_id, delivered_at__isnull=True).update(
            delivered_at=now
        )


def _record_failure(delivery: Delivery, error: str) -> datetime:
    now = timezone.now()
    retry_at = now + backoff(delivery.attempts)
    # Only while the claim is still ours: past the lease, another worker may hold it.
    Delivery.objects.filter(
        pk=delivery.pk, status=DeliveryStatus.PENDING, claimed_at=delivery.claimed_at
    ).update(claimed_at=None, next_attempt_at=retry_at, last_error=error[:500], updated_at=now)
    return retry_at


def deliver_due() -> tuple[int, datetime | None]:
    """Send the emails that are due, one claimed row at a time. Returns how many were
    sent and when to run again: at the retry of a failed one (a failure ends the run,
    since the next send would most likely fail too), or, after progress, at the next
    pending row (one held by a worker that died)."""
    sent = 0
    mailer = mailers.default
    try:
        while claim := _claim(timezone.now()):
            delivery, in_doubt = claim
            message = _email(delivery)
            try:
                mailer.open()  # once per run: a no-op while the connection is open
                arrived = in_doubt and _backend_has_it(mailer, message)
                if not arrived and mailer.send_messages([message]) != 1:
                    raise RuntimeError("The email backend did not send the message.")
            except Exception as exc:
                error = f"{type(exc).__name__}: {exc}"
                logger.warning(
                    "Delivery %s failed (attempt %s): %s", delivery, delivery.attempts, error
                )
                return sent, _record_failure(delivery, error)
            _record_sent(delivery)
            sent += 1
    finally:
        # A connection that broke with the failure may fail to close too; nothing to do.
        with contextlib.suppress(Exception):
            mailer.close()
    if not sent:
        return 0, None
    pending = Delivery.objects.filter(status=DeliveryStatus.PENDING)
    return sent, pending.aggregate(at=Min("next_attempt_at"))["at"]


def _backend_has_it(mailer, message: EmailMessage) -> bool:
    """Backends that can tell (Notify) are asked whether an in-doubt email arrived."""
    already_sent = getattr(mailer, "already_sent", None)
    return already_sent is not None and already_sent(message)


def queue_due_deliveries() -> int:
    """The housekeeping sweep's part: if emails are due, queue a delivery run, in case the
    run that should have sent them was lost (a worker killed mid-run, a failed enqueue).
    Returns how many are due."""
    due = Delivery.objects.filter(
        status=DeliveryStatus.PENDING, next_attempt_at__lte=timezone.now()
    ).count()
    if due:
        deliver_notices.enqueue()
    return due


@task
def deliver_notices() -> int:
    sent, again_at = deliver_due()
    # Backends that cannot defer (the immediate one, in tests) leave it to the sweep.
    if again_at is not None and deliver_notices.get_backend().supports_defer:
        deliver_notices.using(run_after=again_at).enqueue()
    return sent


@task
def escalate_if_unacknowledged(notice_id: str) -> int:
    from .services import escalate

    recipients = NoticeRecipient.objects.filter(notice_id=notice_id).values_list("pk", flat=True)
    return sum(escalate(pk) is not None for pk in list(recipients))
