"""Sending the emails about notices (the outbox), with Django's in-memory mail outbox, a
real SMTP connection that is refused, the task queue in the database, and GOV.UK Notify
through its official client against a local stand-in for its API."""

import datetime as dt
import json
import socket
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from django.core.mail import InvalidMailer, mailers
from django.core.management import call_command
from django.db import IntegrityError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from notifications_python_client.authentication import decode_jwt_token, get_token_issuer
from notifications_python_client.errors import TokenError

from threadline.notices.models import Delivery, DeliveryStatus, NoticeType
from threadline.notices.services import send_notice
from threadline.notices.tasks import backoff, deliver_due, deliver_notices, message_id

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def refer(world, **recipients):
    return send_notice(
        notice_type=NoticeType.REFERRAL,
        title="Referral: Riley Marsh",
        body="Riley Marsh arrived at nursery with bruising to the left arm.",
        child=world.child,
        sender=world.social_worker,
        link=f"/cases/{world.case.pk}/",
        **recipients,
    )


def refused_port() -> int:
    """A local port nothing listens on: connecting to it is refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_down(settings):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": refused_port(), "timeout": 2},
        }
    }


def test_each_recipient_gets_one_email_when_the_notice_commits(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notice = refer(world, agencies=[world.health], practitioners=[world.health_visitor])

    assert sorted(m.to[0] for m in mail.outbox) == [
        world.health_visitor.email,
        world.health.safeguarding_email,
    ]
    assert all(len(m.to) == 1 and not m.cc and not m.bcc for m in mail.outbox)
    assert not Delivery.objects.exclude(status=DeliveryStatus.SENT).exists()
    assert all(r.delivered_at is not None for r in notice.recipients.all())


def test_emails_say_only_that_there_is_something_to_see(world):
    notice = refer(world, practitioners=[world.health_visitor])

    deliver_due()

    (email,) = mail.outbox
    recipient = notice.recipients.get()
    text = " ".join([email.subject, email.body, *map(str, email.extra_headers.values())])
    for secret in ("Riley", "Marsh", "bruising", "nursery", str(world.case.pk)):
        assert secret not in text
    assert email.subject == "Threadline: referral for you"
    assert f"/notices/{recipient.pk}/" in email.body
    assert email.extra_headers["Auto-Submitted"] == "auto-generated"


def test_the_message_id_is_the_delivery_key_hashed_and_never_the_address(world):
    refer(world, agencies=[world.health], practitioners=[world.health_visitor])

    deliver_due()

    deliveries = {d.address: d for d in Delivery.objects.all()}
    for email in mail.outbox:
        header = email.extra_headers["Message-ID"]
        assert header == message_id(deliveries[email.to[0]])
        assert header.count("@") == 1 and email.to[0] not in header
    assert len({e.extra_headers["Message-ID"] for e in mail.outbox}) == 2


def test_a_recipient_without_an_address_is_delivered_to_the_inbox_only(world):
    world.health_visitor.email = ""
    world.health_visitor.save()

    notice = refer(world, practitioners=[world.health_visitor])

    assert not Delivery.objects.exists()
    assert notice.recipients.get().delivered_at is not None


def test_a_sent_email_is_never_sent_again(world):
    refer(world, agencies=[world.health])

    assert deliver_due() == (1, None)
    assert deliver_due() == (0, None)
    Delivery.objects.update(next_attempt_at=timezone.now() - dt.timedelta(hours=1))
    assert deliver_due() == (0, None)

    assert len(mail.outbox) == 1
    assert Delivery.objects.get().attempts == 1


def test_the_delivery_key_is_unique(world):
    refer(world, agencies=[world.health])
    first = Delivery.objects.get()

    with pytest.raises(IntegrityError):
        Delivery.objects.create(
            recipient=first.recipient,
            address=first.address,
            key=first.key,
            next_attempt_at=timezone.now(),
        )


def test_a_failed_send_stays_queued_with_the_error_and_waits_before_retrying(
    world, settings, smtp_down
):
    refer(world, agencies=[world.health])

    before = timezone.now()
    sent, retry_at = deliver_due()

    delivery = Delivery.objects.get()
    assert sent == 0 and not mail.outbox
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1
    assert "ConnectionRefusedError" in delivery.last_error
    assert delivery.claimed_at is None
    assert delivery.next_attempt_at == retry_at
    assert retry_at >= before + dt.timedelta(seconds=settings.NOTICE_RETRY_BASE_SECONDS)

    assert deliver_due() == (0, None)  # not due yet: no second attempt
    assert Delivery.objects.get().attempts == 1


def test_each_failure_doubles_the_wait_up_to_the_maximum(settings):
    settings.NOTICE_RETRY_BASE_SECONDS = 60
    settings.NOTICE_RETRY_MAX_SECONDS = 1800

    waits = [backoff(n).total_seconds() for n in range(1, 9)]

    assert waits == [60, 120, 240, 480, 960, 1800, 1800, 1800]
    assert backoff(10_000).total_seconds() == 1800  # no overflow, and never given up


def test_a_failed_email_is_sent_once_when_the_mail_server_returns(world, settings, smtp_down):
    refer(world, agencies=[world.health])
    deliver_due()
    Delivery.objects.update(next_attempt_at=timezone.now())  # its retry falls due
    deliver_due()  # still down: the second attempt fails too, and waits twice as long
    second = Delivery.objects.get()
    assert second.attempts == 2
    assert second.next_attempt_at > timezone.now() + dt.timedelta(
        seconds=2 * settings.NOTICE_RETRY_BASE_SECONDS - 5
    )

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    Delivery.objects.update(next_attempt_at=timezone.now())
    assert deliver_due() == (1, None)

    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 3
    assert len(mail.outbox) == 1


def test_a_failure_ends_the_run_and_schedules_the_next_at_the_retry(world, settings, smtp_down):
    settings.TASKS = DATABASE_QUEUE
    refer(world, agencies=[world.health, world.social_care])

    assert deliver_notices.call() == 0

    failed = Delivery.objects.exclude(attempts=0)
    assert failed.count() == 1  # the second was not tried against a server that is down
    (again,) = DBTaskResult.objects.filter(task_path=deliver_notices.module_path)
    assert again.run_after == failed.get().next_attempt_at


def test_a_row_held_by_another_worker_is_left_alone(world):
    refer(world, agencies=[world.health])
    # Another worker claimed it a moment ago and is sending it now.
    Delivery.objects.update(
        claimed_at=timezone.now(),
        attempts=1,
        next_attempt_at=timezone.now() + dt.timedelta(minutes=5),
    )

    assert deliver_due() == (0, None)
    assert not mail.outbox


def test_a_send_cut_off_by_a_dying_worker_is_sent_again_with_the_same_message_id(world, settings):
    settings.TASKS = DATABASE_QUEUE
    refer(world, agencies=[world.health, world.social_care])
    held, other = Delivery.objects.order_by("address")
    # A worker claimed `held` and died before recording the outcome; its lease is over.
    Delivery.objects.filter(pk=held.pk).update(
        claimed_at=timezone.now() - dt.timedelta(minutes=6),
        attempts=1,
        next_attempt_at=timezone.now() - dt.timedelta(minutes=1),
    )

    assert deliver_notices.call() == 2

    held.refresh_from_db()
    assert held.status == DeliveryStatus.SENT and held.attempts == 2
    assert "stopped before recording the outcome" in held.last_error
    assert {m.extra_headers["Message-ID"] for m in mail.outbox} == {
        message_id(held),
        message_id(other),
    }
    # Nothing is left, so no further run was scheduled.
    assert not DBTaskResult.objects.filter(task_path=deliver_notices.module_path).exists()


def test_after_progress_a_run_is_scheduled_for_a_row_another_worker_holds(world, settings):
    settings.TASKS = DATABASE_QUEUE
    refer(world, agencies=[world.health, world.social_care])
    held = Delivery.objects.order_by("address").first()
    lease_ends = timezone.now() + dt.timedelta(minutes=5)
    Delivery.objects.filter(pk=held.pk).update(
        claimed_at=timezone.now(), attempts=1, next_attempt_at=lease_ends
    )

    assert deliver_notices.call() == 1

    (again,) = DBTaskResult.objects.filter(task_path=deliver_notices.module_path)
    assert again.run_after == lease_ends


def test_housekeeping_sends_what_a_lost_run_left_behind(world, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    with_the_run_lost = refer(world, agencies=[world.health])
    deliver_notices.enqueue()  # queued in a backend that never runs it
    assert not mail.outbox

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    call_command("housekeeping")

    assert [m.to for m in mail.outbox] == [[world.health.safeguarding_email]]
    assert with_the_run_lost.recipients.get().delivered_at is not None


# GOV.UK Notify, through the official client, against a local stand-in for its API.

SERVICE_ID, SECRET, TEMPLATE_ID = (str(uuid.uuid4()) for _ in range(3))


class FakeNotify(ThreadingHTTPServer):
    """Checks the token the client signs with the API key, records the emails posted, and
    answers as Notify does; `fail_with` holds status codes to answer with first."""

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _NotifyHandler)
        self.emails: list[dict] = []
        self.fail_with: list[int] = []
        self.url = f"http://127.0.0.1:{self.server_port}"


class _NotifyHandler(BaseHTTPRequestHandler):
    server: FakeNotify

    def do_POST(self):
        if not self._authorised():
            return
        if self.server.fail_with:
            status = self.server.fail_with.pop(0)
            return self._answer(status, {"errors": [{"error": "Failed", "message": "no"}]})
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        assert self.path == "/v2/notifications/email"
        self.server.emails.append(body)
        self._answer(201, {"id": str(uuid.uuid4()), "reference": body.get("reference")})

    def do_GET(self):
        if not self._authorised():
            return
        query = parse_qs(urlsplit(self.path).query)
        found = [e for e in self.server.emails if e.get("reference") in query["reference"]]
        self._answer(200, {"notifications": found, "links": {}})

    def _authorised(self) -> bool:
        token = self.headers["Authorization"].removeprefix("Bearer ")
        try:
            ok = get_token_issuer(token) == SERVICE_ID and decode_jwt_token(token, SECRET)
        except TokenError:
            ok = False
        if not ok:
            self._answer(403, {"errors": [{"error": "AuthError", "message": "Invalid token"}]})
        return ok

    def _answer(self, status: int, payload: dict):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def notify(settings):
    server = FakeNotify()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "threadline.notices.backends.NotifyEmailBackend",
            "OPTIONS": {
                "api_key": f"threadline_test-{SERVICE_ID}-{SECRET}",
                "template_id": TEMPLATE_ID,
                "base_url": server.url,
            },
        }
    }
    yield server
    server.shutdown()
    server.server_close()


def test_notify_sends_each_email_through_the_template(world, notify):
    refer(world, agencies=[world.health], practitioners=[world.health_visitor])

    assert deliver_due() == (2, None)

    by_address = {e["email_address"]: e for e in notify.emails}
    assert set(by_address) == {world.health.safeguarding_email, world.health_visitor.email}
    for delivery in Delivery.objects.all():
        email = by_address[delivery.address]
        assert email["template_id"] == TEMPLATE_ID
        assert email["reference"] == message_id(delivery).strip("<>")
        assert email["personalisation"]["subject"] == "Threadline: referral for you"
        assert "Riley" not in json.dumps(email)


def test_a_notify_error_raises_so_the_email_is_tried_again(world, notify):
    refer(world, agencies=[world.health])
    notify.fail_with = [500, 400]

    deliver_due()
    Delivery.objects.update(next_attempt_at=timezone.now())
    deliver_due()
    first_errors = Delivery.objects.get()
    Delivery.objects.update(next_attempt_at=timezone.now())
    deliver_due()

    assert "HTTPError: 400" in first_errors.last_error
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 3
    assert len(notify.emails) == 1


def test_a_wrongly_signed_request_is_refused_and_retried(world, notify, settings):
    settings.MAILERS["default"]["OPTIONS"]["api_key"] = f"x-{SERVICE_ID}-{uuid.uuid4()}"
    refer(world, agencies=[world.health])

    deliver_due()

    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING and "403" in delivery.last_error
    assert not notify.emails


def test_with_notify_a_send_cut_off_by_a_dying_worker_still_goes_once(world, notify):
    refer(world, agencies=[world.health])
    deliver_due()
    # As if the worker died after Notify took the email but before we recorded it.
    Delivery.objects.update(
        status=DeliveryStatus.PENDING,
        sent_at=None,
        claimed_at=timezone.now() - dt.timedelta(minutes=6),
        next_attempt_at=timezone.now(),
    )

    assert deliver_due() == (1, None)

    assert len(notify.emails) == 1
    assert Delivery.objects.get().status == DeliveryStatus.SENT


def test_the_notify_backend_needs_a_key_and_a_template(settings):
    settings.MAILERS = {
        "default": {"BACKEND": "threadline.notices.backends.NotifyEmailBackend", "OPTIONS": {}}
    }
    with pytest.raises(InvalidMailer, match="api_key"):
        mailers.default  # noqa: B018 - creating it is the test
