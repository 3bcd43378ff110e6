"""A notice nobody acknowledges within NOTICE_ACKNOWLEDGE_WORKING_HOURS working hours
escalates, once, to the recipient agency's safeguarding leads (or its inbox if it has
none), as a notice of its own."""

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from threadline.notices.models import Notice, NoticeRecipient, NoticeType
from threadline.notices.services import acknowledge, escalate_overdue, send_notice
from threadline.notices.tasks import deliver_due, escalate_if_unacknowledged
from threadline.timescales.calendar import add_working_hours


def alert(world, **recipients) -> Notice:
    return send_notice(
        notice_type=NoticeType.ALERT,
        title="Alert: Riley Marsh",
        body="Police attended the family home overnight.",
        child=world.child,
        sender=world.health_visitor,
        link=f"/cases/{world.case.pk}/",
        **recipients,
    )


def overdue(recipient: NoticeRecipient) -> dt.datetime:
    return recipient.acknowledge_by + dt.timedelta(minutes=1)


def test_a_notice_is_due_for_acknowledgement_in_working_hours(world, settings):
    settings.NOTICE_ACKNOWLEDGE_WORKING_HOURS = 3
    before = timezone.now()
    recipient = alert(world, agencies=[world.social_care]).recipients.get()
    after = timezone.now()

    assert add_working_hours(before, 3) <= recipient.acknowledge_by <= add_working_hours(after, 3)


def test_unacknowledged_when_due_it_escalates_to_the_agency_safeguarding_lead(world):
    recipient = alert(world, agencies=[world.social_care]).recipients.get()
    assert escalate_overdue(now=recipient.acknowledge_by - dt.timedelta(minutes=1)) == 0

    assert escalate_overdue(now=overdue(recipient)) == 1

    escalation = Notice.objects.get(notice_type=NoticeType.ESCALATION)
    assert escalation.escalation_of == recipient
    assert escalation.child == world.child and escalation.link == recipient.notice.link
    assert escalation.title == "Not acknowledged: Alert: Riley Marsh"
    (to_lead,) = escalation.recipients.all()
    assert to_lead.practitioner == world.safeguarding_lead
    assert to_lead.acknowledge_by is None  # an escalation does not escalate again
    recipient.refresh_from_db()
    assert recipient.escalated_at == overdue(recipient)

    deliver_due()
    assert [m.to for m in mail.outbox] == [
        [world.social_care.safeguarding_email],
        [world.safeguarding_lead.email],
    ]
    assert "Riley" not in mail.outbox[1].subject + mail.outbox[1].body


def test_an_agency_without_a_safeguarding_lead_escalates_to_its_inbox(world):
    recipient = alert(world, practitioners=[world.health_visitor]).recipients.get()

    escalate_overdue(now=overdue(recipient))

    escalation = Notice.objects.get(notice_type=NoticeType.ESCALATION)
    assert [(r.agency, r.practitioner) for r in escalation.recipients.all()] == [
        (world.health, None)
    ]


def test_a_lead_who_let_it_lapse_is_not_escalated_to_but_their_agency_inbox_is(world):
    recipient = alert(world, practitioners=[world.safeguarding_lead]).recipients.get()

    escalate_overdue(now=overdue(recipient))

    escalation = Notice.objects.get(notice_type=NoticeType.ESCALATION)
    assert [r.agency for r in escalation.recipients.all()] == [world.social_care]


def test_an_acknowledged_notice_does_not_escalate(world):
    recipient = alert(world, agencies=[world.social_care]).recipients.get()

    acknowledge(actor=world.social_worker, recipient=recipient)

    assert escalate_overdue(now=overdue(recipient)) == 0
    assert not Notice.objects.filter(notice_type=NoticeType.ESCALATION).exists()


def test_each_recipient_escalates_separately(world):
    notice = alert(world, agencies=[world.social_care], practitioners=[world.health_visitor])
    to_social_care = notice.recipients.get(agency=world.social_care)
    acknowledge(actor=world.social_worker, recipient=to_social_care)

    assert escalate_overdue(now=overdue(to_social_care)) == 1

    escalation = Notice.objects.get(notice_type=NoticeType.ESCALATION)
    assert escalation.escalation_of.practitioner == world.health_visitor


def test_escalation_happens_once_however_many_checks_run(world, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    notice = alert(world, agencies=[world.social_care])
    recipient = notice.recipients.get()
    NoticeRecipient.objects.filter(pk=recipient.pk).update(
        acknowledge_by=timezone.now() - dt.timedelta(minutes=1)
    )

    assert escalate_if_unacknowledged.call(str(notice.pk)) == 1
    assert escalate_if_unacknowledged.call(str(notice.pk)) == 0
    assert escalate_overdue() == 0
    call_command("housekeeping")

    assert Notice.objects.filter(notice_type=NoticeType.ESCALATION).count() == 1


def test_the_check_is_scheduled_for_when_the_notice_falls_due(
    world, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    with django_capture_on_commit_callbacks(execute=True):
        notice = alert(world, agencies=[world.social_care])

    (check,) = DBTaskResult.objects.filter(task_path=escalate_if_unacknowledged.module_path)
    assert check.run_after == notice.recipients.get().acknowledge_by
    assert check.args_kwargs["args"] == [str(notice.pk)]


@pytest.mark.parametrize("acknowledged", [False, True])
def test_housekeeping_escalates_what_is_overdue(world, acknowledged, capsys):
    recipient = alert(world, agencies=[world.social_care]).recipients.get()
    if acknowledged:
        acknowledge(actor=world.social_worker, recipient=recipient)
    NoticeRecipient.objects.filter(pk=recipient.pk).update(
        acknowledge_by=timezone.now() - dt.timedelta(minutes=1)
    )

    call_command("housekeeping")

    escalated = Notice.objects.filter(notice_type=NoticeType.ESCALATION).exists()
    assert escalated is not acknowledged
    assert f"escalated {int(not acknowledged)} unacknowledged notices" in capsys.readouterr().out
