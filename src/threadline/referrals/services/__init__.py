"""The only writers of referrals (`referrals.py`) and adult-to-child links
(`adult_links.py`)."""

from .adult_links import record_children_of_adult
from .referrals import (
    ACKNOWLEDGE_WITHIN_HOURS,
    NEW_CHILD_FIELDS,
    decide_referral,
    decision_due,
    make_referral,
)

__all__ = [
    "ACKNOWLEDGE_WITHIN_HOURS",
    "NEW_CHILD_FIELDS",
    "decide_referral",
    "decision_due",
    "make_referral",
    "record_children_of_adult",
]
