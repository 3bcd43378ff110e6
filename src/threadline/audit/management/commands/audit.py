from django.core.management.base import BaseCommand, CommandError

from threadline.audit.chain import verify
from threadline.audit.models import AuditEvent


class Command(BaseCommand):
    help = "Audit trail tools. `threadline audit verify` walks the HMAC chain."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args, action, **options):
        ok, message = verify(AuditEvent.objects.order_by("seq").iterator(chunk_size=5000))
        if not ok:
            raise CommandError(f"Audit trail broken: {message}")
        self.stdout.write(self.style.SUCCESS(f"Audit trail intact: {message}"))
