"""The statutory clock's API: the rule catalogue, tasks and their filters, a past day
replayed (writing nothing), and meetings and assessments recorded by hand. The clock's
own arithmetic is tested in test_clock.py; these check what the API adds: who sees
what, statuses, codes, fields, and the audit rows."""

import datetime as dt

import pytest
from django.utils import timezone

from threadline.orders import services as orders
from threadline.timescales.meetings import record_meeting_or_assessment
from threadline.timescales.models import ClockEvent, Task, TaskStatus
from threadline.timescales.rules import RULES

from ..api.helpers import assert_error, audit_count

RULES_URL, TASKS, REPLAY, EVENTS = (
    "/api/v1/rules/",
    "/api/v1/tasks/",
    "/api/v1/clock/replay/",
    "/api/v1/clock-events/",
)
MADE = dt.date(2026, 3, 2)  # a Monday
TODAY = timezone.localdate()


@pytest.fixture
def supervision_order(world):
    """Three tasks for the allocated social worker: a conference (due 23 March 2026), a
    review (2 June 2026) and a meeting on extending it (2 February 2027)."""
    return orders.make_order(
        actor=world.social_worker,
        child=world.child,
        order_type="supervision_order",
        starts_on=MADE,
        court="Northmoor Family Court",
    )


def conference(world, on=dt.date(2026, 3, 20)):
    return record_meeting_or_assessment(
        actor=world.social_worker,
        child=world.child,
        kind="initial_conference",
        occurred_on=on,
        plan=True,
        category="neglect",
    )


def rule_ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [t["rule_id"] for t in response.json()["results"]]


# --- the rule catalogue ---------------------------------------------------------------


def test_the_catalogue_is_listed_for_anyone_in_order(world, api_client_for):
    response = api_client_for(world.administrator).get(RULES_URL, {"limit": 200})
    assert response.status_code == 200
    rules = response.json()["results"]
    assert [r["id"] for r in rules] == [r.id for r in RULES]
    assert set(rules[0]) == {
        "id",
        "title",
        "trigger",
        "applies",
        "due",
        "owner",
        "done_when",
        "not_needed_when",
        "setting",
        "source",
        "made_by",
    }


def test_one_rule_is_read_by_its_id(world, api_client_for):
    client = api_client_for(world.health_visitor)
    response = client.get(f"{RULES_URL}supervision-order-extension/")
    assert response.status_code == 200
    rule = response.json()
    assert rule["trigger"].startswith("Supervision order made")
    assert "schedule 3" in rule["source"]
    assert_error(client.get(f"{RULES_URL}no-such-rule/"), 404, "not_found")
    assert_error(client.post(RULES_URL, {}, format="json"), 405, "method_not_allowed")


# --- tasks ----------------------------------------------------------------------------


def test_tasks_come_soonest_first_with_their_rule_event_and_owner(
    world, api_client_for, supervision_order
):
    response = api_client_for(world.health_visitor).get(TASKS)
    assert rule_ids(response) == [
        "supervision-order-conference",
        "supervision-order-review",
        "supervision-order-extension",
    ]
    task = response.json()["results"][0]
    assert (task["due_on"], task["status"], task["closed_by"]) == ("2026-03-23", "open", None)
    assert task["title"] == "Hold a child-protection conference to decide whether a plan is needed"
    assert (task["trigger"]["kind"], task["trigger"]["occurred_on"]) == (
        "supervision_order_made",
        "2026-03-02",
    )
    assert task["child"]["id"] == str(world.child.pk)
    assert task["owner"]["id"] == str(world.social_worker.pk)
    assert task["owner_agency"]["code"] == "nm-csc"
    assert task["overdue"] is (dt.date(2026, 3, 23) < TODAY)
    assert audit_count(action="search", actor=world.health_visitor) == 1


def test_a_done_task_names_the_event_that_did_it(world, api_client_for, supervision_order):
    event = conference(world)
    response = api_client_for(world.social_worker).get(TASKS, {"status": "done"})
    assert rule_ids(response) == ["supervision-order-conference"]
    closed_by = response.json()["results"][0]["closed_by"]
    assert (closed_by["id"], closed_by["kind"]) == (str(event.pk), "initial_conference")
    assert response.json()["results"][0]["overdue"] is False


def expected(world, query: dict) -> list[str]:
    """The supervision order's tasks the query should find, by the rows themselves."""
    now, tasks = timezone.now(), list(Task.objects.order_by("due_at"))
    if query.get("owner") == "health_visitor":
        return []
    if "due_before" in query:
        tasks = [t for t in tasks if t.due_on < dt.date.fromisoformat(query["due_before"])]
    if query.get("overdue") == "true":
        tasks = [t for t in tasks if t.status == TaskStatus.OPEN and t.due_at < now]
    if query.get("overdue") == "false":
        tasks = [t for t in tasks if not (t.status == TaskStatus.OPEN and t.due_at < now)]
    return [t.rule_id for t in tasks]


