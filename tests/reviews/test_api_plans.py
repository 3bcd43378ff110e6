"""The case-review API's recommendations and action plans: recommendations saved all or
none with their problems keyed by item, searched and corrected with If-Match; actions
added by the agency addressed (not with a due date before the day they are created),
their progress and evidence, and closure only on evidence the partnership accepted."""

import base64
import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from threadline.audit.models import AuditEvent
from threadline.reviews import services
from threadline.reviews.models import Action, Evidence, Recommendation

from ..api.helpers import assert_error

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TODAY = timezone.localdate


def pdf(name="evidence.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def as_json(name: str, content: bytes) -> dict:
    return {"filename": name, "content": base64.b64encode(content).decode()}


def url(*parts) -> str:
    return "/api/v1/" + "/".join(str(p) for p in parts) + "/"


# --- recommendations ------------------------------------------------------------------


def test_recommendations_are_saved_all_or_none_with_errors_by_item(open_review, officer, police):
    review = open_review()
    items = [
        {"number": 1, "text": "Police refer every domestic incident", "addressed_to": "nm-police"},
        {"number": 1, "text": "Duplicate"},
        {"number": 3, "text": "Linked", "rule_id": "no-such-rule"},
    ]
    response = officer.post(url("recommendations"), {"review": str(review.pk), "items": items})
    body = assert_error(response, 400, "duplicate_number", "items.1.number")
    assert ("items.2.rule_id", "unknown_rule") in {(e["field"], e["code"]) for e in body["errors"]}
    response = officer.post(
        url("recommendations"), {"review": str(review.pk), "items": [{"number": "x"}]}
    )
    assert_error(response, 400, "invalid", "items.0.number")
    assert not Recommendation.objects.exists()

    items[1:] = [
        {
            "number": 2,
            "text": "Audit referrals",
            "themes": ["Domestic abuse"],
            "rule_id": "assessment",
        }
    ]
    response = officer.post(
        url("recommendations"), {"review": str(review.pk), "items": items, "extracted": True}
    )
    assert response.status_code == 201, response.content
    saved = response.json()["results"]
    assert [r["addressed_to"]["code"] for r in saved] == ["nm-police", "nm-scp"]
    assert response.json()["count"] == 2 and saved[0]["extracted"]
    # The police were told; they see the review now, not the right to add to it.
    assert_error(
        police.post(url("recommendations"), {"review": str(review.pk), "items": items}),
        403,
        "not_allowed",
    )
    assert_error(
        officer.post(url("recommendations"), {"review": "00000000-0000-0000-0000-000000000000"}),
        400,
        "unknown_review",
        "review",
    )


def test_recommendations_are_searched_read_and_corrected_with_if_match(
    world, addressed, officer, police, api_client_for
):
    services.update_recommendation(
        actor=addressed.review.opened_by, recommendation=addressed, themes=["Domestic abuse"]
    )
    found = officer.get(url("recommendations"), {"q": "refer INCIDENT", "theme": "domestic abuse"})
    assert [r["id"] for r in found.json()["results"]] == [str(addressed.pk)]
    assert officer.get(url("recommendations"), {"q": "nothing like it"}).json()["count"] == 0
    assert police.get(url("recommendations"), {"addressed_to": "nm-police"}).json()["count"] == 1
    assert api_client_for(world.outsider).get(url("recommendations")).json()["count"] == 0
    assert_error(
        api_client_for(world.outsider).get(url("recommendations", addressed.pk)), 404, "not_found"
    )

    read = officer.get(url("recommendations", addressed.pk))
    assert read.json()["themes"] == ["Domestic abuse"]
    patch = {"text": "Police refer every incident with a child at the address", "themes": []}
    assert_error(
        officer.patch(url("recommendations", addressed.pk), patch), 428, "precondition_required"
    )
    assert_error(
        police.patch(url("recommendations", addressed.pk), patch, HTTP_IF_MATCH=read["ETag"]),
        403,
        "not_allowed",
    )
    response = officer.patch(
        url("recommendations", addressed.pk), patch, HTTP_IF_MATCH=read["ETag"]
    )
    assert response.status_code == 200, response.content
    assert response.json()["text"] == patch["text"] and response.json()["themes"] == []
    assert AuditEvent.objects.filter(action="update", summary="Changed recommendation 1").exists()
    assert officer.put(url("recommendations", addressed.pk), patch).status_code == 405
    again = officer.patch(
        url("recommendations", addressed.pk), {"rule_id": "nope"}, HTTP_IF_MATCH=read["ETag"]
    )
    assert_error(again, 412, "precondition_failed")
    response = officer.patch(
        url("recommendations", addressed.pk), {"rule_id": "nope"}, HTTP_IF_MATCH=response["ETag"]
    )
    assert_error(response, 400, "unknown_rule", "rule_id")


# --- action plans ---------------------------------------------------------------------


def test_an_action_due_before_it_is_created_is_refused(addressed, police, police_lead, officer):
    body = {
        "recommendation": str(addressed.pk),
        "description": "Brief every response officer",
        "owner": str(police_lead.pk),
        "due_on": (TODAY() - dt.timedelta(days=1)).isoformat(),
        "measure_of_success": "",
    }
    response = police.post(url("actions"), body)
    errors = {
        (e["field"], e["code"])
        for e in assert_error(response, 400, "required", "measure_of_success")["errors"]
    }
    assert ("due_on", "due_before_created") in errors
    assert not Action.objects.exists()
    # The partnership sees the recommendation; the police write its action plan.
    assert_error(officer.post(url("actions"), body), 403, "not_your_agency")


def test_an_action_runs_to_closure_only_on_accepted_evidence(
    world, addressed, police, officer, partnership, police_lead, api_client_for
):
    response = police.post(
        url("actions"),
        {
            "recommendation": str(addressed.pk),
            "description": "Brief every response officer on referring to the front door",
            "owner": str(police_lead.pk),
            "due_on": (TODAY() + dt.timedelta(days=30)).isoformat(),
            "measure_of_success": "Dip sample: 95% of incidents with a child referred",
        },
    )
    assert response.status_code == 201, response.content
    action = url("actions", response.json()["id"])
    assert response["Location"] == action
    assert_error(api_client_for(world.outsider).get(action), 404, "not_found")
    assert officer.delete(action).status_code == 405

    done = {"status": "awaiting_evidence", "rag": "green"}
    assert_error(police.post(action + "updates/", done), 400, "evidence_required", "status")
    assert_error(officer.post(action + "close/"), 400, "evidence_required")
    assert_error(officer.post(action + "updates/", done), 403, "not_your_agency")
    response = police.post(
        action + "evidence/",
        {"files": [SimpleUploadedFile("x.exe", b"MZ\x90\x00")]},
        format="multipart",
    )
    assert_error(response, 400, "attachment_type_not_allowed", "files")
    # A multipart upload retried with its Idempotency-Key is saved once; the same key
    # with another file is refused.
    for _ in range(2):
        response = police.post(
            action + "evidence/",
            {"files": [pdf()], "note": "Briefing slides"},
            format="multipart",
            HTTP_IDEMPOTENCY_KEY="e-1",
        )
        assert response.status_code == 201, response.content
    assert Evidence.objects.count() == 1
    response = police.post(
        action + "evidence/",
        {"files": [pdf("other.pdf")], "note": "Briefing slides"},
        format="multipart",
        HTTP_IDEMPOTENCY_KEY="e-1",
    )
    assert response.status_code == 422, response.content
    response = police.post(
        action + "evidence/", {"files": [as_json("log.pdf", PDF)]}, HTTP_IDEMPOTENCY_KEY="e-2"
    )
    again = police.post(
        action + "evidence/", {"files": [as_json("log.pdf", PDF)]}, HTTP_IDEMPOTENCY_KEY="e-2"
    )
    assert again["Idempotent-Replayed"] == "true" and Evidence.objects.count() == 2
    evidence = response.json()["evidence"]
    assert [e["original_name"] for e in evidence] == ["evidence.pdf", "log.pdf"]
    download = officer.get(action + f"evidence/{evidence[0]['id']}/")
    assert b"".join(download.streaming_content) == PDF

    assert police.post(action + "updates/", done | {"note": "All briefed"}).status_code == 200
    assert_error(officer.post(action + "close/"), 400, "evidence_not_accepted")
    decision = action + "evidence-decision/"
    assert_error(police.post(decision, {"accept": True}), 403, "not_allowed")
    assert_error(officer.post(decision, {"accept": False}), 400, "required", "note")
    assert officer.post(decision, {"accept": True}).json()["status"] == "evidenced"
    response = officer.post(action + "close/", {"note": "Seen the dip sample"})
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["status"] == "closed" and data["closed_by"]["id"] == str(partnership.pk)
    assert [u["status"] for u in data["updates"]] == [
        "not_started",
        "awaiting_evidence",
        "evidenced",
        "closed",
    ]
    assert_error(
        police.post(action + "updates/", {"status": "in_progress", "rag": "red"}),
        400,
        "action_closed",
    )


def test_actions_are_listed_with_filters_for_those_who_may_see_them(
    world, addressed, police, officer, police_lead, api_client_for
):
    kept = services.add_action(
        actor=police_lead,
        recommendation=addressed,
        description="Brief officers",
        owner=police_lead,
        due_on=TODAY(),
        measure_of_success="Dip sample",
    )
    Action.objects.filter(pk=kept.pk).update(due_on=TODAY() - dt.timedelta(days=2))
    overdue = officer.get(url("actions"), {"overdue": "true", "review": str(addressed.review.pk)})
    assert [a["id"] for a in overdue.json()["results"]] == [str(kept.pk)]
    assert overdue.json()["results"][0]["overdue"] is True
    assert officer.get(url("actions"), {"overdue": "false"}).json()["count"] == 0
    assert (
        police.get(url("actions"), {"agency": "nm-police", "status": "not_started"}).json()["count"]
        == 1
    )
    assert api_client_for(world.outsider).get(url("actions")).json()["count"] == 0
    assert_error(officer.get(url("actions"), {"status": "done"}), 400, "invalid_choice", "status")
    detail = officer.get(url("reviews", addressed.review.pk)).json()
    assert detail["figures"]["overdue"] == 1 and detail["figures"]["by_status"]["not_started"] == 1
    assert AuditEvent.objects.filter(
        action="search", summary__startswith="Listed review actions"
    ).exists()
