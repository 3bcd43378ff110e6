from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from threadline.web.demo import load_demo


class Command(BaseCommand):
    help = "Load the fictional demo family and agencies (idempotent)."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("The demo cannot be loaded in production.")
        loaded = load_demo()
        if loaded.created:
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        else:
            self.stdout.write("Demo data already loaded; nothing changed.")
        self.stdout.write(
            "\nSign in at http://127.0.0.1:8000 as any of these (password "
            f"'{settings.DEMO_PASSWORD}'):\n  " + ", ".join(loaded.usernames) + "\n"
            "Start with social.worker, then try health.visitor or police to see the "
            "same child from a partner agency.\n"
        )
