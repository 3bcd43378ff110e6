"""Reads of the statutory clock's tasks, as the pages show them."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import BooleanField, ExpressionWrapper, QuerySet
from django.utils import timezone

from threadline.agencies.models import Practitioner, Role
from threadline.sharing.policy import tasks_visible_to

from . import clock
from .models import RECORDED_BY_HAND, Task, TaskStatus
from .rules import RULES_BY_ID


@dataclass
class ShownTask:
    task: Task
    overdue: bool
    record_kind: str  # the meeting or assessment, recorded by hand, that does it ("" if none)


def marked_overdue(tasks: QuerySet[Task], now: dt.datetime | None = None) -> QuerySet[Task]:
    """Tasks each marked `is_overdue` (as `clock.overdue`) now: what the API's `overdue`
    reads, wherever tasks are shown."""
    overdue = ExpressionWrapper(clock.overdue(now or timezone.now()), output_field=BooleanField())
    return tasks.annotate(is_overdue=overdue)


def _recorded_by_hand(rule_id: str) -> str:
    rule = RULES_BY_ID.get(rule_id)
    kinds = [k for k in rule.satisfied_by if k in RECORDED_BY_HAND] if rule else []
    return kinds[0] if kinds else ""


def tasks_shown(tasks, now: dt.datetime | None = None) -> list[ShownTask]:
    """Open tasks as the pages show them: overdue or not now (as `clock.overdue`), and
    what to record when they are done. No queries."""
    now = now or timezone.now()
    return [ShownTask(t, t.due_at < now, _recorded_by_hand(t.rule_id)) for t in tasks]


TASKS_LISTED = 100  # each task list on the dashboard, soonest first
TEAM_TASK_ROLES = (Role.TEAM_MANAGER, Role.SAFEGUARDING_LEAD)  # see their team's overdue tasks


def dashboard_tasks(
    actor: Practitioner, now: dt.datetime | None = None
) -> tuple[list, list | None]:
    """The actor's open tasks, and for team managers and safeguarding leads their
    agency's overdue ones (None for everyone else)."""
    now = now or timezone.now()
    tasks = tasks_visible_to(actor).select_related("child", "owner", "owner_agency")
    mine = tasks.filter(owner=actor, status=TaskStatus.OPEN).order_by("due_at")
    team = None
    if actor.role in TEAM_TASK_ROLES and actor.agency_id is not None:
        team = tasks.filter(clock.overdue(now), owner_agency=actor.agency_id).order_by("due_at")
    return (
        tasks_shown(mine[:TASKS_LISTED], now),
        None if team is None else tasks_shown(team[:TASKS_LISTED], now),
    )


def due_next(child) -> list[ShownTask]:
    """What is due next for a child: their open tasks, soonest first."""
    return tasks_shown(clock.open_tasks_for(child))
