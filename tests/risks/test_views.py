"""The risk pages: recording, reviewing and closing with the GOV.UK error summary, who
may change a risk, and the risks on the child page, a person's page and the dashboard."""

import datetime as dt
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from threadline.audit.models import AuditEvent
from threadline.notices.models import NoticeRecipient
from threadline.risks import services
from threadline.risks.models import RiskFactor, RiskStatus

from ..web.test_pages import date_fields, error_summary, text
from .conftest import future

TODAY = timezone.localdate()


def page(response) -> str:
    return unescape(text(response))


def risk_url(name: str, risk) -> str:
    return reverse(name, kwargs={"risk_id": risk.pk})


def child_page(client, world) -> str:
    return page(client.get(reverse("person-detail", args=[world.child.pk])))


def new_risk(**fields) -> dict:
    return {
        "factor": "2B",
        "evidence": "Positive drug test at the antenatal clinic",
        "category": "social_care",
        "confidentiality": "normal",
        **date_fields("identified_on", TODAY),
        **date_fields("review_date", future(30)),
        **fields,
    }


@pytest.fixture
def signed_in(client, world):
    client.force_login(world.social_worker)
    return client


# --- recording ------------------------------------------------------------------------


def test_record_a_risk_about_the_mother_and_see_it_on_the_childs_page(signed_in, world):
    url = reverse("risk-create", args=[world.mother.pk])
    form = page(signed_in.get(url))
    assert "2B — Drug misuse: concerns about drug misuse by the parent(s)/carer(s)" in form
    assert "21 — No factors identified" not in form
    response = signed_in.post(url, new_risk())
    risk = RiskFactor.objects.get()
    assert response.status_code == 302 and response["Location"] == risk_url("risk-detail", risk)
    assert (risk.subject, risk.factor_id, risk.source_agency) == (
        world.mother,
        "2B",
        world.social_care,
    )
    assert AuditEvent.objects.filter(action="create", object_id=str(risk.pk)).exists()
    detail = page(signed_in.get(response["Location"]))
    assert "Risk recorded about Kerry Marsh" in detail and "Not yet reviewed" in detail
    banner = child_page(signed_in, world).split("Active risks", 1)[1].split("Lives with now")[0]
    assert "Drug misuse: concerns about drug misuse by the parent(s)/carer(s) (2B)" in banner
    assert "Kerry Marsh Mother" in banner
    assert "Northmoor Children's Social Care" in banner
    assert f"{future(30):%-d %b %Y}" in banner


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"factor": "99Z"}, "Choose a factor from the Children in Need census list"),
        ({"factor": ""}, "Choose a factor from the Children in Need census list"),
        ({"evidence": "  "}, "Enter the evidence: what is known and how"),
        (
            date_fields("review_date", TODAY - dt.timedelta(days=1)),
            "The review date must be today or in the future",
        ),
        ({"review_date_day": "31", "review_date_month": "2"}, "Review date must be a real date"),
    ],
)
def test_bad_input_shows_the_error_summary_and_saves_nothing(signed_in, world, fields, message):
    response = signed_in.post(reverse("risk-create", args=[world.mother.pk]), new_risk(**fields))
    assert response.status_code == 200
    assert message in error_summary(response)
    assert "Error: Record a risk" in response.content.decode()
    assert RiskFactor.objects.count() == 0


def test_outsiders_cannot_record_or_read_a_risk(client, world, record_risk):
    risk = record_risk()
    client.force_login(world.outsider)
    assert client.get(reverse("risk-create", args=[world.mother.pk])).status_code == 404
    assert (
        client.post(reverse("risk-create", args=[world.mother.pk]), new_risk()).status_code == 404
    )
    assert RiskFactor.objects.count() == 1
    assert client.get(risk_url("risk-detail", risk)).status_code == 404
    assert client.post(risk_url("risk-close", risk), {"rationale": "x"}).status_code == 404
    assert AuditEvent.objects.filter(action="denied", actor=world.outsider).count() == 4


# --- reviewing and closing ------------------------------------------------------------


def test_a_review_keeps_the_risk_and_moves_its_review_date(signed_in, world, record_risk):
    risk = record_risk()
    response = signed_in.post(
        risk_url("risk-review", risk),
        {"notes": "Engaging with the drug service", "status": "under_review"}
        | date_fields("next_review_date", future(60)),
    )
    assert response["Location"] == risk_url("risk-detail", risk)
    risk.refresh_from_db()
    assert (risk.status, risk.review_date, risk.last_reviewed_on) == (
        RiskStatus.UNDER_REVIEW,
        future(60),
        TODAY,
    )
    detail = page(signed_in.get(response["Location"]))
    assert "Review recorded" in detail and "Engaging with the drug service" in detail
    assert AuditEvent.objects.filter(action="update", object_id=str(risk.pk)).exists()
    assert "Under review" in child_page(signed_in, world).split("Lives with now")[0]


