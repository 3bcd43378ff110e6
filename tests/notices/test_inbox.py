"""Notices as a practitioner meets them: sent in the change's transaction, in the right
inboxes, read, acknowledged once, never by someone it was not sent to."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse

from threadline.agencies.models import Role
from threadline.audit.models import AuditEvent
from threadline.notices import selectors, services
from threadline.notices.models import Notice, NoticeRecipient, NoticeType

from ..factories import PractitionerFactory


def alert(world, **to) -> Notice:
    return services.send_notice(
        notice_type=NoticeType.ALERT,
        title="Riley seen at A&E",
        body="Seen at 02:10 with a bruise to the cheek; discharged home with mother.",
        child=world.child,
        sender=world.health_visitor,
        link=world.child.get_absolute_url(),
        **to,
    )


def test_a_notice_reaches_the_named_practitioner_and_the_agency_inbox(world):
    alert(world, practitioners=[world.social_worker], agencies=[world.social_care])
    assert selectors.inbox_counts(world.social_worker) == {"unread": 1, "unacknowledged": 1}
    # The safeguarding lead reads the agency's inbox, not colleagues' own notices.
    lead_rows = list(selectors.inbox(world.safeguarding_lead, box="agency"))
    assert [r.agency for r in lead_rows] == [world.social_care]
    assert selectors.inbox_counts(world.team_manager) == {"unread": 0, "unacknowledged": 0}


def test_acknowledging_records_who_and_when_once(world):
    alert(world, agencies=[world.social_care])
    row = selectors.notice_for(world.safeguarding_lead, NoticeRecipient.objects.get().pk)
    services.acknowledge(actor=world.safeguarding_lead, recipient=row)
    row.refresh_from_db()
    assert row.acknowledged_by == world.safeguarding_lead
    assert row.read_by == world.safeguarding_lead and row.read_at is not None
    with pytest.raises(ValidationError) as error:
        services.acknowledge(actor=world.safeguarding_lead, recipient=row)
    assert error.value.code == "already_acknowledged"
    assert AuditEvent.objects.filter(summary__startswith="Acknowledged notice").count() == 1


def test_someone_elses_notice_does_not_exist_for_you(world):
    alert(world, practitioners=[world.social_worker])
    row = NoticeRecipient.objects.get()
    for outsider in (world.health_visitor, world.safeguarding_lead, world.outsider):
        with pytest.raises(Http404):
            selectors.notice_for(outsider, row.pk)


def test_a_notice_needs_a_recipient(world):
    with pytest.raises(ValidationError) as error:
        alert(world)
    assert error.value.code == "no_recipients"
    assert not Notice.objects.exists()


def test_a_change_that_rolls_back_takes_its_notice_with_it(world):
    with pytest.raises(RuntimeError), transaction.atomic():
        alert(world, agencies=[world.social_care])
        raise RuntimeError("the referral failed after the notice was written")
    assert not Notice.objects.exists()


def test_inactive_practitioners_get_nothing(world):
    gone = PractitionerFactory(agency=world.social_care, is_active=False)
    alert(world, practitioners=[gone, world.social_worker])
    assert list(NoticeRecipient.objects.values_list("practitioner", flat=True)) == [
        world.social_worker.pk
    ]


# --- the pages ------------------------------------------------------------------------


def test_the_header_counts_and_the_inbox_lists_what_awaits(client, world):
    alert(world, practitioners=[world.social_worker])
    client.force_login(world.social_worker)
    page = client.get(reverse("dashboard")).content.decode()
    assert '1<span class="govuk-visually-hidden"> to acknowledge, 1 unread</span>' in page
    inbox = client.get(reverse("notice-inbox")).content.decode()
    assert "Riley seen at A&amp;E" in inbox and "New" in inbox


def test_opening_then_acknowledging_a_notice(client, world):
    alert(world, practitioners=[world.social_worker])
    row = NoticeRecipient.objects.get()
    client.force_login(world.social_worker)
    page = client.get(reverse("notice-detail", args=[row.pk])).content.decode()
    assert "bruise to the cheek" in page and "To acknowledge" in page
    assert AuditEvent.objects.filter(actor=world.social_worker, summary__startswith="Read notice")
    response = client.post(reverse("notice-acknowledge", args=[row.pk]), follow=True)
    page = response.content.decode()
    assert "Acknowledged: Riley seen at A&amp;E" in page
    assert f"By {world.social_worker.get_full_name()}" in page
    # Acknowledging twice says so, and changes nothing.
    again = client.post(reverse("notice-acknowledge", args=[row.pk]), follow=True)
    assert "Already acknowledged by" in again.content.decode()


def test_only_inbox_readers_see_the_agency_box(client, world):
    client.force_login(world.health_visitor)
    assert "Your agency&#x27;s inbox" not in client.get(reverse("notice-inbox")).content.decode()
    front_door = PractitionerFactory(agency=world.social_care, role=Role.FRONT_DOOR_OFFICER)
    client.force_login(front_door)
    assert "Your agency&#x27;s inbox" in client.get(reverse("notice-inbox")).content.decode()
