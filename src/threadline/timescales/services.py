"""The only writers of the clock: noting events (by the services that cause them, or by
hand for meetings and assessments) and escalating overdue tasks. Noting an event
re-evaluates that child's tasks in the same transaction."""

import datetime as dt
import uuid

from django.db import transaction
from django.utils import timezone

from threadline.agencies.models import Agency, Practitioner, Role
from threadline.notices.models import NoticeType
from threadline.notices.services import send_notice
from threadline.people.models import Person

from . import clock
from .models import ClockEvent, Task


@transaction.atomic
def note_event(
    *,
    key: str,
    child: Person,
    kind: str,
    occurred_at: dt.datetime | dt.date,
    recorded_by: Practitioner | None = None,
    **details,
) -> ClockEvent:
    """Note an event the clock counts from or waits for, once per `key` (the record that
    caused it), and bring the child's tasks up to date. A date is taken as the start of
    that day. Called by the services of referrals, orders, allocations and risks."""
    if not isinstance(occurred_at, dt.datetime):
        occurred_at = dt.datetime.combine(occurred_at, dt.time.min, timezone.get_default_timezone())
    event, created = ClockEvent.objects.get_or_create(
        key=key,
        defaults={
            "child": child,
            "kind": kind,
            "occurred_at": occurred_at,
            "details": {k: _plain(v) for k, v in details.items()},
            "recorded_by": recorded_by,
        },
    )
    if created:
        clock.sync_tasks({child.pk})
    return event


def _plain(value):
    """Details are JSON: dates and moments as ISO strings, records as their ids."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if hasattr(value, "pk"):
        return str(value.pk)
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def _managers(agency: Agency) -> list[Practitioner]:
    return list(Practitioner.objects.filter(agency=agency, role=Role.TEAM_MANAGER, is_active=True))


def escalate_overdue_tasks(*, now: dt.datetime | None = None) -> int:
    """Tell the team managers of each overdue task's agency (its inbox if it has none),
    once per task. Returns how many tasks were escalated."""
    now = now or timezone.now()
    count = 0
    overdue = Task.objects.filter(clock.overdue(now), escalated_at__isnull=True)
    for task in overdue.select_related("child", "owner", "owner_agency"):
        with transaction.atomic():
            # Claimed by a conditional update: two sweeps never both escalate one task.
            if not Task.objects.filter(pk=task.pk, escalated_at__isnull=True).update(
                escalated_at=now
            ):
                continue
            agency = task.owner_agency
            if agency is None:
                continue
            managers = _managers(agency)
            who = f" (owner: {task.owner})" if task.owner else ""
            send_notice(
                notice_type=NoticeType.TASK_ESCALATION,
                title=f"Overdue: {task.title} for {task.child.full_name}",
                body=f"{task.title} for {task.child.full_name} was due by "
                f"{timezone.localtime(task.due_at):%H:%M on %-d %B %Y}{who} and is not done.",
                child=task.child,
                link=task.child.get_absolute_url(),
                practitioners=managers,
                agencies=[] if managers else [agency],
            )
            count += 1
    return count