def test_a_review_with_no_notes_or_a_past_date_is_refused(signed_in, world, record_risk):
    risk = record_risk()
    response = signed_in.post(
        risk_url("risk-review", risk),
        {"notes": "", "status": "active"}
        | date_fields("next_review_date", TODAY.replace(year=2020)),
    )
    assert error_summary(response) == [
        "Enter what the review found",
        "The review date must be today or in the future",
    ]
    assert risk.reviews.count() == 0


def test_a_practitioners_closure_waits_for_a_managers_sign_off(
    client, signed_in, world, record_risk
):
    risk = record_risk()
    form = page(signed_in.get(risk_url("risk-close", risk)))
    assert "Ask a manager to sign off the closure" in form
    refused = signed_in.post(risk_url("risk-close", risk), {"rationale": "  "})
    assert error_summary(refused) == ["Enter why the risk can be closed"]
    assert RiskFactor.objects.get().status == RiskStatus.ACTIVE

    response = signed_in.post(risk_url("risk-close", risk), {"rationale": "Clean for a year"})
    assert "has been asked to sign it off" in page(signed_in.get(response["Location"]))
    risk.refresh_from_db()
    assert risk.awaits_sign_off
    assert NoticeRecipient.objects.filter(practitioner=world.team_manager).exists()
    # The practitioner may not sign off their own closure (nor anyone's).
    assert signed_in.post(risk_url("risk-sign-off", risk)).status_code == 403
    assert signed_in.get(risk_url("risk-sign-off", risk)).status_code == 405

    client.force_login(world.team_manager)
    dashboard = page(client.get(reverse("dashboard")))
    assert "Closures waiting for your sign-off" in dashboard and "Clean for a year" in dashboard
    assert "Sign off the closure" in page(client.get(risk_url("risk-detail", risk)))
    response = client.post(risk_url("risk-sign-off", risk))
    assert response["Location"] == risk_url("risk-detail", risk)
    risk.refresh_from_db()
    assert (risk.status, risk.closure_signed_off_by) == (RiskStatus.CLOSED, world.team_manager)
    assert "Closure signed off" in page(client.get(response["Location"]))
    assert "Closures waiting" not in page(client.get(reverse("dashboard")))


def test_a_manager_closes_at_once(client, world, record_risk):
    risk = record_risk()
    client.force_login(world.team_manager)
    assert "Close the risk" in page(client.get(risk_url("risk-close", risk)))
    client.post(risk_url("risk-close", risk), {"rationale": "Clean tests for six months"})
    risk.refresh_from_db()
    assert (risk.status, risk.closed_on) == (RiskStatus.CLOSED, TODAY)
    # A closed risk is kept: it can no longer be reviewed or closed.
    again = client.get(risk_url("risk-review", risk), follow=True)
    assert "This risk is closed" in page(again)


def test_another_agency_reads_the_risk_but_may_not_change_it(client, world, record_risk):
    risk = record_risk()
    client.force_login(world.health_visitor)
    detail = page(client.get(risk_url("risk-detail", risk)))
    assert "Only Northmoor Children's Social Care reviews or closes this risk" in detail
    assert "Review the risk" not in detail
    for name in ("risk-review", "risk-close"):
        assert client.get(risk_url(name, risk)).status_code == 403
    assert client.post(risk_url("risk-close", risk), {"rationale": "Gone"}).status_code == 403
    assert client.post(risk_url("risk-sign-off", risk)).status_code == 403
    risk.refresh_from_db()
    assert risk.status == RiskStatus.ACTIVE
    assert AuditEvent.objects.filter(action="denied", actor=world.health_visitor).count() == 4


def test_opening_a_risk_is_audited_against_the_child(client, world, record_risk):
    risk = record_risk(subject=world.child, factor="16A")
    client.force_login(world.health_visitor)
    client.get(risk_url("risk-detail", risk))
    event = AuditEvent.objects.filter(action="view", object_id=str(risk.pk)).get()
    assert event.child_id == world.child.pk and "Riley Marsh" in event.summary


# --- the child page, a person's page and the dashboard -----------------------------------


