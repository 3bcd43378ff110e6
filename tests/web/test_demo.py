"""The demo loads once, through the services, and what it sets up is where the README
says: a referral waiting at the front door and an access request in probation's inbox."""

from html import unescape

from django.urls import reverse

from threadline.agencies.models import Agency, Practitioner
from threadline.audit.models import AuditEvent
from threadline.chronology.models import ChronologyEntry, EntryChild, EntryVersion
from threadline.chronology.selectors import Filters, entries_for
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
    ChronologyEntry,
    EntryChild,
    EntryVersion,
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


def test_the_social_worker_reads_the_childrens_chronology_and_a_second_load_adds_none(client, db):
    load_demo()
    sw = Practitioner.objects.get(username="social.worker")
    riley = Person.objects.get(given_names="Riley", family_name="Pike")
    tyler = Person.objects.get(given_names="Tyler", family_name="Hartley")
    shown = list(entries_for(actor=sw, children=[riley]))
    assert len(shown) >= 10
    assert {"critical", "significant", "routine"} <= {e.significance for e in shown}
    assert any(e.entry_type == "hospital" for e in shown)
    assert len({e.agency_id for e in ChronologyEntry.objects.all()}) >= 6
    tylers = list(entries_for(actor=sw, children=[tyler], filters=Filters(include_in_error=True)))
    assert any(e.in_error for e in tylers) and not all(e.in_error for e in tylers)
    assert EntryVersion.objects.filter(entry__children=riley).count() == 1
    client.force_login(sw)
    page = unescape(text(client.get(reverse("person-detail", args=[riley.pk]))))
    assert "Jason Pike arrested" in page
    before = counts()
    assert not load_demo().created
    assert counts() == before


def test_the_demos_published_review_shows_in_the_rule_catalogue_with_its_action_plans(client, db):
    load_demo()
    from threadline.reviews.models import Action, Review

    review = Review.objects.get(title="Child N")
    assert (review.review_type, review.status) == ("lcspr", "published")
    assert set(Action.objects.values_list("status", flat=True)) == {
        "not_started",
        "in_progress",
        "awaiting_evidence",
        "closed",
    }
    # Anyone signed in sees which recommendation of the published review made a rule.
    client.force_login(Practitioner.objects.get(username="health.visitor"))
    catalogue = unescape(text(client.get(reverse("rule-catalogue"))))
    assert "Child N , recommendation 1: When proceedings end in a supervision order" in catalogue
    rules = client.get("/api/v1/rules/", {"limit": 200}).json()["results"]
    made_by = {rule["id"]: rule["made_by"] for rule in rules}
    assert [m["number"] for m in made_by["supervision-order-conference"]] == [1]
    assert made_by["referral-decision"] == []
