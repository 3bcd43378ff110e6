"""The review queue pages: the list, the two records side by side with each field's part
in the match weight, the decision, a record's links and undoing one."""

import pytest
from django.urls import reverse

from threadline.audit.models import AuditEvent
from threadline.linkage import services
from threadline.linkage.models import MatchStatus

pytestmark = pytest.mark.django_db


def test_the_queue_lists_the_pair(client, world, csc_twin_pair):
    client.force_login(world.safeguarding_lead)
    response = client.get(reverse("identity-queue"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Identity review queue" in page
    assert "Rosie Marsh" in page and "Riley Marsh" in page
    assert reverse("identity-match", args=[csc_twin_pair.pk]) in page
    decided = client.get(reverse("identity-queue"), {"status": "same"}).content.decode()
    assert "No pairs to show" in decided


def test_the_pair_side_by_side(client, world, csc_twin_pair):
    client.force_login(world.safeguarding_lead)
    response = client.get(reverse("identity-match", args=[csc_twin_pair.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Are these the same person?" in page
    assert "Rosie" in page and "Riley" in page
    rows = {row.label: (row.this, row.other) for row in response.context["rows"]}
    assert rows["First name"] == ("Rosie", "Riley")
    assert rows["Date of birth"] == ("1 February 2025", "1 February 2025")
    assert {r.field for r in response.context["reasons"]} >= {"First name", "Date of birth"}
    assert "Why: each field" in page and 'name="decision"' in page
    event = AuditEvent.objects.filter(actor=world.safeguarding_lead).last()
    assert (event.action, event.object_id) == ("view", str(csc_twin_pair.pk))


def test_deciding_not_the_same_gives_a_new_person(client, world, csc_twin_pair, riley_known):
    client.force_login(world.safeguarding_lead)
    url = reverse("identity-decide", args=[csc_twin_pair.pk])
    response = client.post(url, {"decision": "not_same"})
    assert response.status_code == 302 and response.url == reverse("identity-queue")
    csc_twin_pair.refresh_from_db()
    assert csc_twin_pair.status == MatchStatus.NOT_SAME
    record = csc_twin_pair.record
    record.refresh_from_db()
    assert record.person.given_names == "Rosie"
    banner = client.get(response.url).content.decode()
    assert "It matched no one else, so a new person was recorded for it" in banner


def test_a_declined_record_matched_to_someone_recorded_since_says_so(
    client, world, twin_pair, csc_twin_pair, front_door
):
    # Two agencies' records of Rosie wait against her twin; the hospital's, declined
    # there, becomes Rosie, and social care's, declined here, is matched to her.
    services.decide_match(actor=front_door, candidate=twin_pair, decision="not_same")
    client.force_login(world.safeguarding_lead)
    url = reverse("identity-decide", args=[csc_twin_pair.pk])
    response = client.post(url, {"decision": "not_same"}, follow=True)
    page = response.content.decode()
    assert "It matched someone recorded since, and is linked to them" in page


def test_a_decision_must_be_chosen(client, world, csc_twin_pair):
    client.force_login(world.safeguarding_lead)
    response = client.post(reverse("identity-decide", args=[csc_twin_pair.pk]), {})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert "Select whether these are the same person" in response.content.decode()


def test_deciding_twice_shows_the_problem(client, world, csc_twin_pair):
    client.force_login(world.safeguarding_lead)
    url = reverse("identity-decide", args=[csc_twin_pair.pk])
    client.post(url, {"decision": "same"})
    response = client.post(url, {"decision": "not_same"})
    assert response.status_code == 200
    assert "already been decided" in response.content.decode()


@pytest.mark.parametrize("persona", ["social_worker", "health_visitor", "auditor", "administrator"])
def test_only_deciders_open_the_queue(client, world, csc_twin_pair, persona):
    client.force_login(getattr(world, persona))
    assert client.get(reverse("identity-queue")).status_code == 403
    assert client.get(reverse("identity-match", args=[csc_twin_pair.pk])).status_code == 403
    assert (
        client.post(
            reverse("identity-decide", args=[csc_twin_pair.pk]), {"decision": "same"}
        ).status_code
        == 403
    )


def test_a_pair_outside_reach_is_not_found_and_the_refusal_audited(
    client, twin_pair, hospital_lead
):
    client.force_login(hospital_lead)
    assert client.get(reverse("identity-match", args=[twin_pair.pk])).status_code == 404
    url = reverse("identity-decide", args=[twin_pair.pk])
    assert client.post(url, {"decision": "same"}).status_code == 404
    assert AuditEvent.objects.filter(actor=hospital_lead, action="denied").count() == 2


def test_the_decide_route_is_post_only(client, world, csc_twin_pair):
    client.force_login(world.safeguarding_lead)
    assert client.get(reverse("identity-decide", args=[csc_twin_pair.pk])).status_code == 405


def test_a_record_page_shows_links_and_undo_keeps_history(client, world, receive, riley_known):
    record = riley_known.source_records.get()
    client.force_login(world.safeguarding_lead)
    page = client.get(reverse("identity-record", args=[record.pk])).content.decode()
    assert "A new person for a record that matched no one" in page and "Undo" in page
    link = record.links.get()
    url = reverse("identity-link-undo", args=[link.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": ""})
    assert "Say why the record is not this person" in response.content.decode()
    response = client.post(url, {"reason": "Entered against the wrong child"})
    assert response.status_code == 302
    page = client.get(reverse("identity-record", args=[record.pk])).content.decode()
    assert "Entered against the wrong child" in page
