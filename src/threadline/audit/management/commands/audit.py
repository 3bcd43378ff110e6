from django.core.management.base import BaseCommand, CommandError

from threadline.audit.anchor import anchor_path, check_latest_anchor, write_anchor
from threadline.audit.chain import verify
from threadline.audit.models import AuditEvent


class Command(BaseCommand):
    help = (
        "Audit trail tools. `verify` walks the HMAC chain and checks the latest anchor; "
        "`anchor` appends the chain head to AUDIT_ANCHOR_PATH (run it on a schedule)."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "anchor"])

    def handle(self, *args, action, **options):
        if action == "anchor":
            seq, digest = write_anchor()
            self.stdout.write(f"Anchored row {seq} ({digest[:12]}…) in {anchor_path()}")
            return
        ok, message = verify(AuditEvent.objects.order_by("seq").iterator(chunk_size=5000))
        if ok:
            ok, anchor_message = check_latest_anchor()
            message = f"{message}; {anchor_message}" if ok else anchor_message
        if not ok:
            raise CommandError(f"Audit trail broken: {message}")
        self.stdout.write(self.style.SUCCESS(f"Audit trail intact: {message}"))
