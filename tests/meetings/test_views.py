"""The meeting pages: arranging a meeting from the child page, the agencies' reports,
the outcome (decisions, actions as tasks, minutes), cancelling; the GOV.UK error summary
when the service refuses; who may do what; the Meetings section of the child page."""

import datetime as dt
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from threadline.audit.models import AuditEvent
from threadline.meetings.models import Action, AgencyReport, Meeting
from threadline.timescales.models import Task

from ..web.test_pages import date_fields, error_summary, text

TODAY = timezone.localdate()
NEXT_WEEK = TODAY + dt.timedelta(days=7)


def page(response) -> str:
    return unescape(text(response))


def url(name: str, meeting) -> str:
    return reverse(name, kwargs={"meeting_id": meeting.pk})


def problems(response) -> list[str]:
    return [unescape(message) for message in error_summary(response)]


def create_url(world) -> str:
    return reverse("meeting-create", args=[world.child.pk])


def new_meeting(world, police, **fields) -> dict:
    return {
        "meeting_type": "initial_conference",
        **date_fields("starts_on", NEXT_WEEK),
        "starts_time": "10:00",
        "place": "Northmoor Civic Centre, room 4",
        "chair": str(world.team_manager.pk),
        # The police's involvement is not shared with social care here: chosen from the list.
        "agencies": [str(world.health.pk)],
        "other_agency": str(police.agency.pk),
        "reports_from": [str(world.health.pk), "other"],
        **fields,
    }


def outcome(world, **fields) -> dict:
    return {
        **date_fields("held_on", TODAY),
        "chair": str(world.team_manager.pk),
        "decision_1_decision_type": "plan_made",
        "decision_1_category": "neglect",
        "decision_1_agreed_by": "Social care, health visiting, police",
        "action_1_description": "Weekly home visits",
        "action_1_owner": str(world.health_visitor.pk),
        **date_fields("action_1_due_on", TODAY + dt.timedelta(days=14)),
        "minutes": "Concerns about neglect agreed by all agencies.",
        **fields,
    }


@pytest.fixture
def signed_in(client, world):
    client.force_login(world.social_worker)
    return client


# --- arranging ------------------------------------------------------------------------


def test_arrange_a_conference_from_the_child_page(signed_in, world, police):
    child = page(signed_in.get(reverse("person-detail", args=[world.child.pk])))
    assert "Meetings" in child and "Arrange a meeting" in child
    form = page(signed_in.get(create_url(world)))
    assert "Northmoor Police" in form and "Northmoor Health Visiting" in form
    response = signed_in.post(create_url(world), new_meeting(world, police))
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == url("meeting-detail", meeting)
    assert meeting.chair == world.team_manager
    assert timezone.localtime(meeting.starts_at).hour == 10
    invited = {i.agency: i.report_required for i in meeting.invitations.all()}
    assert invited == {world.social_care: False, world.health: True, police.agency: True}
    assert AuditEvent.objects.filter(action="create", object_id=str(meeting.pk)).exists()

    shown = page(signed_in.get(response["Location"]))
    assert "Initial child-protection conference arranged" in shown
    assert shown.count("Report awaited") == 2 and "The meeting pack" in shown
    child = page(signed_in.get(reverse("person-detail", args=[world.child.pk])))
    assert "Initial child-protection conference" in child.split("Meetings", 1)[1]


def test_another_agency_is_invited_from_the_list(signed_in, world, police):
    response = signed_in.post(
        create_url(world),
        new_meeting(
            world,
            police,
            agencies=[],
            reports_from=["other"],
            other_agency=str(world.outsider_agency.pk),
        ),
    )
    assert response.status_code == 302
    invited = {i.agency: i.report_required for i in Meeting.objects.get().invitations.all()}
    assert invited == {world.social_care: False, world.outsider_agency: True}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            date_fields("starts_on", TODAY - dt.timedelta(days=1)),
            "A meeting being arranged must be in the future: record a past meeting's outcome",
        ),
        ({"starts_time": ""}, "Enter the date and time of the meeting"),
        ({"place": ""}, "Enter where the meeting is, or how to join the call"),
        ({"meeting_type": ""}, "Select the kind of meeting"),
    ],
)
def test_bad_arrangements_show_the_error_summary_and_save_nothing(
    signed_in, world, police, fields, message
):
    response = signed_in.post(create_url(world), new_meeting(world, police, **fields))
    assert response.status_code == 200
    assert message in problems(response)
    assert "Error: Arrange a meeting" in response.content.decode()
    assert not Meeting.objects.exists()


# --- reports --------------------------------------------------------------------------


def test_an_invited_agency_sends_its_report(client, world, arrange):
    meeting = arrange()
    client.force_login(world.health_visitor)
    assert "Send your agency's report" in page(client.get(url("meeting-detail", meeting)))
    refused = client.post(url("meeting-report", meeting), {"content": " "})
    assert problems(refused) == ["Enter your agency's report"]
    assert not AgencyReport.objects.exists()
    response = client.post(url("meeting-report", meeting), {"content": "Riley weighed weekly."})
    assert response["Location"] == url("meeting-detail", meeting)
    report = AgencyReport.objects.get()
    assert (report.agency, report.author) == (world.health, world.health_visitor)
    assert AuditEvent.objects.filter(action="create", object_id=str(report.pk)).exists()
    shown = page(client.get(response["Location"]))
    assert "Riley weighed weekly." in shown and "Received" in shown


