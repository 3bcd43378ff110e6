"""Break-glass: an emergency opens one record for a short time, never silently."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from threadline.audit.models import AuditEvent
from threadline.sharing import services
from threadline.sharing.models import BreakGlass
from threadline.sharing.policy import people_visible_to

from ..errors import codes


def test_break_glass_opens_one_record_for_an_hour_and_alerts_the_owner(
    world, django_capture_on_commit_callbacks
):
    assert not people_visible_to(world.outsider).filter(pk=world.child.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        glass = services.break_glass(
            actor=world.outsider,
            person=world.child,
            reason="Child brought to A&E unconscious; need carers",
        )
    assert people_visible_to(world.outsider).filter(pk=world.child.pk).exists()
    assert mail.outbox[-1].to == [world.safeguarding_lead.email]
    assert AuditEvent.objects.filter(
        action="break_glass", actor=world.outsider, child_id=world.child.pk
    ).exists()
    assert glass.expires_at - glass.created_at <= dt.timedelta(minutes=60)

    BreakGlass.objects.filter(pk=glass.pk).update(expires_at=timezone.now())
    assert not people_visible_to(world.outsider).filter(pk=world.child.pk).exists()


def test_break_glass_needs_a_reason(world):
    with pytest.raises(ValidationError) as caught:
        services.break_glass(actor=world.outsider, person=world.child, reason="  ")
    assert "reason_required" in codes(caught.value)
    assert not BreakGlass.objects.exists()


def test_the_owning_lead_reviews_each_use(world):
    glass = services.break_glass(
        actor=world.outsider, person=world.child, reason="Police called to the address at night"
    )
    with pytest.raises(ValidationError):
        services.review_break_glass(actor=world.social_worker, glass=glass, note="fine")
    services.review_break_glass(
        actor=world.safeguarding_lead, glass=glass, note="Appropriate: officer at scene"
    )
    glass.refresh_from_db()
    assert glass.reviewed_by == world.safeguarding_lead


def test_break_glass_page_needs_reauthentication_and_an_exact_match(client, world):
    client.force_login(world.outsider)
    url = reverse("break-glass")
    response = client.get(url)
    assert response["Location"].startswith(reverse("reauthenticate"))
    response = client.post(response["Location"], {"password": "threadline-demo"})
    assert response["Location"] == url

    reason = "Child found alone at the address"
    riley = {
        "name": "Riley Marsh",
        "date_of_birth_month": "2",
        "date_of_birth_year": "2025",
        "reason": reason,
    }
    response = client.post(url, riley | {"date_of_birth_day": "2"})
    assert "No single record matches" in response.content.decode()
    assert AuditEvent.objects.filter(action="denied", actor=world.outsider).exists()
    response = client.post(url, riley | {"date_of_birth_day": "1"})
    assert response["Location"] == world.child.get_absolute_url()
    assert client.get(response["Location"]).status_code == 200
