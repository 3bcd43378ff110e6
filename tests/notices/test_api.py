"""/api/v1/notices: the caller's notices and their agency's inbox, read and acknowledged."""

from threadline.notices.models import NoticeRecipient, NoticeType
from threadline.notices.services import send_notice

from ..api.helpers import assert_error

NOTICES = "/api/v1/notices/"


def notify(world, **to) -> NoticeRecipient:
    send_notice(
        notice_type=NoticeType.REFERRAL,
        title="Referral: Riley Marsh",
        body="Neighbours heard shouting and a baby crying for hours.",
        child=world.child,
        sender=world.health_visitor,
        **to,
    )
    return NoticeRecipient.objects.latest("created_at")


def test_list_filters_by_box_and_acknowledgement(world, api_client_for):
    mine = notify(world, practitioners=[world.safeguarding_lead])
    agency = notify(world, agencies=[world.social_care])
    client = api_client_for(world.safeguarding_lead)
    ids = lambda **q: [r["id"] for r in client.get(NOTICES, q).json()["results"]]  # noqa: E731
    assert set(ids()) == {str(mine.pk), str(agency.pk)}
    assert ids(box="mine") == [str(mine.pk)]
    assert ids(box="agency") == [str(agency.pk)]
    client.post(f"{NOTICES}{mine.pk}/acknowledge/")
    assert ids(acknowledged="false") == [str(agency.pk)]
    assert ids(acknowledged="true") == [str(mine.pk)]


def test_retrieve_marks_read_and_acknowledge_records_who(world, api_client_for):
    row = notify(world, practitioners=[world.social_worker])
    client = api_client_for(world.social_worker)
    body = client.get(f"{NOTICES}{row.pk}/").json()
    assert body["read_at"] and body["read_by"]["id"] == str(world.social_worker.pk)
    assert body["notice"]["child"]["full_name"] == "Riley Marsh"
    assert body["acknowledged_at"] is None
    body = client.post(f"{NOTICES}{row.pk}/acknowledge/").json()
    assert body["acknowledged_by"]["id"] == str(world.social_worker.pk)
    again = client.post(f"{NOTICES}{row.pk}/acknowledge/")
    assert_error(again, 400, "already_acknowledged")


def test_acknowledging_a_notice_that_is_not_yours_is_not_found(world, api_client_for):
    row = notify(world, practitioners=[world.social_worker])
    response = api_client_for(world.team_manager).post(f"{NOTICES}{row.pk}/acknowledge/")
    assert_error(response, 404, "not_found")
    row.refresh_from_db()
    assert row.acknowledged_at is None


def test_a_bad_filter_is_a_clear_error(world, api_client_for):
    response = api_client_for(world.social_worker).get(NOTICES, {"box": "everyone"})
    assert_error(response, 400, "invalid_choice", field="box")
