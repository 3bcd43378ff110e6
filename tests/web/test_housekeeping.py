import datetime as dt
from pathlib import Path

from django.core.management import call_command
from django.utils import timezone

from threadline.common.models import IdempotencyRecord


def test_housekeeping_anchors_the_audit_chain_and_forgets_old_keys(world, settings, capsys):
    old = IdempotencyRecord.objects.create(actor=world.social_worker, key="old", fingerprint="x")
    IdempotencyRecord.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - dt.timedelta(days=2)
    )
    IdempotencyRecord.objects.create(actor=world.social_worker, key="new", fingerprint="y")

    call_command("housekeeping")

    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]
    assert Path(settings.AUDIT_ANCHOR_PATH).read_text().count("\n") == 1
    assert "forgot 1 idempotency records" in capsys.readouterr().out
