"""The statutory clock: the rule catalogue (rules.py) applied to a child's events.

`task_states` is the one computation: from a child's events up to a moment it says, for
every rule an event triggered, when the task is due and whether (and by which event) it
was done or made unnecessary. `sync_tasks` keeps the Task rows in line with it (one per
rule and event, however often it runs); `replay` shows it as of a past day without
writing anything, for a case recorded after the fact."""

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from threadline.agencies.models import Agency, AgencyType
from threadline.cases.models import Allocation, Case

from .models import ClockEvent, Task, TaskStatus
from .rules import CONDITIONS, RULES_BY_TRIGGER, Owner, Rule


@dataclass
class TaskState:
    rule: Rule
    trigger: ClockEvent
    due_on: dt.date
    due_at: dt.datetime
    status: str
    closed_by: ClockEvent | None = None

    @property
    def key(self) -> str:
        return f"{self.rule.id}:{self.trigger.pk}"

    def overdue_at(self, moment: dt.datetime) -> bool:
        return self.status == TaskStatus.OPEN and self.due_at < moment


def end_of_working_day(day: dt.date) -> dt.datetime:
    """When a deadline on `day` falls."""
    return dt.datetime.combine(day, settings.WORKING_DAY_END, timezone.get_default_timezone())


def end_of_day(day: dt.date) -> dt.datetime:
    """The last moment of `day` in London: what a replay of that day counts up to."""
    return dt.datetime.combine(day, dt.time.max, timezone.get_default_timezone())


def _order(event: ClockEvent) -> tuple:
    return (event.occurred_at, event.recorded_at or timezone.now())


def task_states(events: Iterable[ClockEvent]) -> list[TaskState]:
    """Every task the rules make of one child's events (any order), soonest due first."""
    events = sorted(events, key=_order)
    states = []
    for i, event in enumerate(events):
        later = events[i + 1 :]
        for rule in RULES_BY_TRIGGER.get(event.kind, ()):
            if rule.when and not CONDITIONS[rule.when][1](event, events):
                continue

            def same(other, rule=rule, event=event) -> bool:
                """About the same record (an order, a risk), when the other event names
                one: a meeting recorded by hand names no order, and counts for any."""
                if not rule.same or rule.same not in other.details:
                    return True
                return other.details[rule.same] == event.details.get(rule.same)

            due_on, at = rule.due.moment(event.occurred_at, event.details)
            closing = next(
                (
                    e
                    for e in later
                    if (e.kind in rule.satisfied_by or e.kind in rule.cancelled_by) and same(e)
                ),
                None,
            )
            status = TaskStatus.OPEN
            if closing is not None:
                done = closing.kind in rule.satisfied_by
                status = TaskStatus.DONE if done else TaskStatus.CANCELLED
            states.append(
                TaskState(rule, event, due_on, at or end_of_working_day(due_on), status, closing)
            )
    return sorted(states, key=lambda s: s.due_at)


def replay(child, *, as_of: dt.date) -> list[TaskState]:
    """The tasks as they stood at the end of `as_of`, from the events recorded about the
    child that happened by then (recorded then or since). Writes nothing."""
    return task_states(ClockEvent.objects.filter(child=child, occurred_at__lte=end_of_day(as_of)))


def _owners(child_ids: set) -> tuple[dict, dict, dict]:
    """For each child: the open case's local authority and allocated social worker; for
    each local authority: its legal services. Three queries however many children."""
    cases = {
        c.child_id: c
        for c in Case.objects.filter(child_id__in=child_ids, closed_on__isnull=True).select_related(
            "local_authority"
        )
    }
    workers = {
        a.case.child_id: a.social_worker
        for a in Allocation.objects.current()
        .filter(case__in=cases.values())
        .select_related("case", "social_worker")
    }
    areas = {c.local_authority.area for c in cases.values()}
    legal = {
        a.area: a
        for a in Agency.objects.filter(
            agency_type=AgencyType.LOCAL_AUTHORITY_LEGAL, area__in=areas
        ).order_by("-name")
    }
    return cases, workers, legal


def _owner(state: TaskState, cases: dict, workers: dict, legal: dict):
    """(agency, practitioner) whose task it is."""
    event, owner = state.trigger, state.rule.owner
    case = cases.get(event.child_id)
    authority = case.local_authority if case else None
    if owner == Owner.FRONT_DOOR:
        return event.details.get("local_authority_id") or (authority and authority.pk), None
    if owner == Owner.PARTNERSHIP:
        return event.details.get("partnership_id"), None
    if owner == Owner.RECORDER and event.recorded_by_id:
        return event.recorder_agency_id, event.recorded_by_id
    if owner == Owner.LEGAL and authority is not None:
        found = legal.get(authority.area)
        return (found.pk if found else authority.pk), None
    worker = workers.get(event.child_id) if owner == Owner.SOCIAL_WORKER else None
    return (authority.pk if authority else None), (worker.pk if worker else None)


