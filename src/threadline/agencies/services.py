"""The only writers of agencies, teams and practitioners (used by the admin, the demo
loader and tests)."""

from django.db import transaction

from threadline.audit.models import AuditAction
from threadline.audit.services import record_event

from .models import Agency, Practitioner, Team


@transaction.atomic
def create_agency(*, actor: Practitioner | None, **fields) -> Agency:
    agency = Agency(**fields)
    agency.full_clean()
    agency.save()
    record_event(
        actor=actor,
        action=AuditAction.CREATE,
        target=agency,
        summary=f"Created agency {agency.name}",
    )
    return agency


@transaction.atomic
def create_team(*, actor: Practitioner | None, agency: Agency, name: str) -> Team:
    team = Team(agency=agency, name=name)
    team.full_clean()
    team.save()
    return team


@transaction.atomic
def create_practitioner(
    *,
    actor: Practitioner | None,
    username: str,
    password: str,
    agency: Agency | None,
    **fields,
) -> Practitioner:
    practitioner = Practitioner(username=username, agency=agency, **fields)
    practitioner.set_password(password)
    practitioner.full_clean()
    practitioner.save()
    record_event(
        actor=actor,
        action=AuditAction.CREATE,
        target=practitioner,
        summary=f"Created account {username}",
    )
    return practitioner


@transaction.atomic
def issue_api_token(*, actor: Practitioner | None, practitioner: Practitioner) -> str:
    """The practitioner's API token, created the first time it is asked for. Handing out
    a credential is audited (the key itself never goes into the trail)."""
    from rest_framework.authtoken.models import Token

    token, created = Token.objects.get_or_create(user=practitioner)
    record_event(
        actor=actor,
        action=AuditAction.CREATE if created else AuditAction.VIEW,
        target=practitioner,
        summary=f"{'Issued' if created else 'Displayed'} the API token of {practitioner.username}",
    )
    return token.key