def test_with_no_risks_the_child_page_says_so(signed_in, world):
    shown = child_page(signed_in, world)
    assert "No active risks are recorded about Riley Marsh or the people around them" in shown
    assert "No risks are recorded about Riley Marsh that you can see" in shown
    assert "No earlier cases or closed risks" in shown


def test_risks_another_viewer_may_not_read_are_only_acknowledged(client, world, record_risk):
    record_risk(confidentiality="restricted", evidence="Told in confidence")
    client.force_login(world.health_visitor)
    shown = child_page(client, world)
    assert "There is restricted information; contact Amira Okafor, the lead professional" in shown
    assert "Drug misuse" not in shown and "Told in confidence" not in shown
    assert "No active risks are recorded" not in shown  # that would not be true


def test_an_uncle_in_the_household_touches_the_child_with_his_path(
    signed_in, world, homes, record_risk, move
):
    record_risk(
        actor=homes.probation_officer,
        subject=homes.uncle,
        factor="18C",
        category="probation",
        evidence="Convicted of assaulting a partner's child",
    )
    assert "Physical abuse" not in child_page(signed_in, world)  # he lives elsewhere
    move(world.child, homes.grandparents_home, on=TODAY)
    banner = child_page(signed_in, world).split("Lives with now")[0]
    assert "Darren Marsh Lives at the same address — household member since" in banner
    assert "Northmoor Probation" in banner


def test_a_persons_page_lists_their_risks_open_and_closed(signed_in, world, record_risk):
    record_risk()
    closed = record_risk(factor="1B", identified_on=TODAY.replace(year=TODAY.year - 1))
    services.close_risk(actor=world.team_manager, risk=closed, rationale="Sober for a year")
    shown = page(signed_in.get(reverse("person-detail", args=[world.mother.pk])))
    card = shown.split("Risks Record a risk", 1)[1].split("Who they are")[0]
    assert "Drug misuse" in card and "review due" in card
    assert "Alcohol misuse" in card and f"closed {TODAY:%-d %b %Y}" in card
    assert "Active risks" not in shown and "Family history" not in shown  # a child's only


def test_the_child_page_shows_the_family_history(signed_in, world, record_risk):
    closed = record_risk(factor="4B", identified_on=dt.date(2024, 5, 1))
    services.close_risk(actor=world.team_manager, risk=closed, rationale="Discharged by the team")
    history = child_page(signed_in, world).split("Family history", 1)[1]
    assert "Kerry Marsh (Mother" in history
    assert "Mental health: concerns about the mental health of the parent(s)/carer(s)" in history
    assert f"identified 1 May 2024, closed {TODAY:%-d %b %Y}" in history
    assert "Why it was closed: Discharged by the team" in history


def test_overdue_reviews_are_on_the_recorders_dashboard(signed_in, world, record_risk):
    assert "Risk reviews overdue" not in page(signed_in.get(reverse("dashboard")))
    risk = record_risk()
    RiskFactor.objects.filter(pk=risk.pk).update(review_date=TODAY - dt.timedelta(days=3))
    dashboard = page(signed_in.get(reverse("dashboard")))
    assert "Risk reviews overdue" in dashboard and "Kerry Marsh" in dashboard


def test_the_child_page_costs_the_same_queries_however_many_risks(signed_in, world, record_risk):
    url = reverse("person-detail", args=[world.child.pk])
    record_risk()
    signed_in.get(url)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert signed_in.get(url).status_code == 200
        return len(captured.captured_queries)

    few = queries()
    for code in ("1B", "3B", "4B", "5B"):
        record_risk(factor=code)
        record_risk(subject=world.child, factor="16A")
    closed = record_risk(factor="6B")
    services.close_risk(actor=world.team_manager, risk=closed, rationale="Recovered")
    assert queries() == few


def test_a_household_members_risk_opens_from_the_childs_banner(
    client, world, homes, record_risk, move
):
    """The uncle is known to the social worker only through Riley's household: his
    probation risk opens from Riley's page, not on its own."""
    risk = record_risk(actor=homes.probation_officer, subject=homes.uncle, factor="3B")
    move(world.child, homes.grandparents_home)
    client.force_login(world.social_worker)
    assert client.get(reverse("risk-detail", args=[risk.pk])).status_code == 404
    page = client.get(reverse("child-risk-detail", args=[world.child.pk, risk.pk]))
    assert page.status_code == 200
    assert "Domestic violence" in page.content.decode()
    assert AuditEvent.objects.filter(action="view", object_id=str(risk.pk)).exists()
