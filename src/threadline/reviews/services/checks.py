"""What every case-review service checks and writes: who may act, required text,
dates not in the future, and the audit event."""

import datetime as dt

from django.utils import timezone

from threadline.agencies.models import Practitioner
from threadline.audit.services import record_event
from threadline.common.errors import add_error, invalid
from threadline.sharing import policy

from ..models import (
    Review,
)

TEXT_MAX = 20_000


def require_manager(actor: Practitioner, review: Review | None = None) -> None:
    allowed = (
        policy.can_open_review(actor) if review is None else policy.can_manage_review(actor, review)
    )
    if not allowed:
        raise invalid(
            None, "Only the safeguarding partnership's officers do this for a review", "not_allowed"
        )


def require_responder(actor: Practitioner, agency_id) -> None:
    if not policy.can_respond_for(actor, agency_id):
        raise invalid(
            None,
            "Only the agency's safeguarding leads and team managers respond for it",
            "not_your_agency",
        )


def required_text(errors: dict, name: str, value: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        add_error(errors, name, message, "required")
    elif len(value) > TEXT_MAX:
        add_error(errors, name, f"Keep this to {TEXT_MAX:,} characters or fewer", "max_length")
    return value


def not_future(errors: dict, name: str, day: dt.date | None, what: str) -> None:
    if day is not None and day > timezone.localdate():
        add_error(errors, name, f"{what} must be today or in the past", "date_in_future")


def count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def audit(actor, action, target, summary: str, request=None, child=None) -> None:
    record_event(
        actor=actor, action=action, target=target, child=child, summary=summary, request=request
    )
