"""The statutory clock's pages: recording a meeting or an assessment (with the GOV.UK
error summary), what is due next on the child page, the tasks on the dashboard, and the
rule catalogue."""

import datetime as dt
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from threadline.audit.models import AuditEvent
from threadline.timescales.forms import KIND_LABELS
from threadline.timescales.meetings import record_meeting_or_assessment
from threadline.timescales.models import RECORDED_BY_HAND, ClockEvent, Task, TaskStatus
from threadline.timescales.rules import RULES, describe_rule

from ..web.test_pages import date_fields, error_summary, text

TODAY = timezone.localdate()
CONFERENCE_TASK = "Hold the initial child-protection conference"


def page(response) -> str:
    return unescape(text(response))


def event_url(person) -> str:
    return reverse("clock-event-create", args=[person.pk])


def due_next(client, world) -> str:
    shown = page(client.get(reverse("person-detail", args=[world.child.pk])))
    return shown.split("What is due next", 1)[1].split("Active risks")[0]


def strategy_discussion(world, on: dt.date):
    return record_meeting_or_assessment(
        actor=world.social_worker, child=world.child, kind="strategy_discussion", occurred_on=on
    )


@pytest.fixture
def signed_in(client, world):
    client.force_login(world.social_worker)
    return client


# --- recording what happened ------------------------------------------------------------


def test_a_strategy_discussion_puts_the_conference_under_what_is_due_next(signed_in, world):
    assert "Nothing is due" in due_next(signed_in, world)
    form = page(signed_in.get(event_url(world.child)))
    assert "Record a meeting or assessment" in form
    assert "Strategy discussion that started section 47 enquiries" in form
    response = signed_in.post(
        event_url(world.child),
        {"kind": "strategy_discussion"} | date_fields("occurred_on", TODAY),
    )
    assert response["Location"] == reverse("person-detail", args=[world.child.pk])
    event = ClockEvent.objects.get(kind="strategy_discussion")
    assert AuditEvent.objects.filter(action="create", object_id=str(event.pk)).exists()
    shown = due_next(signed_in, world)
    assert CONFERENCE_TASK in shown and "Amira Okafor" in shown and "Overdue" not in shown
    assert "Record that it happened" in shown


def test_the_conference_does_the_task_and_a_plan_sets_the_next_ones(signed_in, world):
    strategy_discussion(world, TODAY - dt.timedelta(days=7))
    link = signed_in.get(event_url(world.child), {"kind": "initial_conference"})
    assert 'value="initial_conference" id="id_kind_1" checked' in link.content.decode()
    signed_in.post(
        event_url(world.child),
        {"kind": "initial_conference", "plan": "yes", "category": "neglect"}
        | date_fields("occurred_on", TODAY),
    )
    assert Task.objects.get(rule_id="initial-conference").status == TaskStatus.DONE
    shown = due_next(signed_in, world)
    assert CONFERENCE_TASK not in shown
    assert "Hold the first core group meeting" in shown
    assert "Hold the first review child-protection conference" in shown
    assert ClockEvent.objects.get(kind="initial_conference").details == {"plan": True}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"kind": "review_conference"} | date_fields("occurred_on", TODAY),
            "Say whether the conference made or kept a plan",
        ),
        (
            {"kind": "core_group"} | date_fields("occurred_on", TODAY + dt.timedelta(days=1)),
            "The date must be today or in the past",
        ),
        ({"kind": "core_group"}, "Enter the date it happened"),
        (
            {"kind": "supervision_order_made"} | date_fields("occurred_on", TODAY),
            "Select what happened: orders and referrals are recorded on their own pages",
        ),
        (date_fields("occurred_on", TODAY), "Select what happened"),
    ],
)
def test_bad_input_shows_the_error_summary_and_saves_nothing(signed_in, world, fields, message):
    response = signed_in.post(event_url(world.child), fields)
    assert response.status_code == 200
    assert message in error_summary(response)
    assert "Error: Record a meeting or assessment" in response.content.decode()
    assert not ClockEvent.objects.exists()


def test_every_kind_recorded_by_hand_has_words_a_practitioner_uses():
    assert set(KIND_LABELS) == set(RECORDED_BY_HAND)


def test_an_outsider_may_not_record_for_the_child(client, world):
    client.force_login(world.outsider)
    fields = {"kind": "core_group"} | date_fields("occurred_on", TODAY)
    assert client.post(event_url(world.child), fields).status_code == 404
    assert not ClockEvent.objects.exists()
    assert AuditEvent.objects.filter(action="denied", actor=world.outsider).exists()


def test_meetings_are_recorded_for_children_only(signed_in, world):
    assert signed_in.get(event_url(world.mother)).status_code == 404
    assert AuditEvent.objects.filter(action="denied", actor=world.social_worker).exists()


# --- overdue ----------------------------------------------------------------------------


def test_an_overdue_task_is_tagged_on_the_child_page_and_the_teams_dashboard(
    client, signed_in, world
):
    strategy_discussion(world, TODAY - dt.timedelta(days=60))
    shown = due_next(signed_in, world)
    assert CONFERENCE_TASK in shown and "Overdue" in shown

    mine = page(signed_in.get(reverse("dashboard"))).split("My tasks", 1)[1]
    assert CONFERENCE_TASK in mine and "Riley Marsh" in mine and "Overdue" in mine
    assert "My team's overdue tasks" not in mine  # a practitioner sees their own

    client.force_login(world.team_manager)
    dashboard = page(client.get(reverse("dashboard")))
    assert "You have no open tasks" in dashboard
    team = dashboard.split("My team's overdue tasks", 1)[1]
    assert CONFERENCE_TASK in team and "Amira Okafor" in team
    assert AuditEvent.objects.filter(
        action="search", actor=world.team_manager, summary__contains="overdue tasks (1)"
    ).exists()


def test_a_task_not_yet_due_is_not_on_the_teams_overdue_list(client, world):
    strategy_discussion(world, TODAY)
    client.force_login(world.safeguarding_lead)
    team = page(client.get(reverse("dashboard"))).split("My team's overdue tasks", 1)[1]
    assert "None of Northmoor Children's Social Care's tasks is overdue" in team


def test_another_agency_sees_neither_the_tasks_nor_the_team_list(client, world):
    strategy_discussion(world, TODAY - dt.timedelta(days=60))
    client.force_login(world.health_visitor)
    dashboard = page(client.get(reverse("dashboard")))
    assert CONFERENCE_TASK not in dashboard and "My team's overdue tasks" not in dashboard


# --- the rule catalogue -----------------------------------------------------------------


def test_the_catalogue_lists_every_rule_for_any_practitioner(client, world):
    client.force_login(world.health_visitor)
    shown = page(client.get(reverse("rule-catalogue")))
    for rule in RULES:
        described = describe_rule(rule)
        for key in ("title", "trigger", "due", "owner", "done_when", "source"):
            assert unescape(described[key]) in shown, (rule.id, key)
    assert shown.count("Whose task") == len(RULES)
    assert "Why it matters Without it, nobody decides who watches over the child" in shown


def test_the_catalogue_is_linked_from_the_dashboard_and_the_footer(signed_in):
    html = signed_in.get(reverse("dashboard")).content.decode()
    assert html.count(f'href="{reverse("rule-catalogue")}"') == 2
