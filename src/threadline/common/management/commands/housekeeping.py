from django.core.management.base import BaseCommand

from threadline.audit.anchor import write_anchor
from threadline.common.api import forget_old_idempotency_records


class Command(BaseCommand):
    help = (
        "Routine upkeep, to run from the scheduler every few minutes: anchor the audit "
        "chain and forget API idempotency records older than a day (they hold copies of "
        "personal data)."
    )

    def handle(self, *args, **options):
        seq, _ = write_anchor()
        forgotten = forget_old_idempotency_records()
        self.stdout.write(f"Anchored audit row {seq}; forgot {forgotten} idempotency records.")
