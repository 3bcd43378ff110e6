"""The HMAC chain over audit rows. The key is a setting, never stored in the database,
so a database administrator cannot recompute a valid chain after editing rows."""

import hashlib
import hmac
import json

from django.conf import settings

GENESIS = "0" * 64


def row_hash(event, prev_hash: str) -> str:
    content = json.dumps(
        [
            event.seq,
            event.at.isoformat(),
            str(event.actor_id) if event.actor_id else None,
            event.actor_label,
            event.action,
            event.object_type,
            event.object_id,
            str(event.child_id) if event.child_id else None,
            event.summary,
            event.ip_address,
            event.purpose,
            prev_hash,
        ],
        separators=(",", ":"),
    )
    return hmac.new(settings.AUDIT_HMAC_KEY.encode(), content.encode(), hashlib.sha256).hexdigest()


def verify(events) -> tuple[bool, str]:
    """Walk the chain in `seq` order. Returns (ok, message naming the first bad row)."""
    prev_hash, expected_seq, count = GENESIS, None, 0
    for event in events:
        if expected_seq is not None and event.seq != expected_seq:
            return False, f"row {expected_seq} is missing (next row found is {event.seq})"
        if event.prev_hash != prev_hash:
            return False, f"row {event.seq} does not follow the row before it"
        if row_hash(event, prev_hash) != event.hash:
            return False, f"row {event.seq} was altered"
        prev_hash, expected_seq, count = event.hash, event.seq + 1, count + 1
    return True, f"{count} rows verified"