def test_an_agency_not_invited_may_not_report(client, world, arrange):
    meeting = arrange(agencies=[], reports_from=[])
    client.force_login(world.health_visitor)
    assert client.get(url("meeting-detail", meeting)).status_code == 200
    assert client.get(url("meeting-report", meeting)).status_code == 403
    assert client.post(url("meeting-report", meeting), {"content": "x"}).status_code == 403
    assert not AgencyReport.objects.exists()
    assert AuditEvent.objects.filter(action="denied", actor=world.health_visitor).count() == 2


# --- the outcome ----------------------------------------------------------------------


def test_record_the_outcome_with_decisions_and_actions(signed_in, world, police, arrange):
    meeting = arrange()
    form = page(signed_in.get(url("meeting-outcome", meeting)))
    assert "Decision 3" in form and "Action 5" in form
    response = signed_in.post(
        url("meeting-outcome", meeting),
        outcome(
            world,
            action_2_description="Share the domestic abuse log",
            action_2_owner=str(police.pk),
            **date_fields("action_2_due_on", TODAY + dt.timedelta(days=7)),
        ),
    )
    assert response["Location"] == url("meeting-detail", meeting)
    meeting.refresh_from_db()
    assert (meeting.status, meeting.held_on, meeting.chair) == ("held", TODAY, world.team_manager)
    assert [d.category for d in meeting.decisions.all()] == ["neglect"]
    assert {a.owner for a in Action.objects.all()} == {world.health_visitor, police}
    assert Task.objects.filter(owner=world.health_visitor, title="Weekly home visits").exists()
    assert AuditEvent.objects.filter(action="update", object_id=str(meeting.pk)).exists()
    shown = page(signed_in.get(response["Location"]))
    assert "Child-protection plan made" in shown and "Share the domestic abuse log" in shown
    assert "Concerns about neglect agreed by all agencies." in shown
    assert "Record the outcome" not in shown


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"chair": ""}, "Say who chaired the meeting"),
        ({"action_1_owner": ""}, "Action 1: choose who will do it"),
        (
            {"action_1_due_on_day": "", "action_1_due_on_month": "", "action_1_due_on_year": ""},
            "Action 1: enter when it is due",
        ),
        ({"decision_1_category": ""}, "Decision 1: choose the plan's category of abuse or neglect"),
    ],
)
def test_a_bad_outcome_shows_the_error_summary_and_saves_nothing(
    signed_in, world, arrange, fields, message
):
    meeting = arrange()
    response = signed_in.post(url("meeting-outcome", meeting), outcome(world, **fields))
    assert response.status_code == 200
    assert message in problems(response)
    assert "Error: Record the outcome" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == "arranged"
    assert not Action.objects.exists() and not meeting.decisions.exists()


def test_attendance_and_cancelling(signed_in, world, arrange):
    meeting = arrange()
    response = signed_in.post(
        url("meeting-attendance", meeting),
        {"agency": str(world.health.pk), "attendance": "apologies"},
    )
    assert response["Location"] == url("meeting-detail", meeting)
    assert meeting.invitations.get(agency=world.health).attendance == "apologies"
    refused = signed_in.post(url("meeting-cancel", meeting), {"reason": ""})
    assert error_summary(refused) == ["Say why the meeting is cancelled"]
    signed_in.post(url("meeting-cancel", meeting), {"reason": "The family moved away"})
    meeting.refresh_from_db()
    assert (meeting.status, meeting.cancelled_reason) == ("cancelled", "The family moved away")
    again = signed_in.get(url("meeting-outcome", meeting), follow=True)
    assert "This meeting has been held or cancelled" in page(again)


# --- who may do what ------------------------------------------------------------------


def test_a_health_visitor_reads_but_may_not_arrange_or_change(client, world, police, arrange):
    meeting = arrange()
    client.force_login(world.health_visitor)
    assert "Arrange a meeting" not in page(
        client.get(reverse("person-detail", args=[world.child.pk]))
    )
    assert client.post(create_url(world), new_meeting(world, police)).status_code == 403
    assert client.post(url("meeting-outcome", meeting), outcome(world)).status_code == 403
    assert client.post(url("meeting-cancel", meeting), {"reason": "x"}).status_code == 403
    meeting.refresh_from_db()
    assert meeting.status == "arranged" and Meeting.objects.count() == 1


def test_an_outsider_finds_no_meeting(client, world, arrange):
    meeting = arrange()
    client.force_login(world.outsider)
    for name in ("meeting-detail", "meeting-report", "meeting-outcome", "meeting-cancel"):
        assert client.get(url(name, meeting)).status_code == 404
    assert AuditEvent.objects.filter(action="denied", actor=world.outsider).count() == 4


def test_opening_a_meeting_is_audited_against_the_child(client, world, arrange):
    meeting = arrange()
    client.force_login(world.health_visitor)
    client.get(url("meeting-detail", meeting))
    event = AuditEvent.objects.get(action="view", object_id=str(meeting.pk))
    assert event.child_id == world.child.pk and "Riley Marsh" in event.summary


def test_changes_are_post_or_get_only(signed_in, world, arrange):
    meeting = arrange()
    assert signed_in.put(url("meeting-cancel", meeting)).status_code == 405
    assert signed_in.post(url("meeting-detail", meeting)).status_code == 405
