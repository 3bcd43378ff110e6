"""Alerts by email, sent by the task worker after the change commits. Emails never
carry case details: only that there is something to see, and a link.

(The notices app — an inbox, acknowledgement and escalation — will carry these once it
lands; until then they are plain emails to the practitioners concerned.)"""

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task

from threadline.agencies.models import Practitioner


@task
def email_practitioners(practitioner_ids: list[str], subject: str, path: str) -> int:
    recipients = list(
        Practitioner.objects.filter(pk__in=practitioner_ids, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if not recipients:
        return 0
    body = (
        "There is something in Threadline for you to see.\n\n"
        f"Sign in to read it: {settings.SITE_URL}{path}\n\n"
        "This email does not contain case details."
    )
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    return len(recipients)
