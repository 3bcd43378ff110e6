"""Arranging a meeting, the agencies' reports, and the outcome: decisions, actions that
become tasks, minutes to everyone invited, and the clock's task done."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from threadline.chronology.models import ChronologyEntry
from threadline.meetings import services
from threadline.meetings.models import Meeting
from threadline.meetings.selectors import get_meeting_for
from threadline.notices.models import NoticeRecipient
from threadline.orders.models import LegalOrder
from threadline.sharing.policy import can_read_meeting_reports
from threadline.timescales.meetings import record_meeting_or_assessment
from threadline.timescales.models import Task

from .. import factories as f
from ..errors import codes

TODAY = timezone.localdate()


def held(world, meeting, **overrides):
    fields = {
        "actor": world.social_worker,
        "meeting": meeting,
        "held_on": TODAY,
        "chair": world.team_manager,
        "decisions": [
            {
                "decision_type": "plan_made",
                "category": "neglect",
                "agreed_by": "Social care, health visiting, police",
                "dissent": "",
            }
        ],
        "actions": [
            {
                "description": "Weekly home visits, seeing Riley's room",
                "owner": world.health_visitor,
                "due_on": TODAY + dt.timedelta(days=14),
            }
        ],
        "minutes": "Concerns about neglect agreed by all agencies.",
    } | overrides
    return services.record_outcome(**fields)


def test_arranging_invites_the_agencies_with_reports_due_three_working_days_before(
    world, police, arrange
):
    meeting = arrange(starts_at=timezone.make_aware(dt.datetime(2026, 12, 7, 10, 0)))
    assert meeting.reports_due_on == dt.date(2026, 12, 2)  # Monday 7th: the Wednesday before
    invited = {i.agency: i.report_required for i in meeting.invitations.all()}
    assert invited == {world.social_care: False, world.health: True, police.agency: True}
    told = NoticeRecipient.objects.filter(notice__notice_type="invitation")
    assert {r.agency for r in told} == {world.health, police.agency}


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"starts_at": timezone.now() - dt.timedelta(hours=1)}, "starts_at", "arranged_in_past"),
        ({"place": ""}, "place", "place_required"),
        ({"children": []}, "children", "children_required"),
    ],
)
def test_bad_arrangements_are_refused_and_nothing_is_saved(arrange, overrides, field, code):
    with pytest.raises(ValidationError) as raised:
        arrange(**overrides)
    assert field in raised.value.error_dict
    assert code in codes(raised.value)
    assert not Meeting.objects.exists()


def test_only_social_care_and_legal_services_arrange(world, arrange):
    with pytest.raises(ValidationError) as raised:
        arrange(actor=world.health_visitor)
    assert codes(raised.value) == {"not_allowed"}


def test_an_invited_agency_submits_its_report_and_the_missing_one_is_flagged(
    world, police, arrange
):
    meeting = arrange(starts_at=timezone.now() + dt.timedelta(days=2))
    services.submit_report(actor=world.health_visitor, meeting=meeting, content="Weight falling.")
    assert [r.agency for r in meeting.reports.all()] == [world.health]
    later = meeting.reports_due_on + dt.timedelta(days=1)
    assert services.flag_missing_reports(today=later) == 1
    flagged = NoticeRecipient.objects.filter(notice__title__startswith="Report missing")
    assert {r.agency or r.practitioner for r in flagged} == {police.agency, world.team_manager}
    assert services.flag_missing_reports(today=later) == 0  # once


def test_an_agency_not_invited_cannot_report(world, arrange):
    meeting = arrange(agencies=[], reports_from=[])
    with pytest.raises(ValidationError) as raised:
        services.submit_report(actor=world.health_visitor, meeting=meeting, content="x")
    assert codes(raised.value) == {"not_invited"}


def test_the_conference_makes_a_plan_with_actions_that_become_tasks(world, police, arrange):
    record_meeting_or_assessment(
        actor=world.social_worker,
        child=world.child,
        kind="strategy_discussion",
        occurred_on=TODAY - dt.timedelta(days=10),
    )
    meeting = held(world, arrange())
    assert meeting.status == "held"
    # The clock: the conference task done; the plan started in the legal status.
    assert Task.objects.get(rule_id="initial-conference").status == "done"
    plan = LegalOrder.objects.get(child=world.child, order_type="cp_plan")
    assert (plan.category, plan.starts_on) == ("neglect", TODAY)
    # The action is the health visitor's task.
    task = Task.objects.get(rule_id="meeting-action")
    assert (task.owner, task.owner_agency, task.due_on) == (
        world.health_visitor,
        world.health,
        TODAY + dt.timedelta(days=14),
    )
    # Minutes to every invited agency; the meeting in Riley's chronology.
    minutes = NoticeRecipient.objects.filter(notice__notice_type="meeting_outcome")
    assert {r.agency for r in minutes} == {world.social_care, world.health, police.agency}
    entry = ChronologyEntry.objects.get(entry_type="meeting")
    assert entry.summary == (
        "Initial child-protection conference held: Child-protection plan made (neglect)"
    )


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"chair": None}, "chair_required"),
        ({"decisions": []}, "plan_decision_required"),
        (
            {"decisions": [{"decision_type": "plan_made", "agreed_by": "All"}]},
            "category_required",
        ),
        ({"decisions": [{"decision_type": "no_plan", "agreed_by": ""}]}, "agreed_by_required"),
        (
            {"actions": [{"description": "Visit", "owner": None, "due_on": TODAY}]},
            "action_needs_owner",
        ),
        (
            {"actions": [{"description": "Visit", "owner": "hv", "due_on": None}]},
            "action_needs_due_date",
        ),
    ],
)
def test_a_bad_outcome_is_refused_and_nothing_is_saved(world, arrange, overrides, code):
    meeting = arrange()
    for action in overrides.get("actions", []):
        if action.get("owner") == "hv":
            action["owner"] = world.health_visitor
    with pytest.raises(ValidationError) as raised:
        held(world, meeting, **overrides)
    assert code in codes(raised.value)
    meeting.refresh_from_db()
    assert meeting.status == "arranged"
    assert not meeting.decisions.exists()
    assert not Task.objects.filter(rule_id="meeting-action").exists()


def test_a_meeting_is_held_once(world, arrange):
    meeting = held(world, arrange())
    with pytest.raises(ValidationError) as raised:
        held(world, meeting)
    assert codes(raised.value) == {"invalid_transition"}


def test_a_professionals_meeting_is_in_the_chronology_but_starts_no_rule(world, arrange):
    meeting = held(world, arrange(meeting_type="professionals_meeting"), decisions=[])
    assert meeting.status == "held"
    assert set(Task.objects.values_list("rule_id", flat=True)) == {"meeting-action"}
    assert ChronologyEntry.objects.get(entry_type="meeting").significance == "routine"


def test_only_the_arranging_authority_records_what_happened(world, arrange):
    meeting = arrange()
    other = f.AgencyFactory(code="far-csc", agency_type="childrens_social_care", area="Farshire")
    stranger = f.SocialWorkerFactory(username="far-sw", agency=other)
    with pytest.raises(ValidationError) as raised:
        held(world, meeting, actor=stranger)
    assert codes(raised.value) == {"not_allowed"}


def test_reports_are_shared_with_the_agencies_invited(world, police, arrange):
    meeting = arrange(agencies=[police.agency], reports_from=[police.agency])
    services.submit_report(actor=police, meeting=meeting, content="Two call-outs in May.")
    assert can_read_meeting_reports(world.social_worker, meeting)
    # Health visiting sees Riley, and so the meeting, but was not invited.
    assert get_meeting_for(world.health_visitor, meeting.pk) == meeting
    assert not can_read_meeting_reports(world.health_visitor, meeting)


def test_more_agencies_are_invited_and_asked_for_reports(world, police, arrange):
    meeting = arrange(agencies=[world.health], reports_from=[])
    new = services.invite_agencies(
        actor=world.social_worker,
        meeting=meeting,
        agencies=[police.agency],
        reports_from=[world.health],
    )
    assert [i.agency for i in new] == [police.agency]
    asked = {i.agency: i.report_required for i in meeting.invitations.all()}
    assert asked == {world.social_care: False, world.health: True, police.agency: False}
    invitations = NoticeRecipient.objects.filter(notice__notice_type="invitation")
    assert sorted(r.agency.code for r in invitations) == ["nm-hv", "nm-police"]
