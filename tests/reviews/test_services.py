"""Case reviews through their services: opening one holds the records and starts the
clock; agencies' reports are requested, chased, submitted and assured; recommendations
become action plans the partnership closes only on evidence."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from threadline.audit.models import AuditEvent
from threadline.chronology.services import record_entry
from threadline.notices.models import NoticeRecipient
from threadline.people.models import Residence
from threadline.reviews import selectors, services
from threadline.reviews.holds import HeldRecordError, holds_on
from threadline.reviews.models import (
    Action,
    AgencyReport,
    LegalHold,
    Recommendation,
    Review,
)
from threadline.reviews.services import ProposedRecommendation
from threadline.timescales.calendar import add_months, add_working_days

from .. import factories as f
from ..errors import codes_by_field as codes

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name="report.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def test_opening_a_review_holds_the_household_in_scope_and_starts_the_clock(
    world, open_review, household
):
    partner, lodger = household
    review = open_review()

    held = {h.person: h.reason for h in review.holds.all()}
    assert held[world.child] == "Subject child"
    assert held[world.mother] == held[partner] == "Household of Riley Marsh"
    assert lodger not in held  # left before the scope period began
    tasks = {t.rule_id: t for t in selectors.review_tasks(review)}
    assert tasks["serious-incident-notification"].due_on == add_working_days(review.aware_on, 5)
    assert tasks["serious-incident-notification"].owner_agency == world.social_care
    assert tasks["rapid-review"].due_on == add_working_days(review.aware_on, 15)
    assert tasks["rapid-review"].owner_agency == review.partnership
    assert AuditEvent.objects.filter(summary__startswith="Opened Rapid review: Child R").exists()


def test_bad_dates_and_wrong_people_are_refused_and_nothing_is_saved(world, open_review):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as caught:
        open_review(
            title=" ",
            incident_on=today + dt.timedelta(days=1),
            aware_on=today - dt.timedelta(days=9),
            scope_from=today,
            scope_to=today - dt.timedelta(days=30),
            children=[world.mother],
        )
    problems = codes(caught.value)
    assert problems["title"] == ["required"]
    assert problems["incident_on"] == ["date_in_future"]
    assert problems["aware_on"] == ["dates_out_of_order"]  # aware before the incident
    assert problems["scope_to"] == ["scope_out_of_order"]
    assert problems["children"] == ["not_a_child"]
    assert not Review.objects.exists() and not LegalHold.objects.exists()


def test_only_a_partnership_officer_opens_a_review(world, open_review):
    with pytest.raises(ValidationError) as caught:
        open_review(actor=world.team_manager)
    assert codes(caught.value) == {"__all__": ["not_allowed"]}


def test_held_records_cannot_be_destroyed_until_the_review_closes(world, open_review):
    entry = f.ChronologyEntryFactory(agency=world.health, children=[world.child])
    review = open_review()
    assert [h.review for h in holds_on(world.mother)] == [review]

    # A deletion runs without a savepoint of its own: the caller's transaction is spoilt.
    held = "under legal hold for Rapid review: Child R"
    with pytest.raises(HeldRecordError, match=held), transaction.atomic():
        entry.delete()
    with pytest.raises(HeldRecordError), transaction.atomic():
        Residence.objects.filter(person=world.mother).delete()

    services.close_review(actor=review.opened_by, review=review)
    assert holds_on(world.mother) == []
    Residence.objects.filter(person=world.mother).delete()


def test_milestones_close_the_clock_tasks_and_a_decision_starts_the_publication_clock(
    world, open_review, partnership
):
    review = open_review()
    services.record_milestone(
        actor=partnership, review=review, milestone="notified", on=review.aware_on
    )
    services.record_milestone(
        actor=partnership,
        review=review,
        milestone="rapid_review_completed",
        on=timezone.localdate(),
    )
    decided = timezone.localdate()
    services.record_milestone(
        actor=partnership, review=review, milestone="lcspr_decided", on=decided
    )

    review.refresh_from_db()
    assert review.review_type == "lcspr"
    tasks = {t.rule_id: t for t in selectors.review_tasks(review)}
    assert tasks["serious-incident-notification"].status == "done"
    assert tasks["rapid-review"].status == "done"
    assert tasks["review-publication"].status == "open"
    assert tasks["review-publication"].due_on == add_months(decided, 6)

    with pytest.raises(ValidationError) as caught:
        services.record_milestone(
            actor=partnership, review=review, milestone="notified", on=review.aware_on
        )
    assert codes(caught.value) == {"milestone": ["already_recorded"]}


def test_a_milestone_before_awareness_is_refused(world, open_review, partnership):
    review = open_review()
    with pytest.raises(ValidationError) as caught:
        services.record_milestone(
            actor=partnership,
            review=review,
            milestone="notified",
            on=review.aware_on - dt.timedelta(days=1),
        )
    assert codes(caught.value) == {"on": ["dates_out_of_order"]}


def test_reports_are_requested_submitted_returned_and_accepted(
    world, open_review, partnership, police_lead
):
    review = open_review()
    due = timezone.localdate() + dt.timedelta(days=20)
    (report,) = services.request_reports(
        actor=partnership, review=review, agencies=[police_lead.agency], due_on=due
    )
    inbox = NoticeRecipient.objects.get(practitioner=police_lead)
    assert inbox.notice.title == "Management review requested: Rapid review: Child R"
    assert inbox.acknowledge_by is not None
    assert review in selectors.policy.reviews_visible_to(police_lead)

    with pytest.raises(ValidationError) as caught:
        services.request_reports(
            actor=partnership, review=review, agencies=[police_lead.agency], due_on=due
        )
    assert codes(caught.value) == {"agencies": ["already_requested"]}

    answers = {
        "what_was_known": "Two domestic incidents at the address involving Dean Voss.",
        "when_known": "March and June 2026.",
        "what_was_done": "DASH risk assessments; no referral to children's social care.",
        "what_differently": "Refer every incident with a child in the household.",
    }
    with pytest.raises(ValidationError) as caught:
        services.submit_report(actor=world.health_visitor, report=report, document=pdf(), **answers)
    assert codes(caught.value) == {"__all__": ["not_your_agency"]}
    with pytest.raises(ValidationError) as caught:
        services.submit_report(
            actor=police_lead, report=report, document=None, **answers | {"when_known": ""}
        )
    assert codes(caught.value) == {"when_known": ["required"], "document": ["document_required"]}

    services.submit_report(actor=police_lead, report=report, document=pdf(), **answers)
    with pytest.raises(ValidationError) as caught:
        services.assure_report(actor=partnership, report=report, accept=False)
    assert codes(caught.value) == {"quality_note": ["required"]}
    services.assure_report(
        actor=partnership, report=report, accept=False, note="Add the June call log."
    )
    assert report.status == "returned"
    services.submit_report(actor=police_lead, report=report, document=pdf("v2.pdf"), **answers)
    services.assure_report(actor=partnership, report=report, accept=True)
    report.refresh_from_db()
    assert (report.status, report.document_name) == ("accepted", "v2.pdf")
    assert report.document.read() == PDF


def test_overdue_reports_are_chased_once(world, open_review, partnership, police_lead):
    review = open_review()
    services.request_reports(
        actor=partnership,
        review=review,
        agencies=[police_lead.agency],
        due_on=timezone.localdate() + dt.timedelta(days=1),
    )
    later = timezone.now() + dt.timedelta(days=3)
    assert services.chase_overdue_reports(now=later) == 1
    assert services.chase_overdue_reports(now=later) == 0
    titles = NoticeRecipient.objects.filter(practitioner=police_lead).values_list(
        "notice__title", flat=True
    )
    assert "Management review overdue: Rapid review: Child R" in titles


def test_the_review_chronology_is_the_scope_of_the_live_record_and_agencies_additions(
    world, open_review, partnership, police_lead
):
    in_scope = record_entry(
        actor=world.health_visitor,
        children=[world.child],
        event_at=timezone.localdate() - dt.timedelta(days=10),
        entry_type="contact",
        summary="Bruise on Riley's cheek; mother said he fell",
    )
    record_entry(
        actor=world.health_visitor,
        children=[world.child],
        event_at=timezone.localdate() - dt.timedelta(days=1),  # after the scope ends
        entry_type="contact",
        summary="Visit after the incident",
    )
    record_entry(
        actor=world.social_worker,
        children=[world.child],
        event_at=timezone.localdate() - dt.timedelta(days=12),
        entry_type="disclosure",
        summary="Restricted disclosure",
        confidentiality="restricted",
    )
    review = open_review()
    services.request_reports(
        actor=partnership,
        review=review,
        agencies=[police_lead.agency],
        due_on=timezone.localdate() + dt.timedelta(days=5),
    )
    services.add_review_entry(
        actor=police_lead,
        review=review,
        event_at=timezone.localdate() - dt.timedelta(days=20),
        entry_type="incident",
        summary="Domestic incident: Dean Voss arrested",
        significance="critical",
    )

    chronology = selectors.review_chronology(actor=partnership, review=review)
    assert [r.summary for r in chronology.rows] == [
        "Domestic incident: Dean Voss arrested",
        in_scope.summary,
    ]
    assert chronology.rows[0].source == "(added for the review)"
    assert chronology.rows[1].children == "Riley Marsh"
    assert chronology.restricted == 1
    with pytest.raises(selectors.Http404):
        selectors.review_chronology(actor=police_lead, review=review)  # not on the panel

    document = selectors.export_review_chronology(actor=partnership, review=review, fmt="csv")
    assert b"Domestic incident: Dean Voss arrested" in document.content
    assert AuditEvent.objects.filter(
        action="export", summary__contains="review chronology"
    ).exists()


def test_a_review_entry_outside_the_scope_is_refused(world, open_review, partnership):
    review = open_review()
    with pytest.raises(ValidationError) as caught:
        services.add_review_entry(
            actor=partnership,
            review=review,
            event_at=review.scope_from - dt.timedelta(days=1),
            entry_type="incident",
            summary="Before the scope",
        )
    assert codes(caught.value) == {"event_at": ["out_of_scope"]}


def test_recommendations_are_saved_all_or_none_and_each_agency_is_told(
    world, open_review, partnership, police_lead
):
    review = open_review()
    with pytest.raises(ValidationError) as caught:
        services.add_recommendations(
            actor=partnership,
            review=review,
            items=[
                ProposedRecommendation(
                    1, "Police refer every domestic incident", police_lead.agency
                ),
                ProposedRecommendation(1, "Duplicate", None),
                ProposedRecommendation(3, "Linked", None, rule_id="no-such-rule"),
            ],
        )
    assert codes(caught.value) == {
        "items.1.number": ["duplicate_number"],
        "items.2.rule_id": ["unknown_rule"],
    }
    assert not Recommendation.objects.exists()

    saved = services.add_recommendations(
        actor=partnership,
        review=review,
        items=[
            ProposedRecommendation(
                1, "Police refer every domestic incident", police_lead.agency, ["Domestic abuse"]
            ),
            ProposedRecommendation(2, "Audit multi-agency referrals", None, rule_id="assessment"),
        ],
    )
    assert [r.addressed_to for r in saved] == [police_lead.agency, review.partnership]
    assert [t.name for t in saved[0].themes.all()] == ["Domestic abuse"]
    told = NoticeRecipient.objects.filter(practitioner=police_lead).values_list(
        "notice__title", flat=True
    )
    assert list(told) == ["Recommendations for your agency: Rapid review: Child R"]
    # The rule catalogue shows it to those who may see the review, and to all once published.
    assert selectors.linked_recommendations(partnership)["assessment"] == [saved[1]]
    assert selectors.linked_recommendations(world.health_visitor) == {}
    Review.objects.filter(pk=review.pk).update(status="published")
    assert selectors.linked_recommendations(world.health_visitor)["assessment"] == [saved[1]]


@pytest.fixture
def recommendation(world, open_review, partnership, police_lead):
    review = open_review()
    (saved,) = services.add_recommendations(
        actor=partnership,
        review=review,
        items=[ProposedRecommendation(1, "Police refer every incident", police_lead.agency)],
    )
    return saved


def _action(police_lead, recommendation, **overrides):
    fields = {
        "actor": police_lead,
        "recommendation": recommendation,
        "description": "Brief every response officer on referring to the front door",
        "owner": police_lead,
        "due_on": timezone.localdate() + dt.timedelta(days=30),
        "measure_of_success": "Dip sample: 95% of incidents with a child referred",
    } | overrides
    return services.add_action(**fields)


def test_an_action_plan_runs_to_closure_only_on_accepted_evidence(
    world, recommendation, partnership, police_lead
):
    with pytest.raises(ValidationError) as caught:
        _action(world.health_visitor, recommendation)
    assert codes(caught.value) == {"__all__": ["not_your_agency"]}
    with pytest.raises(ValidationError) as caught:
        _action(
            police_lead,
            recommendation,
            owner=world.social_worker,
            due_on=timezone.localdate() - dt.timedelta(days=1),
            measure_of_success="",
        )
    assert codes(caught.value) == {
        "owner": ["owner_not_in_agency"],
        "due_on": ["due_before_created"],
        "measure_of_success": ["required"],
    }

    action = _action(police_lead, recommendation)
    with pytest.raises(ValidationError) as caught:
        services.update_action(
            actor=police_lead, action=action, status="awaiting_evidence", rag="green"
        )
    assert codes(caught.value) == {"status": ["evidence_required"]}
    with pytest.raises(ValidationError) as caught:
        services.close_action(actor=partnership, action=action)
    assert codes(caught.value) == {"__all__": ["evidence_required"]}
    with pytest.raises(ValidationError) as caught:
        services.add_evidence(
            actor=police_lead, action=action, files=[SimpleUploadedFile("x.exe", b"MZ\x90\x00")]
        )
    assert codes(caught.value) == {"files": ["attachment_type_not_allowed"]}

    services.add_evidence(actor=police_lead, action=action, files=[pdf("briefing.pdf")])
    services.update_action(
        actor=police_lead, action=action, status="awaiting_evidence", rag="green"
    )
    with pytest.raises(ValidationError) as caught:
        services.close_action(actor=partnership, action=action)
    assert codes(caught.value) == {"__all__": ["evidence_not_accepted"]}
    with pytest.raises(ValidationError) as caught:
        services.decide_evidence(actor=police_lead, action=action, accept=True)
    assert codes(caught.value) == {"__all__": ["not_allowed"]}

    services.decide_evidence(actor=partnership, action=action, accept=True)
    services.close_action(actor=partnership, action=action)
    action.refresh_from_db()
    assert action.status == "closed" and action.evidence_accepted_by == partnership
    assert [u.status for u in action.updates.all()] == [
        "not_started",
        "awaiting_evidence",
        "evidenced",
        "closed",
    ]
    with pytest.raises(ValidationError) as caught:
        services.update_action(actor=police_lead, action=action, status="in_progress", rag="red")
    assert codes(caught.value) == {"__all__": ["action_closed"]}


def test_evidence_sent_back_returns_the_action_to_the_agency(
    world, recommendation, partnership, police_lead
):
    action = _action(police_lead, recommendation)
    services.add_evidence(actor=police_lead, action=action, files=[pdf()])
    services.update_action(
        actor=police_lead, action=action, status="awaiting_evidence", rag="green"
    )
    services.decide_evidence(
        actor=partnership, action=action, accept=False, note="Send the dip-sample results"
    )
    assert action.status == "in_progress"
    titles = NoticeRecipient.objects.filter(practitioner=police_lead).values_list(
        "notice__title", flat=True
    )
    assert "Evidence not accepted: Rapid review: Child R" in titles


def test_a_review_closes_only_when_every_action_is_closed(
    world, recommendation, partnership, police_lead
):
    _action(police_lead, recommendation)
    with pytest.raises(ValidationError) as caught:
        services.close_review(actor=partnership, review=recommendation.review)
    assert codes(caught.value) == {"__all__": ["actions_open"]}
    assert LegalHold.objects.filter(released_at__isnull=True).exists()


def test_monitoring_counts_overdue_actions_and_draws_progress_from_history(
    world, recommendation, partnership, police_lead
):
    done = _action(police_lead, recommendation)
    late = _action(police_lead, recommendation, description="Train call handlers")
    Action.objects.filter(pk=late.pk).update(due_on=timezone.localdate() - dt.timedelta(days=2))
    services.add_evidence(actor=police_lead, action=done, files=[pdf()])
    services.update_action(actor=police_lead, action=done, status="awaiting_evidence", rag="green")
    services.decide_evidence(actor=partnership, action=done, accept=True)

    actions = selectors.actions_visible_to(partnership)
    figures = selectors.figures(actions)
    assert (figures.total, figures.overdue, figures.done) == (2, 1, 1)
    assert figures.by_status["not_started"] == 1
    assert selectors.progress(actions, weeks=2)[-1][1]["evidenced"] == 1
    assert [name for name, _ in selectors.per_agency(actions)] == ["Northmoor Police"]
    # An agency sees its own actions; one not addressed sees none.
    assert selectors.actions_visible_to(police_lead).count() == 2
    assert selectors.actions_visible_to(world.health_visitor).count() == 0


def test_search_finds_recommendations_and_findings_across_reviews(
    world, recommendation, partnership, police_lead
):
    review = recommendation.review
    services.add_finding(
        actor=partnership,
        review=review,
        text="Domestic incidents were not shared with health visiting",
        themes=["Domestic abuse", "Information sharing"],
    )
    hits = selectors.search(partnership, "domestic shared")
    assert [(h.kind, h.number) for h in hits] == [("Finding", 1)]
    assert [h.kind for h in selectors.search(partnership, theme="information sharing")] == [
        "Finding"
    ]
    assert selectors.search(world.outsider, "domestic") == []
    assert AgencyReport.objects.count() == 0


def test_a_held_persons_page_says_their_records_are_held(world, open_review, client):
    open_review()
    client.force_login(world.social_worker)
    page = client.get(world.mother.get_absolute_url()).content.decode()
    assert "Legal hold" in page
    assert "held for the rapid review “Child R”" in page
