"""Anchors: the chain head copied somewhere the application cannot rewrite.

`threadline audit anchor` appends "<seq> <hash> <time>" to AUDIT_ANCHOR_PATH. Point it at
append-only storage the database administrator does not control (a write-once bucket,
a syslog host, a file with `chattr +a`). `audit verify` then checks the newest anchor is
still in the chain: rows cut from the end of the trail, or a chain rebuilt after an
edit, no longer match it."""

from pathlib import Path

from django.conf import settings
from django.utils import timezone

from .models import AuditChainHead, AuditEvent


def anchor_path() -> Path:
    return Path(settings.AUDIT_ANCHOR_PATH)


def write_anchor() -> tuple[int, str]:
    head = AuditChainHead.objects.filter(pk=1).first()
    seq, digest = (head.last_seq, head.last_hash) if head else (0, "0" * 64)
    path = anchor_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="ascii") as anchors:
        anchors.write(f"{seq} {digest} {timezone.now().isoformat()}\n")
    return seq, digest


def check_latest_anchor() -> tuple[bool, str]:
    path = anchor_path()
    if not path.exists():
        return True, "no anchor written yet"
    lines = [line.split() for line in path.read_text(encoding="ascii").splitlines() if line]
    if not lines:
        return True, "no anchor written yet"
    seq, digest = int(lines[-1][0]), lines[-1][1]
    if seq == 0:
        return True, "anchored an empty trail"
    row = AuditEvent.objects.filter(seq=seq).values_list("hash", flat=True).first()
    if row is None:
        return False, f"row {seq} named by the latest anchor is missing: rows were removed"
    if row != digest:
        return False, f"row {seq} does not match the latest anchor: the chain was rewritten"
    return True, f"latest anchor (row {seq}) matches"
