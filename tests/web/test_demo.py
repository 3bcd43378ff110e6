"""The demo loads once, through the services, and what it sets up is where the README
says: a referral waiting at the front door and an access request in probation's inbox."""

from html import unescape

from django.urls import reverse

from threadline.agencies.models import Agency, Practitioner
from threadline.audit.models import AuditEvent
from threadline.notices.models import Notice, NoticeRecipient
from threadline.people.models import Person, Relationship
from threadline.referrals.models import Referral
from threadline.sharing.models import AccessRequest
from threadline.web.demo import load_demo

from .test_pages import text

MODELS = (
    Agency,
    Practitioner,
    Person,
    Relationship,
    Referral,
    Notice,
    NoticeRecipient,
    AccessRequest,
    AuditEvent,
)


def counts() -> dict:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_loading_the_demo_twice_changes_nothing(db):
    assert load_demo().created
    before = counts()
    assert not load_demo().created
    assert counts() == before


def test_the_front_door_sees_the_schools_referral_awaiting_decision(client, db):
    load_demo()
    referral = Referral.objects.get()
    assert (referral.child.full_name, referral.referrer.username) == ("Mason Ellery", "school")
    assert referral.status == "awaiting_decision"
    client.force_login(Practitioner.objects.get(username="front.door"))
    queue = text(client.get(reverse("front-door")))
    assert "Mason Ellery" in queue and "Brookside Primary School" in queue
    inbox = unescape(text(client.get(reverse("notice-inbox"))))
    assert "Referral of Mason Ellery" in inbox
    assert "to Northmoor Children's Social Care" in inbox  # the agency's inbox


def test_probations_safeguarding_lead_has_the_access_request_in_her_inbox(client, db):
    load_demo()
    client.force_login(Practitioner.objects.get(username="probation"))
    inbox = text(client.get(reverse("notice-inbox")))
    assert "Ruth Adeyemi asks to see probation records" in inbox, inbox
    assert "Riley Pike" in inbox
