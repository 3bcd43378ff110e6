import datetime as dt

import pytest
from django.utils import timezone

from threadline.audit.models import AuditEvent
from threadline.audit.services import record_event

from ..factories import PersonFactory
from .helpers import assert_error

EVENTS = "/api/v1/audit-events/"


@pytest.fixture
def trail(world, api_client_for):
    """The health visitor opens Riley's record; the outsider opens a child of their own
    agency that Northmoor has nothing to do with."""
    far_child = PersonFactory(
        given_names="Casey", family_name="Shaw", recorded_by_agency=world.outsider_agency
    )
    assert (
        api_client_for(world.health_visitor).get(f"/api/v1/people/{world.child.pk}/").status_code
        == 200
    )
    assert api_client_for(world.outsider).get(f"/api/v1/people/{far_child.pk}/").status_code == 200
    return far_child


def seen(client, **query) -> list[dict]:
    response = client.get(EVENTS, query)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_an_auditor_sees_the_whole_trail_newest_first(world, api_client_for, trail):
    events = seen(api_client_for(world.auditor), limit=200)
    seqs = [e["seq"] for e in events]
    assert seqs == sorted(seqs, reverse=True)
    views = [e for e in events if e["action"] == "view"]
    assert {(e["actor"], e["child"]) for e in views} >= {
        ("hv", str(world.child.pk)),
        ("outsider", str(trail.pk)),
    }
    viewed = next(e for e in views if e["actor"] == "hv")
    assert viewed["agency"] == {
        "id": str(world.health.pk),
        "code": "nm-hv",
        "name": "Northmoor Health Visiting",
    }
    assert viewed["object_type"] == "people.person"
    assert viewed["object_id"] == str(world.child.pk)
    assert viewed["summary"] == "Viewed Riley Marsh"
    assert viewed["ip_address"] == "127.0.0.1"
    assert set(viewed) == {
        "seq",
        "at",
        "actor",
        "agency",
        "action",
        "object_type",
        "object_id",
        "child",
        "summary",
        "purpose",
        "ip_address",
    }


def test_reading_the_trail_is_itself_on_the_trail(world, api_client_for):
    api_client_for(world.auditor).get(EVENTS, {"actor": "hv", "action": "view"})
    event = AuditEvent.objects.filter(actor=world.auditor, action="search").get()
    assert event.summary == "Searched the audit trail: user=hv, action=view"


def test_a_safeguarding_lead_sees_their_children_and_their_agencys_staff(
    world, api_client_for, trail
):
    events = seen(api_client_for(world.safeguarding_lead), limit=200)
    assert str(trail.pk) not in {e["child"] for e in events}
    assert "outsider" not in {e["actor"] for e in events}
    assert ("hv", str(world.child.pk)) in {(e["actor"], e["child"]) for e in events}


def test_a_team_manager_may_search_too(world, api_client_for, trail):
    assert seen(api_client_for(world.team_manager), child=str(world.child.pk))


@pytest.mark.parametrize(
    "persona", ["social_worker", "health_visitor", "outsider", "administrator"]
)
def test_everyone_else_is_refused(world, api_client_for, persona):
    response = api_client_for(getattr(world, persona)).get(EVENTS)
    assert_error(response, 403, "forbidden")


def test_filters(world, api_client_for, trail):
    client = api_client_for(world.auditor)
    about_riley = seen(client, child=str(world.child.pk))
    assert about_riley and {e["child"] for e in about_riley} == {str(world.child.pk)}
    assert {e["actor"] for e in seen(client, actor="HV")} == {"hv"}
    assert {e["action"] for e in seen(client, action="view")} == {"view"}
    today = timezone.localdate()
    assert seen(client, since=today.isoformat(), until=today.isoformat())
    assert seen(client, until=(today - dt.timedelta(days=1)).isoformat()) == []


def test_break_glass_stands_out(world, api_client_for):
    record_event(
        actor=world.outsider,
        action="break_glass",
        child=world.child,
        summary="Break-glass access to Riley Marsh for 60 minutes",
        purpose="Child at A&E",
    )
    [event] = seen(api_client_for(world.safeguarding_lead), action="break_glass")
    assert (event["actor"], event["purpose"]) == ("outsider", "Child at A&E")
    assert event["agency"]["code"] == "far-police"


@pytest.mark.parametrize(
    ("query", "code", "field"),
    [
        ({"child": "riley"}, "invalid", "child"),
        ({"action": "peek"}, "invalid_choice", "action"),
        ({"since": "yesterday"}, "invalid", "since"),
        ({"since": "2025-06-02", "until": "2025-06-01"}, "until_before_since", "until"),
        ({"limit": "ten"}, "invalid", "limit"),
    ],
)
def test_bad_filters_are_refused(world, api_client_for, query, code, field):
    assert_error(api_client_for(world.auditor).get(EVENTS, query), 400, code, field)
