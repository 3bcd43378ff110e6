"""The audit trail detects tampering. These tests play a privileged attacker who writes
to the table directly, bypassing the application (and, on PostgreSQL, the trigger)."""

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from threadline.audit.models import AuditAction, AuditEvent
from threadline.audit.services import record_event


@pytest.fixture
def trail(world):
    for n in range(5):
        record_event(
            actor=world.social_worker,
            action=AuditAction.VIEW,
            target=world.child,
            child=world.child,
            summary=f"view {n}",
        )
    return list(AuditEvent.objects.order_by("seq"))


def attacker_sql(sql: str, params=()):
    """Raw SQL with triggers switched off, as a database superuser could."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")


def verify_fails_naming(seq: int):
    with pytest.raises(CommandError, match=rf"row {seq}\b"):
        call_command("audit", "verify")


def test_intact_trail_verifies(trail, capsys):
    call_command("audit", "verify")
    assert f"{len(trail)} rows verified" in capsys.readouterr().out


def test_edited_row_is_detected(trail):
    victim = trail[3]
    attacker_sql("UPDATE audit_auditevent SET summary = %s WHERE seq = %s", ["nothing", victim.seq])
    verify_fails_naming(victim.seq)


def test_deleted_row_is_detected(trail):
    victim = trail[2]
    attacker_sql("DELETE FROM audit_auditevent WHERE seq = %s", [victim.seq])
    verify_fails_naming(victim.seq)


def test_reordered_rows_are_detected(trail):
    a, b = trail[1], trail[2]
    attacker_sql("UPDATE audit_auditevent SET summary = %s WHERE seq = %s", [b.summary, a.seq])
    attacker_sql("UPDATE audit_auditevent SET summary = %s WHERE seq = %s", [a.summary, b.seq])
    verify_fails_naming(a.seq)


def test_row_recomputed_without_the_key_is_detected(trail, settings):
    """An attacker who edits a row and recomputes the chain with a guessed key fails."""
    from threadline.audit.chain import row_hash

    real_key = settings.AUDIT_HMAC_KEY
    settings.AUDIT_HMAC_KEY = "attacker-guess"
    forged = trail[-1]
    forged.summary = "forged"
    forged.hash = row_hash(forged, forged.prev_hash)
    settings.AUDIT_HMAC_KEY = real_key
    attacker_sql(
        "UPDATE audit_auditevent SET summary = %s, hash = %s WHERE seq = %s",
        [forged.summary, forged.hash, forged.seq],
    )
    verify_fails_naming(forged.seq)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the append-only trigger exists on PostgreSQL only"
)
def test_postgresql_refuses_update_and_delete(trail):
    for sql in ("UPDATE audit_auditevent SET summary = 'x'", "DELETE FROM audit_auditevent"):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
    assert AuditEvent.objects.count() == len(trail)


@pytest.fixture
def anchored(trail):
    call_command("audit", "anchor")
    return trail


def test_rows_cut_from_the_end_are_detected_by_the_anchor(anchored):
    last = anchored[-1]
    attacker_sql("DELETE FROM audit_auditevent WHERE seq >= %s", [anchored[-2].seq])
    attacker_sql(
        "UPDATE audit_auditchainhead SET last_seq = %s, last_hash = %s",
        [anchored[-3].seq, anchored[-3].hash],
    )
    verify_fails_naming(last.seq)


def test_new_rows_after_the_anchor_still_verify(anchored, world, capsys):
    record_event(actor=world.social_worker, action=AuditAction.VIEW, target=world.child)
    call_command("audit", "verify")
    assert f"latest anchor (row {anchored[-1].seq}) matches" in capsys.readouterr().out
