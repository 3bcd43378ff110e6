"""The dashboard's "my children": open cases naming the practitioner, each way alone."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from threadline.cases.selectors import my_children

from .. import factories as f


def test_each_way_of_being_named_lists_the_child_once_and_nothing_else(world):
    me = f.SocialWorkerFactory(agency=world.social_care)
    led = f.CaseFactory(child=f.PersonFactory(family_name="Ash"), lead_professional=me)
    allocated = f.CaseFactory(child=f.PersonFactory(family_name="Birch"))
    f.AllocationFactory(case=allocated, social_worker=me)
    named = f.CaseFactory(child=f.PersonFactory(family_name="Cedar"))
    f.InvolvementFactory(case=named, agency=world.social_care, practitioner=me)
    # Named three ways: listed once.
    everything = f.CaseFactory(child=f.PersonFactory(family_name="Dogwood"), lead_professional=me)
    f.AllocationFactory(case=everything, social_worker=me)
    f.InvolvementFactory(case=everything, agency=world.social_care, practitioner=me)
    # Not listed: an ended allocation, an ended involvement, a closed case, someone else's.
    ended = f.CaseFactory(child=f.PersonFactory(family_name="Elm"))
    f.AllocationFactory(case=ended, social_worker=me, to_date=dt.date(2025, 6, 1))
    f.InvolvementFactory(
        case=ended, agency=world.social_care, practitioner=me, to_date=dt.date(2025, 6, 1)
    )
    f.CaseFactory(
        child=f.PersonFactory(family_name="Fir"),
        lead_professional=me,
        closed_on=dt.date(2025, 6, 1),
    )
    f.AllocationFactory(case=f.CaseFactory(), social_worker=world.social_worker)

    with CaptureQueriesContext(connection) as queries:
        listed = list(my_children(me))

    assert listed == [led, allocated, named, everything]  # by the child's name
    assert len(queries) == 1
