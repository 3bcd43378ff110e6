"""GOV.UK Notify as a Django email backend, so choosing Notify is a setting
(EMAIL_BACKEND=threadline.notices.backends.NotifyEmailBackend) and the outbox sends
through it like any other backend.

Notify sends from a template: create an email template whose subject is `((subject))`
and whose body is `((body))`, and set NOTIFY_TEMPLATE_ID to its id."""

from django.core.mail import EmailMessage, InvalidMailer
from django.core.mail.backends.base import BaseEmailBackend
from notifications_python_client import NotificationsAPIClient

NOTIFY_URL = "https://api.notifications.service.gov.uk"


def notify_reference(message: EmailMessage) -> str:
    """The message's Message-ID (without brackets), sent to Notify as its reference so
    that an email can be looked up later."""
    return message.extra_headers.get("Message-ID", "").strip("<>")


class NotifyEmailBackend(BaseEmailBackend):
    """Sends each message to each of its recipients through the official Notify client.
    Errors are raised (an HTTPError from the client), never swallowed: the outbox counts
    them as failed attempts and tries again."""

    def __init__(
        self, *, api_key="", template_id="", base_url=NOTIFY_URL, timeout=20, **kwargs
    ) -> None:
        if not api_key or not template_id:
            raise InvalidMailer(
                "OPTIONS must define 'api_key' and 'template_id'.", alias=kwargs.get("alias")
            )
        super().__init__(**kwargs)
        self.api_key = api_key
        self.template_id = template_id
        self.base_url = base_url
        self.timeout = timeout
        self.client: NotificationsAPIClient | None = None

    def open(self) -> bool:
        if self.client is not None:
            return False
        self.client = NotificationsAPIClient(
            self.api_key, base_url=self.base_url, timeout=self.timeout
        )
        return True

    def close(self) -> None:
        if self.client is not None:
            self.client.request_session.close()
            self.client = None

    def send_messages(self, email_messages) -> int:
        self.open()
        assert self.client is not None
        for message in email_messages:
            for address in message.recipients():
                self.client.send_email_notification(
                    email_address=address,
                    template_id=self.template_id,
                    personalisation={"subject": message.subject, "body": message.body},
                    reference=notify_reference(message) or None,
                )
        return len(email_messages)

    def already_sent(self, message: EmailMessage) -> bool:
        """Whether Notify already holds an email with this message's reference: asked
        before sending again an email whose first attempt a dying worker cut off, so that
        with Notify such an email still goes only once."""
        reference = notify_reference(message)
        if not reference:
            return False
        self.open()
        assert self.client is not None
        found = self.client.get_all_notifications(reference=reference, template_type="email")
        return bool(found.get("notifications"))