class _Event(NamedTuple):
    """What the rules read of a ClockEvent, without building a model instance (a full
    re-evaluation reads over a million: docs/benchmarks.md)."""

    pk: uuid.UUID
    child_id: uuid.UUID
    kind: str
    occurred_at: dt.datetime
    recorded_at: dt.datetime
    details: dict
    recorded_by_id: uuid.UUID | None
    recorder_agency_id: uuid.UUID | None


def sync_tasks(child_ids: Iterable, *, now: dt.datetime | None = None) -> tuple[int, int]:
    """Bring the children's Task rows in line with their events: create the tasks rules
    now require, close those whose satisfying (or cancelling) event is recorded, and move
    open tasks whose due date changed (a new CLOCK_FIGURES or closure day). Returns
    (created, closed). A fixed number of queries per call, however many children."""
    child_ids = set(child_ids)
    now = now or timezone.now()
    events: dict = {}
    rows = (
        ClockEvent.objects.filter(child_id__in=child_ids, occurred_at__lte=now)
        .order_by()
        .values_list(
            "id",
            "child_id",
            "kind",
            "occurred_at",
            "recorded_at",
            "details",
            "recorded_by_id",
            "recorded_by__agency_id",
        )
    )
    for row in rows:
        event = _Event._make(row)
        events.setdefault(event.child_id, []).append(event)
    existing = {
        key: (pk, status, due_at)
        for key, pk, status, due_at in Task.objects.filter(child_id__in=child_ids).values_list(
            "key", "id", "status", "due_at"
        )
    }
    owners = _owners(child_ids)
    new, changed = [], []
    for child_events in events.values():
        for state in task_states(child_events):
            closed_by_id = state.closed_by.pk if state.closed_by is not None else None
            closed_at = now if closed_by_id else None
            found = existing.get(state.key)
            if found is None:
                agency_id, owner_id = _owner(state, *owners)
                new.append(
                    Task(
                        key=state.key,
                        rule_id=state.rule.id,
                        title=state.rule.title,
                        child_id=state.trigger.child_id,
                        trigger_id=state.trigger.pk,
                        due_on=state.due_on,
                        due_at=state.due_at,
                        owner_agency_id=agency_id,
                        owner_id=owner_id,
                        status=state.status,
                        closed_by_id=closed_by_id,
                        closed_at=closed_at,
                    )
                )
            elif found[1] != state.status or (
                state.status == TaskStatus.OPEN and found[2] != state.due_at
            ):
                changed.append(
                    Task(
                        id=found[0],
                        status=state.status,
                        closed_by_id=closed_by_id,
                        closed_at=closed_at,
                        due_on=state.due_on,
                        due_at=state.due_at,
                    )
                )
    Task.objects.bulk_create(new, ignore_conflicts=True)
    Task.objects.bulk_update(changed, ["status", "closed_by", "closed_at", "due_on", "due_at"])
    return len(new), sum(1 for t in changed if t.status != TaskStatus.OPEN)


def open_case_children() -> Iterable:
    """The ids of every child with an open case, for a full re-evaluation."""
    return Case.objects.filter(closed_on__isnull=True).values_list("child_id", flat=True)


def sync_all(
    *, chunk: int = 500, now: dt.datetime | None = None, everyone: bool = False
) -> tuple[int, int]:
    """Re-evaluate every open case and anyone with an open task, `chunk` people at a
    time: the nightly run (events recorded since are evaluated as they are noted).
    `everyone` takes in every person with an event — adults' risk reviews included —
    for a first deployment, a restore or a new rule."""
    if everyone:
        ids = set(ClockEvent.objects.values_list("child_id", flat=True).distinct())
    else:
        ids = set(open_case_children()) | set(
            Task.objects.filter(status=TaskStatus.OPEN).values_list("child_id", flat=True)
        )
    ordered = sorted(ids, key=str)
    created = closed = 0
    for start in range(0, len(ordered), chunk):
        c, d = sync_tasks(ordered[start : start + chunk], now=now)
        created, closed = created + c, closed + d
    return created, closed


def open_tasks_for(child) -> list[Task]:
    """What is due next for a child: open tasks, soonest first."""
    return list(
        Task.objects.filter(child=child, status=TaskStatus.OPEN)
        .select_related("owner", "owner_agency")
        .order_by("due_at")
    )


def overdue(now: dt.datetime | None = None) -> Q:
    return Q(status=TaskStatus.OPEN, due_at__lt=now or timezone.now())
