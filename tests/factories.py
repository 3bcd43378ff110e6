"""Factories for tests: fictional agencies, practitioners and people.

They build rows directly (they are test scaffolding); behaviour under test goes through
the services."""

import datetime as dt

import factory
from django.conf import settings
from django.utils import timezone

from threadline.agencies.models import Agency, AgencyType, Experience, Practitioner, Role
from threadline.cases.models import Allocation, Case, Involvement
from threadline.chronology.models import ChronologyEntry, EntryChild
from threadline.people.models import (
    Address,
    LocalReference,
    NameKind,
    Person,
    PersonKind,
    PersonName,
    Relationship,
    Residence,
)
from threadline.referrals.models import Referral
from threadline.sharing.models import AGENCY_CATEGORY, AgreementCategory, SharingAgreement


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    code = factory.Sequence(lambda n: f"agency-{n}")
    name = factory.Sequence(lambda n: f"Test Agency {n}")
    agency_type = AgencyType.HEALTH_VISITING
    area = "Northmoor"
    phone = "01632 960000"
    safeguarding_email = factory.LazyAttribute(lambda a: f"safeguarding@{a.code}.example")


class PractitionerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Practitioner
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"practitioner{n}")
    first_name = "Sam"
    last_name = factory.Sequence(lambda n: f"Tester{n}")
    email = factory.LazyAttribute(lambda p: f"{p.username}@example.org")
    agency = factory.SubFactory(AgencyFactory)
    role = Role.PRACTITIONER
    job_title = "Practitioner"
    phone = "01632 960001"
    mfa_exempt = True  # personas are force_login'ed; MFA tests build non-exempt users

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or settings.DEMO_PASSWORD)
        if create:
            self.save(update_fields=["password"])


class SocialWorkerFactory(PractitionerFactory):
    agency = factory.SubFactory(AgencyFactory, agency_type=AgencyType.CHILDRENS_SOCIAL_CARE)
    experience = Experience.QUALIFIED
    job_title = "Social worker"


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person
        skip_postgeneration_save = True

    kind = PersonKind.CHILD
    given_names = factory.Iterator(["Riley", "Tyler", "Morgan", "Alex", "Jordan"])
    family_name = factory.Iterator(["Hartwell", "Fenwick", "Ashdown", "Corrigan"])
    date_of_birth = dt.date(2020, 3, 14)
    recorded_by_agency = factory.SubFactory(AgencyFactory)

    @factory.post_generation
    def legal_name(self, create, extracted, **kwargs):
        if create:
            PersonName.objects.create(
                person=self,
                kind=NameKind.LEGAL,
                given_names=self.given_names,
                family_name=self.family_name,
            )


class AdultFactory(PersonFactory):
    kind = PersonKind.ADULT
    given_names = factory.Iterator(["Kerry", "Dean", "Paula", "Gary"])
    date_of_birth = dt.date(1995, 6, 2)


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Address

    line_1 = factory.Sequence(lambda n: f"{n + 1} Bramble Close")
    town = "Northmoor"
    postcode = "NM1 4BX"


class ResidenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Residence

    person = factory.SubFactory(PersonFactory)
    address = factory.SubFactory(AddressFactory)
    from_date = dt.date(2024, 1, 1)
    recorded_by = factory.SubFactory(PractitionerFactory)


class LocalReferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LocalReference

    person = factory.SubFactory(AdultFactory)
    agency = factory.SubFactory(AgencyFactory)
    reference = factory.Sequence(lambda n: f"REF-{n:05d}")


class RelationshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Relationship

    person_a = factory.SubFactory(AdultFactory)
    person_b = factory.SubFactory(PersonFactory)
    type = "mother"
    recorded_by = factory.SubFactory(PractitionerFactory)


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    reference = factory.Sequence(lambda n: f"TL-2026-{n:05d}")
    child = factory.SubFactory(PersonFactory)
    local_authority = factory.SubFactory(
        AgencyFactory, agency_type=AgencyType.CHILDRENS_SOCIAL_CARE
    )
    lead_agency = factory.SelfAttribute("local_authority")
    opened_on = dt.date(2025, 1, 6)


class InvolvementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Involvement

    case = factory.SubFactory(CaseFactory)
    agency = factory.SubFactory(AgencyFactory)
    role = "Health visitor"
    from_date = dt.date(2025, 1, 6)
    category = factory.LazyAttribute(lambda i: AGENCY_CATEGORY[AgencyType(i.agency.agency_type)])


class AllocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Allocation

    case = factory.SubFactory(CaseFactory)
    social_worker = factory.SubFactory(SocialWorkerFactory)
    from_date = dt.date(2025, 1, 6)
    allocated_by = factory.SelfAttribute("social_worker")


class SharingAgreementFactory(factory.django.DjangoModelFactory):
    """`provider` shares `categories` (a list) with `recipient`."""

    class Meta:
        model = SharingAgreement
        skip_postgeneration_save = True

    title = "Test information-sharing agreement"
    provider = factory.SubFactory(AgencyFactory)
    recipient = factory.SubFactory(AgencyFactory)
    purpose = "Safeguarding children in the network"
    legal_basis = "public_task"
    from_date = dt.date(2024, 1, 1)
    to_date = dt.date(2030, 12, 31)
    recorded_by = factory.SubFactory(PractitionerFactory, agency=None, role=Role.ADMINISTRATOR)

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        if create:
            for category in extracted or []:
                AgreementCategory.objects.create(agreement=self, category=category)


class ReferralFactory(factory.django.DjangoModelFactory):
    """A referral awaiting decision, built directly; `make_referral` is what tests of
    behaviour call (it also sends the notices)."""

    class Meta:
        model = Referral

    child = factory.SubFactory(PersonFactory)
    referrer = factory.SubFactory(PractitionerFactory)
    referrer_agency = factory.SelfAttribute("referrer.agency")
    local_authority = factory.SubFactory(
        AgencyFactory, agency_type=AgencyType.CHILDRENS_SOCIAL_CARE
    )
    concerns = "Bruising to the upper arm seen at nursery; the explanation did not fit"
    categories = factory.LazyFunction(lambda: ["physical_abuse"])
    urgency = "standard"
    family_told = "Mother was told a referral would be made"
    sharing_basis = "safeguarding"
    received_at = factory.LazyFunction(timezone.now)
    decision_due_at = factory.LazyAttribute(lambda r: r.received_at + dt.timedelta(days=1))


class ChronologyEntryFactory(factory.django.DjangoModelFactory):
    """A chronology entry built directly, about `children` (a list; one new child if not
    given); `record_entry` is what tests of behaviour call."""

    class Meta:
        model = ChronologyEntry
        skip_postgeneration_save = True

    agency = factory.SubFactory(AgencyFactory)
    author = factory.SubFactory(PractitionerFactory, agency=factory.SelfAttribute("..agency"))
    event_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=3))
    event_precision = "time"
    recorded_at = factory.LazyFunction(timezone.now)
    entry_type = "contact"
    summary = factory.Sequence(lambda n: f"Home visit {n}: seen with mother")
    significance = "routine"
    category = factory.LazyAttribute(lambda e: AGENCY_CATEGORY[AgencyType(e.agency.agency_type)])

    @factory.post_generation
    def children(self, create, extracted, **kwargs):
        if create:
            for child in extracted or [PersonFactory()]:
                EntryChild.objects.create(entry=self, child=child, event_at=self.event_at)