@pytest.mark.parametrize(
    "query",
    [
        {"child": "child"},
        {"owner": "me"},
        {"owner": "social_worker"},
        {"owner": "health_visitor"},
        {"status": "open"},
        {"due_before": "2026-06-02"},
        {"due_before": "2026-06-03"},
        {"overdue": "true"},
        {"overdue": "false"},
    ],
)
def test_the_task_filters(world, api_client_for, supervision_order, query):
    ids = {name: getattr(world, name).pk for name in ("child", "social_worker", "health_visitor")}
    response = api_client_for(world.social_worker).get(
        TASKS, {k: ids.get(v, v) for k, v in query.items()}
    )
    assert rule_ids(response) == expected(world, query)


def test_my_tasks_are_only_mine(world, api_client_for, supervision_order):
    assert rule_ids(api_client_for(world.health_visitor).get(TASKS, {"owner": "me"})) == []


@pytest.mark.parametrize(
    ("query", "field", "code"),
    [
        ({"owner": "someone"}, "owner", "unknown_practitioner"),
        ({"owner": "7b1c7c0e-6f3a-4bde-9a55-0d6f7c1e2a10"}, "owner", "unknown_practitioner"),
        ({"status": "late"}, "status", "invalid_choice"),
        ({"due_before": "Friday"}, "due_before", "invalid"),
        ({"overdue": "very"}, "overdue", "invalid"),
        ({"child": "nobody"}, "child", "invalid"),
    ],
)
def test_a_bad_task_filter_is_a_400(world, api_client_for, query, field, code):
    assert_error(api_client_for(world.social_worker).get(TASKS, query), 400, code, field)


def test_one_task_is_read_and_the_view_audited(world, api_client_for, supervision_order):
    task = Task.objects.get(rule_id="supervision-order-review")
    response = api_client_for(world.health_visitor).get(f"{TASKS}{task.pk}/")
    assert response.status_code == 200, response.content
    assert (response.json()["rule_id"], response.json()["due_on"]) == (
        "supervision-order-review",
        "2026-06-02",
    )
    assert audit_count(action="view", object_id=str(task.pk), child_id=world.child.pk) == 1


def test_tasks_outside_reach_are_hidden_and_404(world, api_client_for, supervision_order):
    task = Task.objects.first()
    client = api_client_for(world.outsider)
    assert client.get(TASKS).json()["results"] == []
    assert_error(client.get(TASKS, {"child": world.child.pk}), 404, "not_found")
    assert_error(client.get(f"{TASKS}{task.pk}/"), 404, "not_found")
    assert audit_count(action="denied", actor=world.outsider) == 2


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_tasks_are_never_written_through_the_api(world, api_client_for, supervision_order, method):
    task = Task.objects.first()
    client = api_client_for(world.social_worker)
    path = TASKS if method == "post" else f"{TASKS}{task.pk}/"
    assert_error(getattr(client, method)(path, {}, format="json"), 405, "method_not_allowed")
    assert Task.objects.filter(status=TaskStatus.OPEN).count() == 3


# --- replay ---------------------------------------------------------------------------


def replay(client, world, as_of: str):
    return client.get(REPLAY, {"child": world.child.pk, "as_of": as_of})


def test_a_day_is_replayed_as_it_stood_and_nothing_is_written(
    world, api_client_for, supervision_order
):
    conference(world)
    client = api_client_for(world.health_visitor)
    before = (Task.objects.count(), ClockEvent.objects.count())

    on_the_10th = replay(client, world, "2026-03-10")
    assert on_the_10th.status_code == 200, on_the_10th.content
    data = on_the_10th.json()
    assert (data["child"], data["as_of"]) == (str(world.child.pk), "2026-03-10")
    states = {t["rule_id"]: t for t in data["tasks"]}
    assert set(states) == {
        "supervision-order-conference",
        "supervision-order-review",
        "supervision-order-extension",
    }
    assert (
        states["supervision-order-conference"]["status"],
        states["supervision-order-conference"]["overdue"],
    ) == ("open", False)

    # By the end of 20 March the conference was held, and it made a plan.
    on_the_24th = {t["rule_id"]: t for t in replay(client, world, "2026-03-24").json()["tasks"]}
    done = on_the_24th["supervision-order-conference"]
    assert (done["status"], done["overdue"], done["closed_by"]["kind"]) == (
        "done",
        False,
        "initial_conference",
    )
    assert "first-core-group" in on_the_24th

    assert (Task.objects.count(), ClockEvent.objects.count()) == before
    assert audit_count(action="view", actor=world.health_visitor, child_id=world.child.pk) == 2


