"""A chronology page, the API list and the child page cost the same number of queries
however many entries the child has: 5 or 60, from one agency or several."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from threadline.chronology.models import Attachment

from ..factories import AgencyFactory, ChronologyEntryFactory, SharingAgreementFactory
from .conftest import pdf


def entries(world, sister, count: int) -> None:
    """`count` entries about Riley from rotating agencies (all shared with social care),
    some about Riley's sister too, some with attachments."""
    agencies = [world.social_care, world.health]
    for n in range(3):
        agency = AgencyFactory(code=f"agency-{count}-{n}")
        SharingAgreementFactory(provider=agency, recipient=world.social_care, categories=["health"])
        agencies.append(agency)
    for n in range(count):
        entry = ChronologyEntryFactory(
            agency=agencies[n % len(agencies)],
            category="social_care" if n % len(agencies) == 0 else "health",
            children=[world.child, sister] if n % 3 == 0 else [world.child],
            significance=["routine", "significant", "critical"][n % 3],
            event_at=timezone.now() - dt.timedelta(days=n + 1),
        )
        if n % 4 == 0:
            Attachment.objects.create(
                entry=entry,
                file=pdf().name,
                original_name="letter.pdf",
                content_type="application/pdf",
                size=10,
                uploaded_by=world.social_worker,
            )


PAGES = {
    "chronology page": lambda world: (reverse("chronology", args=[world.child.pk]), {}),
    "family chronology": lambda world: (
        reverse("chronology", args=[world.child.pk]),
        {"scope": "family", "significance": ["critical", "significant", "routine"]},
    ),
    "child page": lambda world: (reverse("person-detail", args=[world.child.pk]), {}),
    "API list": lambda world: ("/api/v1/chronology-entries/", {"child": world.child.pk}),
}


def queries(client, url, query) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, query).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("page", sorted(PAGES))
def test_the_query_count_does_not_grow_with_the_chronology(client, world, sister, page):
    client.force_login(world.social_worker)
    url, query = PAGES[page](world)
    entries(world, sister, 5)
    client.get(url, query)  # the first request of a session also loads the practitioner
    few = queries(client, url, query)
    entries(world, sister, 55)
    many = queries(client, url, query)
    assert many == few, page


def test_a_page_of_fifty_in_a_bounded_number_of_queries(
    client, world, sister, django_assert_max_num_queries
):
    entries(world, sister, 60)
    client.force_login(world.social_worker)
    client.get(reverse("dashboard"))
    with django_assert_max_num_queries(30):
        response = client.get(reverse("chronology", args=[world.child.pk]))
    assert response.content.decode().count('<tr class="govuk-table__row">') == 1 + 50
