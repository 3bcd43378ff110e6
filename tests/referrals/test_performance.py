"""Submitting a referral costs the same number of queries however many agencies are told:
recipients are bulk-created and the emails queued, never sent inline."""

from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from threadline.notices.models import NoticeRecipient

from ..factories import (
    AgencyFactory,
    CaseFactory,
    InvolvementFactory,
    PersonFactory,
    RelationshipFactory,
)


def network_of(world, size: int) -> None:
    """`size` agencies on the child's case, and as many on a sister's."""
    sister = PersonFactory(recorded_by_agency=world.social_care)
    RelationshipFactory(person_a=world.mother, person_b=sister, recorded_by=world.social_worker)
    sisters_case = CaseFactory(child=sister, local_authority=world.social_care)
    for n in range(size):
        InvolvementFactory(case=world.case, agency=AgencyFactory(code=f"child-{size}-{n}"))
        InvolvementFactory(case=sisters_case, agency=AgencyFactory(code=f"family-{size}-{n}"))


def queries_to_refer(world, refer) -> int:
    with CaptureQueriesContext(connection) as captured:
        refer()
    return len(captured.captured_queries)


def test_the_cost_of_referring_does_not_grow_with_the_network(world, refer):
    network_of(world, 1)
    refer()  # the first request of a practitioner also loads their agency
    small = queries_to_refer(world, refer)
    network_of(world, 20)
    large = queries_to_refer(world, refer)
    assert large == small
    told = NoticeRecipient.objects.filter(notice__notice_type="alert").count()
    assert told == 2 + 2 + 42  # 1 + 1 agencies twice, then 21 + 21


def test_twenty_agencies_are_told_in_a_bounded_number_of_queries(
    world, refer, django_assert_max_num_queries
):
    network_of(world, 20)
    # 65 for the referral and its notices, and the clock's decision task (8).
    with django_assert_max_num_queries(73):
        refer()
    assert NoticeRecipient.objects.filter(notice__notice_type="alert").count() == 40
    assert mail.outbox == []  # queued for the worker, not sent inline
