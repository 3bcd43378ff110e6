"""Legal hold: while a review is open, the records of its subject children and of the
people who shared a household with them in the scope period cannot be destroyed. Every
deletion of a record about a held person (through the ORM, however it is reached: a
cascade, a queryset, the admin) is refused with `HeldRecordError`; amendments keep their
earlier versions anyway (nothing in Threadline is edited in place without one). Pages
showing a held person say so (`holds_on`)."""

from django.apps import apps
from django.db.models import Model
from django.db.models.signals import pre_delete

from .models import LegalHold

# Model → the lookups from it to the people it is about.
HELD_RECORDS = {
    "people.Person": ("pk",),
    "people.PersonName": ("person",),
    "people.LocalReference": ("person",),
    "people.Residence": ("person",),
    "people.Relationship": ("person_a", "person_b"),
    "cases.Case": ("child",),
    "chronology.ChronologyEntry": ("child_links__child",),
    "chronology.EntryChild": ("child",),
    "chronology.EntryVersion": ("entry__child_links__child",),
    "chronology.Attachment": ("entry__child_links__child",),
    "risks.RiskFactor": ("subject",),
    "orders.LegalOrder": ("child",),
}


class HeldRecordError(Exception):
    """A record under legal hold was about to be destroyed."""


def in_force():
    return LegalHold.objects.filter(released_at__isnull=True)


def holds_on(person) -> list[LegalHold]:
    """The holds in force on a person's records, with their reviews."""
    return list(in_force().filter(person=person).select_related("review"))


def _refuse_if_held(sender, instance: Model, **kwargs) -> None:
    label = sender._meta.label
    people = set()
    for lookup in HELD_RECORDS[label]:
        if lookup == "pk":
            people.add(instance.pk)
        elif "__" not in lookup:
            people.add(getattr(instance, f"{lookup}_id"))
        else:
            people.update(
                sender._default_manager.filter(pk=instance.pk).values_list(lookup, flat=True)
            )
    held = in_force().filter(person_id__in=people - {None}).select_related("review").first()
    if held is not None:
        raise HeldRecordError(
            f"{sender._meta.verbose_name.capitalize()} {instance.pk} is under legal hold for "
            f"{held.review} and cannot be destroyed"
        )


def connect() -> None:
    for label in HELD_RECORDS:
        pre_delete.connect(
            _refuse_if_held, sender=apps.get_model(label), dispatch_uid=f"legal-hold-{label}"
        )