def test_a_task_not_done_by_its_day_is_overdue_in_the_replay(
    world, api_client_for, supervision_order
):
    client = api_client_for(world.social_worker)
    states = {t["rule_id"]: t for t in replay(client, world, "2026-03-23").json()["tasks"]}
    assert states["supervision-order-conference"]["overdue"] is True  # due 17:00 that day
    states = {t["rule_id"]: t for t in replay(client, world, "2026-03-22").json()["tasks"]}
    assert states["supervision-order-conference"]["overdue"] is False
    assert replay(client, world, "2026-03-01").json()["tasks"] == []  # before the order


@pytest.mark.parametrize(
    ("query", "field", "code"),
    [
        ({"as_of": "2026-03-10"}, "child", "required"),
        ({"child": "child"}, "as_of", "required"),
        ({"child": "child", "as_of": "10 March"}, "as_of", "invalid"),
        ({"child": "child", "as_of": "2099-01-01"}, "as_of", "date_in_future"),
        ({"child": "mother", "as_of": "2026-03-10"}, "child", "not_a_child"),
    ],
)
def test_a_bad_replay_is_a_400(world, api_client_for, query, field, code):
    query = {k: getattr(world, v).pk if k == "child" else v for k, v in query.items()}
    assert_error(api_client_for(world.social_worker).get(REPLAY, query), 400, code, field)


def test_a_replay_outside_reach_is_a_404(world, api_client_for, supervision_order):
    response = replay(api_client_for(world.outsider), world, "2026-03-10")
    assert_error(response, 404, "not_found")
    assert_error(
        api_client_for(world.social_worker).post(REPLAY, {}, format="json"),
        405,
        "method_not_allowed",
    )


# --- events recorded by hand ----------------------------------------------------------


def meeting(world, **overrides) -> dict:
    return {
        "child": str(world.child.pk),
        "kind": "strategy_discussion",
        "occurred_on": "2026-11-02",
    } | overrides


def test_a_meeting_is_recorded_and_starts_its_task(world, api_client_for):
    response = api_client_for(world.social_worker).post(EVENTS, meeting(world), format="json")
    assert response.status_code == 201, response.content
    event = response.json()
    assert (event["kind"], event["occurred_on"], event["plan"]) == (
        "strategy_discussion",
        "2026-11-02",
        None,
    )
    assert event["recorded_by"]["id"] == str(world.social_worker.pk)
    assert Task.objects.get().rule_id == "initial-conference"
    assert audit_count(action="create", object_id=event["id"]) == 1


def test_a_conference_says_whether_it_made_a_plan(world, api_client_for, supervision_order):
    response = api_client_for(world.social_worker).post(
        EVENTS,
        meeting(
            world,
            kind="initial_conference",
            occurred_on="2026-03-20",
            plan=True,
            category="neglect",
        ),
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["plan"] is True
    assert Task.objects.get(rule_id="supervision-order-conference").status == TaskStatus.DONE


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"kind": "supervision_order_made"}, "kind", "invalid_choice"),
        ({"occurred_on": None}, "occurred_on", "date_required"),
        ({"occurred_on": "2099-01-01"}, "occurred_on", "date_in_future"),
        ({"kind": "review_conference"}, "plan", "plan_required"),
        ({"child": "7b1c7c0e-6f3a-4bde-9a55-0d6f7c1e2a10"}, "child", "unknown_person"),
    ],
)
def test_a_bad_meeting_is_a_400_and_nothing_is_saved(world, api_client_for, overrides, field, code):
    response = api_client_for(world.social_worker).post(
        EVENTS, meeting(world, **overrides), format="json"
    )
    assert_error(response, 400, code, field)
    assert not ClockEvent.objects.exists()


def test_only_social_care_and_legal_services_record_meetings(world, api_client_for):
    for someone in (world.health_visitor, world.outsider, world.administrator):
        response = api_client_for(someone).post(EVENTS, meeting(world), format="json")
        assert_error(response, 403, "not_allowed")
    assert not ClockEvent.objects.exists()


def test_a_childs_events_are_listed_newest_first(world, api_client_for, supervision_order):
    conference(world)
    client = api_client_for(world.health_visitor)
    response = client.get(EVENTS, {"child": world.child.pk})
    assert response.status_code == 200, response.content
    kinds = [e["kind"] for e in response.json()["results"]]
    # The conference made a plan: the plan started at the same moment, recorded after it.
    assert kinds == ["plan_started", "initial_conference", "supervision_order_made"]
    assert audit_count(action="search", actor=world.health_visitor, child_id=world.child.pk) == 1
    assert_error(client.get(EVENTS), 400, "required", "child")
    outsider = api_client_for(world.outsider).get(EVENTS, {"child": world.child.pk})
    assert_error(outsider, 404, "not_found")
