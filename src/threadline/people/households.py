"""Households: who lived at the same address as a person on a given day, derived from
address history (there is no household record to keep in step)."""

from dataclasses import dataclass
from datetime import date

from threadline.agencies.models import Practitioner
from threadline.sharing.policy import visible_among

from .models import Address, Person, Residence


@dataclass
class Household:
    address: Address
    residents: list[Residence]  # the person's own stay first, then the others by name


def households_on(person: Person, day: date, *, actor: Practitioner) -> list[Household]:
    """Each address the person lived at on `day` (usually one) with everyone recorded as
    living there that day whom the actor may see. Two queries and one policy check."""
    stays = list(person.residences.as_of(day).select_related("address"))
    residents = list(
        Residence.objects.as_of(day)
        .filter(address_id__in=[s.address_id for s in stays])
        .exclude(person=person)
        .select_related("person")
        .order_by("person__family_name", "person__given_names")
    )
    seen = visible_among(actor, {r.person_id for r in residents})
    return [
        Household(
            stay.address,
            [stay]
            + [r for r in residents if r.address_id == stay.address_id and r.person_id in seen],
        )
        for stay in stays
    ]
