"""Chronology fixtures on top of the `world` personas (tests/conftest.py): a helper that
records an entry through the service, small files of each kind, and Riley's sister."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from threadline.chronology import services

from ..factories import PersonFactory, RelationshipFactory

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def pdf(name: str = "letter.pdf", content: bytes = PDF) -> ContentFile:
    return ContentFile(content, name=name)


def entry_fields(**overrides) -> dict:
    return {
        "event_at": timezone.now() - dt.timedelta(days=2),
        "event_precision": "time",
        "entry_type": "contact",
        "summary": "Home visit: Riley seen asleep in the cot; mother tired but coping",
        "detail": "Kitchen clean; food in the fridge. Mother says the father has not visited.",
        "outcome": "Next visit in two weeks",
        "significance": "routine",
    } | overrides


@pytest.fixture
def record(world):
    """record_entry with valid fields; the social worker records about Riley unless told
    otherwise."""

    def make(**overrides):
        fields = {"actor": world.social_worker, "children": [world.child]} | entry_fields()
        return services.record_entry(**(fields | overrides))

    return make


@pytest.fixture
def sister(world):
    """Riley's sister: Kerry Marsh is the mother of both."""
    sister = PersonFactory(
        given_names="Skye",
        family_name="Marsh",
        date_of_birth=dt.date(2021, 5, 9),
        recorded_by_agency=world.social_care,
    )
    RelationshipFactory(
        person_a=world.mother, person_b=sister, type="mother", recorded_by=world.social_worker
    )
    return sister
